"""Validation figures: objects per second per profile, against json.loads of the same text.

Run: python bench/validate.py [PATH ...]   (default: the bundled examples, and ../shared/recordings/real)
Prints figures only; nothing here asserts a time.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import runcore
from runcore._check._paths import inputs
from runcore._check._records import Document
from runcore._contract._schemas import _validator, validator

ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    paths = sys.argv[1:] or [str(ROOT / "examples" / "valid")] + [
        str(p) for p in [ROOT.parent / "shared" / "recordings" / "real"] if p.is_dir()
    ]
    docs = [
        d
        for _, read in inputs(paths)
        for d in read
        if isinstance(d, Document) and d.problem is None
    ]
    texts = [json.dumps(d.value) for d in docs]
    size = sum(len(t) for t in texts)
    print(f"{len(docs)} documents, {size / 1e3:.0f} kB of JSON from {', '.join(paths)}")

    start = time.perf_counter()
    _validator.cache_clear()
    for kind in runcore.KINDS:
        for profile in runcore.PROFILES:
            validator(kind, profile)
    print(
        f"building all {len(runcore.KINDS) * 2} validators once: {(time.perf_counter() - start) * 1e3:.1f} ms"
    )

    parse = best_of(5, lambda: [json.loads(t) for t in texts])
    print(
        f"json.loads:                    {len(docs) / parse:10.0f} docs/s  ({size / parse / 1e6:.1f} MB/s)"
    )
    for label, options in [
        ("validate observed", {}),
        ("validate spec", {"profile": "spec"}),
        ("validate observed --strict", {"strict": True}),
        ("schema only (no invariants)", {"invariants": False}),
    ]:
        took = best_of(
            5, lambda options=options: [runcore.validate(d.value, **options) for d in docs]
        )
        print(f"{label:30} {len(docs) / took:10.0f} docs/s  ({took / parse:.1f}x json.loads)")


if __name__ == "__main__":
    main()
