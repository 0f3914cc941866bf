// OpenStudy: prints the teleradiology viewer URL of a study, and opens it with --open.
//
//   mcs -r:Teleradyoloji.Net.dll OpenStudy.cs
//   OpenStudy.exe [--open] ACCESSION [DOCTOR_TC [PATIENT_TC]]
//
// Credentials come from TRL_INSTITUTION_CODE, TRL_PASSWORD and TRL_APPLICATION_CODE. With
// TRL_SANDBOX_URL set (scripts/with-sandbox.sh) it talks to the local sandbox instead.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using Teleradyoloji;

internal static class OpenStudy
{
    private static int Main(string[] args)
    {
        var rest = new List<string>(args);
        bool open = rest.Remove("--open");
        if (rest.Count < 1 || rest.Count > 3)
        {
            Console.Error.WriteLine("usage: OpenStudy [--open] ACCESSION [DOCTOR_TC [PATIENT_TC]]");
            return 2;
        }
        try
        {
            using (var client = new TeleradyolojiClient(Options()))
            {
                // The one call most HIS code needs: token (cached) -> one-time code -> URL.
                string url = client.GetViewerUrl(rest[0], rest.Count > 1 ? rest[1] : null, rest.Count > 2 ? rest[2] : null);
                Console.WriteLine(url);
                // The URL works once: open it now, in the default browser or an embedded one.
                if (open) Process.Start(new ProcessStartInfo(url) { UseShellExecute = true });
            }
            return 0;
        }
        catch (TeleradyolojiException e)
        {
            // Safe to log: no password, token or OTAC is ever in the message.
            Console.Error.WriteLine("{0} (HTTP {1}): {2}", e.Status, e.HttpStatus, e.Message);
            return 1;
        }
    }

    private static TeleradyolojiOptions Options()
    {
        string sandbox = Environment.GetEnvironmentVariable("TRL_SANDBOX_URL");
        if (!string.IsNullOrEmpty(sandbox))
        {
            // The sandbox's accepted credentials (docs/sandbox.md); nothing leaves 127.0.0.1.
            return new TeleradyolojiOptions
            {
                InstitutionCode = "1234567",
                Password = "Gizli-Parola-2026!",
                ApplicationCode = "SANDBOX-HIS",
                OgnUrl = sandbox,
                ApiUrl = sandbox + "/integrationapi",
                ViewerUrl = sandbox + "/viewer/",
            };
        }
        return new TeleradyolojiOptions
        {
            InstitutionCode = Environment.GetEnvironmentVariable("TRL_INSTITUTION_CODE"),
            Password = Environment.GetEnvironmentVariable("TRL_PASSWORD"),
            ApplicationCode = Environment.GetEnvironmentVariable("TRL_APPLICATION_CODE"),
        };
    }
}
