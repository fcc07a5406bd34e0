"""Reports at province scale: the HR dashboard, the completion report, the report API and a
50,000-row XLSX export on PostgreSQL, next to the same SQL run directly in psql.

Called by ``bash benchmarks/reports.sh`` (see docs/BENCHMARKS.md, *Reports at province scale*).
It needs the generated dataset in its own PostgreSQL database (never the test suite's ``test``):

    createdb -h 127.0.0.1 -U postgres lentera_province
    export FLASK_APP=lms LMS_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lentera_province
    .venv/bin/flask db upgrade && .venv/bin/flask lms seed-demo
    .venv/bin/flask lms generate-dataset --employees 50000 --courses 200 --today 2026-11-30

In one run it

1. counts the dataset and picks the filters: the year of the history's last day, the year
   before, a large unit (the Dinas Pendidikan with its sub-units), a seksi, a mandatory course,
   a golongan, a position, a quarter; and for the export the filter closest above 50,000 rows;
2. in-process (the Flask test client, no HTTP): every page and API call once per filter to
   check it answers 200 and to count its SQL statements; the report functions of
   ``lms.reports.queries`` / ``pages`` timed one by one (median of ``--repeat``), and the SQL
   they send captured as literal SQL (``query.compile(dialect=postgresql.dialect(),
   compile_kwargs={"literal_binds": True})``);
3. the same SQL in psql: ``\\timing`` (median of ``--repeat`` runs) and ``EXPLAIN (ANALYZE,
   BUFFERS)`` (execution and planning time; the plans are saved beside the results);
4. gunicorn (sync workers, 2 × cores + 1) on 127.0.0.1: the HR user of the generated
   organisation logs in through ``POST /masuk`` (and takes an API token); each page and filter
   gets ``--warmup`` requests, then ``--requests`` requests one after the other: p50/p95/max
   from sending to the last byte, and the worker's own time from the access log (``%(D)s``);
   then the dashboard and the completion report with ``--concurrency`` HR users at once;
5. the export on a one-worker gunicorn: the completion report as XLSX (and CSV) for the
   ~50,000-row filter: time to the first byte and to the last, size, rows (read back with
   openpyxl), and the worker's memory: resident size before, polled every 20 ms during the
   download, and its peak (``VmHWM``);
6. writes ``benchmarks/results/reports.md`` and ``reports.json``, the plans in
   ``benchmarks/results/reports-plans/``.

Only 127.0.0.1 is used; every server it starts is stopped at the end. The CPU used meanwhile by
gunicorn, by PostgreSQL (all its processes) and by everything else is recorded per phase.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/lentera_province"
USER_AGENT = "lentera-report-benchmark/1"
TARGET_P95_MS = 300.0
TARGET_EXPORT_S = 15.0
TARGET_EXPORT_MB = 200.0
EXPORT_ROWS = 50_000
RESULTS = HERE / "results"

sys.path.insert(0, str(ROOT))


# --- small helpers --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(pct(values, 50), 1),
        "p95": round(pct(values, 95), 1),
        "max": round(max(values), 1),
        "mean": round(statistics.fmean(values), 1),
    }


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# --- CPU accounting -------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal


def _tree_and_postgres_ticks(root: int | None) -> tuple[int, int]:
    server = postgres = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat.split(" (", 1)[1].rsplit(")", 1)
        fields = rest.split()
        ticks = int(fields[11]) + int(fields[12])
        if root is not None and (int(entry.name) == root or int(fields[1]) == root):
            server += ticks
        elif comm == "postgres":
            postgres += ticks
    return server, postgres


def _own_seconds() -> float:
    times = os.times()
    return times.user + times.system


@dataclass
class CpuSnapshot:
    wall: float
    busy: int
    server: int
    postgres: int
    own: float
    load: float

    @classmethod
    def take(cls, server_pid: int | None = None) -> CpuSnapshot:
        server, postgres = _tree_and_postgres_ticks(server_pid)
        return cls(time.monotonic(), _busy_ticks(), server, postgres, _own_seconds(), loadavg())

    def until(self, later: CpuSnapshot) -> dict[str, float]:
        """Average cores used in between: all, gunicorn, postgres, this script, the rest."""
        wall = max(1e-6, later.wall - self.wall)
        busy = (later.busy - self.busy) / TICKS / wall
        server = (later.server - self.server) / TICKS / wall
        postgres = (later.postgres - self.postgres) / TICKS / wall
        own = (later.own - self.own) / wall
        return {
            "seconds": round(wall, 1),
            "busy": round(busy, 2),
            "gunicorn": round(server, 2),
            "postgres": round(postgres, 2),
            "benchmark": round(own, 2),
            "other": round(max(0.0, busy - server - postgres - own), 2),
            "load_before": self.load,
            "load_after": later.load,
        }


# --- the app in-process ---------------------------------------------------------------------------


def environment(args: argparse.Namespace, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("LMS_REDIS_URL", "LMS_TEST_DATABASE_URL"):
        env.pop(var, None)
    env.update(
        FLASK_APP="lms",
        LMS_INSTANCE_DIR=str(instance),
        LMS_DATABASE_URL=args.database_url,
        LMS_SECRET_KEY=secrets.token_urlsafe(48),
        LMS_LOGIN_RATE_LIMIT="100000 per minute",
    )
    return env


@dataclass
class Dataset:
    organisation_id: int
    today: date
    counts: dict[str, int]
    filters: dict[str, dict[str, str]]
    api_filters: dict[str, dict[str, str]]
    export: dict[str, Any]


def count_dataset(code: str, today: date) -> Dataset:
    """The dataset's sizes (from the database) and the filters to measure."""
    from sqlalchemy import func, select

    from lms.accounts.models import Employee, Organisation, Position, Unit
    from lms.certificates.models import Certificate
    from lms.competencies.models import EmployeeCompetency, Evidence, ExternalTraining
    from lms.courses.models import Course, Enrollment, LessonProgress
    from lms.extensions import db
    from lms.quizzes.models import Attempt, AttemptSlot, Question
    from lms.reports import queries as q

    org = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise SystemExit(
            f"no organisation {code} in the database: run `flask lms generate-dataset` first "
            "(see the docstring of benchmarks/reports.py)"
        )
    o = org.id
    staff = select(Employee.id).where(Employee.organisation_id == o).scalar_subquery()
    attempts = select(Attempt.id).where(Attempt.employee_id.in_(staff)).scalar_subquery()
    enrolments = select(Enrollment.id).where(Enrollment.employee_id.in_(staff)).scalar_subquery()
    where = {
        "units": Unit.organisation_id == o,
        "positions": Position.organisation_id == o,
        "employees": Employee.organisation_id == o,
        "courses": Course.organisation_id == o,
        "questions": Question.organisation_id == o,
        "enrollments": Enrollment.employee_id.in_(staff),
        "lesson_progress": LessonProgress.enrollment_id.in_(enrolments),
        "attempts": Attempt.employee_id.in_(staff),
        "attempt_slots": AttemptSlot.attempt_id.in_(attempts),
        "evidence": Evidence.employee_id.in_(staff),
        "employee_competencies": EmployeeCompetency.employee_id.in_(staff),
        "external_trainings": ExternalTraining.employee_id.in_(staff),
        "certificates": Certificate.employee_id.in_(staff),
    }
    counts = {
        name: db.session.scalar(select(func.count()).where(condition))
        for name, condition in where.items()
    }
    year = today.year
    unit_id = lambda code_: db.session.scalar(  # noqa: E731
        select(Unit.id).where(Unit.organisation_id == o, Unit.code == code_)
    )
    big = unit_id("DISDIK")
    seksi = db.session.scalar(
        select(Unit.id)
        .where(Unit.organisation_id == o, Unit.code.like("DISDIK-B%-%"))
        .order_by(Unit.code)
        .limit(1)
    )
    course = db.session.scalar(
        select(Course.id).where(Course.organisation_id == o).order_by(Course.code).limit(1)
    )
    course_code = db.session.scalar(select(Course.code).where(Course.id == course))
    position = db.session.scalar(
        select(Position.id).where(Position.organisation_id == o, Position.name == "Guru Ahli Muda")
    )
    filters = {
        "year": {"tahun": str(year)},
        "previous year": {"tahun": str(year - 1)},
        "large unit (Dinas Pendidikan)": {"tahun": str(year), "unit": str(big)},
        "one seksi": {"tahun": str(year), "unit": str(seksi)},
        "mandatory course": {"tahun": str(year), "kursus": str(course)},
        "golongan III/a": {"tahun": str(year), "golongan": "III/a"},
        "position (Guru Ahli Muda)": {"tahun": str(year), "jabatan": str(position)},
        "quarter": {"dari": f"{year}-07-01", "sampai": f"{year}-09-30"},
    }
    api_filters = {
        "year": {"year": str(year)},
        "large unit": {"year": str(year), "unit": "DISDIK"},
        "mandatory course": {"year": str(year), "course": course_code},
        "page 500": {"year": str(year), "page": "500"},
    }
    # the export: the filter whose completion report is closest above EXPORT_ROWS rows
    candidates: list[tuple[int, dict[str, str]]] = []
    for unit_row in db.session.execute(
        select(Unit.id, Unit.code).where(Unit.organisation_id == o, Unit.parent_id.is_(None))
    ):
        for y in (year, year - 1):
            f = q.ReportFilter.for_year(o, y, unit_id=unit_row.id, today=today)
            candidates.append(
                (q.completion_totals(f)["total"], {"tahun": str(y), "unit": str(unit_row.id)})
            )
    for y in (year, year - 1):
        for month in range(1, 13):
            start = date(y, month, 1)
            end = (date(y + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
            if start > today:
                continue
            f = q.ReportFilter(o, start, end, today=today)
            candidates.append(
                (q.completion_totals(f)["total"], {"dari": str(start), "sampai": str(end)})
            )
    above = [c for c in candidates if c[0] >= EXPORT_ROWS] or candidates
    rows, params = min(above, key=lambda c: abs(c[0] - EXPORT_ROWS))
    return Dataset(o, today, counts, filters, api_filters, {"rows": rows, "params": params})


def _as_filter(organisation_id: int, params: dict[str, str], today: date) -> Any:
    from lms.reports import queries as q

    if "dari" in params:
        f = q.ReportFilter(
            organisation_id,
            date.fromisoformat(params["dari"]),
            date.fromisoformat(params["sampai"]),
            today=today,
        )
    else:
        f = q.ReportFilter.for_year(organisation_id, int(params["tahun"]), today=today)
    f.unit_id = int(params["unit"]) if "unit" in params else None
    f.course_id = int(params["kursus"]) if "kursus" in params else None
    f.position_id = int(params["jabatan"]) if "jabatan" in params else None
    f.golongan = params.get("golongan")
    return f


class SqlRecorder:
    """Every statement the app sends while active: literal SQL, driver time (ms)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[dict[str, Any]] = []
        self._pending: list[Any] = []
        self.active = False

    def __enter__(self) -> SqlRecorder:
        from sqlalchemy import event

        event.listen(self.engine, "before_execute", self._before_execute)
        event.listen(self.engine, "before_cursor_execute", self._before_cursor)
        event.listen(self.engine, "after_cursor_execute", self._after_cursor)
        return self

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_execute", self._before_execute)
        event.remove(self.engine, "before_cursor_execute", self._before_cursor)
        event.remove(self.engine, "after_cursor_execute", self._after_cursor)

    def _before_execute(self, _conn: Any, clause: Any, *_args: Any) -> None:
        self._pending.append(clause)

    def _before_cursor(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after_cursor(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        elapsed = (time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())) * 1000
        clause = self._pending.pop(0) if self._pending else None
        self.statements.append({"clause": clause, "sql": statement, "driver_ms": elapsed})

    def reset(self) -> list[dict[str, Any]]:
        found, self.statements, self._pending = self.statements, [], []
        return found


def literal_sql(clause: Any) -> str | None:
    """The statement as psql runs it: every parameter written in."""
    from sqlalchemy.dialects import postgresql

    if clause is None or not hasattr(clause, "compile"):
        return None
    try:
        return str(
            clause.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
    except Exception:
        return None


def in_process(args: argparse.Namespace, data: Dataset, hr_login: str) -> dict[str, Any]:
    """Pages answer 200 (statements counted); report functions timed; their SQL captured."""
    from flask import Flask
    from sqlalchemy import func, select

    from lms import create_app
    from lms.extensions import db
    from lms.reports import pages
    from lms.reports import queries as q

    # what counting costs: never the kept numbers (lms.reports.snapshots) here
    app: Flask = create_app({"LOGIN_RATE_LIMIT": "100000 per minute", "REPORT_SNAPSHOT_MS": -1})
    results: dict[str, Any] = {"pages": {}, "functions": {}, "sql": []}
    with app.app_context():
        client = app.test_client()
        page = client.get("/masuk").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        response = client.post(
            "/masuk",
            data={"login": hr_login, "password": args.password, "csrf_token": token.group(1)},
        )
        if response.status_code != 302:
            raise SystemExit(f"in-process login of {hr_login} failed ({response.status_code})")
        with SqlRecorder(db.engine) as recorder:
            for path in page_paths(data):
                recorder.reset()
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                body = response.get_data()
                statements = recorder.reset()
                results["pages"][path] = {
                    "status": response.status_code,
                    "statements": len(statements),
                    "ms": round(elapsed, 1),
                    "bytes": len(body),
                }
                if response.status_code != 200:
                    print(f"  ! {path}: {response.status_code}", file=sys.stderr)

            def timed(name: str, call: Callable[[], Any]) -> None:
                runs, sql = [], []
                for attempt in range(args.repeat):
                    recorder.reset()
                    started = time.perf_counter()
                    call()
                    runs.append((time.perf_counter() - started) * 1000)
                    if attempt == 0:
                        sql = recorder.reset()
                results["functions"][name] = {
                    "median_ms": round(statistics.median(runs), 1),
                    "best_ms": round(min(runs), 1),
                    "statements": len(sql),
                }
                for n, item in enumerate(sql, start=1):
                    text = literal_sql(item["clause"])
                    if text and text.lstrip().upper().startswith(("SELECT", "WITH")):
                        label = name if len(sql) == 1 else f"{name} [{n}]"
                        results["sql"].append(
                            {"name": label, "sql": text, "driver_ms": round(item["driver_ms"], 1)}
                        )

            from lms.accounts.tree import units_in_tree_order

            f = _as_filter(data.organisation_id, data.filters["year"], data.today)
            tree = units_in_tree_order(data.organisation_id)
            timed("completion_totals", lambda: q.completion_totals(f))
            timed("completion_by_unit", lambda: q.completion_by_unit(f))
            timed("completion_by_course", lambda: q.completion_by_course(f))
            timed("jp_bands", lambda: q.jp_bands(f))
            timed("jp_attainment", lambda: q.jp_attainment(f))
            expiring = q.expiring_certificates(f, days=pages.EXPIRING_DAYS)
            timed(
                "expiring_certificates (count, first 10)",
                lambda: (
                    db.session.scalar(
                        select(func.count()).select_from(expiring.order_by(None).subquery())
                    ),
                    db.session.scalars(expiring.limit(pages.EXPIRING_SHOWN)).all(),
                ),
            )
            timed("largest_gaps", lambda: q.largest_gaps(f))
            timed("dashboard (pages.dashboard)", lambda: pages.dashboard(f, tree))
            timed(
                "completion_rows (page 1 of 25 + count)",
                lambda: (
                    db.session.scalar(
                        select(func.count()).select_from(
                            q.completion_rows(f).order_by(None).subquery()
                        )
                    ),
                    db.session.execute(q.completion_rows(f).limit(25)).all(),
                ),
            )
            timed(
                "completion totals + matrix size (pages.completion_counts)",
                lambda: pages.completion_counts(f),
            )
            timed("completion matrix (pages.matrix)", lambda: pages.matrix(f, 1, 25, 1000))
            unit = _as_filter(
                data.organisation_id, data.filters["large unit (Dinas Pendidikan)"], data.today
            )
            timed("completion_totals, large unit", lambda: q.completion_totals(unit))
            timed("dashboard, large unit", lambda: pages.dashboard(unit, tree))
        db.session.remove()
    return results


def page_paths(data: Dataset) -> list[str]:
    paths = []
    for params in data.filters.values():
        paths.append("/laporan?" + urllib.parse.urlencode(params))
    for params in data.filters.values():
        paths.append("/laporan/penyelesaian?" + urllib.parse.urlencode(params))
    year = data.filters["year"]
    paths += [
        "/laporan/penyelesaian?" + urllib.parse.urlencode({**year, "tampilan": "daftar"}),
        "/laporan/penyelesaian?" + urllib.parse.urlencode({**year, "status": "terlambat"}),
        "/laporan/penyelesaian?"
        + urllib.parse.urlencode({**year, "tampilan": "daftar", "page": "500"}),
    ]
    return paths


# --- psql -----------------------------------------------------------------------------------------


def psql_url(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def psql(url: str, script: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own statement
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url],  # noqa: S607
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip()[:500])
    return result.stdout


def in_psql(args: argparse.Namespace, statements: list[dict[str, Any]], plans: Path) -> None:
    """``\\timing`` of each statement (median of --repeat runs, output discarded) and one
    ``EXPLAIN (ANALYZE, BUFFERS)``, whose plan is saved."""
    url = psql_url(args.database_url)
    shutil.rmtree(plans, ignore_errors=True)  # the plans of this run only
    plans.mkdir(parents=True)
    for n, item in enumerate(statements, start=1):
        sql = item["sql"].rstrip().rstrip(";")
        script = "\\timing on\n\\o /dev/null\n" + f"{sql};\n" * args.repeat
        try:
            output = psql(url, script)
            times = [float(m) for m in re.findall(r"Time: ([\d.]+) ms", output)]
            item["psql_ms"] = round(statistics.median(times), 1) if times else None
            plan = psql(url, f"EXPLAIN (ANALYZE, BUFFERS) {sql};\n")
        except RuntimeError as error:
            item["psql_error"] = str(error)
            continue
        execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
        planning = re.search(r"Planning Time: ([\d.]+) ms", plan)
        item["explain_execution_ms"] = float(execution.group(1)) if execution else None
        item["explain_planning_ms"] = float(planning.group(1)) if planning else None
        name = re.sub(r"[^a-z0-9]+", "-", item["name"].lower()).strip("-")
        path = plans / f"{n:02d}-{name}.txt"
        path.write_text(f"-- {item['name']}\n{sql};\n\n{plan}")
        item["plan_file"] = str(path.relative_to(ROOT))


# --- the server -----------------------------------------------------------------------------------


class Gunicorn:
    """Lentera under gunicorn in its own process group, logging each request's time."""

    def __init__(self, env: dict[str, str], workers: int, tmp: Path, name: str) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.access_log = tmp / f"{name}-access.log"
        self.access_log.touch()
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--timeout",
            "300",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(m)s %(U)s?%(q)s %(s)s %(D)s",
            "--error-logfile",
            str(tmp / f"{name}-error.log"),
            "lms:create_app()",
        ]
        self.process = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    found.append(int(entry.name))
        return found

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.base + "/masuk", timeout=5):  # noqa: S310
                    time.sleep(1.0)
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn on {self.base} not ready after {timeout:.0f} s")

    def log_offset(self) -> int:
        return self.access_log.stat().st_size

    def server_ms(self, begin: int, end: int) -> list[float]:
        with self.access_log.open("rb") as fh:
            fh.seek(begin)
            lines = fh.read(end - begin).decode().splitlines()
        return [int(line.rsplit(" ", 1)[1]) / 1000 for line in lines if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def login(base: str, hr_login: str, password: str) -> str:
    """Log HR in like a browser; the session cookie after the first page."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"{base}/masuk", timeout=60) as response:
        match = _CSRF.search(response.read().decode())
    if not match:
        raise SystemExit("no csrf_token in the /masuk form")
    form = urllib.parse.urlencode(
        {"login": hr_login, "password": password, "csrf_token": match.group(1) or match.group(2)}
    ).encode()
    with opener.open(f"{base}/masuk", data=form, timeout=60) as response:
        response.read()
        if urllib.parse.urlsplit(response.geturl()).path != "/":
            raise SystemExit(f"login of {hr_login} failed (ended at {response.geturl()})")
    cookies = [f"{c.name}={c.value}" for c in jar if c.name == "session"]
    if not cookies:
        raise SystemExit("no session cookie after the login")
    return "; ".join(cookies)


def api_token(base: str, hr_login: str, password: str) -> str:
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/v1/tokens",
        data=json.dumps({"login": hr_login, "password": password, "name": "benchmark"}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.loads(response.read())["token"]


def fetch(base: str, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    """(milliseconds from sending to the last byte, status, bytes)."""
    request = urllib.request.Request(base + path, headers={"User-Agent": USER_AGENT, **headers})  # noqa: S310
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        size, status = len(error.read()), error.code
    return (time.perf_counter() - started) * 1000, status, size


def measure(
    server: Gunicorn, path: str, headers: dict[str, str], warmup: int, count: int
) -> dict[str, Any]:
    for _ in range(warmup):
        fetch(server.base, path, headers)
    begin = server.log_offset()
    client, statuses, sizes = [], set(), set()
    for _ in range(count):
        elapsed, status, size = fetch(server.base, path, headers)
        client.append(elapsed)
        statuses.add(status)
        sizes.add(size)
    time.sleep(0.2)  # the access log line is written after the response
    worker = server.server_ms(begin, server.log_offset())
    return {
        "path": path,
        "client": summary(client),
        "server": summary(worker) if worker else None,
        "statuses": sorted(statuses),
        "bytes": max(sizes),
    }


def concurrent(
    server: Gunicorn, path: str, headers: dict[str, str], users: int, count: int
) -> dict[str, Any]:
    def one(_n: int) -> float:
        return fetch(server.base, path, headers)[0]

    with ThreadPoolExecutor(users) as pool:
        times = list(pool.map(one, range(count)))
    return {"path": path, "users": users, "client": summary(times)}


# --- the export -----------------------------------------------------------------------------------


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(match.group(1)) if match else 0


@contextlib.contextmanager
def polling(pid: int, every: float = 0.02) -> Iterator[list[int]]:
    samples: list[int] = []
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                samples.append(rss_kib(pid))
            stop.wait(every)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield samples
    finally:
        stop.set()
        thread.join()


def export(server: Gunicorn, path: str, cookie: str, out: Path, kind: str) -> dict[str, Any]:
    [worker] = server.workers()
    before = rss_kib(worker)
    hwm_before = rss_kib(worker, "VmHWM")
    request = urllib.request.Request(  # noqa: S310
        server.base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT}
    )
    with polling(worker) as samples:
        started = time.perf_counter()
        first = None
        size = 0
        with urllib.request.urlopen(request, timeout=600) as response, out.open("wb") as fh:  # noqa: S310
            while chunk := response.read(256 * 1024):
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
                fh.write(chunk)
        total = time.perf_counter() - started
    hwm_after = rss_kib(worker, "VmHWM")
    if kind == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(out, read_only=True)
        rows = sum(1 for _row in workbook.active.iter_rows(values_only=True)) - 1
        workbook.close()
    else:
        with out.open(encoding="utf-8-sig") as fh:
            rows = sum(1 for _line in fh) - 1
    return {
        "path": path,
        "kind": kind,
        "rows": rows,
        "bytes": size,
        "first_byte_s": round(first or total, 2),
        "total_s": round(total, 2),
        "rss_before_mb": round(before / 1024, 1),
        "rss_peak_polled_mb": round(max(samples or [before]) / 1024, 1),
        "hwm_before_mb": round(hwm_before / 1024, 1),
        "hwm_after_mb": round(hwm_after / 1024, 1),
    }


# --- report ---------------------------------------------------------------------------------------


def machine(database_url: str) -> dict[str, Any]:
    import sqlalchemy as sa

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        version = connection.exec_driver_sql("SHOW server_version").scalar()
        settings = dict(
            connection.exec_driver_sql(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name IN "
                "('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', "
                "'max_parallel_workers_per_gather', 'random_page_cost')"
            ).all()
        )
        size = connection.exec_driver_sql(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).scalar()
    engine.dispose()
    commit = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": version,
        "postgresql_settings": settings,
        "database_size": size,
        "commit": commit,
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["machine"]
    lines = [
        f"# Reports at province scale — {r['started']}",
        "",
        f"{m['nproc']} × {m['cpu']} · Python {m['python']} · PostgreSQL {m['postgresql']} "
        f"({', '.join(f'{k}={v}' for k, v in m['postgresql_settings'].items())}) · database "
        f"{m['database_size']} · commit {m['commit']}",
        "",
        "## Dataset (counted in the database, organisation " + r["organisation"] + ")",
        "",
        "| table | rows |",
        "| --- | ---: |",
        *[f"| {k} | {v:,} |" for k, v in r["counts"].items()],
        "",
        "## Pages and API under gunicorn "
        f"(sync × {r['workers']}, {r['requests']} sequential requests after {r['warmup']} "
        "warm-up)",
        "",
        "| request | filter | p50 ms | p95 ms | max ms | worker p50 / p95 ms | SQL statements | KB "
        "| < 300 ms p95 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in r["http"]:
        c, s = row["client"], row["server"] or {"p50": "–", "p95": "–"}
        ok = "met" if c["p95"] < TARGET_P95_MS else "**not met**"
        statements = row.get("statements", "–")
        lines.append(
            f"| `{row['label']}` | {row['filter']} | {c['p50']} | {c['p95']} | {c['max']} | "
            f"{s['p50']} / {s['p95']} | {statements} | {row['bytes'] / 1024:.0f} | {ok} |"
        )
    if r.get("concurrent"):
        lines += ["", "Concurrent HR users:", "", "| request | users | p50 ms | p95 ms | max ms |",
                  "| --- | ---: | ---: | ---: | ---: |"]  # fmt: skip
        for row in r["concurrent"]:
            c = row["client"]
            lines.append(
                f"| `{row['path']}` | {row['users']} | {c['p50']} | {c['p95']} | {c['max']} |"
            )
    if "http" in r["cpu"]:
        lines += ["", "CPU (cores) during the HTTP phase: " + json.dumps(r["cpu"]["http"]), ""]
    lines += ["## Export", "", "| format | rows | MB | first byte s | total s | worker RSS before "
              "MB | peak RSS polled MB | VmHWM before → after MB | targets |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]  # fmt: skip
    for e in r["exports"]:
        peak = max(e["rss_peak_polled_mb"], e["hwm_after_mb"])
        ok = ("time met" if e["total_s"] < TARGET_EXPORT_S else "time **not met**") + (
            "; memory met" if peak < TARGET_EXPORT_MB else "; memory **not met**"
        )
        lines.append(
            f"| {e['kind']} | {e['rows']:,} | {e['bytes'] / 1e6:.1f} | {e['first_byte_s']} | "
            f"{e['total_s']} | {e['rss_before_mb']} | {e['rss_peak_polled_mb']} | "
            f"{e['hwm_before_mb']} → {e['hwm_after_mb']} | {ok} |"
        )
    lines += ["", f"Export filter: `{r['export_filter']}`", ""]
    lines += [
        "## In-process (no HTTP): report functions, filter `year`",
        "",
        "| function | median ms | best ms | SQL statements |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in r["in_process"]["functions"].items():
        lines.append(f"| {name} | {row['median_ms']} | {row['best_ms']} | {row['statements']} |")
    lines += ["", "## The same SQL: in the app, in psql, EXPLAIN ANALYZE", "",
              "| statement | app (driver) ms | psql \\timing ms | EXPLAIN ANALYZE execution ms | "
              "planning ms | plan |", "| --- | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for item in r["in_process"]["sql"]:
        lines.append(
            f"| {item['name']} | {item['driver_ms']} | {item.get('psql_ms', '–')} | "
            f"{item.get('explain_execution_ms', '–')} | {item.get('explain_planning_ms', '–')} | "
            f"{item.get('plan_file', item.get('psql_error', ''))} |"
        )
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("LMS_BENCH_DATABASE_URL",
                                                                 DEFAULT_DB))  # fmt: skip
    parser.add_argument("--organisation", default="PROV", help="the generated organisation")
    parser.add_argument("--hr-login", default=None, help="default bkpsdm@<code>.lentera.test")
    parser.add_argument("--password", default="lentera-dataset")
    parser.add_argument("--today", default=None, help="the dataset's last day (default today)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--requests", type=int, default=30, help="per page and filter")
    parser.add_argument("--warmup", type=int, default=10, help="per row: two per worker")
    parser.add_argument("--repeat", type=int, default=5, help="runs per function / psql query")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--skip", action="append", default=[],
                        choices=["in-process", "psql", "http", "api", "export"])  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    code = args.organisation.upper()
    hr_login = args.hr_login or f"bkpsdm@{code.lower()}.lentera.test"
    today = date.fromisoformat(args.today) if args.today else date.today()
    tmp = Path(tempfile.mkdtemp(prefix="lentera-reports-"))
    env = environment(args, tmp / "instance")
    os.environ.update({k: env[k] for k in ("LMS_INSTANCE_DIR", "LMS_DATABASE_URL",
                                            "LMS_SECRET_KEY")})  # fmt: skip
    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(args.database_url),
        "organisation": code,
        "workers": args.workers,
        "requests": args.requests,
        "warmup": args.warmup,
        "cpu": {},
        "http": [],
        "concurrent": [],
        "exports": [],
        "in_process": {"pages": {}, "functions": {}, "sql": []},
    }
    servers: list[Gunicorn] = []
    try:
        from lms import create_app

        app = create_app()
        with app.app_context():
            print(f"counting the dataset of {code} …", flush=True)
            data = count_dataset(code, today)
        results["counts"] = data.counts
        results["export_filter"] = f"{urllib.parse.urlencode(data.export['params'])} "
        results["export_filter"] += f"({data.export['rows']:,} rows)"
        print(json.dumps(data.counts), flush=True)

        if "in-process" not in args.skip:
            print("in-process: pages, functions, SQL …", flush=True)
            before = CpuSnapshot.take()
            results["in_process"] = in_process(args, data, hr_login)
            results["cpu"]["in_process"] = before.until(CpuSnapshot.take())
            if "psql" not in args.skip:
                print("psql: timing and EXPLAIN ANALYZE …", flush=True)
                in_psql(args, results["in_process"]["sql"], RESULTS / "reports-plans")

        if "http" not in args.skip or "api" not in args.skip:
            server = Gunicorn(env, args.workers, tmp, "pages")
            servers.append(server)
            server.wait_ready()
            cookie = login(server.base, hr_login, args.password)
            token = api_token(server.base, hr_login, args.password)
            before = CpuSnapshot.take(server.pid)
            statements = results["in_process"]["pages"]
            if "http" not in args.skip:
                for base_path in ("/laporan", "/laporan/penyelesaian"):
                    for name, params in data.filters.items():
                        path = f"{base_path}?{urllib.parse.urlencode(params)}"
                        row = measure(server, path, {"Cookie": cookie}, args.warmup, args.requests)
                        count = statements.get(path, {}).get("statements", "–")
                        row.update(label=base_path, filter=name, statements=count)
                        results["http"].append(row)
                        print(f"  {path}: {row['client']}", flush=True)
                year = data.filters["year"]
                for name, extra in (("year, list", {"tampilan": "daftar"}),
                                    ("year, overdue", {"status": "terlambat"}),
                                    ("year, list page 500",
                                     {"tampilan": "daftar", "page": "500"})):  # fmt: skip
                    path = "/laporan/penyelesaian?" + urllib.parse.urlencode({**year, **extra})
                    row = measure(server, path, {"Cookie": cookie}, args.warmup, args.requests)
                    count = statements.get(path, {}).get("statements", "–")
                    row.update(label="/laporan/penyelesaian", filter=name, statements=count)
                    results["http"].append(row)
                    print(f"  {path}: {row['client']}", flush=True)
            if "api" not in args.skip:
                for endpoint in ("completion", "jp"):
                    for name, params in data.api_filters.items():
                        if endpoint == "jp" and "course" in params:
                            continue
                        path = f"/api/v1/reports/{endpoint}?{urllib.parse.urlencode(params)}"
                        row = measure(server, path, {"Authorization": f"Bearer {token}"},
                                      args.warmup, args.requests)  # fmt: skip
                        row.update(label=f"/api/v1/reports/{endpoint}", filter=name)
                        results["http"].append(row)
                        print(f"  {path}: {row['client']}", flush=True)
            if "http" not in args.skip and args.concurrency > 1:
                for base_path in ("/laporan", "/laporan/penyelesaian"):
                    path = f"{base_path}?{urllib.parse.urlencode(data.filters['year'])}"
                    row = concurrent(server, path, {"Cookie": cookie}, args.concurrency,
                                     args.concurrency * 10)  # fmt: skip
                    results["concurrent"].append(row)
                    print(f"  {args.concurrency} users {path}: {row['client']}", flush=True)
            results["cpu"]["http"] = before.until(CpuSnapshot.take(server.pid))
            server.stop()

        if "export" not in args.skip:
            print("export …", flush=True)
            server = Gunicorn(env, 1, tmp, "export")
            servers.append(server)
            server.wait_ready()
            cookie = login(server.base, hr_login, args.password)
            # load the report code once, as a worker that served a page has
            fetch(server.base, "/laporan/penyelesaian?tahun=2000", {"Cookie": cookie})
            before = CpuSnapshot.take(server.pid)
            for kind in ("xlsx", "csv"):
                path = "/laporan/penyelesaian?" + urllib.parse.urlencode(
                    {**data.export["params"], "format": kind}
                )
                row = export(server, path, cookie, tmp / f"export.{kind}", kind)
                results["exports"].append(row)
                print(f"  {row}", flush=True)
            results["cpu"]["export"] = before.until(CpuSnapshot.take(server.pid))
            server.stop()
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reports.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS / "reports.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
