/* test_fpu.c -- no call changes the caller's floating-point state, and every
 * export works when entered with a misaligned stack.
 *
 * The Windows ABI (x86 and x64) and the System V ABI treat the x87 control
 * word and MXCSR's control bits as preserved across calls. A Delphi program
 * runs with $1332 (extended precision, EZeroDivide/EOverflow/EInvalidOp
 * unmasked); C++ code may set rounding toward zero. Before every export this
 * test sets such a state, calls, and checks that the state came back, from
 * several threads at once and also on the very first call of the process
 * (the one that loads the core on Windows). Each thread also enters every
 * export with its stack pointer misaligned by 4, 8 and 12 bytes (x86 only:
 * Delphi and old MSVC code keep 4-byte alignment, while x64 callers must
 * keep 16) and checks each answer.
 *
 * Run under scripts/with-sandbox.sh (x86 and x64 under Wine, and on Linux). */
#include "harness.h"

#if !defined(__i386__) && !defined(__x86_64__)
#error "test_fpu.c is for x86 and x64"
#endif

typedef struct {
    uint16_t cw;    /* x87 control word */
    uint32_t mxcsr; /* SSE control/status; bits 0-5 are sticky flags, not preserved by the ABI */
} fpu_state;

static void fpu_get(fpu_state *s) {
    __asm__ volatile("fnstcw %0" : "=m"(s->cw));
    __asm__ volatile("stmxcsr %0" : "=m"(s->mxcsr));
}

static void fpu_set(const fpu_state *s) {
    __asm__ volatile("fnclex\n\tfldcw %0" : : "m"(s->cw));
    __asm__ volatile("ldmxcsr %0" : : "m"(s->mxcsr));
}

#define MXCSR_CONTROL 0xFFC0u

/* The callers' states: Delphi's default, rounding toward zero with single
 * precision, and the platform default. */
static const fpu_state states[] = {
    {0x1332, 0x1900}, /* Delphi: IM, ZM, OM unmasked (x87 and SSE); extended precision */
    {0x0C7F, 0x7F80}, /* round toward zero, x87 single precision, all masked */
    {0x027F, 0x1F80}, /* the Windows/System V default */
};
#define NSTATES (int)(sizeof states / sizeof *states)

static const char *g_stage = "";

static void expect_state(const fpu_state *want, const char *call) {
    fpu_state got;
    fpu_get(&got);
    int ok = got.cw == want->cw && (got.mxcsr & MXCSR_CONTROL) == (want->mxcsr & MXCSR_CONTROL);
    if (!ok)
        fprintf(stderr, "  %s %s: x87 control word %#06x (was %#06x), MXCSR %#06x (was %#06x)\n", g_stage, call,
                (unsigned)got.cw, (unsigned)want->cw, (unsigned)got.mxcsr, (unsigned)want->mxcsr);
    CHECK(ok);
}

/* Runs stmt with state s set; checks that s is still set afterwards. */
#define WITH_STATE(s, name, stmt)       \
    do {                                \
        fpu_state want_;                \
        fpu_set(s);                     \
        fpu_get(&want_);                \
        stmt;                           \
        expect_state(&want_, name);     \
        fpu_set(&states[NSTATES - 1]);  \
    } while (0)

static void TRL_CALL log_fn(void *ud, int32_t level, const char *event) {
    (void)ud, (void)level, (void)event;
}

