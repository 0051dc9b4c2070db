#!/usr/bin/env bash
# Installs everything the service and the trainer need. Idempotent; CPU by default.
#   AETNET_CUDA=1 bash scripts/install.sh   → onnxruntime-node's CUDA provider, from PyPI wheels (install-cuda-provider.sh)
#   AETNET_TRAINER=0                          → skip the Python trainer environment (and the MPNet weights, the test-only
#                                               redis, fonts and Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

# onnxruntime-node's own install script would download CUDA libraries from a host that may be unreachable; never.
export ONNXRUNTIME_NODE_INSTALL=skip
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
npm run build
if [[ "${AETNET_CUDA:-0}" == "1" ]]; then bash scripts/install-cuda-provider.sh; fi
# The PP-OCR engine's models (AETNET_OCR_ENGINE=ppocr), ~38 MB once, into the cache folder the service reads.
bash scripts/fetch-ppocr.sh

# The BullMQ tuning-queue tests run a local redis-server (Debian package), when we may install it.
if [[ "${AETNET_TRAINER:-1}" == "1" ]] && ! command -v redis-server > /dev/null && [[ "$(id -u)" == "0" ]] && command -v apt-get > /dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server > /dev/null) || echo "redis-server not installed: BullMQ tests will skip"
fi

# The Studio's browser tests drive Debian's Chromium (playwright-core) and Firefox ESR (puppeteer-core, WebDriver
# BiDi); the tools' own browser downloads cannot work here. Serving needs neither (AETNET_TRAINER=0 skips them).
if [[ "${AETNET_TRAINER:-1}" == "1" ]] && [[ "$(id -u)" == "0" ]] && command -v apt-get > /dev/null; then
  browsers=()
  [[ -n "${AETNET_CHROMIUM:-}" ]] || command -v chromium > /dev/null || browsers+=(chromium)
  [[ -n "${AETNET_FIREFOX:-}" ]] || command -v firefox-esr > /dev/null || browsers+=(firefox-esr)
  if (( ${#browsers[@]} > 0 )); then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${browsers[@]}" > /dev/null) \
      || echo "${browsers[*]} not installed: the Studio browser tests need them (or AETNET_CHROMIUM / AETNET_FIREFOX)"
  fi
fi

# render-documents draws synthetic pages in the font families Debian packages (docs/synthetic-documents.md);
# without these it uses DejaVu only.
if [[ "${AETNET_TRAINER:-1}" == "1" ]] && [[ ! -d /usr/share/fonts/opentype/urw-base35 ]] && [[ "$(id -u)" == "0" ]] && command -v apt-get > /dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation fonts-freefont-ttf fonts-urw-base35 > /dev/null) \
    || echo "extra fonts not installed: render-documents uses DejaVu only"
fi

if [[ "${AETNET_TRAINER:-1}" == "1" ]]; then
  PYTHON="${PYTHON:-python3}"
  [[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
  if ! .venv/bin/python -c 'import aetnet_trainer, torch, transformers, onnxruntime' 2>/dev/null; then
    # torch first and pinned: the CPU wheel on disk; a bare `torch` would pull a multi-GB CUDA build.
    .venv/bin/pip install -q "torch==${AETNET_TORCH_VERSION:-2.13.0}"
    .venv/bin/pip install -q -e './trainer[test]'
  fi
  # The pretrained text side of the mpnet presets (~400 MB, once; serving does not need it).
  PYTHON=.venv/bin/python bash scripts/fetch-mpnet.sh
fi
