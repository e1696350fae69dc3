/* pyrun's private parts, shared by pyrun.c (the child, its commands and
 * verdicts), pyrun_eval.c (eval passes, the judge, outputs), pyrun_proof.c
 * (the output proof of runs) and pyrun_setup.c (the messages); not part of
 * the public API. */
#ifndef JT_EXEC_PYRUN_PRIV_H
#define JT_EXEC_PYRUN_PRIV_H

#include <jansson.h>
#include <stdbool.h>

#include "jouletrace/child.h"
#include "jouletrace/common.h"
#include "jouletrace/cpuacct.h"
#include "jouletrace/pyrun.h"

/* The version of the runner protocol (runners/main.py, PROTOCOL): sent in
 * the setup command and expected back in its reply
 * (docs/design.md "Runner protocol"). Bump both with any change to a command or a reply. */
#define JT_PYRUN_PROTOCOL 3

/* Bytes of the nonce of one run's output proof. */
#define JT_PROOF_NONCE_BYTES 16

struct jt_pyrun {
    jt_child child;
    double timeout;
    long memory_limit_mb;
    size_t n_tests;
    bool script;        /* mode script: judged in the candidate's process, no proof */
    bool command;       /* mode command */
    bool floor;         /* the harness floor: eval passes are not judged */
    bool judge_mode;    /* this child is a judge (no candidate code) */
    bool running;       /* run_begin sent a command that run_end has not collected */
    double run_deadline;
    double run_t0;      /* harness clock when the run command went out */
    double load_seconds; /* harness clock: start, setup and tests */
    unsigned char nonce[JT_PROOF_NONCE_BYTES]; /* of the pending run */
    jt_cpuacct *acct;   /* the child's tree CPU, from outside; NULL: acct_error */
    char *acct_error;
    bool done;          /* a final verdict is known; the child is gone */
    jt_verdict verdict; /* when done */
    char *reason;
    char *traceback;
    /* What was judged: the texts of the first eval pass (or of the baseline
     * given), and their SHA-256, one per test; NULL until then. */
    char **texts;
    unsigned char (*digests)[32];
    size_t passes;      /* eval passes done */
    jt_verdict first_verdict; /* of the judged pass */
    size_t first_passed;
    /* The judge (started at the first judged pass) and what it is set up
     * with; judge_setup is NULL for the floor, mode script and references. */
    jt_pyrun *judge;
    json_t *judge_setup;
    jt_pyrun_config judge_cfg; /* how to start it: only the fields below are set */
    char *judge_python, *judge_user;
    json_t *test_cases; /* a copy, for jt_pyrun_outputs (expected exit statuses) */
};

/* pyrun.c */
void jt_pyrun_finish_(jt_pyrun *r, jt_verdict v, jt_child_end why, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
json_t *jt_pyrun_exchange_(jt_pyrun *r, json_t *msg, const char *phase, double deadline,
                           bool send, bool recv);
void jt_pyrun_refused_(jt_pyrun *r, const json_t *reply, jt_verdict candidate_verdict,
                       const char *phase);
double jt_pyrun_deadline_(const jt_pyrun *r);
int jt_pyrun_start_judge_(const jt_pyrun_config *cfg, json_t *setup, jt_pyrun **out,
                          jt_err *err);

/* pyrun_setup.c: the messages; NULL with err set when the config is
 * unusable. A code that is not UTF-8 is the candidate's problem: *code_ok =
 * false. The tests message holds no expected output (docs/design.md
 * "Judging"); the floor's holds them as floor_output. */
json_t *jt_pyrun_setup_message_(const jt_pyrun_config *cfg, bool *code_ok, jt_err *err);
/* The host directories the private root must show for the interpreter, the
 * command's program and the build's, where they live outside /usr, /bin,
 * /lib* (jt_child_tool_dir): up to 3 into dirs (caller frees each). */
size_t jt_pyrun_tool_dirs_(const jt_pyrun_config *cfg, const char *python, char *dirs[3]);
json_t *jt_pyrun_tests_message_(const jt_pyrun_config *cfg);
json_t *jt_pyrun_judge_message_(const jt_pyrun_config *cfg);

/* pyrun_proof.c */
void jt_proof_digest_(const char *text, unsigned char out[32]);
/* Fills r->nonce from the kernel's random source; -1 with err set. */
int jt_proof_new_nonce_(jt_pyrun *r, jt_err *err);
/* The nonce as hex into hex[2 * JT_PROOF_NONCE_BYTES + 1]. */
void jt_proof_nonce_hex_(const jt_pyrun *r, char *hex);
/* Checks a run reply's proof against the judged digests for `iterations`
 * iterations: 0, or -1 with the first test whose chain differs in *bad
 * (and err saying where). */
int jt_proof_check_(const jt_pyrun *r, const json_t *reply, uint64_t iterations, size_t *bad,
                    jt_err *err);

/* pyrun_eval.c */
void jt_pyrun_forget_(jt_pyrun *r); /* frees texts, digests, judge */

#endif
