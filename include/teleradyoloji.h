/*
 * teleradyoloji.h -- C interface of libteleradyoloji, ABI version 1.
 *
 * libteleradyoloji opens studies in the Turkish Ministry of Health's
 * teleradiology viewer and calls the Teletip integration API ("helper
 * services"), authenticated through OGN (Ortak Giris Noktasi):
 *
 *   OGN token  ->  POST {api_url}/postOTAC  ->  {viewer_url}#/viewpatient?otac=...
 *
 * This header is written by hand and is the contract.  Names, signatures and
 * status codes never change within an ABI version; status codes are only
 * ever appended.
 *
 * CONVENTIONS
 *
 *   Calling convention  cdecl on every platform (TRL_CALL).  32-bit Windows
 *                       callers must declare cdecl themselves (.NET x86
 *                       defaults to StdCall, Delphi to register).
 *   Text                const char* is NUL-terminated UTF-8, in and out.
 *   Inputs              copied at once and never kept after the call returns.
 *   Outputs             go to out-parameters marked OUT.  Every non-NULL
 *                       out-pointer is set to NULL/0 on entry; on failure
 *                       result out-parameters stay NULL/0.
 *   Memory              every char* the library hands out is malloc'd by the
 *                       library and MUST be released with trl_free() -- never
 *                       with free(), delete or a foreign allocator.
 *                       trl_free(NULL) is a no-op.  The static strings of
 *                       trl_version() and trl_status_name() are never freed.
 *   Errors              every fallible function returns an int32_t status
 *                       (TRL_OK on success).  Its last parameter, char **err,
 *                       may be NULL; on failure it receives a JSON object:
 *
 *       {"code":4,"name":"TRL_E_AUTH","message":"...","http_status":400,
 *        "server_error":"invalid_grant","server_error_description":"...",
 *        "retryable":false}
 *
 *                       "code", "name", "message" and "retryable" are always
 *                       present; the rest only when known.  "message_tr"
 *                       (appended to ABI v1) is always present too: the
 *                       message in plain Turkish for the person at the HIS
 *                       ("e-Nabiz sifresi veya kurum kodu hatali", ...);
 *                       "message" stays English.  No password, token or
 *                       OTAC ever appears in either, and T.C. identity
 *                       numbers are masked (123******01).  There is no
 *                       thread-local "last error".
 *   Order of checks     the handle first (TRL_E_BAD_HANDLE), then the
 *                       arguments (TRL_E_INVALID_ARGUMENT).
 *   Threads             one trl_client may be used from many threads at
 *                       once.  Tokens are cached per client and fetched once
 *                       per key even when many threads ask together.
 *   Lifetime            the library contains a Go runtime: it must never be
 *                       unloaded (no dlclose/FreeLibrary), and only one Go
 *                       runtime may live in a process.  Windows builds need
 *                       Windows 10 / Server 2016 or later.
 *   Host threads        each thread's first call into the Go runtime is
 *                       serialised inside the library.  Under Mono (detected
 *                       at the first call; on Linux and other POSIX systems)
 *                       every call instead runs on a library-owned thread
 *                       paired with the calling thread, which only waits:
 *                       Mono's garbage collector then never pauses a thread
 *                       inside the Go runtime, which could deadlock both.
 *                       TELERADYOLOJI_THREAD_HANDOFF=1 (or 0) forces this
 *                       on (or off) for any host.
 *   Fork                (POSIX) the Go runtime inside does not survive
 *                       fork() without exec.  In a child forked after the
 *                       library was loaded, every call fails at once with
 *                       TRL_E_FORKED and never touches the parent's
 *                       connections (trl_abi_version, trl_version,
 *                       trl_status_name and trl_free still work); the parent
 *                       is unaffected.  Load the library only in the process
 *                       that uses it: Python multiprocessing "spawn" or
 *                       "forkserver", no gunicorn --preload or Celery prefork
 *                       preloading of it, or exec after fork.
 *   Cancellation        (POSIX) no call is a pthread cancellation point: a
 *                       pending cancel acts after the call returns.
 *   Signal stacks       (POSIX) the Go runtime adds SA_ONSTACK to the signal
 *                       handlers the host registered before the library
 *                       loaded, so they run on the thread's alternate signal
 *                       stack.  Before a thread first runs Go code, the
 *                       library gives it a 1 MiB alternate stack (guard page
 *                       below, freed when the thread ends) when it has none
 *                       or a smaller one, e.g. CoreCLR's 16 KiB: 1 MiB of
 *                       address space per thread, resident only as far as a
 *                       handler uses it.  TELERADYOLOJI_SIGNAL_STACK_KIB sets
 *                       the size (0: leave threads' stacks alone).  Threads
 *                       that never call the library, and the calling threads
 *                       of the handoff mode, keep theirs.
 *
 *   Logging             trl_set_log (below): events reach the host's function
 *                       from a library-owned thread, never from the
 *                       calling thread and never while a call waits.
 *
 * EXAMPLE
 *
 *   trl_client c = 0;
 *   char *url = NULL, *err = NULL;
 *   if (trl_client_new("{\"institution_code\":\"1234567\","
 *                      "\"password\":\"...\",\"application_code\":\"...\"}",
 *                      &c, &err) != TRL_OK) { fprintf(stderr, "%s\n", err); trl_free(err); return 1; }
 *   if (trl_viewer_url(c, "ACC123", "12345678901", NULL, &url, &err) == TRL_OK)
 *       puts(url);
 *   else
 *       fprintf(stderr, "%s\n", err);
 *   trl_free(url);
 *   trl_free(err);
 *   trl_client_close(c);
 */
