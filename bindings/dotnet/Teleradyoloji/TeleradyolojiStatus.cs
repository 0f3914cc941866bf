namespace Teleradyoloji
{
    /// <summary>The C ABI's status codes (TRL_OK, TRL_E_*), with the same numbers. Codes are only ever appended.</summary>
    public enum TeleradyolojiStatus
    {
        /// <summary>Success (TRL_OK).</summary>
        Ok = 0,
        /// <summary>A null, empty or invalid argument.</summary>
        InvalidArgument = 1,
        /// <summary>Bad settings: missing credential, bad URL, unknown key.</summary>
        Config = 2,
        /// <summary>The client is closed or unknown to the library.</summary>
        BadHandle = 3,
        /// <summary>OGN refused the credentials (invalid_grant, invalid_client, ...).</summary>
        Auth = 4,
        /// <summary>Any other non-2xx answer, or a 2xx saying "IsSuccess": false.</summary>
        Http = 5,
        /// <summary>DNS, connect, TLS, proxy, connection reset.</summary>
        Network = 6,
        /// <summary>The timeout ran out (token fetch and retries included).</summary>
        Timeout = 7,
        /// <summary>A response that cannot be understood.</summary>
        Protocol = 8,
        /// <summary>A bug in the library.</summary>
        Internal = 9,
        /// <summary>Called in a child process forked (without exec) after the library was loaded:
        /// its Go runtime does not survive fork(); the child must not use the library.</summary>
        Forked = 10,
    }
}
