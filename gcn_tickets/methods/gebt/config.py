"""Hyper-parameters of a GEBT run and its YAML dialect (run fields at the top, ``gebt:`` section)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcn_tickets import config as run_config
from gcn_tickets.methods.early_bird.detector import (
    COMBINE_RULES,
    CONVENTIONS,
    DEFAULT_COMBINE,
    DEFAULT_CONVENTION,
    DEFAULT_FIFO,
    EarlyBirdDetector,
)
from gcn_tickets.pruning.priors import GRAPH_PRIORS
from gcn_tickets.validation import Rule, at_least, check_fields, fraction, one_of, positive

__all__ = [
    "GEBTConfig",
    "RULES",
    "RUN_KEYS",
    "GRAPH_SCORES",
    "INITS",
    "EDGE_WEIGHTS",
    "load_config",
    "parse_overrides",
    "config_dict",
]

GRAPH_SCORES = ("ugs", "gebt")
#: the fields of :class:`GEBTConfig` that configure its :class:`EarlyBirdDetector`
DETECTOR_KEYS = ("convention", "combine", "eta", "fifo", "min_epoch", "pairs")
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
    bias: bool = True
    dropout: float = 0.5
    input_dropout: bool = True
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
        check_fields(self, RULES)

    def detector(self, keep_history: bool = False) -> EarlyBirdDetector:
        """A fresh detector over the groups ``("graph", "weights")`` with these settings."""
        settings = {
            k: getattr(self, k) for k in ("convention", "combine", "eta", "fifo", "min_epoch", "pairs")
        }
        return EarlyBirdDetector(groups=("graph", "weights"), keep_history=keep_history, **settings)

    def model_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "hidden": self.hidden,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }
        return kw


RULES: dict[str, Rule] = {
    **{k: at_least(1) for k in ("hidden", "num_layers", "search_epochs", "retrain_epochs", "batch_size")},
    **{k: at_least(1) for k in ("steps_per_epoch",)},
    **{
        k: fraction() for k in ("dropout", "graph_sparsity", "weight_sparsity", "sweep_graph", "sweep_weight")
    },
    **{k: positive() for k in ("lr", "eta")},
    **{
        k: at_least(0)
        for k in ("weight_decay", "graph_lr", "graph_l1", "aux_weight", "mask_noise", "min_epoch", "seeds")
    },
    "name": run_config.RUN_RULES["name"],
    "fifo": at_least(2),
    "graph_scores": one_of(*GRAPH_SCORES),
    "graph_optimizer": one_of("adam", "sgd"),
    "graph_prior": one_of(*GRAPH_PRIORS),
    "init": one_of(*INITS),
    "edge_weights": one_of(*EDGE_WEIGHTS),
    "convention": one_of(*CONVENTIONS),
    "combine": one_of(*COMBINE_RULES, "graph", "weights"),
    "pairs": one_of("consecutive", "newest"),
}
# run fields: at the top of a GEBT YAML file (the rest goes under ``gebt:``)
RUN_KEYS = ("name", "dataset", "seeds", "sweep_graph", "sweep_weight")

run_config.register_section("gebt", GEBTConfig)


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """``["key=value", "gebt.key=value", ...]`` -> ``{key: YAML-parsed value}``."""
    return run_config.flat_overrides(items, "gebt")


def load_config(
    path: str | Path | None = None, overrides: Iterable[str] | Mapping[str, Any] | None = None
) -> GEBTConfig:
    """Read a YAML config into :class:`GEBTConfig` (through :func:`gcn_tickets.config.load_flat`).

    Layout (as the other configs of ``configs/``): run fields ``name``, ``dataset``,
    ``seeds``, ``sweep_graph``, ``sweep_weight`` at the top, the method's settings under
    ``gebt:``. ``overrides`` are ``key=value`` / ``gebt.key=value`` strings (YAML values)
    or a mapping; they win over the file. Unknown keys are refused, listing the known ones;
    every value is checked (:data:`RULES`) before anything runs.
    """
    return run_config.load_flat(GEBTConfig, "gebt", path, overrides, run_keys=RUN_KEYS, title="GEBT")


def config_dict(cfg: GEBTConfig) -> dict[str, Any]:
    """JSON-safe dict of a config (tuples as lists): the ``config.json`` of a GEBT run."""
    return run_config.config_dict(cfg)
