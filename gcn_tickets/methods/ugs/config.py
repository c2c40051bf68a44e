"""Hyper-parameters of a UGS run (``ugs:`` section of a run config)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UGSConfig"]


@dataclass(frozen=True, kw_only=True)
class UGSConfig:
    """Hyper-parameters of a UGS run (defaults: Cora, published recipe)."""

    rounds: int = 20
    epochs: int = 200
    retrain_epochs: int = 200
    hidden: int = 512
    num_layers: int = 2
    dropout: float = 0.5
    input_dropout: bool = False
    bias: bool = False
    lr: float = 0.008
    weight_decay: float = 8e-5
    s1: float = 1e-2  # graph-mask L1 (γ1)
    s2: float = 1e-2  # weight-mask L1 (γ2)
    prune_graph: float = 0.05
    prune_weight: float = 0.2
    mask_noise: float = 1e-5
    # improved mode
    mask_lr: float = 1.0
    mask_momentum: float = 0.9
    prox_s1: float = 1e-4  # proximal L1 on graph scores (improved; shrink mask_lr·prox_s1 per step)
    prox_s2: float = 1e-4  # proximal L1 on weight scores (improved)
    aux_weight: float = 0.0  # TV edge term (ablation; > 0 measured worse)
    pseudo_weight: float = 0.5
    pseudo_threshold: float = 0.9
    improved_weight_score: str = "mask"  # "mask": |m|; "mask_x_weight": |m ⊙ Θ|; "weight": |Θ|
    improved_weight_opt: str = "sgd"  # weight masks: "sgd" (+ prox L1) or "adam" (as reference)
    graph_prior: str = "resistance"  # improved only: rank edges by |m_g|·(1/d_u + 1/d_v); or "none"
    eval_every: int = 1

    def __post_init__(self) -> None:
        choices = {
            "improved_weight_score": ("mask", "mask_x_weight", "weight"),
            "improved_weight_opt": ("sgd", "adam"),
            "graph_prior": ("none", "resistance"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"UGS `{name}` must be one of {allowed}, got {getattr(self, name)!r}")
        for name in ("prune_graph", "prune_weight"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"UGS `{name}` must be a fraction in [0, 1), got {getattr(self, name)}")
