"""UGS search: learn graph and weight mask scores from Θ0 under the current masks.

L = CE + γ1‖m_g‖1 + γ2‖m_θ‖1 over ``cfg.epochs`` epochs; the scores at the best-validation
epoch rank the entries to prune (ALGORITHMS.md section 1, docs/ugs.md). Modes:

``reference``
    ONE Adam over weights and masks (weight decay on both), the L1 as a sign sub-gradient
    ``s1·sign(m_g)``, ``s2·sign(m_θ)`` added after backward; ranking by |m|.
``improved``
    masks get their own SGD (``mask_lr``, momentum ``mask_momentum``, no weight decay) with
    a proximal L1 step (soft-thresholding by ``mask_lr·prox_s``) instead of the sign
    sub-gradient; a cross-entropy on the pseudo-labels of confident unlabelled nodes
    (softmax ≥ ``pseudo_threshold``, weight ``pseudo_weight``), which reaches the edges
    around every confidently predicted node; edges ranked by |m_g|·(1/d_u + 1/d_v)
    (``graph_prior="resistance"``; ``"none"``: |m_g|). Ablation options:
    ``aux_weight > 0`` adds ``aux_weight`` × mean over kept edges of m_e·TV(p_u, p_v)
    (TV = ½‖p_u − p_v‖₁ of the detached class probabilities); ``improved_weight_score``
    ``"mask_x_weight"`` (|m ⊙ Θ|) or ``"weight"`` (|Θ| after the search, IMP);
    ``improved_weight_opt="adam"`` (weight masks as in the reference).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.masks.joint import JointMasks, load_plain_state_dict, plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.methods.ugs.model import initial_model
from gcn_tickets.pruning.priors import edge_prior, graph_rank
from gcn_tickets.training.fit import FitResult, fit
from gcn_tickets.training.protocol import Trainer
from gcn_tickets.training.trainers import LinkTrainer, NodeTrainer

Mode = Literal["reference", "improved", "random"]

__all__ = ["Mode", "Scores", "search_scores", "unreached_fraction"]


@dataclass
class Scores:
    """Outcome of :func:`search_scores`: ranking scores at the best-validation epoch
    (``graph`` [U] or None, ``weights`` by name), the search's fit result, and ``extras``
    (``unreached_edges``, ``edges_without_gradient``: fractions of kept edges, or None)."""

    graph: Tensor | None
    weights: dict[str, Tensor]
    fit: FitResult
    extras: dict[str, float | None] = field(default_factory=dict)


@dataclass
class _Hooks:
    optimizers: list[torch.optim.Optimizer]
    after_backward: Callable[[], None] | None = None
    after_step: Callable[[], None] | None = None
    extra_loss: Callable[[Tensor, Tensor], Tensor] | None = None


def _sign_l1(scores: list[Tensor], gamma: float) -> None:
    for s in scores:
        if s.grad is not None:
            s.grad.add_(gamma * torch.sign(s))


def _reference_hooks(
    cfg: UGSConfig, jm: JointMasks, g_score: Tensor | None, w_scores: list[Tensor]
) -> _Hooks:
    """One Adam over weights and masks; L1 as the sign sub-gradient after backward."""
    mask_params = list(jm.mask_parameters())
    model_params = list(jm.model_parameters())
    opt = torch.optim.Adam(model_params + mask_params, lr=cfg.lr, weight_decay=cfg.weight_decay)

    def after_backward() -> None:
        with torch.no_grad():
            _sign_l1([g_score] if g_score is not None else [], cfg.s1)
            _sign_l1(w_scores, cfg.s2)

    return _Hooks([opt], after_backward=after_backward)


def _improved_optimizers(
    cfg: UGSConfig, jm: JointMasks, g_score: Tensor | None, w_scores: list[Tensor]
) -> list[torch.optim.Optimizer]:
    """Adam on the weights (and, with ``improved_weight_opt="adam"``, the weight masks);
    SGD with momentum on the other mask scores."""
    adam_w = cfg.improved_weight_opt == "adam"
    model_params = list(jm.model_parameters())
    sgd_params = [g_score] if g_score is not None else []
    if not adam_w:
        sgd_params += w_scores
    opt: list[torch.optim.Optimizer] = [
        torch.optim.Adam(
            model_params + (w_scores if adam_w else []), lr=cfg.lr, weight_decay=cfg.weight_decay
        )
    ]
    if sgd_params:
        opt.append(torch.optim.SGD(sgd_params, lr=cfg.mask_lr, momentum=cfg.mask_momentum))
    return opt


def _proximal_step(cfg: UGSConfig, g_score: Tensor | None, w_scores: list[Tensor]) -> Callable[[], None]:
    """Soft-threshold every SGD-trained score by ``mask_lr·γ`` after each step."""
    adam_w = cfg.improved_weight_opt == "adam"

    def after_step() -> None:
        with torch.no_grad():
            pairs = [] if adam_w else [(w, cfg.prox_s2) for w in w_scores]
            if g_score is not None:
                pairs.append((g_score, cfg.prox_s1))
            for s, gam in pairs:
                t = cfg.mask_lr * gam
                s.copy_(torch.sign(s) * (s.abs() - t).clamp_min(0))

    return after_step


def _improved_loss(
    trainer: Trainer, cfg: UGSConfig, jm: JointMasks, g_score: Tensor | None
) -> Callable[[Tensor, Tensor], Tensor]:
    """``aux_weight`` × the edge dissimilarity term + ``pseudo_weight`` × the pseudo-label CE."""
    und = jm.graph.und_edge_index if jm.graph is not None else None
    kept = jm.graph.kept if jm.graph is not None else None
    node_task = trainer.kind == "node"
    is_train = torch.zeros(trainer.num_nodes, dtype=torch.bool)
    if node_task:
        is_train[trainer.split["train"]] = True

    def extra(out: Tensor, ew: Tensor) -> Tensor:
        if und is None:
            return out.new_zeros(())
        if node_task:  # total variation of the class probabilities, in [0, 1]
            p = out.detach().softmax(-1)
            dissim = 0.5 * (p[und[0]] - p[und[1]]).abs().sum(-1)
        else:  # embeddings (link tasks): (1 − cos)/2 ∈ [0, 1]
            p = F.normalize(out.detach(), dim=-1)
            dissim = 0.5 * (1.0 - (p[und[0]] * p[und[1]]).sum(-1))
        aux = (g_score * kept * dissim).sum() / kept.sum().clamp_min(1)
        loss = cfg.aux_weight * aux
        if node_task and cfg.pseudo_weight > 0:
            conf, lab = p.max(-1)
            sel = (~is_train) & (conf >= cfg.pseudo_threshold)
            if bool(sel.any()):
                loss = loss + cfg.pseudo_weight * F.cross_entropy(out[sel], lab[sel])
        return loss

    return extra


def _improved_hooks(
    trainer: Trainer,
    cfg: UGSConfig,
    jm: JointMasks,
    g_score: Tensor | None,
    w_scores: list[Tensor],
) -> _Hooks:
    opt = _improved_optimizers(cfg, jm, g_score, w_scores)
    after_backward = None
    if cfg.improved_weight_opt == "adam":  # weight masks as in the reference: sign L1

        def after_backward() -> None:
            with torch.no_grad():
                _sign_l1(w_scores, cfg.s2)

    return _Hooks(
        opt,
        after_backward=after_backward,
        after_step=_proximal_step(cfg, g_score, w_scores),
        extra_loss=_improved_loss(trainer, cfg, jm, g_score),
    )


def _snapshot_fn(
    trainer: Trainer,
    cfg: UGSConfig,
    mode: Mode,
    model: nn.Module,
    jm: JointMasks,
) -> Callable[[], dict[str, Any]]:
    """The ranking scores now: the graph prior and ``improved_weight_score`` applied."""
    prior = None  # improved: edges ranked by |m_g|·(1/d_u + 1/d_v)
    if mode == "improved" and jm.graph is not None:
        prior = edge_prior(cfg.graph_prior, jm.graph.und_edge_index, trainer.num_nodes)

    def snapshot() -> dict[str, Any]:
        g, w = jm.scores()
        if prior is not None and g is not None:
            g = graph_rank(g, prior)
        if mode == "improved" and cfg.improved_weight_score != "mask":
            raw = plain_state_dict(model)
            if cfg.improved_weight_score == "mask_x_weight":
                w = {n: w[n] * raw[n] for n in w}
            else:  # "weight"
                w = {n: raw[n].clone() for n in w}
        return {"graph": g, "weights": w}

    return snapshot


def _gradient_tracker(g_score: Tensor | None) -> Tensor | None:
    """A bool per edge, set once the edge's score gets a non-zero loss gradient (L1 excluded)."""
    if g_score is None:
        return None
    touched = torch.zeros_like(g_score, dtype=torch.bool)

    def _mark(g: Tensor) -> None:
        touched.logical_or_(g != 0)

    g_score.register_hook(_mark)
    return touched


