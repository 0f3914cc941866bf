/* test_host_threads.c -- what hosts do to their threads, in every thread
 * mode (plain and TELERADYOLOJI_THREAD_HANDOFF=1; make test also runs it
 * under valgrind):
 *  - a thread-exit destructor of the host that runs after the library's own
 *    and calls the library (a Python or .NET thread-local finaliser does);
 *  - pthread_cancel of a thread waiting in a call. */
#include "harness.h"

#include <signal.h>

#define EXITING 5

static trl_client client;
static pthread_key_t late_key;
static int late_ok;

/* Runs at thread exit, after the library's destructor (its key is older). */
static void late_destructor(void *p) {
    (void)p;
    char *url = NULL;
    if (trl_build_viewer_url(client, "late-OTAC", &url, NULL) == TRL_OK && url && strstr(url, "late-OTAC"))
        __atomic_add_fetch(&late_ok, 1, __ATOMIC_SEQ_CST);
    trl_free(url);
}

static void *exiting_thread(void *arg) {
    (void)arg;
    char *url = NULL;
    CHECK_RC(trl_build_viewer_url(client, "first-OTAC", &url, NULL), TRL_OK);
    trl_free(url);
    pthread_setspecific(late_key, (void *)1);
    return NULL;
}

static void test_call_from_thread_exit(void) {
    CHECK(pthread_key_create(&late_key, late_destructor) == 0);
    pthread_t t[EXITING];
    for (int i = 0; i < EXITING; i++) CHECK(pthread_create(&t[i], NULL, exiting_thread, NULL) == 0);
    for (int i = 0; i < EXITING; i++) pthread_join(t[i], NULL);
    CHECK(late_ok == EXITING);
}

static int cancel_returned = -1;

static void *cancelled_thread(void *arg) {
    (void)arg;
    char *url = NULL, *err = NULL;
    int32_t rc = trl_viewer_url(client, "ACC-CANCEL", NULL, NULL, &url, &err);
    __atomic_store_n(&cancel_returned, rc, __ATOMIC_SEQ_CST);
    trl_free(url);
    trl_free(err);
    for (;;) pause(); /* a cancellation point: the pending cancel acts here */
    return NULL;
}

/* A thread cancelled while it waits in a call: the call completes (its
 * outputs land in a live thread), then the cancel acts; the library goes on
 * serving other threads. */
static void test_cancel_waiting_caller(void) {
    sb_fault("{\"target\":\"otac\",\"kind\":\"latency\",\"delay_ms\":600,\"count\":1}");
    pthread_t t;
    CHECK(pthread_create(&t, NULL, cancelled_thread, NULL) == 0);
    struct timespec d = {0, 200 * 1000 * 1000};
    nanosleep(&d, NULL);
    CHECK(pthread_cancel(t) == 0);
    void *res = NULL;
    CHECK(pthread_join(t, &res) == 0);
    CHECK(res == PTHREAD_CANCELED);
    CHECK(__atomic_load_n(&cancel_returned, __ATOMIC_SEQ_CST) == TRL_OK);
    char *url = NULL;
    CHECK_RC(trl_viewer_url(client, "ACC-AFTER", NULL, NULL, &url, NULL), TRL_OK);
    trl_free(url);
}

int main(void) {
    alarm(60); /* a deadlock fails the test instead of hanging make */
    sandbox_init();
    remember_secret(SANDBOX_PASSWORD);
    client = new_client(NULL);
    RUN(test_call_from_thread_exit);
    RUN(test_cancel_waiting_caller);
    CHECK_RC(trl_client_close(client), TRL_OK);
    for (int i = 0; i < h_nsecrets; i++) free(h_secrets[i]);
    printf("%d passed, %d failed\n", h_passed, h_failed);
    return h_failed ? 1 : 0;
}
