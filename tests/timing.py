"""The one way the tests bound how time grows: time a call on an input and on one twice its size.

A helper for the tests, not a test module. Linear work takes about twice as long on twice the input,
quadratic work about four times as long: a bound of 3 tells them apart with room for a busy machine.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

BOUND = 3.0
ROUNDS = 5  # each time is the best of this many samples
ATTEMPTS = 3  # a ratio over the bound is measured again, up to this many times in all
SAMPLE = 0.02  # seconds: a sample repeats the call until the smaller input takes about this long


def assert_time_linear(work: Callable[[int], Callable[[], object]], size: int) -> None:
    """Fail unless the call ``work(2 * size)`` takes less than BOUND times as long as ``work(size)``.

    ``work(n)`` prepares an input of size ``n`` (not timed) and returns the call to time on it. The
    samples of the two sizes are taken in turn, each after a garbage collection, so that a burst of
    load slows both; a ratio over the bound is measured again before the test fails (ATTEMPTS).
    Noise only lengthens a sample, so the best of five is near the true time and a quadratic call is
    near 4 in every attempt.
    """
    small, large = work(size), work(2 * size)
    repeats = _repeats(small)
    measured = []
    for _ in range(ATTEMPTS):
        times = _best_times(small, large, repeats)
        measured.append(times)
        if times[1] / times[0] < BOUND:
            return
    described = ", then ".join(
        f"{b / a:.2f} ({a / repeats * 1e3:.2f} ms on {size}, {b / repeats * 1e3:.2f} ms on {2 * size})"
        for a, b in measured
    )
    raise AssertionError(
        f"doubling the input multiplied the time by {described}, each time the best of {ROUNDS}; "
        f"linear work stays under {BOUND:g}, quadratic is near 4"
    )


def _repeats(call: Callable[[], object]) -> int:
    """How many calls make a sample of about SAMPLE seconds (the first call also warms caches)."""
    call()
    start = time.perf_counter()
    call()
    return max(1, math.ceil(SAMPLE / max(time.perf_counter() - start, 1e-9)))


def _best_times(
    small: Callable[[], object], large: Callable[[], object], repeats: int
) -> tuple[float, float]:
    best = [math.inf, math.inf]
    for _ in range(ROUNDS):
        for which, call in enumerate((small, large)):
            gc.collect()
            start = time.perf_counter()
            for _ in range(repeats):
                call()
            best[which] = min(best[which], time.perf_counter() - start)
    return best[0], best[1]
