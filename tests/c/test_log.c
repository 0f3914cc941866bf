/* test_log.c -- trl_set_log and trl_diagnose from C, against the sandbox
 * (run it under scripts/with-sandbox.sh).  Events arrive in order; none
 * holds a secret or a full identity number; a blocked log function never
 * holds up a call (counted: calls complete while it is blocked, and the
 * drops are reported); trl_set_log waits for a running log function; calls
 * from inside it are refused; the doctor's report.  Prints "N passed, M
 * failed". */
#include "harness.h"

#ifndef _WIN32
#include <signal.h>
#include <sys/wait.h>
#endif

#define DOCTOR "12345678901"
#define PATIENT "98765432109"
#define SLOW_CALLS 3000

/* ---- the events the log function received ---- */

#define MAX_EVENTS 50000
static char *events[MAX_EVENTS];
static int nevents;
static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static int tag; /* user_data */
static int bad_user_data;

/* the gate: while blocked, the log function waits inside */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_closed, waiting_at_gate;

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void TRL_CALL collect(void *user_data, int32_t level, const char *json) {
    if (user_data != &tag) __atomic_add_fetch(&bad_user_data, 1, __ATOMIC_SEQ_CST);
    (void)level;
    pthread_mutex_lock(&ev_mu);
    if (nevents < MAX_EVENTS) events[nevents++] = strdup(json);
    pthread_mutex_unlock(&ev_mu);
    pthread_mutex_lock(&gate_mu);
    while (gate_closed) {
        waiting_at_gate = 1;
        pthread_cond_broadcast(&gate_cv);
        pthread_cond_wait(&gate_cv, &gate_mu);
    }
    waiting_at_gate = 0;
    pthread_mutex_unlock(&gate_mu);
}

static void gate(int closed) {
    pthread_mutex_lock(&gate_mu);
    gate_closed = closed;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

/* wait_at_gate waits (10 s at most) until the log function is blocked. */
static int wait_at_gate(void) {
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&gate_mu);
        int w = waiting_at_gate;
        pthread_mutex_unlock(&gate_mu);
        if (w) return 1;
        sleep_ms(10);
    }
    return 0;
}

static void clear_events(void) {
    pthread_mutex_lock(&ev_mu);
    for (int i = 0; i < nevents; i++) free(events[i]);
    nevents = 0;
    pthread_mutex_unlock(&ev_mu);
}

static int count_events(void) {
    pthread_mutex_lock(&ev_mu);
    int n = nevents;
    pthread_mutex_unlock(&ev_mu);
    return n;
}

/* find_event returns the index of the first event named name at or after
 * from, or -1. */
static int find_event(const char *name, int from) {
    char pat[96];
    snprintf(pat, sizeof pat, "{\"event\":\"%s\"", name);
    pthread_mutex_lock(&ev_mu);
    int found = -1;
    for (int i = from < 0 ? 0 : from; i < nevents && found < 0; i++)
        if (strncmp(events[i], pat, strlen(pat)) == 0) found = i;
    pthread_mutex_unlock(&ev_mu);
    return found;
}

/* wait_event waits (10 s at most: a bound, not a timing) for an event. */
static int wait_event(const char *name) {
    for (int i = 0; i < 1000; i++) {
        int at = find_event(name, 0);
        if (at >= 0) return at;
        sleep_ms(10);
    }
    fprintf(stderr, "  no %s event after 10 s\n", name);
    return -1;
}

/* in_order: each name appears after the previous one. */
static int in_order(const char *const *names) {
    int at = 0;
    for (; *names; names++) {
        int i = find_event(*names, at);
        if (i < 0) {
            fprintf(stderr, "  %s missing (in order)\n", *names);
            return 0;
        }
        at = i + 1;
    }
    return 1;
}

/* check_events: every event is an object with event, level, message, and
 * holds no secret the run saw. */
static void check_events(void) {
    pthread_mutex_lock(&ev_mu);
    pthread_mutex_lock(&h_secret_mu);
    for (int i = 0; i < nevents; i++) {
        const char *e = events[i];
        size_t n = strlen(e);
        CHECK(n > 2 && e[0] == '{' && e[n - 1] == '}');
        CHECK(strncmp(e, "{\"event\":\"", 10) == 0 && strstr(e, "\"level\":") && strstr(e, "\"message\":\""));
        for (int s = 0; s < h_nsecrets; s++) {
            if (strstr(e, h_secrets[s])) {
                fprintf(stderr, "FAIL %s: a secret (#%d) appears in an event\n", h_test, s);
                h_failed++;
            }
        }
    }
    pthread_mutex_unlock(&h_secret_mu);
    pthread_mutex_unlock(&ev_mu);
}

/* ---- tests ---- */

