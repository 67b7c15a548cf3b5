"""PII scrubber speed on its worst case: one long run of Hangul with no spaces.

    .venv/bin/python bench/pii.py [--rounds 3]

Each size is a seeded random run of Hangul syllables (surnames, 로/길/동 and honorific syllables
included, so every pattern gets to try), scrubbed whole by ``generation.pii.scrub``; the best of
``--rounds`` is kept. A linear scrubber doubles its time when the text doubles, so the last column,
time against the 10k run scaled by size, stays near 1.0; a quadratic one grows 2x per doubling.
Last line: ``pii scrub_40k_ms=<n> growth_40k_vs_10k=<x.xx>`` (growth = t40k / (4 x t10k)).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 20_000, 40_000)


def hangul_run(size: int) -> str:
    rng = random.Random(size)
    return "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(size))


def best_ms(text: str, rounds: int) -> float:
    from generation.pii import scrub

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        scrub(text)
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    sys.path.insert(0, str(ROOT))
    timings = {size: best_ms(hangul_run(size), rounds) for size in SIZES}
    base = timings[SIZES[0]]
    print(f"{'chars':>7} {'scrub ms':>9} {'us/char':>8} {'vs 10k, per char':>17}")
    for size, ms in timings.items():
        print(f"{size:>7} {ms:>9.1f} {ms * 1000 / size:>8.2f} {ms / (base * size / SIZES[0]):>17.2f}")
    growth = timings[40_000] / (4 * base)
    print(f"pii scrub_40k_ms={timings[40_000]:.0f} growth_40k_vs_10k={growth:.2f}")


if __name__ == "__main__":
    main()
