/* test_sigaltstack.c -- a host whose signal handler needs more stack than a
 * small alternate signal stack gives it must survive a signal storm while its
 * threads call the library (issue 15, DESIGN.md pitfall 10).
 *
 * CoreCLR on Linux registers its thread-suspension handler for SIGRTMIN
 * without SA_ONSTACK and gives every thread a 16 KiB alternate signal stack.
 * When the Go runtime starts it adds SA_ONSTACK to every handler the host
 * registered before, and a thread that calls into Go keeps the stack it has
 * (Go only records it; with none, Go gives the thread its own 32 KiB one).
 * The handler then runs on that small stack and overflows it.  This host does
 * the same without .NET:
 *
 *   - a SIGRTMIN handler that needs 48 KiB of stack (it writes a 48 KiB local
 *     array from the top down, as a stack probe does), registered without
 *     SA_ONSTACK before the library is loaded with dlopen;
 *   - 16 threads calling trl_build_viewer_url in a loop, each with a 16 KiB
 *     alternate stack (mmap'd with a guard page, as CoreCLR does), or none;
 *   - 4 bystander threads with the same stack that never call the library
 *     (CoreCLR's finalizer and pool threads);
 *   - the main thread sending SIGRTMIN to every thread every 50 us, from the
 *     moment the thread has set up its stack (CoreCLR signals any thread it
 *     knows): each calling thread waits 2 ms before its first call, so
 *     signals also land between its creation and its first call.
 *
 * Each thread's alternate stack is freed at its exit by a thread-exit
 * destructor (a pthread key made before the library loads, as CoreCLR's
 * thread cleanup runs before the library's), and only if it is still the
 * installed one: CoreCLR compares the pointer.  A stack the library replaced
 * would leak; the churn runs count the mappings left after every thread ended.
 * The handler also counts the times it ran on an alternate stack smaller than
 * it needs, so an overflow that corrupts memory without crashing still fails
 * the run.
 *
 * Runs: a 16 KiB host stack (3 runs), no host stack (3; Go's own 32 KiB one
 * is too small too), a 2 MiB host stack (1; it must be kept), a 16 KiB host
 * stack with threads ending and replaced all the time (1; signals reach them
 * while they start and end), and 3,000 short-lived threads with a 16 KiB host
 * stack and no signals (1; no mapping may be left per thread).  Each runs in a child process
 * of its own (a crash ends only that child; the library can be loaded once
 * per process), bounded by a watchdog.  Not in the handoff mode
 * (TELERADYOLOJI_THREAD_HANDOFF=1): there the calling threads never enter Go
 * and the library leaves their stacks alone.
 *
 *   test_sigaltstack LIBRARY                     every scenario; "N passed, M failed"
 *   test_sigaltstack LIBRARY --measure THREADS   resident memory per calling thread
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "teleradyoloji.h"

#define WORKERS 16
#define BYSTANDERS 4              /* host threads that never call the library */
#define FIRST_CALL_AFTER_NS 2000000L /* signalled that long before a thread's first call */
#define EXIT_THREADS 3000         /* the short-lived threads of the "small-exit" run */
#define HANDLER_NEED (48 * 1024)  /* stack the host's handler uses */
#define HOST_SMALL (16 * 1024)    /* CoreCLR's alternate stack */
#define HOST_LARGE (2048 * 1024)  /* a host that already has a big one */
#define RUN_NS 1500000000L        /* one scenario's signal storm */
#define SIGNAL_EVERY_NS 50000L
#define MIN_HANDLED 1000          /* the storm must really have happened */
#define CHILD_TIMEOUT_S 40

/* ---- the library, loaded after the handler is registered ---- */

static __typeof__(trl_client_new) *p_client_new;
static __typeof__(trl_client_close) *p_client_close;
static __typeof__(trl_build_viewer_url) *p_build_viewer_url;
static __typeof__(trl_free) *p_free;
static trl_client client;

