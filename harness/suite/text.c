/* Text checks of the suite loader (loader.h): everything a suite holds ends
 * up in JSON (the content hash, records, the child's request), and jansson
 * takes UTF-8 only, so the loader refuses other bytes where they enter —
 * file contents and file names — with an error line instead of a NULL
 * value deep inside a later json_pack. jansson does the validating. */
#include <string.h>

#include "suite/loader.h"

int jt_ld_is_utf8(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    json_decref(j);
    return j != NULL;
}

char *jt_ld_escaped(const char *s)
{
    jt_buf b = JT_BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\') jt_buf_addf(&b, "\\x%02x", *p);
        else jt_buf_addc(&b, (char)*p);
    }
    return jt_buf_detach(&b);
}

int jt_ld_check_text(const char *data, size_t len, jt_err *err)
{
    const char *nul = memchr(data, '\0', len);
    size_t line = 1;
    for (const char *p = data, *end = data + len; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (nul && nul < p + n) return jt_err_set(err, "not text: a NUL byte on line %zu", line);
        if (!jt_ld_is_utf8(p, n)) return jt_err_set(err, "not UTF-8 text (line %zu)", line);
        p += n + 1;
    }
    return 0;
}
