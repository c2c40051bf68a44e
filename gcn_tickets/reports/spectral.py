"""The benchmark table of docs/spectral.md (between its ``bench`` markers), from results.

Input: ``benchmarks/results/spectral.json`` as ``benchmarks/bench_spectral.py`` writes it:
``{"date", "machine", "models": {case: timing + metric means}, "big_layer": {...},
"reference_nx": {...}}``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["START", "END", "spectral_table", "splice"]

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
Record = dict[str, Any]


def _model_row(key: str, r: Record) -> str:
    return (
        f"| {key} | {r['layers']} | {r['seconds_median']:.2f} s ({r['seconds_min']:.2f} s) | "
        f"{r['cpu_seconds_median']:.2f} s | "
        f"{r['peak_rss_mb']:.0f} MB (+{r['peak_rss_increase_mb']:.0f} MB) | "
        f"{r['tracemalloc_peak_mb']:.0f} MB | {r['mean_delta_r_norm']:.4f} "
        f"({r['undefined_delta_r_norm']}) | {r['mean_imdb']:.4f} ({r['undefined_imdb']}) | "
        f"{r['mean_narc']:.4f} |"
    )


def _big_layer(b: Record) -> str:
    return (
        f"Layer {b['shape'][0]}×{b['shape'][1]} (torchvision VGG-16 `classifier.0`), density 0.05, "
        f"{b['edges']:,} edges: {b['seconds_median']:.1f} s (min {b['seconds_min']:.1f} s), peak RSS "
        f"{b['peak_rss_mb']:.0f} MB (+{b['peak_rss_increase_mb']:.0f} MB over the 102 MB mask "
        f"already in memory), tracemalloc peak {b['tracemalloc_peak_mb']:.0f} MB; "
        f"λ1 = {b['lambda1']:.3f}, μ̂ = {b['mu_hat']:.3f}, Δr_norm = {b['delta_r_norm']:.4f}, "
        f"IMDB = {b['imdb']:.4f} ({b['imdb_subgraphs']} subgraphs), NaRC = {b['narc']:.4f}."
    )


def _reference(x: Record) -> str:
    rb = x["reference_build"]
    return (
        f"Reference construction (networkx, Python loop over all m·n pairs) of one "
        f"{x['shape'][0]}×{x['shape'][1]} layer at density 0.5: "
        f"{rb['seconds_median']:.1f} s, +{rb['peak_rss_increase_mb']:.0f} MB RSS. Ours: "
        f"bi-adjacency {x['ours_build']['seconds_median'] * 1e3:.0f} ms "
        f"(**{x['ratio_build']:.0f}×** faster), the whole layer audit (σ1, σ2, IMDB, NaRC) "
        f"{x['ours_full_layer_audit']['seconds_median']:.2f} s "
        f"(**{x['ratio_vs_full_audit']:.0f}×** faster than the reference's graph construction "
        f"alone)."
    )


def spectral_table(results: Record) -> str:
    """Per-case timing, memory and metric means; the big layer; the networkx reference."""
    lines = [
        "| case | layers | wall median (min) | CPU | peak RSS (increase) | tracemalloc peak |"
        " mean Δr_norm (undef.) | mean IMDB (undef.) | mean NaRC |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_model_row(key, r) for key, r in results["models"].items()]
    lines += ["", _big_layer(results["big_layer"]), "", _reference(results["reference_nx"]), ""]
    lines.append(
        f"Machine: {results['machine']}. Measured {results['date']} by "
        "`python benchmarks/bench_spectral.py`; the machine is shared with other jobs, so "
        "wall times are noisy (median of the repeats reported); CPU time (user + system of the "
        "process, single-threaded BLAS) is what the wall time is on an idle machine. The "
        "audit input is a validated `MaskSet` (as loaded from a file)."
    )
    return "\n".join(lines)


def splice(doc: str, table: str) -> str:
    """``doc`` with the text between ``START`` and ``END`` replaced by ``table``
    (unchanged if either marker is missing)."""
    if START not in doc or END not in doc:
        return doc
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"
