/* bench_abi.c -- times the C ABI against the sandbox (TRL_SANDBOX_URL):
 * warm trl_viewer_url and trl_build_viewer_url, and counts token requests. */
#include "../c/harness.h"

static double per_call_us(double t0, long n) { return (now_s() - t0) / n * 1e6; }

int main(int argc, char **argv) {
    sandbox_init();
    long n = argc > 1 ? atol(argv[1]) : 10000;
    trl_client c = new_client(NULL);
    char *url = NULL;
    /* warm up: the token is fetched and cached, connections opened */
    for (int i = 0; i < 200; i++) {
        if (trl_viewer_url(c, "ACC-BENCH", "12345678901", NULL, &url, NULL) != TRL_OK) return 1;
        trl_free(url);
    }
    sb_reset();
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (trl_viewer_url(c, "ACC-BENCH", "12345678901", NULL, &url, NULL) != TRL_OK) return 1;
        trl_free(url);
    }
    double warm = per_call_us(t0, n);
    long tokens = sb_stat("token_requests");

    long m = n * 100;
    t0 = now_s();
    for (long i = 0; i < m; i++) {
        trl_build_viewer_url(c, "g5QYrE7NKFVnHfSea9nfCrevL3FtL3zHilHyUzigUug", &url, NULL);
        trl_free(url);
    }
    double build = per_call_us(t0, m);
    printf("trl_viewer_url warm: %.1f us/call over %ld calls; token requests: %ld\n", warm, n, tokens);
    printf("trl_build_viewer_url: %.3f us/call over %ld calls\n", build, m);
    trl_client_close(c);
    return 0;
}
