"""Markdown table of a spectral audit JSON (``gcn-tickets audit PATH --json OUT``).

Input: the document of ``gcn_tickets.spectral.audit.AuditResult.save_json``:
``{"layers": {name: {field: value}}, "summary": {...}}`` with undefined values as null.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AUDIT_COLUMNS", "audit_markdown"]

#: (column header, JSON field) of the table
AUDIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("density", "density"),
    ("d_L", "d_left"),
    ("d_R", "d_right"),
    ("λ1", "lambda1"),
    ("μ̂", "mu_hat"),
    ("bound", "ramanujan_bound"),
    ("Δr_norm", "delta_r_norm"),
    ("Ramanujan", "is_ramanujan"),
    ("IMDB", "imdb"),
    ("NaRC", "narc"),
    ("weighted gap", "weighted_gap"),
)


def _cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    return f"{v:.4g}"


def _summary_line(summary: dict[str, Any]) -> str:
    m = summary.get("metrics", {})
    parts = [
        f"{key} mean {_cell(m[key]['mean'])} ({m[key]['undefined']} undefined)"
        for key in ("delta_r_norm", "imdb", "narc")
        if key in m
    ]
    ram = f"Ramanujan layers {summary.get('ramanujan_layers', '–')}/{summary.get('layers', '–')}"
    return "; ".join([*parts, ram]) + "."


def audit_markdown(doc: dict[str, Any]) -> str:
    """One row per layer (m × n, then ``AUDIT_COLUMNS``; undefined values ``–``), then the
    summary: mean Δr_norm, IMDB, NaRC over the defined layers and the Ramanujan count."""
    if "layers" not in doc or "summary" not in doc:
        raise ValueError("not an audit JSON: expected the keys 'layers' and 'summary'")
    lines = [
        "| layer | m × n | " + " | ".join(h for h, _ in AUDIT_COLUMNS) + " |",
        "|---|---|" + "---|" * len(AUDIT_COLUMNS),
    ]
    for name, d in doc["layers"].items():
        shape = f"{d['shape'][0]}×{d['shape'][1]}"
        lines.append(f"| {name} | {shape} | " + " | ".join(_cell(d.get(k)) for _, k in AUDIT_COLUMNS) + " |")
    return "\n".join([*lines, "", _summary_line(doc["summary"])])
