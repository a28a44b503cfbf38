#!/usr/bin/env bash
# Seed a benchmark database and run every benchmark; prints figures only.
#   bash bench/run_all.sh [reservists] [shifts]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
M=${2:-1000000}
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nzr_bench}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
PY=.venv/bin/python
psql "${DATABASE_URL%/*}/postgres" -c "CREATE DATABASE nzr_bench" 2>/dev/null || true
$PY manage.py migrate --noinput -v0
$PY manage.py load_reference_data >/dev/null
time $PY manage.py seed_bench --reservists "$N" --shifts "$M" --flush --seed 42
$PY manage.py load_demo >/dev/null
BROKER=${CELERY_BROKER_URL:-redis://127.0.0.1:6379/7}
# This machine's pure-Python speed, to compare figures from different machines.
$PY -c 'import sys; sys.path.insert(0, "bench"); import _common; print(f"calibration: {_common.calibration_ms():.0f} ms (2M additions, best of 5)")'
for step in "bench/search.py" "bench/matching.py" "bench/dashboard.py" "bench/booking.py 1 cpu" \
            "bench/booking.py 2" "bench/booking.py 4" "bench/booking.py 4 threads" \
            "bench/approval.py" "bench/load.py 30 16"; do
  echo "== $step   ($(uptime | sed 's/.*load average/load average/'))"
  # shellcheck disable=SC2086  # the step is a script and its arguments
  CELERY_BROKER_URL=$BROKER $PY $step
done
