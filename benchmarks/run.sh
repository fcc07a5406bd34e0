#!/usr/bin/env bash
# Page benchmarks of Lentera against a bare Flask endpoint (see docs/BENCHMARKS.md).
#   bash benchmarks/run.sh                       # sync and gthread, 10 and 50 users, 12 s a row (~5 min)
#   bash benchmarks/run.sh --config sync --users 10 --duration 5   # a quick look
# Needs wrk (Debian: apt-get install wrk) and the project's venv (make setup).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing wrk"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is missing: sudo apt-get install wrk" >&2
    exit 1
  fi
fi
[ -x .venv/bin/gunicorn ] || { echo ".venv is missing: run make setup" >&2; exit 1; }
exec .venv/bin/python benchmarks/run_pages.py "$@"
