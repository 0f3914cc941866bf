using System;
using System.Runtime.InteropServices;

namespace Teleradyoloji
{
    // The C ABI v1 of include/teleradyoloji.h, one import per export, and nothing else.
    // Every import is Cdecl (x86 .NET defaults to StdCall). Text goes in as NUL-terminated
    // UTF-8 byte[] (null = NULL) and comes out as IntPtr, freed with trl_free: the marshaller
    // never sees a string, so it never frees library memory with its own allocator.
    internal static partial class NativeMethods
    {
        // Windows: teleradyoloji.dll; Linux: libteleradyoloji.so (Mono and .NET add lib/.so).
        internal const string Library = "teleradyoloji";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_abi_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr trl_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr trl_status_name(int status);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void trl_free(IntPtr p);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_client_new(byte[] configJson, out TeleradyolojiSafeHandle client, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_client_close(IntPtr client);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_service_token(TeleradyolojiSafeHandle client, out IntPtr token,
            out long expiresAtUnix, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_viewer_token(TeleradyolojiSafeHandle client, byte[] doctorTc, byte[] patientTc,
            out IntPtr token, out long expiresAtUnix, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_post_otac(TeleradyolojiSafeHandle client, byte[] token, byte[] accession,
            out IntPtr otac, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_build_viewer_url(TeleradyolojiSafeHandle client, byte[] otac,
            out IntPtr url, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_viewer_url(TeleradyolojiSafeHandle client, byte[] accession, byte[] doctorTc,
            byte[] patientTc, out IntPtr url, out IntPtr err);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_call(TeleradyolojiSafeHandle client, byte[] method, byte[] path, byte[] jsonBody,
            out int httpStatus, out IntPtr response, out IntPtr err);

        // trl_call with the body's length: a body may hold NUL bytes or bytes that are not UTF-8.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_call_bytes(TeleradyolojiSafeHandle client, byte[] method, byte[] path,
            byte[] jsonBody, out int httpStatus, out IntPtr response, out long responseLength, out IntPtr err);

        // Appended to ABI v1: a hint that fetches a viewer token in the background.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int trl_prefetch_viewer_token(TeleradyolojiSafeHandle client, byte[] doctorTc,
            byte[] patientTc, out IntPtr err);

        // Windows only, used by NativeLoader to pick x86\ or x64\teleradyoloji.dll. A Win32 API,
        // hence the platform's default calling convention rather than Cdecl.
        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        internal static extern IntPtr LoadLibraryW(string path);
    }
}
