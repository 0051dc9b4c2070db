"""The golden cases src/evaluation/golden-metrics.spec.ts reads too: the trainer's and the service's metrics agree."""

import json
from pathlib import Path

import pytest

from aetnet_trainer.classify_metrics import classification_scores
from aetnet_trainer.evaluate import entity_scores
from aetnet_trainer.qa_metrics import anls, exact_match, qa_scores

CASES = json.loads((Path(__file__).parents[2] / "test" / "fixtures" / "metric-cases.json").read_text())


def test_anls_and_exact_match_per_answer_and_for_a_set():
    for case in CASES["qa"]["answers"]:
        assert anls(case["prediction"], case["answers"]) == pytest.approx(case["anls"]), case
        assert exact_match(case["prediction"], case["answers"]) == pytest.approx(case["exactMatch"]), case
    expected = CASES["qa"]["scores"]
    scores = qa_scores(expected["predictions"], expected["answers"])
    for name in ("anls", "exactMatch", "questions", "answered"):
        assert scores[name] == pytest.approx(expected[name]), name


def test_entity_scores_from_bio_tags():
    for case in CASES["entities"]:
        scores = entity_scores(case["gold"], case["predicted"])
        for name in ("precision", "recall", "f1"):
            assert scores[name] == pytest.approx(case[name]), (case["about"], name)
        assert {label: value["f1"] for label, value in scores["perLabel"].items()} == pytest.approx(case["perLabelF1"])


def test_classification_scores():
    for case in CASES["classification"]:
        index = {label: i for i, label in enumerate(case["labels"])}
        scores = classification_scores([(index[g], index[p]) for g, p in case["pairs"]], case["labels"])
        assert scores["accuracy"] == pytest.approx(case["accuracy"])
        assert scores["macroF1"] == pytest.approx(case["macroF1"])
        assert scores["confusion"] == case["confusion"]


def test_bio_constrained_decoding_of_token_labels():
    import numpy as np

    from aetnet_trainer.evaluate import decode_bio_tags

    for case in CASES["bioDecoding"]:
        tags = decode_bio_tags(np.array(case["logProbs"]), case["labels"])
        assert [case["labels"][i] for i in tags] == case["tags"], case["about"]
