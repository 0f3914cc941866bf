/* fake_library.c -- stand-ins for libteleradyoloji in the Delphi unit's
 * run-time loading tests (mk/delphi.mk builds each variant):
 *   -DFAKE_ABI=2            every trl_* function, but ABI version 2
 *   -DFAKE_ABI=1 -DNO_CALL_BYTES   an older library without trl_call_bytes
 * Built with -m32 from an empty file, the same name is a 32-bit library: the
 * wrong bitness. */
#ifdef FAKE_ABI
#include <stdint.h>
#include <stdlib.h>
int32_t trl_abi_version(void) { return FAKE_ABI; }
const char *trl_version(void) { return "0.0.0-fake"; }
const char *trl_status_name(int32_t s) { (void)s; return "TRL_E_UNKNOWN"; }
void trl_free(void *p) { free(p); }
int32_t trl_client_new(const char *j, uintptr_t *o, char **e) { (void)j, (void)o, (void)e; return 9; }
int32_t trl_client_close(uintptr_t c) { (void)c; return 3; }
int32_t trl_service_token(uintptr_t c, char **t, int64_t *x, char **e) { (void)c, (void)t, (void)x, (void)e; return 3; }
int32_t trl_viewer_token(uintptr_t c, const char *d, const char *p, char **t, int64_t *x, char **e) {
    (void)c, (void)d, (void)p, (void)t, (void)x, (void)e;
    return 3;
}
int32_t trl_post_otac(uintptr_t c, const char *t, const char *a, char **o, char **e) {
    (void)c, (void)t, (void)a, (void)o, (void)e;
    return 3;
}
int32_t trl_build_viewer_url(uintptr_t c, const char *o, char **u, char **e) { (void)c, (void)o, (void)u, (void)e; return 3; }
int32_t trl_viewer_url(uintptr_t c, const char *a, const char *d, const char *p, char **u, char **e) {
    (void)c, (void)a, (void)d, (void)p, (void)u, (void)e;
    return 3;
}
int32_t trl_call(uintptr_t c, const char *m, const char *p, const char *b, int32_t *s, char **r, char **e) {
    (void)c, (void)m, (void)p, (void)b, (void)s, (void)r, (void)e;
    return 3;
}
#ifndef NO_CALL_BYTES
int32_t trl_call_bytes(uintptr_t c, const char *m, const char *p, const char *b, int32_t *s, char **r, int64_t *l,
                       char **e) {
    (void)c, (void)m, (void)p, (void)b, (void)s, (void)r, (void)l, (void)e;
    return 3;
}
#endif
int32_t trl_set_log(void (*fn)(void *, int32_t, const char *), void *u, int32_t l) {
    (void)fn, (void)u, (void)l;
    return 0;
}
int32_t trl_diagnose(uintptr_t c, char **r, char **e) { (void)c, (void)r, (void)e; return 3; }
int32_t trl_prefetch_viewer_token(uintptr_t c, const char *d, const char *p, char **e) {
    (void)c, (void)d, (void)p, (void)e;
    return 3;
}
#else
int trl_fake_library_is_empty;
#endif
