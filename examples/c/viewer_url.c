/* viewer_url: prints the teleradiology viewer URL of a study.
 *
 *   viewer_url BASE_URL ACCESSION [DOCTOR_TC [PATIENT_TC]]
 *
 * BASE_URL is the sandbox's base URL (make demo starts one).  Against the
 * Ministry, leave ogn_url/api_url/viewer_url out of the config: the guide's
 * hosts are the defaults. */
#include <stdio.h>
#include <stdlib.h>
#include "teleradyoloji.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BASE_URL ACCESSION [DOCTOR_TC [PATIENT_TC]]\n", argv[0]);
        return 2;
    }
    const char *base = argv[1];
    char config[2048];
    snprintf(config, sizeof config,
             "{\"institution_code\":\"1234567\",\"password\":\"Gizli-Parola-2026!\","
             "\"application_code\":\"SANDBOX-HIS\",\"ogn_url\":\"%s\","
             "\"api_url\":\"%s/integrationapi\",\"viewer_url\":\"%s/viewer/\"}",
             base, base, base);

    trl_client client = 0;
    char *err = NULL;
    if (trl_client_new(config, &client, &err) != TRL_OK) {
        fprintf(stderr, "config: %s\n", err);
        trl_free(err);
        return 1;
    }
    char *url = NULL;
    int32_t rc = trl_viewer_url(client, argv[2], argc > 3 ? argv[3] : NULL,
                                argc > 4 ? argv[4] : NULL, &url, &err);
    if (rc == TRL_OK)
        printf("%s\n", url); /* open it once, in a new tab or an iframe */
    else
        fprintf(stderr, "%s: %s\n", trl_status_name(rc), err);
    trl_free(url);
    trl_free(err);
    trl_client_close(client);
    return rc == TRL_OK ? 0 : 1;
}
