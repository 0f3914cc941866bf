using System;
using System.Threading;
using System.Threading.Tasks;

namespace Teleradyoloji
{
    // Opens studies in the Ministry of Health's teleradiology viewer and calls the Teletip
    // helper services through libteleradyoloji. One client holds the settings, a connection
    // pool and the token cache: create one per set of credentials, share it between threads,
    // and dispose it when the program no longer needs it.
    public sealed class TeleradyolojiClient : IDisposable
    {
        private const int AbiVersion = 1;
        private readonly TeleradyolojiSafeHandle _handle;
        private volatile bool _disposed; // SafeHandle alone would accept new calls while one is in flight

        static TeleradyolojiClient()
        {
            NativeLoader.Load();
        }

        // Creates a client. Throws TeleradyolojiException (Status Config) for bad settings.
        public TeleradyolojiClient(TeleradyolojiOptions options)
        {
            if (options == null) throw new ArgumentNullException("options");
            CheckLibrary();
            byte[] config = Utf8.Encode(options.ToConfigJson(), "options");
            TeleradyolojiSafeHandle handle = null;
            try
            {
                IntPtr err;
                int status = NativeMethods.trl_client_new(config, out handle, out err);
                Errors.Check(status, err);
                _handle = handle;
            }
            catch
            {
                if (handle != null) handle.Dispose();
                throw;
            }
            finally
            {
                Array.Clear(config, 0, config.Length); // it holds the password
            }
        }

        // The native library's version, e.g. "1.0.0".
        public static string Version
        {
            get
            {
                CheckLibrary();
                return Utf8.Read(NativeMethods.trl_version());
            }
        }

        // The token for helper-service calls (cached until shortly before it expires).
        public AccessToken GetServiceToken()
        {
            IntPtr token, err;
            long expiresAt;
            int status = NativeMethods.trl_service_token(Handle(), out token, out expiresAt, out err);
            return Token(status, token, expiresAt, err);
        }

        // The token for opening the viewer, cached per (doctor, patient). The T.C. identity
        // numbers are optional: null or "" means the field is not sent.
        public AccessToken GetViewerToken(string doctorTc = null, string patientTc = null)
        {
            byte[] doctor = Utf8.Encode(doctorTc, "doctorTc"), patient = Utf8.Encode(patientTc, "patientTc");
            IntPtr token, err;
            long expiresAt;
            int status = NativeMethods.trl_viewer_token(Handle(), doctor, patient, out token, out expiresAt, out err);
            return Token(status, token, expiresAt, err);
        }

        // Asks for a one-time code (OTAC) for a study with the given token. A 401 is
        // Status Http with HttpStatus 401; an OTAC works once, so never cache it.
        public string PostOtac(string token, string accessionNumber)
        {
            byte[] tok = Utf8.Encode(token, "token"), accession = Utf8.Encode(accessionNumber, "accessionNumber");
            IntPtr otac, err;
            int status = NativeMethods.trl_post_otac(Handle(), tok, accession, out otac, out err);
            return Text(status, otac, err);
        }

        // The viewer URL for an OTAC. No network access.
        public string BuildViewerUrl(string otac)
        {
            byte[] code = Utf8.Encode(otac, "otac");
            IntPtr url, err;
            int status = NativeMethods.trl_build_viewer_url(Handle(), code, out url, out err);
            return Text(status, url, err);
        }

        // The one call most HIS code needs: viewer token -> OTAC -> viewer URL. Open the URL
        // once, in a browser tab or an iframe.
        public string GetViewerUrl(string accessionNumber, string doctorTc = null, string patientTc = null)
        {
            byte[] accession = Utf8.Encode(accessionNumber, "accessionNumber");
            byte[] doctor = Utf8.Encode(doctorTc, "doctorTc"), patient = Utf8.Encode(patientTc, "patientTc");
            IntPtr url, err;
            int status = NativeMethods.trl_viewer_url(Handle(), accession, doctor, patient, out url, out err);
            return Text(status, url, err);
        }

