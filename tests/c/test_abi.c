/* test_abi.c -- the C ABI v1 of libteleradyoloji, tested from C against the
 * sandbox (run it under scripts/with-sandbox.sh).  Prints "N passed, M failed". */
#include "harness.h"

#define GUIDE_OTAC "g5QYrE7NKFVnHfSea9nfCrevL3FtL3zHilHyUzigUug"
#define GUIDE_URL "https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=" GUIDE_OTAC
#define TURKISH_ACCESSION "\xC4\xB0\xC5\x9E\xC3\x87\xC4\x9E\xC3\x9C\xC3\x96-\xC4\xB1\xC4\x9F\xC3\xBC\xC5\x9F\xC3\xA7\xC3\xB6-1" /* İŞÇĞÜÖ-ığüşçö-1 */

/* otac_of extracts the OTAC of a viewer URL into out (still escaped). */
static void otac_of(const char *url, char *out, size_t cap) {
    const char *p = url ? strstr(url, "#/viewpatient?otac=") : NULL;
    snprintf(out, cap, "%s", p ? p + strlen("#/viewpatient?otac=") : "");
}

/* open_in_viewer consumes an escaped OTAC through the sandbox's viewer. */
static int open_in_viewer(const char *escaped_otac, char *body, size_t cap) {
    char path[2048];
    snprintf(path, sizeof path, "/viewer/api/open?otac=%s", escaped_otac);
    return http_raw("GET", path, NULL, body, cap);
}

static void test_library_info(void) {
    CHECK(trl_abi_version() == TRL_ABI_VERSION);
    const char *v = trl_version();
    int a, b, c;
    CHECK(v && sscanf(v, "%d.%d.%d", &a, &b, &c) == 3);
    const char *names[] = {"TRL_OK", "TRL_E_INVALID_ARGUMENT", "TRL_E_CONFIG", "TRL_E_BAD_HANDLE",
                           "TRL_E_AUTH", "TRL_E_HTTP", "TRL_E_NETWORK", "TRL_E_TIMEOUT",
                           "TRL_E_PROTOCOL", "TRL_E_INTERNAL", "TRL_E_FORKED"};
    for (int i = 0; i <= TRL_E_FORKED; i++) CHECK(strcmp(trl_status_name(i), names[i]) == 0);
    CHECK(strcmp(trl_status_name(-1), "TRL_E_UNKNOWN") == 0);
    CHECK(strcmp(trl_status_name(11), "TRL_E_UNKNOWN") == 0);
    CHECK(strcmp(trl_status_name(INT32_MAX), "TRL_E_UNKNOWN") == 0);
    CHECK(trl_status_name(4) == trl_status_name(4)); /* static */
    trl_free(NULL);
}

static void config_fails(const char *cfg, const char *needle) {
    trl_client c = 77;
    char *err = NULL;
    CHECK_RC(trl_client_new(cfg, &c, &err), TRL_E_CONFIG);
    CHECK(c == 0);
    check_err(err, TRL_E_CONFIG);
    if (needle && !(err && strstr(err, needle))) fprintf(stderr, "  config error lacks %s: %s\n", needle, err);
    CHECK(!needle || (err && strstr(err, needle)));
    CHECK(!err || !strstr(err, SANDBOX_PASSWORD));
    trl_free(err);
}

static void test_client_new(void) {
    trl_client c = 99;
    char *err = (char *)0x1;
    CHECK_RC(trl_client_new(NULL, &c, &err), TRL_E_INVALID_ARGUMENT);
    CHECK(c == 0);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    err = NULL;
    CHECK_RC(trl_client_new("{}", NULL, &err), TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    CHECK_RC(trl_client_new("{}", &c, NULL), TRL_E_CONFIG); /* err may be NULL */

    config_fails("", NULL);
    config_fails("not json at all", NULL);
    config_fails("[1,2]", NULL);
    config_fails("{\"institution_code\":\"1\",", NULL);
    config_fails("\xff\xfe{}", NULL);
    config_fails("{\"institution_code\":\"1234567\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"pasword\":\"x\"}", "pasword");
    config_fails("{\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\"}", "institution_code");
    config_fails("{\"institution_code\":\"1\",\"application_code\":\"X\"}", "password");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\"}", "application_code");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"ogn_url\":\"http://ogn.example.org\"}", "ogn_url");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"api_url\":\"ftp://127.0.0.1\"}", "api_url");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"viewer_url\":\"not a url\"}", "viewer_url");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"timeout_ms\":\"fast\"}", "timeout_ms");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"timeout_ms\":-5}", "timeout_ms");
    config_fails("{\"institution_code\":1234567,\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\"}", "institution_code");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"ca_file\":\"/nonexistent/ca.pem\"}", "ca_file");
    config_fails("{\"institution_code\":\"1\",\"password\":\"" SANDBOX_PASSWORD "\",\"application_code\":\"X\",\"proxy\":\"gopher://x\"}", "proxy");

    /* The defaults need no URL; http:// is fine for every loopback form. */
    const char *ok[] = {
        "{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"X\"}",
        "{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"X\",\"ogn_url\":\"http://localhost:1/\",\"api_url\":\"http://[::1]:2/api/\",\"viewer_url\":\"http://127.8.9.10/v\"}",
        "{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"X\",\"timeout_ms\":500,\"retries\":0,\"proxy\":\"env\",\"user_agent\":\"HBYS/7\",\"token_refresh_margin_s\":10,\"default_token_lifetime_s\":60,\"viewer_token_cache_size\":8,\"max_response_bytes\":65536,\"client_id\":\"ogn.sbys.api\",\"grant_type\":\"client_sbys\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        c = 0;
        err = NULL;
        CHECK_RC(trl_client_new(ok[i], &c, &err), TRL_OK);
        CHECK(c != 0 && err == NULL);
        CHECK_RC(trl_client_close(c), TRL_OK);
    }
}

