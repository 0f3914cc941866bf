/*
 * shim.c -- the exported trl_* symbols of include/teleradyoloji.h.
 *
 * Each one calls its trlgo_* twin in exports.go, in one of two ways:
 *
 * - Directly on the calling thread (the default).  Before a thread's first
 *   call into Go the shim takes one process-wide lock and makes a cheap Go
 *   call, so that no two threads bind to the Go runtime at once.
 *
 * - Handed off to a library-owned thread paired with the calling thread
 *   (POSIX only; automatic when the host is Mono, or forced with
 *   TELERADYOLOJI_THREAD_HANDOFF=1, off with =0).  The caller only waits on a
 *   condition variable and never runs Go code.  Mono's garbage collector
 *   suspends every thread it knows with a signal, also threads inside a
 *   P/Invoke: a thread paused inside the Go runtime (holding a P, or binding
 *   itself to the runtime with signals blocked) can then deadlock the
 *   collector and Go (DESIGN.md pitfall 8).  Library-owned threads are unknown
 *   to Mono, so it never pauses them.
 *
 * trl_free never enters Go.
 */
#define TRL_BUILDING_LIBRARY 1
#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include <stdlib.h>
#include "../include/teleradyoloji.h"
#include "_cgo_export.h"

#if defined(_WIN32)
#include <windows.h>
static SRWLOCK first_call_lock = SRWLOCK_INIT;
#define LOCK() AcquireSRWLockExclusive(&first_call_lock)
#define UNLOCK() ReleaseSRWLockExclusive(&first_call_lock)
#else
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
static pthread_mutex_t first_call_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&first_call_lock)
#define UNLOCK() pthread_mutex_unlock(&first_call_lock)
#endif

static __thread int thread_entered;

static void enter_go(void) {
    if (__builtin_expect(thread_entered, 1))
        return;
    LOCK();
    (void)trlgo_abi_version();
    UNLOCK();
    thread_entered = 1;
}

/* A call packed for run(): fn calls the trlgo_* function with a's fields. */
typedef int32_t (*thunk_fn)(void *a);

#if defined(_WIN32)
static int32_t run(thunk_fn fn, void *a) {
    enter_go();
    return fn(a);
}
#else
/* The library-owned thread paired with one calling thread. */
struct worker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* IDLE, POSTED (fn/a set), DONE (result set), EXIT */
    thunk_fn fn;
    void *a;
    int32_t result;
};
enum { IDLE, POSTED, DONE, EXIT };

static pthread_once_t handoff_once = PTHREAD_ONCE_INIT;
static int handoff;
static pthread_key_t worker_key;
static __thread struct worker *my_worker;

/* The calling thread ended: its worker ends too. */
static void worker_release(void *p) {
    struct worker *w = p;
    pthread_mutex_lock(&w->mu);
    w->state = EXIT;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static void handoff_init(void) {
    const char *env = getenv("TELERADYOLOJI_THREAD_HANDOFF");
    if (env && *env)
        handoff = strcmp(env, "0") != 0;
    else
        handoff = dlsym(RTLD_DEFAULT, "mono_thread_attach") != NULL;
    if (handoff && pthread_key_create(&worker_key, worker_release) != 0)
        handoff = 0;
}

static void *worker_main(void *p) {
    struct worker *w = p;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->state == IDLE || w->state == DONE)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->state == EXIT)
            break;
        pthread_mutex_unlock(&w->mu);
        enter_go();
        int32_t r = w->fn(w->a);
        pthread_mutex_lock(&w->mu);
        w->result = r;
        w->state = DONE;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return NULL;
}

/* my_worker_or_null starts this thread's worker on first use; NULL when no
 * thread can be started (then the call runs directly). */
static struct worker *my_worker_or_null(void) {
    if (my_worker)
        return my_worker;
    struct worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    my_worker = w;
    pthread_setspecific(worker_key, w);
    return w;
}

static int32_t run(thunk_fn fn, void *a) {
    pthread_once(&handoff_once, handoff_init);
    struct worker *w = handoff ? my_worker_or_null() : NULL;
    if (!w) {
        enter_go();
        return fn(a);
    }
    pthread_mutex_lock(&w->mu);
    w->fn = fn;
    w->a = a;
    w->state = POSTED;
    pthread_cond_broadcast(&w->cv);
    while (w->state != DONE)
        pthread_cond_wait(&w->cv, &w->mu);
    int32_t r = w->result;
    w->state = IDLE;
    pthread_mutex_unlock(&w->mu);
    return r;
}
#endif

/* THUNK(name, {fields}, call) declares the argument struct of a call and the
 * thunk that makes it on whichever thread runs it (one field a declaration:
 * no commas inside the braces). */
#define THUNK(name, fields, call)                     \
    struct name##_args fields;                        \
    static int32_t name##_thunk(void *p) {            \
        struct name##_args *a = p;                    \
        (void)a;                                      \
        return call;                                  \
    }

THUNK(abi_version, {int32_t unused;}, trlgo_abi_version())
TRL_EXTERN int32_t TRL_CALL trl_abi_version(void) {
    struct abi_version_args a = {0};
    return run(abi_version_thunk, &a);
}