        // Calls a helper-service method ("GET", "POST", ...) at a path relative to ApiUrl with
        // the service token, and returns the response body. A non-2xx answer throws with
        // Status Http, HttpStatus and ResponseBody set.
        public string Call(string method, string path, string jsonBody = null)
        {
            byte[] m = Utf8.Encode(method, "method"), p = Utf8.Encode(path, "path");
            byte[] body = Utf8.Encode(jsonBody, "jsonBody");
            int httpStatus;
            IntPtr response, err;
            int status = NativeMethods.trl_call(Handle(), m, p, body, out httpStatus, out response, out err);
            string text = Utf8.Take(response);
            Errors.Check(status, err, text, httpStatus);
            return text;
        }

        // Checks the connection to the Ministry step by step (settings, proxy, DNS, TCP, TLS,
        // HTTP, clock, OGN credentials, an authenticated API request) and returns the report as
        // JSON: {"ok":bool,"steps":[{"step","target","ok","ms","message","message_tr","advice",
        // "advice_tr"},...]} (see teleradyoloji.h). Failed checks do not throw: they are in the
        // report. Each network step waits at most min(Timeout, 10 s); the hosts are checked in
        // parallel.
        public string Diagnose()
        {
            IntPtr report, err;
            int status = NativeMethods.trl_diagnose(Handle(), out report, out err);
            return Text(status, report, err);
        }

        // The async variants run the blocking call on the thread pool. Cancelling stops the
        // wait at once; the call itself still ends within Timeout, in the background.

        public Task<AccessToken> GetServiceTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetServiceToken(), cancellationToken);
        }

        public Task<AccessToken> GetViewerTokenAsync(string doctorTc = null, string patientTc = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetViewerToken(doctorTc, patientTc), cancellationToken);
        }

        public Task<string> PostOtacAsync(string token, string accessionNumber,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => PostOtac(token, accessionNumber), cancellationToken);
        }

        public Task<string> GetViewerUrlAsync(string accessionNumber, string doctorTc = null, string patientTc = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetViewerUrl(accessionNumber, doctorTc, patientTc), cancellationToken);
        }

        public Task<string> CallAsync(string method, string path, string jsonBody = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => Call(method, path, jsonBody), cancellationToken);
        }

        // Closes the client once calls still running on it have returned. Later calls throw
        // ObjectDisposedException. A client never disposed is closed by its finalizer.
        public void Dispose()
        {
            _disposed = true;
            _handle.Dispose();
        }

        // Loads the native library with a deployment hint on failure and checks its ABI version.
        private static void CheckLibrary()
        {
            string bits = IntPtr.Size == 8 ? "64" : "32";
            int abi;
            try { abi = NativeMethods.trl_abi_version(); }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException("the native teleradyoloji library was not found: put teleradyoloji.dll " +
                    "for this " + bits + "-bit process beside the program (Windows), or libteleradyoloji.so on the " +
                    "library path (Linux)", e);
            }
            catch (BadImageFormatException e)
            {
                throw new BadImageFormatException("teleradyoloji.dll does not fit this " + bits + "-bit process: use " +
                    "the x86 DLL in 32-bit programs and the x64 DLL in 64-bit ones", e);
            }
            if (abi != AbiVersion)
                throw new InvalidOperationException("the loaded teleradyoloji library has ABI version " + abi +
                    "; this binding needs " + AbiVersion);
        }

        private TeleradyolojiSafeHandle Handle()
        {
            if (_disposed || _handle.IsClosed) throw new ObjectDisposedException(GetType().FullName);
            return _handle;
        }

        private static AccessToken Token(int status, IntPtr token, long expiresAt, IntPtr err)
        {
            string value = Utf8.Take(token);
            Errors.Check(status, err);
            return new AccessToken(value, DateTimeOffset.FromUnixTimeSeconds(expiresAt));
        }

        private static string Text(int status, IntPtr text, IntPtr err)
        {
            string value = Utf8.Take(text);
            Errors.Check(status, err);
            return value;
        }

        private Task<T> Run<T>(Func<T> call, CancellationToken cancellationToken)
        {
            Handle();
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
            Task<T> work = Task.Run(call);
            if (!cancellationToken.CanBeCanceled) return work;

            var result = new TaskCompletionSource<T>();
            CancellationTokenRegistration registration =
                cancellationToken.Register(() => result.TrySetCanceled(cancellationToken));
            work.ContinueWith(t =>
            {
                registration.Dispose();
                if (t.IsFaulted) result.TrySetException(t.Exception.InnerExceptions);
                else if (t.IsCanceled) result.TrySetCanceled();
                else result.TrySetResult(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
            return result.Task;
        }
    }
}
