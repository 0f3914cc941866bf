using System;
using System.Threading;
using System.Threading.Tasks;

namespace Teleradyoloji
{
    /// <summary>
    /// Opens studies in the Ministry of Health's teleradiology viewer and calls the Teletip
    /// helper services through the native libteleradyoloji. One client holds the settings, a
    /// connection pool and the token cache: create one per set of credentials, share it between
    /// threads, and dispose it when the program no longer needs it.
    /// </summary>
    /// <remarks>
    /// Every method is safe to call from many threads at once. The native library contains a Go
    /// runtime: it stays loaded until the process exits, and only one copy may be loaded per
    /// process. Failures throw <see cref="TeleradyolojiException"/>, whose message never holds a
    /// password, token or one-time code.
    /// </remarks>
    public sealed class TeleradyolojiClient : IDisposable
    {
        private const int AbiVersion = 1;
        private readonly TeleradyolojiSafeHandle _handle;
        private volatile bool _disposed; // SafeHandle alone would accept new calls while one is in flight

        static TeleradyolojiClient()
        {
            NativeLoader.Load();
        }

        /// <summary>Creates a client with the given settings; no network access happens here
        /// except, with <see cref="TeleradyolojiOptions.Prewarm"/>, connecting in the background.</summary>
        /// <param name="options">The credentials and settings; only the three credentials are required.</param>
        /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
        /// <exception cref="TeleradyolojiException">Bad settings (<see cref="TeleradyolojiStatus.Config"/>):
        /// a missing credential, a bad URL, an unknown key.</exception>
        /// <exception cref="DllNotFoundException">The native library could not be loaded; the message
        /// lists every place tried with the operating system's reason (a missing file, a missing GLIBC
        /// version, ...).</exception>
        /// <exception cref="BadImageFormatException">The native library found is for the other
        /// bitness (x86 vs x64) than this process.</exception>
        /// <exception cref="PlatformNotSupportedException">Windows older than Windows 10 / Server 2016,
        /// on which the library's Go runtime would end the process as it loads.</exception>
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

        /// <summary>The native library's version, e.g. "1.0.0" (the same number as this package's).</summary>
        /// <exception cref="DllNotFoundException">The native library could not be loaded (see the constructor).</exception>
        public static string Version
        {
            get
            {
                CheckLibrary();
                return Utf8.Read(NativeMethods.trl_version());
            }
        }

        /// <summary>The token for helper-service calls, cached until shortly before it expires.</summary>
        /// <returns>The token and its expiry.</returns>
        /// <exception cref="TeleradyolojiException">OGN refused the credentials
        /// (<see cref="TeleradyolojiStatus.Auth"/>), or a network, timeout or protocol failure.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public AccessToken GetServiceToken()
        {
            IntPtr token, err;
            long expiresAt;
            int status = NativeMethods.trl_service_token(Handle(), out token, out expiresAt, out err);
            return Token(status, token, expiresAt, err);
        }

        /// <summary>The token for opening the viewer, cached per (doctor, patient).</summary>
        /// <param name="doctorTc">The doctor's T.C. identity number, or null/"" to send none.</param>
        /// <param name="patientTc">The patient's T.C. identity number, or null/"" to send none.</param>
        /// <returns>The token and its expiry.</returns>
        /// <exception cref="TeleradyolojiException">OGN refused the credentials, or a network,
        /// timeout or protocol failure.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public AccessToken GetViewerToken(string doctorTc = null, string patientTc = null)
        {
            byte[] doctor = Utf8.Encode(doctorTc, "doctorTc"), patient = Utf8.Encode(patientTc, "patientTc");
            IntPtr token, err;
            long expiresAt;
            int status = NativeMethods.trl_viewer_token(Handle(), doctor, patient, out token, out expiresAt, out err);
            return Token(status, token, expiresAt, err);
        }

        /// <summary>Asks the integration API for a one-time code (OTAC) for a study, with the given token.</summary>
        /// <param name="token">A viewer token's <see cref="AccessToken.Value"/>.</param>
        /// <param name="accessionNumber">The study's accession number.</param>
        /// <returns>The OTAC. It works once: never cache or log it.</returns>
        /// <exception cref="TeleradyolojiException">A rejected token is <see cref="TeleradyolojiStatus.Http"/>
        /// with <see cref="TeleradyolojiException.HttpStatus"/> 401; also network, timeout and protocol failures.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public string PostOtac(string token, string accessionNumber)
        {
            byte[] tok = Utf8.Encode(token, "token"), accession = Utf8.Encode(accessionNumber, "accessionNumber");
            IntPtr otac, err;
            int status = NativeMethods.trl_post_otac(Handle(), tok, accession, out otac, out err);
            return Text(status, otac, err);
        }