#ifndef TELERADYOLOJI_H
#define TELERADYOLOJI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Compile-time ABI version.  Compare it with trl_abi_version() at run time:
 * a program built against this header needs a library answering the same. */
#define TRL_ABI_VERSION 1

#if defined(_WIN32) || defined(__CYGWIN__)
#  define TRL_CALL __cdecl
#  if defined(TRL_BUILDING_LIBRARY)
#    define TRL_EXTERN __declspec(dllexport)
#  else
#    define TRL_EXTERN __declspec(dllimport)
#  endif
#else
#  define TRL_CALL
#  if defined(__GNUC__) && defined(TRL_BUILDING_LIBRARY)
#    define TRL_EXTERN __attribute__((visibility("default")))
#  else
#    define TRL_EXTERN
#  endif
#endif

/* A client: configuration, an HTTP connection pool and a token cache.
 * 0 is never a valid client.  Handles are never reused, so a closed, stale or
 * made-up handle answers TRL_E_BAD_HANDLE instead of crashing. */
typedef uintptr_t trl_client;

/* Status codes.  Always appended, never renumbered or removed. */
#define TRL_OK                  0 /* success */
#define TRL_E_INVALID_ARGUMENT  1 /* a NULL/empty/invalid argument or out-pointer */
#define TRL_E_CONFIG            2 /* bad config JSON: malformed, unknown key, missing
                                     credential, bad URL, http:// to a non-loopback host */
#define TRL_E_BAD_HANDLE        3 /* 0, closed or unknown trl_client */
#define TRL_E_AUTH              4 /* OGN refused the credentials (invalid_grant,
                                     invalid_client, ...); never retried */
#define TRL_E_HTTP              5 /* any other non-2xx answer, or a 2xx whose body
                                     says failure ("IsSuccess": false) */
#define TRL_E_NETWORK           6 /* DNS, connect, TLS, proxy, connection reset */
#define TRL_E_TIMEOUT           7 /* timeout_ms ran out (token fetch and retries included) */
#define TRL_E_PROTOCOL          8 /* a response that cannot be understood */
#define TRL_E_INTERNAL          9 /* a bug in the library (a recovered panic) */
#define TRL_E_FORKED           10 /* called in a child forked (without exec) after the
                                     library was loaded: see "Fork" above */

/* ---------------------------------------------------------------------- */
/* Library                                                                  */

/* The ABI version of the loaded library (1 for this header). */
TRL_EXTERN int32_t TRL_CALL trl_abi_version(void);

/* The library version, e.g. "1.0.0".  Static: never free it. */
TRL_EXTERN const char *TRL_CALL trl_version(void);

/* The name of a status code, e.g. "TRL_E_AUTH"; "TRL_E_UNKNOWN" for a code this
 * library does not know.  Static: never free it. */
TRL_EXTERN const char *TRL_CALL trl_status_name(int32_t status);

/* Frees a string returned by the library (results and error JSON).
 * NULL is a no-op.  Never pass anything the library did not allocate. */
