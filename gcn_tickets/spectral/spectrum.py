"""The per-layer result of a spectral audit, :class:`LayerSpectrum`, and the names of its
float metrics (:data:`METRICS`); the definitions are in :mod:`.ramanujan` and
``docs/spectral.md``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

__all__ = ["LayerSpectrum", "METRICS", "FIELDS"]

#: float metrics that can be undefined (NaN with a reason)
METRICS: tuple[str, ...] = (
    "d_left",
    "d_right",
    "lambda1",
    "mu_hat",
    "ramanujan_bound",
    "delta_r",
    "delta_r_norm",
    "delta_s",
    "imdb",
    "narc",
    "narc_undirected",
    "weighted_gap",
)


@dataclass(frozen=True, kw_only=True)
class LayerSpectrum:
    """Spectral audit of one layer. Undefined values are NaN (``is_ramanujan``: None)
    and ``reasons[field]`` says why."""

    shape: tuple[int, int]
    edges: int
    density: float
    left_isolated: int
    right_isolated: int
    d_left: float
    d_right: float
    lambda1: float
    mu_hat: float
    ramanujan_bound: float
    delta_r: float
    delta_r_norm: float
    delta_s: float
    is_ramanujan: bool | None
    imdb: float
    imdb_subgraphs: int
    narc: float
    narc_undirected: float
    weighted_gap: float
    narc_convention: str = "reference"
    reasons: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))

    @property
    def narc_selected(self) -> float:
        """NaRC under the convention chosen for this audit."""
        return self.narc if self.narc_convention == "reference" else self.narc_undirected

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: NaN -> None, tuples -> lists."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            elif isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, Mapping):
                v = dict(v)
            out[f.name] = v
        return out


#: per-layer JSON/CSV fields, in order: every field of :class:`LayerSpectrum` but
#: ``narc_convention`` (a setting of the audit, in its ``config``)
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(LayerSpectrum) if f.name != "narc_convention")
