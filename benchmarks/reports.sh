#!/usr/bin/env bash
# Report benchmarks on the province-scale dataset in PostgreSQL (see docs/BENCHMARKS.md,
# "Reports at province scale").
#   bash benchmarks/reports.sh                          # the full run, about 10 minutes
#   bash benchmarks/reports.sh --requests 10 --skip psql   # a quick look
#   bash benchmarks/reports.sh --help                   # every option
# Needs the dataset (flask lms generate-dataset, see benchmarks/reports.py), psql and the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/gunicorn ] || { echo ".venv is missing: run make setup" >&2; exit 1; }
command -v psql >/dev/null 2>&1 || { echo "psql is missing: apt-get install postgresql-client" >&2; exit 1; }
exec .venv/bin/python benchmarks/reports.py "$@"
