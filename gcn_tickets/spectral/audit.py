"""Model-level spectral audit: every pruned layer, a summary, and JSON/CSV/plot writers.

Entry point :func:`audit`::

    from gcn_tickets.spectral import audit
    res = audit(model_or_masks, encoding="unrolled", weighted=False, narc="reference")
    res.layers["features.0.weight"].delta_r_norm
    res.summary["mean"]["imdb"]
    res.save_json("audit.json"); res.save_csv("audit.csv"); res.plot("audit.png")

Summary per metric (``summary["metrics"][name]``): ``mean`` over the layers where
it is defined (as the reference, which silently drops the others), ``weighted_mean``
(weights = layer size m*n, the number of weights in the unrolled encoding),
``defined`` and ``undefined`` layer counts.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from gcn_tickets.io import atomic_write_text
from gcn_tickets.masks.maskset import GRAPH_KEY, MaskError, MaskSet
from gcn_tickets.spectral.bipartite import ENCODINGS, Encoding, biadjacency
from gcn_tickets.spectral.eigen import DENSE_MAX, Method, blas_threads
from gcn_tickets.spectral.ramanujan import (
    METRICS,
    NARC_CONVENTIONS,
    LayerSpectrum,
    NarcConvention,
    layer_spectrum,
)

__all__ = ["AuditResult", "audit", "audit_layer", "load_audit_input", "summarize", "FIELDS"]

#: per-layer JSON/CSV fields, in order
FIELDS: tuple[str, ...] = (
    "shape",
    "edges",
    "density",
    "left_isolated",
    "right_isolated",
    "d_left",
    "d_right",
    "lambda1",
    "mu_hat",
    "ramanujan_bound",
    "delta_r",
    "delta_r_norm",
    "delta_s",
    "is_ramanujan",
    "imdb",
    "imdb_subgraphs",
    "narc",
    "narc_undirected",
    "weighted_gap",
    "reasons",
)


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


# --------------------------------------------------------------------------- inputs
def _effective_weights_from_state_dict(sd: Mapping[str, Any]) -> dict[str, Tensor]:
    """Weights by unpruned name: ``<p>_orig * <p>_mask`` for prune buffers, else the tensor."""
    out: dict[str, Tensor] = {}
    for k, v in sd.items():
        if not isinstance(v, Tensor) or not v.is_floating_point():
            continue
        if k.endswith("_orig"):
            base = k[: -len("_orig")]
            mask = sd.get(base + "_mask")
            out[base] = v * mask if isinstance(mask, Tensor) else v
        elif not k.endswith("_mask") and k not in out:
            out[k] = v
    return out


def _module_weights(model: nn.Module, names: list[str]) -> dict[str, Tensor]:
    out: dict[str, Tensor] = {}
    for name in names:
        obj: Any = model
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        if isinstance(obj, Tensor):
            out[name] = obj.detach()
    return out


def load_audit_input(
    source: str | os.PathLike | MaskSet | nn.Module | Mapping[str, Any],
    *,
    zeros: bool = False,
) -> tuple[MaskSet, dict[str, Tensor] | None]:
    """Read masks (and weights when present) from any supported input.

    - :class:`MaskSet`: masks only.
    - ``nn.Module``: :meth:`MaskSet.from_module` (prune buffers, parametrizations, zeros);
      weights = the effective (masked) parameters.
    - mapping / file: a toolkit mask file, a mapping of 0/1 tensors (masks only), or a
      state_dict with ``torch.nn.utils.prune`` buffers (weights = ``orig * mask``). With
      ``zeros=True`` a plain state_dict of (pruned) weights is read as ``mask = W != 0``.
    """
    if isinstance(source, MaskSet):
        return source, None
    if isinstance(source, nn.Module):
        ms = MaskSet.from_module(source)
        return ms, _module_weights(source, ms.names())
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise MaskError(f"file not found: {path}")
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise MaskError(
                f"cannot read '{path}' ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}). "
                "Expected a mask file written by MaskSet.save, a torch.save'd dict of 0/1 "
                "tensors, or a state_dict of a model pruned with torch.nn.utils.prune."
            ) from None
        src = str(path)
    else:
        obj, src = source, "mapping"
    if isinstance(obj, Mapping) and "state_dict" in obj and isinstance(obj["state_dict"], Mapping):
        obj = obj["state_dict"]
    if not isinstance(obj, Mapping):
        raise MaskError(f"{src}: expected a mapping, got {type(obj).__name__}")
    has_prune = any(str(k).endswith("_mask") for k in obj)
    if zeros and not has_prune:
        ms = MaskSet.from_state_dict(obj, zeros=True)
        weights = _effective_weights_from_state_dict(obj)
        return ms, {k: v for k, v in weights.items() if k in ms}
    try:
        ms = MaskSet.from_object(obj, source=src)
    except MaskError as exc:
        if "not binary" in str(exc):
            raise MaskError(
                f"{exc}. If this is a state_dict of pruned weights (not masks), pass "
                "zeros=True (CLI: --zeros) to read mask = weight != 0."
            ) from None
        raise
    weights = _effective_weights_from_state_dict(obj) if has_prune else None
    if weights is not None:
        weights = {k: v for k, v in weights.items() if k in ms}
    return ms, weights


# --------------------------------------------------------------------------- audit
def audit_layer(
    mask: Tensor | np.ndarray,
    *,
    weight: Tensor | np.ndarray | None = None,
    encoding: Encoding = "unrolled",
    weighted: bool = False,
    narc: NarcConvention = "reference",
    name: str = "layer",
    method: Method = "auto",
    dense_max: int = DENSE_MAX,
    threads: int | None = None,
) -> LayerSpectrum:
    """Audit one layer mask (``[out, in]`` or ``[out, in, *kernel]``); see :func:`audit`."""
    B = biadjacency(mask, encoding=encoding, name=name)
    W = None
    if weight is not None:
        W = biadjacency(mask, encoding=encoding, weight=weight, name=name)
    return layer_spectrum(
        B,
        weights=W,
        weighted=weighted,
        narc=narc,
        method=method,
        dense_max=dense_max,
        threads=threads,
    )


def audit(
    masks_or_model: MaskSet | nn.Module | Mapping[str, Any] | str | os.PathLike,
    *,
    encoding: Encoding = "unrolled",
    weighted: bool = False,
    narc: NarcConvention = "reference",
    weights: Mapping[str, Tensor] | None = None,
    names: list[str] | None = None,
    zeros: bool = False,
    method: Method = "auto",
    dense_max: int = DENSE_MAX,
    threads: int | None = None,
) -> AuditResult:
    """Spectral audit of every pruned layer (masks with ``ndim >= 2``).

    Args:
        masks_or_model: a :class:`MaskSet`, a model (prune buffers / parametrizations /
            zeros), a mapping (masks or a prune state_dict) or a path to such a file.
        encoding: ``"unrolled"`` (default) or ``"channel"`` (see :mod:`.bipartite`).
        weighted: compute ``lambda1``, ``mu_hat`` and the scores on the ``|W|``-weighted
            bi-adjacency (default False: 0/1, as the reference). Needs weights.
        narc: ``"reference"`` (default, 2|E| as released) or ``"undirected"`` (|E|): the
            NaRC shown in tables and plots. Both are always in the result.
        weights: parameter name -> weight tensor, overriding weights read from the input.
            Without weights ``weighted_gap`` is NaN ("no weights given").
        names: audit only these masks (default: every mask with ``ndim >= 2``).
        zeros: read a plain state_dict of weights as ``mask = W != 0`` (see
            :func:`load_audit_input`).
        method, dense_max, threads: eigen-solver options
            (:func:`~gcn_tickets.spectral.eigen.top_singular_values`).

    Returns:
        :class:`AuditResult` with ``layers`` (name -> :class:`LayerSpectrum`) and ``summary``;
        ``summary["nothing_pruned"] = True`` (and a warning line in the table) when every
        audited mask keeps all its entries.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"`encoding` must be one of {ENCODINGS}, got {encoding!r}")
    if narc not in NARC_CONVENTIONS:
        raise ValueError(f"`narc` must be one of {NARC_CONVENTIONS}, got {narc!r}")
    ms, found = load_audit_input(masks_or_model, zeros=zeros)
    w_all: dict[str, Tensor] = dict(found or {})
    if weights is not None:
        w_all.update(weights)
    selected = [k for k, v in ms.weights.items() if v.dim() >= 2 and k != GRAPH_KEY]
    if names is not None:
        missing = [n for n in names if n not in ms]
        if missing:
            raise MaskError(f"no mask named {missing}; masks are {ms.names()[:10]} ...")
        selected = [n for n in names if ms[n].dim() >= 2]
    if not selected:
        raise MaskError("no layer masks with ndim >= 2 to audit (biases and norms are not bipartite layers)")
    if weighted:
        lacking = [n for n in selected if n not in w_all]
        if lacking:
            raise MaskError(
                f"weighted=True needs weights, none for {lacking[:5]}: pass a model or a "
                "pruned checkpoint with weights (or weights=...), or drop --weighted"
            )
    t0 = time.perf_counter()
    layers: dict[str, LayerSpectrum] = {}
    with blas_threads(threads):
        for name in selected:
            layers[name] = _audit_one(
                name,
                ms,
                w_all,
                encoding=encoding,
                weighted=weighted,
                narc=narc,
                method=method,
                dense_max=dense_max,
                threads=threads,
            )
    config = {"encoding": encoding, "weighted": weighted, "narc": narc}
    summary = summarize(layers)
    if all(bool(ms[n].all()) for n in selected):
        summary["nothing_pruned"] = True  # only then: the JSON of a pruned model is unchanged
    summary.update(config)
    summary["seconds"] = time.perf_counter() - t0
    return AuditResult(layers=layers, summary=summary, config=config)


def _audit_one(name: str, ms: MaskSet, w_all: Mapping[str, Tensor], **kw: Any) -> LayerSpectrum:
    w = w_all.get(name)
    if w is not None and tuple(w.shape) != tuple(ms[name].shape):
        raise MaskError(
            f"weight '{name}' has shape {tuple(w.shape)} but its mask has shape "
            f"{tuple(ms[name].shape)}: pass the weights the masks were made for"
        )
    return audit_layer(ms[name], weight=w, name=name, **kw)
