/* Jails for the sandbox tests (jail.h). */
#include "support/jail.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int jt_jail_unshare(void)
{
    if (unshare(CLONE_NEWNS) != 0) return -1;
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

int jt_jail_mirror(const char *jail, const char *name)
{
    char host[64], in[4200], target[256];
    snprintf(host, sizeof host, "/%s", name);
    snprintf(in, sizeof in, "%s/%s", jail, name);
    struct stat st;
    if (lstat(host, &st) != 0) return errno == ENOENT ? 0 : -1;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(host, target, sizeof target - 1);
        if (n < 0) return -1;
        target[n] = '\0';
        return symlink(target, in);
    }
    if (mkdir(in, 0755) != 0 || mount(host, in, NULL, MS_BIND | MS_REC, NULL) != 0) return -1;
    if (!strcmp(name, "dev")) return 0;
    return mount(NULL, in, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
}

int jt_jail_populate(const char *jail)
{
    static const char *const names[] = {"usr", "etc", "bin", "sbin", "lib", "lib32",
                                        "lib64", "libx32", "dev"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (jt_jail_mirror(jail, names[i]) != 0) return 1;
    char path[4200];
    snprintf(path, sizeof path, "%s/proc", jail);
    if (mkdir(path, 0555) != 0 || mount("proc", path, "proc", 0, NULL) != 0) return 2;
    snprintf(path, sizeof path, "%s/tmp", jail);
    if (mkdir(path, 0755) != 0 || chmod(path, 01777) != 0) return 3;
    return 0;
}