static void test_arguments(void) {
    CHECK_RC(trl_set_log(collect, &tag, 0), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_set_log(collect, &tag, 5), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_set_log(NULL, NULL, 99), TRL_OK); /* off: the level does not matter */
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
}

static void test_events_in_order(void) {
    clear_events();
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_DEBUG), TRL_OK);
    trl_client c = new_client("\"prewarm\":false");
    char *tok = NULL, *tok2 = NULL, *url = NULL, *vt = NULL, *resp = NULL, *err = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_OK);
    remember_secret(tok);
    CHECK_RC(trl_service_token(c, &tok2, NULL, &err), TRL_OK);
    CHECK_RC(trl_viewer_url(c, "ACC-LOG-1", DOCTOR, PATIENT, &url, &err), TRL_OK);
    remember_secret(url);
    if (url && strstr(url, "otac=")) remember_secret(strstr(url, "otac=") + 5);
    CHECK_RC(trl_viewer_token(c, DOCTOR, PATIENT, &vt, NULL, &err), TRL_OK);
    remember_secret(vt);
    CHECK_RC(trl_call(c, "GET", "echo/x?tc=" DOCTOR, NULL, NULL, &resp, &err), TRL_OK);
    CHECK_RC(trl_client_close(c), TRL_OK);
    CHECK(wait_event("client.closed") >= 0);
    const char *order[] = {"client.created", "conn.opened", "token.fetched", "token.cache_hit", "token.fetched",
                           "otac.issued", "token.cache_hit", "call.done", "client.closed", NULL};
    CHECK(in_order(order));
    const char *kinds[] = {"http.exchange", "conn.reused", NULL};
    CHECK(in_order(kinds));
    int at = find_event("token.fetched", find_event("token.fetched", 0) + 1); /* the viewer token */
    pthread_mutex_lock(&ev_mu);
    CHECK(at >= 0 && strstr(events[at], "\"kind\":\"viewer\"") && strstr(events[at], "\"doctor\":\"123******01\"") &&
          strstr(events[at], "\"patient\":\"987******09\"") && strstr(events[at], "\"level\":3"));
    pthread_mutex_unlock(&ev_mu);
    CHECK(!bad_user_data);
    check_events();
    trl_free(tok);
    trl_free(tok2);
    trl_free(url);
    trl_free(vt);
    trl_free(resp);
    trl_free(err);

    /* Levels: at WARN a cache hit (DEBUG) and a fetch (INFO) say nothing; a retry does. */
    clear_events();
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_WARN), TRL_OK);
    c = new_client("\"prewarm\":false");
    sb_fault("{\"target\":\"token\",\"kind\":\"status\",\"status\":503,\"count\":1}");
    tok = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    trl_free(tok);
    CHECK_RC(trl_client_close(c), TRL_OK);
    CHECK(wait_event("http.retry") >= 0);
    CHECK(find_event("token.fetched", 0) < 0 && find_event("token.cache_hit", 0) < 0);
    pthread_mutex_lock(&ev_mu);
    for (int i = 0; i < nevents; i++) CHECK(strstr(events[i], "\"level\":1") || strstr(events[i], "\"level\":2"));
    pthread_mutex_unlock(&ev_mu);
    check_events();
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
}

/* A log function that is blocked holds up no call: SLOW_CALLS calls (each
 * makes an event) complete while it stays blocked; the queue keeps 1024
 * events and the rest are dropped and reported. */
static void test_slow_log_function(void) {
    clear_events();
    trl_client c = new_client("\"prewarm\":false");
    char *tok = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, NULL), TRL_OK); /* cached: the calls below are cache hits */
    remember_secret(tok);
    trl_free(tok);
    gate(1);
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_DEBUG), TRL_OK);
    tok = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, NULL), TRL_OK);
    trl_free(tok);
    CHECK(wait_at_gate());
    int done = 0;
    for (int i = 0; i < SLOW_CALLS; i++) {
        tok = NULL;
        if (trl_service_token(c, &tok, NULL, NULL) == TRL_OK) done++;
        trl_free(tok);
    }
    CHECK(done == SLOW_CALLS);
    pthread_mutex_lock(&gate_mu);
    int still_blocked = waiting_at_gate;
    pthread_mutex_unlock(&gate_mu);
    CHECK(still_blocked);        /* every call completed while the log function was blocked */
    CHECK(count_events() == 1);  /* the one it is blocked in */
    gate(0);
    int at = wait_event("log.dropped");
    CHECK(at >= 0);
    if (at >= 0) {
        long dropped = json_int(events[at], "dropped");
        int hits = 0;
        for (int from = 0; (from = find_event("token.cache_hit", from)) >= 0; from++) hits++;
        /* every event was delivered or counted as dropped */
        fprintf(stderr, "  (blocked log function: %d calls done, %d cache hits delivered, %ld dropped)\n", done, hits,
                dropped);
        CHECK(dropped >= SLOW_CALLS - 1024 - 1);
        CHECK(hits + dropped >= SLOW_CALLS);
        CHECK(strstr(events[at], "\"level\":2") != NULL);
    }
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
    trl_client_close(c);
}

