"""The built-in ticket methods' runners (registered in :mod:`gcn_tickets.methods.registry`).

- ``ugs``: :func:`gcn_tickets.methods.ugs.run_ugs` with ``cfg.ugs``, ``cfg.modes`` and
  ``cfg.seeds`` of a :class:`gcn_tickets.config.RunConfig` (docs/ugs.md);
- ``gebt``: :func:`gcn_tickets.methods.gebt.run_gebt` with a
  :class:`~gcn_tickets.methods.gebt.config.GEBTConfig` read in GEBT's own layout
  (:func:`gcn_tickets.methods.gebt.config.load_config`), the config's single ratio pair,
  with the last-epoch and random controls (as ``gcn-tickets early-bird`` without flags;
  docs/gebt.md).

The methods are imported when a runner is called, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run_ugs_method", "run_gebt_method", "gebt_trainer_options"]


def run_ugs_method(
    trainer: Any, cfg: Any, out_dir: str | Path, *, log: Callable[[str], None] = print
) -> dict:
    """Every mode and seed of ``cfg`` for ``cfg.ugs.rounds`` rounds (resumable)."""
    from gcn_tickets.methods.ugs import run_ugs

    return run_ugs(trainer, cfg.section("ugs"), out_dir, modes=cfg.modes, seeds=cfg.seeds, log=log)


def run_gebt_method(
    trainer: Any, cfg: Any, out_dir: str | Path, *, log: Callable[[str], None] = print
) -> dict:
    """Every seed of the GEBT config ``cfg`` at its ``(graph_sparsity, weight_sparsity)`` pair."""
    from gcn_tickets.methods.gebt import run_gebt

    ratios = [(cfg.graph_sparsity, cfg.weight_sparsity)]
    return run_gebt(trainer, cfg, out_dir, ratios=ratios, compare=True, log=log)


def gebt_trainer_options(cfg: Any, kind: str) -> dict[str, Any]:
    """Link tasks: GEBT's ``batch_size`` and ``steps_per_epoch``; node tasks: none."""
    if kind == "link":
        return {"batch_size": cfg.batch_size, "steps_per_epoch": cfg.steps_per_epoch}
    return {}
