using System;

namespace Teleradyoloji
{
    /// <summary>
    /// A failed call: the library's status, what the server said when it said anything, and a
    /// message in which no password, token or OTAC appears.
    /// </summary>
    public class TeleradyolojiException : Exception
    {
        /// <summary>An error with a status and a message only.</summary>
        /// <param name="status">What went wrong.</param>
        /// <param name="message">The message, without secrets.</param>
        public TeleradyolojiException(TeleradyolojiStatus status, string message)
            : this(status, message, null, null, null, false, null) { }

        /// <summary>An error with everything the library reported.</summary>
        /// <param name="status">What went wrong.</param>
        /// <param name="message">The message, without secrets.</param>
        /// <param name="httpStatus">The HTTP status the server answered, or null.</param>
        /// <param name="serverError">The server's OAuth "error", or null.</param>
        /// <param name="serverErrorDescription">The server's "error_description", or null.</param>
        /// <param name="retryable">Whether trying again later may succeed.</param>
        /// <param name="responseBody">The response body of a failed <see cref="TeleradyolojiClient.Call"/>, or null.</param>
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

        /// <summary>What went wrong, as the ABI's status code (Auth, Http, Network, Timeout, ...).</summary>
        public TeleradyolojiStatus Status { get; private set; }

        /// <summary>The HTTP status the server answered, when there was one.</summary>
        public int? HttpStatus { get; private set; }

        /// <summary>The server's OAuth "error" (e.g. "invalid_grant"), when it sent one.</summary>
        public string ServerError { get; private set; }

        /// <summary>The server's "error_description", when it sent one.</summary>
        public string ServerErrorDescription { get; private set; }

        /// <summary>True when trying again later may succeed (network errors, timeouts, 5xx, 429).</summary>
        public bool Retryable { get; private set; }

        /// <summary>The server's response body of a failed Call (Status Http), else null.</summary>
        public string ResponseBody { get; private set; }

        /// <summary>The message in plain Turkish for the person at the HIS ("e-Nabız şifresi veya kurum kodu hatalı", ...): the library's "message_tr", or the status's text for an error the binding made itself. Never empty.</summary>
        public string MessageTr
        {
            get { return string.IsNullOrEmpty(_messageTr) ? Errors.StatusTurkish(Status) : _messageTr; }
            internal set { _messageTr = value; }
        }

        private string _messageTr;
    }
}