/* Every export once, each under state s; the answers are checked too. */
static void every_export(const fpu_state *s) {
    trl_client c = 0, bad = 0;
    char *out = NULL, *err = NULL, *tok = NULL;
    int64_t exp = 0, len = 0;
    int32_t st = 0, rc;
    WITH_STATE(s, "trl_abi_version", rc = trl_abi_version());
    CHECK(rc == TRL_ABI_VERSION);
    const char *v;
    WITH_STATE(s, "trl_version", v = trl_version());
    CHECK(v != NULL && v[0] != 0);
    WITH_STATE(s, "trl_status_name", v = trl_status_name(TRL_E_AUTH));
    CHECK(v != NULL && strcmp(v, "TRL_E_AUTH") == 0);
    WITH_STATE(s, "trl_client_new (bad config)", rc = trl_client_new("{", &bad, &err));
    CHECK_RC(rc, TRL_E_CONFIG);
    WITH_STATE(s, "trl_free", trl_free(err));
    err = NULL;
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"institution_code\":\"1234567\",\"password\":\"%s\",\"application_code\":\"SANDBOX-HIS\","
             "\"ogn_url\":\"%s\",\"api_url\":\"%s/integrationapi\",\"viewer_url\":\"%s/viewer/\"}",
             SANDBOX_PASSWORD, h_base, h_base, h_base);
    WITH_STATE(s, "trl_client_new", rc = trl_client_new(cfg, &c, &err));
    CHECK_RC(rc, TRL_OK);
    WITH_STATE(s, "trl_service_token", rc = trl_service_token(c, &tok, &exp, &err));
    CHECK_RC(rc, TRL_OK);
    trl_free(tok);
    WITH_STATE(s, "trl_viewer_token", rc = trl_viewer_token(c, "12345678901", NULL, &tok, &exp, &err));
    CHECK_RC(rc, TRL_OK);
    WITH_STATE(s, "trl_post_otac", rc = trl_post_otac(c, tok, "ACC-FPU-1", &out, &err));
    CHECK_RC(rc, TRL_OK);
    trl_free(tok);
    char *url = NULL;
    WITH_STATE(s, "trl_build_viewer_url", rc = trl_build_viewer_url(c, out, &url, &err));
    CHECK_RC(rc, TRL_OK);
    trl_free(out);
    trl_free(url);
    WITH_STATE(s, "trl_viewer_url", rc = trl_viewer_url(c, "ACC-FPU-2", "12345678901", "10987654321", &url, &err));
    CHECK_RC(rc, TRL_OK);
    CHECK(url != NULL && strstr(url, "#/viewpatient?otac=") != NULL);
    trl_free(url);
    WITH_STATE(s, "trl_call", rc = trl_call(c, "GET", "echo", NULL, &st, &out, &err));
    CHECK_RC(rc, TRL_OK);
    trl_free(out);
    WITH_STATE(s, "trl_call_bytes", rc = trl_call_bytes(c, "GET", "binary", NULL, &st, &out, &len, &err));
    CHECK_RC(rc, TRL_OK);
    CHECK(len > 0);
    trl_free(out);
    WITH_STATE(s, "trl_call (failing)", rc = trl_call(c, "GET", "status/404", NULL, &st, &out, &err));
    CHECK_RC(rc, TRL_E_HTTP);
    trl_free(out);
    trl_free(err);
    err = NULL;
    WITH_STATE(s, "trl_diagnose", rc = trl_diagnose(c, &out, &err));
    CHECK_RC(rc, TRL_OK);
    trl_free(out);
    trl_free(err);
    err = NULL;
    WITH_STATE(s, "trl_prefetch_viewer_token", rc = trl_prefetch_viewer_token(c, "12345678901", "10987654320", &err));
    CHECK_RC(rc, TRL_OK);
    WITH_STATE(s, "trl_client_close", rc = trl_client_close(c));
    CHECK_RC(rc, TRL_OK);
    WITH_STATE(s, "trl_viewer_url (closed handle)", rc = trl_viewer_url(c, "ACC", NULL, NULL, &url, &err));
    CHECK_RC(rc, TRL_E_BAD_HANDLE);
    trl_free(err);
}

/* ---- entering the exports with a misaligned stack (x86) ---- */

#if defined(__i386__)
/* call_misaligned(fn, args, n, skew): calls the cdecl function fn with the n
 * 32-bit arguments in args, its stack pointer 16-byte aligned minus skew at
 * the call instruction (so the callee sees skew+4 instead of 4 past a
 * 16-byte boundary). Returns fn's int32 result. */
int32_t call_misaligned(void *fn, const uint32_t *args, int n, int skew);
__asm__(".text\n"
        ".globl _call_misaligned\n"
        "_call_misaligned:\n"
        "  pushl %ebp\n"
        "  movl %esp, %ebp\n"
        "  pushl %esi\n"
        "  pushl %edi\n"
        "  movl 12(%ebp), %esi\n"   /* args */
        "  movl 16(%ebp), %ecx\n"   /* n */
        "  movl %esp, %eax\n"       /* room for the arguments, aligned, then skewed */
        "  leal (,%ecx,4), %edx\n"
        "  subl %edx, %eax\n"
        "  andl $-16, %eax\n"
        "  subl 20(%ebp), %eax\n"  /* skew */
        "  movl %eax, %esp\n"
        "  xorl %edi, %edi\n"
        "1: cmpl %ecx, %edi\n"
        "  jge 2f\n"
        "  movl (%esi,%edi,4), %edx\n"
        "  movl %edx, (%esp,%edi,4)\n"
        "  incl %edi\n"
        "  jmp 1b\n"
        "2: call *8(%ebp)\n"
        "  leal -8(%ebp), %esp\n"
        "  popl %edi\n"
        "  popl %esi\n"
        "  popl %ebp\n"
        "  ret\n");
#define A(x) ((uint32_t)(uintptr_t)(x))
#define CALL(skew, fn, ...)                                                             \
    ({                                                                                  \
        uint32_t a_[] = {__VA_ARGS__};                                                  \
        call_misaligned((void *)(fn), a_, (int)(sizeof a_ / sizeof *a_), (skew));        \
    })

