/*
 * shim.c -- the exported trl_* symbols of include/teleradyoloji.h.
 *
 * Each one calls its trlgo_* twin in exports.go, in one of two ways:
 *
 * - Directly on the calling thread (the default).  Before a thread's first
 *   call into Go the shim takes one process-wide lock and makes a cheap Go
 *   call, so that no two threads bind to the Go runtime at once.
 *
 * - Handed off to a library-owned thread paired with the calling thread
 *   (POSIX only; automatic when the host is Mono, or forced with
 *   TELERADYOLOJI_THREAD_HANDOFF=1, off with =0).  The caller only waits on a
 *   condition variable and never runs Go code.  Mono's garbage collector
 *   suspends every thread it knows with a signal, also threads inside a
 *   P/Invoke: a thread paused inside the Go runtime (holding a P, or binding
 *   itself to the runtime with signals blocked) can then deadlock the
 *   collector and Go (DESIGN.md pitfall 8).  Library-owned threads are unknown
 *   to Mono, so it never pauses them.
 *
 * Host signal handlers and alternate signal stacks (POSIX; DESIGN.md pitfall
 * 10).  When the library loads, the Go runtime adds SA_ONSTACK to every signal
 * handler the host registered before (CoreCLR's SIGRTMIN thread-suspension
 * handler is one): from then on such a handler runs on the alternate signal
 * stack of whatever thread it lands on, 16 KiB on CoreCLR's threads, too small
 * for it; also on threads that never call the library.  Go needs SA_ONSTACK
 * only while a thread runs Go code (a goroutine's stack is small and grows by
 * copying).  So:
 *
 * - Wrapped handlers (x86_64 Linux).  A constructor that runs before the Go
 *   runtime starts (constructor priority) puts the shim's handler, sigwrap, in
 *   the place of each host handler registered without SA_ONSTACK, with the
 *   host's flags and mask; Go then adds SA_ONSTACK to sigwrap instead.  Never
 *   for the signals Go installs its own handler for in a shared library
 *   (SIGSEGV, SIGBUS, SIGFPE, SIGPIPE, SIGURG; SIGPROF): Go forwards those.
 *   sigwrap runs the host's handler where it would have run without the
 *   library: on the interrupted stack, when the thread was not running Go
 *   code, or on the alternate stack when it was.  It knows from a thread-local
 *   state the shim keeps (thread_where): "host" from a thread's first trl_*
 *   call, "in Go" around the Go call; a thread it never saw (a bystander, or
 *   a thread Go created) counts as running Go code only when the interrupted
 *   instruction is in this library (Go runs goroutines only there; outside,
 *   in libc or the vDSO, Go is on the thread's system stack) and not in an
 *   exported function (section trl_shim_text: a new host thread's first
 *   instructions in the library, before the function marks it "host").  To run on the
 *   interrupted stack it blocks every signal, moves the stack pointer below
 *   the interrupted one (past the x86_64 red zone; sigwrap_call_on), disables
 *   the alternate stack (so a nested signal cannot land on the frames it left
 *   there), runs the handler with the signal mask it was given, then blocks,
 *   re-enables, moves back and returns; the kernel restores the mask.  A
 *   handler that leaves by siglongjmp leaves the thread without its
 *   alternate stack.  On other systems the host's handlers stay as Go left
 *   them, on the alternate stack.
 *
 * - A large alternate stack while in Go.  Before a thread first enters Go the
 *   shim makes sure its alternate stack holds at least 1 MiB
 *   (TELERADYOLOJI_SIGNAL_STACK_KIB; 0 leaves stacks alone): Go records the
 *   stack a thread has at its first entry (with none, Go gives it a 32 KiB
 *   one), and runs its own handlers and, through sigwrap, the host's on it.
 *   With no host stack, or not on x86_64 Linux, a library-owned 1 MiB stack
 *   above a guard page is installed for good.  When the host has its own
 *   smaller one (CoreCLR), the library's is installed only for the time of
 *   each call and the host's put back after it (two sigaltstack calls per
 *   call): the host's stays the installed one outside calls, so a host that
 *   frees its stack at thread exit only if it is still installed (CoreCLR
 *   compares the pointer) frees it, whatever order the thread-exit
 *   destructors run in.  1 MiB is the order of the thread stacks such
 *   handlers were written to run on.  It costs 1 MiB + 4 KiB of address space
 *   and two mappings per calling thread; only the pages a handler touches
 *   become resident (measured with 128 threads: no difference in VmRSS until
 *   a handler runs), and below 2 MiB no transparent huge page can back it.
 *   It is freed when the thread ends, after Go has let go of it
 *   (sigstack_release).
 *
 * The library-owned threads of the handoff mode get one too: they run Go,
 * and a process-directed signal can land on them.  The calling threads of the
 * handoff mode keep theirs: they never run Go, Go never records their stack,
 * and under Mono it is Mono's.  Threads Go creates are Go's.
 *
 * trl_free never enters Go.
 *
 * Log events (trl_set_log) reach the host's function from a library-owned
 * thread that never enters Go (logq.c).  A call made on that thread, from
 * inside the log function, is refused like a call in a forked child (with
 * TRL_E_INVALID_ARGUMENT instead of TRL_E_FORKED), before any Go code runs:
 * a host that adopts the thread to run its log function (Mono does) must
 * never see it in the Go runtime.  trl_set_log itself works there.
 */
