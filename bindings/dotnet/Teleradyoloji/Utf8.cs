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

        // Copies length bytes the library allocated (NUL bytes included), then frees them.
        internal static byte[] TakeBytes(IntPtr p, long length)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                if (length < 0 || length > int.MaxValue)
                    throw Errors.Binding(TeleradyolojiStatus.Protocol, "the answer's length " + length + " is out of range");
                var bytes = new byte[length];
                Marshal.Copy(p, bytes, 0, (int)length);
                return bytes;
            }
            finally { NativeMethods.trl_free(p); }
        }

        // Strict UTF-8: bytes that are not UTF-8 are a Protocol error naming the first bad byte.
        internal static string DecodeStrict(byte[] bytes, string what, int httpStatus, string hint)
        {
            int bad = FirstInvalid(bytes);
            if (bad >= 0)
                return ThrowProtocol(what + " is not UTF-8 text (byte 0x" + bytes[bad].ToString("x2") +
                    " at offset " + bad + ")" + hint, httpStatus);
            return Encoding.UTF8.GetString(bytes);
        }

        // The offset where the first sequence that is not UTF-8 starts (overlong forms,
        // surrogates and code points past U+10FFFF included); -1 when all of it is UTF-8.
        internal static int FirstInvalid(byte[] b)
        {
            int i = 0;
            while (i < b.Length)
            {
                int c = b[i];
                if (c < 0x80) { i++; continue; }
                int n = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : 0;
                if (n == 0 || i + n >= b.Length) return i; // not a lead byte, or cut short
                int lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
                int hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
                if (b[i + 1] < lo || b[i + 1] > hi) return i;
                for (int k = 2; k <= n; k++)
                    if ((b[i + k] & 0xC0) != 0x80) return i;
                i += n + 1;
            }
            return -1;
        }

        private static string ThrowProtocol(string message, int httpStatus)
        {
            throw new TeleradyolojiException(TeleradyolojiStatus.Protocol, message,
                httpStatus > 0 ? (int?)httpStatus : null, null, null, false, null);
        }

        // Text for diagnostics (an error's ResponseBody): bytes that are not UTF-8 become U+FFFD.
        internal static string DecodeLenient(byte[] bytes)
        {
            return bytes == null ? null : Encoding.UTF8.GetString(bytes);
        }
    }
}
