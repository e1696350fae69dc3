# proof.py: the output proof of a run (docs/design.md "Output proof"). Every
# iteration of a run re-encodes each test's output (codec.encode_text; mode
# command: the program's exit and stdout) and feeds the SHA-256 of that text
# into the test's chain
#     SHA256(nonce || uint32_le(test index) || SHA256(text_1) || ... || SHA256(text_N))
# whose nonce the harness draws afresh for every run. The harness computes
# the same chain from the texts it judged, so a run whose outputs differ from
# the judged ones in any iteration, or that skipped work and replied without
# the outputs, does not match. Nothing here is trusted (the candidate shares
# this process and can patch it): forging a chain needs the judged outputs
# themselves, and a candidate that keeps and replays them is a cache, which
# the harness detects by timing (docs/design.md "Caches").
import hashlib

_sha256 = hashlib.sha256


class Proof:
    __slots__ = ("chains", "baseline", "mismatch", "seen")

    def __init__(self, nonce_hex, baseline):
        nonce = bytes.fromhex(nonce_hex)
        self.chains = [_sha256(nonce + i.to_bytes(4, "little")) for i in range(len(baseline))]
        self.baseline = baseline      # the texts of the first eval pass (diagnostics only)
        self.mismatch = None          # (iteration, test index) of the first difference seen
        self.seen = None              # what that iteration's text was (its head)

    def add(self, iteration, index, text):
        self.chains[index].update(_sha256(text.encode("ascii")).digest())
        if self.mismatch is None and text != self.baseline[index]:
            self.mismatch = (iteration, index)
            self.seen = text[:200]

    def reply(self, reply, test_ids):
        reply["proof"] = [c.hexdigest() for c in self.chains]
        if self.mismatch is not None:
            reply["mismatch"] = {"iteration": self.mismatch[0],
                                 "test_id": test_ids[self.mismatch[1]], "text": self.seen}
        return reply