#define TRL_BUILDING_LIBRARY 1
#define _GNU_SOURCE 1 /* RTLD_DEFAULT */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "../include/teleradyoloji.h"
#include "_cgo_export.h"
#include "logq.h"

#if defined(_WIN32)
#include <windows.h>
static SRWLOCK first_call_lock = SRWLOCK_INIT;
#define LOCK() AcquireSRWLockExclusive(&first_call_lock)
#define UNLOCK() ReleaseSRWLockExclusive(&first_call_lock)
#else
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
static pthread_mutex_t first_call_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&first_call_lock)
#define UNLOCK() pthread_mutex_unlock(&first_call_lock)

/* ---- host signal handlers (see the top of this file) ---- */

/* Where this thread is, for sigwrap: a thread the shim never saw is
 * THREAD_UNKNOWN (0).  Initial-exec TLS: read in a signal handler. */
enum { THREAD_UNKNOWN, THREAD_HOST, THREAD_IN_GO };
static __thread volatile sig_atomic_t thread_where __attribute__((tls_model("initial-exec")));
#define SAW_HOST_THREAD() ((void)(thread_where || (thread_where = THREAD_HOST)))

#if defined(__x86_64__) && defined(__linux__)
#define SIGWRAP 1
#include <ucontext.h>

/* The exported functions live in a section of their own, so that sigwrap
 * can tell their first instructions (a new host thread, not yet marked
 * THREAD_HOST) from Go's code: both are in this library's text. */
#undef TRL_EXTERN
#define TRL_EXTERN __attribute__((visibility("default"), section("trl_shim_text")))
extern const char __start_trl_shim_text[] __attribute__((visibility("hidden")));
extern const char __stop_trl_shim_text[] __attribute__((visibility("hidden")));
#define IN_SHIM(pc) ((pc) >= (uintptr_t)__start_trl_shim_text && (pc) < (uintptr_t)__stop_trl_shim_text)

/* sigwrap_call_on(sp, fn, arg) calls fn(arg) with the stack pointer at sp
 * (16-byte aligned) and returns on the stack it was called on. */
void sigwrap_call_on(uintptr_t sp, void (*fn)(void *), void *arg) __attribute__((visibility("hidden")));
__asm__(".pushsection .text\n"
        ".globl sigwrap_call_on\n"
        ".hidden sigwrap_call_on\n"
        ".type sigwrap_call_on,@function\n"
        "sigwrap_call_on:\n"
        "  .cfi_startproc\n"
        "  pushq %rbp\n"
        "  .cfi_def_cfa_offset 16\n"
        "  .cfi_offset %rbp, -16\n"
        "  movq %rsp, %rbp\n"
        "  .cfi_def_cfa_register %rbp\n"
        "  movq %rdi, %rsp\n"
        "  movq %rdx, %rdi\n"
        "  callq *%rsi\n"
        "  movq %rbp, %rsp\n"
        "  popq %rbp\n"
        "  .cfi_def_cfa %rsp, 8\n"
        "  ret\n"
        "  .cfi_endproc\n"
        ".size sigwrap_call_on, .-sigwrap_call_on\n"
        ".popsection\n");

static struct sigaction host_action[NSIG]; /* the host's handler of each wrapped signal */
static uintptr_t lib_text_lo, lib_text_hi;  /* this library's code (Go's and the shim's) */

static void call_host(int sig, siginfo_t *si, void *uc) {
    const struct sigaction *h = &host_action[sig];
    if (h->sa_flags & SA_SIGINFO)
        h->sa_sigaction(sig, si, uc);
    else
        h->sa_handler(sig);
}

