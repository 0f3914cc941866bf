/*
 * shim.c -- the exported trl_* symbols of include/teleradyoloji.h.
 *
 * Each one calls its trlgo_* twin in exports.go.  Before a thread's first
 * call into Go the shim takes one process-wide lock and makes a cheap Go
 * call, so that no two threads bind to the Go runtime at once.  A host whose
 * garbage collector suspends threads (Mono) otherwise deadlocks with a
 * thread waiting inside the Go runtime for a free slot (DESIGN.md pitfall 8).
 * trl_free never enters Go.
 */
#define TRL_BUILDING_LIBRARY 1
#include <stdlib.h>
#include "../include/teleradyoloji.h"
#include "_cgo_export.h"

#if defined(_WIN32)
#include <windows.h>
static SRWLOCK first_call_lock = SRWLOCK_INIT;
#define LOCK() AcquireSRWLockExclusive(&first_call_lock)
#define UNLOCK() ReleaseSRWLockExclusive(&first_call_lock)
#define THREAD_LOCAL __thread
#else
#include <pthread.h>
static pthread_mutex_t first_call_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&first_call_lock)
#define UNLOCK() pthread_mutex_unlock(&first_call_lock)
#define THREAD_LOCAL __thread
#endif

static THREAD_LOCAL int thread_entered;

static void enter_go(void) {
    if (__builtin_expect(thread_entered, 1))
        return;
    LOCK();
    (void)trlgo_abi_version();
    UNLOCK();
    thread_entered = 1;
}

TRL_EXTERN int32_t TRL_CALL trl_abi_version(void) {
    enter_go();
    return trlgo_abi_version();
}

TRL_EXTERN const char *TRL_CALL trl_version(void) {
    enter_go();
    return trlgo_version();
}

TRL_EXTERN const char *TRL_CALL trl_status_name(int32_t status) {
    enter_go();
    return trlgo_status_name(status);
}

TRL_EXTERN void TRL_CALL trl_free(void *p) {
    free(p); /* every string was malloc'd by this library's C runtime */
}

TRL_EXTERN int32_t TRL_CALL trl_client_new(const char *config_json, trl_client *out, char **err) {
    enter_go();
    return trlgo_client_new((char *)config_json, out, err);
}

TRL_EXTERN int32_t TRL_CALL trl_client_close(trl_client c) {
    enter_go();
    return trlgo_client_close(c);
}

TRL_EXTERN int32_t TRL_CALL trl_service_token(trl_client c, char **token, int64_t *expires_at_unix,
                                              char **err) {
    enter_go();
    return trlgo_service_token(c, token, expires_at_unix, err);
}

TRL_EXTERN int32_t TRL_CALL trl_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                             char **token, int64_t *expires_at_unix, char **err) {
    enter_go();
    return trlgo_viewer_token(c, (char *)doctor_tc, (char *)patient_tc, token, expires_at_unix, err);
}

TRL_EXTERN int32_t TRL_CALL trl_post_otac(trl_client c, const char *token, const char *accession,
                                          char **otac, char **err) {
    enter_go();
    return trlgo_post_otac(c, (char *)token, (char *)accession, otac, err);
}

TRL_EXTERN int32_t TRL_CALL trl_build_viewer_url(trl_client c, const char *otac, char **url, char **err) {
    enter_go();
    return trlgo_build_viewer_url(c, (char *)otac, url, err);
}

TRL_EXTERN int32_t TRL_CALL trl_viewer_url(trl_client c, const char *accession, const char *doctor_tc,
                                           const char *patient_tc, char **url, char **err) {
    enter_go();
    return trlgo_viewer_url(c, (char *)accession, (char *)doctor_tc, (char *)patient_tc, url, err);
}

TRL_EXTERN int32_t TRL_CALL trl_call(trl_client c, const char *method, const char *path,
                                     const char *json_body, int32_t *http_status, char **response,
                                     char **err) {
    enter_go();
    return trlgo_call(c, (char *)method, (char *)path, (char *)json_body, http_status, response, err);
}
