/* The status name table (status.h). */
#include "jouletrace/status.h"

#include <string.h>

typedef struct status_row {
    const char *name;
    bool measured; /* has energy statistics; ranked */
    bool recorded; /* may appear in a journal record or results.csv */
} status_row;

static const status_row rows[JT_STATUS_COUNT] = {
    [JT_STATUS_COMPLETED] = {"completed", true, true},
    [JT_STATUS_UNSTABLE] = {"unstable", true, true},
    [JT_STATUS_INCORRECT] = {"incorrect", false, true},
    [JT_STATUS_LOAD_ERROR] = {"load_error", false, true},
    [JT_STATUS_BUILD_FAILED] = {"build_failed", false, true},
    [JT_STATUS_TIMEOUT] = {"timeout", false, true},
    [JT_STATUS_MEMORY_LIMIT] = {"memory_limit", false, true},
    [JT_STATUS_CRASHED] = {"crashed", false, true},
    [JT_STATUS_FAILED] = {"failed", false, true},
    [JT_STATUS_NO_CODE] = {"no_code", false, true},
    [JT_STATUS_CORRECT] = {"correct", false, false},
    [JT_STATUS_INTERRUPTED] = {"interrupted", false, false},
};

/* Verdict → status. A verdict added to pyrun.h without a row here fails
 * the static assertion below. */
static const jt_status of_verdict[] = {
    [JT_VERDICT_CORRECT] = JT_STATUS_CORRECT,
    [JT_VERDICT_INCORRECT] = JT_STATUS_INCORRECT,
    [JT_VERDICT_LOAD_ERROR] = JT_STATUS_LOAD_ERROR,
    [JT_VERDICT_TIMEOUT] = JT_STATUS_TIMEOUT,
    [JT_VERDICT_MEMORY_LIMIT] = JT_STATUS_MEMORY_LIMIT,
    [JT_VERDICT_CRASHED] = JT_STATUS_CRASHED,
    [JT_VERDICT_FAILED] = JT_STATUS_FAILED,
    [JT_VERDICT_BUILD_FAILED] = JT_STATUS_BUILD_FAILED,
};
_Static_assert(sizeof of_verdict / sizeof of_verdict[0] == JT_VERDICT_COUNT,
               "every verdict needs a status");

const char *jt_status_name(jt_status s)
{
    return (unsigned)s < JT_STATUS_COUNT ? rows[s].name : "?";
}

int jt_status_parse(const char *name, jt_status *out, jt_err *err)
{
    if (!name) return jt_err_set(err, "no status");
    for (size_t i = 0; i < JT_STATUS_COUNT; i++) {
        if (strcmp(rows[i].name, name)) continue;
        if (!rows[i].recorded) return jt_err_set(err, "status '%s' is never recorded", name);
        *out = (jt_status)i;
        return 0;
    }
    return jt_err_set(err, "unknown status '%s'", name);
}

bool jt_status_measured(jt_status s)
{
    return (unsigned)s < JT_STATUS_COUNT && rows[s].measured;
}

jt_status jt_status_of_verdict(jt_verdict v)
{
    return (unsigned)v < JT_VERDICT_COUNT ? of_verdict[v] : JT_STATUS_FAILED;
}
