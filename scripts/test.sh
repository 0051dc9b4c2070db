#!/usr/bin/env bash
# Quick start, command 2 (= .ci/run): install everything and run every test (TypeScript unit + e2e, Python).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm test
(cd trainer && ../.venv/bin/python -m pytest -q)
