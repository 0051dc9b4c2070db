"""MPNet → LayoutLMv3 transplant (--init mpnet): the name mapping on a tiny random MPNet, equality on the real
weights when scripts/fetch-mpnet.sh has installed them, and the refusals."""

import json

import pytest
import torch
from transformers import MPNetConfig, MPNetModel

from aetnet_trainer.config import LOSS_PRESETS
from aetnet_trainer.config import ConfigError, preset
from aetnet_trainer.modeling import build_task_model
from aetnet_trainer.pretrained import (
    PretrainedMissing,
    load_mpnet,
    mpnet_dir,
    mpnet_to_layoutlmv3,
    read_mpnet,
    require_mpnet,
)
from aetnet_trainer.train import check_pretrained_tokenizer, main

TOLERANCE = 1e-5


def tiny_mpnet_run_config(plain: bool):
    config = preset("tiny")
    model = config.model
    model.text_encoder, model.vocab_size, model.pad_id, model.num_labels = "mpnet", 120, 1, 7
    config.init, config.plain = "mpnet", plain
    return config


def random_mpnet(layers: int) -> tuple[MPNetModel, dict]:
    torch.manual_seed(0)
    config = dict(vocab_size=120, hidden_size=64, num_hidden_layers=layers, num_attention_heads=2,
                  intermediate_size=256, max_position_embeddings=66, pad_token_id=1, relative_attention_num_buckets=32,
                  layer_norm_eps=1e-5)
    reference = MPNetModel(MPNetConfig(**config), add_pooling_layer=False).eval()
    with torch.no_grad():  # a random init has a zero bias table; make the ×√head scaling visible
        reference.encoder.relative_attention_bias.weight.normal_(0, 1.0)
    return reference, config


