/* bench_abi.c -- the C ABI against the sandbox (TRL_SANDBOX_URL):
 *   bench_abi tokens N      N viewer URLs for one (doctor, patient) from a cold
 *                           cache; prints how many token requests reached OGN
 *   bench_abi warm N        warm trl_viewer_url, microseconds per call
 *   bench_abi threads T N   T threads x N warm trl_viewer_url on one client, calls/s
 *   bench_abi build N       trl_build_viewer_url, microseconds per call */
#include "../c/harness.h"

static trl_client client;

static void viewer_url_or_die(void) {
    char *url = NULL, *err = NULL;
    if (trl_viewer_url(client, "ACC-BENCH", "12345678901", "98765432109", &url, &err) != TRL_OK) {
        fprintf(stderr, "trl_viewer_url: %s\n", err);
        exit(1);
    }
    trl_free(url);
}

static long per_thread;
static void *worker(void *arg) {
    (void)arg;
    for (long i = 0; i < per_thread; i++) viewer_url_or_die();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_abi tokens|warm|build N | threads T N\n");
        return 2;
    }
    sandbox_init();
    client = new_client(NULL);
    const char *mode = argv[1];
    long n = atol(argv[argc - 1]);
    if (strcmp(mode, "tokens") == 0) {
        sb_reset();
        for (long i = 0; i < n; i++) viewer_url_or_die();
        printf("%ld viewer URLs for one (doctor, patient): %ld token request(s), %ld postOTAC\n", n,
               sb_stat("token_requests"), sb_stat("otac_requests"));
    } else if (strcmp(mode, "warm") == 0) {
        for (int i = 0; i < 200; i++) viewer_url_or_die();
        double t0 = now_s();
        for (long i = 0; i < n; i++) viewer_url_or_die();
        printf("%.2f\n", (now_s() - t0) / n * 1e6);
    } else if (strcmp(mode, "threads") == 0) {
        int t = atoi(argv[2]);
        pthread_t th[64];
        per_thread = 100;
        for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, worker, NULL);
        for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
        per_thread = n;
        double t0 = now_s();
        for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, worker, NULL);
        for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
        printf("%.0f\n", t * n / (now_s() - t0));
    } else if (strcmp(mode, "build") == 0) {
        char *url = NULL;
        double t0 = now_s();
        for (long i = 0; i < n; i++) {
            trl_build_viewer_url(client, "g5QYrE7NKFVnHfSea9nfCrevL3FtL3zHilHyUzigUug", &url, NULL);
            trl_free(url);
        }
        printf("%.3f\n", (now_s() - t0) / n * 1e6);
    }
    trl_client_close(client);
    return 0;
}
