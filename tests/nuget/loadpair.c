/* loadpair.c -- loads a Windows DLL pair as a program beside it would: LoadLibrary of the
 * given teleradyoloji.dll (the front), whose first trl_version call loads teleradyoloji-core.dll
 * from the front's own folder. Prints the version, the ABI version and where both DLLs were
 * loaded from; exits 1 when a DLL does not load or the core is not the one beside the front.
 * tests/nuget/run.sh runs it under the Wine of the pair's bitness.
 *
 *   loadpair.exe .\teleradyoloji.dll
 */
#include <windows.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef const char *(__cdecl *version_fn)(void);
typedef int32_t(__cdecl *abi_fn)(void);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: loadpair.exe PATH\\teleradyoloji.dll\n");
        return 2;
    }
    HMODULE dll = LoadLibraryA(argv[1]);
    if (dll == NULL) {
        fprintf(stderr, "%s: LoadLibrary failed, error %lu\n", argv[1], GetLastError());
        return 1;
    }
    version_fn version = (version_fn)(void (*)(void))GetProcAddress(dll, "trl_version");
    abi_fn abi = (abi_fn)(void (*)(void))GetProcAddress(dll, "trl_abi_version");
    if (version == NULL || abi == NULL) {
        fprintf(stderr, "%s: no trl_version or trl_abi_version export\n", argv[1]);
        return 1;
    }
    const char *v = version(); /* loads the core */
    char front[MAX_PATH], core[MAX_PATH];
    HMODULE core_dll = GetModuleHandleA("teleradyoloji-core.dll");
    if (core_dll == NULL || !GetModuleFileNameA(dll, front, MAX_PATH) || !GetModuleFileNameA(core_dll, core, MAX_PATH)) {
        fprintf(stderr, "%s: teleradyoloji-core.dll is not loaded after trl_version (%s)\n", argv[1], v);
        return 1;
    }
    printf("trl_version %s, trl_abi_version %d\nfront %s\ncore  %s\n", v, (int)abi(), front, core);
    /* The same folder: the paths agree up to the front's last backslash. */
    size_t dir = (size_t)(strrchr(front, '\\') - front) + 1;
    if (strlen(core) <= dir || _strnicmp(front, core, dir) != 0 || strchr(core + dir, '\\') != NULL) {
        fprintf(stderr, "the core was not loaded from the front's folder\n");
        return 1;
    }
    return 0;
}
