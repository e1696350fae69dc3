/* fsutil — files that must survive crashes: atomic replacement, whole-file
 * reads, recursive removal, and SHA-256 for content hashes.
 *
 * Everything a user measured ends up on disk through these: reports are
 * written to a temporary file in the same directory, fsynced, renamed over
 * the target and the directory fsynced, so a reader sees the old file or the
 * new one, never half of one. A writer killed in between leaves its
 * "NAME.tmp.PID" file; jt_remove_stale_temps takes those away. */
#ifndef JOULETRACE_FSUTIL_H
#define JOULETRACE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "jouletrace/common.h"

int jt_write_file_atomic(const char *path, const void *data, size_t len, jt_err *err);
/* The same, with the content written by fill(fd, ctx) (0, or -1 with errno
 * set): a large document streams to the file instead of a string first. */
int jt_write_file_atomic_fn(const char *path, int (*fill)(int fd, void *ctx), void *ctx,
                            jt_err *err);
/* Removes the temporary files jt_write_file_atomic left in dir for any of
 * `names` (NULL-terminated) when its writer died (SIGKILL, power loss):
 * "NAME.tmp.PID" files that no live writer holds (each holds an flock on
 * its temp file until the rename). Returns how many went, or -1 (err). */
int jt_remove_stale_temps(const char *dir, const char *const *names, jt_err *err);
/* Reads a whole file (NUL-terminated; *len excludes the NUL). Caller frees. */
int jt_read_file(const char *path, char **data, size_t *len, jt_err *err);
/* mkdir -p */
int jt_mkdirs(const char *path, unsigned mode, jt_err *err);
/* Removes a tree without following symlinks; makes directories writable
 * first (a candidate may chmod its workdir). Returns 0 or -1 (err set). */
int jt_rmtree(const char *path, jt_err *err);

typedef struct jt_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t fill;
} jt_sha256;

void jt_sha256_init(jt_sha256 *c);
void jt_sha256_update(jt_sha256 *c, const void *data, size_t len);
/* The 32-byte digest. */
void jt_sha256_final(jt_sha256 *c, unsigned char out[32]);
/* Writes 64 lowercase hex digits + NUL into hex[65]. */
void jt_sha256_hex(jt_sha256 *c, char hex[65]);

#endif