static void test_handles(void) {
    CHECK_RC(trl_client_close(0), TRL_OK);
    trl_client c = new_client(NULL);
    trl_client d = new_client(NULL);
    CHECK(c != d && c != 0 && d != 0);
    CHECK_RC(trl_client_close(c), TRL_OK);
    CHECK_RC(trl_client_close(c), TRL_E_BAD_HANDLE);
    CHECK_RC(trl_client_close((trl_client)0xdeadbeef), TRL_E_BAD_HANDLE);

    /* A closed handle is never reused: the next client gets a new id. */
    trl_client e = new_client(NULL);
    CHECK(e != c);

    char *out = (char *)0x1, *err = NULL;
    int64_t exp = 42;
    trl_client bad[] = {0, c, (trl_client)0xdeadbeef, (trl_client)-1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = (char *)0x1;
        CHECK_RC(trl_service_token(bad[i], &out, &exp, &err), TRL_E_BAD_HANDLE);
        CHECK(out == NULL && exp == 0);
        check_err(err, TRL_E_BAD_HANDLE);
        trl_free(err);
        /* The handle is checked before the arguments. */
        CHECK_RC(trl_viewer_token(bad[i], NULL, NULL, NULL, NULL, NULL), TRL_E_BAD_HANDLE);
        CHECK_RC(trl_post_otac(bad[i], NULL, NULL, NULL, NULL), TRL_E_BAD_HANDLE);
        CHECK_RC(trl_build_viewer_url(bad[i], GUIDE_OTAC, &out, NULL), TRL_E_BAD_HANDLE);
        CHECK(out == NULL);
        CHECK_RC(trl_viewer_url(bad[i], "A", NULL, NULL, &out, NULL), TRL_E_BAD_HANDLE);
        int32_t st = 7;
        CHECK_RC(trl_call(bad[i], "GET", "echo", NULL, &st, &out, NULL), TRL_E_BAD_HANDLE);
        CHECK(st == 0 && out == NULL);
    }
    trl_client_close(d);
    trl_client_close(e);
}

static void test_service_token(void) {
    trl_client c = new_client(NULL);
    char *tok = NULL, *tok2 = NULL, *err = NULL;
    int64_t exp = 0;
    time_t before = time(NULL);
    CHECK_RC(trl_service_token(c, &tok, &exp, &err), TRL_OK);
    CHECK(tok && strlen(tok) > 10 && err == NULL);
    remember_secret(tok);
    CHECK(exp >= before + 3600 - 2 && exp <= time(NULL) + 3600 + 1);
    CHECK_RC(trl_service_token(c, &tok2, NULL, &err), TRL_OK); /* expires_at may be NULL */
    CHECK(tok2 && tok && strcmp(tok, tok2) == 0);                /* cached */
    CHECK(sb_stat("token_requests") == 1);

    char stats[8192];
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"client_id\":\"ogn.sbys.api\""));
    CHECK(strstr(stats, "\"grant_type\":\"client_sbys\""));
    CHECK(strstr(stats, "\"UserName\":\"1234567\""));
    CHECK(strstr(stats, "\"Password\":\"<ok>\""));
    CHECK(strstr(stats, "\"ApplicationCode\":\"SANDBOX-HIS\""));
    CHECK(!strstr(stats, "DoctorIdentityNumber") && !strstr(stats, "PatientIdentityNumber"));

    CHECK_RC(trl_service_token(c, NULL, NULL, &err), TRL_E_INVALID_ARGUMENT);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    trl_free(tok);
    trl_free(tok2);
    trl_client_close(c);
}

