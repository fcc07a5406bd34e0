"""Instructions per request of the learner pages: a measure other programs on the machine do not
disturb, for comparing two versions of the code on a busy machine.

CPU time per request (``profile_pages.py``) swings by ±25 % when other jobs share the two cores;
the number of machine instructions a request executes does not. Valgrind's cachegrind counts
them: each page is requested in one process ``--requests`` times after a warm-up and in another
zero times, and the difference, divided by ``--requests``, is one request's instructions (the
start-up, identical in both, cancels out). Runs the app in-process, as ``profile_pages.py`` does,
against an instance that ``benchmarks/run.sh --keep`` left behind:

    LMS_INSTANCE_DIR=/tmp/lentera-bench-XXXX/instance LMS_DEMO_MODE=1 \\
      .venv/bin/python benchmarks/instructions.py /tmp/lentera-bench-XXXX/cookies.txt \\
      [--pages /,/kursus,/kursus/KPP-101] [--requests 40]

Needs valgrind (Debian: ``apt-get install valgrind``); each page takes about a minute.
Instructions are not time: compare versions with them, and read throughput from ``run.sh``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
USER_AGENT = "wrk (Lentera benchmark)"
WARM_UP = 20


def serve(cookies: Path, page: str, requests: int) -> None:
    """Inside valgrind: warm up, then request ``page`` ``requests`` times."""
    from lms import create_app

    app = create_app()
    name, _eq, value = cookies.read_text().splitlines()[0].partition("=")
    client = app.test_client()
    client.set_cookie(name, value, domain="localhost")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "br, gzip"}
    for _ in range(WARM_UP):
        response = client.get(page, headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"{page}: {response.status_code}")
    for _ in range(requests):
        client.get(page, headers=headers)


def instructions(cookies: Path, page: str, requests: int) -> int:
    """The instructions a process serving ``page`` ``requests`` times executes in all."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind not found: apt-get install valgrind")
    result = subprocess.run(  # noqa: S603 - valgrind running our own interpreter and script
        [
            valgrind,
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--serve",
            str(cookies),
            page,
            str(requests),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cookies", type=Path, help="cookies.txt of a kept benchmark instance")
    parser.add_argument("--pages", default="/,/kursus,/kursus/KPP-101")
    parser.add_argument("--requests", type=int, default=40, help="requests measured (40)")
    args = parser.parse_args()
    for page in args.pages.split(","):
        idle = instructions(args.cookies, page, 0)
        busy = instructions(args.cookies, page, args.requests)
        per = (busy - idle) / args.requests
        print(f"{page:32s} {per / 1e6:6.2f} M instructions/request", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
