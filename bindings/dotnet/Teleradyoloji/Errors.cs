using System;
using System.Collections.Generic;

namespace Teleradyoloji
{
    // Turns a status code and the library's error JSON into a TeleradyolojiException: the one
    // place that maps statuses to exceptions.
    internal static class Errors
    {
        // Throws unless status is TRL_OK. Frees err either way.
        internal static void Check(int status, IntPtr err)
        {
            Check(status, err, null, 0);
        }

        // For trl_call, whose HTTP status and body stay filled on TRL_E_HTTP.
        internal static void Check(int status, IntPtr err, string responseBody, int httpStatus)
        {
            string json = Utf8.Take(err);
            if (status != (int)TeleradyolojiStatus.Ok)
                throw FromNative(status, json, responseBody, httpStatus);
        }

        internal static TeleradyolojiException FromNative(int status, string json, string responseBody, int httpStatus)
        {
            Dictionary<string, object> fields = null;
            try { fields = MiniJson.Parse(json) as Dictionary<string, object>; }
            catch (FormatException) { }
            if (fields == null) fields = new Dictionary<string, object>();

            string message = Get<string>(fields, "message");
            if (string.IsNullOrEmpty(message))
                message = Utf8.Read(NativeMethods.trl_status_name(status));
            int? http = null;
            object value;
            if (fields.TryGetValue("http_status", out value) && value is double) http = (int)(double)value;
            else if (httpStatus > 0) http = httpStatus;
            return new TeleradyolojiException((TeleradyolojiStatus)status, message, http,
                Get<string>(fields, "server_error"), Get<string>(fields, "server_error_description"),
                Get<bool>(fields, "retryable"), responseBody);
        }

        // An error the binding finds itself (e.g. text the C ABI cannot carry).
        internal static TeleradyolojiException Binding(TeleradyolojiStatus status, string message)
        {
            return new TeleradyolojiException(status, message);
        }

        private static T Get<T>(Dictionary<string, object> fields, string key)
        {
            object v;
            return fields.TryGetValue(key, out v) && v is T ? (T)v : default(T);
        }
    }
}
