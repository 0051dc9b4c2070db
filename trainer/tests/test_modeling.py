import pytest
import torch

from aetnet_trainer.config import ConfigError, preset, resolve_loss_weights, validate
from aetnet_trainer.fusion import fuse, fusion_position_bias, visual_stream
from aetnet_trainer.modeling import build_task_model


def tiny_model(plain=False, task="extract", num_labels=7, loss_preset="paper"):
    config = preset("tiny")
    config.plain, config.model.task, config.model.num_labels = plain, task, num_labels
    torch.manual_seed(0)
    return build_task_model(config, resolve_loss_weights(loss_preset, {})), config.model


def random_batch(cfg, batch=4, length=20, labels=True):
    generator = torch.Generator().manual_seed(1)
    corners = torch.randint(0, 1001, (batch, length, 2, 2), generator=generator)
    bbox = torch.cat([corners.min(dim=2).values, corners.max(dim=2).values], dim=-1)
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[-1, length // 2:] = 0
    result = {
        "input_ids": torch.randint(1, 1000, (batch, length), generator=generator) * mask,
        "attention_mask": mask, "bbox": bbox * mask[..., None], "word_bbox": bbox * mask[..., None],
        "pixel_values": torch.randn(batch, 3, cfg.image_size, cfg.image_size, generator=generator),
        "momentum_pixel_values": torch.randn(batch, 3, cfg.image_size, cfg.image_size, generator=generator),
    }
    if labels:
        result["labels"] = torch.randint(0, 7, (batch, length), generator=generator).masked_fill(mask == 0, -100)
    return result


def test_shapes_per_module_and_head():
    model, cfg = tiny_model()
    batch = random_batch(cfg)
    visual = model.image_encoder(batch["pixel_values"])
    text = model.text_encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    assert visual.shape == (4, 1 + cfg.grid**2, cfg.hidden_size)
    assert text.shape == (4, 20, cfg.hidden_size)
    fused = fuse(model.fusion, batch["input_ids"], batch["attention_mask"], batch["bbox"],
                 visual_stream(model.fusion, batch["pixel_values"], visual), text)
    assert fused.shape == (4, 20 + 1 + cfg.grid**2, cfg.hidden_size)
    output = model(batch)
    assert output.logits.shape == (4, 20, 7)
    assert set(output.terms) == {"task", "ditc", "imc", "glitc", "pita"}
    assert all(torch.isfinite(term) for term in output.terms.values())


def test_mlp_head_above_ten_labels_and_sequence_head():
    model, cfg = tiny_model(num_labels=61)
    assert isinstance(model.head.classifier[2], torch.nn.Tanh)
    assert model(random_batch(cfg, labels=False)).logits.shape == (4, 20, 61)
    model, cfg = tiny_model(task="classify", num_labels=16)
    batch = random_batch(cfg, labels=False)
    batch["labels"] = torch.tensor([0, 3, 15, 2])
    assert model(batch).logits.shape == (4, 16)


def test_train_model_in_eval_mode_matches_inference_model():
    model, cfg = tiny_model()
    batch = random_batch(cfg)
    model.eval()
    with torch.no_grad():
        training_logits = model(batch).logits
        inference_logits = model.inference_model()(
            batch["input_ids"], batch["attention_mask"], batch["bbox"], batch["pixel_values"])
    torch.testing.assert_close(training_logits, inference_logits, rtol=0, atol=0)


def test_eval_does_not_touch_momentum_or_queues():
    model, cfg = tiny_model()
    model(random_batch(cfg)).loss.backward()  # makes online and momentum differ
    with torch.no_grad():
        for param in model.image_encoder.parameters():
            param.add_(1.0)
    before = {name: tensor.clone() for name, tensor in model.state_dict().items() if "_m." in name or "queue" in name}
    model.eval()
    with torch.no_grad():
        output = model(random_batch(cfg))
    after = model.state_dict()
    assert all(torch.equal(before[name], after[name]) for name in before)
    assert all(float(output.terms[name]) == 0.0 for name in ("ditc", "imc", "glitc", "pita"))


def test_training_step_updates_queue_pointer_and_momentum():
    model, cfg = tiny_model()
    momentum_before = model.image_encoder_m.pos_embed.clone()
    with torch.no_grad():
        model.image_encoder.pos_embed.add_(1.0)
    model.train()
    model(random_batch(cfg))
    assert int(model.image_queue.ptr) == 4
    expected = cfg.momentum * momentum_before + (1 - cfg.momentum) * model.image_encoder.pos_embed
    torch.testing.assert_close(model.image_encoder_m.pos_embed, expected)


def test_plain_mode_has_no_alignment_modules_and_task_only_terms():
    model, cfg = tiny_model(plain=True)
    assert model.image_encoder is None and model.momentum_pairs() == [] and not hasattr(model, "image_queue")
    assert all(name.startswith(("fusion.", "head.")) for name in model.state_dict())
    output = model(random_batch(cfg))
    assert float(output.terms["ditc"]) == 0.0 and float(output.terms["task"].detach()) > 0


def test_disabled_terms_are_zero():
    model, cfg = tiny_model(loss_preset="task-only")
    output = model(random_batch(cfg))
    assert [float(output.terms[n]) for n in ("ditc", "imc", "glitc", "pita")] == [0.0] * 4
    assert int(model.image_queue.ptr) == 0


def test_word_embeddings_are_tied():
    model, _ = tiny_model()
    assert model.text_encoder.embeddings.word_embeddings is model.fusion.embeddings.word_embeddings


def test_gather_bias_matches_hf_and_has_gradient():
    model, cfg = tiny_model()
    positions = torch.arange(30).unsqueeze(0).repeat(2, 1)
    bbox = torch.randint(0, 1001, (2, 30, 4))
    ours = fusion_position_bias(model.fusion, positions, bbox)
    torch.testing.assert_close(ours, model.fusion.encoder._compute_position_bias(positions, bbox))
    ours.sum().backward()
    assert model.fusion.encoder.rel_pos_bias.weight.grad is not None


def test_config_validation_messages():
    config = preset("tiny")
    config.train.batch_size = 3
    with pytest.raises(ConfigError, match="queue size 32 is not a multiple of the global batch size 6"):
        validate(config, world_size=2)
    config = preset("tiny")
    config.model.num_heads = 3
    with pytest.raises(ConfigError, match="hidden size 64 is not divisible by the number of heads 3"):
        validate(config)
    config = preset("tiny")
    config.model.shape_size = 10
    with pytest.raises(ConfigError, match="must equal the hidden size 64"):
        validate(config)
    validate(preset("small"))
    validate(preset("base"))