static void load_library(const char *path) {
    void *h = dlopen(path, RTLD_NOW);
    if (!h) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        exit(2);
    }
    p_client_new = (__typeof__(p_client_new))dlsym(h, "trl_client_new");
    p_client_close = (__typeof__(p_client_close))dlsym(h, "trl_client_close");
    p_build_viewer_url = (__typeof__(p_build_viewer_url))dlsym(h, "trl_build_viewer_url");
    p_free = (__typeof__(p_free))dlsym(h, "trl_free");
    if (!p_client_new || !p_client_close || !p_build_viewer_url || !p_free) {
        fprintf(stderr, "dlsym: a trl_* symbol is missing\n");
        exit(2);
    }
    /* No network: trl_build_viewer_url is local. */
    char *err = NULL;
    if (p_client_new("{\"institution_code\":\"1234567\",\"password\":\"p\",\"application_code\":\"X\"}", &client,
                     &err) != TRL_OK) {
        fprintf(stderr, "trl_client_new: %s\n", err ? err : "?");
        exit(2);
    }
}

/* one_call makes one call and checks its result; 0 when it is right. */
static int one_call(void) {
    char *url = NULL, *err = NULL;
    int32_t rc = p_build_viewer_url(client, "ABC-123+x/y=", &url, &err);
    int ok = rc == TRL_OK && url && strstr(url, "otac=ABC-123%2Bx%2Fy%3D") != NULL;
    p_free(url);
    p_free(err);
    return ok ? 0 : -1;
}

/* ---- the host's handler ---- */

static long handled, on_alt, too_small, bad_calls;

__attribute__((noinline)) static void use_stack(void) {
    volatile char buf[HANDLER_NEED];
    for (long off = HANDLER_NEED - 1; off >= 0; off -= 512) buf[off] = (char)off;
    buf[0] = 1;
    (void)buf[HANDLER_NEED / 2];
}

static void host_handler(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)si, (void)uc;
    int saved = errno;
    stack_t st;
    if (sigaltstack(NULL, &st) == 0 && (st.ss_flags & SS_ONSTACK)) {
        __atomic_add_fetch(&on_alt, 1, __ATOMIC_RELAXED);
        if (st.ss_size < HANDLER_NEED + 16 * 1024)
            __atomic_add_fetch(&too_small, 1, __ATOMIC_RELAXED);
    }
    use_stack();
    __atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
    errno = saved;
}

static void register_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = host_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART; /* no SA_ONSTACK, as CoreCLR */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGRTMIN, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

/* ---- the calling threads ---- */

enum { HOST_NONE, HOST_SMALL_STACK, HOST_LARGE_STACK };
static int host_stack;       /* what each thread has before its first call */
static int churn;            /* threads end after a while and new ones replace them */
static long churn_calls;     /* calls per churned thread; 0: 200 + 37 per slot */
static long thread_target;   /* churn until that many threads started (0: for RUN_NS) */
static int quiet;            /* no signals: the run counts mappings only */
static int stop;
static long page;
static size_t host_altlen;   /* the host's alternate stack with its guard page */
static pthread_key_t host_key; /* made before the library loads: its destructor runs first */

struct slot {
    pthread_t t;
    int live;    /* started, not yet joined */
    int ready;   /* its stack is set up: may be signalled */
    int done;
    long calls;
    int kept;    /* the host's own alternate stack was installed after the first call */
};
static struct slot slots[WORKERS + BYSTANDERS];
static long threads_started, calls_total, kept_total, host_freed;
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;

/* host_stack_free runs at thread exit, as CoreCLR's thread cleanup: it frees
 * the host's alternate stack only if it is still the installed one. */
static void host_stack_free(void *alt) {
    stack_t cur;
    if (sigaltstack(NULL, &cur) != 0 || (cur.ss_flags & SS_DISABLE) || cur.ss_sp != alt)
        return; /* replaced: CoreCLR leaves it mapped */
    stack_t off = {.ss_flags = SS_DISABLE};
    if (sigaltstack(&off, NULL) == 0 && munmap(alt, host_altlen) == 0)
        __atomic_add_fetch(&host_freed, 1, __ATOMIC_RELAXED);
}

