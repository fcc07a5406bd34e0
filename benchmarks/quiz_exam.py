"""Exam start: N learners start one timed quiz within seconds, save answers, and submit.

Called by ``bash benchmarks/quiz_exam.sh`` (see docs/BENCHMARKS.md, *Quiz: an exam start*). For
each N it

1. empties the benchmark's own PostgreSQL database (never the test suite's ``test``), migrates it,
   loads the demo data and imports an exam course written here (20 questions of six types in
   GIFT), then ``benchmarks/prepare_exam.py`` makes the quiz a 60-minute final exam and adds N
   learners (plus a few for warming up and for the single-learner phase) with enrolments and
   bearer tokens, in bulk;
2. serves Lentera with gunicorn on 127.0.0.1, logging each request's time in the worker
   (``%(D)s`` µs: from the parsed request to the last byte written);
3. warms every worker up, then logs a sample of the learners in for real (``POST
   /api/v1/tokens``: password check, token) and measures it;
4. plays the exam with one asyncio task per learner (aiohttp): learner i starts the quiz at
   i × window / N seconds (all within ``--window``), saves an answer to the next question at a
   random moment of the following ``--interval`` seconds and every ``--interval`` seconds after,
   and submits one interval after the ``--saves``-th save. Every request's latency is measured
   from the send to the last byte of the response; anything but the expected status is an error;
5. then, on a quiet machine, single learners one after the other (start, an answer to every
   question, submit), for the server time of each request without queueing;
6. reports latency percentiles per request kind, errors, throughput, and where the two cores'
   time went (gunicorn, PostgreSQL, this load generator, other programs) from ``/proc``.

Only 127.0.0.1 is used; the server it starts is stopped at the end. Results go to
``benchmarks/results/quiz_exam.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(HERE))

from speed import describe as describe_speed  # noqa: E402
from speed import reference  # noqa: E402

HOST = "127.0.0.1"
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/lentera_bench"
COURSE = "UJIAN-01"
DEMO_PASSWORD = "lentera-demo"  # noqa: S105 - the published demo password
#: targets of the issue, and Moodle 4.1's published figures on a machine like this one (ms)
TARGET_P95_MS = 500.0
TARGET_SERVER_MS = {"start": 15.0, "save": 5.0, "submit": 15.0}
MOODLE_MS = {"start": 72.0, "save": 40.0, "submit": 67.0}
#: learners besides the N of the exam: for warming the workers up, and for the single phase
WARMUP_LEARNERS = 10
KINDS = ("start", "save", "submit")


# --- the exam course ------------------------------------------------------------------------------

_TAG = "// kompetensi: M-PP; level: {level}; kesulitan: sedang\n"
_STEM = (
    "Soal {n}. Kepala Puskesmas di Kota Solok menerima pengaduan warga tentang antrean "
    "pendaftaran yang panjang dan petugas yang tidak menjelaskan persyaratan dengan jelas. "
)


def exam_gift(count: int = 20) -> str:
    """``count`` questions of six types, as a trainer would write them (about 400 bytes each)."""
    parts = ["$CATEGORY: UJIAN-01/ujian-akhir\n"]
    for n in range(1, count + 1):
        head = _TAG.format(level=2 + n % 2) + f"::Soal {n}::" + _STEM.format(n=n)
        kind = n % 10
        if kind in (1, 2, 4, 6, 8, 9):  # multiple choice, 12 of 20
            parts.append(
                head + "Langkah pertama yang paling tepat adalah …{\n"
                "=Menelaah data antrean dan standar pelayanan bersama tim #Benar. Mulai dari "
                "data dan standar yang berlaku.\n"
                "~Menegur petugas pendaftaran di depan warga #Kurang tepat. Teguran di depan "
                "umum tidak menyelesaikan penyebabnya.\n"
                "~Menunggu pengaduan berikutnya sebelum bertindak #Kurang tepat. Pengaduan wajib "
                "ditindaklanjuti.\n"
                "~Menambah loket tanpa menelaah penyebab #Kurang tepat. Tanpa data, tambahan "
                "loket bisa sia-sia.\n}\n"
            )
        elif kind in (3, 7):  # true/false, 4
            parts.append(
                head + "Maklumat pelayanan wajib dipublikasikan secara jelas dan luas."
                "{T#Kurang tepat, maklumat wajib dipublikasikan.#Benar.}\n"
            )
        elif kind == 5:  # multiple response, 2
            parts.append(
                head + "Pilih DUA komponen standar pelayanan.{\n"
                "~%50%Jangka waktu penyelesaian #Benar.\n"
                "~%50%Penanganan pengaduan, saran, dan masukan #Benar.\n"
                "~%-50%Nomor telepon pribadi petugas #Tidak termasuk.\n"
                "~%-50%Target retribusi unit #Tidak termasuk.\n}\n"
            )
        elif n == 10:  # numerical
            parts.append(head + "Berapa komponen standar pelayanan menurut UU 25/2009?{#14}\n")
        else:  # n == 20, matching
            parts.append(
                head + "Pasangkan dokumen dengan isinya.{\n"
                "=Standar pelayanan -> Tolok ukur penyelenggaraan pelayanan\n"
                "=Maklumat pelayanan -> Pernyataan kesanggupan penyelenggara\n"
                "=SKM -> Survei kepuasan masyarakat\n}\n"
            )
    return "\n".join(parts)


def write_course(folder: Path) -> None:
    """A course folder with a text lesson and the exam (see courses/README.md)."""
    (folder / "lessons").mkdir(parents=True)
    (folder / "quiz").mkdir()
    (folder / "lessons" / "01-bacaan.md").write_text(
        "# Bacaan\n\nStandar pelayanan dan pengaduan.\n", encoding="utf-8"
    )
    (folder / "quiz" / "ujian-akhir.gift").write_text(exam_gift(), encoding="utf-8")
    (folder / "course.toml").write_text(
        f'code = "{COURSE}"\ntitle = "Ujian Akhir Pelayanan Publik"\njp = 2\n'
        'organisation = "SLK"\nvisibility = "shared"\nself_enrollment = false\n'
        'trainers = ["pelatih@lentera.test"]\n\n'
        '[[modules]]\ntitle = "Ujian"\n\n'
        '  [[modules.lessons]]\n  title = "Bacaan"\n  type = "text"\n'
        '  file = "lessons/01-bacaan.md"\n  required = false\n\n'
        '  [[modules.lessons]]\n  title = "Ujian akhir"\n  type = "quiz"\n'
        '  file = "quiz/ujian-akhir.gift"\n'
        '  quiz = { kind = "final_exam", time_limit = 60, pass = 70, attempts = 1 }\n',
        encoding="utf-8",
    )


def run(cmd: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{what} failed (exit {result.returncode})")
    return result.stdout


def reset_database(url: str) -> None:
    """Drop and recreate the public schema of the benchmark's own database."""
    name = sa.make_url(url).database or ""
    if "bench" not in name:
        raise SystemExit(f"refusing to empty database {name!r}: its name must contain 'bench'")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def build_instance(tmp: Path, url: str, learners: int, extra: int) -> tuple[dict, dict]:
    """A fresh database with the demo data, the exam course and its learners."""
    env = dict(os.environ)
    for var in ("LMS_REDIS_URL", "LMS_TEST_DATABASE_URL"):
        env.pop(var, None)
    env.update(
        FLASK_APP="lms",
        LMS_INSTANCE_DIR=str(tmp / "instance"),
        LMS_DATABASE_URL=url,
        LMS_SECRET_KEY=secrets.token_urlsafe(48),
        LMS_DEMO_MODE="1",
        # the login sample comes from one address within seconds: lift the limit for the run
        LMS_LOGIN_RATE_LIMIT="100000 per minute",
    )
    reset_database(url)
    flask = str(VENV_BIN / "flask")
    run([flask, "db", "upgrade"], env, "flask db upgrade")
    run([flask, "lms", "seed-demo"], env, "flask lms seed-demo")
    folder = tmp / "ujian-akhir"
    write_course(folder)
    run([flask, "lms", "import-course", str(folder)], env, "flask lms import-course")
    out = tmp / "exam.json"
    print(
        "  "
        + run(
            [
                str(VENV_BIN / "python"),
                str(HERE / "prepare_exam.py"),
                "--course",
                COURSE,
                "--learners",
                str(learners + extra),
                "--out",
                str(out),
            ],
            env,
            "prepare_exam.py",
        ).strip()
    )
    return env, json.loads(out.read_text())


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    """Lentera under gunicorn, in its own process group, logging each request's time."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], tmp: Path) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.access_log = tmp / "access.log"
        self.access_log.touch()
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),
            "--bind",
            f"{HOST}:{self.port}",
            "--backlog",
            "4096",
            "--timeout",
            "120",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            "--error-logfile",
            str(tmp / "error.log"),
            "lms:create_app()",
        ]
        self.process = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
        self.database = sa.make_url(env["LMS_DATABASE_URL"]).database or ""

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    time.sleep(2.0)  # the arbiter listens first; give the workers a moment
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn on {self.base} not ready after {timeout:.0f} s")

    def log_offset(self) -> int:
        return self.access_log.stat().st_size

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_ROUTES = [
    ("start", "POST", re.compile(r"^/api/v1/quizzes/\d+/attempts$")),
    ("save", "PUT", re.compile(r"^/api/v1/attempts/\d+/answers/\d+$")),
    ("submit", "POST", re.compile(r"^/api/v1/attempts/\d+/submit$")),
    ("login", "POST", re.compile(r"^/api/v1/tokens$")),
]


def server_times(log: Path, begin: int, end: int) -> dict[str, list[float]]:
    """Milliseconds each request spent in a worker, by kind, from a slice of the access log."""
    with log.open("rb") as fh:
        fh.seek(begin)
        lines = fh.read(end - begin).decode().splitlines()
    times: dict[str, list[float]] = defaultdict(list)
    for line in lines:
        method, path, _status, micros = line.split()
        kind = next((k for k, m, p in _ROUTES if m == method and p.match(path)), "other")
        times[kind].append(int(micros) / 1000)
    return times


# --- CPU accounting -------------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq + steal


def _tree_and_postgres_ticks(root: int, database: str) -> tuple[int, int]:
    """CPU ticks of gunicorn (the arbiter and its workers) and of the PostgreSQL backends
    serving the benchmark's database (their title names it; other databases' are not ours)."""
    server = postgres = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            comm, rest = stat.split(" (", 1)[1].rsplit(")", 1)
            ours = comm == "postgres" and f" {database} " in (entry / "cmdline").read_text()
        except OSError:
            continue
        fields = rest.split()
        ticks = int(fields[11]) + int(fields[12])
        if int(entry.name) == root or int(fields[1]) == root:
            server += ticks
        elif ours:
            postgres += ticks
    return server, postgres


def _own_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


@dataclass
class CpuSnapshot:
    """Counters at one moment."""

    wall: float
    busy: int
    server: int
    postgres: int
    own: float

    @classmethod
    def take(cls, server: Gunicorn) -> CpuSnapshot:
        gunicorn, postgres = _tree_and_postgres_ticks(server.process.pid, server.database)
        return cls(time.monotonic(), _busy_ticks(), gunicorn, postgres, _own_seconds())

    def cores_until(self, later: CpuSnapshot) -> dict[str, float]:
        """Average cores used between two snapshots: all, gunicorn, postgres, us, the rest."""
        wall = later.wall - self.wall
        busy = (later.busy - self.busy) / TICKS / wall
        server = (later.server - self.server) / TICKS / wall
        postgres = (later.postgres - self.postgres) / TICKS / wall
        own = (later.own - self.own) / wall
        return {
            "seconds": round(wall, 1),
            "busy": round(busy, 2),
            "gunicorn": round(server, 2),
            "postgres": round(postgres, 2),
            "load_generator": round(own, 3),
            "load_generator_share": round(own / (os.cpu_count() or 1), 4),
            "other": round(max(0.0, busy - server - postgres - own), 2),
        }


def cpu_ms_per_request(cpu: dict[str, float], requests: int) -> float:
    """CPU milliseconds gunicorn and PostgreSQL spent per request (steadier than latency on a
    shared machine: other programs delay requests more than they make them cost more)."""
    return round((cpu["gunicorn"] + cpu["postgres"]) * cpu["seconds"] * 1000 / requests, 2)


def wait_quiet(threshold: float, max_wait: float, seconds: int = 3) -> float:
    """Wait until the machine is idle (busy < threshold cores for ``seconds`` seconds in a
    row), at most ``max_wait`` seconds; the seconds waited."""
    t0 = time.monotonic()
    quiet = 0
    while quiet < seconds and time.monotonic() - t0 < max_wait:
        busy0 = _busy_ticks()
        time.sleep(1.0)
        quiet = quiet + 1 if (_busy_ticks() - busy0) / TICKS < threshold else 0
    return round(time.monotonic() - t0, 1)


# --- the load -------------------------------------------------------------------------------------


@dataclass
class Record:
    """One request: its kind, when it was sent (s since the exam began), latency, outcome."""

    kind: str
    sent: float
    ms: float
    status: int
    error: str = ""
    lag_ms: float = 0.0


@dataclass
class Client:
    """An aiohttp session that measures every request."""

    base: str
    session: aiohttp.ClientSession
    t0: float = 0.0
    records: list[Record] = field(default_factory=list)

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        token: str | None,
        payload: Any = None,
        *,
        expect: tuple[int, ...] = (200,),
        due: float | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        began = time.perf_counter()
        lag = (time.monotonic() - due) * 1000 if due is not None else 0.0
        body, status, error = None, 0, ""
        try:
            async with self.session.request(
                method, self.base + path, json=payload, headers=headers
            ) as response:
                status = response.status
                raw = await response.read()
            if status in expect:
                body = json.loads(raw) if kind in ("start", "login") else raw
            else:
                error = raw[:200].decode(errors="replace")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - began) * 1000
        sent = time.monotonic() - self.t0 - ms / 1000
        self.records.append(Record(kind, sent, ms, status, error, max(0.0, lag)))
        return body


def answer_for(question: dict[str, Any], rng: random.Random) -> Any:
    """A plausible answer of the right shape (right or wrong by chance)."""
    kind = question["type"]
    ids = [o["id"] for o in question["options"]]
    if kind == "multichoice":
        return rng.choice(ids)
    if kind == "multiresponse":
        return rng.sample(ids, 2)
    if kind == "truefalse":
        return rng.random() < 0.7
    if kind == "numerical":
        return rng.choice([14, 13, "14", "15"])
    if kind == "matching":
        targets = [t["id"] for t in question["targets"]]
        return {left: rng.choice(targets) for left in ids}
    if kind == "ordering":
        return rng.sample(ids, len(ids))
    return "Jawaban peserta."


async def take_exam(
    client: Client,
    quiz_id: int,
    token: str,
    start_at: float,
    first_save: float,
    args: argparse.Namespace,
    rng: random.Random,
) -> None:
    """One learner: start at ``start_at``, a save every interval from ``first_save``, submit."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    attempt = await client.call(
        "start", "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token, expect=(200, 201),
        due=start_at,
    )  # fmt: skip
    if attempt is None:
        return
    questions = attempt["questions"]
    due = first_save
    for n in range(args.saves):
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        question = questions[n % len(questions)]
        await client.call(
            "save", "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question['slot']}", token,
            {"answer": answer_for(question, rng)}, due=due,
        )  # fmt: skip
        due += args.interval
    await asyncio.sleep(max(0.0, due - time.monotonic()))
    await client.call("submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit", token, due=due)


