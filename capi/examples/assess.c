/*
 * Assess each line of standard input (one operation as the contract's JSON
 * per line) with the embedded rule pack and print one result per line:
 * the status code, a tab, and the assessment or error record.
 *
 *   cc capi/examples/assess.c -Icapi/include -Ltarget/release -ltellerguard_capi -o assess
 *   LD_LIBRARY_PATH=target/release ./assess < examples/transfers.jsonl
 */
#include <stdio.h>
#include <string.h>

#include "tellerguard.h"

int main(void) {
    TgEngine *engine = tg_engine_new_embedded();
    if (engine == NULL) {
        fprintf(stderr, "cannot load the rule pack: %s\n", tg_last_error());
        return 1;
    }
    fprintf(stderr, "tellerguard %s, rules %s\n", tg_version(), tg_engine_rules_version(engine));

    static char line[1 << 16];
    int failures = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0') {
            continue;
        }
        char *result = NULL;
        int status = tg_assess_json(engine, line, TG_LANG_EN, &result);
        if (status == TG_BAD_ARGUMENT) {
            fprintf(stderr, "bad argument: %s\n", tg_last_error());
            failures++;
            continue;
        }
        printf("%d\t%s\n", status, result);
        failures += status != TG_OK;
        tg_string_free(result);
    }
    tg_engine_free(engine);
    return failures == 0 ? 0 : 2;
}
