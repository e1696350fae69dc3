/* fuzz — shared set-up of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Each target owns one temporary directory, made once at start-up under
 * $JT_FUZZ_TMPDIR (else $TMPDIR, else /tmp) and removed at exit. The
 * library the targets link is a copy of libjouletrace.a whose file-system
 * calls (confine.syms) are renamed to the jt_fuzz_* wrappers of confine.c:
 * they refuse every path outside that directory, so no input can make the
 * loader read the host's files (or hang on its devices), and every run sees
 * the same files. Nothing here starts a process. */
#ifndef JT_FUZZ_H
#define JT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* A file of the target's tree: path relative to the root, bytes, length
 * (0: strlen(data)). A NULL data makes a FIFO (a loader must never wait on
 * one). */
typedef struct jt_fuzz_file {
    const char *path;
    const char *data;
    size_t len;
} jt_fuzz_file;

/* Makes the directory, writes `files` (ending with {NULL}) into it and
 * confines the library to it. Returns the root (absolute); exits on error. */
const char *jt_fuzz_setup(const char *target, const jt_fuzz_file *files);
/* root/name holding data[0..size): rewritten for every input. Returns a
 * static path (valid until the next call). */
const char *jt_fuzz_put(const char *name, const uint8_t *data, size_t size);
/* Aborts (a crash libFuzzer reports) with a message when !ok. */
void jt_fuzz_require(int ok, const char *what);

/* confine.c */
void jt_fuzz_confine(const char *root);

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
