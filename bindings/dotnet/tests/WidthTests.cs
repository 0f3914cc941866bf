// Every import against include/teleradyoloji.h, part of TestRunner: in a 32-bit process
// (make test-x86-linux) an int64_t* imported as `out int`, a trl_client as long or a stdcall
// log callback would otherwise pass unseen by values (expiry times fit in 32 bits).
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Teleradyoloji;

namespace Teleradyoloji.Tests
{
    internal static partial class TestRunner
    {
        private static void ImportsHaveHeaderWidths()
        {
            // TestRunner.exe is in build/dotnet/ of the checkout.
            string dir = Path.GetDirectoryName(typeof(TestRunner).Assembly.Location);
            string header = Regex.Replace(File.ReadAllText(Path.Combine(dir, "..", "..", "include", "teleradyoloji.h")),
                @"/\*.*?\*/", "", RegexOptions.Singleline);
            Type native = typeof(TeleradyolojiClient).Assembly.GetType("Teleradyoloji.NativeMethods", true);
            int seen = 0;
            foreach (Match m in Regex.Matches(header, @"TRL_CALL (trl_\w+)\(([^)]*)\)"))
            {
                string name = m.Groups[1].Value;
                MethodInfo import = native.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static);
                Check(import != null, "NativeMethods imports " + name);
                string[] c = m.Groups[2].Value.Split(',').Select(p => p.Trim()).Where(p => p != "" && p != "void").ToArray();
                ParameterInfo[] ps = import.GetParameters();
                Equal(c.Length, ps.Length, name + ": parameters");
                for (int i = 0; i < c.Length; i++)
                {
                    string want = CWidth(Regex.Replace(c[i], @"\w+$", "").Replace("const", "").Replace(" ", ""));
                    string got = ManagedWidth(ps[i].ParameterType);
                    if (!want.Contains("->")) got = got.Split(new[] { "->" }, StringSplitOptions.None)[0];
                    Equal(want, got, name + "(" + c[i] + ") in a " + 8 * IntPtr.Size + "-bit process");
                }
                seen++;
            }
            Check(seen >= 15, "the header's exports were found (" + seen + ")");
        }

        // "P" is a pointer's width; "->N" the width a pointer points at, where the header says it.
        private static string CWidth(string c)
        {
            string p = IntPtr.Size.ToString();
            switch (c)
            {
                case "int32_t": return "4";
                case "uintptr_t": case "trl_client": return p;
                case "int32_t*": return p + "->4";
                case "int64_t*": return p + "->8";
                case "trl_client*": case "char**": return p + "->" + p;
                case "trl_log_fn": return p + " cdecl";
                default:
                    Check(c.EndsWith("*"), "a C type this test knows: " + c);
                    return p;
            }
        }

        private static string ManagedWidth(Type t)
        {
            string p = IntPtr.Size.ToString();
            if (t.IsByRef) return p + "->" + ManagedWidth(t.GetElementType());
            if (t == typeof(IntPtr) || t == typeof(byte[]) || typeof(SafeHandle).IsAssignableFrom(t)) return p;
            if (typeof(Delegate).IsAssignableFrom(t))
            {
                var a = (UnmanagedFunctionPointerAttribute)Attribute.GetCustomAttribute(t, typeof(UnmanagedFunctionPointerAttribute));
                return p + (a != null && a.CallingConvention == CallingConvention.Cdecl ? " cdecl" : " not cdecl");
            }
            return Marshal.SizeOf(t).ToString();
        }
    }
}
