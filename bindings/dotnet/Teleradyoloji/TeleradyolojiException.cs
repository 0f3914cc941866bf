using System;

namespace Teleradyoloji
{
    // A failed call: the library's status, what the server said when it said anything, and a
    // message in which no password, token or OTAC appears.
    public class TeleradyolojiException : Exception
    {
        public TeleradyolojiException(TeleradyolojiStatus status, string message)
            : this(status, message, null, null, null, false, null) { }

        public TeleradyolojiException(TeleradyolojiStatus status, string message, int? httpStatus,
            string serverError, string serverErrorDescription, bool retryable, string responseBody)
            : base(message)
        {
            Status = status;
            HttpStatus = httpStatus;
            ServerError = serverError;
            ServerErrorDescription = serverErrorDescription;
            Retryable = retryable;
            ResponseBody = responseBody;
        }

        // What went wrong, as the ABI's status code (Auth, Http, Network, Timeout, ...).
        public TeleradyolojiStatus Status { get; private set; }

        // The HTTP status the server answered, when there was one.
        public int? HttpStatus { get; private set; }

        // The server's OAuth "error" (e.g. "invalid_grant"), when it sent one.
        public string ServerError { get; private set; }

        // The server's "error_description", when it sent one.
        public string ServerErrorDescription { get; private set; }

        // True when trying again later may succeed (network errors, timeouts, 5xx, 429).
        public bool Retryable { get; private set; }

        // The server's response body of a failed Call (Status Http), else null.
        public string ResponseBody { get; private set; }

        // The message in plain Turkish for the person at the HIS ("e-Nabız şifresi veya kurum
        // kodu hatalı", ...): the library's "message_tr", or the status's text for an error the
        // binding made itself. Never empty.
        public string MessageTr
        {
            get { return string.IsNullOrEmpty(_messageTr) ? Errors.StatusTurkish(Status) : _messageTr; }
            internal set { _messageTr = value; }
        }

        private string _messageTr;
    }
}
