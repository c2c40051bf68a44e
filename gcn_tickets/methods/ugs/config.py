"""Hyper-parameters of a UGS run (``ugs:`` section of a run config, :mod:`gcn_tickets.config`)."""

from __future__ import annotations

from dataclasses import dataclass

from gcn_tickets.config import register_section
from gcn_tickets.validation import Rule, at_least, check_fields, fraction, one_of, positive, rename_key

__all__ = ["UGSConfig", "RULES"]


@dataclass(frozen=True, kw_only=True)
class UGSConfig:
    """Hyper-parameters of a UGS run (defaults: Cora, published recipe; docs/ugs.md).

    Every field is checked on construction (:data:`RULES`, :func:`gcn_tickets.validation.check_fields`).
    """

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
    graph_sparsity_per_round: float = 0.05  # fraction of the REMAINING edges removed each round
    weight_sparsity_per_round: float = 0.2  # fraction of the REMAINING weights removed each round
    mask_noise: float = 1e-5
    # improved mode
    mask_lr: float = 1.0
    mask_momentum: float = 0.9
    prox_s1: float = 1e-4  # proximal L1 on graph scores (improved; shrink mask_lr·prox_s1 per step)
    prox_s2: float = 1e-4  # proximal L1 on weight scores (improved)
    aux_weight: float = 0.0  # TV edge term (ablation, docs/ugs.md)
    pseudo_weight: float = 0.5
    pseudo_threshold: float = 0.9
    improved_weight_score: str = "mask"  # "mask": |m|; "mask_x_weight": |m ⊙ Θ|; "weight": |Θ|
    improved_weight_opt: str = "sgd"  # weight masks: "sgd" (+ prox L1) or "adam" (as reference)
    graph_prior: str = "resistance"  # improved only: rank edges by |m_g|·(1/d_u + 1/d_v); or "none"
    eval_every: int = 1

    def __post_init__(self) -> None:
        check_fields(self, RULES)


RULES: dict[str, Rule] = {
    **{k: at_least(1) for k in ("rounds", "epochs", "retrain_epochs", "hidden", "num_layers", "eval_every")},
    **{
        k: fraction()
        for k in ("dropout", "graph_sparsity_per_round", "weight_sparsity_per_round", "mask_momentum")
    },
    "lr": positive(),
    **{
        k: at_least(0)
        for k in (
            "weight_decay",
            "s1",
            "s2",
            "mask_noise",
            "mask_lr",
            "prox_s1",
            "prox_s2",
            "aux_weight",
            "pseudo_weight",
        )
    },
    "pseudo_threshold": Rule(lo=0, hi=1),
    "improved_weight_score": one_of("mask", "mask_x_weight", "weight"),
    "improved_weight_opt": one_of("sgd", "adam"),
    "graph_prior": one_of("none", "resistance"),
}

register_section("ugs", UGSConfig)
rename_key("ugs.prune_graph", "ugs.graph_sparsity_per_round")
rename_key("ugs.prune_weight", "ugs.weight_sparsity_per_round")
