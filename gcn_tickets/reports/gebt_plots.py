"""Plots of GEBT searches: the mask-distance trajectory and the pairwise-distance heat map.

``plot_trajectory`` takes the rows of ``gcn_tickets.methods.gebt.run.run_seed`` (as
written to ``seed<k>.json``: ``row["trajectory"][group]`` = distance per epoch); the heat
map needs the detector with its mask history (``keep_history=True``), so it is drawn while
the search's result is in memory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gcn_tickets.methods.early_bird.detector import EarlyBirdDetector

__all__ = ["plot_trajectory", "plot_heatmaps"]


def plot_trajectory(rows: Sequence[Mapping[str, Any]], path: str | Path, title: str = "") -> None:
    """Distance per group (and combined) against the epoch, one line per row, with η."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
    for ax, key in zip(axes, ("graph", "weights", "combined"), strict=True):
        for r in rows:
            y = [math.nan if v is None else v for v in r["trajectory"][key]]
            lab = f"graph sp. {r['graph_sparsity']:.0%}, weight sp. {r['weight_sparsity']:.0%}"
            ax.plot(range(1, len(y) + 1), y, lw=1, label=lab)
            if key == "combined" and r.get("fired_epoch"):
                ax.axvline(r["fired_epoch"], color="k", lw=0.5, ls=":")
        if key == "combined" and rows:
            ax.axhline(rows[0]["detector"]["eta"], color="r", lw=0.8, ls="--", label="η")
        ax.set_title(f"{key} ({rows[0]['detector']['convention'] if rows else ''})")
        ax.set_xlabel("epoch")
        ax.set_yscale("log")
    axes[0].set_ylabel("distance to previous mask")
    axes[-1].legend(fontsize=6, ncol=2)
    fig.suptitle(title)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_heatmaps(
    detector: EarlyBirdDetector, path: str | Path, title: str = "", convention: str = "fraction"
) -> None:
    """The EB paper's pairwise mask-distance heat map over epochs, one panel per group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(detector.history)
    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 4))
    axes = [axes] if len(groups) == 1 else list(axes)
    for ax, g in zip(axes, groups, strict=True):
        d = detector.heatmap(g, convention).numpy()
        im = ax.imshow(d, cmap="viridis", origin="upper", extent=(0.5, len(d) + 0.5, len(d) + 0.5, 0.5))
        if detector.fired_epoch is not None:
            ax.axvline(detector.fired_epoch, color="w", lw=0.7, ls=":")
            ax.axhline(detector.fired_epoch, color="w", lw=0.7, ls=":")
        ax.set_title(f"{g}: {convention} distance")
        ax.set_xlabel("epoch")
        ax.set_ylabel("epoch")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(title)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
