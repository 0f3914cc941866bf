// Tests of the .NET binding under Mono, against libteleradyoloji and the sandbox.
//
//   mono TestRunner.exe            every test; ends with "runner: N passed, M failed"
//   mono TestRunner.exe --stress   only 16 threads sharing a client while GC.Collect() loops
//
// Needs TRL_SANDBOX_URL (scripts/with-sandbox.sh) and libteleradyoloji.so on the loader path.
// No password, token or OTAC is ever printed: failures are scrubbed before they are shown.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Teleradyoloji;

namespace Teleradyoloji.Tests
{
    internal static partial class TestRunner
    {
        private const string Doctor = "12345678901";
        private const string Patient = "98765432109";
        private const string Turkish = "ÇĞİÖŞÜ çğıöşü Âİ";

        private static int _passed, _failed;
        private static readonly ConcurrentDictionary<string, bool> Secrets = new ConcurrentDictionary<string, bool>();

        private static int Main(string[] args)
        {
            Secrets[Sandbox.Password] = true;
            if (args.Length > 0 && args[0] == "--log-exit")
            {
                // Logging left on at exit: the process must still end (Mono waits at exit for
                // the threads it adopted; the library's ends when ProcessExit turns logging off).
                int seen = 0;
                TeleradyolojiLog.Enable(e => Interlocked.Increment(ref seen), TeleradyolojiLogLevel.Debug);
                using (var c = new TeleradyolojiClient(Sandbox.Options())) c.GetServiceToken();
                while (Volatile.Read(ref seen) == 0) Thread.Sleep(10);
                Console.WriteLine("log-exit: returning from Main with logging on");
                return 0;
            }
            if (args.Length > 0 && args[0] == "--stress-log")
            {
                Test("16 threads share a client while GC.Collect() loops, logging on (stress)", () => ThreadsAndGcLogging(16, 40));
                Console.WriteLine("stress: {0} passed, {1} failed", _passed, _failed);
                return _failed == 0 ? 0 : 1;
            }
            if (args.Length > 0 && args[0] == "--stress")
            {
                Test("16 threads share a client while GC.Collect() loops (stress)", () => ThreadsAndGc(16, 40));
                Console.WriteLine("stress: {0} passed, {1} failed", _passed, _failed);
                return _failed == 0 ? 0 : 1;
            }

            Test("Version and the ABI's status codes", VersionAndStatuses);
            Test("every import has the header's widths and calling convention", ImportsHaveHeaderWidths);
            Test("options become config JSON, escaped, every key known", OptionsJson);
            Test("Config: bad settings", ConfigErrors);
            Test("GetServiceToken: a cached token with its expiry", ServiceToken);
            Test("GetViewerToken: per doctor and patient", ViewerToken);
            Test("PostOtac, BuildViewerUrl: a one-time code and its URL", PostOtacAndBuild);
            Test("GetViewerUrl opens the study once, Turkish accession in and out", ViewerUrlOpensStudy);
            Test("Call: helper services, Turkish body in and out", CallEcho);
            Test("PrefetchViewerToken: the click then costs one postOTAC", PrefetchThenClick);
            Test("PrefetchViewerToken: a burst of 100 hints stays bounded", PrefetchBurst);
            Test("PrefetchViewerToken: a failed fetch is logged, not thrown", PrefetchErrorLogged);
            Test("CallBytes: exact bytes; Call on them: Protocol, nothing cut", CallBytes);
            Test("strict UTF-8: the first byte that is not UTF-8", StrictUtf8);
            Test("Async variants give the sync results", AsyncVariants);
            Test("Async cancellation stops the wait", AsyncCancellation);
            Test("Auth: wrong password", AuthError);
            Test("Http: status/404, NOT-FOUND accession, a foreign token", HttpErrors);
            Test("Network: a closed port", NetworkError);
            Test("Timeout: a slow server and a small timeout", TimeoutError);
            Test("Protocol: a malformed answer", ProtocolError);
            Test("InvalidArgument: empty, bad and NUL-containing arguments", InvalidArguments);
            Test("BadHandle: a client closed behind the binding's back", BadHandle);
            Test("Forked: status 10 maps to TeleradyolojiStatus.Forked", ForkedMapping);
            Test("Dispose: use after Dispose throws ObjectDisposedException", UseAfterDispose);
            Test("Dispose waits for a call in flight", DisposeDuringCall);
            Test("Finalizer closes a client never disposed", FinalizerCloses);
            Test("Log: events in order through an Action, no secret in any", LogEventsInOrder);
            Test("Log: a blocked handler slows no call (counted)", LogSlowHandler);
            Test("Log: Disable waits for the handler and stops the events", LogDisable);
            Test("MessageTr: Turkish on every error", TurkishMessages);
            Test("Diagnose: a report, and the failing step for a wrong password", Diagnose);
            Test("16 threads share a client while GC.Collect() loops", () => ThreadsAndGc(16, 20));
            Test("16 threads share a client while GC.Collect() loops, logging on", () => ThreadsAndGcLogging(16, 20));
            Console.WriteLine("runner: {0} passed, {1} failed", _passed, _failed);
            return _failed == 0 ? 0 : 1;
        }