struct on_thread_stack {
    int sig;
    siginfo_t *si;
    void *uc;
    stack_t alt;   /* the alternate stack sigwrap runs on */
    sigset_t mask; /* the mask the kernel gave the handler */
};

/* Runs on the interrupted stack, every signal blocked. */
static void host_on_thread_stack(void *p) {
    struct on_thread_stack *c = p;
    stack_t off;
    memset(&off, 0, sizeof off);
    off.ss_flags = SS_DISABLE;
    off.ss_size = MINSIGSTKSZ;
    int disabled = sigaltstack(&off, NULL) == 0;
    pthread_sigmask(SIG_SETMASK, &c->mask, NULL);
    call_host(c->sig, c->si, c->uc);
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    if (disabled)
        sigaltstack(&c->alt, NULL);
}

/* sigwrap stands for a host handler that Go gave SA_ONSTACK. */
static void sigwrap(int sig, siginfo_t *si, void *ucv) {
    int saved_errno = errno;
    ucontext_t *uc = ucv;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    int where = thread_where;
    int in_go = where == THREAD_IN_GO || (where == THREAD_UNKNOWN && pc >= lib_text_lo && pc < lib_text_hi && !IN_SHIM(pc));
    struct on_thread_stack c;
    if (in_go || sigaltstack(NULL, &c.alt) != 0 || !(c.alt.ss_flags & SS_ONSTACK) ||
        (sp >= (uintptr_t)c.alt.ss_sp && sp - (uintptr_t)c.alt.ss_sp < c.alt.ss_size)) {
        /* in Go, or already on the interrupted stack (no alternate stack, or a nested signal) */
        errno = saved_errno;
        call_host(sig, si, ucv);
        return;
    }
    c.sig = sig;
    c.si = si;
    c.uc = ucv;
    c.alt.ss_flags &= ~SS_ONSTACK;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &c.mask);
    errno = saved_errno;
    sigwrap_call_on((sp - 128) & ~(uintptr_t)15, host_on_thread_stack, &c);
    errno = saved_errno;
} /* the kernel restores the mask of uc */

static int find_lib_text(struct dl_phdr_info *info, size_t size, void *unused) {
    (void)size, (void)unused;
    uintptr_t self = (uintptr_t)&sigwrap, lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
    }
    if (self < lo || self >= hi)
        return 0;
    lib_text_lo = lo;
    lib_text_hi = hi;
    return 1;
}

/* Before the Go runtime starts: put sigwrap in the place of every host
 * handler registered without SA_ONSTACK, except where Go installs its own. */
__attribute__((constructor(101))) static void sigwrap_install(void) {
    if (!dl_iterate_phdr(find_lib_text, NULL))
        return;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
            sig == SIGPIPE || sig == SIGURG || sig == SIGPROF || (sig >= 32 && sig < SIGRTMIN))
            continue;
        struct sigaction cur;
        if (sigaction(sig, NULL, &cur) != 0 || cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN ||
            (cur.sa_flags & SA_ONSTACK))
            continue;
        host_action[sig] = cur;
        struct sigaction w = cur;
        w.sa_sigaction = sigwrap;
        w.sa_flags |= SA_SIGINFO;
        sigaction(sig, &w, NULL);
    }
}
#endif

/* ---- alternate signal stacks (see the top of this file) ---- */

#define SIGSTACK_DEFAULT_KIB 1024
#define SIGSTACK_MIN_KIB 64
static pthread_once_t sigstack_once = PTHREAD_ONCE_INIT;
static size_t sigstack_size; /* 0: leave threads' alternate stacks alone */
static size_t sigstack_page;
static pthread_key_t sigstack_key; /* this thread's stack: the mapping, guard page first */
static __thread int sigstack_rounds;
static __thread char *sigstack_mine; /* this thread's library stack while it is mapped */
static __thread int sigstack_swap;   /* installed only during calls: the host has its own */

/* sigstack_release runs when a thread that got a library stack ends.  Go
 * records that stack in the thread's M when the thread first enters Go, and
 * forgets it (restoreGsignalStack in unminitSignals, from dropm) in its own
 * pthread key destructor, which may come after this one in the same round.
 * So the stack is freed only in the last round of destructor calls
 * (PTHREAD_DESTRUCTOR_ITERATIONS; POSIX runs at least that many while a value
 * is set): by then Go has dropped the M.  Until then the stack stays
 * installed, so signals during the thread's exit still have it.  It is
 * disabled before it is unmapped, so no signal can land on freed memory. */
