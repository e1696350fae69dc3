/* host — the fingerprint of the measuring host that explains noise and
 * decides whether a calibration still applies: CPU model, microcode, kernel,
 * governor, turbo, SMT, isolcpus/nohz_full, irqbalance, ASLR, measurement and
 * housekeeping CPUs. Taken at the start and the end of every run (run.json)
 * and stored in every calibration.
 *
 * Values are strings as read ("unknown" when unreadable) so that reports
 * print them verbatim. Ownership: returned JSON values are new references. */
#ifndef JOULETRACE_HOST_H
#define JOULETRACE_HOST_H

#include <jansson.h>

#include "jouletrace/topology.h"

json_t *jt_host_fingerprint(const jt_topology *t);

/* One warning string per key whose value differs between a and b (keys in
 * either), e.g. "governor changed during the run: performance -> powersave". */
json_t *jt_host_diff(const json_t *a, const json_t *b, const char *when);

/* Warnings about settings that add variance (governor not performance, turbo
 * on, ASLR on, irqbalance running), as an array of strings. */
json_t *jt_host_advice(const json_t *fp);

#endif
