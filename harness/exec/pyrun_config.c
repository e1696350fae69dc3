/* A test set's child configuration (pyrun_config.h). */
#include "jouletrace/pyrun_config.h"

#include <string.h>

void jt_pyrun_config_for(const jt_test_set *ts, const jt_options *o, const char *code,
                         const char *filename, const char *fn, int cpu, const char *user,
                         jt_pyrun_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->python = o->python;
    cfg->code = code;
    cfg->filename = filename;
    cfg->function_name = fn ? fn : ts->function_name;
    cfg->mode = ts->mode;
    cfg->test_cases = ts->test_cases;
    cfg->float_tolerance = o->float_tolerance;
    cfg->timeout_seconds = o->timeout_seconds;
    cfg->memory_limit_mb = o->memory_limit_mb;
    cfg->cpu = cpu;
    cfg->judge_cpu = cpu;
    cfg->sandbox_user = user;
    cfg->comparator = ts->comparator;
    cfg->atol = ts->atol;
    cfg->rtol = ts->rtol;
    cfg->checker_code = ts->checker_code;
    cfg->setup_code = ts->setup_code;
    cfg->convert_code = ts->convert_code;
    cfg->prelude = ts->prelude;
    cfg->reload_per_iteration = o->reload_per_iteration;
}
