using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using Teleradyoloji;

namespace Teleradyoloji.Tests
{
    // The sandbox's control endpoints and its viewer, over plain HTTP on 127.0.0.1.
    internal static class Sandbox
    {
        internal const string InstitutionCode = "1234567";
        internal const string Password = "Gizli-Parola-2026!";
        internal const string ApplicationCode = "SANDBOX-HIS";

        internal static readonly string Url = BaseUrl();

        private static string BaseUrl()
        {
            string url = Environment.GetEnvironmentVariable("TRL_SANDBOX_URL");
            if (string.IsNullOrEmpty(url))
                throw new InvalidOperationException("TRL_SANDBOX_URL is not set: run under scripts/with-sandbox.sh");
            return url.TrimEnd('/');
        }

        internal static TeleradyolojiOptions Options()
        {
            return new TeleradyolojiOptions
            {
                InstitutionCode = InstitutionCode,
                Password = Password,
                ApplicationCode = ApplicationCode,
                OgnUrl = Url,
                ApiUrl = Url + "/integrationapi",
                ViewerUrl = Url + "/viewer/",
            };
        }

        internal static void Reset() { Post("/_sandbox/reset", ""); }

        internal static void Revoke() { Post("/_sandbox/revoke", ""); }

        internal static void Config(string json) { Post("/_sandbox/config", json); }

        internal static void Fault(string json) { Post("/_sandbox/faults", json); }

        // Answers every request held by a "hold" fault.
        internal static void Release() { Post("/_sandbox/release", ""); }

        internal static Dictionary<string, object> Stats()
        {
            int status;
            return (Dictionary<string, object>)MiniJson.Parse(Send("GET", "/_sandbox/stats", null, out status));
        }

        internal static int Count(Dictionary<string, object> stats, string key)
        {
            return (int)(double)stats[key];
        }

        // How many tokens OGN issued for "<doctor>|<patient>" ("|" for none).
        internal static int TokensFor(Dictionary<string, object> stats, string key)
        {
            var byKey = (Dictionary<string, object>)stats["tokens_by_key"];
            object n;
            return byKey.TryGetValue(key, out n) ? (int)(double)n : 0;
        }

        // Opens a viewer URL's study as the viewer page would: GET /viewer/api/open?otac=...
        internal static int OpenStudy(string viewerUrl, out Dictionary<string, object> body)
        {
            const string marker = "#/viewpatient?otac=";
            int at = viewerUrl.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0) throw new InvalidOperationException("not a viewer URL");
            string otac = viewerUrl.Substring(at + marker.Length); // already percent-encoded
            int status;
            body = (Dictionary<string, object>)MiniJson.Parse(Send("GET", "/viewer/api/open?otac=" + otac, null, out status));
            return status;
        }

        private static void Post(string path, string body)
        {
            int status;
            string answer = Send("POST", path, body, out status);
            if (status != 200) throw new InvalidOperationException("sandbox " + path + ": " + status + " " + answer);
        }

        private static string Send(string method, string path, string body, out int status)
        {
            var req = (HttpWebRequest)WebRequest.Create(Url + path);
            req.Method = method;
            req.Proxy = null;
            req.Timeout = 10000;
            if (body != null)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(body);
                req.ContentType = "application/json";
                req.ContentLength = bytes.Length;
                using (Stream s = req.GetRequestStream()) s.Write(bytes, 0, bytes.Length);
            }
            HttpWebResponse resp;
            try { resp = (HttpWebResponse)req.GetResponse(); }
            catch (WebException e)
            {
                resp = e.Response as HttpWebResponse;
                if (resp == null) throw;
            }
            using (resp)
            using (var reader = new StreamReader(resp.GetResponseStream(), Encoding.UTF8))
            {
                status = (int)resp.StatusCode;
                return reader.ReadToEnd();
            }
        }
    }
}
