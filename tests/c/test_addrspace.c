/* test_addrspace.c -- what the library costs a 32-bit Windows process's
 * 2 GiB address space.
 *
 * Big Delphi HIS programs already use much of a 32-bit address space, so the
 * x86 DLL pair must stay small: this program walks the whole address space
 * with VirtualQuery before the core is loaded, after trl_client_new, and
 * after 10,000 clicks (trl_viewer_url, each for another patient, so 10,000
 * viewer tokens are fetched; the default cache keeps 1024) from 16 threads, and checks that the
 * library added at most 64 MiB of address space (reserved + committed) and
 * 32 MiB of private committed memory. The figures are printed for docs/windows.md#32-bit-x86-is-run.
 *
 * Built like a Delphi program (1 MiB default stack reserve, which the Go
 * runtime's threads inherit) and run under 32-bit Wine with
 * scripts/with-sandbox.sh. Wine commits every thread stack whole, and adds
 * 1 MiB of its own per thread, where Windows commits a stack's pages as they
 * are used: the private figure here is an upper bound. */
#include "harness.h"
#include <windows.h>

#define MIB (1024.0 * 1024.0)
#define THREADS 16
#define CLICKS 10000
#define LIMIT_SPACE_MIB 64
#define LIMIT_PRIVATE_MIB 32

typedef struct {
    size_t space;   /* reserved or committed, any type */
    size_t private; /* committed MEM_PRIVATE (heaps, stacks' committed parts) */
} usage;

static usage measure(void) {
    usage u = {0, 0};
    MEMORY_BASIC_INFORMATION mbi;
    char *p = NULL;
    while (VirtualQuery(p, &mbi, sizeof mbi) == sizeof mbi) {
        if (mbi.State != MEM_FREE)
            u.space += mbi.RegionSize;
        if (mbi.State == MEM_COMMIT && mbi.Type == MEM_PRIVATE)
            u.private += mbi.RegionSize;
        char *next = (char *)mbi.BaseAddress + mbi.RegionSize;
        if (next <= p)
            break;
        p = next;
    }
    return u;
}

static trl_client g_client;
static volatile LONG g_next, g_ok;

static void *clicker(void *arg) {
    (void)arg;
    for (;;) {
        LONG i = InterlockedIncrement(&g_next);
        if (i > CLICKS)
            return NULL;
        char acc[32], patient[16];
        snprintf(acc, sizeof acc, "ACC-AS-%ld", (long)i);
        snprintf(patient, sizeof patient, "%011lld", 20000000000LL + i);
        char *url = NULL, *err = NULL;
        if (trl_viewer_url(g_client, acc, "12345678901", patient, &url, &err) == TRL_OK)
            InterlockedIncrement(&g_ok);
        else
            fprintf(stderr, "click %ld failed\n", (long)i); /* err may hold nothing secret, but stay quiet */
        trl_free(url);
        trl_free(err);
    }
}

static void report(const char *when, usage base, usage now) {
    printf("%-34s address space +%6.1f MiB, private committed +%6.1f MiB\n", when,
           ((double)now.space - (double)base.space) / MIB, ((double)now.private - (double)base.private) / MIB);
}

int main(void) {
    sandbox_init();
    h_test = "address space";
    CHECK(trl_abi_version() == TRL_ABI_VERSION); /* never loads the core */
    CHECK(GetModuleHandleW(L"teleradyoloji-core.dll") == NULL);
    usage base = measure();

    g_client = new_client(""); /* the defaults a host gets */
    usage after_new = measure();
    report("after trl_client_new:", base, after_new);

    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, clicker, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    usage after_clicks = measure();
    report("after 10,000 clicks, 16 threads:", base, after_clicks);
    CHECK(g_ok == CLICKS);
    CHECK(sb_stat("token_requests") >= CLICKS);

    double space = ((double)after_clicks.space - (double)base.space) / MIB;
    double priv = ((double)after_clicks.private - (double)base.private) / MIB;
    CHECK(space <= LIMIT_SPACE_MIB);
    CHECK(priv <= LIMIT_PRIVATE_MIB);
    trl_client_close(g_client);

    printf("test_addrspace: %d passed, %d failed\n", h_passed, h_failed);
    return h_failed == 0 ? 0 : 1;
}
