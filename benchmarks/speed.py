"""How fast this machine is right now: a reference beside every benchmark result.

The virtual machines these benchmarks run on change speed from hour to hour (the same code gave
2.2 times the requests per second sixteen minutes apart, with nothing else running). A fixed
amount of work, timed in CPU time just before a measurement, tells a slow hour from slow code:

    .venv/bin/python benchmarks/speed.py

Two figures, lower is faster: a pure-Python loop (the interpreter, in the CPU's own caches) and
one scrypt hash with Werkzeug's password parameters (32 MiB of memory: memory bandwidth, which
a busy neighbour on the same host slows down, and which the pages and the quiz depend on more
than the loop does). Results measured at different speeds compare only with that in mind.
"""

from __future__ import annotations

import hashlib
import time


def python_seconds(additions: int = 10_000_000) -> float:
    """CPU seconds this process needs for ``additions`` integer additions in a Python loop
    inside a function (local variables; the same loop at module level takes 2–3 times as long)."""
    start = time.process_time()
    total = 0
    for number in range(additions):
        total += number
    return round(time.process_time() - start, 2)


def scrypt_ms() -> float:
    """CPU milliseconds of one scrypt hash with Werkzeug's default password parameters
    (N = 2**15, r = 8, p = 1: 32 MiB), the work of every password check at login."""
    start = time.process_time()
    hashlib.scrypt(b"reference", salt=b"lentera-speed-16", n=2**15, r=8, p=1, maxmem=64 << 20)
    return round((time.process_time() - start) * 1000, 1)


def reference() -> dict[str, float]:
    """Both figures: ``{"python_s": ..., "scrypt_ms": ...}``."""
    return {"python_s": python_seconds(), "scrypt_ms": scrypt_ms()}


def describe(ref: dict[str, float]) -> str:
    """The reference as the reports print it."""
    return f"{ref.get('python_s', 0):.2f} s loop · {ref.get('scrypt_ms', 0):.0f} ms scrypt"


if __name__ == "__main__":
    print(
        "speed reference (lower is faster): 10 million Python additions and one scrypt hash: "
        + describe(reference())
    )
