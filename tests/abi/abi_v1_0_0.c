/* abi_v1_0_0.c -- a program built against the frozen 1.0.0 header
 * (tests/abi/1.0.0/teleradyoloji.h: the build puts that folder, not include/,
 * on the include path) and run against the current library, on Linux and as
 * PE32+/PE32 under Wine (mk/release.mk, mk/windows.mk).  It calls every 1.0.0
 * export with its 1.0.0 signature against the sandbox, provokes each status
 * code it can (all but TRL_E_INTERNAL, a bug; TRL_E_FORKED only where fork
 * exists) and checks the code's 1.0.0 value and name, and the 1.0.0 keys of
 * the error JSON, the doctor's report and the log events.  Run it under
 * scripts/with-sandbox.sh; prints "N passed, M failed". */
#include "../c/harness.h"

#ifdef _WIN32
#include <windows.h>
static void sleep_ms(int ms) { Sleep((DWORD)ms); }
#else
#include <sys/wait.h>
static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

/* has_keys: every "key": of keys (NULL-ended) is in json. */
static int has_keys(const char *json, const char *const *keys) {
    char pat[64];
    for (; json && *keys; keys++) {
        snprintf(pat, sizeof pat, "\"%s\":", *keys);
        if (!strstr(json, pat)) {
            fprintf(stderr, "  1.0.0 key \"%s\" missing in %s\n", *keys, json);
            return 0;
        }
    }
    return json != NULL;
}

static const char *const ERR_KEYS[] = {"code", "name", "message", "retryable", "message_tr", NULL};
static const char *const ERR_HTTP_KEYS[] = {"http_status", NULL};
static const char *const ERR_SERVER_KEYS[] = {"http_status", "server_error", "server_error_description", NULL};
static const char *const REPORT_KEYS[] = {"ok", "steps", "step", "target", "ms", "message", "message_tr", NULL};
static const char *const EVENT_KEYS[] = {"event", "level", "message", "time", NULL};

/* expect: rc is want (its 1.0.0 value) and err the 1.0.0 error JSON of it. */
static void expect(int32_t rc, int32_t want, char **err, const char *const *more) {
    CHECK_RC(rc, want);
    check_err(*err, want);
    CHECK(has_keys(*err, ERR_KEYS));
    if (more) CHECK(has_keys(*err, more));
    trl_free(*err);
    *err = NULL;
}

static void test_library(void) {
    static const struct { int32_t code; const char *name; } codes[] = {
#define CODE(c) {c, #c}
        CODE(TRL_OK), CODE(TRL_E_INVALID_ARGUMENT), CODE(TRL_E_CONFIG), CODE(TRL_E_BAD_HANDLE),
        CODE(TRL_E_AUTH), CODE(TRL_E_HTTP), CODE(TRL_E_NETWORK), CODE(TRL_E_TIMEOUT),
        CODE(TRL_E_PROTOCOL), CODE(TRL_E_INTERNAL), CODE(TRL_E_FORKED),
    };
    CHECK(trl_abi_version() == TRL_ABI_VERSION);
    const char *v = trl_version();
    CHECK(v && v[0] == '1' && v[1] == '.');
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *got = trl_status_name(codes[i].code);
        if (!got || strcmp(got, codes[i].name) != 0)
            fprintf(stderr, "  %s is %d in 1.0.0; the library names %d \"%s\"\n", codes[i].name,
                    (int)codes[i].code, (int)codes[i].code, got ? got : "(null)");
        CHECK(got && strcmp(got, codes[i].name) == 0);
    }
    trl_free(NULL);
}

static void test_study(void) {
    trl_client c = new_client(NULL);
    char *tok = NULL, *otac = NULL, *url = NULL, *err = NULL;
    int64_t exp = 0;
    CHECK_RC(trl_service_token(c, &tok, &exp, &err), TRL_OK);
    CHECK(tok && exp > 0);
    remember_secret(tok);
    trl_free(tok);
    CHECK_RC(trl_viewer_token(c, "12345678901", "98765432109", &tok, &exp, &err), TRL_OK);
    remember_secret(tok);
    CHECK_RC(trl_post_otac(c, tok, "ACC-ABI-1", &otac, &err), TRL_OK);
    remember_secret(otac);
    CHECK_RC(trl_build_viewer_url(c, otac, &url, &err), TRL_OK);
    CHECK(url && strstr(url, "/viewer/#/viewpatient?otac="));
    trl_free(url);
    url = NULL;
    CHECK_RC(trl_viewer_url(c, "ACC-ABI-2", "12345678901", NULL, &url, &err), TRL_OK);
    CHECK(url && strncmp(url, h_base, strlen(h_base)) == 0 && strstr(url, "#/viewpatient?otac="));
    /* A helper-service call, as text and as bytes. */
    int32_t st = 0;
    char *resp = NULL;
    int64_t len = -1;
    CHECK_RC(trl_call(c, "GET", "echo/abi", NULL, &st, &resp, &err), TRL_OK);
    CHECK(st == 200 && resp && strstr(resp, "abi"));
    trl_free(resp);
    resp = NULL;
    CHECK_RC(trl_call_bytes(c, "POST", "echo", "{\"a\":1}", &st, &resp, &len, &err), TRL_OK);
    CHECK(st == 200 && resp && len == (int64_t)strlen(resp));
    trl_free(resp);
    trl_free(url);
    trl_free(otac);
    trl_free(tok);
    CHECK_RC(trl_client_close(c), TRL_OK);
}