static void sigstack_release(void *base) {
    if (++sigstack_rounds < PTHREAD_DESTRUCTOR_ITERATIONS && pthread_setspecific(sigstack_key, base) == 0)
        return;
    sigstack_mine = NULL; /* a later call (another destructor) runs without it */
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) &&
        cur.ss_sp == (char *)base + sigstack_page) {
        stack_t off;
        memset(&off, 0, sizeof off);
        off.ss_flags = SS_DISABLE;
        off.ss_size = MINSIGSTKSZ; /* musl checks the size even when disabling */
        if (sigaltstack(&off, NULL) != 0)
            return; /* still in use (EPERM): keep it mapped rather than free it */
    }
    munmap(base, sigstack_size + sigstack_page);
}

static void sigstack_init(void) {
    unsigned long kib = SIGSTACK_DEFAULT_KIB;
    const char *env = getenv("TELERADYOLOJI_SIGNAL_STACK_KIB");
    if (env && *env) {
        char *end;
        kib = strtoul(env, &end, 10);
        if (*end)
            kib = SIGSTACK_DEFAULT_KIB;
        else if (kib && kib < SIGSTACK_MIN_KIB)
            kib = SIGSTACK_MIN_KIB;
        else if (kib > 64 * 1024)
            kib = 64 * 1024;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (!kib || page <= 0 || pthread_key_create(&sigstack_key, sigstack_release) != 0)
        return;
    sigstack_page = (size_t)page;
    sigstack_size = (kib * 1024 + sigstack_page - 1) / sigstack_page * sigstack_page;
}

/* sigstack_ensure gives the calling thread a library alternate stack when it
 * has none or a smaller one: installed now for good, or, when the host has
 * its own (and sigwrap runs the host's handlers outside Go), during each call
 * (sigstack_enter).  Only before the thread's first entry into Go: after
 * that, Go has recorded the stack the thread has. */
static void sigstack_ensure(void) {
    pthread_once(&sigstack_once, sigstack_init);
    stack_t cur;
    if (!sigstack_size || sigaltstack(NULL, &cur) != 0 || (cur.ss_flags & SS_ONSTACK))
        return; /* off, or running on it (inside a signal handler): cannot change it */
    if (!(cur.ss_flags & SS_DISABLE) && cur.ss_size >= sigstack_size)
        return; /* the host's own is large enough */
    size_t len = sigstack_size + sigstack_page;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_STACK
    flags |= MAP_STACK;
#endif
    char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (base == MAP_FAILED)
        return; /* no memory: the thread keeps what it has */
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = base + sigstack_page;
    ss.ss_size = sigstack_size;
    if (mprotect(base, sigstack_page, PROT_NONE) != 0 || pthread_setspecific(sigstack_key, base) != 0) {
        munmap(base, len);
        return;
    }
    sigstack_mine = base;
#ifdef SIGWRAP
    if (!(cur.ss_flags & SS_DISABLE)) {
        sigstack_swap = 1;
        return;
    }
#endif
    if (sigaltstack(&ss, NULL) != 0) {
        pthread_setspecific(sigstack_key, NULL);
        sigstack_mine = NULL;
        munmap(base, len);
    }
}

/* sigstack_enter installs the library's stack for one call, keeping the
 * host's in *host; 1 when sigstack_leave must put it back. */
static int sigstack_enter(stack_t *host) {
    if (!sigstack_swap || !sigstack_mine)
        return 0;
    stack_t ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_sp = sigstack_mine + sigstack_page;
    ss.ss_size = sigstack_size;
    return sigaltstack(&ss, host) == 0; /* fails on the alternate stack (a call from a handler) */
}

static void sigstack_leave(const stack_t *host) {
    stack_t ss = *host;
    ss.ss_flags &= ~SS_ONSTACK;
    if (ss.ss_flags & SS_DISABLE)
        ss.ss_size = MINSIGSTKSZ;
    sigaltstack(&ss, NULL);
}
#endif

static __thread int thread_entered;
static const char *version_seen; /* trl_version's answer, for a forked child */

/* A packed call: fn calls the trlgo_* function with a's fields. */
typedef int32_t (*thunk_fn)(void *a);

/* call_go makes the call on this thread, the thread's first entry into Go
 * serialised behind first_call_lock. */
static int32_t call_go(thunk_fn fn, void *a) {
#if !defined(_WIN32)
    if (!thread_entered)
        sigstack_ensure();
    stack_t host;
    int swapped = sigstack_enter(&host);
    thread_where = THREAD_IN_GO;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
    if (__builtin_expect(!thread_entered, 0)) {
        LOCK();
        (void)trlgo_abi_version();
        if (!version_seen)
            version_seen = trlgo_version();
        UNLOCK();
        thread_entered = 1;
    }
    int32_t r = fn(a);
#if !defined(_WIN32)
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    thread_where = THREAD_HOST;
    if (swapped)
        sigstack_leave(&host);
#endif
    return r;
}

/* ---- fork() without exec ----
 * The Go runtime does not survive fork() in a shared library: the child has
 * only the forking thread, Go's other threads are gone, and a call may hang
 * for ever; it would also share the parent's kept connections (another
 * request's answer could arrive).  So in a child forked after the library
 * loaded, no call enters Go: each fails at once with TRL_E_FORKED (out
 * parameters cleared as always), trl_abi_version, trl_version,
 * trl_status_name and trl_free still answer.  The parent is unaffected. */
#if defined(_WIN32)
#define is_forked() 0
#else
/* pthread_atfork catches libc's fork(); a raw fork system call (Free
 * Pascal's FpFork, some runtimes' own) runs no handler, so the process id
 * seen at load is compared too. */
static volatile sig_atomic_t forked;
static pid_t loaded_in;
static void on_fork_child(void) { forked = 1; }
__attribute__((constructor)) static void watch_fork(void) {
    loaded_in = getpid();
    pthread_atfork(NULL, NULL, on_fork_child);
}
#define is_forked() (forked || getpid() != loaded_in)
#endif
/* FORKED(): this call must not enter Go (a forked child, or the log thread).
 * First in every call: the thread is the host's from here (sigwrap). */
#if defined(_WIN32)
#define FORKED() __builtin_expect(is_forked() || logq_thread, 0)
#else
#define FORKED() (SAW_HOST_THREAD(), __builtin_expect(is_forked() || logq_thread, 0))
#endif

static const char forked_json[] =
    "{\"code\":10,\"name\":\"TRL_E_FORKED\",\"message\":\"this process was forked (fork() without exec) "
    "after the library was loaded; the library's Go runtime does not survive fork. Load it only in the "
    "process that uses it: start workers with spawn (Python multiprocessing 'spawn' or 'forkserver'), no "
    "preloading in gunicorn or Celery prefork, or exec after fork\",\"retryable\":false,"
    "\"message_tr\":\"Kütüphane, yüklendikten sonra çatallanmış (fork) bir süreçte çağrıldı ve orada "
    "çalışamaz (program hatası): HBYS firmasına bildirin.\"}";

static const char log_thread_json[] =
    "{\"code\":1,\"name\":\"TRL_E_INVALID_ARGUMENT\",\"message\":\"the library was called from inside the "
    "log function (trl_set_log); only trl_set_log may be called there\",\"retryable\":false,"
    "\"message_tr\":\"Kütüphane, kayıt (log) işlevinin içinden çağrıldı; orada yalnızca trl_set_log "
    "çağrılabilir (program hatası): HBYS firmasına bildirin.\"}";

/* refused is the status of a call that must not enter Go. */
static int32_t refused(void) { return logq_thread ? TRL_E_INVALID_ARGUMENT : TRL_E_FORKED; }

/* after_fork answers a call made in a forked child or on the log thread. */
static int32_t after_fork(char **err) {
    const char *json = logq_thread ? log_thread_json : forked_json;
    size_t len = logq_thread ? sizeof log_thread_json : sizeof forked_json;
    if (err) {
        *err = malloc(len);
        if (*err)
            memcpy(*err, json, len);
    }
    return refused();
}

/* Clear an out parameter, as every call does on entry. */
#define CLEAR(p) do { if (p) *(p) = 0; } while (0)

/* The names of trl_status_name for a forked child, where Go cannot answer;
 * tests/c/test_fork.c checks they are Go's. */
static const char *const status_names[] = {
    "TRL_OK", "TRL_E_INVALID_ARGUMENT", "TRL_E_CONFIG", "TRL_E_BAD_HANDLE", "TRL_E_AUTH", "TRL_E_HTTP",
    "TRL_E_NETWORK", "TRL_E_TIMEOUT", "TRL_E_PROTOCOL", "TRL_E_INTERNAL", "TRL_E_FORKED",
};

#if defined(_WIN32)
static int32_t run(thunk_fn fn, void *a) { return call_go(fn, a); }
#else
/* The library-owned thread paired with one calling thread. */
struct worker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* IDLE, POSTED (fn/a set), DONE (result set), EXIT */
    thunk_fn fn;
    void *a;
    int32_t result;
};
enum { IDLE, POSTED, DONE, EXIT };

