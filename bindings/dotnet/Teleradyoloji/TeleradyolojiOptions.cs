using System;
using System.Globalization;
using System.Text;

namespace Teleradyoloji
{
    /// <summary>
    /// Client settings, one property per config key of the library (the Ministry guide's field
    /// names in brackets). Only the three credentials are required; a property left null keeps
    /// the library's default. The library checks everything when the client is created.
    /// </summary>
    public sealed class TeleradyolojiOptions
    {
        /// <summary>The institution's ÇKYS code [UserName]. Required.</summary>
        public string InstitutionCode { get; set; }

        /// <summary>The institution's e-Nabız password [Password]. Required.</summary>
        public string Password { get; set; }

        /// <summary>The HIS vendor's application code [ApplicationCode]. Required.</summary>
        public string ApplicationCode { get; set; }

        /// <summary>[client_id], default "ogn.sbys.api".</summary>
        public string ClientId { get; set; }

        /// <summary>[grant_type], default "client_sbys".</summary>
        public string GrantType { get; set; }

        /// <summary>OGN base URL, default "https://ogn.saglik.gov.tr".</summary>
        public string OgnUrl { get; set; }

        /// <summary>Helper-services base URL, default "https://app.teletip.saglik.gov.tr/integrationapi".</summary>
        public string ApiUrl { get; set; }

        /// <summary>Viewer base URL, default "https://teleradyoloji.saglik.gov.tr/viewer/".</summary>
        public string ViewerUrl { get; set; }

        /// <summary>Bounds a whole call, token fetch and retries included (timeout_ms, default 30 s).</summary>
        /// <remarks>The native call cannot be cancelled: this is what bounds it, also for the
        /// <c>…Async</c> methods.</remarks>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Extra attempts for network errors, 5xx and 429 (default 2).</summary>
        public int? Retries { get; set; }

        /// <summary>"http://user:pass@host:port", "socks5://host:port", "env" (HTTPS_PROXY/NO_PROXY) or
        /// "system" (Windows: the user's Internet Options / WinHTTP proxy, PAC included; elsewhere as "env").
        /// Null: the library's default, "system" on Windows and direct elsewhere; "" forces direct.</summary>
        public string Proxy { get; set; }

        /// <summary>A PEM file trusted in addition to the system roots.</summary>
        public string CaFile { get; set; }

        /// <summary>Refresh a cached token when less than this remains (whole seconds, default 60 s).</summary>
        public TimeSpan? TokenRefreshMargin { get; set; }

        /// <summary>Lifetime assumed when OGN sends no expires_in (whole seconds, default 300 s).</summary>
        public TimeSpan? DefaultTokenLifetime { get; set; }

        /// <summary>How many (doctor, patient) viewer tokens are cached (default 1024).</summary>
        public int? ViewerTokenCacheSize { get; set; }

        /// <summary>The largest response body accepted (default 4 MiB).</summary>
        public long? MaxResponseBytes { get; set; }

        /// <summary>The User-Agent header (default "teleradyoloji/&lt;version&gt;").</summary>
        public string UserAgent { get; set; }

        /// <summary>How long an unused connection is kept (whole seconds, default 90 s).</summary>
        public TimeSpan? IdleTimeout { get; set; }

        /// <summary>Connect to OGN and the API in the background when the client is made (default true).</summary>
        public bool? Prewarm { get; set; }

        // The library's config JSON. It holds the password: never log it.
        internal string ToConfigJson()
        {
            var sb = new StringBuilder("{");
            Add(sb, "institution_code", InstitutionCode);
            Add(sb, "password", Password);
            Add(sb, "application_code", ApplicationCode);
            Add(sb, "client_id", ClientId);
            Add(sb, "grant_type", GrantType);
            Add(sb, "ogn_url", OgnUrl);
            Add(sb, "api_url", ApiUrl);
            Add(sb, "viewer_url", ViewerUrl);
            if (Timeout.HasValue) AddNumber(sb, "timeout_ms", (long)Timeout.Value.TotalMilliseconds);
            if (Retries.HasValue) AddNumber(sb, "retries", Retries.Value);
            Add(sb, "proxy", Proxy);
            Add(sb, "ca_file", CaFile);
            if (TokenRefreshMargin.HasValue)
                AddNumber(sb, "token_refresh_margin_s", (long)TokenRefreshMargin.Value.TotalSeconds);
            if (DefaultTokenLifetime.HasValue)
                AddNumber(sb, "default_token_lifetime_s", (long)DefaultTokenLifetime.Value.TotalSeconds);
            if (ViewerTokenCacheSize.HasValue) AddNumber(sb, "viewer_token_cache_size", ViewerTokenCacheSize.Value);
            if (MaxResponseBytes.HasValue) AddNumber(sb, "max_response_bytes", MaxResponseBytes.Value);
            Add(sb, "user_agent", UserAgent);
            if (IdleTimeout.HasValue) AddNumber(sb, "idle_timeout_s", (long)IdleTimeout.Value.TotalSeconds);
            if (Prewarm.HasValue)
            {
                Key(sb, "prewarm");
                sb.Append(Prewarm.Value ? "true" : "false");
            }
            return sb.Append('}').ToString();
        }

        private static void Add(StringBuilder sb, string key, string value)
        {
            if (value == null) return;
            Key(sb, key);
            MiniJson.WriteString(sb, value);
        }

        private static void AddNumber(StringBuilder sb, string key, long value)
        {
            Key(sb, key);
            sb.Append(value.ToString(CultureInfo.InvariantCulture));
        }

        private static void Key(StringBuilder sb, string key)
        {
            if (sb.Length > 1) sb.Append(',');
            sb.Append('"').Append(key).Append("\":");
        }
    }
}
