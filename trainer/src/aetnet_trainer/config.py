"""Model and training configuration: dataclasses, the tiny/small/base presets, and validation."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

LOSS_TERMS = ("task", "ditc", "imc", "glitc", "pita")
# docs/method.md §3.6: λ per term. code-funsd/code-cord fold the released scripts' "mean of six contrastive terms"
# into per-term weights.
LOSS_PRESETS: dict[str, dict[str, float]] = {
    "paper": {"task": 1.0, "ditc": 1.0, "imc": 1.0, "glitc": 1.0, "pita": 1.0},
    "code-funsd": {"task": 1.0, "ditc": 1 / 3, "imc": 1 / 3, "glitc": 1 / 3, "pita": 1.0},
    "code-cord": {"task": 0.8, "ditc": 0.4, "imc": 0.4, "glitc": 0.4, "pita": 0.4},
    "task-only": {"task": 1.0, "ditc": 0.0, "imc": 0.0, "glitc": 0.0, "pita": 0.0},
}
# docs/method.md §3.5: normalised InfoNCE with τ; unnormalised dot-product CE; minus the mean cosine.
PITA_VARIANTS = ("infonce", "dot_ce", "cosine")
PITA_RULES = ("inside", "center")
INITS = ("none", "minilm", "mpnet")


class ConfigError(ValueError):
    """A configuration that cannot train; the message says which numbers disagree."""


@dataclass
class ModelConfig:
    hidden_size: int
    num_heads: int
    intermediate_size: int
    vit_layers: int
    text_layers: int
    fusion_layers: int
    image_size: int
    patch_size: int
    coordinate_size: int
    shape_size: int
    max_length: int
    embed_dim: int
    queue_size: int
    momentum: float
    # "bert" (absolute positions from 0), "roberta" (positions after pad_id) or "mpnet" (as roberta, plus relative
    # position biases: the architecture of the MPNet weights it starts from)
    text_encoder: str = "bert"
    dropout: float = 0.1
    vocab_size: int = 30522
    pad_id: int = 0
    num_labels: int = 7
    task: str = "extract"  # or "joint": one head per task, `head_labels` = label counts of extract and classify
    head_labels: dict[str, int] = field(default_factory=dict)
    # Width of the key-value head's projections (extract windows with FUNSD links); 0 = no such head.
    pair_dim: int = 0

    @property
    def grid(self) -> int:
        return self.image_size // self.patch_size

    @property
    def fusion_max_positions(self) -> int:
        # Text positions run pad+1..pad+L; layoutlmv3-base keeps one spare row, MPNet's 514-row table does not.
        return self.max_length + self.pad_id + (1 if self.text_encoder == "mpnet" else 2)

    @property
    def text_max_positions(self) -> int:
        if self.text_encoder in ("roberta", "mpnet"):
            return self.max_length + self.pad_id + 1
        return self.max_length


@dataclass
class TrainConfig:
    batch_size: int
    lr: float
    pretrained_lr: float
    weight_decay: float = 0.02
    warmup_fraction: float = 0.05
    min_lr: float = 1e-5
    epochs: int = 30
    max_steps: int | None = None
    grad_clip: float = 1.0
    seed: int = 42
    loss_preset: str = "code-funsd"
    loss_weights: dict[str, float] = field(default_factory=dict)
    alpha: float = 0.0
    pita_variant: str = "infonce"
    pita_rule: str = "inside"
    validation_docs: int = 0  # documents carved out of train for model selection (data.carve_validation)
    init_checkpoint: str | None = None  # an earlier run's weights this run started from (--init-checkpoint)
    init_bundle: str | None = None  # the served bundle this run warm-started from (--init-bundle)
    schedule: str = "full"  # or "quick": few epochs, the lower fusion layers frozen (SCHEDULES)
    frozen_layers: int = 0  # the fusion's lowest blocks and the word embeddings keep their starting weights


@dataclass
class RunConfig:
    preset: str
    model: ModelConfig
    train: TrainConfig
    plain: bool = False
    init: str = "none"  # "minilm" / "mpnet": the text encoder and the fusion's text side start from these weights
    layoutlmv3_dir: str | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @staticmethod
    def from_dict(data: dict) -> RunConfig:
        return RunConfig(
            preset=data["preset"],
            model=ModelConfig(**data["model"]),
            train=TrainConfig(**data["train"]),
            plain=data["plain"],
            init=data["init"],
            layoutlmv3_dir=data["layoutlmv3_dir"],
        )


# MPNet presets: (fusion layers, image size, alignment ViT layers). The fusion takes MPNet's bottom layers; the
# alignment-aware text encoder its bottom two. Costs on 2 cores are in docs/training.md.
MPNET_PRESETS = {"mpnet6": (6, 112, 2), "mpnet12": (12, 224, 4)}
PRESETS = ("tiny", "small", "base", *MPNET_PRESETS)


def preset(name: str) -> RunConfig:
    if name == "tiny":
        model = ModelConfig(
            hidden_size=64, num_heads=2, intermediate_size=256, vit_layers=2, text_layers=2, fusion_layers=2,
            image_size=112, patch_size=16, coordinate_size=12, shape_size=8, max_length=64, embed_dim=32,
            queue_size=32, momentum=0.99,
        )
        return RunConfig("tiny", model, TrainConfig(batch_size=4, lr=3e-4, pretrained_lr=3e-4), init="none")
    if name == "small":
        model = ModelConfig(
            hidden_size=384, num_heads=12, intermediate_size=1536, vit_layers=4, text_layers=4, fusion_layers=4,
            image_size=224, patch_size=16, coordinate_size=64, shape_size=64, max_length=512, embed_dim=128,
            queue_size=128, momentum=0.995,
        )
        return RunConfig("small", model, TrainConfig(batch_size=8, lr=3e-4, pretrained_lr=1e-4), init="minilm")
    if name == "base":
        model = ModelConfig(
            hidden_size=768, num_heads=12, intermediate_size=3072, vit_layers=12, text_layers=12, fusion_layers=12,
            image_size=224, patch_size=16, coordinate_size=128, shape_size=128, max_length=512, embed_dim=256,
            queue_size=128, momentum=0.995, text_encoder="roberta",
        )
        return RunConfig("base", model, TrainConfig(batch_size=8, lr=1e-4, pretrained_lr=1e-4), init="none")
    if name in MPNET_PRESETS:
        fusion_layers, image_size, vit_layers = MPNET_PRESETS[name]
        model = ModelConfig(
            hidden_size=768, num_heads=12, intermediate_size=3072, vit_layers=vit_layers, text_layers=2,
            fusion_layers=fusion_layers, image_size=image_size, patch_size=16, coordinate_size=128, shape_size=128,
            max_length=512, embed_dim=256, queue_size=128, momentum=0.995, text_encoder="mpnet",
            vocab_size=30527, pad_id=1,
        )
        train = TrainConfig(batch_size=4, lr=2e-4, pretrained_lr=5e-5, epochs=20)
        return RunConfig(name, model, train, init="mpnet")
    raise ConfigError(f"unknown config preset {name!r}; expected one of {', '.join(PRESETS)}")


@dataclass(frozen=True)
class Schedule:
    """How long a run trains and how much of it moves. A customer's quick tune on CPU freezes the word embeddings
    and the lower half of the fusion (their weight gradients and optimizer state are skipped) and trains few
    epochs; "full" is the preset's own schedule."""

    epochs: int | None  # None: the preset's
    frozen_fraction: float  # of the fusion layers, from the bottom