static pthread_once_t handoff_once = PTHREAD_ONCE_INIT;
static int handoff;
static pthread_key_t worker_key;
static __thread struct worker *my_worker;
static __thread int worker_released; /* this thread is ending: no more kept worker */

/* worker_end tells w to end; it frees itself. */
static void worker_end(struct worker *w) {
    pthread_mutex_lock(&w->mu);
    w->state = EXIT;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* The calling thread is ending: its worker ends too.  A later call from this
 * thread (another thread-exit destructor) gets a worker of its own for that
 * call only, never this freed one. */
static void worker_release(void *p) {
    my_worker = NULL;
    worker_released = 1;
    worker_end(p);
}

static void handoff_init(void) {
    const char *env = getenv("TELERADYOLOJI_THREAD_HANDOFF");
    if (env && *env)
        handoff = strcmp(env, "0") != 0;
    else
        handoff = dlsym(RTLD_DEFAULT, "mono_thread_attach") != NULL;
    if (handoff && pthread_key_create(&worker_key, worker_release) != 0)
        handoff = 0;
}

static void *worker_main(void *p) {
    struct worker *w = p;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->state == IDLE || w->state == DONE)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->state == EXIT)
            break;
        pthread_mutex_unlock(&w->mu);
        int32_t r = call_go(w->fn, w->a);
        pthread_mutex_lock(&w->mu);
        w->result = r;
        w->state = DONE;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return NULL;
}

