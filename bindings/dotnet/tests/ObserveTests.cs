// Tests of logging (TeleradyolojiLog), MessageTr and Diagnose, part of TestRunner.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Teleradyoloji;

namespace Teleradyoloji.Tests
{
    internal static partial class TestRunner
    {
        // Collects events; can hold the library's thread inside the handler.
        private sealed class LogCapture
        {
            private readonly object _gate = new object();
            internal readonly List<TeleradyolojiLogEvent> Events = new List<TeleradyolojiLogEvent>();
            private bool _closed, _waiting;

            internal void Handle(TeleradyolojiLogEvent e)
            {
                lock (_gate)
                {
                    Events.Add(e);
                    Monitor.PulseAll(_gate);
                    while (_closed)
                    {
                        _waiting = true;
                        Monitor.PulseAll(_gate);
                        Monitor.Wait(_gate);
                    }
                    _waiting = false;
                }
            }

            internal void Close(bool closed)
            {
                lock (_gate)
                {
                    _closed = closed;
                    Monitor.PulseAll(_gate);
                }
            }

            internal bool Waiting { get { lock (_gate) return _waiting; } }

            internal List<TeleradyolojiLogEvent> Snapshot() { lock (_gate) return new List<TeleradyolojiLogEvent>(Events); }

            // Waits (10 s at most: a bound, not a timing) until cond holds.
            internal void WaitFor(Func<bool> cond, string what)
            {
                lock (_gate)
                {
                    var end = DateTime.UtcNow.AddSeconds(10);
                    while (!cond())
                    {
                        var left = end - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero) throw new Failure("waited 10 s for " + what);
                        Monitor.Wait(_gate, left);
                    }
                }
            }

            internal void WaitEvent(string name) { WaitFor(() => Events.Any(e => e.Name == name), name); }
        }

        private static bool InOrder(IEnumerable<string> names, params string[] wanted)
        {
            int i = 0;
            foreach (var n in names)
                if (i < wanted.Length && n == wanted[i]) i++;
            return i == wanted.Length;
        }

        private static void NoSecretIn(IEnumerable<TeleradyolojiLogEvent> events)
        {
            foreach (var e in events)
                foreach (string secret in Secrets.Keys)
                    if (e.Json.Contains(secret)) throw new Failure("a secret appears in the " + e.Name + " event");
        }

        private static void LogEventsInOrder()
        {
            Sandbox.Reset();
            Secret(Doctor, Patient);
            var capture = new LogCapture();
            TeleradyolojiLog.Enable(capture.Handle, TeleradyolojiLogLevel.Debug);
            try
            {
                var o = Sandbox.Options();
                o.Prewarm = false;
                using (var c = new TeleradyolojiClient(o))
                {
                    Secret(c.GetServiceToken().Value, c.GetServiceToken().Value);
                    Secret(c.GetViewerUrl("ACC-LOG", Doctor, Patient), c.GetViewerToken(Doctor, Patient).Value);
                    c.Call("GET", "echo?tc=" + Doctor);
                }
                capture.WaitEvent("client.closed");
                var events = capture.Snapshot();
                var names = events.Select(e => e.Name).ToList();
                Check(InOrder(names, "client.created", "conn.opened", "token.fetched", "token.cache_hit", "token.fetched",
                    "otac.issued", "token.cache_hit", "call.done", "client.closed"), "in order: " + string.Join(" ", names));
                var viewer = events.Where(e => e.Name == "token.fetched").ElementAt(1);
                Equal(TeleradyolojiLogLevel.Info, viewer.Level, "token.fetched level");
                Equal(2, viewer.MicrosoftLevel, "as Microsoft's LogLevel.Information");
                Equal("123******01", (string)viewer.Fields["doctor"], "the doctor masked");
                Check(events.Where(e => e.Name == "token.cache_hit").All(e => e.Level == TeleradyolojiLogLevel.Debug), "cache hits are Debug");
                NoSecretIn(events);
            }
            finally { TeleradyolojiLog.Disable(); }
        }

