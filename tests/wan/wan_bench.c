/* wan_bench.c -- `make bench-wan`'s client: times viewer-URL clicks through
 * the C ABI against nginx (TLS) behind a delay proxy that adds WAN_RTT_MS,
 * and prints each row in ms and in round trips beside the naive pattern and
 * the protocol's floor. tests/wan/run.sh sets up the servers and the
 * environment; see docs/benchmarks.md#wan-benchmark. Each first-click sample runs in
 * a new process: the program re-runs itself as `wan_bench --first S P W`.
 *
 * Environment (all set by run.sh):
 *   WAN_RTT_MS            the round-trip time the proxy adds
 *   WAN_CA_FILE           the throwaway CA (config key ca_file)
 *   WAN_TLS12             "OGN_BASE API_BASE" of the TLS 1.2 server, long keep-alive
 *   WAN_TLS12_SHORT       the same with a short server keep-alive
 *   WAN_TLS13             the TLS 1.3 server
 *   WAN_VIEWER            viewer base URL
 *   WAN_CTL               host:port of the proxy's control endpoint (connection counts)
 *   WAN_REPS (5), WAN_SLOW_SAMPLES (2), WAN_CLOSED_SAMPLES (3), WAN_IDLE_S (35),
 *   WAN_CLOSED_WAIT_S (8), WAN_PREWARM_WAIT_MS (1000), WAN_PREFETCH_WAIT_MS (1000), WAN_VERBOSE (0)
 *
 * Nothing secret is printed: no password, token, OTAC or viewer URL. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define sock_close closesocket
#define popen _popen
#define pclose _pclose
#else
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#define sock_close close
#endif
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "teleradyoloji.h"

#define MAXS 64
#define DOCTOR "12345678901"
#define ACCESSION "ACC-WAN-0001"

/* ---- clock, sleep, environment ---- */

static double now_ms(void) {
#ifdef _WIN32
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
#endif
}

static void sleep_ms(double ms) {
    if (ms <= 0) return;
#ifdef _WIN32
    Sleep((DWORD)ms);
#else
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (double)(long)(ms / 1000) * 1000) * 1e6)};
    nanosleep(&ts, NULL);
#endif
}

static const char *env_str(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "wan_bench: %s is not set (run through tests/wan/run.sh or make bench-wan)\n", name);
        exit(2);
    }
    return v;
}

static long env_long(const char *name, long def) {
    const char *v = getenv(name);
    return v && *v ? atol(v) : def;
}

/* ---- the proxy's connection counters ---- */

static char ctl_host[64];
static int ctl_port;

/* raw_http sends one HTTP/1.0 request to host:port (loopback, no delay)
 * and reads the answer into buf; 0 on success. */
static int raw_http(const char *host, int port, const char *req, char *buf, int cap) {
    int fd = (int)socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        sock_close(fd);
        return -1;
    }
    send(fd, req, (int)strlen(req), 0);
    int len = 0, r;
    while (len < cap - 1 && (r = (int)recv(fd, buf + len, cap - 1 - len, 0)) > 0) len += r;
    buf[len] = 0;
    sock_close(fd);
    return 0;
}

