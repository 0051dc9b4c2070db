"""Extractive document VQA: span decoding across a question's windows, ANLS and exact match.

Windows follow docs/prepared-dataset.md (`task: "ask"`): `[CLS] question [SEP] context [SEP]`, `contextStart` = the
first context token, `wordIds`/`words` map tokens to the page's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_ANSWER_TOKENS = 30
ANLS_THRESHOLD = 0.5


def normalise_answer(text: str) -> str:
    return " ".join(text.lower().split())


def levenshtein(first: str, second: str) -> int:
    previous = list(range(len(second) + 1))
    for row, first_char in enumerate(first, start=1):
        current = [row]
        for column, second_char in enumerate(second, start=1):
            current.append(min(previous[column] + 1, current[column - 1] + 1,
                               previous[column - 1] + (first_char != second_char)))
        previous = current
    return previous[-1]


def anls(prediction: str, answers: list[str], threshold: float = ANLS_THRESHOLD) -> float:
    """Max over the acceptable answers of 1 − normalised Levenshtein, 0 below `threshold`. A question without
    answers scores 1 when the prediction is empty ("no answer"), else 0."""
    predicted = normalise_answer(prediction)
    if not answers:
        return 1.0 if not predicted else 0.0
    best = 0.0
    for answer in answers:
        gold = normalise_answer(answer)
        longest = max(len(gold), len(predicted))
        similarity = 1.0 if longest == 0 else 1.0 - levenshtein(gold, predicted) / longest
        best = max(best, similarity if similarity >= threshold else 0.0)
    return best


def exact_match(prediction: str, answers: list[str]) -> float:
    predicted = normalise_answer(prediction)
    if not answers:
        return float(not predicted)
    return float(any(predicted == normalise_answer(answer) for answer in answers))


@dataclass
class Span:
    score: float
    window: int
    start: int
    end: int


def best_span_in_window(start_logits: np.ndarray, end_logits: np.ndarray, context_start: int, context_end: int,
                        max_answer_tokens: int) -> tuple[float, int, int] | None:
    """Best (score, start, end) with context_start ≤ start ≤ end ≤ context_end and end − start < max_answer_tokens."""
    if context_end < context_start:
        return None
    starts = start_logits[context_start:context_end + 1]
    ends = end_logits[context_start:context_end + 1]
    scores = starts[:, None] + ends[None, :]
    offsets = np.arange(len(starts))
    width = offsets[None, :] - offsets[:, None]
    scores = np.where((width >= 0) & (width < max_answer_tokens), scores, -np.inf)
    start, end = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return float(scores[start, end]), context_start + int(start), context_start + int(end)


def span_text(word_ids: list[int], words: list[str]) -> str:
    """The words a token span touches, each once, in order."""
    seen: list[int] = []
    for word_id in word_ids:
        if word_id >= 0 and word_id not in seen:
            seen.append(word_id)
    return " ".join(words[word_id] for word_id in seen)


def decode_question(windows: list[dict], max_answer_tokens: int = MAX_ANSWER_TOKENS) -> dict:
    """windows: one question's windows, each with `startLogits`, `endLogits` (its real tokens), `contextStart`,
    `wordIds`, `words`. The no-answer score is the lowest [CLS] score over the windows (a window that holds the
    answer should not vote for "no answer"); the answer is empty when it beats the best span."""
    no_answer = min(float(w["startLogits"][0] + w["endLogits"][0]) for w in windows)
    best: Span | None = None
    for index, window in enumerate(windows):
        # The last token is the closing [SEP].
        found = best_span_in_window(np.asarray(window["startLogits"]), np.asarray(window["endLogits"]),
                                    window["contextStart"], len(window["startLogits"]) - 2, max_answer_tokens)
        if found is not None and (best is None or found[0] > best.score):
            best = Span(found[0], index, found[1], found[2])
    if best is None or no_answer > best.score:
        return {"answer": "", "score": no_answer, "noAnswerScore": no_answer, "window": None}
    window = windows[best.window]
    text = span_text(window["wordIds"][best.start:best.end + 1], window["words"])
    return {"answer": text, "score": best.score, "noAnswerScore": no_answer, "window": best.window,
            "start": best.start, "end": best.end}


def qa_scores(predictions: list[str], answers: list[list[str]]) -> dict:
    count = len(predictions)
    return {
        "anls": sum(anls(p, a) for p, a in zip(predictions, answers, strict=True)) / count if count else 0.0,
        "exactMatch": sum(exact_match(p, a) for p, a in zip(predictions, answers, strict=True)) / count if count else 0.0,
        "questions": count,
        "answered": sum(1 for p in predictions if normalise_answer(p)),
    }
