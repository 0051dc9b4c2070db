#!/usr/bin/env bash
# Quick start, command 1: install what serving needs and serve the shipped default models on $PORT (3000).
set -euo pipefail
cd "$(dirname "$0")/.."
AETNET_TRAINER="${AETNET_TRAINER:-0}" bash scripts/install.sh
exec node dist/src/main.js