THUNK(version, {const char *out;}, (a->out = trlgo_version(), 0))
TRL_EXTERN const char *TRL_CALL trl_version(void) {
    struct version_args a = {NULL};
    run(version_thunk, &a);
    return a.out;
}

THUNK(status_name, {int32_t status; const char *out;}, (a->out = trlgo_status_name(a->status), 0))
TRL_EXTERN const char *TRL_CALL trl_status_name(int32_t status) {
    struct status_name_args a = {status, NULL};
    run(status_name_thunk, &a);
    return a.out;
}

TRL_EXTERN void TRL_CALL trl_free(void *p) {
    free(p); /* every string was malloc'd by this library's C runtime */
}

THUNK(client_new, {const char *config_json; trl_client *out; char **err;},
      trlgo_client_new((char *)a->config_json, a->out, a->err))
TRL_EXTERN int32_t TRL_CALL trl_client_new(const char *config_json, trl_client *out, char **err) {
    struct client_new_args a = {config_json, out, err};
    return run(client_new_thunk, &a);
}

THUNK(client_close, {trl_client c;}, trlgo_client_close(a->c))
TRL_EXTERN int32_t TRL_CALL trl_client_close(trl_client c) {
    struct client_close_args a = {c};
    return run(client_close_thunk, &a);
}

THUNK(service_token, {trl_client c; char **token; int64_t *expires_at_unix; char **err;},
      trlgo_service_token(a->c, a->token, a->expires_at_unix, a->err))
TRL_EXTERN int32_t TRL_CALL trl_service_token(trl_client c, char **token, int64_t *expires_at_unix,
                                              char **err) {
    struct service_token_args a = {c, token, expires_at_unix, err};
    return run(service_token_thunk, &a);
}

THUNK(viewer_token,
      {trl_client c; const char *doctor_tc; const char *patient_tc; char **token; int64_t *expires_at_unix; char **err;},
      trlgo_viewer_token(a->c, (char *)a->doctor_tc, (char *)a->patient_tc, a->token, a->expires_at_unix,
                         a->err))
TRL_EXTERN int32_t TRL_CALL trl_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                             char **token, int64_t *expires_at_unix, char **err) {
    struct viewer_token_args a = {c, doctor_tc, patient_tc, token, expires_at_unix, err};
    return run(viewer_token_thunk, &a);
}

THUNK(post_otac, {trl_client c; const char *token; const char *accession; char **otac; char **err;},
      trlgo_post_otac(a->c, (char *)a->token, (char *)a->accession, a->otac, a->err))
TRL_EXTERN int32_t TRL_CALL trl_post_otac(trl_client c, const char *token, const char *accession,
                                          char **otac, char **err) {
    struct post_otac_args a = {c, token, accession, otac, err};
    return run(post_otac_thunk, &a);
}

THUNK(build_viewer_url, {trl_client c; const char *otac; char **url; char **err;},
      trlgo_build_viewer_url(a->c, (char *)a->otac, a->url, a->err))
TRL_EXTERN int32_t TRL_CALL trl_build_viewer_url(trl_client c, const char *otac, char **url, char **err) {
    struct build_viewer_url_args a = {c, otac, url, err};
    return run(build_viewer_url_thunk, &a);
}

THUNK(viewer_url, {trl_client c; const char *accession; const char *doctor_tc; const char *patient_tc; char **url; char **err;},
      trlgo_viewer_url(a->c, (char *)a->accession, (char *)a->doctor_tc, (char *)a->patient_tc, a->url, a->err))
TRL_EXTERN int32_t TRL_CALL trl_viewer_url(trl_client c, const char *accession, const char *doctor_tc,
                                           const char *patient_tc, char **url, char **err) {
    struct viewer_url_args a = {c, accession, doctor_tc, patient_tc, url, err};
    return run(viewer_url_thunk, &a);
}

THUNK(call,
      {trl_client c; const char *method; const char *path; const char *json_body; int32_t *http_status; char **response; char **err;},
      trlgo_call(a->c, (char *)a->method, (char *)a->path, (char *)a->json_body, a->http_status, a->response,
                 a->err))
TRL_EXTERN int32_t TRL_CALL trl_call(trl_client c, const char *method, const char *path,
                                     const char *json_body, int32_t *http_status, char **response,
                                     char **err) {
    struct call_args a = {c, method, path, json_body, http_status, response, err};
    return run(call_thunk, &a);
}

THUNK(call_bytes,
      {trl_client c; const char *method; const char *path; const char *json_body; int32_t *http_status; char **response; int64_t *response_len; char **err;},
      trlgo_call_bytes(a->c, (char *)a->method, (char *)a->path, (char *)a->json_body, a->http_status, a->response,
                       a->response_len, a->err))
TRL_EXTERN int32_t TRL_CALL trl_call_bytes(trl_client c, const char *method, const char *path,
                                           const char *json_body, int32_t *http_status, char **response,
                                           int64_t *response_len, char **err) {
    struct call_bytes_args a = {c, method, path, json_body, http_status, response, response_len, err};
    return run(call_bytes_thunk, &a);
}
