"""GEBT: joint early-bird tickets for graph and weights on a masked GCN (You et al., AAAI 2022).

Search (no pretraining). From Θ0, every epoch t = 1, 2, ..., ``search_epochs``:

1. one full-batch step on the weights Θ and the graph scores s (one per undirected edge,
   passed as ``edge_weight``; ``gcn_norm`` renormalises: Â = D^-1/2 (A ⊙ s + I) D^-1/2);
2. draw the graph mask m_t: prune the ``round(p_g · U)`` edges of lowest |s| (one global
   threshold), and the weight mask n_t: prune the ``round(p_w · W)`` entries of lowest |Θ|
   over all GCN layers (one global threshold);
3. feed ``{"graph": m_t, "weights": n_t}`` to an :class:`~gcn_tickets.methods.early_bird.detector.
   EarlyBirdDetector`; when it fires the ticket (m_t ⊙ A, n_t ⊙ Θ_t) has emerged.

Because the search never applies the masks, ONE search serves every ratio pair
(p_g, p_w): :func:`gebt_search` runs one detector per pair and snapshots each pair's
ticket at its own emergence epoch.

Graph scores (``graph_scores``):

``ugs``   UGS-style mask scores: init 1·(1 + U(±1e-5)), the same Adam as the weights
          (lr 0.01), L1 as the sign sub-gradient ``graph_l1 · sign(s)`` (UGS uses 1e-2).
``gebt``  GEBT-style edge weights (default): init as above, their own optimiser
          (``graph_optimizer`` Adam, ``graph_lr`` = 1e-3 as in the paper), optional L1
          sub-gradient ``graph_l1``, clamped to ≥ 0 after each step.

Graph prior (``graph_prior``): ``none`` ranks edges by |s| alone (the paper); ``resistance``
ranks them by |s|·(1/d_u + 1/d_v) (:func:`gcn_tickets.pruning.priors.resistance_proxy`), so that among
edges the loss treats alike the ones between two hubs go first and the edges that hold
low-degree nodes to the graph go last. ``protect_labelled`` (node tasks): the edges incident
to a labelled training node are pruned only after every other edge (a lexicographic rank,
:func:`gcn_tickets.pruning.priors.graph_rank`); they carry the supervision into the graph (617 of
Cora's 5278 edges on the public split). Measured (docs/gebt_prior.md, docs/gebt_edges.md):
with p_w = 50 % and a fixed weight mask, |s| removes Cora's edges no better than chance;
``resistance`` with ``protect_labelled`` beats |s| at all 24 sweep cells of Cora and CiteSeer
(5 seeds, 200 retraining epochs: by 0.4 to 3.4 points) and, at p_g = 20 %, p_w = 50 % on seeds
held out from every screen, gives Cora 81.1 against dense 81.9 (seeds 50–89, gap 0.84 ± 0.12
s.e.), CiteSeer 70.8 against 70.9 (seeds 40–59) and PubMed 78.8 against 79.2 (seeds 8–12);
with the paper's 100 retraining epochs Cora 80.1 against 81.1 (30–49) and PubMed 77.5
against 74.1 with |s| (dense 78.1, 3 seeds; |s| loses to random edges there by 2.0).
The learned |s| adds nothing measurable on top of the degree prior (Cora 80.0 with it, 80.1
without, 20 seeds).
``label_resistance`` multiplies the prior by cos(ŷ_u, ŷ_v), the agreement of the training
labels spread by label propagation (:func:`gcn_tickets.pruning.priors.label_agreement`; node tasks):
it removes more heterophilous edges (25.9 % of the cut vs 20.6 %) but gains nothing
measurable (100 retraining epochs) on Cora (seeds 30–49: 80.1 either way, 8 wins, 8 losses,
4 ties) or CiteSeer (30–39: 70.8 vs 70.9), and +0.4 on PubMed (3–7: 78.1 vs 77.7, 3 wins,
1 loss). Ties are broken by |s| (continuous), never by edge index: on Planetoid an index
tie-break keeps the test nodes' edges (the public split numbers them last) and reads 0.5
points too high on Cora (docs/gebt_edges.md).

Default ``graph_l1 = 0``: under Adam a sign sub-gradient moves every edge that the loss does
not reach (26 % of Cora's edges with a 2-layer GCN on the public split) down by lr per
step, all alike, so the lowest-|s| edges become those far from the labels, ranked by init
noise; measured on Cora (3 seeds, p_g = 20 %, p_w = 50 %) L1 = 1e-4 gave 77.9 vs 79.1
without. ``aux_weight`` > 0 adds m_e·(1 − p_u·p_v) (detached class probabilities), a loss
that reaches every edge.

Retraining (:func:`retrain`): the ticket's pruned edges are removed from ``edge_index``
(the saving is real) and its weight mask is frozen (pruned weights stay exactly 0).
Initialisation ``init``: ``inherit`` (Θ at the emergence epoch; the paper), ``rewind``
(Θ0) or ``reinit`` (a fresh draw). Edge weights ``edge_weights``: ``binary`` (kept edges
weigh 1) or ``learned`` (kept edges keep |s| from the emergence epoch, frozen). The test
metric is reported at the best-validation epoch.

Defaults follow the GEBT paper (the shipped node configs set ``graph_prior: resistance`` and
``protect_labelled: true``, see above): 2-layer GCN, hidden 16, 100 search epochs, Adam lr 0.01
(weights) / 0.001 (graph), weight decay 5e-4; ``retrain_epochs = 200`` for the ticket and the
dense baseline alike (the dense recipe of Kipf & Welling, docs/dense_baselines.md; the paper
retrains 100, which leaves both about half a point lower, and the Cora ticket at p_g = 20 %,
p_w = 50 % 1.0–1.1 points below dense, docs/gebt_prior.md); and the detector defaults of
:mod:`gcn_tickets.methods.early_bird.detector` (``minority`` distance, ``max`` over groups, η = 0.03, FIFO
of 4 masks = 3 distances, chosen from the measurements in ``docs/gebt.md``). Retraining
defaults to ``rewind`` with binary edges (``inherit`` and learned edge weights were within
noise of it; ``reinit`` matched it on Cora but lost 1.5 points on CiteSeer, ``docs/gebt.md``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from gcn_tickets.masks.edges import incident_edges
from gcn_tickets.masks.joint import JointMasks, gcn_weight_names, load_plain_state_dict, plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.methods.early_bird.detector import (
    EarlyBirdDetector,
)
from gcn_tickets.methods.gebt.config import EDGE_WEIGHTS, INITS, GEBTConfig
from gcn_tickets.pruning.priors import edge_prior, graph_rank
from gcn_tickets.pruning.topk import prune_lowest, prune_random
from gcn_tickets.tickets.costs import ticket_macs
from gcn_tickets.training.fit import FitResult, fit, fit_adam, seed_everything

__all__ = [
    "PairTicket",
    "SearchResult",
    "gebt_search",
    "retrain",
    "build_ticket",
    "random_ticket",
    "train_dense",
    "training_macs",
    "run_seed",
]


def _make_model(trainer, cfg: GEBTConfig, seed: int) -> nn.Module:
    seed_everything(seed)
    kw = cfg.model_kwargs()
    if getattr(trainer.task, "task", "node") == "node":
        kw.update(input_dropout=cfg.input_dropout, bias=cfg.bias)
    return trainer.make_model(**kw)


# ----------------------------------------------------------------------------- search
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


def gebt_search(
    trainer,
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
    node_task = getattr(trainer.task, "task", "node") == "node"
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
    stop = cfg.stop if stop is None else stop
    ratios = list(ratios) if ratios is not None else [(cfg.graph_sparsity, cfg.weight_sparsity)]
    model = _make_model(trainer, cfg, seed)
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
    if cfg.graph_scores == "ugs":
        opts = [
            torch.optim.Adam(
                [
                    {"params": model_params, "weight_decay": cfg.weight_decay},
                    {"params": [score], "weight_decay": 0.0},
                ],
                lr=cfg.lr,
            )
        ]
    else:
        graph_opt: torch.optim.Optimizer = (
            torch.optim.Adam([score], lr=cfg.graph_lr)
            if cfg.graph_optimizer == "adam"
            else torch.optim.SGD([score], lr=cfg.graph_lr, momentum=0.9)
        )
        opts = [
            torch.optim.Adam(model_params, lr=cfg.lr, weight_decay=cfg.weight_decay),
            graph_opt,
        ]
    extra = None
    if cfg.aux_weight > 0:
        if getattr(trainer.task, "task", "node") != "node":
            raise ValueError("`aux_weight` > 0 needs a node-classification task")
        und = jm.graph.und_edge_index

        def extra(out: Tensor, ew: Tensor | None) -> Tensor:
            # every edge gets a gradient: m_e · (1 − p_u·p_v), p = detached class probabilities
            p = out.detach().softmax(-1)
            dissim = 1.0 - (p[und[0]] * p[und[1]]).sum(-1)
            return cfg.aux_weight * (score * dissim).mean()

    def after_backward() -> None:
        if cfg.graph_l1 and score.grad is not None:
            score.grad.add_(torch.sign(score.detach()), alpha=cfg.graph_l1)

    def after_step() -> None:
        if cfg.graph_scores == "gebt":
            with torch.no_grad():
                score.clamp_(min=0.0)

    pairs = {
        (pg, pw): PairTicket(graph_sparsity=pg, weight_sparsity=pw, detector=cfg.detector(keep_history))
        for pg, pw in ratios
    }
    res = SearchResult(theta0=theta0, pairs=pairs, last={}, epochs_run=0)
    t_start = time.perf_counter()
    train_seconds = 0.0
    for epoch in range(1, cfg.search_epochs + 1):
        t0 = time.perf_counter()
        fr = fit(
            model,
            trainer,
            epochs=1,
            optimizers=opts,
            edge_weight_fn=jm.edge_weight,
            extra_loss=extra,
            after_backward=after_backward,
            after_step=after_step,
        )
        dt = time.perf_counter() - t0
        train_seconds += dt
        res.epoch_seconds.append(dt)
        h = dict(fr.history[-1])
        h["epoch"] = epoch
        res.history.append(h)
        res.epochs_run = epoch
        s_now = score.detach().clone()
        raw = plain_state_dict(model)
        weights = {n: raw[n] for n in wnames}
        last_epoch = epoch == cfg.search_epochs
        rank = graph_rank(s_now, prior, protected)
        for (pg, pw), pt in pairs.items():
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
        if stop and all(p.fired_epoch is not None for p in pairs.values()):
            break
    res.seconds = time.perf_counter() - t_start
    return res


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


# ----------------------------------------------------------------------------- retrain
def build_ticket(
    trainer,
    cfg: GEBTConfig,
    masks: MaskSet,
    *,
    seed: int,
    init: str | None = None,
    edge_weights: str | None = None,
    state: Mapping[str, Tensor] | None = None,
    theta0: Mapping[str, Tensor] | None = None,
    graph_scores: Tensor | None = None,
) -> tuple[nn.Module, JointMasks, Tensor, Tensor | None]:
    """The ticket ready to train: initialised model, frozen masks, kept edges and weights.

    Args:
        masks: the ticket (weights by name + graph mask over undirected edges).
        init: ``inherit`` (Θ = ``state``, the weights at emergence), ``rewind`` (Θ =
            ``theta0``) or ``reinit`` (a fresh draw from seed ``seed + 10_000``); pruned
            weights are zeroed. Default ``cfg.init``.
        edge_weights: ``binary`` (kept edges weigh 1; ``edge_weight`` is None) or ``learned``
            (kept edges weigh |s_e| from ``graph_scores``, frozen). Default ``cfg.edge_weights``.

    Returns ``(model, joint masks, ticket edge_index, edge_weight or None)``; the directed
    entries of pruned edges are removed from ``edge_index``.
    """
    init = init or cfg.init
    edge_weights = edge_weights or cfg.edge_weights
    if init not in INITS:
        raise ValueError(f"`init` must be one of {INITS}, got {init!r}")
    if edge_weights not in EDGE_WEIGHTS:
        raise ValueError(f"`edge_weights` must be one of {EDGE_WEIGHTS}, got {edge_weights!r}")
    model = _make_model(trainer, cfg, seed + 10_000 if init == "reinit" else seed)
    if init == "inherit":
        if state is None:
            raise ValueError("init='inherit' needs `state` (the weights at the emergence epoch)")
        load_plain_state_dict(model, dict(state))
    elif init == "rewind":
        if theta0 is None:
            raise ValueError("init='rewind' needs `theta0` (the initial weights)")
        load_plain_state_dict(model, dict(theta0))
    jm = JointMasks(
        model,
        trainer.edge_index if masks.graph is not None else None,
        trainer.num_nodes if masks.graph is not None else None,
        masks=masks,
        learn_graph=False,
        learn_weights=False,
        seed=seed,
    )
    ei = jm.ticket_edge_index(trainer.edge_index)
    ew: Tensor | None = None
    if edge_weights == "learned":
        if graph_scores is None or jm.graph is None:
            raise ValueError("edge_weights='learned' needs `graph_scores` and a graph mask")
        keep = jm.graph.kept[jm.graph.inverse]
        ew = graph_scores.detach().abs()[jm.graph.inverse][keep]
    return model, jm, ei, ew


def retrain(
    trainer,
    cfg: GEBTConfig,
    masks: MaskSet,
    *,
    seed: int,
    init: str | None = None,
    edge_weights: str | None = None,
    state: Mapping[str, Tensor] | None = None,
    theta0: Mapping[str, Tensor] | None = None,
    graph_scores: Tensor | None = None,
) -> tuple[FitResult, nn.Module, Tensor]:
    """Retrain a ticket (:func:`build_ticket`) for ``cfg.retrain_epochs`` with Adam.

    Test metric at the best-validation epoch. Returns ``(fit result, model, edge_index)``.
    """
    model, _, ei, ew = build_ticket(
        trainer,
        cfg,
        masks,
        seed=seed,
        init=init,
        edge_weights=edge_weights,
        state=state,
        theta0=theta0,
        graph_scores=graph_scores,
    )
    res = fit_adam(
        model,
        trainer,
        epochs=cfg.retrain_epochs,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        seed=seed,
        edge_index=ei,
        edge_weight_fn=(lambda: ew) if ew is not None else None,
        desc="retrain",
    )
    return res, model, ei


def retrain_pair(
    trainer, cfg: GEBTConfig, pt: PairTicket, theta0: Mapping[str, Tensor], *, seed: int, **kwargs: Any
) -> FitResult:
    """:func:`retrain` the ticket of ``pt`` (its masks, Θ and graph scores at its epoch);
    ``kwargs`` go to :func:`retrain` (``init``, ``edge_weights``)."""
    if pt.masks is None:
        raise ValueError("this pair has no ticket yet (the search did not reach it)")
    return retrain(
        trainer,
        cfg,
        pt.masks,
        seed=seed,
        state=pt.state,
        theta0=theta0,
        graph_scores=pt.graph_scores,
        **kwargs,
    )[0]


def random_ticket(
    trainer, like: MaskSet, seed: int, *, graph_sparsity: float, weight_sparsity: float
) -> MaskSet:
    """A random ticket with the sparsities of ``like``: uniform edges, uniform global weights."""
    gen = torch.Generator().manual_seed(seed + 20_000)
    assert like.graph is not None
    g = prune_random({"g": torch.ones_like(like.graph)}, graph_sparsity, gen)["g"]
    w = prune_random({n: torch.ones_like(m) for n, m in like.weights.items()}, weight_sparsity, gen)
    return MaskSet(
        w,
        g,
        {"method": "random", "graph_sparsity": graph_sparsity, "weight_sparsity": weight_sparsity},
    )


def train_dense(trainer, cfg: GEBTConfig, seed: int, *, epochs: int | None = None) -> FitResult:
    """The dense baseline: same model and optimiser, full graph, ``retrain_epochs`` epochs."""
    model = _make_model(trainer, cfg, seed)
    return fit_adam(
        model,
        trainer,
        epochs=epochs or cfg.retrain_epochs,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        seed=seed,
        desc="dense",
    )


def training_macs(
    model: nn.Module, trainer, masks: MaskSet | None, *, search_epochs: int, retrain_epochs: int
) -> dict[str, int]:
    """Training MACs ≈ 3 × forward MACs per epoch (forward + backward).

    GEBT: ``search_epochs`` dense epochs on the full graph, then ``retrain_epochs`` on the
    ticket (kept weights, kept edges). Returns ``{"search", "retrain", "total", "dense_epoch",
    "ticket_epoch"}`` (forward MACs per epoch for the last two).
    """
    n = trainer.num_nodes
    dense = _dense_macs(model, trainer.edge_index, n)
    ticket = dense
    if masks is not None:
        ticket = _masked_macs(model, trainer, masks)
    search = 3 * dense * search_epochs
    retr = 3 * ticket * retrain_epochs
    return {
        "search": search,
        "retrain": retr,
        "total": search + retr,
        "dense_epoch": dense,
        "ticket_epoch": ticket,
    }


def _dense_macs(model: nn.Module, edge_index: Tensor, n: int) -> int:
    from torch_geometric.nn import GCNConv

    total = 0
    for mod in model.modules():
        if isinstance(mod, GCNConv):
            w = mod.lin.weight
            total += n * w.numel() + (edge_index.size(1) + n) * w.size(0)
    return total


def _masked_macs(model: nn.Module, trainer, masks: MaskSet) -> int:
    from torch_geometric.nn import GCNConv

    ei = trainer.edge_index
    if masks.graph is not None:
        from gcn_tickets.masks.edges import undirected_edges

        _, inv = undirected_edges(ei, trainer.num_nodes)
        ei = ei[:, masks.graph[inv]]
    total = 0
    n = trainer.num_nodes
    for name, mod in model.named_modules():
        if isinstance(mod, GCNConv):
            key = f"{name}.lin.weight"
            w = mod.lin.weight
            nnz = int(masks.weights[key].sum()) if key in masks.weights else w.numel()
            total += n * nnz + (ei.size(1) + n) * w.size(0)
    return total


def inference_macs(model: nn.Module, edge_index: Tensor, num_nodes: int) -> int:
    """Forward MACs of the (masked) model on ``edge_index`` (via :func:`costs.ticket_macs`)."""
    return int(ticket_macs(model, edge_index, num_nodes))


# ----------------------------------------------------------------------------- one seed
def run_seed(
    trainer,
    cfg: GEBTConfig,
    seed: int,
    *,
    ratios: Sequence[tuple[float, float]] | None = None,
    compare: bool = True,
    ablation: tuple[float, float] | None = None,
    keep_history: bool = False,
    retrain_pairs: Sequence[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """Dense baseline, one GEBT search for all ``ratios``, and the retrained tickets.

    For every pair: the early-bird ticket retrained with ``cfg.init`` / ``cfg.edge_weights``;
    with ``compare`` also the ticket drawn at the last search epoch, a random ticket of
    the same sparsities, and the learned weight mask with random edges (``random_graph_test``:
    isolates the graph mask), all retrained the same way (the search then runs the whole budget,
    and the early-bird cost is counted up to the emergence epoch only). With ``ablation``
    = (p_g, p_w): that pair is also retrained with every init and with learned edge weights.

    ``retrain_pairs``: retrain (and compare) only these pairs (default all); the other rows
    carry the emergence epoch and trajectory with ``test = None`` (cheap firing statistics
    on large graphs).

    Returns ``{"dense": {...}, "rows": [...], "search": SearchResult}`` (rows are JSON-safe).
    """
    ratios = list(ratios) if ratios is not None else [(cfg.graph_sparsity, cfg.weight_sparsity)]
    any_retrain = retrain_pairs is None or len(retrain_pairs) > 0
    dense = train_dense(trainer, cfg, seed) if any_retrain else None
    dense_row = {
        "test": dense.test if dense else None,
        "valid": dense.valid if dense else None,
        "seconds": dense.seconds if dense else None,
    }
    search = gebt_search(trainer, cfg, seed, ratios=ratios, stop=not compare, keep_history=keep_history)
    probe = _make_model(trainer, cfg, seed)
    rows: list[dict[str, Any]] = []
    for (pg, pw), pt in search.pairs.items():
        assert pt.masks is not None and pt.state is not None and pt.epoch is not None
        do_retrain = retrain_pairs is None or (pg, pw) in {tuple(r) for r in retrain_pairs}
        res = retrain_pair(trainer, cfg, pt, search.theta0, seed=seed) if do_retrain else None
        eb_macs = training_macs(
            probe, trainer, pt.masks, search_epochs=pt.epoch, retrain_epochs=cfg.retrain_epochs
        )
        full_macs = training_macs(
            probe,
            trainer,
            pt.masks,
            search_epochs=cfg.search_epochs,
            retrain_epochs=cfg.retrain_epochs,
        )
        row: dict[str, Any] = {
            "dataset": cfg.dataset,
            "seed": seed,
            "graph_sparsity": pg,
            "weight_sparsity": pw,
            "fired_epoch": pt.fired_epoch,
            "ticket_epoch": pt.epoch,
            "search_epochs": cfg.search_epochs,
            "init": cfg.init,
            "edge_weights": cfg.edge_weights,
            "test": res.test if res else None,
            "valid": res.valid if res else None,
            "best_epoch": res.best_epoch if res else None,
            "search_seconds": pt.search_seconds,
            "retrain_seconds": res.seconds if res else None,
            "dense_test": dense.test if dense else None,
            "dense_seconds": dense.seconds if dense else None,
            "train_macs": eb_macs["total"],
            "train_macs_full_search": full_macs["total"],
            "dense_train_macs": 3 * eb_macs["dense_epoch"] * cfg.retrain_epochs,
            "inference_macs": eb_macs["ticket_epoch"],
            "dense_inference_macs": eb_macs["dense_epoch"],
            "trajectory": {
                "graph": [r.distances["graph"] for r in pt.detector.trajectory],
                "weights": [r.distances["weights"] for r in pt.detector.trajectory],
                "combined": [r.combined for r in pt.detector.trajectory],
                "stats": [
                    {g: (None if v is None else v.to_list()) for g, v in r.stats.items()}
                    for r in pt.detector.trajectory
                ],
            },
            "detector": pt.detector.settings(),
        }
        if res is None:
            rows.append(row)
            continue
        if compare:
            last = search.last[(pg, pw)]
            row["last_test"] = retrain_pair(trainer, cfg, last, search.theta0, seed=seed).test
            row["last_search_seconds"] = last.search_seconds
            rnd = random_ticket(trainer, pt.masks, seed, graph_sparsity=pg, weight_sparsity=pw)
            # random_graph: the learned weight mask with random edges (the graph mask alone)
            controls = {
                "random_test": rnd,
                "random_graph_test": MaskSet(pt.masks.weights, rnd.graph, {"method": "random-graph"}),
            }
            for key, ticket in controls.items():
                rr, _, _ = retrain(
                    trainer,
                    cfg,
                    ticket,
                    seed=seed,
                    state=pt.state,
                    theta0=search.theta0,
                    edge_weights="binary",
                )
                row[key] = rr.test
        if ablation is not None and (pg, pw) == tuple(ablation):
            abl = {}
            for init in INITS:
                for ew in EDGE_WEIGHTS:
                    if init == cfg.init and ew == cfg.edge_weights:
                        abl[f"{init}/{ew}"] = res.test
                        continue
                    a = retrain_pair(trainer, cfg, pt, search.theta0, seed=seed, init=init, edge_weights=ew)
                    abl[f"{init}/{ew}"] = a.test
            row["ablation"] = abl
        rows.append(row)
    return {"dense": dense_row, "rows": rows, "search": search}
