/* test_fork.c -- fork() without exec from a threaded host (gunicorn
 * --preload, Celery prefork and multiprocessing's fork all do this): 3
 * threads keep calling in the parent while it forks 10 children; each child
 * calls from 4 threads.  Every call in a child fails at once with
 * TRL_E_FORKED and never reaches the sandbox; no child hangs; the parent's
 * calls all succeed and every postOTAC the sandbox saw is the parent's.
 * Then 3,000 raw-fork children (no pthread_atfork handler runs) each call
 * exit() while the parent logs heavily (clients made and closed, logging
 * turned off and on): none may hang in the library's exit-time code on a
 * log lock a parent thread held at the fork. */
#include "harness.h"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define CHILDREN 10
#define CHILD_THREADS 4
#define RAW_CHILDREN 3000
#define RAW_BATCH 30
#define RAW_CHILD_TIMEOUT_S 3
#define RAW_HUNG_ENOUGH 10

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

static long log_events;
static void TRL_CALL count_event(void *user_data, int32_t level, const char *json) {
    (void)user_data, (void)level, (void)json;
    __atomic_add_fetch(&log_events, 1, __ATOMIC_SEQ_CST); /* no stdio, no malloc: a child copies no lock */
}

/* Logs heavily: each client made and closed is two events, no network. */
static void *logging_worker(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&stop_parent, __ATOMIC_SEQ_CST)) {
        if (trl_client_close(new_client(NULL)) != TRL_OK)
            __atomic_add_fetch(&parent_failed, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

/* Turns logging off and on again and again: each time the delivery thread
 * ends and a new one starts. */
static void *log_toggler(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&stop_parent, __ATOMIC_SEQ_CST))
        if (trl_set_log(NULL, NULL, 0) != TRL_OK || trl_set_log(count_event, NULL, TRL_LOG_DEBUG) != TRL_OK)
            __atomic_add_fetch(&parent_failed, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Raw-fork children exit() while the parent's log thread delivers events;
 * each child has RAW_CHILD_TIMEOUT_S to end.  Returns the number that hung
 * (it stops early, after RAW_HUNG_ENOUGH: the run has failed by then). */
static int raw_fork_children_exit(int *others) {
    fflush(NULL); /* a child's exit() flushes its copy of stdio */
    int hung = 0;
    for (int done = 0; done < RAW_CHILDREN && hung < RAW_HUNG_ENOUGH; done += RAW_BATCH) {
        pid_t pids[RAW_BATCH];
        for (int i = 0; i < RAW_BATCH; i++) {
            pids[i] = (pid_t)syscall(SYS_fork);
            if (pids[i] == 0) {
                alarm(RAW_CHILD_TIMEOUT_S);
                exit(0); /* atexit handlers and the library's destructors run */
            }
        }
        for (int i = 0; i < RAW_BATCH; i++) {
            int status = 0;
            if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i])
                ++*others;
            else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
                hung++;
            else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                ++*others;
        }
    }
    return hung;
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

    CHECK_RC(trl_set_log(count_event, NULL, TRL_LOG_DEBUG), TRL_OK);
    __atomic_store_n(&stop_parent, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 3; i++) pthread_create(&workers[i], NULL, i ? logging_worker : log_toggler, NULL);
    while (__atomic_load_n(&log_events, __ATOMIC_SEQ_CST) < 100) {
        struct timespec pause = {0, 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    int others = 0, hung = raw_fork_children_exit(&others);
    __atomic_store_n(&stop_parent, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 3; i++) pthread_join(workers[i], NULL);
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
    printf("raw-fork children exiting while the parent logs (%ld events): %s%d of %d hung, %d failed otherwise\n",
           log_events, hung >= RAW_HUNG_ENOUGH ? "at least " : "", hung, RAW_CHILDREN, others);
    CHECK(hung == 0 && others == 0 && parent_failed == 0);
    url = NULL;
    CHECK_RC(trl_viewer_url(client, "ACC-FORK-PARENT", "12345678901", NULL, &url, NULL), TRL_OK);
    trl_free(url);
    CHECK_RC(trl_client_close(client), TRL_OK);
    for (int i = 0; i < h_nsecrets; i++) free(h_secrets[i]);
    printf("%d passed, %d failed\n", h_passed, h_failed);
    return h_failed ? 1 : 0;
}
