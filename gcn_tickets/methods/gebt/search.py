"""GEBT search: joint early-bird tickets for graph and weights on a masked GCN (You et al.,
AAAI 2022). ALGORITHMS.md section 2; measurements in docs/gebt.md, docs/gebt_prior.md,
docs/gebt_edges.md and docs/notes_gebt.md.

Search (no pretraining). From Θ0, every epoch t = 1, 2, ..., ``search_epochs``:

1. one full-batch step on the weights Θ and the graph scores s (one per undirected edge,
   passed as ``edge_weight``; ``gcn_norm`` renormalises: Â = D^-1/2 (A ⊙ s + I) D^-1/2);
2. draw the graph mask m_t: prune the ``round(p_g · U)`` edges of lowest rank (one global
   threshold), and the weight mask n_t: prune the ``round(p_w · W)`` entries of lowest |Θ|
   over all GCN layers (one global threshold);
3. feed ``{"graph": m_t, "weights": n_t}`` to an :class:`~gcn_tickets.methods.early_bird.detector.
   EarlyBirdDetector`; when it fires the ticket (m_t ⊙ A, n_t ⊙ Θ_t) has emerged.

Because the search never applies the masks, ONE search serves every ratio pair
(p_g, p_w): :func:`gebt_search` runs one detector per pair and snapshots each pair's
ticket at its own emergence epoch.

Graph scores (``graph_scores``):

``ugs``   UGS-style mask scores: init 1·(1 + U(±1e-5)), the same Adam as the weights
          (lr ``lr``), L1 as the sign sub-gradient ``graph_l1 · sign(s)``.
``gebt``  GEBT-style edge weights (default): init as above, their own optimiser
          (``graph_optimizer`` Adam, or SGD with momentum 0.9; ``graph_lr`` = 1e-3 as in the
          paper), optional L1 sub-gradient ``graph_l1`` (default 0), clamped to ≥ 0 after
          each step.

Edge rank: ``graph_prior`` ``none`` ranks edges by |s| alone (the paper); ``resistance`` by
|s|·(1/d_u + 1/d_v) (:func:`gcn_tickets.pruning.priors.resistance_proxy`); ``label_resistance``
multiplies that prior by cos(ŷ_u, ŷ_v), the agreement of the training labels spread by label
propagation (:func:`gcn_tickets.pruning.priors.label_agreement`; node tasks).
``protect_labelled`` (node tasks): the edges incident to a labelled training node are pruned
only after every other edge (a lexicographic rank, :func:`gcn_tickets.pruning.priors.graph_rank`).
Ties are broken by |s| (continuous), never by edge index. ``aux_weight`` > 0 adds
``aux_weight`` × mean_e s_e·(1 − p_u·p_v) (detached class probabilities), a loss that reaches
every edge.

Defaults follow the GEBT paper: 2-layer GCN, hidden 16, 100 search epochs, Adam lr 0.01
(weights) / 0.001 (graph), weight decay 5e-4, and the detector defaults of
:mod:`gcn_tickets.methods.early_bird.detector` (``minority`` distance, ``max`` over groups,
η = 0.03, FIFO of 4 masks = 3 distances). Retraining: :mod:`gcn_tickets.methods.gebt.retrain`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor

from gcn_tickets.masks.joint import plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.early_bird.detector import (
    EarlyBirdDetector,
)
from gcn_tickets.methods.gebt.config import GEBTConfig
from gcn_tickets.methods.gebt.scores import SearchState, check_task, setup_search, train_epoch
from gcn_tickets.pruning.priors import graph_rank
from gcn_tickets.pruning.topk import prune_lowest
from gcn_tickets.training.protocol import Trainer

__all__ = [
    "PairTicket",
    "SearchResult",
    "gebt_search",
]


@dataclass
class PairTicket:
    """The early-bird ticket of one ratio pair.

    ``masks``: the ticket at the emergence epoch (the budget's last epoch if it never
    fired); ``state``: Θ at that epoch (plain names, for ``inherit``); ``graph_scores``: the
    graph scores at that epoch (for ``learned`` edge weights); ``search_seconds``: wall-clock
    of the search up to that epoch (training + this pair's mask drawing and detection).
    """

    graph_sparsity: float
    weight_sparsity: float
    detector: EarlyBirdDetector
    masks: MaskSet | None = None
    state: dict[str, Tensor] | None = None
    graph_scores: Tensor | None = None
    epoch: int | None = None
    search_seconds: float = 0.0
    _own_seconds: float = 0.0

    @property
    def fired_epoch(self) -> int | None:
        return self.detector.fired_epoch


@dataclass
class SearchResult:
    """Outcome of :func:`gebt_search`.

    ``pairs``: (p_g, p_w) -> :class:`PairTicket`; ``last``: (p_g, p_w) -> the ticket drawn
    at the last search epoch (same fields); ``theta0``: the initial weights;
    ``epoch_seconds``: training wall-clock per epoch; ``history``: train/valid/test per epoch.
    """

    theta0: dict[str, Tensor]
    pairs: dict[tuple[float, float], PairTicket]
    last: dict[tuple[float, float], PairTicket]
    epochs_run: int
    epoch_seconds: list[float] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0


def _draw(
    graph_scores: Tensor, weights: Mapping[str, Tensor], pg: float, pw: float
) -> tuple[Tensor, dict[str, Tensor]]:
    g = prune_lowest({"g": graph_scores}, {"g": torch.ones_like(graph_scores, dtype=torch.bool)}, pg)
    w = prune_lowest(dict(weights), {n: torch.ones_like(t, dtype=torch.bool) for n, t in weights.items()}, pw)
    return g["g"], w


def _maskset(
    wmask: dict[str, Tensor], gmask: Tensor, pg: float, pw: float, epoch: int, fired: bool
) -> MaskSet:
    return MaskSet(
        wmask,
        gmask,
        {
            "method": "gebt",
            "graph_sparsity": pg,
            "weight_sparsity": pw,
            "epoch": epoch,
            "emerged": fired,
        },
    )


def _update_pairs(
    s: SearchState, res: SearchResult, epoch: int, last_epoch: bool, train_seconds: float
) -> None:
    """Draw every pair's masks at ``epoch``, feed its detector, snapshot emerged tickets."""
    s_now = s.score.detach().clone()
    raw = plain_state_dict(s.model)
    weights = {n: raw[n] for n in s.wnames}
    rank = graph_rank(s_now, s.prior, s.protected)
    for (pg, pw), pt in res.pairs.items():
        t1 = time.perf_counter()
        gmask, wmask = _draw(rank, weights, pg, pw)
        fired = pt.detector.update(epoch, {"graph": gmask, "weights": wmask})
        pt._own_seconds += time.perf_counter() - t1
        if fired or (last_epoch and pt.masks is None):
            pt.masks = _maskset(wmask, gmask, pg, pw, epoch, fired)
            pt.state = raw
            pt.graph_scores = s_now
            pt.epoch = epoch
            pt.search_seconds = train_seconds + pt._own_seconds
        if last_epoch:
            res.last[(pg, pw)] = PairTicket(
                graph_sparsity=pg,
                weight_sparsity=pw,
                detector=pt.detector,
                masks=_maskset(wmask, gmask, pg, pw, epoch, False),
                state=raw,
                graph_scores=s_now,
                epoch=epoch,
                search_seconds=train_seconds + pt._own_seconds,
            )


def gebt_search(
    trainer: Trainer,
    cfg: GEBTConfig,
    seed: int,
    *,
    ratios: Sequence[tuple[float, float]] | None = None,
    stop: bool | None = None,
    keep_history: bool = False,
) -> SearchResult:
    """Run the GEBT search with one detector per ratio pair (see module docstring).

    Args:
        trainer: a :class:`~gcn_tickets.training.trainers.NodeTrainer` or ``LinkTrainer``.
        cfg: the run's settings; ``ratios`` default ``[(cfg.graph_sparsity, cfg.weight_sparsity)]``.
        seed: seeds Θ0 (model init), the score noise and dropout.
        stop: stop once every detector has fired (default ``cfg.stop``); False runs the whole
            budget (the trajectories and the last-epoch tickets are then complete).
        keep_history: detectors keep every mask (for the pairwise heat map; memory
            ``search_epochs × (U + #weights)`` bools per pair).
    """
    node_task = trainer.kind == "node"
    check_task(cfg, node_task)
    stop = cfg.stop if stop is None else stop
    ratios = list(ratios) if ratios is not None else [(cfg.graph_sparsity, cfg.weight_sparsity)]
    s, theta0 = setup_search(trainer, cfg, seed, node_task)
    pairs = {
        (pg, pw): PairTicket(graph_sparsity=pg, weight_sparsity=pw, detector=cfg.detector(keep_history))
        for pg, pw in ratios
    }
    res = SearchResult(theta0=theta0, pairs=pairs, last={}, epochs_run=0)
    t_start = time.perf_counter()
    train_seconds = 0.0
    for epoch in range(1, cfg.search_epochs + 1):
        dt, h = train_epoch(trainer, s)
        train_seconds += dt
        res.epoch_seconds.append(dt)
        h["epoch"] = epoch
        res.history.append(h)
        res.epochs_run = epoch
        _update_pairs(s, res, epoch, epoch == cfg.search_epochs, train_seconds)
        if stop and all(p.fired_epoch is not None for p in pairs.values()):
            break
    res.seconds = time.perf_counter() - t_start
    return res
