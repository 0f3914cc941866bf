using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace Teleradyoloji
{
    // Loads the native library by full path before the first [DllImport] call, and when that call
    // still fails, says why in the operating system's own words.
    //
    // Load() (the client's static constructor) never throws; it records what it tried:
    //  - Windows: first checks that the Go runtime can start at all (ProcessPrng in
    //    bcryptprimitives.dll, Windows 10 / Server 2016): on older Windows loading the DLL would end
    //    the whole process, so nothing is loaded and every use throws PlatformNotSupportedException.
    //    Then loads, by full path, teleradyoloji.dll beside the binding, else from the package's
    //    x86\ or x64\ folder (.NET Framework ignores runtimes\), else runtimes\win-<arch>\native\.
    //    [DllImport("teleradyoloji")] then binds to that module: Windows reuses a loaded module of
    //    the same name, so two copies (two Go runtimes) are never loaded. teleradyoloji.dll is the
    //    C front: it loads the Go library, teleradyoloji-core.dll, from its own folder, and makes
    //    the same ProcessPrng check itself (docs/windows.md).
    //  - Linux: loads libteleradyoloji.so beside the binding by full path (dlopen), which is where
    //    Mono and .NET look first; otherwise the runtime's own search (LD_LIBRARY_PATH, deps.json,
    //    the system) decides.
    // Ensure() (TeleradyolojiClient.CheckLibrary) makes the first call; if the runtime cannot bind,
    // it throws DllNotFoundException, BadImageFormatException (wrong bitness) or
    // PlatformNotSupportedException listing every attempt with dlerror()'s text or the Win32 error
    // code, its system message and what it means (missing file, wrong bitness 193, missing GLIBC
    // version, old Windows). The library is never unloaded.
    internal static class NativeLoader
    {
        private static readonly object Gate = new object();
        private static bool _done;
        private static readonly List<Attempt> Tried = new List<Attempt>();
        private static string _tooOld; // Windows without ProcessPrng: never touch the DLL

        private static bool IsWindows
        {
            get { return Environment.OSVersion.Platform == PlatformID.Win32NT; }
        }

        private static string Bits
        {
            get { return IntPtr.Size == 8 ? "64" : "32"; }
        }

        internal static void Load()
        {
            lock (Gate)
            {
                if (_done) return;
                _done = true;
                try
                {
                    if (IsWindows) LoadWindows();
                    else if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) LoadLinux();
                }
                catch (Exception e) // a loader that cannot look leaves it to [DllImport]
                {
                    Tried.Add(new Attempt("(the binding's loader failed: " + e.GetType().Name + ": " + e.Message + ")", false));
                }
            }
        }

        // The first call into the library: its ABI version, or an exception with the reasons.
        internal static int Ensure()
        {
            Load();
            if (_tooOld != null) throw new PlatformNotSupportedException(_tooOld);
            try
            {
                return NativeMethods.trl_abi_version();
            }
            catch (DllNotFoundException e) { throw Failure(e); }
            catch (BadImageFormatException e) { throw Failure(e); }
            catch (EntryPointNotFoundException e)
            {
                throw new EntryPointNotFoundException("the library loaded as \"teleradyoloji\" has no " +
                    "trl_abi_version: it is not libteleradyoloji, or a much older one", e);
            }
        }

        private static Exception Failure(Exception runtime)
        {
            var tried = new List<Attempt>();
            lock (Gate) tried.AddRange(Tried);
            tried.Add(IsWindows ? SearchWindows() : SearchLinux());
            string where = IsWindows ? "Windows " + Environment.OSVersion.Version
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "Linux" : RuntimeInformation.OSDescription;
            var text = new StringBuilder();
            text.Append("the native teleradyoloji library ");
            bool missing = tried.TrueForAll(t => t.Missing);
            bool bitness = tried.Exists(t => t.Text.Contains("wrong ELF class") || t.Text.Contains("error 193") ||
                t.Text.Contains("error 216"));
            text.Append(missing ? "was not found" : "could not be loaded")
                .Append(" (").Append(Bits).Append("-bit process, ").Append(where).Append("); tried, in order:");
            foreach (Attempt t in tried) text.Append("\n  ").Append(t.Text);
            text.Append("\n  (the runtime: ").Append(runtime.Message).Append(')');
            if (bitness)
                text.Append("\nThe library is for the other bitness: use the x86 DLL (win-x86) in 32-bit " +
                    "programs, including AnyCPU with \"Prefer 32-bit\", and the x64 DLL (win-x64) in 64-bit ones.");
            if (tried.Exists(t => t.Text.Contains("GLIBC_")))
                text.Append("\nThe library needs a newer C library (glibc) than this Linux has: use the " +
                    "released one (runtimes/linux-x64/native/ of the package), which needs GLIBC_2.17 at most " +
                    "(RHEL/CentOS 7+, Debian 10+, Ubuntu 18.04+), not one built on a newer system.");
            if (missing)
                text.Append(IsWindows
                    ? "\nPut teleradyoloji.dll for this " + Bits + "-bit process beside the program."
                    : "\nPut libteleradyoloji.so beside Teleradyoloji.Net.dll or in a directory on LD_LIBRARY_PATH.");
            if (bitness) return new BadImageFormatException(text.ToString(), runtime);
            return new DllNotFoundException(text.ToString(), runtime);
        }

        // One place tried and what the OS said; Missing when nothing was found there.
        private sealed class Attempt
        {
            internal Attempt(string text, bool missing)
            {
                Text = text;
                Missing = missing;
            }

            internal string Text { get; private set; }
            internal bool Missing { get; private set; }

            internal static Attempt NotFound(string path, string where)
            {
                return new Attempt(path + " (" + where + "): not found", true);
            }
        }

        // ---- Linux ----

        private const int RTLD_NOW = 2;

        private static void LoadLinux()
        {
            string dir = AssemblyDirectory();
            if (dir == null) return;
            string path = Path.Combine(dir, "libteleradyoloji.so");
            const string where = "beside Teleradyoloji.Net.dll";
            if (!File.Exists(path))
            {
                Tried.Add(Attempt.NotFound(path, where));
                return;
            }
            string error;
            if (DlOpen(path, out error) == IntPtr.Zero) Tried.Add(new Attempt(path + " (" + where + "): " + error, false));
        }

        // What the dynamic loader says about the name the runtime looks for.
        private static Attempt SearchLinux()
        {
            const string name = "libteleradyoloji.so";
            const string where = " (the search path: LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib): ";
            try
            {
                string error;
                if (DlOpen(name, out error) != IntPtr.Zero)
                    return new Attempt(name + where + "dlopen loads it, yet the runtime did not", false);
                // "libteleradyoloji.so: cannot open shared object file: ..." is about the name itself;
                // the same text about another file is a missing dependency.
                return new Attempt(name + where + error, error != null && error.StartsWith(name + ": cannot open shared object file"));
            }
            catch (Exception e)
            {
                return new Attempt(name + where + "(dlopen unavailable: " + e.Message + ")", false);
            }
        }

        private static IntPtr DlOpen(string file, out string error)
        {
            IntPtr handle;
            try
            {
                handle = Libdl.dlopen(file, RTLD_NOW);
                error = handle == IntPtr.Zero ? Marshal.PtrToStringAnsi(Libdl.dlerror()) : null;
            }
            catch (DllNotFoundException) // glibc 2.34+ without the libdl.so.2 stub, or musl
            {
                handle = Libc.dlopen(file, RTLD_NOW);
                error = handle == IntPtr.Zero ? Marshal.PtrToStringAnsi(Libc.dlerror()) : null;
            }
            return handle;
        }

        private static class Libdl
        {
            [DllImport("libdl.so.2")]
            internal static extern IntPtr dlopen(string file, int mode);

            [DllImport("libdl.so.2")]
            internal static extern IntPtr dlerror();
        }

        private static class Libc
        {
            [DllImport("libc")]
            internal static extern IntPtr dlopen(string file, int mode);

            [DllImport("libc")]
            internal static extern IntPtr dlerror();
        }

        // ---- Windows ----

        private const uint LOAD_WITH_ALTERED_SEARCH_PATH = 0x00000008;
        private const uint LOAD_LIBRARY_SEARCH_SYSTEM32 = 0x00000800;

        private static void LoadWindows()
        {
            _tooOld = WindowsTooOld();
            if (_tooOld != null) return;
            string arch;
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X86: arch = "x86"; break;
                case Architecture.X64: arch = "x64"; break;
                default: return;
            }
            string dir = AssemblyDirectory();
            if (dir == null) return;
            var candidates = new[]
            {
                new[] { Path.Combine(dir, "teleradyoloji.dll"), "beside Teleradyoloji.Net.dll" },
                new[] { Path.Combine(Path.Combine(dir, arch), "teleradyoloji.dll"), "the package's " + arch + "\\ folder" },
                new[] { Path.Combine(dir, "runtimes", "win-" + arch, "native", "teleradyoloji.dll"), "runtimes\\win-" + arch + "\\native\\" },
            };
            foreach (string[] c in candidates)
            {
                if (!File.Exists(c[0]))
                {
                    Tried.Add(Attempt.NotFound(c[0], c[1]));
                    continue;
                }
                if (Kernel32.LoadLibraryExW(c[0], IntPtr.Zero, LOAD_WITH_ALTERED_SEARCH_PATH) != IntPtr.Zero) return;
                Tried.Add(new Attempt(c[0] + " (" + c[1] + "): " + DescribeWin32Error(Marshal.GetLastWin32Error()), false));
            }
        }

        private static Attempt SearchWindows()
        {
            const string where = "teleradyoloji.dll (the DLL search path: the program's folder, System32, PATH): ";
            try
            {
                if (Kernel32.LoadLibraryW("teleradyoloji.dll") != IntPtr.Zero)
                    return new Attempt(where + "LoadLibrary loads it, yet the runtime did not", false);
                int code = Marshal.GetLastWin32Error();
                return new Attempt(where + DescribeWin32Error(code), code == 126 || code == 2);
            }
            catch (Exception e)
            {
                return new Attempt(where + "(LoadLibrary unavailable: " + e.Message + ")", false);
            }
        }

        // The Go runtime (1.21+) calls ProcessPrng from bcryptprimitives.dll as it starts; where it
        // is missing (Windows 7, 8, 8.1, Server 2008 R2, 2012) the process ends inside LoadLibrary.
        private static string WindowsTooOld()
        {
            IntPtr module = Kernel32.LoadLibraryExW("bcryptprimitives.dll", IntPtr.Zero, LOAD_LIBRARY_SEARCH_SYSTEM32);
            int error = module == IntPtr.Zero ? Marshal.GetLastWin32Error() : 0;
            if (module != IntPtr.Zero && Kernel32.GetProcAddress(module, "ProcessPrng") != IntPtr.Zero) return null;
            return "teleradyoloji needs Windows 10 / Server 2016 or later; this is " +
                Environment.OSVersion.VersionString + ", whose bcryptprimitives.dll " +
                (module == IntPtr.Zero ? "could not be loaded (" + DescribeWin32Error(error) + ")" : "has no ProcessPrng") +
                ". The library's Go runtime needs it and would end the whole process while loading, " +
                "so the library was not loaded. / Windows 10 veya \u00fcst\u00fc gerekir.";
        }

        // "error 193 (the system's message): what it means here".
        internal static string DescribeWin32Error(int code)
        {
            string meaning;
            switch (code)
            {
                case 2:
                case 3:
                    meaning = "the file is missing"; break;
                case 5:
                    meaning = "access denied (file permissions, or blocked by policy or antivirus)"; break;
                case 126:
                    meaning = "the DLL, or a DLL it imports, is missing"; break;
                case 127:
                    meaning = "a function it imports is missing from this Windows: Windows 10 / Server 2016 or later is needed"; break;
                case 193:
                    meaning = "wrong bitness: not a DLL for this " + Bits + "-bit process (an x86 DLL in a 64-bit " +
                        "process, or the reverse), or not a DLL at all"; break;
                case 216:
                    meaning = "wrong bitness: the DLL is for another processor architecture"; break;
                case 1114:
                    meaning = "the DLL's initialisation failed"; break;
                case 1455:
                    meaning = "not enough memory (the paging file is too small)"; break;
                default:
                    meaning = null; break;
            }
            string system;
            try { system = new Win32Exception(code).Message; }
            catch (Exception) { system = null; }
            var s = new StringBuilder("error ").Append(code);
            if (!string.IsNullOrEmpty(system)) s.Append(" (").Append(system.Trim()).Append(')');
            if (meaning != null) s.Append(": ").Append(meaning);
            return s.ToString();
        }

        private static class Kernel32
        {
            [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
            internal static extern IntPtr LoadLibraryExW(string path, IntPtr reserved, uint flags);

            [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
            internal static extern IntPtr LoadLibraryW(string path);

            [DllImport("kernel32", CharSet = CharSet.Ansi, SetLastError = true, ExactSpelling = true)]
            internal static extern IntPtr GetProcAddress(IntPtr module, string name);
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