        // Counted, not timed: every call completes while the handler is blocked.
        private static void LogSlowHandler()
        {
            Sandbox.Reset();
            var capture = new LogCapture();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                Secret(c.GetServiceToken().Value); // cached: each call below is a cache hit
                capture.Close(true);
                TeleradyolojiLog.Enable(capture.Handle, TeleradyolojiLogLevel.Debug);
                try
                {
                    c.GetServiceToken();
                    capture.WaitFor(() => capture.Waiting, "the handler blocked");
                    const int calls = 3000;
                    int done = 0;
                    for (int i = 0; i < calls; i++)
                        if (c.GetServiceToken().Value != null) done++;
                    Equal(calls, done, "calls done");
                    Check(capture.Waiting, "the handler stayed blocked while every call completed");
                    Equal(1, capture.Snapshot().Count, "events delivered meanwhile");
                    capture.Close(false);
                    Func<double> accounted = () =>
                        capture.Events.Where(e => e.Name == "log.dropped").Sum(e => (double)e.Fields["dropped"]) +
                        capture.Events.Count(e => e.Name == "token.cache_hit");
                    capture.WaitFor(() => accounted() >= calls + 1, "every event delivered or counted as dropped");
                    var dropped = capture.Snapshot().Where(e => e.Name == "log.dropped").ToList();
                    Check(dropped.Count > 0 && dropped[0].Level == TeleradyolojiLogLevel.Warning, "log.dropped, a warning");
                }
                finally
                {
                    capture.Close(false);
                    TeleradyolojiLog.Disable();
                }
            }
        }

        private static void LogDisable()
        {
            Sandbox.Reset();
            var capture = new LogCapture();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                capture.Close(true);
                TeleradyolojiLog.Enable(capture.Handle, TeleradyolojiLogLevel.Debug);
                Secret(c.GetServiceToken().Value);
                capture.WaitFor(() => capture.Waiting, "the handler blocked");
                bool returned = false;
                var t = new Thread(() => { TeleradyolojiLog.Disable(); Volatile.Write(ref returned, true); });
                t.Start();
                Thread.Sleep(200);
                Check(!Volatile.Read(ref returned), "Disable waits while the handler runs");
                capture.Close(false);
                t.Join();
                int n = capture.Snapshot().Count;
                for (int i = 0; i < 20; i++) c.GetServiceToken();
                Thread.Sleep(100);
                Equal(n, capture.Snapshot().Count, "no event after Disable");
                Throws<ArgumentNullException>(() => TeleradyolojiLog.Enable(null));
            }
        }

        private static void TurkishMessages()
        {
            Sandbox.Reset();
            var o = Sandbox.Options();
            o.Password = "Yanlis-Parola-8!";
            Secret(o.Password);
            using (var c = new TeleradyolojiClient(o))
                Check(Throws(TeleradyolojiStatus.Auth, () => c.GetServiceToken()).MessageTr.Contains("e-Nabız şifresi veya kurum kodu hatalı"), "Auth in Turkish");
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                Check(Throws(TeleradyolojiStatus.Http, () => c.GetViewerUrl("NOT-FOUND")).MessageTr.Contains("Tetkik bulunamadı"), "Http");
                Check(Throws(TeleradyolojiStatus.InvalidArgument, () => c.GetViewerUrl("")).MessageTr.Contains("Tetkik numarası"), "InvalidArgument");
                var e = Throws(TeleradyolojiStatus.InvalidArgument, () => c.GetViewerUrl("A\0B")); // made by the binding
                Check(e.MessageTr.StartsWith("Kütüphaneye geçersiz"), "the binding's own error");
            }
            o = Sandbox.Options();
            o.OgnUrl = "http://127.0.0.1:9";
            o.Retries = 0;
            using (var c = new TeleradyolojiClient(o))
                Check(Throws(TeleradyolojiStatus.Network, () => c.GetServiceToken()).MessageTr.Contains("Bakanlık sunucusuna"), "Network");
            o = Sandbox.Options();
            o.OgnUrl = "http://ogn.example.com";
            Check(Throws(TeleradyolojiStatus.Config, () => new TeleradyolojiClient(o)).MessageTr.Contains("http:// yalnızca"), "Config");
        }

        private static void Diagnose()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                var report = Obj(c.Diagnose());
                Check((bool)report["ok"], "ok");
                var steps = (List<object>)report["steps"];
                Equal(19, steps.Count, "steps");
                Equal("api_call", (string)((Dictionary<string, object>)steps[18])["step"], "the last step");
                Equal(0, Sandbox.Count(Sandbox.Stats(), "otac_requests"), "no OTAC asked for");
            }
            var o = Sandbox.Options();
            o.Password = "Yanlis-Parola-8!";
            using (var c = new TeleradyolojiClient(o))
            {
                string json = c.Diagnose();
                Check(!json.Contains(o.Password) && !json.Contains(Sandbox.Password), "no password in the report");
                var failed = ((List<object>)Obj(json)["steps"]).Cast<Dictionary<string, object>>()
                    .Where(s => !(bool)s["ok"] && !s.ContainsKey("skipped")).ToList();
                Equal(1, failed.Count, "one failed step");
                Equal("credentials", (string)failed[0]["step"], "the failed step");
                Check(((string)failed[0]["advice_tr"]).Contains("e-Nabız"), "Turkish advice");
            }
            var closed = new TeleradyolojiClient(Sandbox.Options());
            closed.Dispose();
            Throws<ObjectDisposedException>(() => closed.Diagnose());
        }

        // The Mono hang test of ThreadsAndGc with logging on: the handler runs managed code
        // (allocating, parsing) on the library's thread while the collector loops.
        private static void ThreadsAndGcLogging(int threads, int calls)
        {
            var events = new ConcurrentQueue<TeleradyolojiLogEvent>();
            long count = 0;
            TeleradyolojiLog.Enable(e =>
            {
                if (Interlocked.Increment(ref count) % 7 == 0) events.Enqueue(e);
                GC.KeepAlive(e.Fields.Count + e.ToString().Length);
            }, TeleradyolojiLogLevel.Debug);
            try
            {
                ThreadsAndGc(threads, calls);
            }
            finally { TeleradyolojiLog.Disable(); }
            Check(Interlocked.Read(ref count) > threads * calls, "events arrived (" + count + ")");
            NoSecretIn(events);
        }
    }
}