        /// <summary>The viewer URL for an OTAC. No network access.</summary>
        /// <param name="otac">A one-time code from <see cref="PostOtac"/>.</param>
        /// <returns>The URL to open once, in a browser tab or an iframe.</returns>
        /// <exception cref="TeleradyolojiException">An empty or invalid OTAC
        /// (<see cref="TeleradyolojiStatus.InvalidArgument"/>).</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public string BuildViewerUrl(string otac)
        {
            byte[] code = Utf8.Encode(otac, "otac");
            IntPtr url, err;
            int status = NativeMethods.trl_build_viewer_url(Handle(), code, out url, out err);
            return Text(status, url, err);
        }

        /// <summary>The one call most HIS code needs: viewer token (cached) → one-time code → viewer URL.</summary>
        /// <param name="accessionNumber">The study's accession number.</param>
        /// <param name="doctorTc">The doctor's T.C. identity number, or null/"" to send none.</param>
        /// <param name="patientTc">The patient's T.C. identity number, or null/"" to send none.</param>
        /// <returns>The URL to open once, in a browser tab or an iframe; it holds a one-time code,
        /// so never cache or log it.</returns>
        /// <exception cref="TeleradyolojiException">Refused credentials, an HTTP error, a network
        /// failure, a timeout (<see cref="TeleradyolojiOptions.Timeout"/>) or an unexpected answer.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public string GetViewerUrl(string accessionNumber, string doctorTc = null, string patientTc = null)
        {
            byte[] accession = Utf8.Encode(accessionNumber, "accessionNumber");
            byte[] doctor = Utf8.Encode(doctorTc, "doctorTc"), patient = Utf8.Encode(patientTc, "patientTc");
            IntPtr url, err;
            int status = NativeMethods.trl_viewer_url(Handle(), accession, doctor, patient, out url, out err);
            return Text(status, url, err);
        }

        /// <summary>Hints that <see cref="GetViewerUrl"/> for this doctor and patient may come soon (say,
        /// when a worklist row is selected): the viewer token is fetched in the background unless it is
        /// cached, so the click then costs one round trip. Returns at once.</summary>
        /// <param name="doctorTc">The doctor's T.C. identity number, or null.</param>
        /// <param name="patientTc">The patient's T.C. identity number, or null.</param>
        /// <remarks>The fetch's own errors are only logged (<see cref="TeleradyolojiLog"/>); the later
        /// <see cref="GetViewerUrl"/> throws as usual. Per client at most 2 such fetches run and the
        /// newest 4 hints wait; older hints are dropped.</remarks>
        /// <exception cref="TeleradyolojiException"><see cref="TeleradyolojiStatus.InvalidArgument"/> for
        /// identity numbers <see cref="GetViewerUrl"/> would refuse.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public void PrefetchViewerToken(string doctorTc = null, string patientTc = null)
        {
            byte[] doctor = Utf8.Encode(doctorTc, "doctorTc"), patient = Utf8.Encode(patientTc, "patientTc");
            IntPtr err;
            int status = NativeMethods.trl_prefetch_viewer_token(Handle(), doctor, patient, out err);
            Errors.Check(status, err);
        }

        /// <summary>Calls a helper-service method of the integration API with the service token.</summary>
        /// <param name="method">"GET", "POST", "PUT", "DELETE", ...</param>
        /// <param name="path">The path relative to <see cref="TeleradyolojiOptions.ApiUrl"/>.</param>
        /// <param name="jsonBody">The JSON request body, or null for none.</param>
        /// <returns>The response body, decoded as strict UTF-8 (the whole body: nothing is cut at a NUL
        /// byte); a body that is not UTF-8 throws with <see cref="TeleradyolojiStatus.Protocol"/>: use
        /// <see cref="CallBytes"/> for such answers.</returns>
        /// <exception cref="TeleradyolojiException">A non-2xx answer is <see cref="TeleradyolojiStatus.Http"/>
        /// with <see cref="TeleradyolojiException.HttpStatus"/> and <see cref="TeleradyolojiException.ResponseBody"/>
        /// set; a POST is never sent twice.</exception>
        /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
        public string Call(string method, string path, string jsonBody = null)
        {
            int httpStatus;
            byte[] bytes = CallRaw(method, path, jsonBody, out httpStatus);
            return bytes == null ? null
                : Utf8.DecodeStrict(bytes, "the answer", httpStatus, "; CallBytes returns it as bytes");
        }

