/* harness.h -- a small test harness for the C ABI tests: checks, a raw
 * HTTP/1.0 client for the sandbox's control endpoints, and a secret guard. */
#ifndef TRL_TEST_HARNESS_H
#define TRL_TEST_HARNESS_H

#define _GNU_SOURCE
#ifdef _WIN32
/* Cross-compiled with mingw-w64 and run under Wine: Winsock for the control
 * client, winpthreads (linked statically) for the threads. */
#include <winsock2.h>
#include <ws2tcpip.h>
typedef int socklen_t;
#define sock_close closesocket
#define sock_read(fd, buf, n) recv((fd), (buf), (int)(n), 0)
#define sock_write(fd, buf, n) send((fd), (buf), (int)(n), 0)
static void sock_init(void) {
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
}
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#define sock_close close
#define sock_read read
#define sock_write write
static void sock_init(void) {}
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "teleradyoloji.h"

/* Each test program uses some of the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

static int h_passed, h_failed;
static const char *h_test = "";

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (cond) {                                                                     \
            __atomic_add_fetch(&h_passed, 1, __ATOMIC_SEQ_CST);                         \
        } else {                                                                        \
            __atomic_add_fetch(&h_failed, 1, __ATOMIC_SEQ_CST);                         \
            fprintf(stderr, "FAIL %s (%s:%d): %s\n", h_test, __FILE__, __LINE__, #cond); \
        }                                                                               \
    } while (0)

#define CHECK_RC(rc, want)                                                                \
    do {                                                                                  \
        int32_t rc_ = (rc), want_ = (want);                                               \
        if (rc_ != want_)                                                                 \
            fprintf(stderr, "  got %s, want %s\n", trl_status_name(rc_), trl_status_name(want_)); \
        CHECK(rc_ == want_);                                                              \
    } while (0)

/* ---- secrets: no password, token or OTAC in any error JSON ---- */

#define MAX_SECRETS 4096
static char *h_secrets[MAX_SECRETS];
static int h_nsecrets;
static pthread_mutex_t h_secret_mu = PTHREAD_MUTEX_INITIALIZER;

static void remember_secret(const char *s) {
    if (!s || !*s) return;
    pthread_mutex_lock(&h_secret_mu);
    if (h_nsecrets < MAX_SECRETS) h_secrets[h_nsecrets++] = strdup(s);
    pthread_mutex_unlock(&h_secret_mu);
}

/* check_err verifies an error JSON's required members and that no secret
 * appears in it. */
static void check_err(const char *err, int32_t code) {
    CHECK(err != NULL);
    if (!err) return;
    char want[64];
    snprintf(want, sizeof want, "\"code\":%d,", code);
    CHECK(strstr(err, want) != NULL);
    snprintf(want, sizeof want, "\"name\":\"%s\"", trl_status_name(code));
    CHECK(strstr(err, want) != NULL);
    CHECK(strstr(err, "\"message\":\"") != NULL);
    CHECK(strstr(err, "\"retryable\":") != NULL);
    /* a Turkish message, never empty */
    const char *tr = strstr(err, "\"message_tr\":\"");
    CHECK(tr != NULL && tr[strlen("\"message_tr\":\"")] != '"');
    pthread_mutex_lock(&h_secret_mu);
    for (int i = 0; i < h_nsecrets; i++) {
        if (strstr(err, h_secrets[i])) {
            fprintf(stderr, "FAIL %s: a secret appears in an error JSON (secret #%d)\n", h_test, i);
            h_failed++;
        }
    }
    pthread_mutex_unlock(&h_secret_mu);
}

/* json_int finds "key":<int> in a flat-enough JSON text; -1 when absent. */
static long json_int(const char *json, const char *key) {
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = json ? strstr(json, pat) : NULL;
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

/* ---- the sandbox's control endpoints ---- */

static char h_base[256];
static char h_host[64] = "127.0.0.1";
static int h_port;

static void sandbox_init(void) {
    sock_init();
    const char *u = getenv("TRL_SANDBOX_URL");
    if (!u || sscanf(u, "http://%63[^:]:%d", h_host, &h_port) != 2) {
        fprintf(stderr, "TRL_SANDBOX_URL must be the sandbox's http:// base URL (run under scripts/with-sandbox.sh)\n");
        exit(2);
    }
    snprintf(h_base, sizeof h_base, "%s", u);
}

/* http_raw sends one HTTP/1.0 request to the sandbox; returns the status and
 * copies the body into out (NUL-terminated, truncated to cap). */
static int http_raw(const char *method, const char *path, const char *body, char *out, size_t cap) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)h_port);
    inet_pton(AF_INET, h_host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        sock_close(fd);
        return -1;
    }
    char req[8192];
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.0\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     method, path, h_host, h_port, body ? strlen(body) : 0, body ? body : "");
    if (sock_write(fd, req, (size_t)n) != n) {
        sock_close(fd);
        return -1;
    }
    size_t len = 0, rcap = 1 << 20;
    char *resp = malloc(rcap + 1);
    long r;
    while (len < rcap && (r = (long)sock_read(fd, resp + len, rcap - len)) > 0) len += (size_t)r;
    resp[len] = 0;
    sock_close(fd);
    int status = -1;
    sscanf(resp, "HTTP/1.%*d %d", &status);
    const char *b = strstr(resp, "\r\n\r\n");
    if (out && cap) {
        snprintf(out, cap, "%s", b ? b + 4 : "");
    }
    free(resp);
    return status;
}

static void sb_post(const char *path, const char *body) {
    char out[512];
    int st = http_raw("POST", path, body, out, sizeof out);
    if (st != 200) {
        fprintf(stderr, "sandbox %s answered %d: %s\n", path, st, out);
        exit(2);
    }
}

static void sb_reset(void) { sb_post("/_sandbox/reset", ""); }
static void sb_fault(const char *json) { sb_post("/_sandbox/faults", json); }
static void sb_config(const char *json) { sb_post("/_sandbox/config", json); }

/* sb_stat reads one counter of GET /_sandbox/stats. */
static long sb_stat(const char *key) {
    static char buf[1 << 16];
    http_raw("GET", "/_sandbox/stats", NULL, buf, sizeof buf);
    return json_int(buf, key);
}

static void sb_stats(char *buf, size_t cap) { http_raw("GET", "/_sandbox/stats", NULL, buf, cap); }

/* ---- clients ---- */

#define SANDBOX_PASSWORD "Gizli-Parola-2026!"

/* new_client makes a client for the sandbox with extra config members. */
static trl_client new_client_with(const char *password, const char *extra) {
    char cfg[4096];
    snprintf(cfg, sizeof cfg,
             "{\"institution_code\":\"1234567\",\"password\":\"%s\",\"application_code\":\"SANDBOX-HIS\","
             "\"ogn_url\":\"%s\",\"api_url\":\"%s/integrationapi\",\"viewer_url\":\"%s/viewer/\"%s%s}",
             password, h_base, h_base, h_base, extra && *extra ? "," : "", extra ? extra : "");
    trl_client c = 0;
    char *err = NULL;
    int32_t rc = trl_client_new(cfg, &c, &err);
    if (rc != TRL_OK) {
        fprintf(stderr, "trl_client_new: %s\n", err);
        exit(2);
    }
    return c;
}

static trl_client new_client(const char *extra) { return new_client_with(SANDBOX_PASSWORD, extra); }

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quick_mode(void) { return getenv("TRL_TEST_QUICK") != NULL; }

#define RUN(fn)                     \
    do {                            \
        h_test = #fn;               \
        sb_reset();                 \
        fn();                       \
    } while (0)

#endif
