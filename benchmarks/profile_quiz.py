"""Where a quiz request's time goes: SQL statements, wall and CPU time in-process, a cProfile.

Builds the exam of ``benchmarks/quiz_exam.py`` in its PostgreSQL database (emptied first), then
plays learners one after the other through the Flask test client in this process (no gunicorn,
no network): start, an answer to every question, submit. For each kind of request it prints the
SQL statements one request sends, the median wall and CPU time of this process (and the 10th
percentile of the CPU time, steadier on a shared machine), and the mean CPU time of the
PostgreSQL backend serving it (from /proc, in clock ticks summed over all requests of a kind; one
pooled connection serves them all). ``--profile start`` (or save, submit) prints a cProfile of
that kind of request (CPU time).

    .venv/bin/python benchmarks/profile_quiz.py [--learners 40] [--profile submit] [--sql]
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quiz_exam import DEFAULT_DB, answer_for, build_instance  # noqa: E402


def p10(values: list[float]) -> float:
    """The 10th percentile: what a request costs when nothing else disturbs it."""
    return sorted(values)[len(values) // 10]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40, help="learners in turn (40)")
    parser.add_argument("--database-url", default=DEFAULT_DB, help="emptied first!")
    parser.add_argument("--profile", choices=["start", "save", "submit"], help="cProfile a kind")
    parser.add_argument("--sql", action="store_true", help="print each kind's SQL statements")
    parser.add_argument("--dump", type=Path, help="also write the cProfile data (pstats) here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lentera-profile-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    env, exam = build_instance(tmp, args.database_url, args.learners, 0)
    os.environ.update(env)

    import random

    from lms import create_app
    from lms.extensions import db

    app = create_app()
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with app.app_context():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.rollback()  # the connection goes back to the pool, and requests reuse it
    stat = Path(f"/proc/{backend}/stat")
    ticks = os.sysconf("SC_CLK_TCK")
    pg_cpu: dict[str, float] = defaultdict(float)
    rng = random.Random(1)  # noqa: S311
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    sql: dict[str, list[str]] = {}
    profiler = cProfile.Profile(time.process_time)  # CPU time: waiting on PostgreSQL is not ours

    def pg_seconds() -> float:
        """CPU seconds of the PostgreSQL backend serving this process (one pooled connection)."""
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    warm = max(1, args.learners // 10)  # the first learners warm caches up: not profiled
    current = [0]  # the learner playing now

    def timed(kind: str, method: str, url: str, token: str, payload: Any = None) -> Any:
        statements.clear()
        profiled = kind == args.profile and current[0] >= warm
        if profiled:
            profiler.enable()
        pg = pg_seconds()
        w, c = time.perf_counter(), time.process_time()
        response = client.open(
            url,
            method=method,
            json=payload,
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "br, gzip"},
        )
        wall[kind].append((time.perf_counter() - w) * 1000)
        cpu[kind].append((time.process_time() - c) * 1000)
        pg_cpu[kind] += pg_seconds() - pg
        if profiled:
            profiler.disable()
        sql[kind] = list(statements)
        assert response.status_code in (200, 201), (kind, response.status_code, response.data)
        return response

    quiz = exam["quiz_id"]
    for number, learner in enumerate(exam["learners"]):
        current[0] = number
        token = learner["token"]
        started = timed("start", "POST", f"/api/v1/quizzes/{quiz}/attempts", token)
        body = started.get_json() if not started.headers.get("Content-Encoding") else None
        if body is None:  # compressed: ask again without compression (a resume)
            body = client.post(
                f"/api/v1/quizzes/{quiz}/attempts", headers={"Authorization": f"Bearer {token}"}
            ).get_json()
        for question in body["questions"]:
            timed(
                "save",
                "PUT",
                f"/api/v1/attempts/{body['id']}/answers/{question['slot']}",
                token,
                {"answer": answer_for(question, rng)},
            )
        timed("submit", "POST", f"/api/v1/attempts/{body['id']}/submit", token)

    skip = max(1, args.learners // 10)  # the first learners warm caches up
    print(f"\n{args.learners} learners, the first {skip} not counted; median ms per request")
    for kind in ("start", "save", "submit"):
        n = skip * (len(wall[kind]) // args.learners)
        kinds = dict(Counter(s.split()[0].upper() for s in sql[kind]))
        print(
            f"{kind:7s} {len(sql[kind]):3d} SQL {kinds}  "
            f"wall {statistics.median(wall[kind][n:]):6.2f}"
            f"  CPU {statistics.median(cpu[kind][n:]):6.2f} (p10 {p10(cpu[kind][n:]):5.2f})"
            f"  PostgreSQL CPU (mean, all) {pg_cpu[kind] * 1000 / len(wall[kind]):6.2f}"
        )
        if args.sql:
            for statement in sql[kind]:
                print("   ", " ".join(statement.split())[:200])
    if args.profile:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(50)
        stats.sort_stats("tottime").print_stats(30)
        if args.dump:
            profiler.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
