using System;

namespace Teleradyoloji
{
    // An OGN access token and the expiry the library's cache uses for it.
    public sealed class AccessToken
    {
        public AccessToken(string value, DateTimeOffset expiresAt)
        {
            Value = value;
            ExpiresAt = expiresAt;
        }

        // The bearer token. Keep it out of logs.
        public string Value { get; private set; }

        // When the token expires (UTC).
        public DateTimeOffset ExpiresAt { get; private set; }

        // Never shows the token itself, so logging the object leaks nothing.
        public override string ToString()
        {
            return "AccessToken(expires " + ExpiresAt.ToString("u") + ")";
        }
    }
}