/* host_thread_start gives the thread the host's alternate stack, if any. */
static char *host_thread_start(void) {
    if (host_stack == HOST_NONE)
        return NULL;
    char *alt = mmap(NULL, host_altlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (alt == MAP_FAILED || mprotect(alt, (size_t)page, PROT_NONE) != 0) {
        perror("mmap");
        exit(2);
    }
    stack_t ss = {.ss_sp = alt, .ss_size = host_altlen, .ss_flags = 0}; /* guard included, as CoreCLR */
    if (sigaltstack(&ss, NULL) != 0 || pthread_setspecific(host_key, alt) != 0) {
        perror("sigaltstack");
        exit(2);
    }
    return alt;
}

static long now_ns(void);

static void *worker(void *p) {
    struct slot *s = p;
    char *alt = host_thread_start();
    __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
    for (long until = now_ns() + FIRST_CALL_AFTER_NS; now_ns() < until;) {
    } /* signals land here, before the first call */
    if (one_call() != 0)
        __atomic_add_fetch(&bad_calls, 1, __ATOMIC_RELAXED);
    stack_t after;
    sigaltstack(NULL, &after);
    s->kept = alt && !(after.ss_flags & SS_DISABLE) && after.ss_sp == alt;

    long limit = !churn ? -1 : churn_calls ? churn_calls : 200 + (long)(s - slots) * 37;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE) && (limit < 0 || s->calls < limit)) {
        if (one_call() != 0)
            __atomic_add_fetch(&bad_calls, 1, __ATOMIC_RELAXED);
        s->calls++;
    }

    pthread_mutex_lock(&stats_mu);
    calls_total += s->calls + 1;
    kept_total += s->kept;
    pthread_mutex_unlock(&stats_mu);
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* A host thread that never calls the library (CoreCLR's finalizer). */
static void *bystander(void *p) {
    struct slot *s = p;
    host_thread_start();
    __atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
    struct timespec nap = {0, 100000};
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        for (volatile int i = 0; i < 20000; i++) {
        }
        nanosleep(&nap, NULL);
    }
    __atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void start(struct slot *s) {
    s->ready = s->done = 0;
    s->calls = 0;
    if (pthread_create(&s->t, NULL, s - slots < WORKERS ? worker : bystander, s) != 0) {
        perror("pthread_create");
        exit(2);
    }
    s->live = 1;
    threads_started += s - slots < WORKERS;
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* map_count is the number of mappings in /proc/self/maps. */
static long map_count(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;
    while (f && (c = getc(f)) != EOF) n += c == '\n';
    if (f) fclose(f);
    return n;
}

/* status_kib reads one "Key: N kB" line of /proc/self/status. */
static long status_kib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') v = strtol(line + n + 1, NULL, 10);
    if (f) fclose(f);
    return v;
}

static int child(const char *lib, const char *scenario) {
    host_stack = strncmp(scenario, "small", 5) == 0 ? HOST_SMALL_STACK
                 : strcmp(scenario, "large") == 0   ? HOST_LARGE_STACK
                                                    : HOST_NONE;
    churn = strstr(scenario, "churn") != NULL || strstr(scenario, "exit") != NULL;
    if (strstr(scenario, "exit")) {
        churn_calls = 3;
        thread_target = EXIT_THREADS;
        quiet = 1;
    }
    host_altlen = (host_stack == HOST_LARGE_STACK ? HOST_LARGE : HOST_SMALL) + (size_t)page;
    alarm(CHILD_TIMEOUT_S); /* a hang ends the child */
    register_handler();
    if (pthread_key_create(&host_key, host_stack_free) != 0) {
        perror("pthread_key_create");
        exit(2);
    }
    load_library(lib);

    struct sigaction now;
    sigaction(SIGRTMIN, NULL, &now);
    int onstack_added = (now.sa_flags & SA_ONSTACK) != 0;

    long maps0 = map_count();
    for (int i = 0; i < WORKERS + BYSTANDERS; i++) start(&slots[i]);
    long deadline = now_ns() + (thread_target ? (CHILD_TIMEOUT_S - 10) * 1000000000L : RUN_NS), sent = 0;
    struct timespec pause = {0, SIGNAL_EVERY_NS};
    while (now_ns() < deadline && (!thread_target || threads_started < thread_target)) {
        for (int i = 0; i < WORKERS + BYSTANDERS; i++) {
            struct slot *s = &slots[i];
            if (!s->live) continue;
            /* Also while the thread ends: its pthread_t stays valid until joined. */
            if (!quiet && __atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) && pthread_kill(s->t, SIGRTMIN) == 0) sent++;
            if (churn && i < WORKERS && __atomic_load_n(&s->done, __ATOMIC_ACQUIRE) && pthread_tryjoin_np(s->t, NULL) == 0) {
                s->live = 0;
                start(s);
            }
        }
        nanosleep(&pause, NULL);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < WORKERS + BYSTANDERS; i++)
        if (slots[i].live) pthread_join(slots[i].t, NULL), slots[i].live = 0;

    /* Every thread has ended, and with it its library stack: a leaked one
     * stays a mapping (two: the guard page and the stack).  Malloc arenas and
     * the thread stacks glibc caches add a few dozen at most. */
    long grown = map_count() - maps0;
    p_client_close(client);

    int fail = 0;
    printf("    %ld calling threads + %d bystanders, %ld calls, %ld signals sent, %ld handled (%ld on an "
           "alternate stack, %ld on one smaller than %d KiB); SA_ONSTACK added to the host's handler: %s; "
           "the host's stack installed after a first call: %ld of %ld threads; freed at exit by the host: %ld; "
           "%+ld mappings after all threads ended\n",
           threads_started, BYSTANDERS, calls_total, sent, handled, on_alt, too_small,
           (HANDLER_NEED + 16 * 1024) / 1024, onstack_added ? "yes" : "no", kept_total, threads_started, host_freed,
           grown);
    if (bad_calls) fprintf(stderr, "    %ld calls failed\n", bad_calls), fail = 1;
    if (too_small) fprintf(stderr, "    the handler ran on too small an alternate stack\n"), fail = 1;
    if (!quiet && handled < MIN_HANDLED) fprintf(stderr, "    fewer than %d signals handled\n", MIN_HANDLED), fail = 1;
    if (!quiet && onstack_added && on_alt == 0) fprintf(stderr, "    the handler never ran on an alternate stack\n"), fail = 1;
    if (host_stack == HOST_LARGE_STACK && kept_total != threads_started)
        fprintf(stderr, "    a host's large enough alternate stack was replaced\n"), fail = 1;
    if (thread_target && threads_started < thread_target)
        fprintf(stderr, "    only %ld of %d threads started\n", threads_started, EXIT_THREADS), fail = 1;
    if (churn && grown > 200)
        fprintf(stderr, "    %ld more mappings after %ld threads ended: alternate stacks leak?\n", grown, threads_started),
            fail = 1;
    return fail;
}