struct set_log_call {
    trl_log_fn fn;
    int returned;
};

static void *set_log_thread(void *p) {
    struct set_log_call *a = p;
    trl_set_log(a->fn, &tag, TRL_LOG_DEBUG);
    __atomic_store_n(&a->returned, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* trl_set_log returns only once the previous function is done: then its
 * user_data may go. */
static void test_set_log_waits(void) {
    clear_events();
    trl_client c = new_client("\"prewarm\":false");
    gate(1);
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_DEBUG), TRL_OK);
    char *tok = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    trl_free(tok);
    CHECK(wait_at_gate());
    struct set_log_call a = {NULL, 0};
    pthread_t t;
    pthread_create(&t, NULL, set_log_thread, &a);
    sleep_ms(200);
    CHECK(!__atomic_load_n(&a.returned, __ATOMIC_SEQ_CST)); /* still inside the old function */
    gate(0);
    pthread_join(t, NULL);
    CHECK(a.returned);
    int n = count_events();
    for (int i = 0; i < 50; i++) {
        tok = NULL;
        trl_service_token(c, &tok, NULL, NULL);
        trl_free(tok);
    }
    sleep_ms(100);
    CHECK(count_events() == n); /* off: nothing more */
    trl_client_close(c);
}

/* From inside the log function every call but trl_set_log is refused
 * before any Go code runs (the thread must never enter the Go runtime). */
static trl_client inner_client;
static int32_t inner_rc = -1, inner_set_rc = -1, inner_abi = -1;
static char inner_err[512];
static int inner_calls;

static void TRL_CALL reentrant(void *user_data, int32_t level, const char *json) {
    (void)user_data;
    (void)level;
    (void)json;
    if (__atomic_add_fetch(&inner_calls, 1, __ATOMIC_SEQ_CST) != 1) return;
    char *tok = (char *)1, *err = NULL;
    inner_rc = trl_service_token(inner_client, &tok, NULL, &err);
    snprintf(inner_err, sizeof inner_err, "%s", err ? err : "");
    trl_free(err);
    inner_abi = trl_abi_version();
    inner_set_rc = trl_set_log(reentrant, NULL, TRL_LOG_DEBUG); /* allowed */
}

