"""Reports of UGS runs: the accuracy-versus-sparsity table (markdown/text) and plot (PNG)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from gcn_tickets.config import UGS_MODES
from gcn_tickets.io import atomic_write_text
from gcn_tickets.methods.ugs.run import summarize_run

__all__ = ["ugs_table", "write_ugs_report", "matching_round", "wins", "verdicts"]


def _fmt(s: dict[str, float] | None) -> str:
    if not s or s.get("n", 0) == 0:
        return "—"
    return f"{100 * s['mean']:.2f} ± {100 * s['std']:.2f} (n={s['n']})"


def _pct(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.2f} %"


def _by_round(summary: dict[str, Any], mode: str) -> dict[int, dict[str, Any]]:
    return {row["round"]: row for row in summary.get(mode, [])}


def matching_round(summary: dict[str, Any], mode: str) -> int | None:
    """Highest round whose mean test accuracy is ≥ the dense mean (None if none)."""
    dense = summary.get("dense", [])
    if not dense:
        return None
    ref = dense[0]["test"]["mean"]
    ok = [r for r, row in _by_round(summary, mode).items() if r > 0 and row["test"]["mean"] >= ref]
    return max(ok) if ok else None


def wins(summary: dict[str, Any], mode: str, control: str = "random") -> tuple[int, int]:
    """(#rounds where ``mode`` has a higher mean test accuracy than ``control``, #rounds compared)."""
    a, b = _by_round(summary, mode), _by_round(summary, control)
    common = [r for r in a if r in b and r > 0]
    return sum(a[r]["test"]["mean"] > b[r]["test"]["mean"] for r in common), len(common)


def verdicts(summary: dict[str, Any]) -> list[str]:
    """One markdown line per UGS mode: rounds won against random, highest matching round."""
    lines = []
    for mode in ("reference", "improved"):
        if mode in summary:
            m = matching_round(summary, mode)
            w, n = wins(summary, mode)
            versus = f"beats random in **{w}/{n}** rounds"
            if not n:
                versus = "no round shared with random" if "random" in summary else "no random control ran"
            match = m if m is not None else "none"
            lines.append(f"- `{mode}`: {versus}; highest round matching the dense mean: {match}.")
    return lines


def ugs_table(summary: dict[str, Any]) -> str:
    """Markdown table: round, sparsities, test accuracy (mean ± std over seeds) per mode."""
    modes = [m for m in UGS_MODES if m in summary]
    rounds = sorted({row["round"] for m in modes for row in summary[m]})
    dense = summary.get("dense", [{}])[0] if summary.get("dense") else {}
    head = "| round | graph sparsity | weight sparsity | MACs (% dense) | " + " | ".join(modes) + " |"
    lines = [head, "|" + "---|" * (4 + len(modes))]
    if dense:
        lines.append(
            "| 0 (dense) | 0.00 % | 0.00 % | 100.0 | " + " | ".join(_fmt(dense["test"]) for _ in modes) + " |"
        )
    for r in rounds:
        rows = {m: _by_round(summary, m).get(r) for m in modes}
        any_row = next(v for v in rows.values() if v)
        macs = 100 * any_row["macs"] / any_row["dense_macs"] if any_row.get("dense_macs") else math.nan
        lines.append(
            f"| {r} | {_pct(any_row['graph_sparsity'])} | "
            f"{100 * any_row['weight_sparsity']:.2f} % | {macs:.1f} | "
            + " | ".join(_fmt(rows[m]["test"] if rows[m] else None) for m in modes)
            + " |"
        )
    return "\n".join(lines)


def plot_ugs(summary: dict[str, Any], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, label in (
        (axes[0], "graph_sparsity", "graph sparsity (%)"),
        (axes[1], "weight_sparsity", "weight sparsity (%)"),
    ):
        for mode, style in (("reference", "o-"), ("improved", "s-"), ("random", "^--")):
            rows = [r for r in summary.get(mode, []) if r["round"] > 0 and r[key] is not None]
            if not rows:
                continue
            x = [100 * r[key] for r in rows]
            y = [100 * r["test"]["mean"] for r in rows]
            e = [100 * r["test"]["std"] for r in rows]
            ax.errorbar(
                x,
                y,
                yerr=e,
                fmt=style,
                capsize=2,
                label=f"UGS {mode}" if mode != "random" else "random pruning",
            )
        if summary.get("dense"):
            d = summary["dense"][0]["test"]
            ax.axhline(100 * d["mean"], color="k", lw=1, label="dense")
            ax.axhspan(100 * (d["mean"] - d["std"]), 100 * (d["mean"] + d["std"]), color="k", alpha=0.08)
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy at best validation (%)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)


def write_ugs_report(run_dir: str | Path, out_prefix: str | Path, *, title: str = "UGS") -> str:
    """Write ``<out_prefix>.md`` (table + matching rounds + win counts) and ``<out_prefix>.png``."""
    summary = summarize_run(run_dir)
    out_prefix = Path(out_prefix)
    lines = [f"# {title}", "", ugs_table(summary), "", *verdicts(summary)]
    lines += ["", f"![accuracy vs sparsity]({out_prefix.name}.png)", ""]
    text = "\n".join(lines)
    atomic_write_text(out_prefix.with_suffix(".md"), text)
    if any(summary.get(m) for m in UGS_MODES):
        plot_ugs(summary, out_prefix.with_suffix(".png"), title)
    return text