        /// <summary><see cref="Call"/> returning the response body's bytes exactly as received (NUL
        /// bytes, bytes that are not UTF-8, files).</summary>
        /// <param name="method">"GET", "POST", "PUT", "DELETE", ...</param>
        /// <param name="path">The path relative to <see cref="TeleradyolojiOptions.ApiUrl"/>.</param>
        /// <param name="jsonBody">The JSON request body, or null for none.</param>
        /// <returns>The response body.</returns>
        /// <exception cref="TeleradyolojiException">As <see cref="Call"/>; the exception's
        /// <see cref="TeleradyolojiException.ResponseBody"/> is the body as text, bytes that are not
        /// UTF-8 replaced by U+FFFD.</exception>
        public byte[] CallBytes(string method, string path, string jsonBody = null)
        {
            int httpStatus;
            return CallRaw(method, path, jsonBody, out httpStatus) ?? new byte[0];
        }

        // trl_call_bytes; both library buffers are freed whatever happens.
        private byte[] CallRaw(string method, string path, string jsonBody, out int httpStatus)
        {
            byte[] m = Utf8.Encode(method, "method"), p = Utf8.Encode(path, "path");
            byte[] body = Utf8.Encode(jsonBody, "jsonBody");
            IntPtr response, err;
            long length;
            int status = NativeMethods.trl_call_bytes(Handle(), m, p, body, out httpStatus, out response,
                out length, out err);
            byte[] bytes;
            try { bytes = Utf8.TakeBytes(response, length); }
            catch
            {
                NativeMethods.trl_free(err);
                throw;
            }
            Errors.Check(status, err, Utf8.DecodeLenient(bytes), httpStatus);
            return bytes;
        }

        /// <summary>Checks the connection to the Ministry step by step (settings, proxy, DNS, TCP, TLS, HTTP, clock, OGN credentials, an authenticated API request) and returns the report as JSON: {"ok":bool,"steps":[{"step","target","ok","ms","message","message_tr","advice", "advice_tr"},...]} (see teleradyoloji.h). Failed checks do not throw: they are in the report. Each network step waits at most min(Timeout, 10 s); the hosts are checked in parallel.</summary>
        public string Diagnose()
        {
            IntPtr report, err;
            int status = NativeMethods.trl_diagnose(Handle(), out report, out err);
            return Text(status, report, err);
        }

        // The async variants run the blocking call on the thread pool. Cancelling stops the
        // wait at once; the call itself still ends within Timeout, in the background.

