using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Teleradyoloji
{
    // .NET Framework ignores the package's runtimes/<rid>/native/ folders: the package's targets
    // copy both Windows DLLs to x86\ and x64\ beside the program instead. When no
    // teleradyoloji.dll sits beside the binding itself, loading the one that matches this process
    // first makes [DllImport("teleradyoloji")] bind to it, because Windows reuses an already
    // loaded module of the same name. A DLL beside the binding is left to the usual search, so
    // that two copies (two Go runtimes) are never loaded. Elsewhere this does nothing. The DLL
    // is never unloaded.
    internal static class NativeLoader
    {
        private static readonly object Gate = new object();
        private static bool _done;

        internal static void Load()
        {
            lock (Gate)
            {
                if (_done) return;
                _done = true;
                if (Environment.OSVersion.Platform != PlatformID.Win32NT) return;
                string arch;
                switch (RuntimeInformation.ProcessArchitecture)
                {
                    case Architecture.X86: arch = "x86"; break;
                    case Architecture.X64: arch = "x64"; break;
                    default: return;
                }
                string dir = AssemblyDirectory();
                if (dir == null || File.Exists(Path.Combine(dir, "teleradyoloji.dll"))) return;
                string path = Path.Combine(Path.Combine(dir, arch), "teleradyoloji.dll");
                if (File.Exists(path)) NativeMethods.LoadLibraryW(path);
            }
        }

        // The folder the binding was loaded from; CodeBase survives ASP.NET shadow copying.
        private static string AssemblyDirectory()
        {
            var assembly = typeof(NativeLoader).Assembly;
            try
            {
                var codeBase = new Uri(assembly.CodeBase);
                if (codeBase.IsFile) return Path.GetDirectoryName(codeBase.LocalPath);
            }
            catch (Exception) { } // no CodeBase (e.g. loaded from bytes): fall back to Location
            return string.IsNullOrEmpty(assembly.Location) ? null : Path.GetDirectoryName(assembly.Location);
        }
    }
}