/* ctl_count reads one listener's accepted-connection count from the proxy. */
static long ctl_count(const char *key) {
    char buf[4096];
    if (raw_http(ctl_host, ctl_port, "GET /counts HTTP/1.0\r\nHost: ctl\r\n\r\n", buf, sizeof buf) != 0) return -1;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(buf, pat);
    return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

/* ---- servers and clients ---- */

typedef struct {
    const char *label;
    char ogn[256], api[256];
    const char *ogn_key, *api_key; /* the proxy's listener names */
} server;

static server tls12 = {"TLS 1.2", "", "", "ogn12", "api12"};
static server tls12s = {"TLS 1.2, short keep-alive", "", "", "ogn12s", "api12s"};
static server tls13 = {"TLS 1.3", "", "", "ogn13", "api13"};
static server tls12d = {"TLS 1.2, host names", "", "", "ogn12", "api12"}; /* WAN_TLS12_DNS, optional */

static char ca_json[1024], viewer[256];
static int lacks_prewarm = -1; /* -1 unknown, 1 the library rejects the key */
static int sharing;            /* 1: new clients get equal settings (the 1,000-clients row) */

typedef struct {
    long ogn, api;
} conns;

static conns snap(const server *s) {
    conns c = {ctl_count(s->ogn_key), ctl_count(s->api_key)};
    return c;
}

enum { PW_DEFAULT, PW_OFF, PW_ON };

static trl_client new_client_with(const server *s, int prewarm, const char *extra);

/* new_client returns a client for s, or 0 when the library lacks the
 * "prewarm" key that PW_ON needs. PW_OFF on such a library means its
 * default: it never prewarms. */
static trl_client new_client(const server *s, int prewarm) { return new_client_with(s, prewarm, ""); }

/* new_client_with: new_client with extra config members (",\"key\":value"). */
static trl_client new_client_with(const server *s, int prewarm, const char *extra) {
    const char *pw = "";
    if (prewarm == PW_OFF && lacks_prewarm != 1) pw = ",\"prewarm\":false";
    if (prewarm == PW_ON) {
        if (lacks_prewarm == 1) return 0;
        pw = ",\"prewarm\":true";
    }
    /* Clients with equal settings share connections (one process, many
     * institutions): a user agent of its own keeps each row's client apart,
     * as if alone in its process, unless the row is about sharing. */
    static long n_clients;
    char ua[64] = "";
    if (!sharing) snprintf(ua, sizeof ua, ",\"user_agent\":\"wan-bench/%ld\"", ++n_clients);
    char cfg[2048];
    snprintf(cfg, sizeof cfg,
             "{\"institution_code\":\"1234567\",\"password\":\"Gizli-Parola-2026!\","
             "\"application_code\":\"SANDBOX-HIS\",\"ogn_url\":\"%s\",\"api_url\":\"%s/integrationapi\","
             "\"viewer_url\":\"%s\",\"ca_file\":\"%s\"%s%s%s}",
             s->ogn, s->api, viewer, ca_json, pw, ua, extra);
    trl_client c = 0;
    char *err = NULL;
    int32_t rc = trl_client_new(cfg, &c, &err);
    if (rc == TRL_E_CONFIG && *pw && err && strstr(err, "prewarm")) {
        trl_free(err);
        lacks_prewarm = 1;
        return new_client_with(s, prewarm, extra);
    }
    if (rc != TRL_OK) {
        fprintf(stderr, "wan_bench: trl_client_new: %s\n", err ? err : trl_status_name(rc));
        exit(1);
    }
    if (*pw) lacks_prewarm = 0;
    return c;
}

static int64_t next_patient = 20000000000LL;
static void new_patient(char out[16]) { snprintf(out, 16, "%" PRId64, next_patient++); }

/* click times one trl_viewer_url; the URL (it holds the OTAC) is freed unseen. */
static double click(trl_client c, const char *patient) {
    char *url = NULL, *err = NULL;
    double t0 = now_ms();
    int32_t rc = trl_viewer_url(c, ACCESSION, DOCTOR, patient, &url, &err);
    double ms = now_ms() - t0;
    if (rc != TRL_OK) {
        fprintf(stderr, "wan_bench: trl_viewer_url: %s\n", err); /* error JSON: secret-free */
        exit(1);
    }
    trl_free(url);
    return ms;
}

/* ---- rows ---- */

typedef struct {
    const char *name;
    const server *srv;
    double floor_rtt;
    int naive13;        /* compare with the naive pattern on TLS 1.3 */
    double ms[MAXS];
    int n;
    long ogn, api;      /* new connections, summed over samples */
    double gap_min_s;   /* delayed rows: the smallest idle gap used */
    const char *na;     /* set when the row cannot run on this library */
} row;

static row r_cold = {"first click after start, no prewarm", &tls12, 5, 0, {0}, 0, 0, 0, 0, NULL};
static row r_prewarm = {"first click 1 s after client_new, prewarm", &tls12, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_same = {"same patient again, at once", &tls12, 1, 0, {0}, 0, 0, 0, 0, NULL};
static row r_other = {"another patient, at once", &tls12, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_later = {"another patient, 35 s later", &tls12, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_closed = {"another patient, server closed idle conns", &tls12s, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_thousand = {"1,000 clients, 1st click of #1000, prewarm", &tls12, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_dns_cold = {"first click, names via DNS, no prewarm", &tls12d, 5.5, 0, {0}, 0, 0, 0, 0, NULL};
static row r_dns_warm = {"another patient, names cached", &tls12d, 2, 0, {0}, 0, 0, 0, 0, NULL};
static row r_tls13 = {"first click, TLS 1.3 server, no prewarm", &tls13, 4, 1, {0}, 0, 0, 0, 0, NULL};
static row r_naive12 = {"naive pattern, TLS 1.2", &tls12, 5, 0, {0}, 0, 0, 0, 0, NULL};
static row r_naive13 = {"naive pattern, TLS 1.3", &tls13, 4, 1, {0}, 0, 0, 0, 0, NULL};

static void record(row *r, double ms, conns before, conns after) {
    if (r->n < MAXS) r->ms[r->n++] = ms;
    r->ogn += after.ogn - before.ogn;
    r->api += after.api - before.api;
}

/* Delayed clicks: armed with a first click, fired when due at a quiet point
 * between other samples (so the 35 s waits overlap the other rows). */
typedef struct {
    row *r;
    trl_client c;
    double armed, due;
} pending;

static pending pend[MAXS];
static int npend;

static void arm(row *r, double wait_s) {
    char p[16];
    new_patient(p);
    trl_client c = new_client(r->srv, PW_DEFAULT);
    click(c, p);
    double t = now_ms();
    pend[npend++] = (pending){r, c, t, t + wait_s * 1000};
}

static void fire(pending *p) {
    char pat[16];
    new_patient(pat);
    double gap = (now_ms() - p->armed) / 1000;
    conns b = snap(p->r->srv);
    double ms = click(p->c, pat);
    record(p->r, ms, b, snap(p->r->srv));
    if (p->r->gap_min_s == 0 || gap < p->r->gap_min_s) p->r->gap_min_s = gap;
    trl_client_close(p->c);
    p->c = 0;
}

/* quiet fires every delayed click that is due; wait_all waits for the rest. */
static void quiet(void) {
    for (int i = 0; i < npend; i++)
        if (pend[i].c && now_ms() >= pend[i].due) fire(&pend[i]);
}

static void wait_all(void) {
    for (;;) {
        int next = -1;
        for (int i = 0; i < npend; i++)
            if (pend[i].c && (next < 0 || pend[i].due < pend[next].due)) next = i;
        if (next < 0) return;
        sleep_ms(pend[next].due - now_ms());
        fire(&pend[next]);
    }
}

static double client_new_ms[MAXS];
static int n_client_new;
static char self_path[1024];

/* first_click is a child process's whole work (wan_bench --first S P W):
 * the process's first client, for server S (12 or 13), prewarm P (off or
 * on), W ms of wait, then its first click. It prints "ms NEW_MS CLICK_MS",
 * or "na" when the library lacks prewarm. */
static int first_click(const char *srv, const char *pw, const char *wait) {
    char p[16];
    new_patient(p);
    const server *s = strcmp(srv, "13") == 0 ? &tls13 : strcmp(srv, "12d") == 0 ? &tls12d : &tls12;
    double t0 = now_ms();
    trl_client c = new_client(s, strcmp(pw, "on") == 0 ? PW_ON : PW_OFF);
    double new_ms = now_ms() - t0;
    if (!c) {
        printf("na\n");
        return 0;
    }
    sleep_ms(atof(wait));
    double ms = click(c, p);
    printf("ms %.3f %.3f\n", new_ms, ms);
    trl_client_close(c);
    return 0;
}

/* thousand_click is a child process's whole work (wan_bench --thousand W):
 * 1,000 clients with equal settings (one per institution, as a cloud HIS
 * has), prewarm on, W ms of wait, then the first click of the last one. It
 * prints "ms NEW_MS CLICK_MS": NEW_MS for all 1,000 trl_client_new. */
static int thousand_click(const char *wait) {
    enum { N = 1000 };
    static trl_client c[N];
    char p[16];
    new_patient(p);
    sharing = 1;
    double t0 = now_ms();
    for (int i = 0; i < N; i++)
        if (!(c[i] = new_client(&tls12, PW_ON))) {
            printf("na\n");
            return 0;
        }
    double new_ms = now_ms() - t0;
    sleep_ms(atof(wait));
    double ms = click(c[N - 1], p);
    printf("ms %.3f %.3f\n", new_ms, ms);
    for (int i = 0; i < N; i++) trl_client_close(c[i]);
    return 0;
}

/* cold_sample runs first_click in a new process, so that the click is the
 * process's first, as after an HIS starts (once-per-process costs, such as
 * Windows certificate verification's first use, are in it). Counts every
 * connection the child made. */
static double thousand_new_ms[MAXS];
static int n_thousand_new;

static void cold_sample(row *r, const char *srv, const char *pw, double wait_ms) {
    char cmd[1400];
    if (r == &r_thousand) snprintf(cmd, sizeof cmd, "%s --thousand %.0f", self_path, wait_ms);
    else snprintf(cmd, sizeof cmd, "%s --first %s %s %.0f", self_path, srv, pw, wait_ms);
    conns b = snap(r->srv);
    FILE *f = popen(cmd, "r");
    char line[256] = "";
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "wan_bench: no answer from %s\n", cmd);
        exit(1);
    }
    int st = pclose(f);
    double new_ms, ms;
    if (strncmp(line, "na", 2) == 0) {
        r->na = "n/a (library lacks prewarm)";
        lacks_prewarm = 1;
        return;
    }
    if (st != 0 || sscanf(line, "ms %lf %lf", &new_ms, &ms) != 2) {
        fprintf(stderr, "wan_bench: %s failed (status %d): %s\n", cmd, st, line);
        exit(1);
    }
    if (r == &r_thousand) thousand_new_ms[n_thousand_new++] = new_ms;
    else if (strcmp(pw, "off") == 0 && n_client_new < MAXS) client_new_ms[n_client_new++] = new_ms;
    record(r, ms, b, snap(r->srv));
}

/* naive_sample: what HIS code does without the library's help: a new token
 * on a new connection, then PostOtac on another new connection, in turn.
 * Two fresh clients (prewarm off), made before the clock starts. */
static void naive_sample(row *r) {
    char p[16];
    new_patient(p);
    conns b = snap(r->srv);
    trl_client a = new_client(r->srv, PW_OFF), o = new_client(r->srv, PW_OFF);
    char *tok = NULL, *otac = NULL, *url = NULL, *err = NULL;
    double t0 = now_ms();
    int32_t rc = trl_viewer_token(a, DOCTOR, p, &tok, NULL, &err);
    if (rc == TRL_OK) rc = trl_post_otac(o, tok, ACCESSION, &otac, &err);
    if (rc == TRL_OK) rc = trl_build_viewer_url(o, otac, &url, &err);
    double ms = now_ms() - t0;
    if (rc != TRL_OK) {
        fprintf(stderr, "wan_bench: naive pattern: %s\n", err);
        exit(1);
    }
    record(r, ms, b, snap(r->srv));
    trl_free(tok);
    trl_free(otac);
    trl_free(url);
    trl_client_close(a);
    trl_client_close(o);
}

/* warm_samples: one client, one untimed click, then n timed clicks, each for
 * the same patient or for a new one. */
static void warm_samples(row *r, int n, int same_patient) {
    char p[16];
    new_patient(p);
    trl_client c = new_client(r->srv, PW_DEFAULT);
    click(c, p);
    for (int i = 0; i < n; i++) {
        if (!same_patient) new_patient(p);
        conns b = snap(r->srv);
        double ms = click(c, p);
        record(r, ms, b, snap(r->srv));
    }
    trl_client_close(c);
}

/* thousand_samples: the 1,000-clients row, each sample a new process. */
static void thousand_samples(int n, double wait_ms) {
    for (int i = 0; i < n && !r_thousand.na; i++) {
        quiet();
        cold_sample(&r_thousand, "12", "on", wait_ms);
    }
}

/* dns_samples: the host-name rows (the servers as names, looked up through
 * a DNS server RTT/2 away; run.sh sets WAN_TLS12_DNS inside its network
 * namespace): a new process's first click, then clicks with the names cached. */
static void dns_samples(int n) {
    if (!tls12d.ogn[0]) {
        r_dns_cold.na = r_dns_warm.na = "n/a (needs root: network namespace)";
        return;
    }
    for (int i = 0; i < n; i++) {
        quiet();
        cold_sample(&r_dns_cold, "12d", "off", 0);
    }
    quiet();
    warm_samples(&r_dns_warm, n, 0);
}

/* ---- background token fetches: the prefetch hint, the service token's refresh ahead ---- */

static row r_prefetch = {"another patient, 1 s after a prefetch hint", &tls12, 1, 0, {0}, 0, 0, 0, 0, NULL};
static row r_service = {"helper-service call across a token expiry", &tls12, 1, 0, {0}, 0, 0, 0, 0, NULL};

/* prefetch_samples: one client, one untimed click; then n times a hint for
 * a new patient (a worklist row selected), wait_ms, and the click. */
static void prefetch_samples(row *r, int n, double wait_ms) {
    char p[16];
    new_patient(p);
    trl_client c = new_client(r->srv, PW_DEFAULT);
    click(c, p);
    for (int i = 0; i < n; i++) {
        quiet();
        new_patient(p);
        if (trl_prefetch_viewer_token(c, DOCTOR, p, NULL) != TRL_OK) {
            r->na = "n/a (library lacks the prefetch hint)";
            break;
        }
        sleep_ms(wait_ms);
        conns b = snap(r->srv);
        double ms = click(c, p);
        record(r, ms, b, snap(r->srv));
    }
    trl_client_close(c);
}

static char sandbox_host[64];
static int sandbox_port;

/* sandbox_config posts a /_sandbox/config body to the sandbox behind nginx. */
static void sandbox_config(const char *json) {
    char req[512], buf[1024];
    snprintf(req, sizeof req, "POST /_sandbox/config HTTP/1.0\r\nHost: sandbox\r\nContent-Type: application/json\r\n"
             "Content-Length: %d\r\n\r\n%s", (int)strlen(json), json);
    if (raw_http(sandbox_host, sandbox_port, req, buf, sizeof buf) != 0 || !strstr(buf, " 200 ")) {
        fprintf(stderr, "wan_bench: the sandbox refused %s\n", json);
        exit(1);
    }
}

static void helper_call(trl_client c, double *ms) {
    char *err = NULL;
    int32_t st = 0;
    double t0 = now_ms();
    int32_t rc = trl_call(c, "GET", "echo", NULL, &st, NULL, &err);
    if (ms) *ms = now_ms() - t0;
    if (rc != TRL_OK) {
        fprintf(stderr, "wan_bench: trl_call: %s\n", err); /* error JSON: secret-free */
        exit(1);
    }
}

/* service_samples: n clients whose service tokens live 5 s (the sandbox's
 * expires_in; token_refresh_margin_s 0): a call at 0 s fetches one, a call
 * at 4.3 s uses it in the last fifth of its life, and the timed call at
 * 5.5 s comes after it expired. Last, as it changes the sandbox for all. */
static void service_samples(row *r, int n) {
    trl_client c[MAXS];
    double t0[MAXS], ms;
    if (sscanf(viewer, "http://%63[^:]:%d", sandbox_host, &sandbox_port) != 2) {
        r->na = "n/a (viewer_url is not the sandbox's)";
        return;
    }
    sandbox_config("{\"expires_in\":5}");
    for (int i = 0; i < n; i++) {
        c[i] = new_client_with(r->srv, PW_DEFAULT, ",\"token_refresh_margin_s\":0");
        t0[i] = now_ms();
        helper_call(c[i], NULL);
    }
    for (int i = 0; i < n; i++) {
        sleep_ms(t0[i] + 4300 - now_ms());
        helper_call(c[i], NULL);
    }
    for (int i = 0; i < n; i++) {
        sleep_ms(t0[i] + 5500 - now_ms());
        conns b = snap(r->srv);
        helper_call(c[i], &ms);
        record(r, ms, b, snap(r->srv));
        trl_client_close(c[i]);
    }
    sandbox_config("{\"expires_in\":3600}");
}

/* ---- report ---- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    double s[MAXS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double rtt_ms;
static int verbose;

static void print_row(const row *r, const row *naive) {
    if (r->na || r->n == 0) {
        printf("%-44s %-32s  %5.3g   %6.2f\n", r->name, r->na ? r->na : "n/a (no sample)", r->floor_rtt,
               naive && naive->n ? median((double *)naive->ms, naive->n) / rtt_ms : 0);
        return;
    }
    double *v = (double *)r->ms, lo = v[0], hi = v[0];
    for (int i = 1; i < r->n; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    double med = median(v, r->n);
    char nv[16] = "";
    if (naive && naive->n) snprintf(nv, sizeof nv, "%6.2f", median((double *)naive->ms, naive->n) / rtt_ms);
    printf("%-44s %2d %8.1f %6.2f (%5.2f-%5.2f)  %5.3g   %6s   %.1f/%.1f\n", r->name, r->n, med, med / rtt_ms,
           lo / rtt_ms, hi / rtt_ms, r->floor_rtt, nv, (double)r->ogn / r->n, (double)r->api / r->n);
    if (verbose) {
        printf("    samples ms:");
        for (int i = 0; i < r->n; i++) printf(" %.1f", v[i]);
        printf("\n");
    }
}

static void parse_server(server *s, const char *env) {
    if (sscanf(env_str(env), "%255s %255s", s->ogn, s->api) != 2) {
        fprintf(stderr, "wan_bench: %s must be \"OGN_BASE API_BASE\"\n", env);
        exit(2);
    }
}

int main(int argc, char **argv) {
#ifdef _WIN32
    WSADATA wsa;
    WSAStartup(MAKEWORD(2, 2), &wsa);
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *platform = "Windows x64 DLL (wine64)";
#else
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *platform = "Linux .so";
#endif
    rtt_ms = (double)env_long("WAN_RTT_MS", 100);
    int reps = (int)env_long("WAN_REPS", 5), slow = (int)env_long("WAN_SLOW_SAMPLES", 2);
    int closed = (int)env_long("WAN_CLOSED_SAMPLES", 3);
    double idle_s = (double)env_long("WAN_IDLE_S", 35), closed_wait_s = (double)env_long("WAN_CLOSED_WAIT_S", 8);
    double prewarm_wait = (double)env_long("WAN_PREWARM_WAIT_MS", 1000);
    verbose = (int)env_long("WAN_VERBOSE", 0);
    if (reps < 1 || reps > MAXS / 2 || slow < 0 || slow > 8 || closed < 0 || closed > 8) {
        fprintf(stderr, "wan_bench: WAN_REPS 1..%d, WAN_SLOW_SAMPLES and WAN_CLOSED_SAMPLES 0..8\n", MAXS / 2);
        return 2;
    }
    parse_server(&tls12, "WAN_TLS12");
    parse_server(&tls12s, "WAN_TLS12_SHORT");
    parse_server(&tls13, "WAN_TLS13");
    if (getenv("WAN_TLS12_DNS") && *getenv("WAN_TLS12_DNS")) parse_server(&tls12d, "WAN_TLS12_DNS");
    snprintf(viewer, sizeof viewer, "%s", env_str("WAN_VIEWER"));
    /* ca_file as a JSON string (a Windows path has backslashes) */
    const char *ca = env_str("WAN_CA_FILE");
    size_t j = 0;
    for (const char *p = ca; *p && j < sizeof ca_json - 3; p++) {
        if (*p == '\\' || *p == '"') ca_json[j++] = '\\';
        ca_json[j++] = *p;
    }
    if (sscanf(env_str("WAN_CTL"), "%63[^:]:%d", ctl_host, &ctl_port) != 2) {
        fprintf(stderr, "wan_bench: WAN_CTL must be host:port\n");
        return 2;
    }
#ifdef _WIN32
    GetModuleFileNameA(NULL, self_path, sizeof self_path);
#else
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (n > 0) self_path[n] = 0;
    else snprintf(self_path, sizeof self_path, "%s", argv[0]);
#endif
    if (argc == 5 && strcmp(argv[1], "--first") == 0) return first_click(argv[2], argv[3], argv[4]);
    if (argc == 3 && strcmp(argv[1], "--thousand") == 0) return thousand_click(argv[2]);
    if (argc != 1) {
        fprintf(stderr, "usage: wan_bench (environment from tests/wan/run.sh)\n");
        return 2;
    }
    double start = now_ms();
    if (idle_s != 35) {
        static char name[64];
        snprintf(name, sizeof name, "another patient, %.0f s later", idle_s);
        r_later.name = name;
    }

    /* The Go runtime's start and the system certificate pool: not a click. */
    trl_client_close(new_client(&tls12, PW_DEFAULT));

    for (int i = 0; i < slow; i++) arm(&r_later, idle_s);
    for (int i = 0; i < closed; i++) arm(&r_closed, closed_wait_s);
    for (int i = 0; i < reps; i++) {
        quiet();
        cold_sample(&r_cold, "12", "off", 0);
        quiet();
        naive_sample(&r_naive12);
    }
    for (int i = 0; i < reps && !r_prewarm.na; i++) {
        quiet();
        cold_sample(&r_prewarm, "12", "on", prewarm_wait);
    }
    thousand_samples(reps, prewarm_wait);
    dns_samples(reps);
    quiet();
    warm_samples(&r_same, reps, 1);
    quiet();
    warm_samples(&r_other, reps, 0);
    for (int i = 0; i < reps; i++) {
        quiet();
        cold_sample(&r_tls13, "13", "off", 0);
        quiet();
        naive_sample(&r_naive13);
    }
    prefetch_samples(&r_prefetch, reps, (double)env_long("WAN_PREFETCH_WAIT_MS", 1000));
    wait_all();
    service_samples(&r_service, reps);

    printf("\nWAN benchmark: %s, library %s, RTT %.0f ms added by the delay proxy, nginx TLS servers\n", platform,
           trl_version(), rtt_ms);
    printf("(OGN and API on separate hosts; RTT column = ms / RTT; floor = the protocol's minimum in RTT;\n"
           " naive = a new token on a new connection, then postOTAC on another new connection, measured in this run;\n"
           " conns = new TCP connections per sample, OGN/API, counted by the proxy)\n\n");
    printf("%-44s %2s %8s %6s %-13s  %5s   %6s   %s\n", "row", "n", "ms", "RTT", "(min-max)", "floor", "naive",
           "conns");
    print_row(&r_cold, &r_naive12);
    print_row(&r_prewarm, &r_naive12);
    print_row(&r_same, &r_naive12);
    print_row(&r_other, &r_naive12);
    print_row(&r_later, &r_naive12);
    print_row(&r_closed, &r_naive12);
    print_row(&r_thousand, &r_naive12);
    print_row(&r_tls13, &r_naive13);
    print_row(&r_dns_cold, &r_naive12);
    print_row(&r_dns_warm, &r_naive12);
    print_row(&r_prefetch, &r_naive12);
    print_row(&r_service, NULL);
    printf("\n");
    print_row(&r_naive12, NULL);
    print_row(&r_naive13, NULL);
    printf("\nnotes: medians of n samples; first-click rows: each sample is a new process's first click\n");
    if (r_later.n)
        printf("       \"%s\": clicked >= %.1f s after the client's previous click\n", r_later.name, r_later.gap_min_s);
    if (r_closed.n)
        printf("       \"%s\": clicked >= %.1f s after the previous click (server keep-alive shorter)\n",
               r_closed.name, r_closed.gap_min_s);
    if (lacks_prewarm == 1)
        printf("       this library rejects the \"prewarm\" key: \"no prewarm\" rows ran with its defaults\n");
    if (n_thousand_new)
        printf("       \"%s\": 1,000 trl_client_new with equal settings took %.1f ms (median), then %.0f ms of wait\n",
               r_thousand.name, median(thousand_new_ms, n_thousand_new), prewarm_wait);
    if (n_client_new)
        printf("       first trl_client_new of a process (not in the click): median %.1f ms\n", median(client_new_ms, n_client_new));
    if (r_service.n)
        printf("       \"%s\": service tokens live 5 s (token_refresh_margin_s 0); used at 4.3 s, in their\n"
               "       last fifth of life; the timed call at 5.5 s, after the first token expired\n", r_service.name);
    printf("       total run time %.0f s\n", (now_ms() - start) / 1000);
    return 0;
}
