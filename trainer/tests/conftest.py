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
