/*
 * logq.c -- delivers the library's log events to the host's trl_log_fn.
 *
 * Go code (core/internal/logx) hands each event to logq_push, which copies it
 * into a bounded queue without blocking or taking a lock (a multi-producer
 * ring with a sequence number per cell, after D. Vyukov's bounded MPMC queue)
 * and wakes the delivery thread through a semaphore.  When the queue is full
 * the event is dropped and counted; the count is delivered later as a
 * "log.dropped" event.  So a call never waits for the host's log function.
 *
 * The delivery thread is created here when trl_set_log sets a function, and
 * ends when it removes it (so no thread is left while logging is off, and a
 * host that adopted it sees it end); it never enters Go: hosts that track threads (Mono's garbage
 * collector suspends every thread it knows, DESIGN.md pitfall 8) may adopt it
 * when the log function is managed code, and no thread they know then runs Go
 * code.  It calls the log function with no library lock held.  It never
 * needs an alternate signal stack from the shim (it never enters Go).
 *
 * fork(): a child has no delivery thread, and the shim refuses every call
 * there before any Go code runs, so nothing is queued.  Process exit: a
 * destructor (POSIX) stops delivery without waiting; in a forked child it
 * does nothing (also after a raw fork system call, which runs no
 * pthread_atfork handler: the process id is compared).
 */
#define TRL_BUILDING_LIBRARY 1
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logq.h"

#if defined(_WIN32)
#include <windows.h>
static SRWLOCK state_mu = SRWLOCK_INIT;
static CONDITION_VARIABLE state_cv = CONDITION_VARIABLE_INIT;
static HANDLE sem;
static DWORD log_tid;
#define LOCK() AcquireSRWLockExclusive(&state_mu)
#define UNLOCK() ReleaseSRWLockExclusive(&state_mu)
#define WAIT() SleepConditionVariableSRW(&state_cv, &state_mu, INFINITE, 0)
#define BROADCAST() WakeAllConditionVariable(&state_cv)
#define YIELD() SwitchToThread()
#else
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <unistd.h>
static pthread_mutex_t state_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t state_cv = PTHREAD_COND_INITIALIZER;
static sem_t sem;
#define LOCK() pthread_mutex_lock(&state_mu)
#define UNLOCK() pthread_mutex_unlock(&state_mu)
#define WAIT() pthread_cond_wait(&state_cv, &state_mu)
#define BROADCAST() pthread_cond_broadcast(&state_cv)
#define YIELD() sched_yield()
#endif

__thread int logq_thread;

/* ---- the queue ---- */

#define QCAP 1024 /* events waiting for the log function; a power of two */
#define QMASK (QCAP - 1)

/* A cell holds the event of position pos once seq == pos + 1, and is free
 * for position pos once seq == pos.  seq is stored minus the cell's index,
 * so that the zero-initialised array starts with seq == index. */
struct cell {
    size_t seq;
    int32_t level;
    char *json;
};
static struct cell cells[QCAP];
static size_t enq;               /* next position to fill (producers) */
static size_t deq;               /* next position to deliver (delivery thread) */
static size_t dropped;           /* dropped and not yet reported */
static int ready;                /* a log function is set: events are wanted */