        // ---- tests ----------------------------------------------------------------------

        private static void VersionAndStatuses()
        {
            Check(Regex.IsMatch(TeleradyolojiClient.Version ?? "", @"^\d+\.\d+\.\d+"), "Version looks like 1.2.3");
            Equal(1, Raw.trl_abi_version(), "ABI version");
            foreach (TeleradyolojiStatus s in Enum.GetValues(typeof(TeleradyolojiStatus)))
            {
                string expected = s == TeleradyolojiStatus.Ok ? "TRL_OK"
                    : "TRL_E_" + Regex.Replace(s.ToString(), "(?<=[a-z])(?=[A-Z])", "_").ToUpperInvariant();
                Equal(expected, Marshal.PtrToStringAnsi(Raw.trl_status_name((int)s)), "name of status " + (int)s);
            }
            Equal("TRL_E_FORKED", Marshal.PtrToStringAnsi(Raw.trl_status_name(10)), "status 10");
            Equal("TRL_E_UNKNOWN", Marshal.PtrToStringAnsi(Raw.trl_status_name(11)), "status 11 is past the enum");
        }

        private static void OptionsJson()
        {
            // Quotes, backslashes, control characters and Turkish letters survive the hand-written JSON.
            string odd = "12\"34\\5\n\t\u0001" + Turkish;
            Sandbox.Reset();
            var o = Sandbox.Options();
            o.InstitutionCode = odd;
            using (var c = new TeleradyolojiClient(o))
                Throws(TeleradyolojiStatus.Auth, () => c.GetServiceToken());
            var form = (Dictionary<string, object>)Sandbox.Stats()["last_token_form"];
            Equal(odd, (string)form["UserName"], "UserName on the wire");
            Equal("<ok>", (string)form["Password"], "Password on the wire");

            // Every property maps to a key the library knows (an unknown key would be Config).
            o = Sandbox.Options();
            o.ClientId = "ogn.sbys.api";
            o.GrantType = "client_sbys";
            o.Timeout = TimeSpan.FromSeconds(10);
            o.Retries = 1;
            o.Proxy = "";
            o.CaFile = "";
            o.TokenRefreshMargin = TimeSpan.FromSeconds(30);
            o.DefaultTokenLifetime = TimeSpan.FromSeconds(300);
            o.ViewerTokenCacheSize = 16;
            o.MaxResponseBytes = 1 << 20;
            o.UserAgent = "HBYS-Test/1.0 (" + Turkish + ")";
            o.IdleTimeout = TimeSpan.FromSeconds(120);
            o.Prewarm = false;
            using (var c = new TeleradyolojiClient(o))
                Check(c.GetViewerUrl("ACC-OPTIONS").StartsWith(Sandbox.Url + "/viewer/#/viewpatient?otac="), "URL");
            Throws<ArgumentNullException>(() => new TeleradyolojiClient(null));
        }

        private static void ConfigErrors()
        {
            var o = Sandbox.Options();
            o.InstitutionCode = null;
            Throws(TeleradyolojiStatus.Config, () => new TeleradyolojiClient(o));
            o = Sandbox.Options();
            o.ApplicationCode = "";
            Throws(TeleradyolojiStatus.Config, () => new TeleradyolojiClient(o));
            o = Sandbox.Options();
            o.OgnUrl = "http://ogn.example.com";
            Throws(TeleradyolojiStatus.Config, () => new TeleradyolojiClient(o));
            o = Sandbox.Options();
            o.ViewerUrl = "not a url";
            Throws(TeleradyolojiStatus.Config, () => new TeleradyolojiClient(o));
        }

