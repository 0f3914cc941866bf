// The .NET host of make soak, run under Mono (tests/soak/soak.py drives it);
// the same work and output lines as host.c:
//   mono SoakHost.exe OGN_URL CA_FILE BLACKHOLE_URL
using System;
using System.Collections.Generic;
using System.Threading;
using Teleradyoloji;

static class SoakHost
{
    const int Threads = 16;
    const string Password = "Gizli-Parola-2026!";
    static readonly object OutLock = new object();
    static readonly Dictionary<string, long> Counts = new Dictionary<string, long> {
        {"clicks", 0}, {"calls", 0}, {"errors", 0}, {"made", 0}, {"doctors", 0}, {"log_events", 0}, {"leaks", 0} };
    static volatile bool stopping;
    static string baseUrl, caFile, holeUrl;

    static void Say(string line)
    {
        lock (OutLock)
        {
            Console.Out.Write(line + "\n");
            Console.Out.Flush();
        }
    }

    static void Count(string key, long n = 1)
    {
        lock (OutLock) Counts[key] += n;
    }

    // A client made and closed gets idle_timeout_s 5: see README.md (what a closed client keeps).
    static TeleradyolojiOptions Options(string ogn, string api, int idleS)
    {
        return new TeleradyolojiOptions {
            InstitutionCode = "1234567", Password = Password, ApplicationCode = "SANDBOX-HIS",
            OgnUrl = ogn, ApiUrl = api, ViewerUrl = baseUrl + "/viewer/", CaFile = caFile,
            Timeout = TimeSpan.FromSeconds(10), Prewarm = true, IdleTimeout = TimeSpan.FromSeconds(idleS) };
    }

    static void Failed(string op, Exception e)
    {
        Count("errors");
        if (e.ToString().Contains(Password)) Say("X " + op + " secret-in-error");
        var te = e as TeleradyolojiException;
        if (te != null) Say("E " + op + " " + StatusName(te.Status));
        else Say("E " + op + " untyped:" + e.GetType().Name);
    }

    static string StatusName(TeleradyolojiStatus s)
    {
        switch (s)
        {
            case TeleradyolojiStatus.InvalidArgument: return "TRL_E_INVALID_ARGUMENT";
            case TeleradyolojiStatus.Config: return "TRL_E_CONFIG";
            case TeleradyolojiStatus.BadHandle: return "TRL_E_BAD_HANDLE";
            case TeleradyolojiStatus.Auth: return "TRL_E_AUTH";
            case TeleradyolojiStatus.Http: return "TRL_E_HTTP";
            case TeleradyolojiStatus.Network: return "TRL_E_NETWORK";
            case TeleradyolojiStatus.Timeout: return "TRL_E_TIMEOUT";
            case TeleradyolojiStatus.Protocol: return "TRL_E_PROTOCOL";
            case TeleradyolojiStatus.Internal: return "TRL_E_INTERNAL";
            case TeleradyolojiStatus.Forked: return "TRL_E_FORKED";
        }
        return "TRL_E_UNKNOWN";
    }

    static void MakeAndClose(int n)
    {
        using (new TeleradyolojiClient(Options(holeUrl, holeUrl, 5))) { }
        using (var client = new TeleradyolojiClient(Options(baseUrl, baseUrl + "/integrationapi", 5)))
        {
            string acc = "SOAK-NET-NEW-" + n;
            try { Say("U " + acc + " " + client.GetViewerUrl(acc, "12345678901")); }
            catch (Exception e) { Failed("viewer_url", e); }
        }
        Count("made", 2);
    }

    static void Worker(TeleradyolojiClient shared, int id)
    {
        DateTime nextDoctor = DateTime.UtcNow.AddSeconds(60);
        for (int n = 0; !stopping; n++)
        {
            string acc = "SOAK-NET-" + id + "-" + n;
            try
            {
                Say("U " + acc + " " + shared.GetViewerUrl(acc, "12345678901", "1000000" + ((id * 7 + n) % 50).ToString("D4")));
                Count("clicks");
            }
            catch (Exception e) { Failed("viewer_url", e); }
            string path = "echo/net-" + id + "-" + n;
            try
            {
                string answer = shared.Call("GET", path);
                Count("calls");
                if (answer == null || !answer.Contains("\"path\":\"/" + path + "\"")) Say("X call crossed");
            }
            catch (Exception e) { Failed("call", e); }
            if (id == 0 && n % 10 == 0)
            {
                try { MakeAndClose(n); }
                catch (Exception e) { Failed("new", e); }
            }
            if (id == 1 && DateTime.UtcNow >= nextDoctor)
            {
                try { shared.Diagnose(); Say("D TRL_OK"); }
                catch (Exception e) { Say("D untyped:" + e.GetType().Name); }
                Count("doctors");
                nextDoctor = DateTime.UtcNow.AddSeconds(60);
            }
            Thread.Sleep(150);
        }
    }

    static int Main(string[] args)
    {
        baseUrl = args[0];
        caFile = args[1];
        holeUrl = args[2];
        TeleradyolojiLog.Enable(ev => {
            Count("log_events");
            if (ev.Json.Contains(Password)) Count("leaks");
        }, TeleradyolojiLogLevel.Info);
        var shared = new TeleradyolojiClient(Options(baseUrl, baseUrl + "/integrationapi", 90));
        var threads = new List<Thread>();
        for (int i = 0; i < Threads; i++)
        {
            int id = i;
            var t = new Thread(() => Worker(shared, id));
            t.Start();
            threads.Add(t);
        }
        Console.In.ReadToEnd();
        stopping = true;
        foreach (var t in threads) t.Join();
        shared.Dispose();
        TeleradyolojiLog.Disable();
        var parts = new List<string>();
        lock (OutLock) foreach (var kv in Counts) parts.Add(kv.Key + "=" + kv.Value);
        Say("S " + string.Join(" ", parts));
        return 0;
    }
}