/* ---- memory per calling thread ---- */

static pthread_barrier_t measure_in, measure_out;
static int measure_signal;

static void *measure_worker(void *p) {
    (void)p;
    if (one_call() != 0) __atomic_add_fetch(&bad_calls, 1, __ATOMIC_RELAXED);
    if (measure_signal) raise(SIGRTMIN); /* the handler runs once on this thread's alternate stack */
    pthread_barrier_wait(&measure_in);
    pthread_barrier_wait(&measure_out);
    return NULL;
}

/* measure starts n threads that each call once (and take one signal when
 * asked), and prints how much VmRSS and VmSize grew per thread while all are
 * alive.  Compare with TELERADYOLOJI_SIGNAL_STACK_KIB=0 (no library stacks). */
static int measure(const char *lib, int n) {
    measure_signal = getenv("MEASURE_SIGNAL") != NULL;
    register_handler();
    load_library(lib);
    pthread_t t0;
    pthread_barrier_init(&measure_in, NULL, 2);
    pthread_barrier_init(&measure_out, NULL, 2);
    pthread_create(&t0, NULL, measure_worker, NULL); /* a warm-up thread: Go's first extra M */
    pthread_barrier_wait(&measure_in);
    pthread_barrier_wait(&measure_out);
    pthread_join(t0, NULL);
    pthread_barrier_destroy(&measure_in);
    pthread_barrier_destroy(&measure_out);

    pthread_barrier_init(&measure_in, NULL, (unsigned)n + 1);
    pthread_barrier_init(&measure_out, NULL, (unsigned)n + 1);
    long rss0 = status_kib("VmRSS"), vm0 = status_kib("VmSize");
    pthread_t *t = calloc((size_t)n, sizeof *t);
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, measure_worker, NULL);
    pthread_barrier_wait(&measure_in);
    long rss1 = status_kib("VmRSS"), vm1 = status_kib("VmSize");
    pthread_barrier_wait(&measure_out);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("%d threads%s: VmRSS +%ld KiB (%.1f KiB per thread), VmSize +%ld KiB (%.1f KiB per thread)\n",
           n, measure_signal ? " (one 48 KiB handler run each)" : "", rss1 - rss0, (double)(rss1 - rss0) / n,
           vm1 - vm0, (double)(vm1 - vm0) / n);
    free(t);
    return bad_calls ? 1 : 0;
}

