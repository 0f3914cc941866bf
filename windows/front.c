/*
 * front.c -- teleradyoloji.dll on Windows: a small C DLL that owns the DLL
 * name and the ABI of include/teleradyoloji.h and forwards every call to the
 * Go-built teleradyoloji-core.dll beside it.
 *
 * Why: the Go runtime (1.21+) calls bcryptprimitives.dll!ProcessPrng while
 * the core DLL loads.  Windows before 10 / Server 2016 has no ProcessPrng, and
 * there the Go runtime ends the whole process inside LoadLibrary ("fatal
 * error: bcryptprimitives.dll not found", exit 2).  A HIS executable that
 * imports the library statically (Delphi 7-2009 have nothing else) would not
 * even start.  This DLL imports only KERNEL32 and msvcrt, so it loads
 * everywhere; on the first call that needs the core it
 *
 *   1. looks for ProcessPrng in the system's bcryptprimitives.dll (full path
 *      under the system directory: never a copy in the application folder);
 *   2. loads teleradyoloji-core.dll by full path from this DLL's own folder
 *      and pins it (GET_MODULE_HANDLE_EX_FLAG_PIN): it is never unloaded, even
 *      when the host unloads this DLL (DESIGN.md pitfall 1);
 *   3. resolves every trl_* of the core once and checks that the core answers
 *      the same ABI and version as this DLL.
 *
 * When any step fails, nothing more is tried and every call answers at once:
 * trl_client_new TRL_E_CONFIG, calls on a handle TRL_E_BAD_HANDLE (no handle
 * can exist), each with error JSON whose message says why -- for an old
 * Windows in English and Turkish ("needs Windows 10 / Server 2016 or later",
 * "Windows 10 veya üstü gerekir").  trl_abi_version, trl_version,
 * trl_status_name and trl_free always answer; trl_abi_version never loads the
 * core.
 *
 * Every export is cdecl and undecorated (the .def file built from the header
 * names them), on x86 too.  Strings: while the core is loaded, every string
 * comes from the core and trl_free forwards to it; when it is not, the only
 * strings are this DLL's error JSON, freed here.
 */
#define TRL_BUILDING_LIBRARY 1
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../include/teleradyoloji.h"

#ifndef TRL_FRONT_VERSION
#error "TRL_FRONT_VERSION must be defined (mk/windows.mk passes the library version)"
#endif

#define CORE_NAME L"teleradyoloji-core.dll"

typedef int32_t(TRL_CALL *abi_version_fn)(void);
typedef const char *(TRL_CALL *version_fn)(void);
typedef const char *(TRL_CALL *status_name_fn)(int32_t);
typedef void(TRL_CALL *free_fn)(void *);
typedef int32_t(TRL_CALL *client_new_fn)(const char *, trl_client *, char **);
typedef int32_t(TRL_CALL *client_close_fn)(trl_client);
typedef int32_t(TRL_CALL *service_token_fn)(trl_client, char **, int64_t *, char **);
typedef int32_t(TRL_CALL *viewer_token_fn)(trl_client, const char *, const char *, char **, int64_t *, char **);
typedef int32_t(TRL_CALL *post_otac_fn)(trl_client, const char *, const char *, char **, char **);
typedef int32_t(TRL_CALL *build_viewer_url_fn)(trl_client, const char *, char **, char **);
typedef int32_t(TRL_CALL *viewer_url_fn)(trl_client, const char *, const char *, const char *, char **, char **);
typedef int32_t(TRL_CALL *call_fn)(trl_client, const char *, const char *, const char *, int32_t *, char **, char **);
typedef int32_t(TRL_CALL *call_bytes_fn)(trl_client, const char *, const char *, const char *, int32_t *, char **,
                                         int64_t *, char **);
typedef int32_t(TRL_CALL *set_log_fn)(trl_log_fn, void *, int32_t);
typedef int32_t(TRL_CALL *diagnose_fn)(trl_client, char **, char **);

static struct {
    abi_version_fn abi_version;
    version_fn version;
    status_name_fn status_name;
    free_fn free;
    client_new_fn client_new;
    client_close_fn client_close;
    service_token_fn service_token;
    viewer_token_fn viewer_token;
    post_otac_fn post_otac;
    build_viewer_url_fn build_viewer_url;
    viewer_url_fn viewer_url;
    call_fn call;
    call_bytes_fn call_bytes;
    set_log_fn set_log;
    diagnose_fn diagnose;
} core;

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static int core_ok;            /* set once, before `once` completes */
static char failure[1024];     /* why the core is not loaded: the error JSON's message (UTF-8, JSON-escaped) */

static const char *const status_names[] = {
    "TRL_OK", "TRL_E_INVALID_ARGUMENT", "TRL_E_CONFIG", "TRL_E_BAD_HANDLE", "TRL_E_AUTH", "TRL_E_HTTP",
    "TRL_E_NETWORK", "TRL_E_TIMEOUT", "TRL_E_PROTOCOL", "TRL_E_INTERNAL", "TRL_E_FORKED",
};

