/* test_fork.c -- fork() without exec from a threaded host (gunicorn
 * --preload, Celery prefork and multiprocessing's fork all do this): 3
 * threads keep calling in the parent while it forks 10 children; each child
 * calls from 4 threads.  Every call in a child fails at once with
 * TRL_E_FORKED and never reaches the sandbox; no child hangs; the parent's
 * calls all succeed and every postOTAC the sandbox saw is the parent's. */
#include "harness.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHILDREN 10
#define CHILD_THREADS 4

static trl_client client;
static int stop_parent, parent_ok, parent_failed;
static char parent_version[64];

static void *parent_worker(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&stop_parent, __ATOMIC_SEQ_CST)) {
        char *url = NULL, *err = NULL;
        if (trl_viewer_url(client, "ACC-FORK-PARENT", "12345678901", NULL, &url, &err) == TRL_OK)
            __atomic_add_fetch(&parent_ok, 1, __ATOMIC_SEQ_CST);
        else
            __atomic_add_fetch(&parent_failed, 1, __ATOMIC_SEQ_CST);
        trl_free(url);
        trl_free(err);
    }
    return NULL;
}

/* In a child: a call fails at once, clears its outputs and says why. */
static void *child_worker(void *arg) {
    int *ok = arg;
    char *url = (char *)1, *err = NULL;
    int32_t rc = trl_viewer_url(client, "ACC-FORK-CHILD", NULL, NULL, &url, &err);
    *ok = rc == TRL_E_FORKED && url == NULL && err && strstr(err, "\"name\":\"TRL_E_FORKED\"") &&
          strstr(err, "\"code\":10") && strstr(err, "fork") && !strstr(err, SANDBOX_PASSWORD) &&
          strstr(err, "\"message_tr\":\"K\xc3\xbct\xc3\xbcphane");
    trl_free(err);
    return NULL;
}

static int child_main(void) {
    alarm(20); /* a hang ends the child with SIGALRM: the parent sees it */
    pthread_t t[CHILD_THREADS];
    int ok[CHILD_THREADS] = {0};
    for (int i = 0; i < CHILD_THREADS; i++)
        if (pthread_create(&t[i], NULL, child_worker, &ok[i]) != 0)
            return 2;
    int good = 1;
    for (int i = 0; i < CHILD_THREADS; i++) {
        pthread_join(t[i], NULL);
        good &= ok[i];
    }
    trl_client c2 = 99;
    char *err = NULL, *tok = (char *)1;
    int64_t exp = 5;
    good &= trl_client_new("{}", &c2, &err) == TRL_E_FORKED && c2 == 0 && err != NULL;
    trl_free(err);
    err = NULL;
    good &= trl_service_token(client, &tok, &exp, &err) == TRL_E_FORKED && tok == NULL && exp == 0;
    trl_free(err);
    good &= trl_call_bytes(client, "GET", "echo", NULL, NULL, NULL, NULL, NULL) == TRL_E_FORKED;
    good &= trl_abi_version() == TRL_ABI_VERSION;
    good &= strcmp(trl_version(), parent_version) == 0;
    good &= strcmp(trl_status_name(TRL_E_FORKED), "TRL_E_FORKED") == 0;
    good &= trl_client_close(client) == TRL_E_FORKED;
    return good ? 0 : 1;
}

int main(void) {
    sandbox_init();
    remember_secret(SANDBOX_PASSWORD);
    h_test = "fork";
    sb_reset();
    client = new_client(NULL);
    snprintf(parent_version, sizeof parent_version, "%s", trl_version());
    char *url = NULL;
    CHECK_RC(trl_viewer_url(client, "ACC-FORK-PARENT", "12345678901", NULL, &url, NULL), TRL_OK);
    trl_free(url);
    /* The status names a child answers without Go are Go's. */
    static const char *go_names[TRL_E_FORKED + 2];
    for (int i = 0; i <= TRL_E_FORKED + 1; i++) go_names[i] = trl_status_name(i);

    pthread_t workers[3];
    for (int i = 0; i < 3; i++) pthread_create(&workers[i], NULL, parent_worker, NULL);
    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            int rc = child_main();
            for (int j = 0; rc == 0 && j <= TRL_E_FORKED + 1; j++)
                if (strcmp(trl_status_name(j), go_names[j]) != 0) rc = 3;
            _exit(rc);
        }
        CHECK(pids[i] > 0);
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < CHILDREN; i++) {
        int status = 0;
        CHECK(waitpid(pids[i], &status, 0) == pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fprintf(stderr, "  child %d: %s %d\n", i, WIFSIGNALED(status) ? "killed by signal" : "exit",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    __atomic_store_n(&stop_parent, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 3; i++) pthread_join(workers[i], NULL);

    /* A raw fork system call (Free Pascal's FpFork) runs no pthread_atfork
     * handler: the child is still told.  Single-threaded parent here, and
     * no err (no malloc), since libc's fork bookkeeping did not run. */
    pid_t raw = (pid_t)syscall(SYS_fork);
    if (raw == 0) {
        alarm(20);
        char *u = (char *)1;
        _exit(trl_viewer_url(client, "ACC-RAW-FORK", NULL, NULL, &u, NULL) == TRL_E_FORKED && u == NULL ? 0 : 1);
    }
    int raw_status = 0;
    CHECK(raw > 0 && waitpid(raw, &raw_status, 0) == raw);
    CHECK(WIFEXITED(raw_status) && WEXITSTATUS(raw_status) == 0);

    CHECK(parent_failed == 0 && parent_ok > 0);
    /* Every postOTAC the sandbox saw is the parent's: no child reached it. */
    CHECK(sb_stat("otac_requests") == parent_ok + 1);
    url = NULL;
    CHECK_RC(trl_viewer_url(client, "ACC-FORK-PARENT", "12345678901", NULL, &url, NULL), TRL_OK);
    trl_free(url);
    CHECK_RC(trl_client_close(client), TRL_OK);
    for (int i = 0; i < h_nsecrets; i++) free(h_secrets[i]);
    printf("%d passed, %d failed\n", h_passed, h_failed);
    return h_failed ? 1 : 0;
}
