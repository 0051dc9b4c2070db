"""The span head of key lookup (ask_reader): its examples, its graph's behaviour under dynamic batching's padding,
the run that trains, exports and declares it, and bad input."""
import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch

from aetnet_trainer import ask_reader
from synthetic_dataset import write_synthetic_dataset

REPO = Path(__file__).resolve().parents[2]
TINY_PAIRS = REPO / "test" / "fixtures" / "pair-bundles" / "tiny-pairs"


def window(word_ids, entities, links):
    boxes = [[0, 0, 0, 0]] + [[10 * w, 10, 10 * w + 8, 20] for w in word_ids[1:-1]] + [[0, 0, 0, 0]]
    return {"docId": "d", "wordIds": word_ids, "wordBbox": boxes, "bbox": boxes, "pairEntities": entities, "pairLinks": links}


def test_window_words_are_each_words_first_token_in_window_order():
    assert ask_reader.window_words([-1, 4, 4, 5, 7, 7, -1]) == [(4, 1), (5, 3), (7, 4)]


def test_a_key_asks_for_its_linked_answers_and_a_key_without_one_for_no_answer():
    entities = [{"label": "QUESTION", "firstWord": 0, "lastWord": 0}, {"label": "ANSWER", "firstWord": 1, "lastWord": 2},
                {"label": "QUESTION", "firstWord": 3, "lastWord": 3}, {"label": "ANSWER", "firstWord": 4, "lastWord": 4},
                {"label": "QUESTION", "firstWord": 5, "lastWord": 5}]
    # Words 0–5 in the window (word 1 split in two tokens); key 2's answer (word 4) links both answers 1 and 3.
    win = window([-1, 0, 1, 1, 2, 3, 4, 5, -1], entities, [[0, 1], [2, 3], [2, 1]])
    features = np.arange(6 * 2, dtype=np.float32).reshape(6, 2)
    examples = ask_reader.window_examples(win, features)
    assert [example["key_mask"].tolist() for example in examples] == [[1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1]]
    assert [example["answers"] for example in examples] == [[(1, 2)], [(4, 4), (1, 2)], []]
    # A key whose answer is cut by the window's edge cannot be told here: no example.
    cut = window([-1, 0, 1, -1], entities, [[0, 1]])
    assert ask_reader.window_examples(cut, features[:2]) == []


def test_padding_words_change_nothing_so_dynamic_batching_may_merge_windows():
    torch.manual_seed(0)
    model = ask_reader.AskReader(6, hidden=16).eval()
    rng = np.random.default_rng(0)

    def example(words):
        boxes = rng.integers(0, 900, size=(words, 2)).astype(np.float32)
        boxes = np.concatenate([boxes, boxes + 50], 1)
        mask = np.zeros(words, dtype=np.float32)
        mask[1] = 1
        return {"word_features": rng.normal(size=(words, 6)).astype(np.float32), "word_boxes": boxes, "segment_boxes": boxes,
                "key_mask": mask, "answers": [(2, 3)]}

    short, long = example(5), example(9)
    with torch.no_grad():
        alone = ask_reader.with_none(*model(*(ask_reader.batch_of([short])[name] for name in ask_reader.INPUTS)))
        together = ask_reader.with_none(*model(*(ask_reader.batch_of([short, long])[name] for name in ask_reader.INPUTS)))
    for single, merged in zip(alone, together):
        assert torch.allclose(single[0], merged[0, :6], atol=1e-5)
    # The key's own words never answer it.
    assert alone[0][0, 2] < -1e3 and alone[1][0, 2] < -1e3


def test_best_span_is_against_no_answer_and_no_longer_than_allowed():
    start, end = np.array([1.0, 0, 3, 0]), np.array([1.0, 0, 0, 2])
    assert ask_reader.best_span(start, end, 5) == (1, 2)
    assert ask_reader.best_span(start, end, 1) == (1, 1)
    assert ask_reader.best_span(np.array([9.0, 0, 3, 0]), end, 5) is None


