/* fnv — the 64-bit FNV-1a hash (Fowler, Noll, Vo), on uint64_t so every
 * platform gets the same value. Not a cryptographic hash (sha256.c is).
 *
 * jt_fnv1a is the standard function (tests/test_util.c pins it to the
 * published FNV-1a 64 test vectors). jt_id_hash is what JouleTrace's output
 * depends on — the shard a candidate lands in (`run --shard K/N`), the
 * per-candidate trial seed, the report's bootstrap seeds — and must never
 * change: it runs the same FNV-1a steps from JouleTrace's own start value
 * JT_ID_HASH_BASIS, 1469598103934665603, the standard offset basis
 * 14695981039346656037 with its last digit lost. Every release so far used
 * it; the standard basis would move candidates to other shards and change
 * every seeded confidence interval, so the historic one stays. */
#ifndef JOULETRACE_FNV_H
#define JOULETRACE_FNV_H

#include <stddef.h>
#include <stdint.h>

#define JT_FNV1A_OFFSET UINT64_C(0xcbf29ce484222325) /* FNV-1a of no bytes */
#define JT_FNV1A_PRIME UINT64_C(0x100000001b3)
#define JT_ID_HASH_BASIS UINT64_C(1469598103934665603) /* see above */

/* Continues hash h (JT_FNV1A_OFFSET or JT_ID_HASH_BASIS to start) over
 * data[0..len). */
uint64_t jt_fnv1a_add(uint64_t h, const void *data, size_t len);
/* Continues h over the bytes of s, without its NUL. */
uint64_t jt_fnv1a_adds(uint64_t h, const char *s);
/* Standard FNV-1a of the string s: jt_fnv1a_adds(JT_FNV1A_OFFSET, s). */
uint64_t jt_fnv1a(const char *s);
/* JouleTrace's hash of an id: jt_fnv1a_adds(JT_ID_HASH_BASIS, s). */
uint64_t jt_id_hash(const char *s);

#endif