def text_inputs(vocab: int, length: int = 12):
    ids = torch.randint(4, vocab, (2, length))
    ids[:, 0], ids[0, -1] = 0, 2
    ids[1, length // 2:] = 1  # the second row is padded
    ids[1, length // 2 - 1] = 2
    return ids, (ids != 1).long()


def fusion_text_only(model, ids, mask):
    """HF LayoutLMv3's forward without pixel values: the text stream alone, boxes at zero."""
    return model.fusion(input_ids=ids, attention_mask=mask, bbox=torch.zeros(*ids.shape, 4, dtype=torch.long)).last_hidden_state


def max_difference(a, b, mask):
    return (a - b)[mask.bool()].abs().max().item()


def test_tiny_random_mpnet_maps_onto_the_fusion_and_text_encoder():
    reference, mpnet_config = random_mpnet(layers=2)
    model = build_task_model(tiny_mpnet_run_config(plain=False), LOSS_PRESETS["code-funsd"]).eval()
    initialised = load_mpnet(model, reference.state_dict(), mpnet_config)
    assert "fusion.encoder.rel_pos_bias" in initialised and "text_encoder." in initialised
    ids, mask = text_inputs(mpnet_config["vocab_size"])
    with torch.no_grad():
        expected = reference(input_ids=ids, attention_mask=mask).last_hidden_state
        assert max_difference(fusion_text_only(model, ids, mask), expected, mask) <= TOLERANCE
        text = model.text_encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        assert max_difference(text, expected, mask) <= TOLERANCE
        momentum = model.text_encoder_m(input_ids=ids, attention_mask=mask).last_hidden_state
        assert max_difference(momentum, text, mask) == 0.0
    embeddings = model.fusion.embeddings
    assert embeddings.x_position_embeddings.weight.abs().sum() == 0
    assert model.fusion.encoder.rel_pos_x_bias.weight.abs().sum() == 0


def test_dropping_the_bias_scaling_breaks_the_equality():
    reference, mpnet_config = random_mpnet(layers=2)
    model = build_task_model(tiny_mpnet_run_config(plain=True), LOSS_PRESETS["code-funsd"]).eval()
    load_mpnet(model, reference.state_dict(), mpnet_config)
    unscaled = mpnet_to_layoutlmv3(reference.state_dict(), [0, 1], head_size=1)
    model.fusion.load_state_dict({"encoder.rel_pos_bias.weight": unscaled["encoder.rel_pos_bias.weight"]}, strict=False)
    ids, mask = text_inputs(mpnet_config["vocab_size"])
    with torch.no_grad():
        expected = reference(input_ids=ids, attention_mask=mask).last_hidden_state
        assert max_difference(fusion_text_only(model, ids, mask), expected, mask) > 1e-3


def test_fewer_fusion_layers_take_the_bottom_mpnet_layers():
    reference, mpnet_config = random_mpnet(layers=3)
    model = build_task_model(tiny_mpnet_run_config(plain=True), LOSS_PRESETS["code-funsd"])
    load_mpnet(model, reference.state_dict(), mpnet_config)
    source = reference.encoder.layer[1].attention.attn.q.weight
    assert torch.equal(model.fusion.encoder.layer[1].attention.self.query.weight, source)


def test_mpnet_missing_names_the_install_command(tmp_path, monkeypatch, prepared_dir, capsys):
    monkeypatch.setenv("AETNET_MPNET_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(PretrainedMissing, match="scripts/fetch-mpnet.sh"):
        require_mpnet()
    code = main(["--data", str(prepared_dir), "--config", "mpnet6", "--out", str(tmp_path / "run")])
    assert code == 2
    assert "run `bash scripts/fetch-mpnet.sh`" in capsys.readouterr().err
    assert not (tmp_path / "run" / "log.jsonl").exists()


def test_a_tokenizer_with_another_vocabulary_is_refused_with_both_sizes(tmp_path, monkeypatch, prepared_dir):
    fake_mpnet = tmp_path / "mpnet"
    fake_mpnet.mkdir()
    for name in ("model.safetensors", "config.json"):
        (fake_mpnet / name).write_text("{}")
    vocab = {f"t{i}": i for i in range(30527)}
    (fake_mpnet / "tokenizer.json").write_text(json.dumps({"model": {"vocab": vocab}}))
    monkeypatch.setenv("AETNET_MPNET_DIR", str(fake_mpnet))
    meta = json.loads((prepared_dir / "dataset.json").read_text())
    ours = len(json.loads((prepared_dir / meta["tokenizer"]).read_text())["model"]["vocab"])
    with pytest.raises(ConfigError, match=rf"vocabulary of 30527 tokens.*different vocabulary of {ours} tokens"):
        check_pretrained_tokenizer(prepared_dir, meta, "mpnet")


mpnet_installed = pytest.mark.skipif(not (mpnet_dir() / "model.safetensors").is_file(),
                                     reason="all-mpnet-base-v2 is not installed (bash scripts/fetch-mpnet.sh)")


@mpnet_installed
def test_real_mpnet_weights_give_mpnet_outputs_at_step_zero():
    weights, mpnet_config = read_mpnet()
    config = preset("mpnet12")
    config.plain, config.model.num_labels = True, 7
    model = build_task_model(config, LOSS_PRESETS["code-funsd"]).eval()
    load_mpnet(model, weights, mpnet_config)
    reference = MPNetModel(MPNetConfig(**{k: v for k, v in mpnet_config.items() if not k.startswith("_")}),
                           add_pooling_layer=False).eval()
    reference.load_state_dict({k: v for k, v in weights.items() if not k.startswith("pooler.")}, strict=False)
    torch.manual_seed(1)
    ids, mask = text_inputs(mpnet_config["vocab_size"], length=40)
    with torch.no_grad():
        expected = reference(input_ids=ids, attention_mask=mask).last_hidden_state
        assert max_difference(fusion_text_only(model, ids, mask), expected, mask) <= TOLERANCE
        unscaled = mpnet_to_layoutlmv3(weights, list(range(12)), head_size=1)
        model.fusion.load_state_dict({"encoder.rel_pos_bias.weight": unscaled["encoder.rel_pos_bias.weight"]}, strict=False)
        assert max_difference(fusion_text_only(model, ids, mask), expected, mask) > 1e-3
