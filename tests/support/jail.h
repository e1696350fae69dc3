/* A directory that looks like the host's root to programs, for tests that
 * chroot or pivot_root a forked process into it. Every mount is made in
 * that process's private mount namespace (jt_jail_unshare first), so the
 * host never sees one; what stays on disk is plain directories and
 * symlinks inside the jail, removed with it (jt_test_tmpdir_free). */
#ifndef JT_TEST_JAIL_H
#define JT_TEST_JAIL_H

/* unshare(CLONE_NEWNS) and make every mount private. 0, or -1 (errno). */
int jt_jail_unshare(void);

/* Mirrors the host's top-level `name` into jail: a symlink as a symlink, a
 * directory as a recursive bind mount (read-only unless it is /dev); an
 * absent one is skipped. 0, or -1 (errno). */
int jt_jail_mirror(const char *jail, const char *name);

/* Mirrors usr, etc, bin, sbin, lib* and dev, mounts a proc on proc and
 * makes tmp (1777). 0, or a small positive code saying which step failed. */
int jt_jail_populate(const char *jail);

#endif