static void misaligned_exports(int skew) {
    trl_client c = 0;
    char *out = NULL, *err = NULL, *tok = NULL, *url = NULL;
    int64_t exp = 0, len = 0;
    int32_t st = 0;
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"institution_code\":\"1234567\",\"password\":\"%s\",\"application_code\":\"SANDBOX-HIS\","
             "\"ogn_url\":\"%s\",\"api_url\":\"%s/integrationapi\",\"viewer_url\":\"%s/viewer/\"}",
             SANDBOX_PASSWORD, h_base, h_base, h_base);
    CHECK(CALL(skew, trl_abi_version, 0) == TRL_ABI_VERSION);
    CHECK_RC(CALL(skew, trl_client_new, A(cfg), A(&c), A(&err)), TRL_OK);
    CHECK_RC(CALL(skew, trl_service_token, A(c), A(&tok), A(&exp), A(&err)), TRL_OK);
    CHECK(tok != NULL && exp > 0);
    CALL(skew, trl_free, A(tok));
    CHECK_RC(CALL(skew, trl_viewer_token, A(c), A("12345678901"), 0, A(&tok), A(&exp), A(&err)), TRL_OK);
    CHECK_RC(CALL(skew, trl_post_otac, A(c), A(tok), A("ACC-ALIGN-1"), A(&out), A(&err)), TRL_OK);
    CALL(skew, trl_free, A(tok));
    CHECK_RC(CALL(skew, trl_build_viewer_url, A(c), A(out), A(&url), A(&err)), TRL_OK);
    CHECK(url != NULL && strstr(url, out) != NULL);
    CALL(skew, trl_free, A(out));
    CALL(skew, trl_free, A(url));
    url = NULL;
    CHECK_RC(CALL(skew, trl_viewer_url, A(c), A("ACC-ALIGN-2"), 0, 0, A(&url), A(&err)), TRL_OK);
    CHECK(url != NULL && strstr(url, "#/viewpatient?otac=") != NULL);
    CALL(skew, trl_free, A(url));
    CHECK_RC(CALL(skew, trl_call, A(c), A("GET"), A("echo"), 0, A(&st), A(&out), A(&err)), TRL_OK);
    CHECK(st == 200 && out != NULL);
    CALL(skew, trl_free, A(out));
    CHECK_RC(CALL(skew, trl_call_bytes, A(c), A("GET"), A("binary"), 0, A(&st), A(&out), A(&len), A(&err)), TRL_OK);
    CHECK(len > 0);
    CALL(skew, trl_free, A(out));
    CHECK_RC(CALL(skew, trl_call, A(c), A("GET"), A("status/404"), 0, A(&st), A(&out), A(&err)), TRL_E_HTTP);
    CHECK(st == 404 && err != NULL);
    CALL(skew, trl_free, A(out));
    CALL(skew, trl_free, A(err));
    err = NULL;
    CHECK_RC(CALL(skew, trl_diagnose, A(c), A(&out), A(&err)), TRL_OK);
    CALL(skew, trl_free, A(out));
    CHECK_RC(CALL(skew, trl_prefetch_viewer_token, A(c), A("12345678901"), A("10987654321"), A(&err)), TRL_OK);
    CHECK(CALL(skew, trl_set_log, A(log_fn), 0, TRL_LOG_DEBUG) == TRL_OK);
    CHECK(CALL(skew, trl_set_log, 0, 0, 0) == TRL_OK);
    const char *name = (const char *)(uintptr_t)CALL(skew, trl_status_name, TRL_E_TIMEOUT);
    CHECK(name != NULL && strcmp(name, "TRL_E_TIMEOUT") == 0);
    const char *v = (const char *)(uintptr_t)CALL(skew, trl_version, 0);
    CHECK(v != NULL && strcmp(v, trl_version()) == 0);
    CHECK_RC(CALL(skew, trl_client_close, A(c)), TRL_OK);
    CHECK_RC(CALL(skew, trl_client_close, A(c)), TRL_E_BAD_HANDLE);
}
#endif

#define THREADS 4
#define ROUNDS 5

static void *worker(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        every_export(&states[(id + r) % NSTATES]);
#if defined(__i386__)
        misaligned_exports(4 * (1 + (id + r) % 3));
#endif
    }
    return NULL;
}

int main(void) {
    sandbox_init();
    /* The first call of the process, under Delphi's state: on Windows it
     * loads the core and starts the Go runtime. */
    g_stage = "first call";
    trl_client c = 0;
    char *err = NULL;
    WITH_STATE(&states[0], "trl_client_new (first call)", trl_client_new("{}", &c, &err));
    trl_free(err);

    g_stage = "one thread";
    h_test = "fpu";
    for (int i = 0; i < NSTATES; i++) every_export(&states[i]);
    /* The log delivery thread running while calls are made. */
    WITH_STATE(&states[0], "trl_set_log", trl_set_log(log_fn, NULL, TRL_LOG_DEBUG));
    every_export(&states[0]);
    WITH_STATE(&states[0], "trl_set_log (off)", trl_set_log(NULL, NULL, 0));

#if defined(__i386__)
    g_stage = "misaligned";
    h_test = "stack alignment";
    for (int skew = 4; skew <= 12; skew += 4) misaligned_exports(skew);
#endif

    g_stage = "threads";
    h_test = "fpu threads";
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);

    printf("test_fpu: %d passed, %d failed\n", h_passed, h_failed);
    return h_failed == 0 ? 0 : 1;
}
