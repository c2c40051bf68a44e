"""UGS tables from hand-made summaries: exact markdown lines (golden strings)."""

from __future__ import annotations

from gcn_tickets.reports.ugs import ugs_table
from gcn_tickets.reports.ugs_page import heterophily_lines, merge_improved, pubmed_lines, reach_table


def _stat(mean: float, std: float, n: int = 3) -> dict:
    return {"mean": mean, "std": std, "n": n}


SUMMARY = {
    "dense": [{"round": 0, "test": _stat(0.8, 0.01), "seeds": [0, 1, 2]}],
    "reference": [
        {
            "round": 1,
            "graph_sparsity": 0.05,
            "weight_sparsity": 0.2,
            "macs": 50,
            "dense_macs": 200,
            "test": _stat(0.79, 0.02),
        }
    ],
    "random": [
        {
            "round": 1,
            "graph_sparsity": 0.05,
            "weight_sparsity": 0.2,
            "macs": 50,
            "dense_macs": 200,
            "test": _stat(0.78, 0.0, 2),
        }
    ],
}


def test_ugs_table() -> None:
    assert ugs_table(SUMMARY).splitlines() == [
        "| round | graph sparsity | weight sparsity | MACs (% dense) | reference | random |",
        "|---|---|---|---|---|---|",
        "| 0 (dense) | 0.00 % | 0.00 % | 100.0 | 80.00 ± 1.00 (n=3) | 80.00 ± 1.00 (n=3) |",
        "| 1 | 5.00 % | 20.00 % | 25.0 | 79.00 ± 2.00 (n=3) | 78.00 ± 0.00 (n=2) |",
    ]


def test_reach_and_heterophily_tables() -> None:
    rows = [
        {"dataset": "Cora", "mode": "improved", "unreached_edges": u, "edges_without_gradient": 0.0}
        for u in (0.1, 0.2)
    ]
    assert reach_table(rows, ["Cora"])[2:] == ["| Cora | `improved` | 2 | 15.0 % | 0.0 % |", ""]
    assert reach_table(None, ["Cora"]) == ["(run `benchmarks/bench_ugs_reach.py`)", ""]
    het = heterophily_lines(
        {"Cora": {"overall": 0.19, "reference": 0.318, "improved": None, "random": 0.191}}
    )
    assert het[-2:] == ["| Cora | 19.0 % | 31.8 % | — | 19.1 % |", ""]
    assert heterophily_lines({}) == []


def test_merge_and_pubmed_lines() -> None:
    merged = merge_improved(SUMMARY, {"improved": ["x"], "reference": ["y"]})
    assert merged["improved"] == ["x"] and merged["reference"] == SUMMARY["reference"]
    assert "improved" not in merge_improved(SUMMARY, {})
    results = [
        {"mode": "reference", "round": 0, "retrain_seconds": 600.0},
        {"mode": "reference", "round": 1, "retrain_seconds": 60.0, "search": {"seconds": 60.0}},
        {"mode": "random", "round": 1, "retrain_seconds": 30.0, "search": None},
    ]
    lines = pubmed_lines(SUMMARY, results)
    assert "- `random` wall-clock: 0.5 min for 1 rounds (0.5 min per round, search + retraining)." in lines
    assert "- `reference` wall-clock: 2.0 min for 1 rounds (2.0 min per round, search + retraining)." in lines
    assert lines[-2:] == ["![PubMed](ugs_pubmed_ugs_e60.png)", ""]
    assert pubmed_lines({}, []) == ["PubMed: not run yet.", ""]
