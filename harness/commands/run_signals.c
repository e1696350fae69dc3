/* The signals that end a run (run_signals.h). */
#include "commands/run_signals.h"

#include <stddef.h>

/* A signal handler can only reach a global: this is the one flag it sets. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const int ending_signals[] = {SIGINT, SIGTERM, SIGHUP};

void jt_run_signals_install(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof ending_signals / sizeof ending_signals[0]; i++) {
        /* every one of them is held off while any handler runs */
        sigaddset(&sa.sa_mask, ending_signals[i]);
        sigaddset(&set, ending_signals[i]);
    }
    for (size_t i = 0; i < sizeof ending_signals / sizeof ending_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(ending_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(ending_signals[i], &sa, NULL);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

volatile sig_atomic_t *jt_run_signals_flag(void)
{
    return &interrupted;
}
