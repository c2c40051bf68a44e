#!/usr/bin/env bash
# Create/refresh a virtual environment, install the package with torch 2.13.0, run every test
# (slow ones included: --runslow). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${GCN_TICKETS_VENV:-.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check torch==2.13.0
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[dev]"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-2}"
"$VENV/bin/python" -m pytest -q --runslow "$@"