static void test_viewer_token(void) {
    trl_client c = new_client(NULL);
    char *svc = NULL, *v0 = NULL, *v1 = NULL, *v2 = NULL, *v3 = NULL;
    CHECK_RC(trl_service_token(c, &svc, NULL, NULL), TRL_OK);
    CHECK_RC(trl_viewer_token(c, NULL, "", &v0, NULL, NULL), TRL_OK);
    CHECK(svc && v0 && strcmp(svc, v0) != 0); /* different cache keys, even with no ids */
    char stats[8192];
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"|\":2"));
    CHECK(!strstr(stats, "DoctorIdentityNumber"));

    int64_t exp = 0;
    CHECK_RC(trl_viewer_token(c, "12345678901", "98765432109", &v1, &exp, NULL), TRL_OK);
    CHECK(exp > time(NULL));
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"DoctorIdentityNumber\":\"12345678901\""));
    CHECK(strstr(stats, "\"PatientIdentityNumber\":\"98765432109\""));
    CHECK_RC(trl_viewer_token(c, "12345678901", NULL, &v2, NULL, NULL), TRL_OK);
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"DoctorIdentityNumber\":\"12345678901\""));
    CHECK(!strstr(stats, "PatientIdentityNumber"));
    CHECK_RC(trl_viewer_token(c, "12345678901", "98765432109", &v3, NULL, NULL), TRL_OK);
    CHECK(v1 && v3 && strcmp(v1, v3) == 0);
    CHECK(sb_stat("token_requests") == 4);
    CHECK(sb_stat("viewer_token_requests") == 2);
    remember_secret(svc); remember_secret(v0); remember_secret(v1); remember_secret(v2);
    trl_free(svc); trl_free(v0); trl_free(v1); trl_free(v2); trl_free(v3);
    trl_client_close(c);
}

static void test_post_otac_shapes(void) {
    const char *shapes[] = {"text", "json_string", "otac", "Otac", "OTAC", "url", "data", "Data",
                            "value", "result", "envelope", "url_text", "url_json", "envelope_url"};
    const char *styles[] = {"base64url", "base64"};
    trl_client c = new_client(NULL);
    char *tok = NULL;
    CHECK_RC(trl_viewer_token(c, "12345678901", NULL, &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    for (size_t st = 0; st < 2; st++) {
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            char cfg[128];
            snprintf(cfg, sizeof cfg, "{\"otac_shape\":\"%s\",\"otac_style\":\"%s\"}", shapes[i], styles[st]);
            sb_config(cfg);
            char *otac = NULL, *err = NULL, *url = NULL;
            int32_t rc = trl_post_otac(c, tok, "ACC-1", &otac, &err);
            if (rc != TRL_OK) fprintf(stderr, "  shape %s/%s: %s\n", shapes[i], styles[st], err);
            CHECK_RC(rc, TRL_OK);
            if (!otac) { trl_free(err); continue; }
            remember_secret(otac);
            CHECK(strstr(otac, "://") == NULL && strchr(otac, '%') == NULL); /* bare and decoded */
            CHECK(strlen(otac) == (st ? 44 : 43));
            if (st) CHECK(strchr(otac, '+') && strchr(otac, '/')); /* '+' kept as '+' */
            CHECK_RC(trl_build_viewer_url(c, otac, &url, &err), TRL_OK);
            char esc[256], body[512];
            otac_of(url, esc, sizeof esc);
            if (st) CHECK(strstr(esc, "%2B") && strstr(esc, "%2F") && !strchr(esc, '+') && !strchr(esc, '/'));
            CHECK(open_in_viewer(esc, body, sizeof body) == 200); /* the URL opens the study */
            CHECK(strstr(body, "\"accession\":\"ACC-1\""));
            CHECK(open_in_viewer(esc, body, sizeof body) == 410); /* once */
            trl_free(otac);
            trl_free(url);
            trl_free(err);
        }
    }
    char stats[8192];
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"content_type\":\"application/json\""));
    CHECK(strstr(stats, "\"authorization\":\"Bearer\""));
    CHECK(strstr(stats, "\"body\":\"{\\\"AccessionNumber\\\":\\\"ACC-1\\\"}\""));
    CHECK(strstr(stats, "\"path\":\"/integrationapi/postOTAC\""));
    trl_free(tok);
    trl_client_close(c);
}