TRL_EXTERN void TRL_CALL trl_free(void *p);

/* ---------------------------------------------------------------------- */
/* Clients                                                                  */

/* Creates a client from a JSON object of settings.  Unknown keys are an error
 * (TRL_E_CONFIG), so typos surface.
 *
 *   key                      guide's name      default
 *   institution_code         UserName          required (the institution's CKYS code)
 *   password                 Password          required (the e-Nabiz password)
 *   application_code         ApplicationCode   required (the HIS vendor's code)
 *   client_id                client_id         "ogn.sbys.api"
 *   grant_type               grant_type        "client_sbys"
 *   ogn_url                  (OGN)             "https://ogn.saglik.gov.tr"
 *   api_url                  (helper services) "https://app.teletip.saglik.gov.tr/integrationapi"
 *   viewer_url               (viewer)          "https://teleradyoloji.saglik.gov.tr/viewer/"
 *   timeout_ms               -                 30000: bounds a whole call
 *   retries                  -                 2: extra attempts for network
 *                                              errors, 5xx and 429
 *   proxy                    -                 "" (none) elsewhere, "system" on Windows;
 *                                              "http://user:pass@host:port",
 *                                              "socks5://host:port", "env"
 *                                              (HTTPS_PROXY / NO_PROXY) or "system"
 *                                              (Windows: the user's Internet Options /
 *                                              WinHTTP settings, PAC and WPAD included;
 *                                              elsewhere the same as "env")
 *   ca_file                  -                 "": PEM file trusted in addition
 *                                              to the system roots
 *   token_refresh_margin_s   -                 60 (capped at half the lifetime)
 *   default_token_lifetime_s -                 300 (when expires_in is missing)
 *   viewer_token_cache_size  -                 1024 (doctor, patient) pairs
 *   max_response_bytes       -                 4194304
 *   user_agent               -                 "teleradyoloji/<version>"
 *   idle_timeout_s           -                 90: seconds an unused connection is
 *                                              kept; checked alive before reuse
 *   prewarm                  -                 true: connect to OGN and the API in
 *                                              the background at trl_client_new
 *                                              (which returns at once); silent
 *                                              on failure
 *
 * URLs are bases: the library appends /connect/token, /postOTAC and
 * #/viewpatient?otac=; a trailing slash changes nothing.  http:// is accepted
 * only for loopback hosts (127.0.0.0/8, ::1, localhost).  TLS is 1.2+ and
 * always verified.
 *
 * out   OUT: the new client; close it with trl_client_close(). */
TRL_EXTERN int32_t TRL_CALL trl_client_new(const char *config_json,
                                           trl_client *out /* OUT */,
                                           char **err /* OUT, may be NULL */);

/* Closes a client and frees its resources.  0 is a no-op returning TRL_OK;
 * closing a client twice returns TRL_E_BAD_HANDLE.  Calls already running on
 * the client finish normally. */
TRL_EXTERN int32_t TRL_CALL trl_client_close(trl_client c);

/* ---------------------------------------------------------------------- */
/* Tokens (cached per client until shortly before they expire)              */

/* The token for helper-service calls (flow 1).
 * token            OUT: the access token; trl_free() it.
 * expires_at_unix  OUT, may be NULL: its expiry in Unix seconds. */
TRL_EXTERN int32_t TRL_CALL trl_service_token(trl_client c,
                                              char **token /* OUT */,
                                              int64_t *expires_at_unix /* OUT, may be NULL */,
                                              char **err /* OUT, may be NULL */);

/* The token for opening the viewer (flow 2), cached per (doctor, patient).
 * doctor_tc, patient_tc  the T.C. identity numbers; NULL or "" means the field
 *                        is not sent.  Passed as given (not validated).
 * token                  OUT: trl_free() it.
 * expires_at_unix        OUT, may be NULL. */
TRL_EXTERN int32_t TRL_CALL trl_viewer_token(trl_client c,
                                             const char *doctor_tc,
                                             const char *patient_tc,
                                             char **token /* OUT */,
                                             int64_t *expires_at_unix /* OUT, may be NULL */,
                                             char **err /* OUT, may be NULL */);

/* ---------------------------------------------------------------------- */
/* Viewer                                                                   */