static void test_calls_from_the_log_function(void) {
    inner_client = new_client("\"prewarm\":false");
    CHECK_RC(trl_set_log(reentrant, NULL, TRL_LOG_DEBUG), TRL_OK);
    char *tok = NULL;
    CHECK_RC(trl_service_token(inner_client, &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    trl_free(tok);
    for (int i = 0; i < 1000 && __atomic_load_n(&inner_set_rc, __ATOMIC_SEQ_CST) == -1; i++) sleep_ms(10);
    CHECK_RC(inner_rc, TRL_E_INVALID_ARGUMENT);
    check_err(inner_err, TRL_E_INVALID_ARGUMENT);
    CHECK(strstr(inner_err, "log function") != NULL);
    CHECK(inner_abi == TRL_ABI_VERSION);
    CHECK_RC(inner_set_rc, TRL_OK);
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
    trl_client_close(inner_client);
}

/* fault_url asks the sandbox for a fault server; its base URL in out. */
static void fault_url(const char *kind, char *out, size_t cap) {
    char body[128], resp[512];
    snprintf(body, sizeof body, "{\"kind\":\"%s\"}", kind);
    CHECK(http_raw("POST", "/_sandbox/fault_server", body, resp, sizeof resp) == 200);
    const char *u = strstr(resp, "\"url\":\"");
    snprintf(out, cap, "%s", u ? u + 7 : "");
    char *q = strchr(out, '"');
    if (q) *q = 0;
}

/* step_failed: the report has step/target with "ok":false (not skipped). */
static int step_failed(const char *rep, const char *step, const char *target) {
    char pat[128];
    snprintf(pat, sizeof pat, "{\"step\":\"%s\",\"target\":\"%s\",\"ok\":false,\"ms\"", step, target);
    return rep && strstr(rep, pat) != NULL;
}

static void test_diagnose(void) {
    clear_events();
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_INFO), TRL_OK);
    trl_client c = new_client(NULL);
    char *rep = (char *)1, *err = NULL;
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(err == NULL);
    CHECK(rep && strncmp(rep, "{\"ok\":true,\"steps\":[{\"step\":\"config\"", 34) == 0);
    const char *order[] = {"\"step\":\"proxy\"", "\"step\":\"dns\"", "\"step\":\"tcp\"", "\"step\":\"tls\"",
                           "\"step\":\"http\"", "\"step\":\"clock\"", "\"step\":\"credentials\"",
                           "\"step\":\"api_call\"", NULL};
    const char *p = rep;
    for (int i = 0; order[i]; i++) {
        const char *q = p ? strstr(p, order[i]) : NULL;
        CHECK(q != NULL);
        p = q;
    }
    CHECK(rep && strstr(rep, "\"message_tr\":\""));
    CHECK(rep && !strstr(rep, SANDBOX_PASSWORD));
    trl_free(rep);
    CHECK(wait_event("doctor.done") >= 0);
    CHECK(sb_stat("otac_requests") == 0);

    CHECK_RC(trl_diagnose(c, NULL, &err), TRL_E_INVALID_ARGUMENT);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    err = NULL;
    trl_client_close(c);
    rep = (char *)1;
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_E_BAD_HANDLE);
    CHECK(rep == NULL);
    check_err(err, TRL_E_BAD_HANDLE);
    trl_free(err);
    err = NULL;

    /* wrong credentials: the credentials step fails, the API call is skipped */
    c = new_client_with("Yanlis-Parola-77", NULL);
    remember_secret("Yanlis-Parola-77");
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(rep && strncmp(rep, "{\"ok\":false", 11) == 0);
    CHECK(step_failed(rep, "credentials", "ogn"));
    CHECK(rep && strstr(rep, "e-Nab\xc4\xb1z"));
    CHECK(rep && !strstr(rep, "Yanlis-Parola-77"));
    trl_free(rep);
    trl_client_close(c);

    /* no answer (a firewall dropping packets): the TCP step, with advice */
    char url[256], extra[400];
    fault_url("blackhole", url, sizeof url);
    snprintf(extra, sizeof extra, "\"ogn_url\":\"%s\",\"timeout_ms\":1000", url);
    c = new_client(extra);
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(step_failed(rep, "tcp", "ogn"));
    CHECK(rep && strstr(rep, "firewall") && strstr(rep, "g\xc3\xbcvenlik duvar\xc4\xb1"));
    trl_free(rep);
    trl_client_close(c);

    /* TLS inspection: an issuer nobody trusts */
    fault_url("tls_unknown_issuer", url, sizeof url);
    snprintf(extra, sizeof extra, "\"ogn_url\":\"%s\"", url);
    c = new_client(extra);
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(step_failed(rep, "tls", "ogn"));
    CHECK(rep && strstr(rep, "TLS inspection") && strstr(rep, "TLS denetimi"));
    trl_free(rep);
    trl_client_close(c);

    /* the hospital's IP not registered: 403 with an HTML page */
    sb_config("{\"block_ip\":true}");
    c = new_client(NULL);
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(step_failed(rep, "http", "ogn"));
    CHECK(rep && strstr(rep, "public IP address") && strstr(rep, "IP adresi"));
    trl_free(rep);
    trl_client_close(c);
    check_events();
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
}

#ifndef _WIN32
/* A forked child gets TRL_E_FORKED from trl_set_log too; the parent's
 * logging goes on. */
static void test_fork(void) {
    clear_events();
    CHECK_RC(trl_set_log(collect, &tag, TRL_LOG_DEBUG), TRL_OK);
    trl_client c = new_client("\"prewarm\":false");
    pid_t pid = fork();
    if (pid == 0) {
        char *tok = NULL;
        int ok = trl_set_log(collect, &tag, TRL_LOG_DEBUG) == TRL_E_FORKED &&
                 trl_set_log(NULL, NULL, 0) == TRL_E_FORKED &&
                 trl_service_token(c, &tok, NULL, NULL) == TRL_E_FORKED;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    for (int i = 0; i < 1000 && waitpid(pid, &status, WNOHANG) == 0; i++) sleep_ms(10);
    if (status == -1) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *tok = NULL;
    CHECK_RC(trl_service_token(c, &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    trl_free(tok);
    CHECK(wait_event("token.fetched") >= 0);
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
    trl_client_close(c);
}
#endif

int main(void) {
    sandbox_init();
    remember_secret(SANDBOX_PASSWORD);
    remember_secret(DOCTOR);
    remember_secret(PATIENT);
    RUN(test_arguments);
    RUN(test_events_in_order);
    RUN(test_slow_log_function);
    RUN(test_set_log_waits);
    RUN(test_calls_from_the_log_function);
    RUN(test_diagnose);
#ifndef _WIN32
    RUN(test_fork);
#endif
    clear_events();
    for (int i = 0; i < h_nsecrets; i++) free(h_secrets[i]);
    printf("%d passed, %d failed\n", h_passed, h_failed);
    return h_failed ? 1 : 0;
}
