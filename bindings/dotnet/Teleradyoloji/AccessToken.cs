using System;

namespace Teleradyoloji
{
    /// <summary>An OGN access token and the expiry the library's cache uses for it.</summary>
    public sealed class AccessToken
    {
        /// <summary>Wraps a token and its expiry.</summary>
        /// <param name="value">The bearer token.</param>
        /// <param name="expiresAt">When it expires.</param>
        public AccessToken(string value, DateTimeOffset expiresAt)
        {
            Value = value;
            ExpiresAt = expiresAt;
        }

        /// <summary>The bearer token. Keep it out of logs.</summary>
        public string Value { get; private set; }

        /// <summary>When the token expires (UTC).</summary>
        public DateTimeOffset ExpiresAt { get; private set; }

        /// <summary>Never shows the token itself, so logging the object leaks nothing.</summary>
        /// <returns>"AccessToken(expires …)".</returns>
        public override string ToString()
        {
            return "AccessToken(expires " + ExpiresAt.ToString("u") + ")";
        }
    }
}