/* POST {api_url}/postOTAC {"AccessionNumber": accession} with the caller's
 * token.  Returns the bare one-time code (OTAC), also when the server answered
 * with a full URL.  A 401 is TRL_E_HTTP with http_status 401 (not retried:
 * the token is the caller's) and evicts that token from the cache.
 * otac  OUT: trl_free() it.  An OTAC is single-use: never cache it. */
TRL_EXTERN int32_t TRL_CALL trl_post_otac(trl_client c,
                                          const char *token,
                                          const char *accession,
                                          char **otac /* OUT */,
                                          char **err /* OUT, may be NULL */);

/* Builds {viewer_url}#/viewpatient?otac=<otac, percent-encoded>.  No I/O.
 * An OTAC is 1-1024 characters of A-Z a-z 0-9 - . _ ~ + / = ; anything else is
 * TRL_E_INVALID_ARGUMENT.
 * url  OUT: trl_free() it. */
TRL_EXTERN int32_t TRL_CALL trl_build_viewer_url(trl_client c,
                                                 const char *otac,
                                                 char **url /* OUT */,
                                                 char **err /* OUT, may be NULL */);

/* The one call most HIS code needs: viewer token (cached per doctor/patient)
 * -> PostOtac -> viewer URL.  A 401 on PostOtac drops that token, fetches a
 * fresh one and tries once more.
 * url  OUT: open it in a new tab or an iframe, once; trl_free() it. */
TRL_EXTERN int32_t TRL_CALL trl_viewer_url(trl_client c,
                                           const char *accession,
                                           const char *doctor_tc,
                                           const char *patient_tc,
                                           char **url /* OUT */,
                                           char **err /* OUT, may be NULL */);

/* ---------------------------------------------------------------------- */
/* Helper services                                                          */

/* Calls a helper-service method with the service token.
 * method       "GET", "POST", "PUT", "DELETE", "PATCH" or "HEAD".
 * path         relative to api_url ("Foo/Bar" or "/Foo/Bar?x=1"); an absolute
 *              URL, a "." or ".." segment (also percent-encoded, with
 *              ";params", or encoded twice), a backslash, a control byte or
 *              text that is not UTF-8 is TRL_E_INVALID_ARGUMENT.
 * json_body    NULL or "" for none; otherwise sent as application/json.
 * http_status  OUT, may be NULL: the HTTP status, also on TRL_E_HTTP.
 * response     OUT, may be NULL: the response body, also on TRL_E_HTTP;
 *              trl_free() it.  It ends at its first NUL byte: for a body
 *              that may hold one (or is not text), use trl_call_bytes.
 * A 401 refreshes the token once.  5xx and 429 are retried for GET, HEAD,
 * PUT and DELETE only: a POST is never resent once the server may have
 * acted on it. */
TRL_EXTERN int32_t TRL_CALL trl_call(trl_client c,
                                     const char *method,
                                     const char *path,
                                     const char *json_body,
                                     int32_t *http_status /* OUT, may be NULL */,
                                     char **response /* OUT, may be NULL */,
                                     char **err /* OUT, may be NULL */);

/* trl_call with the response's length (appended to ABI v1): the body may
 * hold NUL bytes or any bytes at all.
 * response      OUT, may be NULL: the body, NUL-terminated after
 *               response_len bytes; trl_free() it.
 * response_len  OUT, may be NULL: its length in bytes. */
TRL_EXTERN int32_t TRL_CALL trl_call_bytes(trl_client c,
                                           const char *method,
                                           const char *path,
                                           const char *json_body,
                                           int32_t *http_status /* OUT, may be NULL */,
                                           char **response /* OUT, may be NULL */,
                                           int64_t *response_len /* OUT, may be NULL */,
                                           char **err /* OUT, may be NULL */);

/* ---------------------------------------------------------------------- */
/* Logging (appended to ABI v1)                                             */

/* Levels: an event is delivered when its level <= max_level. */
#define TRL_LOG_ERROR 1 /* a call failed because of the server or the network */
#define TRL_LOG_WARN  2 /* something was retried, refused or dropped */
#define TRL_LOG_INFO  3 /* a token fetched, a connection or TLS session opened, ... */
#define TRL_LOG_DEBUG 4 /* cache hits, kept connections reused, each HTTP exchange */

