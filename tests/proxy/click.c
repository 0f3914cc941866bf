/* click.c N [URLS] -- N clicks through the library with the config JSON on
 * standard input: each a viewer URL for a study (token from OGN, postOTAC).
 * Prints "click I: ok" or "click I: error <error JSON>" per click (the JSON
 * holds no secret); the URLs (one-time codes inside) go only to the file
 * URLS, never to the output.  Exit status: the number of failed clicks. */
#include <stdio.h>
#include <stdlib.h>
#include "teleradyoloji.h"

int main(int argc, char **argv) {
    static char config[1 << 16];
    size_t n = fread(config, 1, sizeof config - 1, stdin);
    config[n] = 0;
    int clicks = argc > 1 ? atoi(argv[1]) : 1;
    FILE *urls = argc > 2 ? fopen(argv[2], "w") : NULL;
    trl_client c = 0;
    char *err = NULL;
    if (trl_client_new(config, &c, &err) != TRL_OK) {
        printf("client: error %s\n", err);
        trl_free(err);
        return 100;
    }
    int failed = 0;
    for (int i = 1; i <= clicks; i++) {
        char accession[32], *url = NULL;
        snprintf(accession, sizeof accession, "ACC-PROXY-%d", i);
        if (trl_viewer_url(c, accession, NULL, NULL, &url, &err) == TRL_OK) {
            printf("click %d: ok\n", i);
            if (urls) fprintf(urls, "%s\n", url);
        } else {
            printf("click %d: error %s\n", i, err);
            failed++;
        }
        trl_free(url);
        trl_free(err);
        err = NULL;
        fflush(stdout);
    }
    if (urls) fclose(urls);
    trl_client_close(c);
    return failed;
}