def new_session(limit: int = 0) -> aiohttp.ClientSession:
    # sync workers close every connection (no keep-alive): do not try to reuse them
    connector = aiohttp.TCPConnector(limit=limit, force_close=True)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120))


async def exam_phase(
    server: Gunicorn, quiz_id: int, tokens: list[str], args: argparse.Namespace
) -> tuple[list[Record], dict[str, float]]:
    """Every learner's exam, all at once (each task waits for its moments); the records and
    the CPU used from the first start to two seconds after the last one was due."""
    rng = random.Random(args.seed)  # noqa: S311 - reproducible load, not security
    snapshots: list[CpuSnapshot] = []

    async def snapshot_at(moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - time.monotonic()))
        snapshots.append(CpuSnapshot.take(server))

    async with new_session() as session:
        client = Client(server.base, session)
        client.t0 = time.monotonic() + 2.0  # all tasks are scheduled before the first start
        n = len(tokens)
        tasks = [snapshot_at(client.t0 - 0.01), snapshot_at(client.t0 + args.window + 2.0)]
        for i, token in enumerate(tokens):
            start_at = client.t0 + i * args.window / n
            first_save = start_at + rng.uniform(0, args.interval)
            learner_rng = random.Random(rng.random())  # noqa: S311
            tasks.append(take_exam(client, quiz_id, token, start_at, first_save, args, learner_rng))
        await asyncio.gather(*tasks)
    return client.records, snapshots[0].cores_until(snapshots[1])


