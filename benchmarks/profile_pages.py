"""Where a page's time goes: SQL statements per request, CPU time per request, a cProfile summary.

Runs the app in this process (no gunicorn, no network) against an instance that
``benchmarks/run.sh --keep`` left behind, with a learner's cookie from it:

    LMS_INSTANCE_DIR=/tmp/lentera-bench-XXXX/instance LMS_DEMO_MODE=1 \\
      .venv/bin/python benchmarks/profile_pages.py /tmp/lentera-bench-XXXX/cookies.txt \\
      [--pages /kursus,/] [--profile /kursus] [--sql] [--no-compress]

For each page it prints the number of SQL statements one request runs and the CPU time of a
request through the Flask test client (the best of five rounds of ``--requests``, so other
programs on the machine disturb it little; one core serves at most 1000 / ms requests/s). Two
reference rows frame them: the bare Flask app of ``bare_app.py``, and a logged-in request for a
small static file (session, user loading, security headers: the floor of every logged-in page).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event

HERE = Path(__file__).resolve().parent
USER_AGENT = "wrk (Lentera benchmark)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cookies", type=Path, help="cookies.txt of a kept benchmark instance")
    parser.add_argument("--pages", default="/static/js/lentera.js?v=1,/kursus,/kursus/KPP-101,/")
    parser.add_argument("--requests", type=int, default=200, help="requests per round (200)")
    parser.add_argument("--profile", help="a page to profile with cProfile")
    parser.add_argument("--no-compress", action="store_true", help="send no Accept-Encoding")
    parser.add_argument("--sql", action="store_true", help="print each page's SQL statements")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    import bare_app

    from lms import create_app
    from lms.extensions import db

    app = create_app()
    cookie = args.cookies.read_text().splitlines()[0]
    name, _eq, value = cookie.partition("=")
    client = app.test_client()
    client.set_cookie(name, value, domain="localhost")
    headers = {"User-Agent": USER_AGENT}
    if not args.no_compress:
        headers["Accept-Encoding"] = "br, gzip"

    def cpu_ms(test_client: Any, page: str) -> float:
        rounds = []
        for _ in range(5):
            start = time.process_time()
            for _ in range(args.requests):
                test_client.get(page, headers=headers)
            rounds.append((time.process_time() - start) / args.requests * 1000)
        return min(rounds)

    bare = bare_app.app.test_client()
    for _ in range(50):
        bare.get("/")
    per = cpu_ms(bare, "/")
    print(f"{'bare Flask /':32s}  0 SQL  {per:6.2f} ms CPU/request (~{1000 / per:5.0f} req/s/core)")

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args):  # noqa: ANN001
        statements.append(statement)

    for page in args.pages.split(","):
        response = client.get(page, headers=headers)
        if response.status_code != 200:
            print(f"{page}: {response.status_code}", file=sys.stderr)
            return 1
        for _ in range(30):  # warm caches: templates, compiled SQL, translations
            response = client.get(page, headers=headers)
        statements.clear()
        client.get(page, headers=headers)
        queries = len(statements)
        kinds = dict(Counter(s.split()[0].upper() for s in statements))
        if args.sql:
            for statement in statements:
                print("   ", " ".join(statement.split())[:160])
        per = cpu_ms(client, page)
        encoding = response.headers.get("Content-Encoding", "identity")
        print(
            f"{page:32s} {queries:2d} SQL  {per:6.2f} ms CPU/request (~{1000 / per:5.0f} "
            f"req/s/core)  {len(response.data)} bytes {encoding}  {kinds}"
        )
        response.close()

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(args.profile, headers=headers)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