/* ---- the parent: every scenario in a child of its own ---- */

static const char *signame(int sig) {
    const char *s = sigabbrev_np(sig);
    return s ? s : "?";
}

int main(int argc, char **argv) {
    page = sysconf(_SC_PAGESIZE);
    if (argc == 4 && strcmp(argv[2], "--child") == 0) return child(argv[1], argv[3]);
    if (argc == 4 && strcmp(argv[2], "--measure") == 0) return measure(argv[1], atoi(argv[3]));
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY [--measure THREADS]\n", argv[0]);
        return 2;
    }
    static const char *runs[] = {"small", "small", "small", "none", "none", "none", "large", "small-churn", "small-exit"};
    static const char *what[] = {
        [0] = "16 KiB host alternate stack", [3] = "no host alternate stack",
        [6] = "2 MiB host alternate stack", [7] = "16 KiB host stack, threads ending and replaced",
        [8] = "16 KiB host stack freed at exit only if still installed, 3000 short-lived threads, no signals"};
    const char *knob = getenv("TELERADYOLOJI_SIGNAL_STACK_KIB");
    printf("test_sigaltstack: %d calling threads and %d bystanders, SIGRTMIN handler needing %d KiB, a signal to each every "
           "%ld us for %.1f s per run%s%s\n",
           WORKERS, BYSTANDERS, HANDLER_NEED / 1024, SIGNAL_EVERY_NS / 1000, RUN_NS / 1e9,
           knob ? ", TELERADYOLOJI_SIGNAL_STACK_KIB=" : "", knob ? knob : "");
    int passed = 0, failed = 0, nruns = (int)(sizeof runs / sizeof runs[0]);
    for (int i = 0; i < nruns; i++) {
        if (what[i]) printf("%s:\n", what[i]);
        fflush(stdout);
        long t0 = now_ns();
        FILE *out = tmpfile(); /* the child's output: a crash prints a whole Go traceback */
        if (!out) {
            perror("tmpfile");
            return 2;
        }
        pid_t pid = fork();
        if (pid == 0) {
            dup2(fileno(out), 1);
            dup2(fileno(out), 2);
            execl("/proc/self/exe", argv[0], argv[1], "--child", runs[i], (char *)NULL);
            _exit(127);
        }
        int st = 0;
        long waited = 0;
        while (waitpid(pid, &st, WNOHANG) == 0) {
            if (waited++ > (CHILD_TIMEOUT_S + 10) * 100) {
                kill(pid, SIGKILL);
                waitpid(pid, &st, 0);
                break;
            }
            usleep(10000);
        }
        double secs = (now_ns() - t0) / 1e9;
        int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        rewind(out);
        char line[1024];
        for (int shown = 0; fgets(line, sizeof line, out);) /* the summary, and the start of anything else */
            if (strncmp(line, "    ", 4) == 0 || (!ok && shown++ < 3)) printf("%s%s", line[0] == ' ' ? "" : "    | ", line);
        fclose(out);
        if (ok) {
            printf("  ok   %s run %d (%.1f s)\n", runs[i], i + 1, secs);
            passed++;
        } else if (WIFSIGNALED(st)) {
            printf("  FAIL %s run %d: killed by SIG%s (exit %d) after %.1f s\n", runs[i], i + 1,
                   signame(WTERMSIG(st)), 128 + WTERMSIG(st), secs);
            failed++;
        } else {
            printf("  FAIL %s run %d: exit %d after %.1f s\n", runs[i], i + 1, WEXITSTATUS(st), secs);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
