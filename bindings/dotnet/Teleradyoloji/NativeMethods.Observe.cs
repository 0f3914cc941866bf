using System;
using System.Runtime.InteropServices;

namespace Teleradyoloji
{
    // The imports appended to ABI v1 by "Observability and support": logging and the doctor.
    internal static partial class NativeMethods
    {
        // typedef void (TRL_CALL *trl_log_fn)(void *user_data, int32_t level, const char *event_json);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void LogCallback(IntPtr userData, int level, IntPtr eventJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_set_log(LogCallback fn, IntPtr userData, int maxLevel);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_diagnose(TeleradyolojiSafeHandle client, out IntPtr reportJson, out IntPtr err);
    }
}
