import json

import torch

from aetnet_trainer.bench_eager import main
from aetnet_trainer.config import preset
from aetnet_trainer.modeling import build_task_model


def tiny_checkpoint(path):
    config = preset("tiny")
    model = build_task_model(config, {})
    torch.save({"config": config.to_dict(), "fusionConfig": model.fusion.config.to_dict(), "model": model.state_dict()}, path)


def test_prints_median_times_of_each_graph(tmp_path, capsys):
    checkpoint = tmp_path / "last.pt"
    tiny_checkpoint(checkpoint)
    assert main(["--checkpoint", str(checkpoint), "--windows", "2", "--length", "20", "--threads", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["threads"] == 1 and report["length"] == 20 and report["windows"] == 2
    assert report["preset"] == "tiny" and report["task"] == "extract"
    assert report["model"]["hidden_size"] == 64
    assert all(report[key] > 0 for key in ("imageMs", "textMs", "fullMs"))
