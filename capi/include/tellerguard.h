/*
 * tellerguard: pre-execution scam check for bank teller software.
 *
 * Compile a rule pack once into an engine, then assess each pending
 * operation (the contract's JSON) and act on the returned assessment (the
 * contract's JSON: score, level, action, missing questions, warnings).
 *
 *  - An engine is immutable and may be shared by any number of threads.
 *  - Every string handed out is NUL-terminated UTF-8 and must be freed with
 *    tg_string_free(), except those documented as owned by the library.
 *  - An operation that cannot be assessed is never reported as safe: its
 *    result is {"id"?, "error", "action": "escalate"}.
 *
 * Link with -ltellerguard_capi (shared) or libtellerguard_capi.a plus
 * -lpthread -ldl -lm (static).
 */
#ifndef TELLERGUARD_H
#define TELLERGUARD_H

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of tg_assess_json(). */
#define TG_OK 0             /* *out is the assessment */
#define TG_INVALID_INPUT 1  /* *out is an error record naming the bad field; action "escalate" */
#define TG_BAD_ARGUMENT 2   /* a null pointer or unknown language; *out is NULL; see tg_last_error() */
#define TG_INTERNAL_ERROR 3 /* a bug; *out is an error record with action "escalate" */

/* Languages of the warnings. */
#define TG_LANG_ZH 0
#define TG_LANG_EN 1

typedef struct TgEngine TgEngine;

/* The default rule pack embedded in the library. NULL on failure (see tg_last_error()). */
TgEngine *tg_engine_new_embedded(void);

/* The rule pack in folder `dir`. NULL on failure; tg_last_error() then lists
 * every problem with its file, line and column. */
TgEngine *tg_engine_new_from_dir(const char *dir);

/* Free an engine (NULL is ignored), once, after its last use. */
void tg_engine_free(TgEngine *engine);

/* The pack's version, e.g. "tellerguard-default@2026.11.0+5650fdf9d30eb4a7".
 * Owned by the engine: do not free. */
const char *tg_engine_rules_version(const TgEngine *engine);

/* Assess one operation given as the contract's JSON. On every status but
 * TG_BAD_ARGUMENT, *out receives a string to free with tg_string_free(). */
int tg_assess_json(const TgEngine *engine, const char *json, int lang, char **out);

/* Free a string returned by tg_assess_json() (NULL is ignored). */
void tg_string_free(char *s);

/* Why the last call on this thread failed, or NULL. Valid until the next
 * call on the same thread; do not free. */
const char *tg_last_error(void);

/* The library's version, e.g. "0.1.0". Static; do not free. */
const char *tg_version(void);

#ifdef __cplusplus
}
#endif

#endif /* TELLERGUARD_H */
