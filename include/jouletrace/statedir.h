/* statedir — where an installed jouletrace keeps what outlives a run: the
 * state directory (the socket-0 calibration) and the cache directory
 * (expected outputs computed from reference solutions). Never the current
 * directory, so the binary works the same from anywhere.
 *
 * Lookup, first match wins:
 *   state: --state-dir DIR, $JOULETRACE_STATE_DIR, then for root
 *          /var/lib/jouletrace, for other users $XDG_STATE_HOME/jouletrace,
 *          else ~/.local/state/jouletrace
 *   cache: $JOULETRACE_CACHE, then for root /var/cache/jouletrace, for other
 *          users $XDG_CACHE_HOME/jouletrace, else ~/.cache/jouletrace
 * A relative XDG_* value is ignored (the XDG spec says so); ~ is $HOME, or
 * the passwd entry's home when HOME is unset or relative. "root" is the
 * effective uid 0.
 *
 * Nothing here creates a directory: writers create the leaf on demand with
 * jt_mkdirs(dir, 0755), which never changes an existing directory. */
#ifndef JOULETRACE_STATEDIR_H
#define JOULETRACE_STATEDIR_H

#include "jouletrace/common.h"

typedef enum jt_dir_kind { JT_DIR_STATE, JT_DIR_CACHE } jt_dir_kind;

/* The directory for `kind`. `flag` is the command line's value (NULL when
 * not given; the cache has no flag). Returns a malloc'd path and sets
 * *source (may be NULL) to static text naming what chose it: "--state-dir",
 * "JOULETRACE_STATE_DIR", "default for root", "XDG_STATE_HOME", "default:
 * ~/.local/state", ... NULL with err when no home directory can be found. */
char *jt_dir_locate(jt_dir_kind kind, const char *flag, const char **source, jt_err *err);

#endif