static void test_post_otac_errors(void) {
    trl_client c = new_client(NULL);
    char *tok = NULL, *otac = (char *)0x1, *err = NULL;
    CHECK_RC(trl_viewer_token(c, "11111111111", "22222222222", &tok, NULL, NULL), TRL_OK);
    remember_secret(tok);
    CHECK_RC(trl_post_otac(c, tok, "", &otac, &err), TRL_E_INVALID_ARGUMENT);
    CHECK(otac == NULL);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    CHECK_RC(trl_post_otac(c, NULL, "A", &otac, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_post_otac(c, tok, NULL, &otac, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_post_otac(c, tok, "A", NULL, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_post_otac(c, "", "A", &otac, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK(sb_stat("otac_requests") == 0);

    /* Not found: a 2xx envelope saying IsSuccess=false. */
    CHECK_RC(trl_post_otac(c, tok, "NOT-FOUND", &otac, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    CHECK(err && strstr(err, "Tetkik bulunamad\xc4\xb1"));
    CHECK(json_int(err, "http_status") == 200);
    trl_free(err);

    /* The caller's token is refused: 401, no retry, evicted from the cache. */
    sb_post("/_sandbox/revoke", "");
    CHECK_RC(trl_post_otac(c, tok, "ACC-2", &otac, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 401);
    CHECK(otac == NULL);
    trl_free(err);
    CHECK(sb_stat("otac_requests") == 2);
    long before = sb_stat("token_requests");
    char *fresh = NULL;
    CHECK_RC(trl_viewer_token(c, "11111111111", "22222222222", &fresh, NULL, NULL), TRL_OK);
    CHECK(sb_stat("token_requests") == before + 1);
    CHECK(fresh && tok && strcmp(fresh, tok) != 0);
    remember_secret(fresh);

    /* Responses that cannot be understood. */
    sb_fault("{\"target\":\"otac\",\"kind\":\"malformed\",\"count\":1}");
    CHECK_RC(trl_post_otac(c, fresh, "ACC-3", &otac, &err), TRL_E_PROTOCOL);
    check_err(err, TRL_E_PROTOCOL);
    trl_free(err);
    sb_fault("{\"target\":\"otac\",\"kind\":\"huge\",\"count\":1}");
    CHECK_RC(trl_post_otac(c, fresh, "ACC-3", &otac, &err), TRL_E_PROTOCOL);
    check_err(err, TRL_E_PROTOCOL);
    CHECK(err && strstr(err, "max_response_bytes"));
    trl_free(err);
    sb_fault("{\"target\":\"otac\",\"kind\":\"html\",\"count\":0}");
    CHECK_RC(trl_post_otac(c, fresh, "ACC-3", &otac, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 502);
    CHECK(err && strstr(err, "HTML") && !strstr(err, "<html") && !strstr(err, "<!DOCTYPE"));
    CHECK(err && strstr(err, "\"retryable\":true"));
    trl_free(err);
    trl_free(tok);
    trl_free(fresh);
    trl_client_close(c);
}

static void test_build_viewer_url(void) {
    /* With the guide's default viewer base, the guide's example exactly. */
    trl_client c = 0;
    CHECK_RC(trl_client_new("{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"X\"}", &c, NULL), TRL_OK);
    char *url = NULL, *err = NULL;
    CHECK_RC(trl_build_viewer_url(c, GUIDE_OTAC, &url, &err), TRL_OK);
    CHECK(url && strcmp(url, GUIDE_URL) == 0);
    trl_free(url);
    CHECK_RC(trl_build_viewer_url(c, "a+b/c=d-._~", &url, NULL), TRL_OK);
    CHECK(url && strcmp(url, "https://teleradyoloji.saglik.gov.tr/viewer/#/viewpatient?otac=a%2Bb%2Fc%3Dd-._~") == 0);
    trl_free(url);
    trl_client_close(c);

    /* A base without a trailing slash means the same. */
    CHECK_RC(trl_client_new("{\"institution_code\":\"1\",\"password\":\"p\",\"application_code\":\"X\",\"viewer_url\":\"https://teleradyoloji.saglik.gov.tr/viewer\"}", &c, NULL), TRL_OK);
    CHECK_RC(trl_build_viewer_url(c, GUIDE_OTAC, &url, NULL), TRL_OK);
    CHECK(url && strcmp(url, GUIDE_URL) == 0);
    trl_free(url);

    char long_otac[1100];
    memset(long_otac, 'a', 1025);
    long_otac[1025] = 0;
    const char *bad[] = {"", "a b", "abc&otac=x", "\xc5\x9f", "a#b", "a%2B", "a\nb", long_otac};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        url = (char *)0x1;
        CHECK_RC(trl_build_viewer_url(c, bad[i], &url, &err), TRL_E_INVALID_ARGUMENT);
        CHECK(url == NULL);
        check_err(err, TRL_E_INVALID_ARGUMENT);
        trl_free(err);
    }
    long_otac[1024] = 0;
    CHECK_RC(trl_build_viewer_url(c, long_otac, &url, NULL), TRL_OK);
    trl_free(url);
    CHECK_RC(trl_build_viewer_url(c, NULL, &url, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_build_viewer_url(c, GUIDE_OTAC, NULL, NULL), TRL_E_INVALID_ARGUMENT);
    trl_client_close(c);
}

static void test_viewer_url(void) {
    trl_client c = new_client(NULL);
    char *url = NULL, *err = NULL;
    CHECK_RC(trl_viewer_url(c, TURKISH_ACCESSION, "12345678901", "98765432109", &url, &err), TRL_OK);
    CHECK(err == NULL);
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/viewer/#/viewpatient?otac=", h_base);
    CHECK(url && strncmp(url, prefix, strlen(prefix)) == 0);
    char esc[256], body[512];
    otac_of(url, esc, sizeof esc);
    remember_secret(esc);
    CHECK(open_in_viewer(esc, body, sizeof body) == 200);
    CHECK(strstr(body, "\"accession\":\"" TURKISH_ACCESSION "\"")); /* UTF-8 round trip */
    trl_free(url);

    /* Many URLs for one (doctor, patient): one token request. */
    int n = quick_mode() ? 20 : 500;
    for (int i = 0; i < n; i++) {
        url = NULL;
        CHECK_RC(trl_viewer_url(c, "ACC-LOOP", "12345678901", "98765432109", &url, NULL), TRL_OK);
        trl_free(url);
    }
    CHECK(sb_stat("token_requests") == 1);
    CHECK(sb_stat("otac_requests") == n + 1);

    /* A 401 on postOTAC drops that token, fetches a fresh one, tries once more. */
    sb_fault("{\"target\":\"otac\",\"kind\":\"unauthorized\",\"count\":1}");
    CHECK_RC(trl_viewer_url(c, "ACC-401", "12345678901", "98765432109", &url, &err), TRL_OK);
    trl_free(url);
    CHECK(sb_stat("token_requests") == 2);
    /* ... but only once. */
    sb_fault("{\"target\":\"otac\",\"kind\":\"unauthorized\",\"count\":0}");
    CHECK_RC(trl_viewer_url(c, "ACC-401", "12345678901", "98765432109", &url, &err), TRL_E_HTTP);
    CHECK(url == NULL);
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 401);
    trl_free(err);
    CHECK(sb_stat("token_requests") == 3);
    sb_reset();

    CHECK_RC(trl_viewer_url(c, "NOT-FOUND", NULL, NULL, &url, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    trl_free(err);
    CHECK_RC(trl_viewer_url(c, "", NULL, NULL, &url, &err), TRL_E_INVALID_ARGUMENT);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    CHECK_RC(trl_viewer_url(c, NULL, NULL, NULL, &url, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_viewer_url(c, "A", NULL, NULL, NULL, NULL), TRL_E_INVALID_ARGUMENT);
    trl_client_close(c);
}

static void nap_ms(int ms) {
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
#endif
}

/* wait_stat waits until the sandbox's counter key reaches want (at most
 * 10 s: a bound, not a timing check). */
static int wait_stat(const char *key, long want) {
    for (double end = now_s() + 10; now_s() < end; nap_ms(5))
        if (sb_stat(key) >= want) return 1;
    fprintf(stderr, "  waited 10 s for %s >= %ld (%ld)\n", key, want, sb_stat(key));
    return 0;
}

/* trl_prefetch_viewer_token: a hint, then a click for the same pair that
 * costs only the postOTAC; a burst of hints stays bounded; a failed prefetch
 * is not returned. */
static void test_prefetch(void) {
    trl_client c = new_client(NULL);
    char *url = NULL, *err = (char *)0x1;
    CHECK_RC(trl_prefetch_viewer_token(c, "12345678901", "55555555555", &err), TRL_OK);
    CHECK(err == NULL);
    CHECK(wait_stat("token_requests", 1));
    CHECK(sb_stat("token_requests") == 1);
    sb_reset();
    CHECK_RC(trl_viewer_url(c, "ACC-PREFETCH", "12345678901", "55555555555", &url, &err), TRL_OK);
    trl_free(url);
    CHECK(sb_stat("token_requests") == 0);
    CHECK(sb_stat("otac_requests") == 1);

    CHECK_RC(trl_prefetch_viewer_token(c, "1\n2", NULL, &err), TRL_E_INVALID_ARGUMENT);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    CHECK_RC(trl_prefetch_viewer_token(c, NULL, NULL, NULL), TRL_OK); /* no identity numbers, no err */
    CHECK_RC(trl_prefetch_viewer_token(0, "1", "2", &err), TRL_E_BAD_HANDLE);
    trl_free(err);
    CHECK(wait_stat("token_requests", 1));
    sb_reset();

    /* 100 hints while the first two fetches are held: 2 in flight, the newest
     * 4 kept, the rest dropped. */
    sb_fault("{\"target\":\"token\",\"kind\":\"hold\",\"count\":2}");
    char patient[32];
    for (int i = 0; i < 100; i++) {
        snprintf(patient, sizeof patient, "400000%05d", i);
        CHECK_RC(trl_prefetch_viewer_token(c, "12345678901", patient, NULL), TRL_OK);
    }
    CHECK(wait_stat("token_requests", 2));
    sb_post("/_sandbox/release", "");
    CHECK(wait_stat("token_requests", 4));
    long before = sb_stat("otac_requests");
    for (int i = 96; i < 100; i++) { /* the newest rows: cached, or joined in flight */
        snprintf(patient, sizeof patient, "400000%05d", i);
        CHECK_RC(trl_viewer_url(c, "ACC-ROW", "12345678901", patient, &url, NULL), TRL_OK);
        trl_free(url);
    }
    long n = sb_stat("token_requests");
    if (n > 6) fprintf(stderr, "  100 hints made %ld token requests\n", n);
    CHECK(n >= 4 && n <= 6);
    CHECK(sb_stat("otac_requests") == before + 4);
    trl_client_close(c);

    /* A refused prefetch returns TRL_OK; the click reports TRL_E_AUTH. */
    c = new_client_with("Yanlis-Parola-1", NULL);
    sb_reset();
    CHECK_RC(trl_prefetch_viewer_token(c, "12345678901", "55555555555", &err), TRL_OK);
    CHECK(err == NULL);
    CHECK(wait_stat("token_rejections", 1));
    CHECK_RC(trl_viewer_url(c, "ACC", "12345678901", "55555555555", &url, &err), TRL_E_AUTH);
    check_err(err, TRL_E_AUTH);
    trl_free(err);
    trl_client_close(c);
}

static void test_auth_errors(void) {
    trl_client c = new_client_with("Yanlis-Parola-1", NULL);
    char *tok = (char *)0x1, *err = NULL, *url = NULL;
    int64_t exp = 5;
    CHECK_RC(trl_service_token(c, &tok, &exp, &err), TRL_E_AUTH);
    CHECK(tok == NULL && exp == 0);
    check_err(err, TRL_E_AUTH);
    CHECK(json_int(err, "http_status") == 400);
    CHECK(err && strstr(err, "\"server_error\":\"invalid_grant\""));
    CHECK(err && strstr(err, "\"server_error_description\":\"Kullan\xc4\xb1""c\xc4\xb1"));
    CHECK(err && strstr(err, "\"retryable\":false"));
    CHECK(err && !strstr(err, "Yanlis-Parola-1") && !strstr(err, SANDBOX_PASSWORD));
    trl_free(err);
    CHECK(sb_stat("token_requests") == 1); /* rejected credentials are never retried */
    CHECK_RC(trl_viewer_url(c, "ACC", "1", "2", &url, &err), TRL_E_AUTH);
    check_err(err, TRL_E_AUTH);
    trl_free(err);
    trl_client_close(c);

    c = new_client("\"client_id\":\"yanlis.client\"");
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_E_AUTH);
    CHECK(err && strstr(err, "invalid_client"));
    trl_free(err);
    trl_client_close(c);
    c = new_client("\"grant_type\":\"password\"");
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_E_AUTH);
    CHECK(err && strstr(err, "unsupported_grant_type"));
    trl_free(err);
    trl_client_close(c);
}

static void test_retries_and_faults(void) {
    trl_client c = new_client("\"retries\":2");
    char *url = NULL, *err = NULL, *tok = NULL;

    /* 5xx once: retried. */
    sb_fault("{\"target\":\"otac\",\"kind\":\"status\",\"status\":503,\"count\":1}");
    CHECK_RC(trl_viewer_url(c, "ACC-503", NULL, NULL, &url, &err), TRL_OK);
    CHECK(sb_stat("otac_requests") == 2);
    trl_free(url);
    url = NULL;

    /* 5xx persisting: 1 + retries attempts, then TRL_E_HTTP, retryable. */
    sb_reset();
    sb_fault("{\"target\":\"otac\",\"kind\":\"status\",\"status\":500,\"count\":0}");
    CHECK_RC(trl_viewer_url(c, "ACC-500", NULL, NULL, &url, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 500 && strstr(err, "\"retryable\":true"));
    CHECK(sb_stat("otac_requests") == 3);
    trl_free(err);

    /* 429 with Retry-After is honoured. */
    sb_reset();
    sb_fault("{\"target\":\"otac\",\"kind\":\"status\",\"status\":429,\"retry_after_s\":1,\"count\":1}");
    double t0 = now_s();
    CHECK_RC(trl_viewer_url(c, "ACC-429", NULL, NULL, &url, &err), TRL_OK);
    CHECK(now_s() - t0 >= 0.9);
    trl_free(url);

    /* A token server error is retried too; a connection closed without an answer as well. */
    trl_client_close(c);
    c = new_client("\"retries\":2");
    sb_reset();
    sb_fault("[{\"target\":\"token\",\"kind\":\"status\",\"status\":502,\"count\":1},"
             "{\"target\":\"otac\",\"kind\":\"close\",\"count\":1}]");
    CHECK_RC(trl_viewer_url(c, "ACC-CLOSE", NULL, NULL, &url, &err), TRL_OK);
    CHECK(sb_stat("token_requests") == 2 && sb_stat("otac_requests") == 2);
    trl_free(url);

    /* Malformed and HTML token answers. */
    sb_reset();
    sb_fault("{\"target\":\"token\",\"kind\":\"malformed\",\"count\":1}");
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_E_PROTOCOL);
    check_err(err, TRL_E_PROTOCOL);
    trl_free(err);
    sb_fault("{\"target\":\"token\",\"kind\":\"html\",\"count\":0}");
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_E_HTTP);
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 502);
    trl_free(err);
    trl_client_close(c);

    /* Timeout: the whole call is bounded by timeout_ms. */
    sb_reset();
    c = new_client("\"timeout_ms\":300");
    sb_fault("{\"target\":\"otac\",\"kind\":\"latency\",\"delay_ms\":1500,\"count\":0}");
    t0 = now_s();
    CHECK_RC(trl_viewer_url(c, "ACC-SLOW", NULL, NULL, &url, &err), TRL_E_TIMEOUT);
    CHECK(now_s() - t0 < 1.2);
    check_err(err, TRL_E_TIMEOUT);
    CHECK(err && strstr(err, "\"retryable\":true"));
    trl_free(err);
    trl_client_close(c);

    /* Network: a port bound but not listening refuses connections; holding it
     * bound keeps any other socket (or a self-connect) from taking it. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t len = sizeof sa;
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    int closed_port = ntohs(sa.sin_port);
    char cfg[1024];
    snprintf(cfg, sizeof cfg, "{\"institution_code\":\"1234567\",\"password\":\"" SANDBOX_PASSWORD "\","
             "\"application_code\":\"SANDBOX-HIS\",\"ogn_url\":\"http://127.0.0.1:%d\",\"retries\":1}", closed_port);
    CHECK_RC(trl_client_new(cfg, &c, NULL), TRL_OK);
    CHECK_RC(trl_service_token(c, &tok, NULL, &err), TRL_E_NETWORK);
    if (err && !strstr(err, "TRL_E_NETWORK")) fprintf(stderr, "  %s\n", err);
    check_err(err, TRL_E_NETWORK);
    CHECK(err && strstr(err, "\"retryable\":true"));
    trl_free(err);
    trl_client_close(c);
    sock_close(fd);
}

static void test_call(void) {
    trl_client c = new_client(NULL);
    int32_t st = 0;
    char *resp = NULL, *err = NULL;
    CHECK_RC(trl_call(c, "GET", "echo/hasta?tc=1", NULL, &st, &resp, &err), TRL_OK);
    CHECK(st == 200 && resp && strstr(resp, "\"method\":\"GET\"") && strstr(resp, "\"path\":\"/echo/hasta\""));
    CHECK(resp && strstr(resp, "\"query\":\"tc=1\"") && strstr(resp, "\"token_kind\":\"service\""));
    trl_free(resp);
    resp = NULL;
    CHECK_RC(trl_call(c, "post", "/echo", "{\"Ad\":\"\xc5\x9e\xc3\xbckr\xc3\xbc \xc4\xb0\xc4\x9f\"}", &st, &resp, &err), TRL_OK);
    CHECK(resp && strstr(resp, "\"body\":{\"Ad\":\"\xc5\x9e\xc3\xbckr\xc3\xbc \xc4\xb0\xc4\x9f\"}"));
    CHECK(strstr(resp ? resp : "", "\"method\":\"POST\""));
    trl_free(resp);
    char stats[8192];
    sb_stats(stats, sizeof stats);
    CHECK(strstr(stats, "\"content_type\":\"application/json; charset=utf-8\""));
    CHECK_RC(trl_call(c, "DELETE", "echo", "", NULL, NULL, NULL), TRL_OK); /* outs may be NULL */
    CHECK(sb_stat("token_requests") == 1);

    /* Non-2xx: TRL_E_HTTP with the status and the server's body. */
    resp = NULL;
    CHECK_RC(trl_call(c, "GET", "status/404", NULL, &st, &resp, &err), TRL_E_HTTP);
    CHECK(st == 404 && resp && strstr(resp, "status 404"));
    check_err(err, TRL_E_HTTP);
    CHECK(json_int(err, "http_status") == 404 && strstr(err, "\"retryable\":false"));
    trl_free(resp);
    trl_free(err);

    /* 401 refreshes the service token once. */
    sb_post("/_sandbox/revoke", "");
    CHECK_RC(trl_call(c, "GET", "echo", NULL, &st, NULL, NULL), TRL_OK);
    CHECK(st == 200 && sb_stat("token_requests") == 2);

    /* 5xx: GET is retried, POST never. */
    sb_reset();
    sb_fault("{\"target\":\"api\",\"kind\":\"status\",\"status\":503,\"count\":1}");
    CHECK_RC(trl_call(c, "GET", "echo", NULL, &st, NULL, NULL), TRL_OK);
    CHECK(sb_stat("api_requests") == 2);
    sb_reset();
    sb_fault("{\"target\":\"api\",\"kind\":\"status\",\"status\":503,\"count\":1}");
    CHECK_RC(trl_call(c, "POST", "echo", "{}", &st, NULL, &err), TRL_E_HTTP);
    CHECK(st == 503 && sb_stat("api_requests") == 1);
    trl_free(err);

    /* Bad arguments: the token never leaves api_url. */
    const char *bad_paths[] = {"http://evil.example/x", "https://127.0.0.1/x", "//evil.example/x",
                               "../connect/token", "echo/../../x", "a/%2e%2e/b", "echo#x", "echo x", "a\r\nb: c"};
    for (size_t i = 0; i < sizeof bad_paths / sizeof bad_paths[0]; i++) {
        err = NULL;
        CHECK_RC(trl_call(c, "GET", bad_paths[i], NULL, &st, &resp, &err), TRL_E_INVALID_ARGUMENT);
        check_err(err, TRL_E_INVALID_ARGUMENT);
        trl_free(err);
    }
    CHECK_RC(trl_call(c, "GET", "echo", "{not json", &st, &resp, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_call(c, "BREW", "echo", NULL, &st, &resp, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_call(c, NULL, "echo", NULL, &st, &resp, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK_RC(trl_call(c, "GET", NULL, NULL, &st, &resp, NULL), TRL_E_INVALID_ARGUMENT);
    CHECK(sb_stat("api_requests") == 1);
    trl_client_close(c);
}

/* ---- threads ---- */

struct shared {
    trl_client c;
    int iterations;
    int distinct; /* each thread its own doctor */
    int ok;
    int next_id;
};

static void *viewer_worker(void *arg) {
    struct shared *s = arg;
    char doctor[32];
    int id = s->distinct ? __atomic_add_fetch(&s->next_id, 1, __ATOMIC_SEQ_CST) : 0;
    snprintf(doctor, sizeof doctor, "100000000%02d", id);
    for (int i = 0; i < s->iterations; i++) {
        char *url = NULL, *err = NULL;
        int32_t rc = trl_viewer_url(s->c, "ACC-THREAD", doctor, "98765432109", &url, &err);
        if (rc == TRL_OK && url) __atomic_add_fetch(&s->ok, 1, __ATOMIC_SEQ_CST);
        else fprintf(stderr, "  thread: %s %s\n", trl_status_name(rc), err ? err : "");
        trl_free(url);
        trl_free(err);
    }
    return NULL;
}

static void run_threads(struct shared *s, int n) {
    pthread_t th[32];
    for (int i = 0; i < n; i++) pthread_create(&th[i], NULL, viewer_worker, s);
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
}

static void test_threads(void) {
    /* 16 threads start together on a cold cache: one token fetch. */
    trl_client c = new_client(NULL);
    sb_fault("{\"target\":\"token\",\"kind\":\"latency\",\"delay_ms\":200,\"count\":1}");
    struct shared s = {c, quick_mode() ? 3 : 40, 0, 0, 0};
    run_threads(&s, 16);
    CHECK(s.ok == 16 * s.iterations);
    CHECK(sb_stat("token_requests") == 1);
    CHECK(sb_stat("otac_requests") == 16 * s.iterations);
    trl_client_close(c);

    /* 8 threads with 8 different doctors: one token per key. */
    sb_reset();
    c = new_client(NULL);
    struct shared d = {c, quick_mode() ? 3 : 20, 1, 0, 0};
    run_threads(&d, 8);
    CHECK(d.ok == 8 * d.iterations);
    long tr = sb_stat("token_requests");
    CHECK(tr == 8);
    char stats[16384];
    sb_stats(stats, sizeof stats);
    /* every key in tokens_by_key was fetched exactly once */
    const char *p = strstr(stats, "\"tokens_by_key\":{");
    int keys = 0, ones = 0;
    for (p = p ? p + 17 : NULL; p && *p && *p != '}'; p++) {
        if (*p == ':') { keys++; if (strtol(p + 1, NULL, 10) == 1) ones++; }
    }
    CHECK(keys == tr && ones == keys);
    trl_client_close(c);
}

/* trl_call_bytes: the whole body, NUL and non-UTF-8 bytes included, with
 * its length; outputs cleared on failure. */
static void test_call_bytes(void) {
    static const char want[] = "AB\0CD\xff\xfe" "EF"; /* sandbox.BinaryBody */
    trl_client c = new_client(NULL);
    int32_t st = -1;
    int64_t len = -1;
    char *resp = NULL, *err = NULL;
    CHECK_RC(trl_call_bytes(c, "GET", "binary", NULL, &st, &resp, &len, &err), TRL_OK);
    CHECK(st == 200 && len == (int64_t)sizeof want - 1 && resp && memcmp(resp, want, sizeof want) == 0);
    CHECK(err == NULL);
    trl_free(resp);
    /* trl_call hands the same body as text, cut at the NUL. */
    CHECK_RC(trl_call(c, "GET", "binary", NULL, &st, &resp, &err), TRL_OK);
    CHECK(resp && strcmp(resp, "AB") == 0);
    trl_free(resp);
    /* TRL_E_HTTP: status, body and length still filled. */
    CHECK_RC(trl_call_bytes(c, "GET", "status/404", NULL, &st, &resp, &len, &err), TRL_E_HTTP);
    CHECK(st == 404 && resp && len == (int64_t)strlen(resp) && strstr(resp, "status 404"));
    check_err(err, TRL_E_HTTP);
    trl_free(resp);
    trl_free(err);
    /* Other failures: every output cleared. */
    resp = (char *)1, len = 7, st = 7, err = NULL;
    CHECK_RC(trl_call_bytes(c, "GET", "a/%5C..%5Cb", NULL, &st, &resp, &len, &err), TRL_E_INVALID_ARGUMENT);
    CHECK(resp == NULL && len == 0 && st == 0);
    check_err(err, TRL_E_INVALID_ARGUMENT);
    trl_free(err);
    resp = (char *)1, len = 7, st = 7, err = NULL;
    CHECK_RC(trl_call_bytes(0, "GET", "echo", NULL, &st, &resp, &len, &err), TRL_E_BAD_HANDLE);
    CHECK(resp == NULL && len == 0 && st == 0);
    trl_free(err);
    CHECK_RC(trl_call_bytes(c, "GET", "binary", NULL, NULL, NULL, NULL, NULL), TRL_OK); /* outs may be NULL */
    trl_client_close(c);
}

int main(void) {
    sandbox_init();
    remember_secret(SANDBOX_PASSWORD);
    RUN(test_library_info);
    RUN(test_client_new);
    RUN(test_handles);
    RUN(test_service_token);
    RUN(test_viewer_token);
    RUN(test_post_otac_shapes);
    RUN(test_post_otac_errors);
    RUN(test_build_viewer_url);
    RUN(test_viewer_url);
    RUN(test_prefetch);
    RUN(test_auth_errors);
    RUN(test_retries_and_faults);
    RUN(test_call);
    RUN(test_call_bytes);
    RUN(test_threads);
    for (int i = 0; i < h_nsecrets; i++) free(h_secrets[i]);
    printf("%d passed, %d failed\n", h_passed, h_failed);
    return h_failed ? 1 : 0;
}
