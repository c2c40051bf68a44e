"""The result of a spectral audit: :class:`AuditResult`, its JSON / CSV / table / plot
writers and the model summary (:func:`summarize`).

Summary per metric (``summary["metrics"][name]``): ``mean`` over the layers where
it is defined (as the reference, which silently drops the others), ``weighted_mean``
(weights = layer size m*n, the number of weights in the unrolled encoding),
``defined`` and ``undefined`` layer counts. See ``docs/spectral.md``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gcn_tickets.io import atomic_write_text
from gcn_tickets.spectral.spectrum import FIELDS, METRICS, LayerSpectrum

__all__ = ["AuditResult", "FIELDS", "NOTHING_PRUNED", "summarize"]

NOTHING_PRUNED = (
    "nothing is pruned: every audited mask keeps all its entries (density 1), so these are the "
    "scores of the dense layers; give the pruned model's masks"
)


def _nan_to_none(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _nan_to_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_nan_to_none(v) for v in obj]
    if isinstance(obj, np.generic):
        return _nan_to_none(obj.item())
    return obj


@dataclass(frozen=True)
class AuditResult:
    """Per-layer results (in model order) and the model summary."""

    layers: dict[str, LayerSpectrum]
    summary: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"layers": {name: {...}}, "summary": {...}}`` with NaN as None (JSON null)."""
        layers = {}
        for name, r in self.layers.items():
            d = r.to_dict()
            layers[name] = {k: d[k] for k in FIELDS}
        return _nan_to_none({"layers": layers, "summary": self.summary})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def save_json(self, path: str | os.PathLike) -> Path:
        atomic_write_text(path, self.to_json() + "\n")
        return Path(path)

    def to_csv(self) -> str:
        """One row per layer; ``shape`` as ``m x n``, reasons as ``field: reason; ...``."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["layer", *FIELDS])
        for name, r in self.layers.items():
            d = _nan_to_none(r.to_dict())
            row: list[Any] = [name]
            for k in FIELDS:
                v = d[k]
                if k == "shape":
                    v = f"{v[0]}x{v[1]}"
                elif k == "reasons":
                    v = "; ".join(f"{a}: {b}" for a, b in v.items())
                row.append("" if v is None else v)
            w.writerow(row)
        return buf.getvalue()

    def save_csv(self, path: str | os.PathLike) -> Path:
        atomic_write_text(path, self.to_csv())
        return Path(path)

    def table(self) -> str:
        """Fixed-width per-layer table (NaN printed as ``-``) plus the summary line."""
        narc_key = "narc" if self.config.get("narc", "reference") == "reference" else ("narc_undirected")
        cols = [
            ("layer", None),
            ("m x n", None),
            ("dens", "density"),
            ("d_L", "d_left"),
            ("d_R", "d_right"),
            ("lambda1", "lambda1"),
            ("mu_hat", "mu_hat"),
            ("bound", "ramanujan_bound"),
            ("dr_norm", "delta_r_norm"),
            ("ram", "is_ramanujan"),
            ("imdb", "imdb"),
            ("#G_d", "imdb_subgraphs"),
            ("narc", narc_key),
            ("w_gap", "weighted_gap"),
        ]
        rows = []
        for name, r in self.layers.items():
            row = [name, f"{r.shape[0]}x{r.shape[1]}"]
            for _, key in cols[2:]:
                v = getattr(r, key)
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
                    row.append("-")
                elif isinstance(v, bool):
                    row.append("yes" if v else "no")
                elif isinstance(v, int):
                    row.append(str(v))
                else:
                    row.append(f"{v:.4g}")
            rows.append(row)
        header = [c for c, _ in cols]
        widths = [max(len(h), *(len(x[i]) for x in rows)) if rows else len(h) for i, h in enumerate(header)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
        for row in rows:
            lines.append("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)))
        s = self.summary["metrics"]
        lines.append(
            f"mean over defined layers: delta_r_norm {_fmt(s['delta_r_norm']['mean'])} "
            f"({s['delta_r_norm']['undefined']} undefined), imdb {_fmt(s['imdb']['mean'])} "
            f"({s['imdb']['undefined']} undefined), narc[{self.config.get('narc')}] "
            f"{_fmt(s[narc_key]['mean'])}; Ramanujan layers "
            f"{self.summary['ramanujan_layers']}/{self.summary['layers']}"
        )
        if self.summary.get("nothing_pruned"):
            lines.append(f"warning: {NOTHING_PRUNED}")
        return "\n".join(lines)

    def plot(self, path: str | os.PathLike) -> Path:
        """PNG of the per-layer metrics (delta_r_norm, IMDB, NaRC, weighted gap, degrees)."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        names = list(self.layers)
        x = np.arange(len(names))
        narc_key = "narc" if self.config.get("narc", "reference") == "reference" else ("narc_undirected")
        panels = [
            ("delta_r_norm", "Δr_norm = 1 − μ̂/bound"),
            ("imdb", "IMDB"),
            (narc_key, f"NaRC ({self.config.get('narc', 'reference')})"),
            ("weighted_gap", "weighted gap λ1 − μ̂ (|W|)"),
        ]
        # a metric undefined everywhere (e.g. the weighted gap of masks only) gets no panel
        panels = [
            (k, t) for k, t in panels if any(math.isfinite(getattr(self.layers[n], k)) for n in names)
        ] or panels[:1]
        width = max(6.0, 0.35 * len(names) + 3)
        fig, axes = plt.subplots(len(panels) + 1, 1, figsize=(width, 2.2 * len(panels) + 3), sharex=True)
        for ax, (key, title) in zip(axes, panels, strict=False):
            y = np.array([getattr(self.layers[n], key) for n in names], dtype=float)
            ax.bar(x, np.nan_to_num(y), color=["C0" if np.isfinite(v) else "0.8" for v in y])
            ax.axhline(0, color="k", lw=0.6)
            ax.set_ylabel(title, fontsize=8)
            for i in np.flatnonzero(~np.isfinite(y)):
                ax.text(x[i], 0, "n/a", ha="center", va="bottom", fontsize=6, color="0.4")
        ax = axes[-1]
        ax.plot(x, [self.layers[n].d_left for n in names], "o-", label="d_L")
        ax.plot(x, [self.layers[n].d_right for n in names], "s-", label="d_R")
        ax.axhline(3, color="r", lw=0.6, ls="--", label="guard d = 3")
        ax.set_yscale("log")
        ax.legend(fontsize=7)
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=75, fontsize=7)
        fig.suptitle(f"spectral audit ({self.config.get('encoding')} encoding)")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp.png")
        fig.savefig(tmp, dpi=110)
        plt.close(fig)
        os.replace(tmp, path)
        return path


