/* Writing and version-checking JSON documents (jsonfile.h). */
#include "jouletrace/jsonfile.h"

#include <stdlib.h>
#include <string.h>

#include "jouletrace/fsutil.h"

int jt_json_write_atomic(const char *path, const json_t *doc, jt_err *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text) return jt_err_set(err, "%s: document cannot be encoded as JSON", path);
    size_t len = strlen(text);
    text = jt_xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    int rc = jt_write_file_atomic(path, text, len, err);
    free(text);
    return rc;
}

int jt_json_check_schema(const json_t *doc, int max, const char *where, jt_err *err)
{
    const json_t *v = json_object_get(doc, "schema_version");
    if (!json_is_number(v) || json_number_value(v) <= max) return 0;
    return jt_err_set(err, "%s: schema_version %g, this jouletrace reads up to %d: upgrade "
                           "jouletrace to read it",
                      where, json_number_value(v), max);
}
