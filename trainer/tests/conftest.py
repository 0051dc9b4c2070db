import pytest
import torch

from synthetic_dataset import write_synthetic_dataset

torch.set_num_threads(2)


@pytest.fixture(scope="session")
def prepared_dir(tmp_path_factory):
    """8 train / 4 test synthetic pages, windows of ≤ 64 tokens."""
    return write_synthetic_dataset(tmp_path_factory.mktemp("prepared"), train_docs=8, test_docs=4)


@pytest.fixture(scope="session")
def trained_run(prepared_dir, tmp_path_factory):
    """A tiny run of 4 steps (2 epochs of 2 batches), shared by the export and evaluation tests."""
    from aetnet_trainer.train import main

    out = tmp_path_factory.mktemp("run")
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(out), "--epochs", "2"]) == 0
    return out


@pytest.fixture(scope="session")
def classify_dir(tmp_path_factory):
    """12 train / 6 test synthetic documents of 3 classes."""
    return write_synthetic_dataset(tmp_path_factory.mktemp("classify"), train_docs=12, test_docs=6, task="classify")


@pytest.fixture(scope="session")
def ask_dir(tmp_path_factory):
    """Question × window lines over 8 train / 4 test synthetic pages."""
    return write_synthetic_dataset(tmp_path_factory.mktemp("ask"), train_docs=8, test_docs=4, task="ask")


def train_tiny(data_dir, out, *extra) -> None:
    from aetnet_trainer.train import main

    assert main(["--data", str(data_dir), "--config", "tiny", "--out", str(out), *extra]) == 0


@pytest.fixture(scope="session")
def classify_run(classify_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("classify-run")
    train_tiny(classify_dir, out, "--epochs", "1")
    return out


@pytest.fixture(scope="session")
def ask_run(ask_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("ask-run")
    train_tiny(ask_dir, out, "--epochs", "1")
    return out
