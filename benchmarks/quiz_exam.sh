#!/usr/bin/env bash
# Exam start on the quiz API: N learners start one timed quiz within 10 s, save, submit
# (gunicorn + PostgreSQL; see docs/BENCHMARKS.md, "Quiz: an exam start").
#   bash benchmarks/quiz_exam.sh                       # N = 300 and 2,000, about 10 minutes
#   bash benchmarks/quiz_exam.sh --learners 50 --interval 5 --saves 2   # a quick look
#   bash benchmarks/quiz_exam.sh --help                # every option
# Needs the project's venv with the dev extras (make setup: aiohttp) and PostgreSQL on
# 127.0.0.1:5432 (user postgres). It uses its own database, LMS_BENCH_DATABASE_URL (default
# lentera_bench, created when missing), and EMPTIES it for every run: never point it at data.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/gunicorn ] || { echo ".venv is missing: run make setup" >&2; exit 1; }
.venv/bin/python -c "import aiohttp" 2>/dev/null || {
  echo "aiohttp is missing: .venv/bin/pip install -e '.[dev]'" >&2
  exit 1
}
DB_URL="${LMS_BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/lentera_bench}"
.venv/bin/python - "$DB_URL" <<'PY'
import sys

import sqlalchemy as sa

url = sa.make_url(sys.argv[1])
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
try:
    with admin.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            print(f"Creating database {url.database}")
            connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
except sa.exc.OperationalError as error:
    sys.exit(f"PostgreSQL is unreachable at {url.render_as_string()}: {error.orig}")
finally:
    admin.dispose()
PY
exec .venv/bin/python benchmarks/quiz_exam.py --database-url "$DB_URL" "$@"
