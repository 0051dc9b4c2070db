import pytest

from aetnet_trainer.evaluate import entities, entity_scores, merge_windows


def test_entities_follow_seqeval_lenient_iob2():
    tags = ["B-Q", "I-Q", "O", "I-A", "I-A", "B-A", "I-Q", "B-H"]
    assert entities(tags) == [("Q", 0, 1), ("A", 3, 4), ("A", 5, 5), ("Q", 6, 6), ("H", 7, 7)]


def test_entity_scores_known_answer():
    true = [["B-Q", "I-Q", "O", "B-A"], ["B-H", "I-H", "O"]]
    predicted = [["B-Q", "I-Q", "O", "B-Q"], ["B-H", "O", "O"]]
    scores = entity_scores(true, predicted)
    # true: Q(0-1), A(3), H(0-1); predicted: Q(0-1), Q(3), H(0). Only Q(0-1) matches.
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["recall"] == pytest.approx(1 / 3)
    assert scores["f1"] == pytest.approx(1 / 3)
    assert scores["perLabel"]["Q"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert scores["perLabel"]["A"]["support"] == 1 and scores["perLabel"]["A"]["recall"] == 0.0


def test_perfect_and_empty_predictions():
    assert entity_scores([["B-Q", "I-Q"]], [["B-Q", "I-Q"]])["f1"] == 1.0
    assert entity_scores([["B-Q"]], [["O"]])["f1"] == 0.0


def test_merge_windows_takes_the_most_central_prediction():
    # Page of 6 content tokens, windows of 4 content tokens starting at 0 and 2; token 3 is a continuation.
    first = {"docId": "d", "page": 0, "tokenStart": 0,
             "labels": [-100, 1, 2, 0, -100, -100], "predictions": [0, 1, 1, 1, 1, 0]}
    second = {"docId": "d", "page": 0, "tokenStart": 2,
              "labels": [-100, 0, -100, 3, 4, -100], "predictions": [0, 5, 5, 5, 5, 0]}
    pages = merge_windows([first, second])
    gold, predicted = pages[("d", 0)]
    # Tokens 0,1 only in window 1; token 2 is central (offset 2 of 4: centrality 1) in window 1 vs offset 0 in
    # window 2; tokens 4,5 only in window 2.
    assert gold == [1, 2, 0, 3, 4]
    assert predicted == [1, 1, 1, 5, 5]


def test_merge_windows_separates_pages():
    window = {"docId": "d", "page": 0, "tokenStart": 0, "labels": [-100, 1, -100], "predictions": [0, 2, 0]}
    pages = merge_windows([window, {**window, "page": 1}])
    assert set(pages) == {("d", 0), ("d", 1)}
