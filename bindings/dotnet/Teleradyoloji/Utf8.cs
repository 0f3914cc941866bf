using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Teleradyoloji
{
    // UTF-8 text across the ABI, by hand: netstandard2.0 on .NET Framework before 4.7 has no
    // UnmanagedType.LPUTF8Str, and library-owned strings must be freed by trl_free.
    internal static class Utf8
    {
        // NUL-terminated UTF-8 bytes; null stays null (passed to C as NULL). A NUL inside
        // the text would silently cut it short in C, so it is refused.
        internal static byte[] Encode(string s, string parameter)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0)
                throw Errors.Binding(TeleradyolojiStatus.InvalidArgument, parameter + " contains a NUL character");
            var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        // Copies a NUL-terminated UTF-8 string that the caller does not own (static strings).
        internal static string Read(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }

        // Copies a string the library allocated, then frees it with trl_free.
        internal static string Take(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try { return Read(p); }
            finally { NativeMethods.trl_free(p); }
        }
    }
}
