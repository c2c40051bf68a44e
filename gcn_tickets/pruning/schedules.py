"""Pruning schedules: the densities of ``n`` rounds that end exactly at the target.

exponential (default): ``density^(k/n)``; linear: ``1 - (1 - density)·k/n``; ``k = 1..n``.
Iterative pruning at init (SynFlow, iterSNIP) uses 100 exponential rounds by default
(docs/pai.md).
"""

from __future__ import annotations

from gcn_tickets.pruning.select import check_choice, check_density, check_iterations

__all__ = ["SCHEDULES", "schedule_densities"]

SCHEDULES: tuple[str, ...] = ("exponential", "linear")


def schedule_densities(density: float, iterations: int, kind: str = "exponential") -> list[float]:
    """Densities of the ``iterations`` pruning rounds, ending exactly at ``density``.

    exponential: ``density^(k/n)``; linear: ``1 - (1 - density)·k/n``; ``k = 1..n``.
    """
    density = check_density(density)
    n = check_iterations(iterations)
    check_choice("schedule", kind, SCHEDULES)
    if kind == "exponential":
        out = [density ** (k / n) for k in range(1, n + 1)]
    else:
        out = [1.0 - (1.0 - density) * k / n for k in range(1, n + 1)]
    out[-1] = density
    return out