/* new_worker starts a worker thread; NULL when none can be started. */
static struct worker *new_worker(void) {
    struct worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, worker_main, w);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

/* my_worker_or_null is this thread's worker, started on first use; NULL
 * when no thread can be started (then the call runs directly). */
static struct worker *my_worker_or_null(void) {
    if (my_worker || worker_released)
        return my_worker;
    struct worker *w = new_worker();
    if (w && pthread_setspecific(worker_key, w) != 0) {
        worker_end(w);
        return NULL;
    }
    return my_worker = w;
}

/* run_on hands fn(a) to w and waits.  The wait is no cancellation point:
 * a caller cancelled there would leave w->mu locked and its stack (a, the
 * out parameters) to a worker still writing into it; a pending cancel acts
 * at the caller's next cancellation point, after the call. */
static int32_t run_on(struct worker *w, thunk_fn fn, void *a) {
    int cancel_state;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
    pthread_mutex_lock(&w->mu);
    w->fn = fn;
    w->a = a;
    w->state = POSTED;
    pthread_cond_broadcast(&w->cv);
    while (w->state != DONE)
        pthread_cond_wait(&w->cv, &w->mu);
    int32_t r = w->result;
    w->state = IDLE;
    pthread_mutex_unlock(&w->mu);
    pthread_setcancelstate(cancel_state, NULL);
    return r;
}

static int32_t run(thunk_fn fn, void *a) {
    SAW_HOST_THREAD();
    pthread_once(&handoff_once, handoff_init);
    if (!handoff)
        return call_go(fn, a);
    struct worker *w = my_worker_or_null();
    if (w)
        return run_on(w, fn, a);
    if (worker_released && (w = new_worker()) != NULL) {
        /* a call from a thread-exit destructor after ours: a one-call worker */
        int32_t r = run_on(w, fn, a);
        worker_end(w);
        return r;
    }
    return call_go(fn, a);
}
#endif

/* THUNK(name, {fields}, call) declares the argument struct of a call and the
 * thunk that makes it on whichever thread runs it (one field a declaration:
 * no commas inside the braces). */
#define THUNK(name, fields, call)                     \
    struct name##_args fields;                        \
    static int32_t name##_thunk(void *p) {            \
        struct name##_args *a = p;                    \
        (void)a;                                      \
        return call;                                  \
    }

THUNK(abi_version, {int32_t unused;}, trlgo_abi_version())
TRL_EXTERN int32_t TRL_CALL trl_abi_version(void) {
    if (FORKED())
        return TRL_ABI_VERSION;
    struct abi_version_args a = {0};
    return run(abi_version_thunk, &a);
}

