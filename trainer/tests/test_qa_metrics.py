import numpy as np
import pytest

from aetnet_trainer.qa_metrics import (
    anls,
    best_span_in_window,
    decode_question,
    exact_match,
    levenshtein,
    normalise_answer,
    qa_scores,
    span_text,
)


def test_levenshtein_and_normalisation():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3 and levenshtein("abc", "abc") == 0
    assert normalise_answer("  John   SMITH \n") == "john smith"


def test_anls_known_strings():
    assert anls("John Smith", ["john  smith"]) == 1.0
    # "jon smith" vs "john smith": distance 1 over 10 characters.
    assert anls("jon smith", ["john smith"]) == pytest.approx(0.9)
    # the best of several acceptable answers counts
    assert anls("42", ["forty two", "42"]) == 1.0
    # similarity 1 − 3/5 = 0.4 is under the 0.5 threshold
    assert anls("abcde", ["abxyz"]) == 0.0
    # exactly 0.5 is kept
    assert anls("ab", ["ax"]) == pytest.approx(0.5)
    assert anls("", ["paris"]) == 0.0
    assert anls("", []) == 1.0 and anls("paris", []) == 0.0


def test_exact_match():
    assert exact_match("Paris ", ["paris"]) == 1.0
    assert exact_match("paris france", ["paris"]) == 0.0
    assert exact_match("", []) == 1.0 and exact_match("x", []) == 0.0


def test_qa_scores_average_over_questions():
    scores = qa_scores(["john smith", "jon smith", ""], [["john smith"], ["john smith"], []])
    assert scores["anls"] == pytest.approx((1 + 0.9 + 1) / 3)
    assert scores["exactMatch"] == pytest.approx(2 / 3)
    assert scores["questions"] == 3 and scores["answered"] == 2


def test_best_span_respects_order_context_and_length():
    start = np.array([9.0, 0, 0, 1, 5, 0, 0])
    end = np.array([9.0, 0, 4, 0, 0, 2, 0])
    # context is tokens 1..5; end 2 comes before start 4, so the best ordered span is (4, 5) = 7 vs (3, 5) = 3 …
    assert best_span_in_window(start, end, 1, 5, 30) == (7.0, 4, 5)
    # … and with at most one token, (4, 4) = 5
    assert best_span_in_window(start, end, 1, 5, 1) == (5.0, 4, 4)


def window(start, end, context_start, word_ids, words):
    return {"startLogits": np.array(start, dtype=float), "endLogits": np.array(end, dtype=float),
            "contextStart": context_start, "wordIds": word_ids, "words": words}


WORDS = ["name", "john", "smith", "date", "2024"]


def test_decode_picks_the_best_window_and_whole_words():
    # [CLS] q [SEP] c c c [SEP]; window 0 holds words 0,1,1 (john = two sub-tokens); window 1 holds 2,3,4.
    first = window([3, 0, 0, 1, 2, 0, 0], [3, 0, 0, 0, 1, 2, 0], 3, [-1, -1, -1, 0, 1, 1, -1], WORDS)
    second = window([0, 0, 0, 5, 0, 0, 0], [0, 0, 0, 0, 4, 0, 0], 3, [-1, -1, -1, 2, 3, 4, -1], WORDS)
    result = decode_question([first, second])
    # no-answer = min(3+3, 0+0) = 0; best span: window 1 tokens 3..4 = 9 > window 0's 4
    assert result["window"] == 1 and (result["start"], result["end"]) == (3, 4)
    assert result["answer"] == "smith date"
    assert span_text([1, 1, -1], WORDS) == "john"


def test_decode_returns_no_answer_when_cls_wins_everywhere():
    only = window([9, 0, 0, 1, 1, 0], [9, 0, 0, 1, 1, 0], 3, [-1, -1, -1, 0, 1, -1], WORDS)
    result = decode_question([only])
    assert result["answer"] == "" and result["window"] is None and result["noAnswerScore"] == 18