def search_scores(
    trainer: Trainer,
    cfg: UGSConfig,
    mode: Mode,
    theta0: dict[str, Tensor],
    masks: MaskSet,
    seed: int,
    *,
    model_seed: int,
) -> Scores:
    """Learn graph/weight mask scores from Θ0 (model drawn with ``model_seed``) under the
    current masks (score noise and dropout from ``seed``); return the ranking scores at the
    best-validation epoch. Pruned entries keep their (irrelevant) scores."""
    model = initial_model(trainer, cfg, model_seed)
    load_plain_state_dict(model, theta0)
    has_graph = masks.graph is not None
    jm = JointMasks(
        model,
        trainer.edge_index if has_graph else None,
        trainer.num_nodes if has_graph else None,
        masks=masks,
        learn_graph=True,
        learn_weights=True,
        noise=cfg.mask_noise,
        seed=seed,
    )
    torch.manual_seed(seed)
    g_score = jm.graph.score if jm.graph is not None else None
    w_scores = [wm.score for wm in jm.weight_masks().values()]
    if mode == "reference":
        hooks = _reference_hooks(cfg, jm, g_score, w_scores)
    else:
        hooks = _improved_hooks(trainer, cfg, jm, g_score, w_scores)
    snapshot = _snapshot_fn(trainer, cfg, mode, model, jm)
    unreached = unreached_fraction(trainer, model, jm) if jm.graph is not None else None
    touched = _gradient_tracker(g_score)
    res = fit(
        model,
        trainer,
        epochs=cfg.epochs,
        optimizers=hooks.optimizers,
        edge_weight_fn=jm.edge_weight,
        extra_loss=hooks.extra_loss,
        after_backward=hooks.after_backward,
        after_step=hooks.after_step,
        snapshot=snapshot,
        eval_every=cfg.eval_every,
        desc=f"search[{mode}]",
    )
    best = res.best_state or snapshot()
    never = None
    if touched is not None and jm.graph is not None:
        kept = jm.graph.kept
        never = float(((~touched) & kept).sum() / kept.sum().clamp_min(1))
    extras = {"unreached_edges": unreached, "edges_without_gradient": never}
    return Scores(best["graph"], best["weights"], res, extras)


def unreached_fraction(trainer: NodeTrainer | LinkTrainer, model: nn.Module, jm: JointMasks) -> float:
    """Fraction of kept undirected edges whose score gets exactly zero gradient from the
    task loss alone at the current weights (outside the labelled nodes' receptive field);
    the model is evaluated without dropout."""
    model.eval()  # no dropout: structural zeros only
    jm.graph.score.grad = None
    loss, _ = trainer.loss(model, trainer.edge_index, jm.edge_weight())
    (g,) = torch.autograd.grad(loss, [jm.graph.score])
    model.train()
    kept = jm.graph.kept
    return float(((g == 0) & kept).sum() / kept.sum().clamp_min(1))
