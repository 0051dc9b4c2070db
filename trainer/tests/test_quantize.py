"""int8 bundles: quantised graphs, the gate on the validation split, and refusals that write nothing."""

import json

import numpy as np
import onnx
import pytest

from aetnet_trainer import quantize
from aetnet_trainer.config import LOSS_PRESETS
from aetnet_trainer.export import export_bundle, export_onnx, max_parity_diff, sample_inputs
from aetnet_trainer.modeling import build_task_model
from aetnet_trainer.quantize import QuantizationGateError, check_gate, compare_precisions
from aetnet_trainer.train import main


@pytest.fixture(scope="module")
def validated_run(prepared_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("validated-run")
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(out), "--epochs", "1",
                 "--batch-size", "2", "--validation-docs", "2"]) == 0
    return out


def op_types(path):
    return {node.op_type for node in onnx.load(str(path)).graph.node}


def test_int8_bundle_is_quantised_and_records_its_gate(validated_run, tmp_path, monkeypatch):
    # A 1-epoch tiny model has near-uniform logits, so argmax flips under int8 noise; the bounds are the
    # subject of the next tests, this one checks what is written.
    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 0.0)
    monkeypatch.setattr(quantize, "MAX_METRIC_DROP", 1.0)
    fp32, int8 = tmp_path / "fp32", tmp_path / "int8"
    export_bundle(validated_run / "best.pt", fp32)
    manifest = export_bundle(validated_run / "best.pt", int8, int8=True)
    assert manifest["onnx"]["precision"] == "int8"
    report = manifest["quantization"]
    assert report["split"] == "validation" and report["windows"] == 2 and report["metric"] == "f1"
    assert 0.0 <= report["agreement"] <= 1.0 and report["positions"] > 0
    assert {"fp32", "int8", "minAgreement", "maxMetricDrop", "ops"} <= set(report)
    assert json.loads((int8 / "manifest.json").read_text())["quantization"] == report
    assert "MatMulNBits" in op_types(int8 / "model.onnx") and "MatMulNBits" not in op_types(fp32 / "model.onnx")
    int8_tables = [i for i in onnx.load(str(int8 / "model.onnx")).graph.initializer if i.data_type == onnx.TensorProto.INT8]
    assert [list(table.dims) for table in int8_tables] == [[30522, 64]]  # the word embeddings, one shared table
    assert sorted(p.name for p in int8.iterdir()) == ["MODEL_CARD.md", "manifest.json", "model.onnx", "tokenizer.json"]
    assert (int8 / "model.onnx").stat().st_size < 0.6 * (fp32 / "model.onnx").stat().st_size


def test_a_failed_gate_writes_no_bundle(validated_run, tmp_path, monkeypatch):
    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 1.01)
    with pytest.raises(QuantizationGateError, match="validation positions, below 101 %"):
        export_bundle(validated_run / "best.pt", tmp_path / "refused", int8=True)
    assert not (tmp_path / "refused").exists() and list(tmp_path.iterdir()) == []


def test_export_cli_prints_the_reason_and_exits_non_zero(validated_run, tmp_path, monkeypatch, capsys):
    from aetnet_trainer.export import main as export_main

    monkeypatch.setattr(quantize, "MAX_METRIC_DROP", -1.0)
    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 0.0)
    assert export_main(["--checkpoint", str(validated_run / "best.pt"), "--out", str(tmp_path / "b"), "--int8"]) == 1
    assert "export refused, no bundle written: int8 f1" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_a_run_without_validation_split_cannot_be_gated(trained_run, tmp_path):
    with pytest.raises(QuantizationGateError, match="without --validation-docs"):
        export_bundle(trained_run / "best.pt", tmp_path / "b", int8=True)


