/* State and cache directories (statedir.h). */
#include "jouletrace/statedir.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct dir_rule {
    const char *flag_name; /* what a non-NULL flag is called (NULL: no flag) */
    const char *env;       /* jouletrace's own override */
    const char *root_dir;  /* effective uid 0 */
    const char *xdg;       /* the XDG base-directory variable */
    const char *home_rel;  /* its default under $HOME */
    const char *home_src;  /* *source for that default */
} dir_rule;

static const dir_rule rules[] = {
    [JT_DIR_STATE] = {"--state-dir", "JOULETRACE_STATE_DIR", "/var/lib/jouletrace",
                      "XDG_STATE_HOME", ".local/state", "default: ~/.local/state"},
    [JT_DIR_CACHE] = {NULL, "JOULETRACE_CACHE", "/var/cache/jouletrace", "XDG_CACHE_HOME",
                      ".cache", "default: ~/.cache"},
};

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* $HOME when absolute, else the passwd entry's home; malloc'd or NULL. */
static char *home_dir(void)
{
    const char *h = nonempty_env("HOME");
    if (h && h[0] == '/') return jt_xstrdup(h);
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &res) == 0 && res && res->pw_dir &&
        res->pw_dir[0] == '/')
        return jt_xstrdup(res->pw_dir);
    return NULL;
}

char *jt_dir_locate(jt_dir_kind kind, const char *flag, const char **source, jt_err *err)
{
    const dir_rule *r = &rules[kind];
    const char *dummy;
    if (!source) source = &dummy;
    const char *v;
    if (flag && *flag && r->flag_name) {
        *source = r->flag_name;
        return jt_xstrdup(flag);
    }
    if ((v = nonempty_env(r->env))) {
        *source = r->env;
        return jt_xstrdup(v);
    }
    if (geteuid() == 0) {
        *source = "default for root";
        return jt_xstrdup(r->root_dir);
    }
    if ((v = nonempty_env(r->xdg)) && v[0] == '/') {
        *source = r->xdg;
        return jt_xasprintf("%s/jouletrace", v);
    }
    char *home = home_dir();
    if (!home) {
        jt_err_set(err, "no home directory for uid %u (HOME is unset or relative): set %s%s%s",
                   (unsigned)geteuid(), r->env, r->flag_name ? " or pass " : "",
                   r->flag_name ? r->flag_name : "");
        return NULL;
    }
    *source = r->home_src;
    char *d = jt_xasprintf("%s/%s/jouletrace", home, r->home_rel);
    free(home);
    return d;
}