SCHEDULES = {"full": Schedule(epochs=None, frozen_fraction=0.0), "quick": Schedule(epochs=6, frozen_fraction=0.5)}


def apply_schedule(config: RunConfig, name: str, epochs: int | None = None) -> None:
    """Sets the run's epochs (an explicit `epochs` wins) and frozen layers from schedule `name`."""
    if name not in SCHEDULES:
        raise ConfigError(f"unknown schedule {name!r}; expected one of {', '.join(SCHEDULES)}")
    schedule, train = SCHEDULES[name], config.train
    train.schedule = name
    train.epochs = epochs or schedule.epochs or train.epochs
    train.frozen_layers = int(config.model.fusion_layers * schedule.frozen_fraction)


def resolve_loss_weights(preset_name: str, overrides: dict[str, float]) -> dict[str, float]:
    if preset_name not in LOSS_PRESETS:
        raise ConfigError(f"unknown loss preset {preset_name!r}; expected one of {sorted(LOSS_PRESETS)}")
    unknown = set(overrides) - set(LOSS_TERMS)
    if unknown:
        raise ConfigError(f"unknown loss term(s) {sorted(unknown)}; expected {list(LOSS_TERMS)}")
    return {**LOSS_PRESETS[preset_name], **overrides}


def parse_loss_weights(text: str | None) -> dict[str, float]:
    """Parses "task=1,ditc=0.5" into {"task": 1.0, "ditc": 0.5}."""
    if not text:
        return {}
    weights = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--loss-weights item {item!r} is not name=value")
        weights[name.strip()] = float(value)
    return weights


