/* The output proof of a run (docs/design.md "Output proof"): the nonce the
 * harness draws for each run, and the check of the chains the runner sends
 * back against the texts that were judged. Per test i:
 *     SHA256(nonce || uint32_le(i) || D || D || ... || D)   (D N times)
 * where D = SHA256(the judged text of test i) and N the run's iterations;
 * the runner hashes the text each iteration actually produced
 * (runners/proof.py). The check costs N 32-byte updates per test, outside
 * the measured window. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "exec/pyrun_priv.h"
#include "jouletrace/fsutil.h"

void jt_proof_digest_(const char *text, unsigned char out[32])
{
    jt_sha256 c;
    jt_sha256_init(&c);
    jt_sha256_update(&c, text, strlen(text));
    jt_sha256_final(&c, out);
}

int jt_proof_new_nonce_(jt_pyrun *r, jt_err *err)
{
    size_t got = 0;
    while (got < sizeof r->nonce) {
        ssize_t n = getrandom(r->nonce + got, sizeof r->nonce - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return jt_err_set(err, "pyrun: getrandom: %s", strerror(errno));
        got += (size_t)n;
    }
    return 0;
}

void jt_proof_nonce_hex_(const jt_pyrun *r, char *hex)
{
    for (size_t i = 0; i < sizeof r->nonce; i++) sprintf(hex + 2 * i, "%02x", r->nonce[i]);
}

/* The chain test i must have after `iterations` iterations, as hex. */
static void expected_chain(const jt_pyrun *r, size_t i, uint64_t iterations, char hex[65])
{
    jt_sha256 c;
    jt_sha256_init(&c);
    jt_sha256_update(&c, r->nonce, sizeof r->nonce);
    unsigned char idx[4] = {(unsigned char)i, (unsigned char)(i >> 8), (unsigned char)(i >> 16),
                            (unsigned char)(i >> 24)};
    jt_sha256_update(&c, idx, sizeof idx);
    for (uint64_t k = 0; k < iterations; k++) jt_sha256_update(&c, r->digests[i], 32);
    jt_sha256_hex(&c, hex);
}

int jt_proof_check_(const jt_pyrun *r, const json_t *reply, uint64_t iterations, size_t *bad,
                    jt_err *err)
{
    const json_t *proof = json_object_get(reply, "proof");
    if (!r->digests) return jt_err_set(err, "no output was judged before this run");
    if (!json_is_array(proof) || json_array_size(proof) != r->n_tests) {
        *bad = 0;
        return jt_err_set(err, "the runner sent no output proof for %zu tests", r->n_tests);
    }
    for (size_t i = 0; i < r->n_tests; i++) {
        const char *got = json_string_value(json_array_get(proof, i));
        char want[65];
        expected_chain(r, i, iterations, want);
        if (!got || strcmp(got, want)) {
            *bad = i;
            return jt_err_set(err, "the outputs differ from the judged ones");
        }
    }
    return 0;
}