/* The host's log function.  user_data is what trl_set_log was given; level
 * one of TRL_LOG_*; event_json one JSON object, valid only during the call
 * (copy it to keep it):
 *
 *   {"event":"token.fetched","level":3,"message":"token fetched from OGN",
 *    "time":"2026-12-02T09:15:04.120Z","kind":"viewer","doctor":"123******01",
 *    "host":"ogn.saglik.gov.tr:443","ms":84,"expires_in_s":3600,"cached":true}
 *
 * "event" (a stable dotted name), "level", "message" (English) and "time"
 * (UTC) are always present; the other fields depend on the event: "host",
 * "status" (HTTP), "ms", "attempt", "error", ...  The events:
 *
 *   client.created, client.closed           INFO  settings in brief (hosts, proxy without credentials)
 *   token.fetched                           INFO  "kind" service|viewer, "host", "ms", "expires_in_s"
 *   token.cache_hit, token.wait             DEBUG from the cache; waiting for another call's fetch
 *   token.refused                           ERROR OGN refused the credentials ("server_error")
 *   token.failed                            ERROR the token request failed ("code", "error")
 *   token.rejected                          WARN  the API answered 401; the token was dropped
 *   token.prefetch, token.refresh_ahead     DEBUG a background token fetch was asked for (a
 *                                                 trl_prefetch_viewer_token hint; a service token
 *                                                 in the last part of its life); its token.fetched,
 *                                                 token.failed or token.refused carry "ahead":
 *                                                 "prefetch" or "refresh"
 *   token.ahead_dropped                     DEBUG a waiting background fetch was dropped for newer
 *                                                 hints
 *   http.retry                              WARN  "what", "host", "attempt" (1-based), "status" or
 *                                                 "error", "wait_ms"
 *   http.failed                             WARN  a request failed for good ("attempts", "error")
 *   http.exchange, http.resend              DEBUG each HTTP exchange ("status", "ms"); a request
 *                                                 sent again because its kept connection was closed
 *   otac.issued                             INFO  a one-time code arrived ("ms"; never the code)
 *   call.done                               INFO  a trl_call ("method", "path" without query, "status")
 *   dns.resolved / dns.failed               DEBUG / WARN
 *   conn.opened                             INFO  "host", "addr", "ms", "proxy", "ahead" (opened
 *                                                 before it was needed: prewarm)
 *   tls.handshake, tls.resumed              INFO  "version", "issuer", "ms"
 *   conn.reused, conn.closed_by_server      DEBUG a kept connection used again, or found closed
 *                                                 (nothing was sent on it)
 *   conn.failed                             WARN  "stage" connect|tls, "error"
 *   conn.reconnect_ahead                    DEBUG the server closed a kept connection of a host
 *                                                 used in the last idle_timeout_s; a new one is
 *                                                 opened in the background
 *   conn.reconnect_ahead_stopped            INFO  the server keeps closing: no more reconnects
 *                                                 ahead to that host for a while (3 a minute)
 *   log.dropped                             WARN  "dropped": events lost since the last report
 *                                                 (the log function was too slow)
 *
 * Names only ever get added.  No event holds a password, a token, an OTAC
 * or a full T.C. identity number (they show as 123******01).
 *
 * Delivery: events go into a bounded queue (1024 events) without blocking
 * or taking a lock, and one thread owned by the library (started by
 * trl_set_log with a function, ended by trl_set_log(NULL, ...)) calls fn
 * for each, in the order they were made, with no library lock held.  That thread
 * never runs the library's Go code, so a host that adopts it to run fn
 * (Mono, .NET, Python, Delphi do) never sees its threads inside the Go
 * runtime.  A slow fn never slows a call: when the queue is full, events are
 * dropped and a later "log.dropped" event says how many.
 *
 * Rules for fn: return soon (hand the event to your logger); do not call
 * the library from inside it (every call but trl_set_log fails there with
 * TRL_E_INVALID_ARGUMENT); do not wait there for a thread that may be
 * calling trl_set_log. */
typedef void(TRL_CALL *trl_log_fn)(void *user_data, int32_t level, const char *event_json);

/* Sets the process-wide log function: events of levels 1..max_level go to
 * fn(user_data, ...).  fn NULL turns logging off (max_level is then
 * ignored).  When trl_set_log returns, the previous function is not running
 * and will not be called again (except when called from inside the log
 * function itself), so its user_data may be freed.  Events made before the
 * change may still reach the new function.
 * Returns TRL_OK; TRL_E_INVALID_ARGUMENT when fn is set and max_level is
 * not 1..4; TRL_E_INTERNAL when the delivery thread cannot be started;
 * TRL_E_FORKED in a forked child.  From inside the log function it only
 * changes the function (the Go side is left as it is). */
