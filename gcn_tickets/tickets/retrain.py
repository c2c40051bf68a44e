"""Retraining a ticket: the one recipe every method shares after its search.

A ticket is a :class:`~gcn_tickets.masks.maskset.MaskSet` (weights by name + graph mask over
undirected edges). :func:`build_ticket` makes it ready to train:

* initialisation ``init``: ``rewind`` (Θ = Θ0, ``theta0``), ``inherit`` (Θ = a given
  ``state``, e.g. the weights at an early-bird emergence epoch) or ``reinit`` (a fresh draw,
  ``make_model(model_seed + REINIT_OFFSET)``); pruned weights stay exactly 0;
* the masks are frozen: ``JointMasks(learn_graph=False, learn_weights=False)``, and the
  directed entries of pruned edges are dropped from ``edge_index`` (the saving is real);
* edge weights ``edge_weights``: ``binary`` (kept edges weigh 1, ``edge_weight`` is None) or
  ``learned`` (kept edges weigh |s_e| of the given ``graph_scores``, frozen).

:func:`retrain` trains it with one Adam (:class:`Recipe`) and reports the test metric at the
best-validation epoch. See ALGORITHMS.md sections 1-2, docs/ugs.md and docs/gebt.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn

from gcn_tickets.masks.joint import JointMasks, load_plain_state_dict
from gcn_tickets.masks.maskset import MaskSet
from gcn_tickets.training.fit import FitResult, fit_adam, seed_everything
from gcn_tickets.training.protocol import Trainer

__all__ = [
    "INITS",
    "EDGE_WEIGHTS",
    "REINIT_OFFSET",
    "ModelFactory",
    "Recipe",
    "Ticket",
    "seeded",
    "build_ticket",
    "retrain",
    "retrain_ticket",
]

INITS = ("inherit", "rewind", "reinit")
EDGE_WEIGHTS = ("binary", "learned")
REINIT_OFFSET = 10_000  # ``reinit`` draws the model from ``model_seed + REINIT_OFFSET``

ModelFactory = Callable[[int], nn.Module]  # make_model(seed) -> a freshly seeded model


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """How a ticket (or the dense model) is trained: one Adam for ``epochs`` epochs,
    validation every ``eval_every`` epochs (default 1), test at the best validation."""

    epochs: int
    lr: float
    weight_decay: float
    eval_every: int = 1


@dataclass
class Ticket:
    """A ticket ready to train: the model, its frozen masks, the kept ``edge_index`` (None
    on graph-level tasks) and ``edge_weight`` (None for binary edges)."""

    model: nn.Module
    masks: JointMasks
    edge_index: Tensor | None
    edge_weight: Tensor | None


def seeded(build: Callable[..., nn.Module], /, **kwargs: Any) -> ModelFactory:
    """``make_model(seed)``: seed every RNG with ``seed`` (``seed_everything``), then
    ``build(**kwargs)``."""

    def make_model(seed: int) -> nn.Module:
        seed_everything(seed)
        return build(**kwargs)

    return make_model


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {allowed}, got {value!r}")


def _initial_weights(
    init: str, state: Mapping[str, Tensor] | None, theta0: Mapping[str, Tensor] | None
) -> Mapping[str, Tensor] | None:
    if init == "inherit":
        if state is None:
            raise ValueError("init='inherit' needs `state` (the weights at the emergence epoch)")
        return state
    if init == "rewind":
        if theta0 is None:
            raise ValueError("init='rewind' needs `theta0` (the initial weights)")
        return theta0
    return None


def build_ticket(
    trainer: Trainer,
    make_model: ModelFactory,
    masks: MaskSet,
    *,
    seed: int,
    model_seed: int | None = None,
    init: str = "rewind",
    edge_weights: str = "binary",
    state: Mapping[str, Tensor] | None = None,
    theta0: Mapping[str, Tensor] | None = None,
    graph_scores: Tensor | None = None,
) -> Ticket:
    """The ticket ``masks`` ready to train (see the module docstring).

    Args:
        make_model: ``make_model(seed)`` builds the seeded model; it is called with
            ``model_seed`` (default ``seed``), or ``model_seed + REINIT_OFFSET`` for ``reinit``.
        seed: seeds the frozen :class:`JointMasks`.
        init: ``rewind`` (default, needs ``theta0``), ``inherit`` (needs ``state``), ``reinit``.
        edge_weights: ``binary`` (default) or ``learned`` (needs ``graph_scores`` [U] and a
            graph mask).
    """
    _check_choice("init", init, INITS)
    _check_choice("edge_weights", edge_weights, EDGE_WEIGHTS)
    model_seed = seed if model_seed is None else model_seed
    model = make_model(model_seed + REINIT_OFFSET if init == "reinit" else model_seed)
    start = _initial_weights(init, state, theta0)
    if start is not None:
        load_plain_state_dict(model, dict(start))
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
    return Ticket(model=model, masks=jm, edge_index=ei, edge_weight=ew)


def retrain(
    trainer: Trainer,
    ticket: Ticket,
    recipe: Recipe,
    *,
    seed: int,
    desc: str = "retrain",
) -> FitResult:
    """Train ``ticket`` with ``recipe`` (torch re-seeded with ``seed`` first, for dropout);
    the test metric at the best-validation epoch."""
    ew = ticket.edge_weight
    return fit_adam(
        ticket.model,
        trainer,
        epochs=recipe.epochs,
        lr=recipe.lr,
        weight_decay=recipe.weight_decay,
        seed=seed,
        edge_index=ticket.edge_index,
        edge_weight_fn=(lambda: ew) if ew is not None else None,
        eval_every=recipe.eval_every,
        desc=desc,
    )


def retrain_ticket(
    trainer: Trainer,
    make_model: ModelFactory,
    masks: MaskSet,
    recipe: Recipe,
    *,
    seed: int,
    **ticket_kwargs: Any,
) -> tuple[FitResult, Ticket]:
    """:func:`build_ticket` then :func:`retrain`; ``ticket_kwargs`` go to :func:`build_ticket`
    (``model_seed``, ``init``, ``edge_weights``, ``state``, ``theta0``, ``graph_scores``)."""
    ticket = build_ticket(trainer, make_model, masks, seed=seed, **ticket_kwargs)
    return retrain(trainer, ticket, recipe, seed=seed), ticket
