/* yamlvalue — a YAML file loaded with libyaml's document API, YAML 1.2 core
 * schema scalar resolution, and conversion of nodes into JouleTrace's typed
 * JSON values. Internal to harness/suite/. */
#ifndef JT_YAMLVALUE_H
#define JT_YAMLVALUE_H

#include <jansson.h>
#include <yaml.h>

#include "jouletrace/common.h"

typedef struct jt_ydoc {
    yaml_document_t doc;
    const char *file; /* display name, borrowed (interned by the suite) */
    int loaded;
    size_t *size_memo;     /* expanded size per node, see jt_yaml_to_json */
    unsigned *height_memo; /* expanded height + 1 per node (0 = not known) */
} jt_ydoc;

/* Loads `path`, a regular file holding one YAML document. Fails with one
 * "FILE:LINE:COL: ..." line for malformed YAML, bytes that are not UTF-8
 * text, a NUL inside a scalar, a second document or nesting deeper than the
 * conversion allows (checked while reading, before a tree is built); with
 * "FILE: ..." for a directory or another non-regular file. An empty file
 * loads with a NULL root. */
int jt_ydoc_load(jt_ydoc *d, const char *path, const char *display, jt_err *err);
void jt_ydoc_release(jt_ydoc *d);
yaml_node_t *jt_ydoc_root(jt_ydoc *d);
yaml_node_t *jt_ydoc_node(jt_ydoc *d, int index);

/* "FILE:LINE:COL: <message>" at the node's start (1-based line and column). */
int jt_yerr(jt_err *err, const jt_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef enum jt_scalar_kind {
    JT_SCALAR_NULL,
    JT_SCALAR_BOOL,
    JT_SCALAR_INT,
    JT_SCALAR_FLOAT,
    JT_SCALAR_STR,
} jt_scalar_kind;

/* Resolves a scalar node by the YAML 1.2 core schema: a quoted or block
 * scalar is always a string; a plain one is null (null/Null/NULL/~/empty),
 * bool (true/True/TRUE/false/...), int (decimal, 0o octal, 0x hex), float
 * (decimal with . or exponent, .inf, -.inf, .nan in the core schema's
 * spellings) or else a string ("yes", "on", "0b1", "1_000" are strings).
 * Explicit standard tags (!!int, !!float, !!bool, !!null) are honoured. */
jt_scalar_kind jt_yaml_scalar_kind(const yaml_node_t *n);
const char *jt_yaml_scalar_kind_name(jt_scalar_kind k);
/* The scalar's text (NUL-terminated by libyaml; may contain NULs). */
const char *jt_yaml_text(const yaml_node_t *n);

/* Converts a node to a JSON value in JouleTrace's typed encoding: integers
 * that do not fit int64 become {"__int__": "<decimal>"} (never rounded),
 * non-finite floats {"__float__": "inf"|"-inf"|"nan"}, mappings with a
 * non-string key {"__dict__": [[k, v], ...]}. Aliases are expanded; each
 * node produced costs one unit of *budget (shared by a whole suite load, see
 * JT_YAML_NODE_BUDGET) so an alias bomb fails cleanly instead of eating RAM. */
json_t *jt_yaml_to_json(jt_ydoc *d, yaml_node_t *n, size_t *budget, jt_err *err);

/* Nodes one suite load may expand into values: far above real test data,
 * far below what would exhaust memory (a json_t is ~64 bytes). */
#define JT_YAML_NODE_BUDGET 20000000u

#endif
