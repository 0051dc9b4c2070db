import numpy as np
import pytest

from aetnet_trainer.classify_metrics import classification_scores, document_predictions


def test_documents_average_their_window_probabilities():
    windows = [
        {"docId": "a", "classLabel": 1, "logits": np.log([0.6, 0.4, 1e-9])},
        {"docId": "a", "classLabel": 1, "logits": np.log([0.1, 0.9, 1e-9])},  # mean (0.35, 0.65): class 1
        {"docId": "b", "classLabel": 0, "logits": np.array([0.0, 3.0, 0.0])},
    ]
    documents = document_predictions(windows)
    assert documents["a"][:2] == (1, 1) and documents["b"][:2] == (0, 1)
    np.testing.assert_allclose(documents["a"][2][:2], [0.35, 0.65], atol=1e-6)


def test_accuracy_per_class_scores_and_confusion():
    pairs = [(0, 0), (0, 1), (1, 1), (2, 1), (2, 2)]
    scores = classification_scores(pairs, ["x", "y", "z"])
    assert scores["accuracy"] == pytest.approx(3 / 5)
    assert scores["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 1, 1]]
    assert scores["perLabel"]["y"] == {"precision": pytest.approx(1 / 3), "recall": 1.0, "f1": 0.5, "support": 1}
    assert scores["perLabel"]["x"]["recall"] == 0.5 and scores["perLabel"]["x"]["precision"] == 1.0
    assert scores["documents"] == 5