void logq_push(int32_t level, const char *json, size_t len) {
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        return; /* no log function: nobody wants events */
    char *copy = malloc(len + 1);
    if (!copy) {
        __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    memcpy(copy, json, len);
    copy[len] = 0;
    size_t pos = __atomic_load_n(&enq, __ATOMIC_RELAXED);
    struct cell *c;
    for (;;) {
        size_t i = pos & QMASK;
        c = &cells[i];
        size_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) + i;
        ptrdiff_t diff = (ptrdiff_t)(seq - pos);
        if (diff == 0) {
            if (__atomic_compare_exchange_n(&enq, &pos, pos + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                break;
        } else if (diff < 0) {
            free(copy); /* full: the log function is behind */
            __atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
            return;
        } else {
            pos = __atomic_load_n(&enq, __ATOMIC_RELAXED);
        }
    }
    c->level = level;
    c->json = copy;
    __atomic_store_n(&c->seq, pos + 1 - (pos & QMASK), __ATOMIC_RELEASE);
#if defined(_WIN32)
    ReleaseSemaphore(sem, 1, NULL);
#else
    sem_post(&sem);
#endif
}

enum { POP_OK, POP_EMPTY, POP_BUSY };

/* pop takes the next event, in the order positions were taken. */
static int pop(int32_t *level, char **json) {
    size_t pos = deq, i = pos & QMASK;
    struct cell *c = &cells[i];
    size_t seq = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE) + i;
    if (seq != pos + 1)
        /* a producer has taken this position but not filled it yet */
        return __atomic_load_n(&enq, __ATOMIC_RELAXED) != pos ? POP_BUSY : POP_EMPTY;
    *level = c->level;
    *json = c->json;
    c->json = NULL;
    __atomic_store_n(&c->seq, pos + QCAP - i, __ATOMIC_RELEASE);
    deq = pos + 1;
    return POP_OK;
}

/* ---- the log function and the delivery thread ---- */

static trl_log_fn cur_fn;
static void *cur_ud;
static int32_t cur_max;
static unsigned cur_gen;   /* counts logq_set calls */
static int in_call;        /* the delivery thread is inside a log function */
static unsigned in_call_gen;
static int sem_made;

/* The delivery thread runs while a log function is set, and ends when it
 * is removed: a host that adopted it (Mono waits at exit for the threads it
 * knows) then sees it end, and no thread is left when logging is off. */
enum { NO_THREAD, RUNNING, STOPPING };
static int thread_state;

/* deliver calls the log function, outside every lock. */
static void deliver(int32_t level, const char *json) {
    LOCK();
    trl_log_fn fn = cur_fn;
    void *ud = cur_ud;
    if (!fn || level > cur_max) {
        UNLOCK();
        return;
    }
    in_call = 1;
    in_call_gen = cur_gen;
    UNLOCK();
    fn(ud, level, json);
    LOCK();
    in_call = 0;
    BROADCAST();
    UNLOCK();
}

/* report_drops delivers a log.dropped event when events were dropped. */
static void report_drops(void) {
    size_t n = __atomic_exchange_n(&dropped, 0, __ATOMIC_RELAXED);
    if (!n)
        return;
    char when[32] = "";
    time_t now = time(NULL);
    struct tm tm;
#if defined(_WIN32)
    if (gmtime_s(&tm, &now) == 0)
#else
    if (gmtime_r(&now, &tm))
#endif
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    char ev[320];
    snprintf(ev, sizeof ev,
             "{\"event\":\"log.dropped\",\"level\":%d,\"message\":\"%lu log events were dropped: the log "
             "function was slower than the library made them\",\"time\":\"%s\",\"dropped\":%lu}",
             TRL_LOG_WARN, (unsigned long)n, when, (unsigned long)n);
    deliver(TRL_LOG_WARN, ev);
}

static void drain(void) {
    for (;;) {
        int32_t level;
        char *json;
        int r = pop(&level, &json);
        if (r == POP_EMPTY)
            break;
        if (r == POP_BUSY) {
            YIELD();
            continue;
        }
        deliver(level, json);
        free(json);
        report_drops();
    }
    report_drops();
}

/* delivery_loop waits for events and delivers them until logging stops. */
static void delivery_loop(void) {
    logq_thread = 1;
    for (;;) {
#if defined(_WIN32)
        WaitForSingleObject(sem, INFINITE);
#else
        while (sem_wait(&sem) != 0 && errno == EINTR) {
        }
#endif
        drain(); /* with no function set, this frees what waits */
        LOCK();
        if (thread_state == STOPPING) {
            thread_state = NO_THREAD;
            BROADCAST();
            UNLOCK();
            return;
        }
        UNLOCK();
    }
}

static void wake(void) {
#if defined(_WIN32)
    ReleaseSemaphore(sem, 1, NULL);
#else
    sem_post(&sem);
#endif
}

#if defined(_WIN32)
static DWORD WINAPI delivery_main(LPVOID unused) {
    (void)unused;
    delivery_loop();
    return 0;
}

static int make_sem(void) {
    sem = CreateSemaphoreW(NULL, 0, 0x7fffffff, NULL);
    return sem ? 0 : -1;
}

static int start_thread(void) {
    HANDLE t = CreateThread(NULL, 0, delivery_main, NULL, 0, &log_tid);
    if (!t)
        return -1;
    CloseHandle(t);
    return 0;
}
#else
static void *delivery_main(void *unused) {
    (void)unused;
    delivery_loop();
    return NULL;
}

static int make_sem(void) { return sem_init(&sem, 0, 0); }

static int start_thread(void) {
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, delivery_main, NULL);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

/* At exit, nothing more is delivered; a forked child (whose copy of the
 * state lock may be held by a thread it does not have) takes no lock.  A raw
 * fork system call runs no pthread_atfork handler: the process id tells. */
static volatile sig_atomic_t forked_child;
static pid_t loaded_in;
static void on_fork_child(void) { forked_child = 1; }
__attribute__((constructor)) static void watch_fork(void) {
    loaded_in = getpid();
    pthread_atfork(NULL, NULL, on_fork_child);
}
__attribute__((destructor)) static void at_exit(void) {
    if (!forked_child && getpid() == loaded_in)
        logq_stop();
}
#endif

int logq_set(trl_log_fn fn, void *user_data, int32_t max_level) {
    LOCK();
    if (fn) {
        if (!sem_made) {
            if (make_sem() != 0) {
                UNLOCK();
                return -1;
            }
            sem_made = 1;
        }
        if (thread_state == NO_THREAD) {
            if (start_thread() != 0) {
                UNLOCK();
                return -1;
            }
        }
        thread_state = RUNNING; /* also takes back a stop not yet acted on */
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&ready, 0, __ATOMIC_RELEASE);
        if (thread_state == RUNNING) {
            thread_state = STOPPING;
            wake();
        }
    }
    cur_fn = fn;
    cur_ud = user_data;
    cur_max = max_level;
    unsigned gen = ++cur_gen;
    if (!logq_thread) {
        /* the old function is done, and a stopping thread has ended */
        while ((in_call && in_call_gen != gen) || (!fn && thread_state == STOPPING))
            WAIT();
    }
    UNLOCK();
    return 0;
}

void logq_stop(void) {
    LOCK();
    cur_fn = NULL;
    cur_gen++;
    UNLOCK();
}