        private static void ServiceToken()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                AccessToken t = c.GetServiceToken();
                Secret(t.Value);
                Check(!string.IsNullOrEmpty(t.Value), "token value");
                double left = (t.ExpiresAt - DateTimeOffset.UtcNow).TotalSeconds;
                Check(left > 3500 && left <= 3601, "expires in about 3600 s, got " + left);
                Check(!t.ToString().Contains(t.Value), "ToString hides the token");
                Equal(t.Value, c.GetServiceToken().Value, "second call answers from the cache");
                var stats = Sandbox.Stats();
                Equal(1, Sandbox.Count(stats, "token_requests"), "token requests");
                Equal(1, Sandbox.TokensFor(stats, "|"), "service token key");
            }
        }

        private static void ViewerToken()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                AccessToken a = c.GetViewerToken(Doctor, Patient);
                AccessToken b = c.GetViewerToken(Doctor, Patient);
                AccessToken other = c.GetViewerToken(Doctor);
                AccessToken service = c.GetServiceToken();
                Secret(a.Value, other.Value, service.Value);
                Equal(a.Value, b.Value, "cached per (doctor, patient)");
                Check(a.Value != other.Value && a.Value != service.Value, "other keys, other tokens");
                var stats = Sandbox.Stats();
                Equal(1, Sandbox.TokensFor(stats, Doctor + "|" + Patient), "doctor|patient tokens");
                Equal(1, Sandbox.TokensFor(stats, Doctor + "|"), "doctor-only tokens");
                Equal(3, Sandbox.Count(stats, "token_requests"), "token requests");
            }
        }

        private static void PostOtacAndBuild()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                AccessToken t = c.GetViewerToken(Doctor, Patient);
                Secret(t.Value);
                string otac = c.PostOtac(t.Value, "ACC-1");
                Secret(otac);
                Check(Regex.IsMatch(otac, "^[A-Za-z0-9_-]{43}$"), "bare OTAC");
                var wire = (Dictionary<string, object>)Sandbox.Stats()["last_otac_request"];
                Equal("Bearer", (string)wire["authorization"], "Authorization scheme");
                var sent = (Dictionary<string, object>)MiniJson.Parse((string)wire["body"]);
                Equal("ACC-1", (string)sent["AccessionNumber"], "AccessionNumber sent");

                Equal(Sandbox.Url + "/viewer/#/viewpatient?otac=" + otac, c.BuildViewerUrl(otac), "viewer URL");
                Equal(Sandbox.Url + "/viewer/#/viewpatient?otac=ab%2Bc%2Fd%3D", c.BuildViewerUrl("ab+c/d="),
                    "+ / = percent-encoded");
            }
        }

        private static void ViewerUrlOpensStudy()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                string accession = "ACC-" + Turkish;
                string url = c.GetViewerUrl(accession, Doctor, Patient);
                Secret(url);
                Check(url.StartsWith(Sandbox.Url + "/viewer/#/viewpatient?otac="), "viewer URL");
                var sent = (Dictionary<string, object>)MiniJson.Parse(
                    (string)((Dictionary<string, object>)Sandbox.Stats()["last_otac_request"])["body"]);
                Equal(accession, (string)sent["AccessionNumber"], "Turkish accession on the wire");
                Dictionary<string, object> body;
                Equal(200, Sandbox.OpenStudy(url, out body), "first open");
                Equal(accession, (string)body["accession"], "the study opened");
                Equal(410, Sandbox.OpenStudy(url, out body), "an OTAC works once");
                Secret(c.GetViewerUrl(accession, Doctor, Patient));
                var stats = Sandbox.Stats();
                Equal(1, Sandbox.TokensFor(stats, Doctor + "|" + Patient), "one viewer token for both URLs");
                Equal(2, Sandbox.Count(stats, "otac_requests"), "one OTAC per URL");
            }
        }

        private static void CallEcho()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                var get = Obj(c.Call("GET", "echo/x?a=1"));
                Equal("GET", (string)get["method"], "method");
                Equal("/echo/x", (string)get["path"], "path");
                Equal("a=1", (string)get["query"], "query");
                Equal("service", (string)get["token_kind"], "the service token is used");
                Check(get["body"] == null, "no body");

                var post = Obj(c.Call("POST", "/echo/hasta", "{\"ad\":\"" + Turkish + "\",\"n\":1}"));
                Equal("POST", (string)post["method"], "method");
                Equal(Turkish, (string)((Dictionary<string, object>)post["body"])["ad"], "Turkish text in and out");
                var wire = (Dictionary<string, object>)Sandbox.Stats()["last_api_request"];
                Check(((string)wire["content_type"]).StartsWith("application/json"), "sent as JSON");
                Equal(1, Sandbox.Count(Sandbox.Stats(), "token_requests"), "one service token for both calls");
            }
        }

        private static readonly byte[] BinaryBody = { (byte)'A', (byte)'B', 0, (byte)'C', (byte)'D', 0xff, 0xfe,
            (byte)'E', (byte)'F' };

        private static void CallBytes()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                byte[] got = c.CallBytes("GET", "binary");
                Equal(BitConverter.ToString(BinaryBody), BitConverter.ToString(got), "the 9 bytes of GET binary");
                Equal(BitConverter.ToString(BinaryBody), BitConverter.ToString(c.CallBytesAsync("GET", "binary").Result),
                    "CallBytesAsync");
                Equal(0, c.CallBytes("HEAD", "echo").Length, "an empty body is an empty array");
                var echo = Obj(System.Text.Encoding.UTF8.GetString(
                    c.CallBytes("POST", "echo/b", "{\"ad\":\"" + Turkish + "\"}")));
                Equal(Turkish, (string)((Dictionary<string, object>)echo["body"])["ad"], "UTF-8 JSON as bytes");

                var e = Throws(TeleradyolojiStatus.Http, () => c.CallBytes("GET", "status/404"));
                Equal(404, e.HttpStatus ?? 0, "CallBytes: HttpStatus");
                Check((e.ResponseBody ?? "").Contains("status 404"), "CallBytes: the server's body");

                // The text call reads the whole body and refuses what is not UTF-8.
                e = Throws(TeleradyolojiStatus.Protocol, () => c.Call("GET", "binary"));
                Equal(200, e.HttpStatus ?? 0, "Call on binary: HttpStatus");
                Check(e.Message.Contains("not UTF-8") && e.Message.Contains("offset 5") && e.Message.Contains("CallBytes"),
                    "Call on binary: a clear message, past the NUL: " + e.Message);
                var inner = Throws<AggregateException>(() => c.CallAsync("GET", "binary").Wait()).InnerException
                    as TeleradyolojiException;
                Check(inner != null && inner.Status == TeleradyolojiStatus.Protocol, "CallAsync on binary: Protocol");
            }
        }

        private static void StrictUtf8()
        {
            var firstInvalid = typeof(TeleradyolojiClient).Assembly.GetType("Teleradyoloji.Utf8")
                .GetMethod("FirstInvalid", BindingFlags.NonPublic | BindingFlags.Static);
            var cases = new Dictionary<string, int>
            {
                { "", -1 }, { "41 42 00 43 44", -1 }, { "c3 87 c4 9f", -1 }, { "ef bf bd", -1 },
                { "f0 9f 98 80", -1 }, { "f4 8f bf bf", -1 }, { "41 42 00 43 44 ff fe 45 46", 5 },
                { "c0 80", 0 }, { "c1 bf", 0 }, { "e0 80 80", 0 }, { "ed a0 80", 0 }, { "f0 80 80 80", 0 },
                { "f4 90 80 80", 0 }, { "f5 80 80 80", 0 }, { "80", 0 }, { "41 c3", 1 }, { "e2 82", 0 },
                { "e2 28 a1", 0 }, { "41 f0 9f 98 41", 1 },
            };
            foreach (var pair in cases)
            {
                string[] hex = pair.Key.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
                var bytes = new byte[hex.Length];
                for (int i = 0; i < hex.Length; i++) bytes[i] = Convert.ToByte(hex[i], 16);
                Equal(pair.Value, (int)firstInvalid.Invoke(null, new object[] { bytes }), "first invalid of [" + pair.Key + "]");
            }
        }

        // A forked child gets TRL_E_FORKED from the library; Mono cannot fork safely, so the mapping
        // is checked on the library's error JSON.
        private static void ForkedMapping()
        {
            Equal(10, (int)TeleradyolojiStatus.Forked, "TeleradyolojiStatus.Forked");
            var fromNative = typeof(TeleradyolojiClient).Assembly.GetType("Teleradyoloji.Errors")
                .GetMethod("FromNative", BindingFlags.NonPublic | BindingFlags.Static);
            var e = (TeleradyolojiException)fromNative.Invoke(null, new object[] { 10,
                "{\"code\":10,\"name\":\"TRL_E_FORKED\",\"message\":\"this process was forked (fork() without exec)\"," +
                "\"retryable\":false}", null, 0 });
            Equal(TeleradyolojiStatus.Forked, e.Status, "Status");
            Check(e.Message.Contains("fork") && !e.Retryable && e.HttpStatus == null, "message and fields: " + e.Message);
            e = (TeleradyolojiException)fromNative.Invoke(null, new object[] { 10, null, null, 0 });
            Equal("TRL_E_FORKED", e.Message, "no JSON: the status name");
        }

        private static void AsyncVariants()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                AccessToken service = c.GetServiceTokenAsync().Result;
                AccessToken viewer = c.GetViewerTokenAsync(Doctor, Patient, CancellationToken.None).Result;
                Secret(service.Value, viewer.Value);
                Equal(c.GetServiceToken().Value, service.Value, "GetServiceTokenAsync");
                Equal(c.GetViewerToken(Doctor, Patient).Value, viewer.Value, "GetViewerTokenAsync");
                string otac = c.PostOtacAsync(viewer.Value, "ACC-ASYNC").Result;
                Secret(otac);
                Check(Regex.IsMatch(otac, "^[A-Za-z0-9_-]{43}$"), "PostOtacAsync");
                using (var cts = new CancellationTokenSource())
                {
                    string url = c.GetViewerUrlAsync("ACC-ASYNC", Doctor, Patient, cts.Token).Result;
                    Secret(url);
                    Check(url.StartsWith(Sandbox.Url + "/viewer/#/viewpatient?otac="), "GetViewerUrlAsync");
                    Equal("PUT", (string)Obj(c.CallAsync("PUT", "echo", "{}", cts.Token).Result)["method"], "CallAsync");
                }
                var failed = Throws<AggregateException>(() => c.CallAsync("GET", "status/503").Wait());
                var inner = failed.InnerException as TeleradyolojiException;
                Check(inner != null && inner.Status == TeleradyolojiStatus.Http && inner.HttpStatus == 503,
                    "a failed async call carries the TeleradyolojiException");
            }
        }

        private static void AsyncCancellation()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                c.GetViewerToken(Doctor, Patient);
                var cancelled = new CancellationTokenSource();
                cancelled.Cancel();
                Check(c.GetViewerUrlAsync("ACC", Doctor, Patient, cancelled.Token).IsCanceled, "already cancelled");

                Sandbox.Fault("{\"target\":\"otac\",\"kind\":\"latency\",\"delay_ms\":1500,\"count\":1}");
                var cts = new CancellationTokenSource(200);
                var watch = Stopwatch.StartNew();
                Task<string> task = c.GetViewerUrlAsync("ACC", Doctor, Patient, cts.Token);
                try { task.Wait(); }
                catch (AggregateException) { }
                Check(task.IsCanceled, "cancelled while the call runs");
                Check(watch.ElapsedMilliseconds < 1000, "stopped waiting at once (" + watch.ElapsedMilliseconds + " ms)");
                Thread.Sleep(1600); // let the abandoned call end before the client is disposed
            }
        }

        private static void AuthError()
        {
            var o = Sandbox.Options();
            o.Password = "Yanlis-Parola-1!";
            Secret(o.Password);
            using (var c = new TeleradyolojiClient(o))
            {
                var e = Throws(TeleradyolojiStatus.Auth, () => c.GetServiceToken());
                Equal("invalid_grant", e.ServerError, "ServerError");
                Equal(400, e.HttpStatus ?? 0, "HttpStatus");
                Check((e.ServerErrorDescription ?? "").Contains("hatalı"), "Turkish description out");
                Check(!e.Retryable, "rejected credentials are not retryable");
                Throws(TeleradyolojiStatus.Auth, () => c.GetViewerUrl("ACC", Doctor, Patient));
            }
        }

        private static void HttpErrors()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                var e = Throws(TeleradyolojiStatus.Http, () => c.Call("GET", "status/404"));
                Equal(404, e.HttpStatus ?? 0, "HttpStatus");
                Check((e.ResponseBody ?? "").Contains("status 404"), "the server's body");

                e = Throws(TeleradyolojiStatus.Http, () => c.GetViewerUrl("NOT-FOUND", Doctor, Patient));
                Equal("Tetkik bulunamadı", e.ServerErrorDescription, "the server's Turkish message");
                Equal(200, e.HttpStatus ?? 0, "a 2xx saying IsSuccess: false");

                e = Throws(TeleradyolojiStatus.Http, () => c.PostOtac("not-a-real-token", "ACC"));
                Equal(401, e.HttpStatus ?? 0, "a token the server does not know");
            }
        }

        private static void NetworkError()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var o = Sandbox.Options();
            o.OgnUrl = "http://127.0.0.1:" + port;
            o.Timeout = TimeSpan.FromSeconds(5);
            using (var c = new TeleradyolojiClient(o))
            {
                var e = Throws(TeleradyolojiStatus.Network, () => c.GetServiceToken());
                Check(e.Retryable, "network errors are retryable");
            }
        }

        private static void TimeoutError()
        {
            Sandbox.Reset();
            Sandbox.Fault("{\"target\":\"token\",\"kind\":\"latency\",\"delay_ms\":3000,\"count\":0}");
            var o = Sandbox.Options();
            o.Timeout = TimeSpan.FromMilliseconds(300);
            var watch = Stopwatch.StartNew();
            using (var c = new TeleradyolojiClient(o))
                Throws(TeleradyolojiStatus.Timeout, () => c.GetServiceToken());
            Check(watch.ElapsedMilliseconds < 2500, "ended near the timeout (" + watch.ElapsedMilliseconds + " ms)");
            Sandbox.Reset();
        }

        private static void ProtocolError()
        {
            Sandbox.Reset();
            Sandbox.Fault("{\"target\":\"token\",\"kind\":\"malformed\",\"count\":0}");
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
                Throws(TeleradyolojiStatus.Protocol, () => c.GetServiceToken());
            Sandbox.Reset();
        }

        private static void InvalidArguments()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.GetViewerUrl(""));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.GetViewerUrl(null));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.PostOtac(null, "ACC"));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.BuildViewerUrl("not an otac!"));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.BuildViewerUrl(""));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.Call("GET", "http://evil.example/x"));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.Call("GET", "../x"));
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.GetViewerUrl("ACC\0TAIL"));
                Equal(0, Sandbox.Count(Sandbox.Stats(), "otac_requests"), "nothing reached the server");
            }
        }

        private static void BadHandle()
        {
            var c = new TeleradyolojiClient(Sandbox.Options());
            Equal(0, Raw.trl_client_close(RawHandle(c)), "closed behind the binding's back");
            Throws(TeleradyolojiStatus.BadHandle, () => c.GetServiceToken());
            Throws(TeleradyolojiStatus.BadHandle, () => c.BuildViewerUrl("abc"));
            c.Dispose(); // the library no longer knows the handle: no error, no crash
            Throws<ObjectDisposedException>(() => c.GetServiceToken());
        }

        private static void UseAfterDispose()
        {
            var c = new TeleradyolojiClient(Sandbox.Options());
            IntPtr raw = RawHandle(c);
            c.Dispose();
            c.Dispose(); // twice is fine
            Equal(3, Raw.trl_client_close(raw), "Dispose closed the native client");
            var token = CancellationToken.None;
            var calls = new Dictionary<string, Action>
            {
                { "GetServiceToken", () => c.GetServiceToken() },
                { "GetViewerToken", () => c.GetViewerToken(Doctor, Patient) },
                { "PostOtac", () => c.PostOtac("t", "ACC") },
                { "BuildViewerUrl", () => c.BuildViewerUrl("abc") },
                { "GetViewerUrl", () => c.GetViewerUrl("ACC") },
                { "Call", () => c.Call("GET", "echo") },
                { "GetServiceTokenAsync", () => c.GetServiceTokenAsync(token).Wait() },
                { "GetViewerTokenAsync", () => c.GetViewerTokenAsync(null, null, token).Wait() },
                { "PostOtacAsync", () => c.PostOtacAsync("t", "ACC", token).Wait() },
                { "GetViewerUrlAsync", () => c.GetViewerUrlAsync("ACC", null, null, token).Wait() },
                { "CallAsync", () => c.CallAsync("GET", "echo", null, token).Wait() },
                { "CallBytes", () => c.CallBytes("GET", "binary") },
                { "CallBytesAsync", () => c.CallBytesAsync("GET", "binary", null, token).Wait() },
            };
            foreach (var call in calls)
            {
                try
                {
                    call.Value();
                    throw new Failure(call.Key + " after Dispose did not throw");
                }
                catch (ObjectDisposedException) { }
                catch (AggregateException e)
                {
                    if (!(e.InnerException is ObjectDisposedException))
                        throw new Failure(call.Key + " after Dispose: " + e.InnerException.GetType().Name);
                }
            }
        }

        private static void DisposeDuringCall()
        {
            Sandbox.Reset();
            var c = new TeleradyolojiClient(Sandbox.Options());
            IntPtr raw = RawHandle(c);
            c.GetViewerToken(Doctor, Patient);
            Sandbox.Fault("{\"target\":\"otac\",\"kind\":\"latency\",\"delay_ms\":800,\"count\":1}");
            string url = null;
            Exception error = null;
            var caller = new Thread(() =>
            {
                try { url = c.GetViewerUrl("ACC", Doctor, Patient); }
                catch (Exception e) { error = e; }
            });
            caller.Start();
            Thread.Sleep(200);
            c.Dispose();
            Throws<ObjectDisposedException>(() => c.BuildViewerUrl("abc"));
            caller.Join();
            Check(error == null, "the call in flight finished normally: " + error);
            Secret(url);
            Check(url != null && url.StartsWith(Sandbox.Url + "/viewer/"), "and returned its URL");
            Equal(3, Raw.trl_client_close(raw), "closed after the call returned");
        }

        private static void FinalizerCloses()
        {
            IntPtr raw = IntPtr.Zero;
            WeakReference weak = null;
            // Created on a thread that then ends, so no stack slot keeps the client alive.
            var maker = new Thread(() =>
            {
                var c = new TeleradyolojiClient(Sandbox.Options());
                raw = RawHandle(c);
                weak = new WeakReference(c);
            });
            maker.Start();
            maker.Join();
            Equal(0, Raw.ProbeHandle(raw), "alive before collection");
            for (int i = 0; i < 100 && Raw.ProbeHandle(raw) == 0; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(20);
            }
            Check(!weak.IsAlive, "the client was collected");
            Equal(3, Raw.ProbeHandle(raw), "the finalizer closed the native client");
        }

        // 16 threads make their first calls into the library at once, on one client, while
        // another thread forces garbage collections: the Mono + Go hang of DESIGN.md pitfall 8.
        private static void ThreadsAndGc(int threads, int calls)
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                var errors = new ConcurrentQueue<Exception>();
                var otacs = new ConcurrentDictionary<string, bool>();
                var stop = new ManualResetEvent(false);
                int collections = 0;
                var collector = new Thread(() =>
                {
                    while (!stop.WaitOne(0))
                    {
                        GC.Collect();
                        Interlocked.Increment(ref collections);
                    }
                });
                collector.Start();
                var start = new Barrier(threads);
                var workers = new List<Thread>();
                for (int t = 0; t < threads; t++)
                {
                    int id = t;
                    var worker = new Thread(() =>
                    {
                        try
                        {
                            start.SignalAndWait();
                            for (int i = 0; i < calls; i++)
                            {
                                string url = c.GetViewerUrl("ACC-" + id + "-" + i, Doctor, Patient);
                                Secret(url);
                                otacs[url] = true;
                                if (i % 5 == 0) c.Call("GET", "echo/" + id);
                            }
                        }
                        catch (Exception e) { errors.Enqueue(e); }
                    });
                    workers.Add(worker);
                    worker.Start();
                }
                foreach (var w in workers) w.Join();
                stop.Set();
                collector.Join();

                Exception first;
                if (errors.TryPeek(out first)) throw new Failure(errors.Count + " calls failed, first: " + first);
                Equal(threads * calls, otacs.Count, "a distinct URL per call");
                Check(collections > 0, "the collector ran");
                var stats = Sandbox.Stats();
                Equal(1, Sandbox.TokensFor(stats, Doctor + "|" + Patient), "one viewer token for all threads");
                Equal(1, Sandbox.TokensFor(stats, "|"), "one service token for all threads");
                Equal(threads * calls, Sandbox.Count(stats, "otac_requests"), "OTAC requests");
            }
        }

        // ---- harness --------------------------------------------------------------------

        private sealed class Failure : Exception
        {
            public Failure(string message) : base(message) { }
        }

        private static void Test(string name, Action body)
        {
            try
            {
                body();
                _passed++;
                Console.WriteLine("ok   " + name);
            }
            catch (Exception e)
            {
                _failed++;
                Console.WriteLine("FAIL " + name + ": " + Scrub(e.ToString()));
            }
        }

        private static void Check(bool ok, string what)
        {
            if (!ok) throw new Failure(what);
        }

        private static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new Failure(what + ": expected <" + expected + ">, got <" + actual + ">");
        }

        // Runs a call that must fail with status; checks no secret is in the exception.
        private static TeleradyolojiException Throws(TeleradyolojiStatus status, Action call)
        {
            var e = Throws<TeleradyolojiException>(call);
            if (e.Status != status) throw new Failure("expected " + status + ", got " + e.Status + ": " + e.Message);
            Check(!string.IsNullOrEmpty(e.MessageTr) && e.MessageTr != e.Message, "a Turkish message");
            string text = e + " " + e.ServerErrorDescription + " " + e.ResponseBody + " " + e.MessageTr;
            foreach (string secret in Secrets.Keys)
                if (text.Contains(secret)) throw new Failure("a secret appears in the " + status + " exception");
            Check(!string.IsNullOrEmpty(e.Message), "a message");
            return e;
        }

        private static T Throws<T>(Action call) where T : Exception
        {
            try { call(); }
            catch (T e) { return e; }
            catch (Exception e) { throw new Failure("expected " + typeof(T).Name + ", got " + e); }
            throw new Failure("expected " + typeof(T).Name + ", nothing was thrown");
        }

        private static void Secret(params string[] values)
        {
            foreach (string v in values)
            {
                if (string.IsNullOrEmpty(v)) continue;
                Secrets[v] = true;
                int at = v.IndexOf("otac=", StringComparison.Ordinal);
                if (at >= 0) Secrets[v.Substring(at + 5)] = true;
            }
        }

        private static string Scrub(string text)
        {
            foreach (string secret in Secrets.Keys) text = text.Replace(secret, "<secret>");
            return Regex.Replace(text, "otac=[^\\s>\"']+", "otac=<secret>");
        }

        private static Dictionary<string, object> Obj(string json)
        {
            return (Dictionary<string, object>)MiniJson.Parse(json);
        }

        // The native handle inside a client, for tests that go behind the binding's back.
        private static IntPtr RawHandle(TeleradyolojiClient c)
        {
            var field = typeof(TeleradyolojiClient).GetField("_handle", BindingFlags.NonPublic | BindingFlags.Instance);
            return ((SafeHandle)field.GetValue(c)).DangerousGetHandle();
        }
    }

    // Direct imports for the tests that check the binding from outside.
    internal static class Raw
    {
        [DllImport("teleradyoloji", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_abi_version();

        [DllImport("teleradyoloji", CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr trl_status_name(int status);

        [DllImport("teleradyoloji", CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_client_close(IntPtr client);

        [DllImport("teleradyoloji", CallingConvention = CallingConvention.Cdecl)]
        private static extern int trl_build_viewer_url(IntPtr client, byte[] otac, out IntPtr url, IntPtr err);

        [DllImport("teleradyoloji", CallingConvention = CallingConvention.Cdecl)]
        private static extern void trl_free(IntPtr p);

        // 0 while the library knows the handle, 3 (TRL_E_BAD_HANDLE) once it is closed. No I/O.
        internal static int ProbeHandle(IntPtr client)
        {
            IntPtr url;
            int status = trl_build_viewer_url(client, new byte[] { (byte)'a', 0 }, out url, IntPtr.Zero);
            trl_free(url);
            return status;
        }
    }
}