def validate(config: RunConfig, world_size: int = 1) -> None:
    """Raises ConfigError before any training starts."""
    model, train = config.model, config.train
    if model.hidden_size % model.num_heads:
        raise ConfigError(
            f"hidden size {model.hidden_size} is not divisible by the number of heads {model.num_heads}"
        )
    spatial = 4 * model.coordinate_size + 2 * model.shape_size
    if spatial != model.hidden_size:
        raise ConfigError(
            f"4*coordinate_size + 2*shape_size = 4*{model.coordinate_size} + 2*{model.shape_size} = {spatial} "
            f"must equal the hidden size {model.hidden_size}"
        )
    if model.image_size % model.patch_size:
        raise ConfigError(f"image size {model.image_size} is not a multiple of the patch size {model.patch_size}")
    global_batch = train.batch_size * world_size
    if not config.plain and model.queue_size % global_batch:
        raise ConfigError(
            f"queue size {model.queue_size} is not a multiple of the global batch size {global_batch} "
            f"(batch {train.batch_size} x {world_size} processes)"
        )
    if model.max_length > 512:
        raise ConfigError(f"max length {model.max_length} exceeds 512")
    if model.text_encoder not in ("bert", "roberta", "mpnet"):
        raise ConfigError(f"text encoder {model.text_encoder!r} must be bert, roberta or mpnet")
    if not 0 <= model.pad_id < model.vocab_size:
        raise ConfigError(f"pad id {model.pad_id} is outside the vocabulary of size {model.vocab_size}")
    if train.pita_variant not in PITA_VARIANTS:
        raise ConfigError(f"--pita {train.pita_variant!r} must be one of {PITA_VARIANTS}")
    if train.pita_rule not in PITA_RULES:
        raise ConfigError(f"--pita-rule {train.pita_rule!r} must be one of {PITA_RULES}")
    if train.lr <= train.min_lr or train.pretrained_lr <= train.min_lr:
        raise ConfigError(f"learning rates ({train.lr}, {train.pretrained_lr}) must exceed the floor {train.min_lr}")
    if config.init not in INITS:
        raise ConfigError(f"--init {config.init!r} must be one of {', '.join(INITS)}")
    if config.init == "minilm" and model.hidden_size != 384:
        raise ConfigError(f"--init minilm needs hidden size 384, the config has {model.hidden_size}")
    if config.init == "mpnet" and (model.hidden_size, model.text_encoder) != (768, "mpnet"):
        raise ConfigError(f"--init mpnet needs hidden size 768 and the mpnet text encoder, the config has "
                          f"{model.hidden_size} and {model.text_encoder}")
    if config.layoutlmv3_dir is not None and not Path(config.layoutlmv3_dir, "config.json").is_file():
        raise ConfigError(f"--layoutlmv3-dir {config.layoutlmv3_dir} has no config.json")
