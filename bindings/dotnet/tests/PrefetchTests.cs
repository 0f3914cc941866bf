// PrefetchViewerToken against the sandbox's counters.
using System;
using System.Linq;
using System.Threading;
using Teleradyoloji;

namespace Teleradyoloji.Tests
{
    internal static partial class TestRunner
    {
        // Waits (10 s at most: a bound, not a timing) until the sandbox's counter reaches want.
        private static void WaitStat(string key, int want)
        {
            var end = DateTime.UtcNow.AddSeconds(10);
            while (Sandbox.Count(Sandbox.Stats(), key) < want)
            {
                if (DateTime.UtcNow > end) throw new Failure("waited 10 s for " + key + " >= " + want);
                Thread.Sleep(5);
            }
        }

        private static void PrefetchThenClick()
        {
            Sandbox.Reset();
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                c.PrefetchViewerToken(Doctor, Patient);
                WaitStat("token_requests", 1);
                Sandbox.Reset();
                Secret(c.GetViewerUrl("ACC-PREFETCH", Doctor, Patient));
                var stats = Sandbox.Stats();
                Equal(0, Sandbox.Count(stats, "token_requests"), "token requests of the click");
                Equal(1, Sandbox.Count(stats, "otac_requests"), "postOTAC requests of the click");
                Throws(TeleradyolojiStatus.InvalidArgument, () => c.PrefetchViewerToken("1\n2", Patient));
            }
        }

        private static void PrefetchBurst()
        {
            Sandbox.Reset();
            Sandbox.Fault("{\"target\":\"token\",\"kind\":\"hold\",\"count\":2}");
            using (var c = new TeleradyolojiClient(Sandbox.Options()))
            {
                string[] rows = Enumerable.Range(0, 100).Select(i => "600000" + i.ToString("00000")).ToArray();
                foreach (string row in rows) c.PrefetchViewerToken(Doctor, row);
                WaitStat("token_requests", 2);
                Sandbox.Release();
                WaitStat("token_requests", 4);
                int before = Sandbox.Count(Sandbox.Stats(), "otac_requests");
                foreach (string row in rows.Skip(96)) Secret(c.GetViewerUrl("ACC-ROW", Doctor, row));
                var stats = Sandbox.Stats();
                int n = Sandbox.Count(stats, "token_requests");
                Check(n >= 4 && n <= 6, "100 hints made " + n + " token requests, want 4 to 6");
                Equal(before + 4, Sandbox.Count(stats, "otac_requests"), "postOTAC requests of the 4 clicks");
            }
        }

        private static void PrefetchErrorLogged()
        {
            Sandbox.Reset();
            Secret(Doctor, Patient);
            var capture = new LogCapture();
            TeleradyolojiLog.Enable(capture.Handle, TeleradyolojiLogLevel.Debug);
            try
            {
                var o = Sandbox.Options();
                o.Password = "Yanlis-Parola-1!";
                Secret(o.Password);
                using (var c = new TeleradyolojiClient(o))
                {
                    c.PrefetchViewerToken(Doctor, Patient); // does not throw
                    capture.WaitFor(() => capture.Events.Any(e => e.Name == "token.refused" &&
                        e.Fields.ContainsKey("ahead") && (string)e.Fields["ahead"] == "prefetch"), "the refused prefetch");
                    Throws(TeleradyolojiStatus.Auth, () => c.GetViewerUrl("ACC", Doctor, Patient));
                }
                NoSecretIn(capture.Snapshot());
            }
            finally { TeleradyolojiLog.Disable(); }
        }
    }
}