TRL_EXTERN int32_t TRL_CALL trl_set_log(trl_log_fn fn, void *user_data, int32_t max_level);

/* ---------------------------------------------------------------------- */
/* The connection doctor (appended to ABI v1)                               */

/* Runs every check below for c's configuration and reports them; TRL_OK
 * whenever it ran, even if checks failed (it fails only for a bad handle or
 * argument).  Each network step waits at most min(timeout_ms, 10 s), and
 * the three hosts are checked in parallel: a host that does not answer costs
 * about one such wait.
 *
 * report_json  OUT: trl_free() it.
 *
 *   {"ok":false,"steps":[
 *     {"step":"config","ok":true,"ms":0,"message":"...","message_tr":"..."},
 *     {"step":"dns","target":"ogn","ok":true,"ms":12,"message":"...","message_tr":"..."},
 *     {"step":"http","target":"api","ok":false,"ms":40,"message":"HTTP 403 ...",
 *      "message_tr":"...","advice":"...","advice_tr":"..."}, ...]}
 *
 * "ok" is true only when every step passed.  Steps, in this order, "target"
 * being "ogn", "api" or "viewer" (a step about one host; config has none):
 *
 *   config       the settings were accepted (hosts, proxy, timeout)
 *   proxy        per host: direct, or through which proxy (no credentials)
 *   dns          per host: its addresses (or the proxy's, when proxied)
 *   tcp          per host: a TCP connection (through the proxy: CONNECT)
 *   tls          per host: version and issuer; an issuer the system does not
 *                trust is reported as probable TLS inspection
 *   http         per host: an HTTP answer to GET of the base URL; 403 means
 *                the hospital's public IP may not be registered
 *   clock        the servers' Date against the local clock (fails beyond 2
 *                minutes)
 *   credentials  a fresh service-token request to OGN (invalid_grant: the
 *                institution code or e-Nabiz password is wrong)
 *   api_call     GET {api_url}/ with that token: changes nothing on the
 *                Ministry's side; 401/403 means the API refused the token
 *
 * A step after a failed one on the same host is reported with ok false and
 * "skipped":true.  "advice"/"advice_tr" say what to do when a step failed
 * (and, rarely, on a passing step worth a note).  Never a secret. */
TRL_EXTERN int32_t TRL_CALL trl_diagnose(trl_client c,
                                         char **report_json /* OUT */,
                                         char **err /* OUT, may be NULL */);

/* ---------------------------------------------------------------------- */
/* Prefetch hint (appended to ABI v1)                                       */

/* Says that a click for (doctor_tc, patient_tc) may come soon, e.g. when a
 * worklist row is selected: unless that viewer token is cached or being
 * fetched, it is fetched in the background, and trl_viewer_url for the
 * same pair afterwards costs one round trip (PostOtac).  A trl_viewer_url
 * while that fetch runs waits for it (never a second request).
 * Returns at once: TRL_OK when the hint was taken (or not needed);
 * TRL_E_BAD_HANDLE; TRL_E_INVALID_ARGUMENT for identity numbers
 * trl_viewer_url would refuse (NULL or "" means the field is not sent).
 * The fetch's own errors are never returned: they are logged ("token.failed",
 * "token.refused" with "ahead":"prefetch"), and a later trl_viewer_url
 * reports its own as usual.
 * Bounded per client: at most 2 background token fetches run at once, and of
 * the hints waiting for them only the newest 4 are kept (the oldest are
 * dropped: rows the user has scrolled past).  The same two workers refresh
 * the service token ahead: a service token used in the last fifth of its
 * life before token_refresh_margin_s is replaced in the background, so no
 * trl_call waits for a token fetch while the cached one is valid. */
TRL_EXTERN int32_t TRL_CALL trl_prefetch_viewer_token(trl_client c,
                                                      const char *doctor_tc,
                                                      const char *patient_tc,
                                                      char **err /* OUT, may be NULL */);

#ifdef __cplusplus
}
#endif

#endif /* TELERADYOLOJI_H */
