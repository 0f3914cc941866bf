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
 * names them), on x86 too.  Every export also
 *
 *   - restores the caller's x87 control word and MXCSR on return (the Windows
 *     ABI keeps both across calls) and runs the core with the default state
 *     (0x027F, 0x1F80): the Go runtime on x86 sets the control word to 0x027F
 *     on every entry, which would drop a Delphi host ($1332) to double
 *     precision and mask its EZeroDivide/EOverflow, and Go code expects FP
 *     exceptions masked;
 *   - realigns the stack (x86 callers such as Delphi and old MSVC code keep
 *     only 4-byte alignment; gcc's code assumes 16).
 *  Strings: while the core is loaded, every string
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

/* ---- the caller's floating-point state (see the top of this file) ---- */

typedef struct {
    unsigned short cw;  /* x87 control word */
    unsigned int mxcsr; /* SSE control and status */
} fpu_state;

/* Saves the caller's state and sets the default one for the core. */
static inline fpu_state fpu_enter(void) {
    static const unsigned short default_cw = 0x027F;
    static const unsigned int default_mxcsr = 0x1F80;
    fpu_state s;
    __asm__ volatile("fnstcw %0" : "=m"(s.cw));
    __asm__ volatile("stmxcsr %0" : "=m"(s.mxcsr));
    __asm__ volatile("fnclex\n\tfldcw %0" : : "m"(default_cw));
    __asm__ volatile("ldmxcsr %0" : : "m"(default_mxcsr));
    return s;
}

/* Restores it; x87 flags the core raised are cleared first, so that an
 * exception the caller unmasks does not fire at its next FP instruction
 * (the status word and MXCSR's flags are not preserved by the ABI). */
static inline void fpu_leave(const fpu_state *s) {
    __asm__ volatile("fnclex\n\tfldcw %0" : : "m"(s->cw));
    __asm__ volatile("ldmxcsr %0" : : "m"(s->mxcsr));
}

/* Each export: realigns the stack, and the caller's FP state is restored
 * when the function returns, whichever way. */
#define EXPORT(type) __attribute__((force_align_arg_pointer)) TRL_EXTERN type TRL_CALL
#define FPU_GUARD fpu_state fpu_saved_ __attribute__((cleanup(fpu_leave))) = fpu_enter()

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
typedef int32_t(TRL_CALL *prefetch_viewer_token_fn)(trl_client, const char *, const char *, char **);

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
    prefetch_viewer_token_fn prefetch_viewer_token;
} core;

static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
static int core_ok;            /* set once, before `once` completes */
static char failure[1024];     /* why the core is not loaded: the error JSON's message (UTF-8, JSON-escaped) */
static char failure_tr[1024];  /* the same in Turkish: its message_tr */

static const char *const status_names[] = {
    "TRL_OK", "TRL_E_INVALID_ARGUMENT", "TRL_E_CONFIG", "TRL_E_BAD_HANDLE", "TRL_E_AUTH", "TRL_E_HTTP",
    "TRL_E_NETWORK", "TRL_E_TIMEOUT", "TRL_E_PROTOCOL", "TRL_E_INTERNAL", "TRL_E_FORKED",
};

#define OLD_WINDOWS                                                                                        \
    "teleradyoloji needs Windows 10 / Server 2016 or later: this Windows has no ProcessPrng in "         \
    "bcryptprimitives.dll, which the library's Go runtime needs (loading it here would end the whole " \
    "process, so it was not loaded)."
#define OLD_WINDOWS_TR                                                                                     \
    "teleradyoloji: Windows 10 veya \xc3\xbc" "st\xc3\xbc gerekir "                                       \
    "(Windows Server 2016 veya \xc3\xbc" "st\xc3\xbc); bu Windows'ta bcryptprimitives.dll i\xc3\xa7inde "  \
    "ProcessPrng yok, k\xc3\xbct\xc3\xbcphane y\xc3\xbcklenmedi."

/* Copies s into out[1024], escaping what JSON needs (paths hold backslashes). */
static void json_escape(char out[1024], const char *s) {
    size_t n = 0;
    for (; *s && n + 7 < 1024; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[n++] = '\\';
            out[n++] = (char)ch;
        } else if (ch < 0x20) {
            n += (size_t)snprintf(out + n, 1024 - n, "\\u%04x", ch);
        } else {
            out[n++] = (char)ch;
        }
    }
    out[n] = 0;
}

