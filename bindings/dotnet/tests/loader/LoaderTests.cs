// LoaderTests: NativeLoader's Win32 error texts, which Windows-only code paths put into the
// exception when teleradyoloji.dll cannot be loaded (no Windows .NET runs here: the mapping is
// checked on Mono). Compiled together with the binding's sources (internal access).
//   LoaderTests.exe   prints "ok …" lines and "loader: N passed, M failed"
using System;
using Teleradyoloji;

internal static class LoaderTests
{
    private static int _passed, _failed;

    private static void Has(int code, params string[] parts)
    {
        string text = NativeLoader.DescribeWin32Error(code);
        foreach (string part in parts)
        {
            if (!text.Contains(part))
            {
                Console.WriteLine("FAIL error {0}: [{1}] lacks [{2}]", code, text, part);
                _failed++;
                return;
            }
        }
        Console.WriteLine("ok   error {0}: {1}", code, text);
        _passed++;
    }

    private static int Main()
    {
        string bits = IntPtr.Size == 8 ? "64" : "32";
        Has(193, "error 193", "wrong bitness", "this " + bits + "-bit process", "x86 DLL in a 64-bit process");
        Has(216, "error 216", "wrong bitness");
        Has(126, "error 126", "a DLL it imports, is missing");
        Has(127, "error 127", "Windows 10 / Server 2016 or later is needed");
        Has(2, "error 2", "the file is missing");
        Has(5, "error 5", "access denied");
        Has(1114, "error 1114", "initialisation failed");
        Has(4242, "error 4242");
        Console.WriteLine("loader: {0} passed, {1} failed", _passed, _failed);
        return _failed == 0 ? 0 : 1;
    }
}
