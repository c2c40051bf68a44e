"""Hyper-parameters of a GEBT run and its YAML dialect (run fields at the top, ``gebt:`` section)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from gcn_tickets.methods.early_bird.detector import (
    DEFAULT_COMBINE,
    DEFAULT_CONVENTION,
    DEFAULT_FIFO,
    EarlyBirdDetector,
)
from gcn_tickets.pruning.priors import GRAPH_PRIORS

__all__ = [
    "GEBTConfig",
    "GRAPH_SCORES",
    "INITS",
    "EDGE_WEIGHTS",
    "load_config",
    "parse_overrides",
    "config_dict",
]

GRAPH_SCORES = ("ugs", "gebt")
INITS = ("inherit", "rewind", "reinit")
EDGE_WEIGHTS = ("binary", "learned")


@dataclass(frozen=True, kw_only=True)
class GEBTConfig:
    """Hyper-parameters of a GEBT run (defaults: GEBT paper, Cora; retraining and the dense
    baseline get the 200 epochs of the standard dense recipe, docs/dense_baselines.md).

    Ratios are sparsities (fraction REMOVED). ``eta=None`` takes the detector's default
    for the convention (:data:`gcn_tickets.methods.early_bird.detector.DEFAULT_ETA`).
    """

    name: str = "gebt"
    dataset: str = "Cora"
    hidden: int = 16
    num_layers: int = 2
    dropout: float = 0.5
    input_dropout: bool = True
    bias: bool = True
    lr: float = 0.01
    weight_decay: float = 5e-4
    graph_scores: str = "gebt"
    graph_lr: float = 1e-3
    graph_l1: float = 0.0
    graph_optimizer: str = "adam"
    graph_prior: str = "none"  # one of GRAPH_PRIORS: |s|, ·(1/d_u + 1/d_v), ·label agreement too
    protect_labelled: bool = False  # prune edges at labelled training nodes last (node tasks)
    aux_weight: float = 0.0
    mask_noise: float = 1e-5
    search_epochs: int = 100
    retrain_epochs: int = 200  # the dense recipe (Kipf & Welling); the paper retrains 100
    graph_sparsity: float = 0.2
    weight_sparsity: float = 0.5
    init: str = "rewind"
    edge_weights: str = "binary"
    convention: str = DEFAULT_CONVENTION
    combine: str = DEFAULT_COMBINE
    eta: float | None = None
    fifo: int = DEFAULT_FIFO
    min_epoch: int = 0
    pairs: str = "consecutive"
    stop: bool = True
    # link prediction (ogbl-*): batches per epoch (None = all training edges)
    steps_per_epoch: int | None = None
    batch_size: int = 64 * 1024
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    sweep_graph: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
    sweep_weight: tuple[float, ...] = (0.5, 0.7, 0.9)

    def __post_init__(self) -> None:
        if self.graph_scores not in GRAPH_SCORES:
            raise ValueError(f"`graph_scores` must be one of {GRAPH_SCORES}, got {self.graph_scores!r}")
        if self.graph_prior not in GRAPH_PRIORS:
            raise ValueError(f"`graph_prior` must be one of {GRAPH_PRIORS}, got {self.graph_prior!r}")
        if not isinstance(self.protect_labelled, bool):
            raise ValueError(f"`protect_labelled` must be true or false, got {self.protect_labelled!r}")
        if self.graph_optimizer not in ("adam", "sgd"):
            raise ValueError(f"`graph_optimizer` must be 'adam' or 'sgd', got {self.graph_optimizer!r}")
        if self.init not in INITS:
            raise ValueError(f"`init` must be one of {INITS}, got {self.init!r}")
        if self.edge_weights not in EDGE_WEIGHTS:
            raise ValueError(f"`edge_weights` must be one of {EDGE_WEIGHTS}, got {self.edge_weights!r}")
        for name in ("graph_sparsity", "weight_sparsity"):
            v = getattr(self, name)
            if not 0.0 <= v < 1.0:
                raise ValueError(f"`{name}` must be a fraction in [0, 1) (removed), got {v}")
        if self.search_epochs < 1 or self.retrain_epochs < 1:
            raise ValueError("`search_epochs` and `retrain_epochs` must be >= 1")

    def detector(self, keep_history: bool = False) -> EarlyBirdDetector:
        """A fresh detector over the groups ``("graph", "weights")`` with these settings."""
        return EarlyBirdDetector(
            groups=("graph", "weights"),
            convention=self.convention,
            combine=self.combine,
            eta=self.eta,
            fifo=self.fifo,
            min_epoch=self.min_epoch,
            pairs=self.pairs,
            keep_history=keep_history,
        )

    def model_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "hidden": self.hidden,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }
        return kw


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``["key=value", "gebt.key=value", ...]`` -> ``{key: YAML-parsed value}``."""
    import yaml

    out: dict[str, Any] = {}
    for it in items:
        if "=" not in it:
            raise ValueError(f"override {it!r} must look like key=value (e.g. gebt.eta=0.05)")
        k, v = it.split("=", 1)
        k = k.strip()
        if k.startswith("gebt."):
            k = k[len("gebt.") :]
        out[k] = yaml.safe_load(v)
    return out


def load_config(
    path: str | Path | None = None, overrides: Iterable[str] | Mapping[str, Any] | None = None
) -> GEBTConfig:
    """Read a YAML config into :class:`GEBTConfig`.

    Layout (as the other configs of ``configs/``): run fields ``name``, ``dataset``,
    ``seeds``, ``sweep_graph``, ``sweep_weight`` at the top, the method's settings under
    ``gebt:``. ``overrides`` are ``key=value`` / ``gebt.key=value`` strings (YAML values)
    or a mapping; they win over the file. Unknown keys are refused, listing the known ones.
    """
    import yaml

    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"config not found: {path}")
        loaded = yaml.safe_load(path.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: a GEBT config must be a YAML mapping")
        section = loaded.pop("gebt", None) or {}
        if not isinstance(section, dict):
            raise ValueError(f"{path}: the `gebt:` section must be a mapping")
        raw = {"name": path.stem, **loaded, **section}
    if overrides is not None:
        raw.update(overrides if isinstance(overrides, Mapping) else parse_overrides(overrides))
    known = {f.name for f in fields(GEBTConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ValueError(f"unknown GEBT setting(s) {unknown}; known: {sorted(known)}")
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in raw.items()}
    return GEBTConfig(**kw)


def config_dict(cfg: GEBTConfig) -> dict[str, Any]:
    """JSON-safe dict of a config."""
    d = asdict(cfg)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}
