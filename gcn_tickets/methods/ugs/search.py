"""Unified GNN Sparsification (UGS, Chen et al. ICML 2021): iterative pruning of learned
graph and weight masks, in two named modes, beside a random-pruning control.

One round k (ALGORITHMS.md section 1):

1. search: from Θ0 with the current masks, learn scores m_g (one per undirected edge)
   and m_θ (one per masked weight) for ``epochs`` epochs with
   L = CE + γ1‖m_g‖1 + γ2‖m_θ‖1; keep the scores at the best-validation epoch;
2. prune ``prune_graph`` (5 %) of the REMAINING edges and ``prune_weight`` (20 %) of the
   remaining weights with the lowest ranking score, one global threshold each;
3. rewind Θ to Θ0 and retrain the ticket with frozen binary masks (pruned edges removed
   from ``edge_index``) for ``retrain_epochs``; report test at the best validation.

Modes:

``reference``
    the published recipe: ONE Adam over weights and masks (weight decay on both), the L1
    as a sign sub-gradient added after backward, ranking by |m|.
``improved``
    the fix for the measured weakness (Adam moves every mask coordinate by ≈ lr per step
    whatever its gradient, so rankings follow the init noise, and edges outside the
    labelled nodes' receptive field get no gradient at all):
    (a) masks get their own plain-SGD optimiser (momentum 0.9, no weight decay), so their
    movement is proportional to the accumulated gradient, with a proximal L1 step
    (soft-thresholding by ``mask_lr·prox_s``) instead of the sign sub-gradient;
    (b) a cross-entropy on the pseudo-labels of confident unlabelled nodes (softmax ≥
    ``pseudo_threshold``, weight ``pseudo_weight``), which reaches the edges and weights
    around every confidently predicted node, not only around the 140 labelled ones;
    (c) weights are ranked by |m|, which under SGD is the accumulated gradient; edges by
    |m_g|·(1/d_u + 1/d_v) (``graph_prior="resistance"``; ``"none"``: |m_g|), a degree proxy
    of the effective resistance that spectral sparsifiers keep edges by: among edges the
    loss treats alike, those between two hubs go first and those that hold low-degree nodes
    to the graph go last (random 5 % edge cuts cost Cora ≈ 1.5 points at round 1).
    Options kept for ablations (docs/ugs.md, and the screens quoted here):
    ``aux_weight > 0`` adds ``aux_weight`` × mean over kept edges of m_e·TV(p_u, p_v)
    (TV = ½‖p_u − p_v‖₁ of the detached class probabilities), pushing down edges whose
    endpoints are predicted differently: 46–70 % of the edges it prunes are heterophilous,
    yet the tickets lose to random edges, because the homophilous edges it picks join a
    mispredicted node to the neighbours that would correct it;
    ``improved_weight_score`` = ``"mask_x_weight"`` (|m ⊙ Θ|, the first variant in
    docs/ugs.md) or ``"weight"`` (|Θ| after the search, IMP), and
    ``improved_weight_opt="adam"`` (weight masks as in the reference). Screened on Cora
    (3 seeds, rounds 1–4, with the TV term on): ``"weight"`` 80.53 / 79.67 / 78.60 / 78.33
    and ``"adam"`` 81.10 / 80.30 / 79.23 / 78.80, against random 81.13 / 80.73 / 80.33 /
    79.30.
``random``
    the control: the same schedule, entries removed uniformly at random.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.joint import JointMasks, gcn_weight_names, load_plain_state_dict, plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.models.gcn import count_parameters
from gcn_tickets.pruning.priors import edge_prior, graph_rank
from gcn_tickets.pruning.topk import prune_lowest, prune_random
from gcn_tickets.tickets.costs import ticket_macs
from gcn_tickets.training.fit import FitResult, fit, fit_adam, seed_everything
from gcn_tickets.training.trainers import NodeTrainer

Mode = Literal["reference", "improved", "random"]

__all__ = [
    "ugs_round",
    "run_ugs",
    "round_seed",
    "retrain_ticket",
    "initial_model",
    "dense_masks",
]


def round_seed(seed: int, round_: int, mode: str) -> int:
    """A seed for (seed, round, mode), stable across processes: resumes give equal masks."""
    h = hashlib.sha256(f"{seed}/{round_}/{mode}".encode()).hexdigest()
    return int(h[:8], 16)


def initial_model(trainer, cfg: UGSConfig, seed: int) -> nn.Module:
    """The seeded model at Θ0 (every RNG seeded with ``seed``, then built from ``cfg``)."""
    seed_everything(seed)
    return trainer.make_model(
        hidden=cfg.hidden,
        num_layers=cfg.num_layers,
        dropout=cfg.dropout,
        input_dropout=cfg.input_dropout,
        bias=cfg.bias,
    )


def retrain_ticket(
    trainer, cfg: UGSConfig, theta0: dict[str, Tensor], masks: MaskSet, seed: int, *, model_seed: int
) -> tuple[FitResult, nn.Module, JointMasks]:
    """Rewind to Θ0, attach the frozen ticket, drop pruned edges, retrain; test at best val."""
    model = initial_model(trainer, cfg, model_seed)
    load_plain_state_dict(model, theta0)
    graph = trainer.edge_index if masks.graph is not None else None
    jm = JointMasks(
        model,
        graph,
        trainer.num_nodes if graph is not None else None,
        masks=masks,
        learn_graph=False,
        learn_weights=False,
        seed=seed,
    )
    res = fit_adam(
        model,
        trainer,
        epochs=cfg.retrain_epochs,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        seed=seed,
        edge_index=jm.ticket_edge_index(trainer.edge_index),
        eval_every=cfg.eval_every,
        desc="retrain",
    )
    return res, model, jm


def search_scores(
    trainer: NodeTrainer,
    cfg: UGSConfig,
    mode: Mode,
    theta0: dict[str, Tensor],
    masks: MaskSet,
    seed: int,
    *,
    model_seed: int,
) -> tuple[Tensor, dict[str, Tensor], FitResult]:
    """Learn graph/weight mask scores from Θ0 under the current masks; return ranking scores.

    Returns ``(graph_scores [U], weight_scores {name: tensor}, fit result)`` taken at the
    best-validation epoch (the graph prior and ``improved_weight_score`` already applied);
    pruned entries keep their (irrelevant) scores.
    """
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
    mask_params = list(jm.mask_parameters())
    model_params = list(jm.model_parameters())
    g_score = jm.graph.score if jm.graph is not None else None
    w_scores = [wm.score for wm in jm.weight_masks().values()]
    after_backward: Callable[[], None] | None = None
    after_step: Callable[[], None] | None = None
    extra: Callable[[Tensor, Tensor], Tensor] | None = None
    if mode == "reference":
        opt = [torch.optim.Adam(model_params + mask_params, lr=cfg.lr, weight_decay=cfg.weight_decay)]

        def after_backward() -> None:  # L1 as sign sub-gradient (reference)
            with torch.no_grad():
                if g_score is not None and g_score.grad is not None:
                    g_score.grad.add_(cfg.s1 * torch.sign(g_score))
                for s in w_scores:
                    if s.grad is not None:
                        s.grad.add_(cfg.s2 * torch.sign(s))
    else:
        adam_w = cfg.improved_weight_opt == "adam"
        sgd_params = [g_score] if g_score is not None else []
        if not adam_w:
            sgd_params += w_scores
        opt = [
            torch.optim.Adam(
                model_params + (w_scores if adam_w else []), lr=cfg.lr, weight_decay=cfg.weight_decay
            )
        ]
        if sgd_params:
            opt.append(torch.optim.SGD(sgd_params, lr=cfg.mask_lr, momentum=cfg.mask_momentum))

        if adam_w:

            def after_backward() -> None:  # weight masks as in the reference: sign L1
                with torch.no_grad():
                    for s in w_scores:
                        if s.grad is not None:
                            s.grad.add_(cfg.s2 * torch.sign(s))

        def after_step() -> None:  # proximal L1: soft-threshold by lr·γ
            with torch.no_grad():
                pairs = [] if adam_w else [(w, cfg.prox_s2) for w in w_scores]
                if g_score is not None:
                    pairs.append((g_score, cfg.prox_s1))
                for s, gam in pairs:
                    t = cfg.mask_lr * gam
                    s.copy_(torch.sign(s) * (s.abs() - t).clamp_min(0))

        und = jm.graph.und_edge_index if jm.graph is not None else None
        kept = jm.graph.kept if jm.graph is not None else None
        is_train = torch.zeros(trainer.num_nodes, dtype=torch.bool)
        if isinstance(trainer, NodeTrainer):
            is_train[trainer.split["train"]] = True

        node_task = isinstance(trainer, NodeTrainer)

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

    unreached = _unreached_fraction(trainer, model, jm) if jm.graph is not None else None
    touched = None
    if g_score is not None:  # edges that got a non-zero loss gradient at some step (L1 excluded)
        touched = torch.zeros_like(g_score, dtype=torch.bool)

        def _mark(g: Tensor) -> None:
            touched.logical_or_(g != 0)

        g_score.register_hook(_mark)
    res = fit(
        model,
        trainer,
        epochs=cfg.epochs,
        optimizers=opt,
        edge_weight_fn=jm.edge_weight,
        extra_loss=extra,
        after_backward=after_backward,
        after_step=after_step,
        snapshot=snapshot,
        eval_every=cfg.eval_every,
        desc=f"search[{mode}]",
    )
    best = res.best_state or snapshot()
    res.unreached_edges = unreached  # type: ignore[attr-defined]
    if touched is not None and jm.graph is not None:
        kept = jm.graph.kept
        never = float(((~touched) & kept).sum() / kept.sum().clamp_min(1))
        res.edges_without_gradient = never  # type: ignore[attr-defined]
    return best["graph"], best["weights"], res


def _unreached_fraction(trainer, model: nn.Module, jm: JointMasks) -> float:
    """Fraction of kept undirected edges whose score gets exactly zero gradient from the
    task loss alone (outside the labelled nodes' receptive field): under Adam these drift
    alike and end up ranked by their init noise (the measured weakness of the reference)."""
    model.eval()  # no dropout: structural zeros only
    jm.graph.score.grad = None
    loss, _ = trainer.loss(model, trainer.edge_index, jm.edge_weight())
    (g,) = torch.autograd.grad(loss, [jm.graph.score])
    model.train()
    kept = jm.graph.kept
    return float(((g == 0) & kept).sum() / kept.sum().clamp_min(1))


def ugs_round(
    trainer: NodeTrainer,
    cfg: UGSConfig,
    mode: Mode,
    theta0: dict[str, Tensor],
    masks: MaskSet,
    seed: int,
    round_: int,
    *,
    model_seed: int,
) -> tuple[MaskSet, dict[str, Any]]:
    """One pruning round: scores (search or random) -> new masks (never un-prune)."""
    rs = round_seed(seed, round_, mode)
    info: dict[str, Any] = {}
    kept_w = dict(masks.weights)
    has_graph = masks.graph is not None
    new_g = None
    if mode == "random":
        gen = torch.Generator().manual_seed(rs)
        if has_graph:
            new_g = prune_random({"g": masks.graph}, cfg.prune_graph, gen)["g"]
        new_w = prune_random(kept_w, cfg.prune_weight, gen)
    else:
        g_scores, w_scores, search = search_scores(
            trainer, cfg, mode, theta0, masks, rs, model_seed=model_seed
        )
        if has_graph:
            new_g = prune_lowest({"g": g_scores}, {"g": masks.graph}, cfg.prune_graph)["g"]
        new_w = prune_lowest(w_scores, kept_w, cfg.prune_weight)
        info["search"] = {
            "best_epoch": search.best_epoch,
            "valid": search.valid,
            "test": search.test,
            "seconds": search.seconds,
            "unreached_edges": getattr(search, "unreached_edges", None),
            "edges_without_gradient": getattr(search, "edges_without_gradient", None),
        }
    new = MaskSet(new_w, new_g, {"mode": mode, "round": round_, "seed": seed})
    return new, info


def dense_masks(trainer, model: nn.Module) -> MaskSet:
    """Round 0: every GCN weight and every undirected edge kept (no graph mask on graph-level
    tasks, whose graphs differ per sample)."""
    graph = None
    if trainer.edge_index is not None:  # graph-level tasks: weight masks only
        und, _ = undirected_edges(trainer.edge_index, trainer.num_nodes)
        graph = torch.ones(und.size(1), dtype=torch.bool)
    sd = plain_state_dict(model)
    return MaskSet(
        {n: torch.ones_like(sd[n], dtype=torch.bool) for n in gcn_weight_names(model)}, graph, {"round": 0}
    )


def run_ugs(
    trainer: NodeTrainer,
    cfg: UGSConfig,
    out_dir: str | Path,
    *,
    modes: tuple[str, ...] = ("reference", "improved", "random"),
    seeds: tuple[int, ...] = (0, 1, 2),
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run UGS (each mode, each seed, ``cfg.rounds`` rounds), resumable, into ``out_dir``.

    Layout: ``out_dir/<mode>/seed<s>/round_XX.pt`` (the ticket's MaskSet + its .json sparsity
    report) and ``round_XX.result.json`` (retrained metrics). A finished round is never
    recomputed; a killed run restarts after the last finished round with identical masks
    (all randomness of a round derives from (seed, round, mode)). Round 0 is the dense model
    (``out_dir/dense/seed<s>``), shared by the modes; rounds run round-major.
    Returns the per-round summary (also written to ``out_dir/rounds.json``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "config.json").exists():  # kept when gcn_tickets.runs.claim_run wrote the run's
        atomic_write_text(out / "config.json", json.dumps(asdict(cfg), indent=2))
    state: dict[int, dict[str, Any]] = {}
    for seed in seeds:
        base = initial_model(trainer, cfg, seed)
        dense = dense_masks(trainer, base)
        state[seed] = {
            "theta0": plain_state_dict(base),
            "base": base,
            "total": dense.total(),
            "masks": {m: dense for m in modes},
            "dense": dense,
        }
    # round-major order: an interrupted run has every seed and mode up to the same round
    for r in range(0, cfg.rounds + 1):
        for seed in seeds:
            st = state[seed]
            for mode in ("dense",) if r == 0 else modes:
                d = out / mode / f"seed{seed}"
                mpath, rpath = d / f"round_{r:02d}.pt", d / f"round_{r:02d}.result.json"
                if mpath.exists() and rpath.exists():
                    if mode != "dense":
                        st["masks"][mode] = MaskSet.load(mpath)
                    continue
                info: dict[str, Any] = {}
                if mode == "dense":
                    masks = st["dense"]
                else:
                    masks, info = ugs_round(
                        trainer, cfg, mode, st["theta0"], st["masks"][mode], seed, r, model_seed=seed
                    )
                res, model, jm = retrain_ticket(
                    trainer, cfg, st["theta0"], masks, round_seed(seed, r, "retrain"), model_seed=seed
                )
                nparams, nnz = count_parameters(model)
                result = {
                    "mode": mode,
                    "seed": seed,
                    "round": r,
                    "graph_sparsity": (masks.graph_sparsity() if masks.graph is not None else None),
                    "weight_sparsity": 1 - masks.kept() / st["total"],
                    "valid": res.valid,
                    "test": res.test,
                    "best_epoch": res.best_epoch,
                    "retrain_seconds": res.seconds,
                    "params": nparams,
                    "nonzero_params": nnz,
                    **_macs(trainer, model, jm, st["base"]),
                    **info,
                }
                masks.save(mpath)
                atomic_write_text(rpath, json.dumps(result, indent=2))
                if mode != "dense":
                    st["masks"][mode] = masks
                gs = result["graph_sparsity"]
                log(
                    f"[{mode} seed {seed}] round {r:2d}: graph sp "
                    f"{'—' if gs is None else f'{gs:.4f}'} weight sp "
                    f"{result['weight_sparsity']:.4f}  valid {res.valid:.4f} test {res.test:.4f}"
                )
        summarize_run(out)
    return summarize_run(out)


def _macs(trainer, model: nn.Module, jm: JointMasks, base: nn.Module) -> dict[str, Any]:
    if trainer.edge_index is None:  # graph-level: per-molecule graphs, not reported
        return {"macs": None, "dense_macs": None}
    ei = jm.ticket_edge_index(trainer.edge_index)
    return {
        "macs": ticket_macs(model, ei, trainer.num_nodes),
        "dense_macs": ticket_macs(base, trainer.edge_index, trainer.num_nodes),
    }


def summarize_run(out_dir: str | Path) -> dict[str, Any]:
    """Aggregate ``round_XX.result.json`` files: mean ± std over seeds per mode and round."""
    from gcn_tickets.training.fit import summarize

    out = Path(out_dir)
    rows: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for f in sorted(out.glob("*/seed*/round_*.result.json")):
        r = json.loads(f.read_text())
        rows.setdefault(r["mode"], {}).setdefault(r["round"], []).append(r)
    summary: dict[str, Any] = {}
    for mode, per_round in rows.items():
        summary[mode] = []
        for rnd in sorted(per_round):
            rs = per_round[rnd]
            summary[mode].append(
                {
                    "round": rnd,
                    "graph_sparsity": rs[0]["graph_sparsity"],
                    "weight_sparsity": rs[0]["weight_sparsity"],
                    "valid": summarize(x["valid"] for x in rs),
                    "test": summarize(x["test"] for x in rs),
                    "macs": rs[0]["macs"],
                    "dense_macs": rs[0]["dense_macs"],
                    "seeds": sorted(x["seed"] for x in rs),
                }
            )
    atomic_write_text(out / "rounds.json", json.dumps(summary, indent=2))
    return summary
