def primes_below(n):
    """Includes n itself when n is prime: wrong for n = 2."""
    return [k for k in range(2, n + 1) if all(k % d for d in range(2, int(k ** 0.5) + 1))]
