"""Model-level spectral audit: every pruned layer and a summary.

Entry point :func:`audit`::

    from gcn_tickets.spectral import audit
    res = audit(model_or_masks, encoding="unrolled", weighted=False, narc="reference")
    res.layers["features.0.weight"].delta_r_norm
    res.summary["mean"]["imdb"]
    res.save_json("audit.json"); res.save_csv("audit.csv"); res.plot("audit.png")

The result type and its writers live in :mod:`.result`, the input loading in
:mod:`.inputs`; both are re-exported here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from torch import Tensor, nn

from gcn_tickets.masks.maskset import GRAPH_KEY, MaskError, MaskSet
from gcn_tickets.spectral.bipartite import ENCODINGS, Encoding, biadjacency
from gcn_tickets.spectral.eigen import DENSE_MAX, Method, blas_threads
from gcn_tickets.spectral.inputs import load_audit_input
from gcn_tickets.spectral.ramanujan import (
    NARC_CONVENTIONS,
    LayerSpectrum,
    NarcConvention,
    layer_spectrum,
)
from gcn_tickets.spectral.result import FIELDS, NOTHING_PRUNED, AuditResult, summarize

__all__ = ["AuditResult", "audit", "audit_layer", "load_audit_input", "summarize", "FIELDS", "NOTHING_PRUNED"]


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
    selected = _select_layers(ms, names)
    if weighted:
        _check_weights_given(selected, w_all)
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


def _check_weights_given(selected: list[str], w_all: Mapping[str, Tensor]) -> None:
    lacking = [n for n in selected if n not in w_all]
    if lacking:
        raise MaskError(
            f"weighted=True needs weights, none for {lacking[:5]}: pass a model or a "
            "pruned checkpoint with weights (or weights=...), or drop --weighted"
        )


def _select_layers(ms: MaskSet, names: list[str] | None) -> list[str]:
    """The masks to audit: ``names`` (checked to exist) or every mask with ``ndim >= 2``."""
    selected = [k for k, v in ms.weights.items() if v.dim() >= 2 and k != GRAPH_KEY]
    if names is not None:
        missing = [n for n in names if n not in ms]
        if missing:
            raise MaskError(f"no mask named {missing}; masks are {ms.names()[:10]} ...")
        selected = [n for n in names if ms[n].dim() >= 2]
    if not selected:
        raise MaskError("no layer masks with ndim >= 2 to audit (biases and norms are not bipartite layers)")
    return selected


def _audit_one(name: str, ms: MaskSet, w_all: Mapping[str, Tensor], **kw: Any) -> LayerSpectrum:
    w = w_all.get(name)
    if w is not None and tuple(w.shape) != tuple(ms[name].shape):
        raise MaskError(
            f"weight '{name}' has shape {tuple(w.shape)} but its mask has shape "
            f"{tuple(ms[name].shape)}: pass the weights the masks were made for"
        )
    return audit_layer(ms[name], weight=w, name=name, **kw)