/* Why the core is not loaded: the English and the Turkish text. */
static void set_failure(const char *en, const char *tr) {
    json_escape(failure, en);
    json_escape(failure_tr, tr);
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
    char msg[900], msg_tr[900], where[MAX_PATH * 3];
    if (!has_process_prng()) {
        set_failure(OLD_WINDOWS, OLD_WINDOWS_TR);
        return TRUE;
    }
    /* The core's full path: this DLL's folder + teleradyoloji-core.dll.  A
     * truncated path is told by the return value (MAX_PATH), never by
     * GetLastError, which may hold a stale code from an earlier call. */
    HMODULE self = NULL;
    wchar_t path[MAX_PATH + 32];
    DWORD len = 0;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)&load_core, &self) ||
        (len = GetModuleFileNameW(self, path, MAX_PATH)) == 0 || len >= MAX_PATH) {
        DWORD e = len >= MAX_PATH ? ERROR_INSUFFICIENT_BUFFER : GetLastError();
        snprintf(msg, sizeof msg, "teleradyoloji.dll cannot find its own path (error %lu)", e);
        snprintf(msg_tr, sizeof msg_tr, "teleradyoloji.dll kendi yolunu bulam\xc4\xb1yor (hata %lu)", e);
        set_failure(msg, msg_tr);
        return TRUE;
    }
    wchar_t *slash = wcsrchr(path, L'\\');
    if (slash == NULL) {
        set_failure("teleradyoloji.dll cannot find its own folder",
                    "teleradyoloji.dll kendi klas\xc3\xb6r\xc3\xbcn\xc3\xbc bulam\xc4\xb1yor");
        return TRUE;
    }
    wcscpy(slash + 1, CORE_NAME);
    utf8(path, where, (int)sizeof where);
    HMODULE m = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (m == NULL) {
        DWORD e = GetLastError();
        int bitness = e == ERROR_BAD_EXE_FORMAT;
        snprintf(msg, sizeof msg,
                 "teleradyoloji.dll could not load %s (error %lu%s); put teleradyoloji-core.dll of the same "
                 "version and bitness beside teleradyoloji.dll",
                 where, e, bitness ? ": wrong bitness, 32-bit and 64-bit DLLs mixed" : "");
        snprintf(msg_tr, sizeof msg_tr,
                 "teleradyoloji.dll %s dosyas\xc4\xb1n\xc4\xb1 y\xc3\xbckleyemedi (hata %lu%s); ayn\xc4\xb1 "
                 "s\xc3\xbcr\xc3\xbcm ve bit say\xc4\xb1s\xc4\xb1ndaki teleradyoloji-core.dll, teleradyoloji.dll "
                 "ile ayn\xc4\xb1 klas\xc3\xb6rde olmal\xc4\xb1",
                 where, e, bitness ? ": 32 bit ve 64 bit DLL'ler kar\xc4\xb1\xc5\x9ft\xc4\xb1r\xc4\xb1lm\xc4\xb1\xc5\x9f" : "");
        set_failure(msg, msg_tr);
        return TRUE;
    }
    HMODULE pinned;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_PIN, path, &pinned); /* never unloaded (pitfall 1) */
