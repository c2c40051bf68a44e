"""GEBT graph scores: the model, the learned edge scores s, their optimisers and hooks.

``graph_scores="ugs"``: one Adam over weights and scores (no weight decay on s), L1 as the
sign sub-gradient ``graph_l1·sign(s)``; ``"gebt"`` (default): s gets its own optimiser
(``graph_optimizer`` Adam, or SGD with momentum 0.9, lr ``graph_lr``) and is clamped to ≥ 0
after each step. ``aux_weight`` > 0 adds ``aux_weight`` × mean_e s_e·(1 − p_u·p_v). The edge
rank inputs: the prior of ``graph_prior`` and the protected (labelled) edges. See
:mod:`gcn_tickets.methods.gebt.search` and ALGORITHMS.md section 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from gcn_tickets.masks.edges import incident_edges
from gcn_tickets.masks.joint import JointMasks, gcn_weight_names, plain_state_dict
from gcn_tickets.methods.gebt.config import GEBTConfig
from gcn_tickets.methods.gebt.model import model_factory
from gcn_tickets.pruning.priors import edge_prior
from gcn_tickets.training.fit import fit
from gcn_tickets.training.protocol import Trainer

__all__ = ["SearchState", "check_task", "setup_search", "train_epoch"]


@dataclass
class SearchState:
    """The search's moving parts: model, scores, optimisers and hooks, edge rank inputs."""

    model: nn.Module
    jm: JointMasks
    score: Tensor
    prior: Tensor | None
    protected: Tensor | None
    wnames: list[str]
    opts: list[torch.optim.Optimizer]
    extra: Callable[[Tensor, Tensor | None], Tensor] | None
    after_backward: Callable[[], None]
    after_step: Callable[[], None]


def check_task(cfg: GEBTConfig, node_task: bool) -> None:
    if cfg.protect_labelled and not node_task:
        raise ValueError(
            "`protect_labelled` needs a node-classification task (labelled training nodes); "
            "set it to false for link and graph tasks"
        )
    if cfg.graph_prior == "label_resistance" and not node_task:
        raise ValueError(
            "`graph_prior: label_resistance` needs a node-classification task (it spreads the "
            "training labels); use 'resistance' or 'none' for link and graph tasks"
        )


def _optimizers(cfg: GEBTConfig, model_params: list[Tensor], score: Tensor) -> list[torch.optim.Optimizer]:
    """``ugs``: one Adam (no weight decay on the scores); ``gebt``: the scores get their own."""
    if cfg.graph_scores == "ugs":
        return [
            torch.optim.Adam(
                [
                    {"params": model_params, "weight_decay": cfg.weight_decay},
                    {"params": [score], "weight_decay": 0.0},
                ],
                lr=cfg.lr,
            )
        ]
    graph_opt: torch.optim.Optimizer = (
        torch.optim.Adam([score], lr=cfg.graph_lr)
        if cfg.graph_optimizer == "adam"
        else torch.optim.SGD([score], lr=cfg.graph_lr, momentum=0.9)
    )
    return [
        torch.optim.Adam(model_params, lr=cfg.lr, weight_decay=cfg.weight_decay),
        graph_opt,
    ]


def _aux_loss(
    trainer: Trainer, cfg: GEBTConfig, und: Tensor, score: Tensor
) -> Callable[[Tensor, Tensor | None], Tensor] | None:
    if cfg.aux_weight <= 0:
        return None
    if trainer.kind != "node":
        raise ValueError("`aux_weight` > 0 needs a node-classification task")

    def extra(out: Tensor, ew: Tensor | None) -> Tensor:
        # every edge gets a gradient: m_e · (1 − p_u·p_v), p = detached class probabilities
        p = out.detach().softmax(-1)
        dissim = 1.0 - (p[und[0]] * p[und[1]]).sum(-1)
        return cfg.aux_weight * (score * dissim).mean()

    return extra


def _score_hooks(cfg: GEBTConfig, score: Tensor) -> tuple[Callable[[], None], Callable[[], None]]:
    """(after_backward: L1 sub-gradient ``graph_l1·sign(s)``, after_step: clamp ``gebt`` ≥ 0)."""

    def after_backward() -> None:
        if cfg.graph_l1 and score.grad is not None:
            score.grad.add_(torch.sign(score.detach()), alpha=cfg.graph_l1)

    def after_step() -> None:
        if cfg.graph_scores == "gebt":
            with torch.no_grad():
                score.clamp_(min=0.0)

    return after_backward, after_step


def setup_search(
    trainer: Trainer, cfg: GEBTConfig, seed: int, node_task: bool
) -> tuple[SearchState, dict[str, Tensor]]:
    model = model_factory(trainer, cfg)(seed)
    theta0 = plain_state_dict(model)
    jm = JointMasks(
        model,
        trainer.edge_index,
        trainer.num_nodes,
        learn_graph=True,
        learn_weights=False,
        weight_names=[],
        noise=cfg.mask_noise,
        seed=seed,
    )
    assert jm.graph is not None and jm.graph.score is not None
    score = jm.graph.score
    labels = (trainer.y, trainer.split["train"]) if node_task else None
    prior = edge_prior(cfg.graph_prior, jm.graph.und_edge_index, trainer.num_nodes, labels=labels)
    protected = (
        incident_edges(jm.graph.und_edge_index, trainer.split["train"], trainer.num_nodes)
        if cfg.protect_labelled
        else None
    )
    wnames = gcn_weight_names(model)
    model_params = list(jm.model_parameters())
    torch.manual_seed(seed)
    opts = _optimizers(cfg, model_params, score)
    extra = _aux_loss(trainer, cfg, jm.graph.und_edge_index, score)
    after_backward, after_step = _score_hooks(cfg, score)
    state = SearchState(model, jm, score, prior, protected, wnames, opts, extra, after_backward, after_step)
    return state, theta0


def train_epoch(trainer: Trainer, s: SearchState) -> tuple[float, dict[str, float]]:
    t0 = time.perf_counter()
    fr = fit(
        s.model,
        trainer,
        epochs=1,
        optimizers=s.opts,
        edge_weight_fn=s.jm.edge_weight,
        extra_loss=s.extra,
        after_backward=s.after_backward,
        after_step=s.after_step,
    )
    return time.perf_counter() - t0, dict(fr.history[-1])