class FakeWindows:
    """Three extract windows of 4 tokens ([CLS] a b [SEP]); labels O, B-Q as ids 0, 1."""

    def __init__(self):
        self.windows = [{"docId": f"d{i}", "page": 1, "tokenStart": 0, "inputIds": [0, 5, 6, 2],
                         "labels": [-100, 1, 0, -100]} for i in range(3)]

    def __len__(self):
        return len(self.windows)

    def __getitem__(self, index):
        import torch

        return {"input_ids": torch.tensor([0, 5, 6, 2]), "bbox": torch.zeros(4, 4, dtype=torch.long),
                "word_bbox": torch.zeros(4, 4, dtype=torch.long), "pixel_values": torch.zeros(3, 2, 2),
                "labels": torch.tensor([-100, 1, 0, -100]), "docId": f"d{index}", "page": 1, "window": 0,
                "tokenStart": 0}


def logits_for(labels):
    values = np.zeros((1, 4, 2), np.float32)
    values[0, np.arange(4), labels] = 5.0
    return [values]


def test_agreement_counts_scored_tokens_and_metrics_compare_the_two_precisions():
    windows = FakeWindows()
    right = lambda feeds: logits_for([0, 1, 0, 0])
    calls = iter(range(3))
    one_wrong = lambda feeds: logits_for([1, 0, 0, 1] if next(calls) == 0 else [0, 1, 0, 0])
    report = compare_precisions(right, one_wrong, windows, "extract", ["O", "B-Q"], pad_id=1)
    assert report["positions"] == 6 and report["agreement"] == pytest.approx(5 / 6)  # [CLS]/[SEP] not scored
    assert report["fp32"] == 1.0 and report["int8"] == pytest.approx(2 * (2 / 2) * (2 / 3) / (1 + 2 / 3))
    with pytest.raises(QuantizationGateError, match="83.33 % of 6 validation positions"):
        check_gate(report)
    check_gate({**report, "agreement": 0.995, "int8": report["fp32"] - 0.004})
    with pytest.raises(QuantizationGateError, match="0.60 points below fp32"):
        check_gate({**report, "agreement": 1.0, "int8": report["fp32"] - 0.006})
    with pytest.raises(QuantizationGateError, match="^ask:funsd-qa: int8 agrees"):
        check_gate(report, "ask:funsd-qa")  # a joint bundle's failing part is named


def test_embedding_rows_are_int8_with_one_scale_per_row_and_other_readers_are_left_alone():
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    from aetnet_trainer.quantize import quantize_embedding_rows

    rng = np.random.default_rng(0)
    table = (rng.standard_normal((12000, 8)) * rng.uniform(0.01, 3.0, (12000, 1))).astype(np.float32)
    shared = rng.standard_normal((12000, 8)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
         helper.make_node("Gather", ["shared", "ids"], ["shared_rows"], axis=0),
         helper.make_node("Transpose", ["shared"], ["shared_t"])],
        "g", [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 3])],
        [helper.make_tensor_value_info("rows", TensorProto.FLOAT, [2, 3, 8]),
         helper.make_tensor_value_info("shared_rows", TensorProto.FLOAT, [2, 3, 8]),
         helper.make_tensor_value_info("shared_t", TensorProto.FLOAT, [8, 12000])],
        [numpy_helper.from_array(table, "table"), numpy_helper.from_array(shared, "shared")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    quantize_embedding_rows(model)
    onnx.checker.check_model(model)
    assert {init.name for init in model.graph.initializer} == {
        "table__int8", "table__scale", "shared", "embedding_rows__last_axis"}
    ids = np.array([[0, 5, 11999], [7, 7, 42]], dtype=np.int64)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    rows, shared_rows, _ = session.run(None, {"ids": ids})
    expected = table[ids]
    row_max = np.abs(expected).max(axis=-1, keepdims=True)
    assert np.all(np.abs(rows - expected) <= row_max / 127 / 2 + 1e-6)  # half a step of each row's own scale
    assert np.array_equal(shared_rows, shared[ids])


def test_the_mpnet_text_encoder_exports_with_parity(tmp_path):
    from test_pretrained_mpnet import tiny_mpnet_run_config

    model = build_task_model(tiny_mpnet_run_config(plain=False), LOSS_PRESETS["code-funsd"]).eval()
    inference = model.inference_model().eval()
    export_onnx(inference, sample_inputs(model, 2, 24, 0), tmp_path, opset=17, split=False)
    assert max_parity_diff(inference, model, tmp_path, [16, 64]) <= 1e-4
