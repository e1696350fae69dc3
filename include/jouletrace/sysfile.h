/* sysfile — small kernel files under /proc and /sys: their first line, and
 * the CPU lists ("0-3,8,10-11") many of them hold.
 *
 * One reader for every one-value file (topology, host fingerprint): the
 * kernel regenerates them on each read and they hold one line; nothing here
 * depends on the caller's layer, so energy backends and measure/ share it.
 *
 * Ownership: jt_read_first_line returns a malloc'd string the caller frees. */
#ifndef JOULETRACE_SYSFILE_H
#define JOULETRACE_SYSFILE_H

#include <stddef.h>

/* The most CPUs a CPU list may name (CPU numbers are below it). */
#define JT_MAX_CPUS 4096

/* The first line of the file at `path` without its newline, of any length;
 * "" for an empty file; NULL when it cannot be opened or read (a sysfs
 * attribute may fail its read with EIO or ENODEV). */
char *jt_read_first_line(const char *path);

/* Parses a kernel CPU list ("0-3,8,10-11", a trailing newline allowed) into
 * a sorted, de-duplicated array of at most `max` CPUs below JT_MAX_CPUS;
 * returns the count, or -1 on a malformed or too long list. */
int jt_cpulist_parse(const char *s, int *cpus, int max);

/* Reads /proc/PID/stat into buf (cap bytes, NUL-terminated) and returns the
 * text after the ")" that closes the command name (which may itself hold
 * spaces and parentheses): " S PPID ..." from field 3 on. NULL when the task
 * is gone or the file is unreadable or malformed. */
const char *jt_proc_stat_fields(long pid, char *buf, size_t cap);

#endif
