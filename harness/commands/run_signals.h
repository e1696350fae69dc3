/* run_signals — how `run` (and `measure`, `calibrate`) is ended by a signal: SIGINT, SIGTERM and SIGHUP
 * all set one flag (the engine kills the measured child at once and stops),
 * and the run then writes its reports, marks run.json "interrupted" and
 * exits 5. A second signal only sets the flag again: the report writes are
 * never cut short. Installed before the run writes anything, so no signal
 * leaves a half-written file; one that was pending (blocked by the parent)
 * is delivered right after installation. A signal the parent ignores
 * (nohup's SIGHUP) stays ignored. Internal to harness/commands/. */
#ifndef JT_RUN_SIGNALS_H
#define JT_RUN_SIGNALS_H

#include <signal.h>

/* Installs the handlers and unblocks the three signals. */
void jt_run_signals_install(void);
/* The flag the handlers set (what jt_engine.stop points to). */
volatile sig_atomic_t *jt_run_signals_flag(void);

#endif
