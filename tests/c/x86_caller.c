/* x86_caller.c -- links against the x86 import library (windows/check_x86.sh).
 * Built as is, every function is declared __cdecl (by hand, not from the
 * header) and the link must succeed.  With -DAS_STDCALL the same calls are
 * declared __stdcall, as a 32-bit caller that forgot cdecl would (.NET x86's
 * default): the link must fail, which shows the library's symbols are cdecl
 * (_trl_x), not stdcall (_trl_x@N). */
#include <stdint.h>
#ifdef AS_STDCALL
#define CC __stdcall
#else
#define CC __cdecl
#endif
__declspec(dllimport) int32_t CC trl_abi_version(void);
__declspec(dllimport) const char *CC trl_version(void);
__declspec(dllimport) const char *CC trl_status_name(int32_t status);
__declspec(dllimport) void CC trl_free(void *p);
__declspec(dllimport) int32_t CC trl_client_new(const char *config_json, uintptr_t *out, char **err);
__declspec(dllimport) int32_t CC trl_client_close(uintptr_t c);
__declspec(dllimport) int32_t CC trl_service_token(uintptr_t c, char **token, int64_t *exp, char **err);
__declspec(dllimport) int32_t CC trl_viewer_token(uintptr_t c, const char *d, const char *p, char **token,
                                                  int64_t *exp, char **err);
__declspec(dllimport) int32_t CC trl_post_otac(uintptr_t c, const char *token, const char *acc, char **otac,
                                               char **err);
__declspec(dllimport) int32_t CC trl_build_viewer_url(uintptr_t c, const char *otac, char **url, char **err);
__declspec(dllimport) int32_t CC trl_viewer_url(uintptr_t c, const char *acc, const char *d, const char *p,
                                                char **url, char **err);
__declspec(dllimport) int32_t CC trl_call(uintptr_t c, const char *m, const char *path, const char *body,
                                          int32_t *st, char **resp, char **err);
__declspec(dllimport) int32_t CC trl_call_bytes(uintptr_t c, const char *m, const char *path, const char *body,
                                                int32_t *st, char **resp, int64_t *len, char **err);
typedef void(CC *log_fn)(void *user_data, int32_t level, const char *event_json);
__declspec(dllimport) int32_t CC trl_set_log(log_fn fn, void *user_data, int32_t max_level);
__declspec(dllimport) int32_t CC trl_diagnose(uintptr_t c, char **report, char **err);
__declspec(dllimport) int32_t CC trl_prefetch_viewer_token(uintptr_t c, const char *d, const char *p, char **err);

int main(void) {
    uintptr_t c = 0;
    char *s = 0;
    int64_t n = 0;
    int32_t st = 0;
    int32_t r = trl_abi_version();
    r += trl_version() != 0;
    r += trl_status_name(0) != 0;
    r += trl_client_new("{}", &c, &s);
    r += trl_service_token(c, &s, &n, &s);
    r += trl_viewer_token(c, 0, 0, &s, &n, &s);
    r += trl_post_otac(c, "t", "a", &s, &s);
    r += trl_build_viewer_url(c, "o", &s, &s);
    r += trl_viewer_url(c, "a", 0, 0, &s, &s);
    r += trl_call(c, "GET", "x", 0, &st, &s, &s);
    r += trl_call_bytes(c, "GET", "x", 0, &st, &s, &n, &s);
    r += trl_set_log(0, 0, 0);
    r += trl_diagnose(c, &s, &s);
    r += trl_prefetch_viewer_token(c, 0, 0, &s);
    r += trl_client_close(c);
    trl_free(s);
    return (int)r;
}