THUNK(version, {const char *out;}, (a->out = trlgo_version(), 0))
TRL_EXTERN const char *TRL_CALL trl_version(void) {
    if (FORKED())
        return version_seen ? version_seen : "";
    struct version_args a = {NULL};
    run(version_thunk, &a);
    return a.out;
}

THUNK(status_name, {int32_t status; const char *out;}, (a->out = trlgo_status_name(a->status), 0))
TRL_EXTERN const char *TRL_CALL trl_status_name(int32_t status) {
    if (FORKED())
        return status >= 0 && status < (int32_t)(sizeof status_names / sizeof *status_names) ? status_names[status]
                                                                                     : "TRL_E_UNKNOWN";
    struct status_name_args a = {status, NULL};
    run(status_name_thunk, &a);
    return a.out;
}

TRL_EXTERN void TRL_CALL trl_free(void *p) {
    free(p); /* every string was malloc'd by this library's C runtime */
}

THUNK(client_new, {const char *config_json; trl_client *out; char **err;},
      trlgo_client_new((char *)a->config_json, a->out, a->err))
TRL_EXTERN int32_t TRL_CALL trl_client_new(const char *config_json, trl_client *out, char **err) {
    if (FORKED()) {
        CLEAR(out);
        CLEAR(err);
        return after_fork(err);
    }
    struct client_new_args a = {config_json, out, err};
    return run(client_new_thunk, &a);
}

THUNK(client_close, {trl_client c;}, trlgo_client_close(a->c))
TRL_EXTERN int32_t TRL_CALL trl_client_close(trl_client c) {
    if (FORKED())
        return refused();
    struct client_close_args a = {c};
    return run(client_close_thunk, &a);
}

THUNK(service_token, {trl_client c; char **token; int64_t *expires_at_unix; char **err;},
      trlgo_service_token(a->c, a->token, a->expires_at_unix, a->err))
TRL_EXTERN int32_t TRL_CALL trl_service_token(trl_client c, char **token, int64_t *expires_at_unix,
                                              char **err) {
    if (FORKED()) {
        CLEAR(token);
        CLEAR(expires_at_unix);
        CLEAR(err);
        return after_fork(err);
    }
    struct service_token_args a = {c, token, expires_at_unix, err};
    return run(service_token_thunk, &a);
}

THUNK(viewer_token,
      {trl_client c; const char *doctor_tc; const char *patient_tc; char **token; int64_t *expires_at_unix; char **err;},
      trlgo_viewer_token(a->c, (char *)a->doctor_tc, (char *)a->patient_tc, a->token, a->expires_at_unix,
                         a->err))
TRL_EXTERN int32_t TRL_CALL trl_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                             char **token, int64_t *expires_at_unix, char **err) {
    if (FORKED()) {
        CLEAR(token);
        CLEAR(expires_at_unix);
        CLEAR(err);
        return after_fork(err);
    }
    struct viewer_token_args a = {c, doctor_tc, patient_tc, token, expires_at_unix, err};
    return run(viewer_token_thunk, &a);
}

THUNK(post_otac, {trl_client c; const char *token; const char *accession; char **otac; char **err;},
      trlgo_post_otac(a->c, (char *)a->token, (char *)a->accession, a->otac, a->err))
TRL_EXTERN int32_t TRL_CALL trl_post_otac(trl_client c, const char *token, const char *accession,
                                          char **otac, char **err) {
    if (FORKED()) {
        CLEAR(otac);
        CLEAR(err);
        return after_fork(err);
    }
    struct post_otac_args a = {c, token, accession, otac, err};
    return run(post_otac_thunk, &a);
}

THUNK(build_viewer_url, {trl_client c; const char *otac; char **url; char **err;},
      trlgo_build_viewer_url(a->c, (char *)a->otac, a->url, a->err))
TRL_EXTERN int32_t TRL_CALL trl_build_viewer_url(trl_client c, const char *otac, char **url, char **err) {
    if (FORKED()) {
        CLEAR(url);
        CLEAR(err);
        return after_fork(err);
    }
    struct build_viewer_url_args a = {c, otac, url, err};
    return run(build_viewer_url_thunk, &a);
}

THUNK(viewer_url, {trl_client c; const char *accession; const char *doctor_tc; const char *patient_tc; char **url; char **err;},
      trlgo_viewer_url(a->c, (char *)a->accession, (char *)a->doctor_tc, (char *)a->patient_tc, a->url, a->err))