        /// <summary>Runs <see cref="GetServiceToken"/> on a thread-pool thread.</summary>
        /// <param name="cancellationToken">Stops the wait, not the call: see the remarks.</param>
        /// <returns>A task with the token.</returns>
        /// <remarks>This is not asynchronous I/O: the blocking native call runs on, and occupies, a
        /// thread-pool thread until it returns. The native call cannot be cancelled: cancelling
        /// <paramref name="cancellationToken"/> only stops waiting (the task ends as canceled at once)
        /// while the call goes on in the background until it finishes or
        /// <see cref="TeleradyolojiOptions.Timeout"/> runs out, and its result or error is discarded.
        /// A token already cancelled starts nothing. To bound the call itself, set
        /// <see cref="TeleradyolojiOptions.Timeout"/>.</remarks>
        public Task<AccessToken> GetServiceTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetServiceToken(), cancellationToken);
        }

        /// <summary>Runs <see cref="GetViewerToken"/> on a thread-pool thread.</summary>
        /// <param name="doctorTc">The doctor's T.C. identity number, or null/"" to send none.</param>
        /// <param name="patientTc">The patient's T.C. identity number, or null/"" to send none.</param>
        /// <param name="cancellationToken">Stops the wait, not the call: see the remarks.</param>
        /// <returns>A task with the token.</returns>
        /// <remarks>This is not asynchronous I/O: the blocking native call runs on, and occupies, a
        /// thread-pool thread until it returns. The native call cannot be cancelled: cancelling
        /// <paramref name="cancellationToken"/> only stops waiting (the task ends as canceled at once)
        /// while the call goes on in the background until it finishes or
        /// <see cref="TeleradyolojiOptions.Timeout"/> runs out, and its result or error is discarded.
        /// A token already cancelled starts nothing. To bound the call itself, set
        /// <see cref="TeleradyolojiOptions.Timeout"/>.</remarks>
        public Task<AccessToken> GetViewerTokenAsync(string doctorTc = null, string patientTc = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetViewerToken(doctorTc, patientTc), cancellationToken);
        }

        /// <summary>Runs <see cref="PostOtac"/> on a thread-pool thread.</summary>
        /// <param name="token">A viewer token's <see cref="AccessToken.Value"/>.</param>
        /// <param name="accessionNumber">The study's accession number.</param>
        /// <param name="cancellationToken">Stops the wait, not the call: see the remarks.</param>
        /// <returns>A task with the one-time code.</returns>
        /// <remarks>This is not asynchronous I/O: the blocking native call runs on, and occupies, a
        /// thread-pool thread until it returns. The native call cannot be cancelled: cancelling
        /// <paramref name="cancellationToken"/> only stops waiting (the task ends as canceled at once)
        /// while the call goes on in the background until it finishes or
        /// <see cref="TeleradyolojiOptions.Timeout"/> runs out, and its result or error is discarded.
        /// A token already cancelled starts nothing. To bound the call itself, set
        /// <see cref="TeleradyolojiOptions.Timeout"/>. A cancelled PostOtac may still have created a one-time code on the server.</remarks>
        public Task<string> PostOtacAsync(string token, string accessionNumber,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => PostOtac(token, accessionNumber), cancellationToken);
        }

        /// <summary>Runs <see cref="GetViewerUrl"/> on a thread-pool thread.</summary>
        /// <param name="accessionNumber">The study's accession number.</param>
        /// <param name="doctorTc">The doctor's T.C. identity number, or null/"" to send none.</param>
        /// <param name="patientTc">The patient's T.C. identity number, or null/"" to send none.</param>
        /// <param name="cancellationToken">Stops the wait, not the call: see the remarks.</param>
        /// <returns>A task with the viewer URL.</returns>
        /// <remarks>This is not asynchronous I/O: the blocking native call runs on, and occupies, a
        /// thread-pool thread until it returns. The native call cannot be cancelled: cancelling
        /// <paramref name="cancellationToken"/> only stops waiting (the task ends as canceled at once)
        /// while the call goes on in the background until it finishes or
        /// <see cref="TeleradyolojiOptions.Timeout"/> runs out, and its result or error is discarded.
        /// A token already cancelled starts nothing. To bound the call itself, set
        /// <see cref="TeleradyolojiOptions.Timeout"/>.</remarks>
        public Task<string> GetViewerUrlAsync(string accessionNumber, string doctorTc = null, string patientTc = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => GetViewerUrl(accessionNumber, doctorTc, patientTc), cancellationToken);
        }

        /// <summary>Runs <see cref="Call"/> on a thread-pool thread.</summary>
        /// <param name="method">"GET", "POST", "PUT", "DELETE", ...</param>
        /// <param name="path">The path relative to <see cref="TeleradyolojiOptions.ApiUrl"/>.</param>
        /// <param name="jsonBody">The JSON request body, or null for none.</param>
        /// <param name="cancellationToken">Stops the wait, not the call: see the remarks.</param>
        /// <returns>A task with the response body.</returns>
        /// <remarks>This is not asynchronous I/O: the blocking native call runs on, and occupies, a
        /// thread-pool thread until it returns. The native call cannot be cancelled: cancelling
        /// <paramref name="cancellationToken"/> only stops waiting (the task ends as canceled at once)
        /// while the call goes on in the background until it finishes or
        /// <see cref="TeleradyolojiOptions.Timeout"/> runs out, and its result or error is discarded.
        /// A token already cancelled starts nothing. To bound the call itself, set
        /// <see cref="TeleradyolojiOptions.Timeout"/>. A cancelled POST may still have been received and acted on by the server.</remarks>
        public Task<string> CallAsync(string method, string path, string jsonBody = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => Call(method, path, jsonBody), cancellationToken);
        }

        /// <summary><see cref="CallBytes"/> on a thread-pool thread; cancelling stops the wait, not the
        /// native call (see <see cref="CallAsync"/>).</summary>
        public Task<byte[]> CallBytesAsync(string method, string path, string jsonBody = null,
            CancellationToken cancellationToken = default(CancellationToken))
        {
            return Run(() => CallBytes(method, path, jsonBody), cancellationToken);
        }

        /// <summary>Closes the client once calls still running on it have returned. Later calls
        /// throw <see cref="ObjectDisposedException"/>. A client never disposed is closed by its
        /// finalizer. The native library itself stays loaded.</summary>
        public void Dispose()
        {
            _disposed = true;
            _handle.Dispose();
        }

        // Loads the native library (NativeLoader: the OS's reasons on failure) and checks its ABI version.
        private static void CheckLibrary()
        {
            int abi = NativeLoader.Ensure();
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