#define RESOLVE(name)                                                                                    \
    if ((core.name = (name##_fn)(void (*)(void))GetProcAddress(m, "trl_" #name)) == NULL) {            \
        snprintf(msg, sizeof msg, "%s has no trl_" #name ": it is not this version's core", where);     \
        snprintf(msg_tr, sizeof msg_tr, "%s i\xc3\xa7inde trl_" #name " yok: bu s\xc3\xbcr\xc3\xbcm\xc3\xbcn " \
                 "\xc3\xa7" "ekirde\xc4\x9fi de\xc4\x9fil", where);                                         \
        set_failure(msg, msg_tr);                                                                        \
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
    RESOLVE(prefetch_viewer_token)
#undef RESOLVE
    int32_t abi = core.abi_version();
    const char *v = core.version();
    if (abi != TRL_ABI_VERSION || v == NULL || strcmp(v, TRL_FRONT_VERSION) != 0) {
        snprintf(msg, sizeof msg, "%s is version %.40s (ABI %d) but teleradyoloji.dll is %s (ABI %d): ship both "
                 "files of one release", where, v ? v : "?", (int)abi, TRL_FRONT_VERSION, TRL_ABI_VERSION);
        snprintf(msg_tr, sizeof msg_tr, "%s s\xc3\xbcr\xc3\xbcm\xc3\xbc %.40s (ABI %d), teleradyoloji.dll ise %s "
                 "(ABI %d): iki dosyay\xc4\xb1 ayn\xc4\xb1 s\xc3\xbcr\xc3\xbcmden kurun",
                 where, v ? v : "?", (int)abi, TRL_FRONT_VERSION, TRL_ABI_VERSION);
        set_failure(msg, msg_tr);
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
        size_t size = strlen(failure) + strlen(failure_tr) + 160;
        char *s = malloc(size);
        if (s != NULL)
            snprintf(s, size, "{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\",\"message_tr\":\"%s\",\"retryable\":false}",
                     (int)status, status_names[status], failure, failure_tr);
        *err = s;
    }
    return status;
}

#define CLEAR(p)        \
    do {                \
        if ((p) != NULL) \
            *(p) = 0;   \
    } while (0)

EXPORT(int32_t) trl_abi_version(void) { return TRL_ABI_VERSION; }

EXPORT(const char *) trl_version(void) {
    FPU_GUARD;
    return ready() ? core.version() : TRL_FRONT_VERSION;
}

EXPORT(const char *) trl_status_name(int32_t status) {
    FPU_GUARD;
    if (ready())
        return core.status_name(status);
    return status >= 0 && status < (int32_t)(sizeof status_names / sizeof *status_names) ? status_names[status]
                                                                                         : "TRL_E_UNKNOWN";
}

EXPORT(void) trl_free(void *p) {
    FPU_GUARD;
    if (p == NULL)
        return;
    if (ready())
        core.free(p);
    else
        free(p); /* only this DLL's error JSON exists then */
}

EXPORT(int32_t) trl_client_new(const char *config_json, trl_client *out, char **err) {
    FPU_GUARD;
    if (ready())
        return core.client_new(config_json, out, err);
    CLEAR(out);
    CLEAR(err);
    return fail(TRL_E_CONFIG, err);
}

EXPORT(int32_t) trl_client_close(trl_client c) {
    FPU_GUARD;
    if (ready())
        return core.client_close(c);
    return c == 0 ? TRL_OK : TRL_E_BAD_HANDLE;
}

EXPORT(int32_t) trl_service_token(trl_client c, char **token, int64_t *expires_at_unix, char **err) {
    FPU_GUARD;
    if (ready())
        return core.service_token(c, token, expires_at_unix, err);
    CLEAR(token);
    CLEAR(expires_at_unix);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                 char **token, int64_t *expires_at_unix, char **err) {
    FPU_GUARD;
    if (ready())
        return core.viewer_token(c, doctor_tc, patient_tc, token, expires_at_unix, err);
    CLEAR(token);
    CLEAR(expires_at_unix);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_post_otac(trl_client c, const char *token, const char *accession, char **otac,
                              char **err) {
    FPU_GUARD;
    if (ready())
        return core.post_otac(c, token, accession, otac, err);
    CLEAR(otac);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_build_viewer_url(trl_client c, const char *otac, char **url, char **err) {
    FPU_GUARD;
    if (ready())
        return core.build_viewer_url(c, otac, url, err);
    CLEAR(url);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_viewer_url(trl_client c, const char *accession, const char *doctor_tc,
                               const char *patient_tc, char **url, char **err) {
    FPU_GUARD;
    if (ready())
        return core.viewer_url(c, accession, doctor_tc, patient_tc, url, err);
    CLEAR(url);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_call(trl_client c, const char *method, const char *path, const char *json_body,
                         int32_t *http_status, char **response, char **err) {
    FPU_GUARD;
    if (ready())
        return core.call(c, method, path, json_body, http_status, response, err);
    CLEAR(http_status);
    CLEAR(response);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_call_bytes(trl_client c, const char *method, const char *path,
                               const char *json_body, int32_t *http_status, char **response,
                               int64_t *response_len, char **err) {
    FPU_GUARD;
    if (ready())
        return core.call_bytes(c, method, path, json_body, http_status, response, response_len, err);
    CLEAR(http_status);
    CLEAR(response);
    CLEAR(response_len);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

/* Without the core no event can happen: a log function is accepted and never called. */
EXPORT(int32_t) trl_set_log(trl_log_fn fn, void *user_data, int32_t max_level) {
    FPU_GUARD;
    if (ready())
        return core.set_log(fn, user_data, max_level);
    return TRL_OK;
}

EXPORT(int32_t) trl_diagnose(trl_client c, char **report_json, char **err) {
    FPU_GUARD;
    if (ready())
        return core.diagnose(c, report_json, err);
    CLEAR(report_json);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}

EXPORT(int32_t) trl_prefetch_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc, char **err) {
    FPU_GUARD;
    if (ready())
        return core.prefetch_viewer_token(c, doctor_tc, patient_tc, err);
    CLEAR(err);
    return fail(TRL_E_BAD_HANDLE, err);
}
