def primes_below(n):
    """Trial division by every smaller number: correct, and slow on purpose."""
    out = []
    for k in range(2, n):
        if all(k % d for d in range(2, k)):
            out.append(k)
    return out