#define OLD_WINDOWS                                                                                        \
    "teleradyoloji needs Windows 10 / Server 2016 or later: this Windows has no ProcessPrng in "         \
    "bcryptprimitives.dll, which the library's Go runtime needs (loading it here would end the whole " \
    "process, so it was not loaded). / teleradyoloji: Windows 10 veya \xc3\xbc" "st\xc3\xbc gerekir "     \
    "(Windows Server 2016 veya \xc3\xbc" "st\xc3\xbc); bu Windows'ta bcryptprimitives.dll i\xc3\xa7inde "  \
    "ProcessPrng yok, k\xc3\xbct\xc3\xbcphane y\xc3\xbcklenmedi."

/* Copies s into failure[], escaping what JSON needs (paths hold backslashes). */
static void set_failure(const char *s) {
    size_t n = 0;
    for (; *s && n + 7 < sizeof failure; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            failure[n++] = '\\';
            failure[n++] = (char)ch;
        } else if (ch < 0x20) {
            n += (size_t)snprintf(failure + n, sizeof failure - n, "\\u%04x", ch);
        } else {
            failure[n++] = (char)ch;
        }
    }
    failure[n] = 0;
}

/* UTF-8 of a wide string (a path), for messages. */
static void utf8(const wchar_t *w, char *out, int size) {
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, size, NULL, NULL) == 0)
        snprintf(out, (size_t)size, "?");
}

static int has_process_prng(void) {
    wchar_t path[MAX_PATH + 32];
    UINT n = GetSystemDirectoryW(path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return 0;
    wcscat(path, L"\\bcryptprimitives.dll");
    HMODULE m = GetModuleHandleW(path);
    if (m == NULL)
        m = LoadLibraryW(path); /* a system DLL: kept loaded, as the Go runtime would */
    return m != NULL && GetProcAddress(m, "ProcessPrng") != NULL;
}

static BOOL CALLBACK load_core(PINIT_ONCE o, PVOID param, PVOID *ctx) {
    (void)o, (void)param, (void)ctx;
    char msg[900], where[MAX_PATH * 3];
    if (!has_process_prng()) {
        set_failure(OLD_WINDOWS);
        return TRUE;
    }
    /* The core's full path: this DLL's folder + teleradyoloji-core.dll. */
    HMODULE self = NULL;
    wchar_t path[MAX_PATH + 32];
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)&load_core, &self) ||
        GetModuleFileNameW(self, path, MAX_PATH) == 0 || GetLastError() == ERROR_INSUFFICIENT_BUFFER) {
        snprintf(msg, sizeof msg, "teleradyoloji.dll cannot find its own path (error %lu)", GetLastError());
        set_failure(msg);
        return TRUE;
    }
    wchar_t *slash = wcsrchr(path, L'\\');
    if (slash == NULL) {
        set_failure("teleradyoloji.dll cannot find its own folder");
        return TRUE;
    }
    wcscpy(slash + 1, CORE_NAME);
    utf8(path, where, (int)sizeof where);
    HMODULE m = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (m == NULL) {
        DWORD e = GetLastError();
        snprintf(msg, sizeof msg,
                 "teleradyoloji.dll could not load %s (error %lu%s); put teleradyoloji-core.dll of the same "
                 "version and bitness beside teleradyoloji.dll / teleradyoloji-core.dll teleradyoloji.dll ile "
                 "ayn\xc4\xb1 klas\xc3\xb6rde olmal\xc4\xb1",
                 where, e, e == ERROR_BAD_EXE_FORMAT ? ": wrong bitness, 32-bit and 64-bit DLLs mixed" : "");
        set_failure(msg);
        return TRUE;
    }
    HMODULE pinned;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_PIN, path, &pinned); /* never unloaded (pitfall 1) */
