"""A GEBT run: every seed of a config, resumable, into one folder.

Layout of ``out_dir``: ``config.json`` (written on a first run; kept when
:func:`gcn_tickets.runs.claim_run` wrote it, which the CLI does to lock the folder and refuse
another config's folder); ``seed<k>.json`` (dense baseline + one row per ratio
pair); the tickets as mask files ``seed<k>_g<pg>_w<pw>.pt`` (+ ``.json`` sparsity report);
``summary.json``; the caller's ``on_first_seed(seed, result)`` hook gets the first seed's
:func:`run_seed` result in memory (the CLI draws ``trajectory.png`` and ``heatmap.png`` with
it: the detectors keep their mask history when at most 3 pairs run). A seed whose
``seed<k>.json`` holds every pair is never recomputed.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gcn_tickets.io import atomic_write_text
from gcn_tickets.methods.gebt.config import GEBTConfig, config_dict
from gcn_tickets.methods.gebt.run import run_seed
from gcn_tickets.training.protocol import Trainer

__all__ = ["run_gebt", "summarize_pairs", "finished_seeds"]


def _row_line(seed: int, r: dict[str, Any], search_epochs: int) -> str:
    return (
        f"[seed {seed}] graph sparsity {r['graph_sparsity']:.0%}, weight sparsity "
        f"{r['weight_sparsity']:.0%}: "
        f"emerged at epoch {r['fired_epoch']} / {search_epochs}, "
        f"ticket test {r['test']:.4f} (dense {r['dense_test']:.4f}"
        + (f", last {r['last_test']:.4f}, random {r['random_test']:.4f}" if "last_test" in r else "")
        + ")"
    )


def _done_earlier(path: Path, ratios: Sequence[tuple[float, float]]) -> dict[str, Any] | None:
    if not path.exists():
        return None
    rec = json.loads(path.read_text())
    if {(r["graph_sparsity"], r["weight_sparsity"]) for r in rec["rows"]} >= set(ratios):
        return rec
    return None


def finished_seeds(
    out_dir: str | Path, seeds: Sequence[int], ratios: Sequence[tuple[float, float]]
) -> list[int]:
    """The seeds whose ``seed<k>.json`` in ``out_dir`` holds every pair of ``ratios``
    (:func:`run_gebt` does not recompute them)."""
    return [s for s in seeds if _done_earlier(Path(out_dir) / f"seed{s}.json", ratios) is not None]


def _run_one_seed(
    trainer: Trainer,
    cfg: GEBTConfig,
    out: Path,
    seed: int,
    *,
    ratios: Sequence[tuple[float, float]],
    compare: bool,
    on_first_seed: Callable[[int, dict[str, Any]], None] | None,
) -> dict[str, Any]:
    """Search, retrain and write one seed: masks, ``seed<k>.json``; the hook on the first."""
    first = seed == cfg.seeds[0]
    res = run_seed(
        trainer, cfg, seed, ratios=ratios, compare=compare, keep_history=first and len(ratios) <= 3
    )
    for (pg, pw), pt in res["search"].pairs.items():
        assert pt.masks is not None
        pt.masks.save(out / f"seed{seed}_g{pg:g}_w{pw:g}.pt")
    if first and on_first_seed is not None:
        on_first_seed(seed, res)
    rec = {"dense": res["dense"], "rows": res["rows"]}
    atomic_write_text(out / f"seed{seed}.json", json.dumps(rec, indent=1))
    return rec


def summarize_pairs(
    rows: Sequence[dict[str, Any]], ratios: Sequence[tuple[float, float]]
) -> list[dict[str, Any]]:
    """Per pair: runs, fired runs, median emergence epoch, test of ticket / last / random."""
    summary = []
    for pg, pw in ratios:
        rs = [r for r in rows if (r["graph_sparsity"], r["weight_sparsity"]) == (pg, pw)]
        fired = [r["fired_epoch"] for r in rs if r["fired_epoch"] is not None]
        summary.append(
            {
                "graph_sparsity": pg,
                "weight_sparsity": pw,
                "runs": len(rs),
                "fired": len(fired),
                "median_epoch": statistics.median(fired) if fired else None,
                "test": [r["test"] for r in rs],
                "last_test": [r["last_test"] for r in rs if "last_test" in r],
                "random_test": [r["random_test"] for r in rs if "random_test" in r],
            }
        )
    return summary


def run_gebt(
    trainer: Trainer,
    cfg: GEBTConfig,
    out_dir: str | Path,
    *,
    ratios: Sequence[tuple[float, float]],
    compare: bool,
    log: Callable[[str], None] = print,
    on_first_seed: Callable[[int, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run :func:`run_seed` for every seed of ``cfg`` into ``out_dir`` (layout: module
    docstring), resuming finished seeds; returns ``{"dense": [test per seed], "pairs":
    summarize_pairs(...)}``, also written to ``summary.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "config.json").exists():  # kept when gcn_tickets.runs.claim_run wrote the run's
        atomic_write_text(out / "config.json", json.dumps(config_dict(cfg), indent=2))
    all_rows: list[dict[str, Any]] = []
    dense: list[float] = []
    for seed in cfg.seeds:
        path = out / f"seed{seed}.json"
        rec = _done_earlier(path, ratios)
        if rec is not None:
            log(f"[seed {seed}] done earlier: {path}")
        else:
            rec = _run_one_seed(
                trainer, cfg, out, seed, ratios=ratios, compare=compare, on_first_seed=on_first_seed
            )
            for r in rec["rows"]:
                log(_row_line(seed, r, cfg.search_epochs))
        all_rows += rec["rows"]
        dense.append(rec["dense"]["test"])
    summary = {"dense": dense, "pairs": summarize_pairs(all_rows, ratios)}
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=1))
    return summary