async def sequential_learners(
    base: str, quiz_id: int, tokens: list[str], every_question: bool, seed: int
) -> list[Record]:
    """Learners one after the other, one request at a time (no queueing anywhere)."""
    rng = random.Random(seed)  # noqa: S311
    async with new_session() as session:
        client = Client(base, session)
        client.t0 = time.monotonic()
        for token in tokens:
            attempt = await client.call(
                "start", "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token, expect=(200, 201)
            )
            if attempt is None:
                continue
            questions = attempt["questions"] if every_question else attempt["questions"][:2]
            for question in questions:
                await client.call(
                    "save", "PUT", f"/api/v1/attempts/{attempt['id']}/answers/{question['slot']}",
                    token, {"answer": answer_for(question, rng)},
                )  # fmt: skip
            await client.call("submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit", token)
    return client.records


async def login_phase(base: str, nips: list[str], concurrency: int) -> tuple[list[Record], dict]:
    """Real logins (password check, new token) with a few at a time; the new tokens by NIP."""
    tokens: dict[str, str] = {}
    queue = list(nips)
    async with new_session() as session:
        client = Client(base, session)
        client.t0 = time.monotonic()

        async def worker() -> None:
            while queue:
                nip = queue.pop()
                body = await client.call(
                    "login", "POST", "/api/v1/tokens", None,
                    {"login": nip, "password": DEMO_PASSWORD, "name": "ujian"}, expect=(201,),
                )  # fmt: skip
                if body:
                    tokens[nip] = body["token"]

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return client.records, tokens