#define RESOLVE(name)                                                                                    \
    if ((core.name = (name##_fn)(void (*)(void))GetProcAddress(m, "trl_" #name)) == NULL) {            \
        snprintf(msg, sizeof msg, "%s has no trl_" #name ": it is not this version's core", where); \
        set_failure(msg);                                                                                \
        return TRUE;                                                                                     \
    }
    RESOLVE(abi_version)
    RESOLVE(version)
    RESOLVE(status_name)
    RESOLVE(free)
    RESOLVE(client_new)
    RESOLVE(client_close)
    RESOLVE(service_token)
    RESOLVE(viewer_token)
    RESOLVE(post_otac)
    RESOLVE(build_viewer_url)
    RESOLVE(viewer_url)
    RESOLVE(call)
    RESOLVE(call_bytes)
    RESOLVE(set_log)
    RESOLVE(diagnose)
#undef RESOLVE
    int32_t abi = core.abi_version();
    const char *v = core.version();
    if (abi != TRL_ABI_VERSION || v == NULL || strcmp(v, TRL_FRONT_VERSION) != 0) {
        snprintf(msg, sizeof msg, "%s is version %.40s (ABI %d) but teleradyoloji.dll is %s (ABI %d): ship both "
                 "files of one release", where, v ? v : "?", (int)abi, TRL_FRONT_VERSION, TRL_ABI_VERSION);
        set_failure(msg);
        return TRUE;
    }
    core_ok = 1;
    return TRUE;
}

static int ready(void) {
    InitOnceExecuteOnce(&once, load_core, NULL, NULL);
    return core_ok;
}

/* The error JSON of a call made while the core is not loaded. */
static int32_t fail(int32_t status, char **err) {
    if (err != NULL) {
        size_t size = 2 * strlen(failure) + 160;
        char *s = malloc(size);
        if (s != NULL)
            snprintf(s, size, "{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\",\"message_tr\":\"%s\",\"retryable\":false}",
                     (int)status, status_names[status], failure, failure); /* the text holds both languages */
        *err = s;
    }
    return status;
}

#define CLEAR(p)        \
    do {                \
        if ((p) != NULL) \
            *(p) = 0;   \
    } while (0)

TRL_EXTERN int32_t TRL_CALL trl_abi_version(void) { return TRL_ABI_VERSION; }

TRL_EXTERN const char *TRL_CALL trl_version(void) { return ready() ? core.version() : TRL_FRONT_VERSION; }

TRL_EXTERN const char *TRL_CALL trl_status_name(int32_t status) {
    if (ready())
        return core.status_name(status);
    return status >= 0 && status < (int32_t)(sizeof status_names / sizeof *status_names) ? status_names[status]
                                                                                         : "TRL_E_UNKNOWN";
}

TRL_EXTERN void TRL_CALL trl_free(void *p) {
    if (p == NULL)
        return;
    if (ready())
        core.free(p);
    else
        free(p); /* only this DLL's error JSON exists then */
}

TRL_EXTERN int32_t TRL_CALL trl_client_new(const char *config_json, trl_client *out, char **err) {
    if (ready())
        return core.client_new(config_json, out, err);
    CLEAR(out);
    CLEAR(err);
    return fail(TRL_E_CONFIG, err);
}

TRL_EXTERN int32_t TRL_CALL trl_client_close(trl_client c) {
    if (ready())
        return core.client_close(c);
    return c == 0 ? TRL_OK : TRL_E_BAD_HANDLE;
}

TRL_EXTERN int32_t TRL_CALL trl_service_token(trl_client c, char **token, int64_t *expires_at_unix, char **err) {
    if (ready())
        return core.service_token(c, token, expires_at_unix, err);
    CLEAR(token);
    CLEAR(expires_at_unix);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                             char **token, int64_t *expires_at_unix, char **err) {
    if (ready())
        return core.viewer_token(c, doctor_tc, patient_tc, token, expires_at_unix, err);
    CLEAR(token);
    CLEAR(expires_at_unix);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_post_otac(trl_client c, const char *token, const char *accession, char **otac,
                                          char **err) {
    if (ready())
        return core.post_otac(c, token, accession, otac, err);
    CLEAR(otac);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_build_viewer_url(trl_client c, const char *otac, char **url, char **err) {
    if (ready())
        return core.build_viewer_url(c, otac, url, err);
    CLEAR(url);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_viewer_url(trl_client c, const char *accession, const char *doctor_tc,
                                           const char *patient_tc, char **url, char **err) {
    if (ready())
        return core.viewer_url(c, accession, doctor_tc, patient_tc, url, err);
    CLEAR(url);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_call(trl_client c, const char *method, const char *path, const char *json_body,
                                     int32_t *http_status, char **response, char **err) {
    if (ready())
        return core.call(c, method, path, json_body, http_status, response, err);
    CLEAR(http_status);
    CLEAR(response);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

TRL_EXTERN int32_t TRL_CALL trl_call_bytes(trl_client c, const char *method, const char *path,
                                           const char *json_body, int32_t *http_status, char **response,
                                           int64_t *response_len, char **err) {
    if (ready())
        return core.call_bytes(c, method, path, json_body, http_status, response, response_len, err);
    CLEAR(http_status);
    CLEAR(response);
    CLEAR(response_len);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

/* Without the core no event can happen: a log function is accepted and never called. */
TRL_EXTERN int32_t TRL_CALL trl_set_log(trl_log_fn fn, void *user_data, int32_t max_level) {
    if (ready())
        return core.set_log(fn, user_data, max_level);
    return TRL_OK;
}

TRL_EXTERN int32_t TRL_CALL trl_diagnose(trl_client c, char **report_json, char **err) {
    if (ready())
        return core.diagnose(c, report_json, err);
    CLEAR(report_json);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}
