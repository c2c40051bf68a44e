"""The GEBT model and retraining recipe, from a :class:`GEBTConfig`."""

from __future__ import annotations

from gcn_tickets.methods.gebt.config import GEBTConfig
from gcn_tickets.tickets.retrain import ModelFactory, Recipe, seeded
from gcn_tickets.training.protocol import Trainer

__all__ = ["model_factory", "retrain_recipe"]


def model_factory(trainer: Trainer, cfg: GEBTConfig) -> ModelFactory:
    """``make_model(seed)``: every RNG seeded with ``seed``, then the model of ``cfg``
    (node tasks also take ``input_dropout`` and ``bias``)."""
    kw = cfg.model_kwargs()
    if trainer.kind == "node":
        kw.update(input_dropout=cfg.input_dropout, bias=cfg.bias)
    return seeded(trainer.make_model, **kw)


def retrain_recipe(cfg: GEBTConfig, *, epochs: int | None = None) -> Recipe:
    """Tickets and the dense baseline alike: ``epochs`` (default ``retrain_epochs``) of
    Adam(``lr``, ``weight_decay``)."""
    return Recipe(epochs=epochs or cfg.retrain_epochs, lr=cfg.lr, weight_decay=cfg.weight_decay)