# --- numbers --------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    """Count, percentiles, max and mean of some milliseconds."""
    return {
        "count": len(values),
        "p50": round(pct(values, 50), 1),
        "p95": round(pct(values, 95), 1),
        "p99": round(pct(values, 99), 1),
        "max": round(max(values), 1) if values else float("nan"),
        "mean": round(statistics.fmean(values), 1) if values else float("nan"),
    }


def describe(records: list[Record]) -> dict[str, Any]:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    out: dict[str, Any] = {}
    for kind, rows in [*by_kind.items(), ("all", records)]:
        out[kind] = summary([r.ms for r in rows]) | {
            "errors": sum(1 for r in rows if r.error),
            "lag_p99_ms": round(pct([r.lag_ms for r in rows], 99), 1),
        }
    return out


def errors_seen(records: list[Record], limit: int = 5) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for r in records:
        if r.error:
            counts[f"{r.kind} {r.status} {r.error[:120]}"] += 1
    return [f"{n}× {text}" for text, n in sorted(counts.items(), key=lambda kv: -kv[1])][:limit]


def machine(database_url: str) -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            postgres = connection.exec_driver_sql("SHOW server_version").scalar()
    finally:
        engine.dispose()

    def version(cmd: list[str]) -> str:
        res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)  # noqa: S603
        return (res.stdout or res.stderr).strip().splitlines()[0]

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gunicorn": version([str(VENV_BIN / "gunicorn"), "--version"]),
        "postgresql": postgres,
        "aiohttp": aiohttp.__version__,
        "commit": version(["git", "-C", str(ROOT), "describe", "--always", "--dirty"]),
        "load_before": Path("/proc/loadavg").read_text().split()[:3],
    }


