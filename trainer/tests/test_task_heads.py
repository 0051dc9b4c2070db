"""Sequence classification and question answering heads, and the split image encoder, on the tiny config."""

import pytest
import torch

from test_modeling import random_batch, tiny_model


def classify_batch(cfg):
    batch = random_batch(cfg, labels=False)
    batch["labels"] = torch.tensor([0, 2, 1, 2])
    return batch


def ask_batch(cfg):
    batch = random_batch(cfg, labels=False)
    batch["start_positions"] = torch.tensor([5, 0, 3, 0])
    batch["end_positions"] = torch.tensor([7, 0, 3, 0])
    return batch


def test_sequence_classification_shapes_and_every_loss_term():
    model, cfg = tiny_model(task="classify", num_labels=3)
    output = model(classify_batch(cfg))
    assert output.logits.shape == (4, 3)
    assert set(output.terms) == {"task", "ditc", "imc", "glitc", "pita"}
    # PITA can be 0 here: random boxes rarely fit inside one patch.
    assert all(torch.isfinite(term) for term in output.terms.values())
    assert all(float(output.terms[name].detach()) > 0 for name in ("task", "ditc", "imc", "glitc"))
    output.loss.backward()
    assert model.head.classifier[1].weight.grad is not None


def test_question_answering_shapes_loss_and_outputs():
    model, cfg = tiny_model(task="ask", num_labels=0)
    batch = ask_batch(cfg)
    output = model(batch)
    assert output.logits.shape == (4, 20, 2)
    assert all(torch.isfinite(term) for term in output.terms.values())
    start, end = output.logits.unbind(-1)
    padding = batch["attention_mask"] == 0
    masked = lambda logits: logits.masked_fill(padding, torch.finfo(torch.float32).min)
    expected = 0.5 * (torch.nn.functional.cross_entropy(masked(start), batch["start_positions"])
                      + torch.nn.functional.cross_entropy(masked(end), batch["end_positions"]))
    torch.testing.assert_close(output.terms["task"], expected)
    model.eval()
    with torch.no_grad():
        start_logits, end_logits = model.inference_model()(
            batch["input_ids"], batch["attention_mask"], batch["bbox"], batch["pixel_values"])
    assert start_logits.shape == end_logits.shape == (4, 20)


def test_padding_does_not_change_the_ask_loss():
    model, cfg = tiny_model(task="ask", num_labels=0, plain=True)
    model.eval()
    batch = ask_batch(cfg)
    short = {name: value[:1] for name, value in batch.items()}
    short["input_ids"], short["attention_mask"] = short["input_ids"][:, :12], short["attention_mask"][:, :12]
    short["bbox"], short["word_bbox"] = short["bbox"][:, :12], short["word_bbox"][:, :12]
    padded = {**short, "input_ids": torch.cat([short["input_ids"], torch.zeros(1, 8, dtype=torch.long)], 1),
              "attention_mask": torch.cat([short["attention_mask"], torch.zeros(1, 8, dtype=torch.long)], 1),
              "bbox": torch.cat([short["bbox"], torch.zeros(1, 8, 4, dtype=torch.long)], 1)}
    with torch.no_grad():
        torch.testing.assert_close(model(padded).terms["task"], model(short).terms["task"], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("task,num_labels", [("classify", 3), ("ask", 0)])
def test_eval_mode_equals_inference_model(task, num_labels):
    model, cfg = tiny_model(task=task, num_labels=num_labels)
    batch = random_batch(cfg, labels=False)
    model.eval()
    with torch.no_grad():
        training_logits = model(batch).logits
        outputs = model.inference_model()(batch["input_ids"], batch["attention_mask"], batch["bbox"],
                                          batch["pixel_values"])
    inference_logits = torch.stack(outputs, dim=-1) if task == "ask" else outputs
    torch.testing.assert_close(training_logits, inference_logits, rtol=0, atol=0)


@pytest.mark.parametrize("plain", [False, True])
def test_split_image_side_composes_to_the_full_model(plain):
    model, cfg = tiny_model(task="ask", num_labels=0, plain=plain)
    batch = random_batch(cfg, labels=False)
    inference = model.inference_model().eval()
    with torch.no_grad():
        embeddings = inference.image_embeddings(batch["pixel_values"])
        split = inference.text_side(batch["input_ids"], batch["attention_mask"], batch["bbox"], embeddings)
        full = inference(batch["input_ids"], batch["attention_mask"], batch["bbox"], batch["pixel_values"])
    assert embeddings.shape == (4, 1 + cfg.grid ** 2, cfg.hidden_size)
    for part, whole in zip(split, full, strict=True):
        torch.testing.assert_close(part, whole, rtol=0, atol=0)