def _fmt(v: float) -> str:
    return "-" if v is None or not math.isfinite(v) else f"{v:.4g}"


def summarize(layers: Mapping[str, LayerSpectrum]) -> dict[str, Any]:
    """Model summary: per metric the mean over defined layers, the size-weighted mean
    (weights m*n) and the defined/undefined counts; Ramanujan layer count; totals."""
    metrics: dict[str, dict[str, Any]] = {}
    sizes = np.array([r.shape[0] * r.shape[1] for r in layers.values()], dtype=float)
    for key in METRICS:
        vals = np.array([getattr(r, key) for r in layers.values()], dtype=float)
        ok = np.isfinite(vals)
        metrics[key] = {
            "mean": float(vals[ok].mean()) if ok.any() else math.nan,
            "weighted_mean": float(np.average(vals[ok], weights=sizes[ok])) if ok.any() else math.nan,
            "defined": int(ok.sum()),
            "undefined": int((~ok).sum()),
        }
    ram = [r.is_ramanujan for r in layers.values()]
    edges = sum(r.edges for r in layers.values())
    total = int(sizes.sum())
    return {
        "layers": len(layers),
        "edges": int(edges),
        "weights": total,
        "density": edges / total if total else math.nan,
        "ramanujan_layers": int(sum(1 for v in ram if v is True)),
        "scored_layers": int(sum(1 for v in ram if v is not None)),
        "metrics": metrics,
    }