# --- one run --------------------------------------------------------------------------------------


def one_run(args: argparse.Namespace, learners: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="lentera-exam-"))
    server = None
    try:
        print(f"\n== {learners} learners: preparing ({tmp})", flush=True)
        t0 = time.monotonic()
        extra = WARMUP_LEARNERS + args.single
        env, exam = build_instance(tmp, args.database_url, learners, extra)
        print(f"  prepared in {time.monotonic() - t0:.1f} s", flush=True)
        people = exam["learners"]
        warmup, single, crowd = (
            people[:WARMUP_LEARNERS],
            people[WARMUP_LEARNERS:extra],
            people[extra:],
        )
        quiz_id = exam["quiz_id"]
        server = Gunicorn(args, env, tmp)
        server.wait_ready()

        # warm every worker up: imports, compiled statements, the first connection
        asyncio.run(
            sequential_learners(server.base, quiz_id, [p["token"] for p in warmup], False, 1)
        )

        # a sample of real logins; those learners use their new tokens in the exam
        sample = [p["nip"] for p in crowd[: args.logins]]
        mark = server.log_offset()
        login_t0 = time.monotonic()
        login_records, new_tokens = asyncio.run(
            login_phase(server.base, sample, args.login_concurrency)
        )
        login_wall = time.monotonic() - login_t0
        logins = {
            "client": describe(login_records)["all"],
            "server": summary(server_times(server.access_log, mark, server.log_offset())["login"]),
            "per_second": round(len(login_records) / login_wall, 1),
            "concurrency": args.login_concurrency,
        }
        print(
            f"  logins: {len(login_records)} in {login_wall:.1f} s, p50 "
            f"{logins['client']['p50']} ms, p95 {logins['client']['p95']} ms, errors "
            f"{logins['client']['errors']}",
            flush=True,
        )
        tokens = [new_tokens.get(p["nip"], p["token"]) for p in crowd]

        waited = wait_quiet(args.max_other, args.max_wait)
        speed = reference()
        mark = server.log_offset()
        before = CpuSnapshot.take(server)
        wall0 = time.monotonic()
        records, window_cpu = asyncio.run(exam_phase(server, quiz_id, tokens, args))
        after = CpuSnapshot.take(server)
        wall = time.monotonic() - wall0
        exam_server = server_times(server.access_log, mark, server.log_offset())
        starts = [r for r in records if r.kind == "start"]
        last_start = max(r.sent + r.ms / 1000 for r in starts)
        result = {
            "learners": learners,
            "waited_for_quiet_s": waited,
            "speed": speed,
            "wall_s": round(wall, 1),
            "requests": len(records),
            "throughput_rps": round(len(records) / (after.wall - before.wall), 1),
            "start_window_rps": round(len(starts) / last_start, 1),
            "last_start_done_s": round(last_start, 1),
            "client": describe(records),
            "server": {k: summary(v) for k, v in exam_server.items()},
            "cpu": before.cores_until(after),
            "start_window_cpu": window_cpu,
            "server_cpu_ms_per_request": cpu_ms_per_request(
                before.cores_until(after), len(records)
            ),
            "errors": errors_seen(records),
            "logins": logins,
        }
        print(
            f"  exam: {len(records)} requests in {wall:.0f} s, errors "
            f"{result['client']['all']['errors']}, cores {result['cpu']}",
            flush=True,
        )
        for kind in (*KINDS, "all"):
            c = result["client"].get(kind, {})
            print(
                f"    {kind:7s} n={c.get('count')} p50 {c.get('p50')} p95 {c.get('p95')} "
                f"p99 {c.get('p99')} max {c.get('max')} ms errors {c.get('errors')}"
            )
        for line in result["errors"]:
            print(f"    error: {line}")

        # single learners on a quiet machine: the server time of each request
        waited = wait_quiet(args.max_other, args.max_wait)
        speed = reference()
        mark = server.log_offset()
        before = CpuSnapshot.take(server)
        single_records = asyncio.run(
            sequential_learners(server.base, quiz_id, [p["token"] for p in single], True, 2)
        )
        after = CpuSnapshot.take(server)
        times = server_times(server.access_log, mark, server.log_offset())
        result["single"] = {
            "learners": len(single),
            "waited_for_quiet_s": waited,
            "speed": speed,
            "client": describe(single_records),
            "server": {k: summary(v) for k, v in times.items()},
            "cpu": before.cores_until(after),
            "server_cpu_ms_per_request": cpu_ms_per_request(
                before.cores_until(after), len(single_records)
            ),
            "errors": errors_seen(single_records),
        }
        for kind in KINDS:
            s = result["single"]["server"].get(kind) or summary([])
            print(
                f"  single {kind:7s} server p50 {s['p50']} p95 {s['p95']} ms "
                f"(target {TARGET_SERVER_MS[kind]:g})"
            )
        for line in result["single"]["errors"]:
            print(f"    error: {line}")
        return result
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    m, a = results["machine"], results["settings"]
    lines = [
        f"Run {results['started']} · {m['nproc']} cores ({m['cpu']}) · Python {m['python']} · "
        f"{m['gunicorn']} · PostgreSQL {m['postgresql']} · aiohttp {m['aiohttp']} · commit "
        f"{m['commit']} · load average before {' '.join(m['load_before'])}",
        "",
        f"gunicorn {a['worker_class']}, {a['workers']} workers"
        + (f" × {a['threads']} threads" if a["worker_class"] == "gthread" else "")
        + f"; starts spread over {a['window']:g} s, a save every {a['interval']:g} s "
        f"(first one at a random moment of the first interval), submit after {a['saves']} saves.",
        "",
        "| learners | kind | requests | p50 ms | p95 ms | p99 ms | max ms | errors | "
        "server p50 / p95 ms |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run_ in results["runs"]:
        for kind in (*KINDS, "all"):
            c = run_["client"][kind]
            s = run_["server"].get(kind) if kind != "all" else None
            server = f"{s['p50']} / {s['p95']}" if s else ""
            lines.append(
                f"| {run_['learners']} | {kind} | {c['count']} | {c['p50']} | {c['p95']} | "
                f"{c['p99']} | {c['max']} | {c['errors']} | {server} |"
            )
    lines += [
        "",
        "| learners | wall s | requests/s (whole run) | starts/s (start window) | last start "
        "done s | CPU cores, whole run: busy / gunicorn / postgres / load generator / other | "
        "same, start window | server CPU ms/request | load generator share of the machine |",
        "| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |",
    ]

    def cores(c: dict[str, float]) -> str:
        return (
            f"{c['busy']} / {c['gunicorn']} / {c['postgres']} / {c['load_generator']:.2f} / "
            f"{c['other']}"
        )

    for run_ in results["runs"]:
        c = run_["cpu"]
        lines.append(
            f"| {run_['learners']} | {run_['wall_s']} | {run_['throughput_rps']} | "
            f"{run_['start_window_rps']} | {run_['last_start_done_s']} | {cores(c)} | "
            f"{cores(run_['start_window_cpu'])} | {run_['server_cpu_ms_per_request']} | "
            f"{c['load_generator_share']:.1%} |"
        )
    lines += [
        "",
        "Single learner, one request at a time (server time in the worker, from gunicorn's "
        "access log; client latency adds the connection and the client):",
        "",
        "| learners | kind | requests | server p50 ms | server p95 ms | client p50 ms | target "
        "| Moodle 4.1 |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run_ in results["runs"]:
        single = run_["single"]
        for kind in KINDS:
            s = single["server"].get(kind) or summary([])
            c = single["client"].get(kind) or summary([])
            ok = "met" if s["p50"] <= TARGET_SERVER_MS[kind] else "NOT met"
            lines.append(
                f"| {run_['learners']} | {kind} | {s['count']} | {s['p50']} | {s['p95']} | "
                f"{c['p50']} | ≤ {TARGET_SERVER_MS[kind]:g} ({ok}) | {MOODLE_MS[kind]:g} |"
            )
    lines.append("")
    for run_ in results["runs"]:
        single = run_["single"]
        lines.append(
            f"- single phase after the {run_['learners']}-learner exam: "
            f"{single['server_cpu_ms_per_request']} server CPU ms/request (1 start, "
            f"{single['client'].get('save', {}).get('count', 0) // single['learners']} saves, "
            f"1 submit per learner); other programs used {single['cpu']['other']} cores "
            f"meanwhile; errors {single['client']['all']['errors']}; speed reference "
            f"{describe_speed(single.get('speed', {}))} (before the exam: "
            f"{describe_speed(run_.get('speed', {}))})"
        )
        lines += [f"  - {line}" for line in single.get("errors", [])]
    lines += [
        "",
        "Speed reference: CPU time of 10 million Python additions and of one scrypt hash just "
        "before the phase (benchmarks/speed.py; lower is a faster machine, which changes speed "
        "from hour to hour).",
    ]
    lines += ["", "Logins (`POST /api/v1/tokens`, a sample of the learners, before the exam):", ""]
    for run_ in results["runs"]:
        lg = run_["logins"]
        lines.append(
            f"- {run_['learners']} learners: {lg['client']['count']} logins, "
            f"{lg['concurrency']} at a time, {lg['per_second']}/s; client p50 "
            f"{lg['client']['p50']} ms, p95 {lg['client']['p95']} ms; server p50 "
            f"{lg['server']['p50']} ms; errors {lg['client']['errors']}"
        )
    lines.append("")
    for run_ in results["runs"]:
        total = run_["client"]["all"]
        verdict = total["errors"] == 0 and total["p95"] < TARGET_P95_MS
        lines.append(
            f"- {run_['learners']} learners: errors {total['errors']}, p95 {total['p95']} ms "
            f"(target 0 errors and p95 < {TARGET_P95_MS:g} ms: {'met' if verdict else 'NOT met'})"
        )
        for line in run_["errors"]:
            lines.append(f"  - {line}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", default="300,2000", help="N per run (300,2000)")
    parser.add_argument("--window", type=float, default=10, help="s over which starts spread (10)")
    parser.add_argument("--interval", type=float, default=30, help="s between saves (30)")
    parser.add_argument("--saves", type=int, default=6, help="saves before the submit (6)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per worker (4)")
    parser.add_argument("--logins", type=int, default=100, help="learners who log in for real")
    parser.add_argument("--login-concurrency", type=int, default=4)
    parser.add_argument("--single", type=int, default=20, help="learners of the single phase")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=DEFAULT_DB, help="emptied for each run!")
    parser.add_argument(
        "--max-other", type=float, default=0.3, help="cores counted as a quiet machine (0.3)"
    )
    parser.add_argument("--max-wait", type=float, default=20, help="s to wait for quiet (20)")
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(args.database_url),
        "settings": {
            k: getattr(args, k)
            for k in ("window", "interval", "saves", "workers", "worker_class", "threads", "seed")
        },
        "runs": [],
    }
    for learners in (int(x) for x in args.learners.split(",")):
        results["runs"].append(one_run(args, learners))
    results["machine"]["load_after"] = Path("/proc/loadavg").read_text().split()[:3]
    report = markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "quiz_exam.md").write_text(report)
    (args.out / "quiz_exam.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n" + report)
    print(f"written: {args.out / 'quiz_exam.md'}, {args.out / 'quiz_exam.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
