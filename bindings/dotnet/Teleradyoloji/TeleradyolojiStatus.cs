namespace Teleradyoloji
{
    // The ABI's status codes (TRL_OK, TRL_E_*), same numbers. Codes are only ever appended.
    public enum TeleradyolojiStatus
    {
        Ok = 0,
        InvalidArgument = 1,    // a null, empty or invalid argument
        Config = 2,             // bad settings: missing credential, bad URL, unknown key
        BadHandle = 3,          // the client is closed or unknown to the library
        Auth = 4,               // OGN refused the credentials (invalid_grant, invalid_client, ...)
        Http = 5,               // any other non-2xx answer, or a 2xx saying "IsSuccess": false
        Network = 6,            // DNS, connect, TLS, proxy, connection reset
        Timeout = 7,            // the timeout ran out (token fetch and retries included)
        Protocol = 8,           // a response that cannot be understood
        Internal = 9,           // a bug in the library
        Forked = 10,            // called in a child forked (without exec) after the library was loaded
    }
}
