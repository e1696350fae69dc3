/* jsonl — JSON Lines corpora (plain or gzip-compressed, detected by content)
 * and a JSON parser that keeps integers of any size.
 *
 * Datasets like HumanEval+ hold integers beyond 64 bits in their inputs;
 * jansson refuses those ("too big integer"). jt_json_loads_exact() rewrites
 * every integer literal outside int64 into JouleTrace's typed encoding
 * {"__int__": "<digits>"} before parsing, so no digit is ever lost and the
 * runner receives the exact Python int.
 *
 * Ownership: a jt_lines owns its stream and line buffer; the line returned
 * by jt_lines_next is borrowed until the next call. */
#ifndef JOULETRACE_JSONL_H
#define JOULETRACE_JSONL_H

#include <jansson.h>
#include <stddef.h>

#include "jouletrace/common.h"

json_t *jt_json_loads_exact(const char *text, size_t len, json_error_t *error);

typedef struct jt_lines jt_lines;

/* Opens a text file (a regular file: never a FIFO or device), gunzipping
 * when it is gzip data. */
int jt_lines_open(const char *path, jt_lines **out, jt_err *err);
/* Next line without its newline: 1 with line, len and lineno set; 0 at the
 * end; -1 on a read or decompression error (err names file and line). */
int jt_lines_next(jt_lines *l, const char **line, size_t *len, size_t *lineno, jt_err *err);
void jt_lines_close(jt_lines *l);

/* SHA-256 (hex) of a file's bytes as stored (compressed or not). */
int jt_file_sha256(const char *path, char hex[65], jt_err *err);

#endif