TRL_EXTERN int32_t TRL_CALL trl_viewer_url(trl_client c, const char *accession, const char *doctor_tc,
                                           const char *patient_tc, char **url, char **err) {
    if (FORKED()) {
        CLEAR(url);
        CLEAR(err);
        return after_fork(err);
    }
    struct viewer_url_args a = {c, accession, doctor_tc, patient_tc, url, err};
    return run(viewer_url_thunk, &a);
}

THUNK(call,
      {trl_client c; const char *method; const char *path; const char *json_body; int32_t *http_status; char **response; char **err;},
      trlgo_call(a->c, (char *)a->method, (char *)a->path, (char *)a->json_body, a->http_status, a->response,
                 a->err))
TRL_EXTERN int32_t TRL_CALL trl_call(trl_client c, const char *method, const char *path,
                                     const char *json_body, int32_t *http_status, char **response,
                                     char **err) {
    if (FORKED()) {
        CLEAR(http_status);
        CLEAR(response);
        CLEAR(err);
        return after_fork(err);
    }
    struct call_args a = {c, method, path, json_body, http_status, response, err};
    return run(call_thunk, &a);
}

THUNK(call_bytes,
      {trl_client c; const char *method; const char *path; const char *json_body; int32_t *http_status; char **response; int64_t *response_len; char **err;},
      trlgo_call_bytes(a->c, (char *)a->method, (char *)a->path, (char *)a->json_body, a->http_status, a->response,
                       a->response_len, a->err))
TRL_EXTERN int32_t TRL_CALL trl_call_bytes(trl_client c, const char *method, const char *path,
                                           const char *json_body, int32_t *http_status, char **response,
                                           int64_t *response_len, char **err) {
    if (FORKED()) {
        CLEAR(http_status);
        CLEAR(response);
        CLEAR(response_len);
        CLEAR(err);
        return after_fork(err);
    }
    struct call_bytes_args a = {c, method, path, json_body, http_status, response, response_len, err};
    return run(call_bytes_thunk, &a);
}

/* ---- appended to ABI v1: logging and the connection doctor ---- */

THUNK(set_log, {int32_t on; int32_t max_level;}, trlgo_set_log(a->on, a->max_level))
TRL_EXTERN int32_t TRL_CALL trl_set_log(trl_log_fn fn, void *user_data, int32_t max_level) {
#if !defined(_WIN32)
    SAW_HOST_THREAD();
#endif
    if (is_forked())
        return TRL_E_FORKED;
    if (fn && (max_level < TRL_LOG_ERROR || max_level > TRL_LOG_DEBUG))
        return TRL_E_INVALID_ARGUMENT;
    if (logq_thread) /* from inside the log function: the delivery side only */
        return logq_set(fn, user_data, max_level) == 0 ? TRL_OK : TRL_E_INTERNAL;
    struct set_log_args a = {fn != NULL, max_level};
    if (fn) {
        /* the function first, then Go makes events */
        if (logq_set(fn, user_data, max_level) != 0)
            return TRL_E_INTERNAL;
        return run(set_log_thunk, &a);
    }
    int32_t r = run(set_log_thunk, &a); /* Go stops making events, then the function goes */
    logq_set(NULL, NULL, 0);
    return r;
}

THUNK(diagnose, {trl_client c; char **report_json; char **err;}, trlgo_diagnose(a->c, a->report_json, a->err))
TRL_EXTERN int32_t TRL_CALL trl_diagnose(trl_client c, char **report_json, char **err) {
    if (FORKED()) {
        CLEAR(report_json);
        CLEAR(err);
        return after_fork(err);
    }
    struct diagnose_args a = {c, report_json, err};
    return run(diagnose_thunk, &a);
}

/* ---- appended to ABI v1: the prefetch hint ---- */

THUNK(prefetch_viewer_token, {trl_client c; const char *doctor_tc; const char *patient_tc; char **err;},
      trlgo_prefetch_viewer_token(a->c, (char *)a->doctor_tc, (char *)a->patient_tc, a->err))
TRL_EXTERN int32_t TRL_CALL trl_prefetch_viewer_token(trl_client c, const char *doctor_tc, const char *patient_tc,
                                                      char **err) {
    if (FORKED()) {
        CLEAR(err);
        return after_fork(err);
    }
    struct prefetch_viewer_token_args a = {c, doctor_tc, patient_tc, err};
    return run(prefetch_viewer_token_thunk, &a);
}
