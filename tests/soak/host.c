/* host.c -- the C host of make soak (tests/soak/soak.py drives it).
 *
 *   soak_host BASE_URL CA_FILE BLACKHOLE_URL
 *
 * 16 threads share one client (prewarm on): each clicks (trl_viewer_url) and
 * calls (trl_call GET echo/...) in a loop; thread 0 also makes and closes
 * clients (one warming up towards the blackholed host, one used once), and
 * thread 1 runs the doctor every minute. Logging is on. It stops when its
 * stdin ends. Lines on stdout, one per event (tests/soak/README.md):
 *   U <accession> <url>       a click's URL
 *   E <op> <status name>      a failed call
 *   X <op> <what>             a wrong answer (a crossed call, a secret in a log event)
 *   D <status name>           a doctor run
 *   S <key>=<n> ...           the summary, last */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "teleradyoloji.h"

#define THREADS 16

static const char *base_url, *ca_file, *hole_url;
static char config[4096];
static const char *password = "Gizli-Parola-2026!";
static volatile int stopping;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static long clicks, calls, errors, made, doctors, log_events, leaks;
static trl_client shared;

static void say(const char *fmt, const char *a, const char *b) {
    pthread_mutex_lock(&out_mu);
    printf(fmt, a, b);
    fflush(stdout);
    pthread_mutex_unlock(&out_mu);
}

static void on_log(void *user, int32_t level, const char *event) {
    (void)user;
    (void)level;
    __atomic_add_fetch(&log_events, 1, __ATOMIC_RELAXED);
    if (strstr(event, password))
        __atomic_add_fetch(&leaks, 1, __ATOMIC_RELAXED);
}

static void failed(const char *op, int32_t rc, char *err) {
    __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
    if (err && strstr(err, password))
        say("X %s %s\n", op, "secret-in-error");
    say("E %s %s\n", op, trl_status_name(rc));
    trl_free(err);
}

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* config_for: the sandbox's settings with OGN and the API at ogn and api;
 * idle_s is idle_timeout_s (see README.md: what a closed client keeps). */
static void config_for(char *out, size_t size, const char *ogn, const char *api, int idle_s) {
    snprintf(out, size,
             "{\"institution_code\":\"1234567\",\"password\":\"%s\",\"application_code\":\"SANDBOX-HIS\","
             "\"ogn_url\":\"%s\",\"api_url\":\"%s\",\"viewer_url\":\"%s/viewer/\",\"ca_file\":\"%s\","
             "\"timeout_ms\":10000,\"prewarm\":true,\"idle_timeout_s\":%d}",
             password, ogn, api, base_url, ca_file, idle_s);
}

/* make_and_close: a client warming up towards the blackholed host, closed
 * at once; and one used for a click, then closed. */
static void make_and_close(int n) {
    char cfg[4096], acc[64];
    trl_client c = 0;
    char *err = NULL, *url = NULL;
    config_for(cfg, sizeof cfg, hole_url, hole_url, 5);
    int32_t rc = trl_client_new(cfg, &c, &err);
    if (rc != TRL_OK) {
        failed("new_blackholed", rc, err);
        return;
    }
    trl_client_close(c);
    char api[1024];
    snprintf(api, sizeof api, "%s/integrationapi", base_url);
    config_for(cfg, sizeof cfg, base_url, api, 5);
    rc = trl_client_new(cfg, &c, &err);
    if (rc != TRL_OK) {
        failed("new", rc, err);
        return;
    }
    snprintf(acc, sizeof acc, "SOAK-C-NEW-%d", n);
    rc = trl_viewer_url(c, acc, "12345678901", NULL, &url, &err);
    if (rc == TRL_OK)
        say("U %s %s\n", acc, url);
    else
        failed("viewer_url", rc, err);
    trl_free(url);
    trl_client_close(c);
    __atomic_add_fetch(&made, 2, __ATOMIC_RELAXED);
}

static void *worker(void *arg) {
    int id = (int)(long)arg;
    time_t next_doctor = time(NULL) + 60;
    for (int n = 0; !stopping; n++) {
        char acc[64], path[64], patient[16], *url = NULL, *resp = NULL, *err = NULL;
        int32_t status = 0;
        snprintf(acc, sizeof acc, "SOAK-C-%d-%d", id, n);
        snprintf(patient, sizeof patient, "1000000%04d", (id * 7 + n) % 50);
        int32_t rc = trl_viewer_url(shared, acc, "12345678901", patient, &url, &err);
        if (rc == TRL_OK) {
            __atomic_add_fetch(&clicks, 1, __ATOMIC_RELAXED);
            say("U %s %s\n", acc, url);
        } else {
            failed("viewer_url", rc, err);
        }
        trl_free(url);
        snprintf(path, sizeof path, "echo/c-%d-%d", id, n);
        rc = trl_call(shared, "GET", path, NULL, &status, &resp, &err);
        if (rc == TRL_OK) {
            char want[80];
            snprintf(want, sizeof want, "\"path\":\"/%s\"", path);
            __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
            if (!resp || !strstr(resp, want))
                say("X %s %s\n", "call", "crossed");
        } else {
            failed("call", rc, err);
        }
        trl_free(resp);
        if (id == 0 && n % 10 == 0)
            make_and_close(n);
        if (id == 1 && time(NULL) >= next_doctor) {
            char *report = NULL;
            rc = trl_diagnose(shared, &report, &err);
            say("D %s%s\n", trl_status_name(rc), "");
            trl_free(report);
            trl_free(err);
            __atomic_add_fetch(&doctors, 1, __ATOMIC_RELAXED);
            next_doctor = time(NULL) + 60;
        }
        pause_ms(150);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s BASE_URL CA_FILE BLACKHOLE_URL\n", argv[0]);
        return 2;
    }
    base_url = argv[1];
    ca_file = argv[2];
    hole_url = argv[3];
    char api[1024];
    snprintf(api, sizeof api, "%s/integrationapi", base_url);
    config_for(config, sizeof config, base_url, api, 90);
    trl_set_log(on_log, NULL, TRL_LOG_INFO);
    char *err = NULL;
    int32_t rc = trl_client_new(config, &shared, &err);
    if (rc != TRL_OK) {
        fprintf(stderr, "soak_host: trl_client_new: %s\n", trl_status_name(rc));
        return 1;
    }
    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)i);
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
    }
    stopping = 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    trl_client_close(shared);
    trl_set_log(NULL, NULL, 0);
    printf("S clicks=%ld calls=%ld errors=%ld made=%ld doctors=%ld log_events=%ld leaks=%ld\n", clicks, calls,
           errors, made, doctors, log_events, leaks);
    return 0;
}