@pytest.fixture(scope="module")
def bundle_with_reader(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-reader")
    bundle = root / "tiny-pairs"
    shutil.copytree(TINY_PAIRS, bundle)
    data = write_synthetic_dataset(root / "data", train_docs=12, test_docs=2, pairs=True)
    # The same forms twice, as a gold-word and an OCR dataset would be.
    code = ask_reader.main(["--bundle", str(bundle), "--data", f"{data},{data}", "--out", str(root / "run"), "--epochs", "3",
                            "--hidden", "16", "--validation-docs", "3", "--threads", "1", "--write"])
    assert code == 0
    return bundle, root / "run"


def test_the_reader_goes_into_the_bundle_and_its_manifest(bundle_with_reader):
    bundle, run = bundle_with_reader
    manifest = json.loads((bundle / "manifest.json").read_text())
    reader = manifest["tasks"]["ask"]["keyLookup"]["reader"]
    assert reader == {"file": "ask-reader.onnx", "from": ["logits", "pair_keys", "pair_values"], "maxAnswerWords": 40}
    assert manifest["tasks"]["ask"]["keyLookup"]["minKeySimilarity"] == 0.6
    assert manifest["tasks"]["extract"]["outputs"] == {"logits": "logits"}
    metrics = json.loads((run / "metrics.json").read_text())
    assert 1 <= metrics["epochs"] <= 3 and len(metrics["curve"]) == 3 and metrics["parityMaxAbsDiff"] < 1e-4
    assert len(metrics["data"]) == 2 and metrics["trainingKeys"] % 2 == 0
    session = ort.InferenceSession(str(bundle / "ask-reader.onnx"), providers=["CPUExecutionProvider"])
    assert [node.name for node in session.get_inputs()] == list(ask_reader.INPUTS)
    assert [node.name for node in session.get_outputs()] == list(ask_reader.OUTPUTS)
    width = sum(json.loads((bundle / "manifest.json").read_text())["outputs"][name]["shape"][2] for name in reader["from"])
    feeds = {"word_features": np.zeros((2, 7, width), np.float32), "word_boxes": np.zeros((2, 7, 4), np.float32),
             "segment_boxes": np.zeros((2, 7, 4), np.float32), "key_mask": np.eye(2, 7, dtype=np.float32),
             "word_mask": np.ones((2, 7), np.float32)}
    start, end, none = session.run(None, feeds)
    assert start.shape == end.shape == (2, 7) and none.shape == (2, 2)


def test_an_ocr_reader_goes_beside_the_reader_and_needs_one(bundle_with_reader, tmp_path):
    bundle, run = bundle_with_reader
    args = ask_reader.parse_args(["--bundle", str(bundle), "--data", "x", "--out", "y", "--for-words", "ocr"])
    features = list(ask_reader.DEFAULT_FEATURES)
    ask_reader.write_reader(bundle, run / "ask-reader.onnx", features, args, {"note": "ocr"})
    reader = json.loads((bundle / "manifest.json").read_text())["tasks"]["ask"]["keyLookup"]["reader"]
    assert reader["file"] == "ask-reader.onnx" and reader["ocrFile"] == "ask-reader-ocr.onnx"
    assert (bundle / "ask-reader-ocr.onnx").read_bytes() == (run / "ask-reader.onnx").read_bytes()
    plain = tmp_path / "plain"
    shutil.copytree(TINY_PAIRS, plain)
    with pytest.raises(ValueError, match="no span reader"):
        ask_reader.write_reader(plain, run / "ask-reader.onnx", features, args, {})


def test_bad_input_is_a_configuration_error(tmp_path, capsys):
    classify = write_synthetic_dataset(tmp_path / "classify", train_docs=4, test_docs=1, task="classify")
    assert ask_reader.main(["--bundle", str(TINY_PAIRS), "--data", str(classify), "--out", str(tmp_path / "run")]) == 2
    assert "not an extract dataset with pairs" in capsys.readouterr().err
    assert ask_reader.main(["--bundle", str(tmp_path / "missing"), "--data", str(classify), "--out", str(tmp_path / "run")]) == 2
