/* test_front.c -- the Windows front DLL when the core cannot be used.
 *
 * Linked against teleradyoloji.lib (a static import, as Delphi 7-2009 link):
 * the program only starts if teleradyoloji.dll loads.
 *
 *   test_front.exe old      run in a Wine prefix without bcryptprimitives.dll
 *                           (no ProcessPrng, like Windows 7/8.1): every call
 *                           answers a clean error naming Windows 10, in
 *                           English and Turkish; the core is never loaded
 *   test_front.exe nocore   teleradyoloji-core.dll is missing beside the DLL
 *   test_front.exe stale    a stale ERROR_INSUFFICIENT_BUFFER in the thread's
 *                           last error before the first call: the core loads
 *                           all the same (the front checks return values)
 *   test_front.exe direct   loads teleradyoloji-core.dll itself: on an old
 *                           Windows the Go runtime ends the process (the
 *                           failure the front DLL prevents; mk/windows.mk
 *                           expects this one to die)
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "teleradyoloji.h"

static int failures;
#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                              \
        }                                                            \
    } while (0)

/* field copies the string member key of err (no escapes in it) into out. */
static const char *field(const char *err, const char *key, char *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(err, pat), *e;
    out[0] = 0;
    if (p != NULL && (e = strchr(p + strlen(pat), '"')) != NULL)
        snprintf(out, cap, "%.*s", (int)(e - p - strlen(pat)), p + strlen(pat));
    return out;
}

static void check_err(const char *err, int32_t code, const char *name, const char *want) {
    char buf[64], en[1200], tr[1200];
    CHECK(err != NULL);
    if (err == NULL)
        return;
    /* message is English, message_tr Turkish: never the two run together. */
    field(err, "message", en, sizeof en);
    field(err, "message_tr", tr, sizeof tr);
    CHECK(en[0] != 0 && tr[0] != 0 && strcmp(en, tr) != 0);
    CHECK(strstr(en, "\xc4\xb1") == NULL && strstr(en, "\xc3\xbc") == NULL); /* no Turkish letters (ı, ü) */
    CHECK(strstr(tr, "\xc4\xb1") != NULL || strstr(tr, "\xc3\xbc") != NULL);
    snprintf(buf, sizeof buf, "\"code\":%d,", (int)code);
    CHECK(strstr(err, buf) != NULL);
    snprintf(buf, sizeof buf, "\"name\":\"%s\"", name);
    CHECK(strstr(err, buf) != NULL);
    CHECK(strstr(err, "\"retryable\":false") != NULL);
    CHECK(strstr(err, want) != NULL);
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "old";
    if (strcmp(mode, "stale") == 0) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        CHECK(strcmp(trl_version(), "0") > 0);
        CHECK(GetModuleHandleW(L"teleradyoloji-core.dll") != NULL);
        trl_client c = 0;
        char *err = NULL;
        CHECK(trl_client_new("{", &c, &err) == TRL_E_CONFIG); /* the core's answer, not the front's */
        CHECK(err != NULL && strstr(err, "teleradyoloji-core.dll") == NULL);
        trl_free(err);
        printf("test_front stale: %s\n", failures ? "FAILED" : "ok, the core loaded");
        return failures != 0;
    }
    if (strcmp(mode, "direct") == 0) {
        HMODULE m = LoadLibraryW(L"teleradyoloji-core.dll");
        printf("direct: LoadLibrary returned %p (error %lu)\n", (void *)m, GetLastError());
        fflush(stdout);
        /* The Go runtime starts on its own thread; the first call waits for it. */
        FARPROC f = m ? GetProcAddress(m, "trl_abi_version") : NULL;
        if (f != NULL)
            printf("direct: trl_abi_version = %d\n", (int)((int32_t(TRL_CALL *)(void))(void (*)(void))f)());
        Sleep(2000);
        printf("direct: still alive\n");
        return 0;
    }
    const char *want = strcmp(mode, "old") == 0 ? "Windows 10 veya \xc3\xbcst\xc3\xbc gerekir"
                                                : "teleradyoloji-core.dll";
    CHECK(trl_abi_version() == TRL_ABI_VERSION);
    CHECK(trl_version() != NULL && trl_version()[0] != 0);
    CHECK(strcmp(trl_status_name(TRL_E_CONFIG), "TRL_E_CONFIG") == 0);
    CHECK(strcmp(trl_status_name(99), "TRL_E_UNKNOWN") == 0);

    trl_client c = 7;
    char *err = (char *)1;
    CHECK(trl_client_new("{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"a\"}", &c, &err) ==
          TRL_E_CONFIG);
    CHECK(c == 0);
    check_err(err, TRL_E_CONFIG, "TRL_E_CONFIG", want);
    if (strcmp(mode, "old") == 0) {
        CHECK(err != NULL && strstr(err, "Windows 10 / Server 2016 or later") != NULL);
        CHECK(err != NULL && strstr(err, "ProcessPrng") != NULL);
    }
    printf("%s: trl_client_new: %s\n", mode, err ? err : "(null)");
    trl_free(err);

    char *out = (char *)1;
    int64_t exp = 5;
    err = NULL;
    CHECK(trl_service_token(1, &out, &exp, &err) == TRL_E_BAD_HANDLE);
    CHECK(out == NULL && exp == 0);
    check_err(err, TRL_E_BAD_HANDLE, "TRL_E_BAD_HANDLE", want);
    trl_free(err);
    err = NULL;
    CHECK(trl_viewer_url(1, "ACC", NULL, NULL, &out, &err) == TRL_E_BAD_HANDLE);
    check_err(err, TRL_E_BAD_HANDLE, "TRL_E_BAD_HANDLE", want);
    trl_free(err);
    CHECK(trl_viewer_token(1, NULL, NULL, &out, NULL, NULL) == TRL_E_BAD_HANDLE);
    CHECK(trl_post_otac(1, "t", "a", &out, NULL) == TRL_E_BAD_HANDLE);
    CHECK(trl_build_viewer_url(1, "x", &out, NULL) == TRL_E_BAD_HANDLE);
    int32_t http = 9;
    int64_t len = 9;
    CHECK(trl_call(1, "GET", "x", NULL, &http, &out, NULL) == TRL_E_BAD_HANDLE);
    CHECK(trl_call_bytes(1, "GET", "x", NULL, &http, &out, &len, NULL) == TRL_E_BAD_HANDLE);
    CHECK(http == 0 && len == 0 && out == NULL);
    CHECK(trl_prefetch_viewer_token(1, "1", "2", NULL) == TRL_E_BAD_HANDLE);
    CHECK(trl_client_close(0) == TRL_OK);
    CHECK(trl_client_close(1) == TRL_E_BAD_HANDLE);
    trl_free(NULL);
    /* The Go core was never loaded into this process. */
    CHECK(GetModuleHandleW(L"teleradyoloji-core.dll") == NULL);

    if (failures) {
        fprintf(stderr, "test_front %s: %d failure(s)\n", mode, failures);
        return 1;
    }
    printf("test_front %s: ok, the process lives\n", mode);
    return 0;
}