static void test_errors(void) {
    trl_client c = 0, bad = 0;
    char *out = NULL, *err = NULL;
    int32_t st = 0;
    expect(trl_client_new("{\"institution_code\":\"1\",\"no_such_key\":1}", &bad, &err), TRL_E_CONFIG, &err, NULL);
    expect(trl_client_new(NULL, &bad, &err), TRL_E_INVALID_ARGUMENT, &err, NULL);
    c = new_client(NULL);
    expect(trl_viewer_url(c, "", NULL, NULL, &out, &err), TRL_E_INVALID_ARGUMENT, &err, NULL);
    expect(trl_call(c, "GET", "status/404", NULL, &st, &out, &err), TRL_E_HTTP, &err, ERR_HTTP_KEYS);
    CHECK(st == 404);
    trl_free(out);
    out = NULL;
    sb_fault("{\"target\":\"otac\",\"kind\":\"malformed\",\"count\":1}");
    expect(trl_viewer_url(c, "ACC-ABI-3", NULL, NULL, &out, &err), TRL_E_PROTOCOL, &err, NULL);
    CHECK_RC(trl_client_close(c), TRL_OK);
    expect(trl_viewer_url(c, "ACC-ABI-4", NULL, NULL, &out, &err), TRL_E_BAD_HANDLE, &err, NULL);
    CHECK_RC(trl_client_close(c), TRL_E_BAD_HANDLE);

    c = new_client_with("wrong-password", NULL);
    remember_secret("wrong-password");
    expect(trl_service_token(c, &out, NULL, &err), TRL_E_AUTH, &err, ERR_SERVER_KEYS);
    trl_client_close(c);

    /* Timeout: the sandbox holds postOTAC until the call has given up. */
    c = new_client("\"timeout_ms\":300,\"retries\":0");
    sb_fault("{\"target\":\"otac\",\"kind\":\"hold\",\"count\":0}");
    expect(trl_viewer_url(c, "ACC-ABI-5", NULL, NULL, &out, &err), TRL_E_TIMEOUT, &err, NULL);
    sb_reset(); /* releases the held request */
    trl_client_close(c);

    /* Network: OGN at a port nobody listens on. */
    char body[512], cfg[1024];
    CHECK(http_raw("POST", "/_sandbox/fault_server", "{\"kind\":\"refused\"}", body, sizeof body) == 200);
    char *u = strstr(body, "https://");
    CHECK(u != NULL);
    if (u) {
        u[strcspn(u, "\"")] = 0;
        snprintf(cfg, sizeof cfg, "{\"institution_code\":\"1234567\",\"password\":\"" SANDBOX_PASSWORD "\","
                 "\"application_code\":\"SANDBOX-HIS\",\"ogn_url\":\"%s\",\"retries\":0}", u);
        CHECK_RC(trl_client_new(cfg, &c, &err), TRL_OK);
        expect(trl_service_token(c, &out, NULL, &err), TRL_E_NETWORK, &err, NULL);
        trl_client_close(c);
    }

#ifndef _WIN32
    /* Forked: a child forked after the library was loaded. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        trl_client k = 0;
        char *e = NULL;
        int32_t rc = trl_client_new("{}", &k, &e);
        _exit(rc == TRL_E_FORKED && e && strstr(e, "\"name\":\"TRL_E_FORKED\"") ? 0 : 1);
    }
    int ws = 0;
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
#endif
}

/* ---- logging and the doctor ---- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_seen[4096];
static int log_ok = 1;

static void TRL_CALL on_log(void *user, int32_t level, const char *event_json) {
    pthread_mutex_lock(&log_mu);
    if (user != (void *)log_seen || level < TRL_LOG_ERROR || level > TRL_LOG_DEBUG || !has_keys(event_json, EVENT_KEYS))
        log_ok = 0;
    if (strstr(event_json, "\"event\":\"token.fetched\"") && !log_seen[0])
        snprintf(log_seen, sizeof log_seen, "%s", event_json);
    pthread_mutex_unlock(&log_mu);
}

static void test_log_and_doctor(void) {
    CHECK_RC(trl_set_log(on_log, log_seen, TRL_LOG_DEBUG), TRL_OK);
    trl_client c = new_client(NULL);
    char *rep = NULL, *err = NULL;
    CHECK_RC(trl_diagnose(c, &rep, &err), TRL_OK);
    CHECK(has_keys(rep, REPORT_KEYS));
    CHECK(rep && strncmp(rep, "{\"ok\":true,\"steps\":[{\"step\":\"config\"", 34) == 0);
    trl_free(rep);
    int seen = 0;
    for (int i = 0; i < 1000 && !seen; i++) { /* 10 s at most: a bound, not a timing */
        pthread_mutex_lock(&log_mu);
        seen = log_seen[0] != 0;
        pthread_mutex_unlock(&log_mu);
        if (!seen) sleep_ms(10);
    }
    CHECK(seen);
    CHECK_RC(trl_set_log(NULL, NULL, 0), TRL_OK);
    CHECK(log_ok && has_keys(log_seen, EVENT_KEYS));
    CHECK_RC(trl_set_log(on_log, NULL, 9), TRL_E_INVALID_ARGUMENT);
    trl_client_close(c);
}

int main(void) {
    sandbox_init();
    remember_secret(SANDBOX_PASSWORD);
    RUN(test_library);
    RUN(test_study);
    RUN(test_errors);
    RUN(test_log_and_doctor);
    printf("abi_v1_0_0 (built against the 1.0.0 header, library %s): %d passed, %d failed\n", trl_version(),
           h_passed, h_failed);
    return h_failed ? 1 : 0;
}
