"""GEBT report tables from hand-made records: exact markdown lines (golden strings)."""

from __future__ import annotations

from gcn_tickets.reports.gebt import gebt_page
from gcn_tickets.reports.gebt_compare import cnn_section, eta_section, reach_seconds, vs_ugs_section
from gcn_tickets.reports.gebt_detector import DETECTORS, distance_table, replay_section
from gcn_tickets.reports.gebt_edges import edges_table
from gcn_tickets.reports.gebt_prior import confirm_table, paired, sweep_table
from gcn_tickets.reports.gebt_sweep import (
    ablation_section,
    epochs_cell,
    firing_section,
    first_records,
    ratio_section,
)


def _row(pg: float, pw: float, test: float | None, fired: int | None, **extra) -> dict:
    return {
        "graph_sparsity": pg,
        "weight_sparsity": pw,
        "test": test,
        "fired_epoch": fired,
        "search_epochs": 100,
        "train_macs": 40.0,
        "train_macs_full_search": 100.0,
        "inference_macs": 25.0,
        "dense_inference_macs": 100.0,
        "search_seconds": 1.5,
        **extra,
    }


def _sweep() -> list[dict]:
    return [
        {
            "dataset": "Cora",
            "seed": 0,
            "dense": {"test": 0.80},
            "rows": [
                _row(0.2, 0.5, 0.81, 10, last_test=0.79, random_test=0.70, random_graph_test=0.78),
                _row(0.6, 0.9, None, None),
            ],
        },
        {
            "dataset": "Cora",
            "seed": 1,
            "dense": {"test": 0.82},
            "rows": [
                _row(0.2, 0.5, 0.83, 20, last_test=0.81, random_test=0.72, random_graph_test=0.80),
                _row(0.6, 0.9, None, 40),
            ],
        },
    ]


def test_first_records_keep_the_first_of_each_dataset_and_seed() -> None:
    a = [{"dataset": "Cora", "seed": 0, "v": 1}]
    b = [{"dataset": "Cora", "seed": 0, "v": 2}, {"dataset": "Cora", "seed": 1, "v": 3}]
    assert [r["v"] for r in first_records([a, b])] == [1, 3]
    assert epochs_cell([{"retrain_epochs": 200}, {}]) == "100/200"
    assert epochs_cell([]) == "–"


def test_firing_section() -> None:
    lines = firing_section(_sweep(), ["Cora"])
    assert lines[0] == "## 1. Emergence: how often and when the detector fires\n"
    # 4 runs, 3 fired (10, 20, 40), 2 of them within epoch 30
    assert lines[3] == "| Cora | 2 | 4 | 3 | 75 % | 20 | 10–40 | 2/4 |"
    assert lines[-1] == ""


def test_ratio_section() -> None:
    lines = ratio_section(_sweep(), ["Cora"])
    assert lines[2] == "### Cora (dense 81.0 ± 1.4 over 2 seeds; searches: 2 seeds)\n"
    assert lines[5] == (
        "| 20% | 50% | 2/2 | 15 | 82.0 ± 1.4 (n=2) | 80.0 ± 1.4 | 71.0 ± 1.4 | 79.0 ± 1.4 | +1.0 | "
        "+11.0 | +3.0 | 60% | 25% of dense | 1.5 |"
    )
    assert lines[6] == "| 60% | 90% | 1/2 | 40 | not retrained | | | | | | | 60% | 25% of dense | 1.5 |"


def test_ablation_section() -> None:
    abl = {f"{i}/{e}": 0.5 for i in ("inherit", "rewind", "reinit") for e in ("binary", "learned")}
    abl["rewind/binary"] = 0.8
    sweep = [{"dataset": "Cora", "seed": 0, "dense": {"test": 0.8}, "rows": [{"ablation": abl}]}]
    lines = ablation_section(sweep, ["Cora", "CiteSeer"])
    assert lines[1] == (
        "| dataset | dense | inherit/binary | inherit/learned | rewind/binary | rewind/learned "
        "| reinit/binary | reinit/learned |"
    )
    assert lines[3:] == [
        "| Cora | 80.0 ± 0.0 | 50.0 ± 0.0 | 50.0 ± 0.0 | 80.0 ± 0.0 | 50.0 ± 0.0 | 50.0 ± 0.0 | 50.0 ± 0.0 |",
        "",
    ]


def _stats(values: list[tuple[int, int]]) -> list[dict]:
    """Per epoch: graph and weights XorStats fields (changed, n, pruned_a, pruned_b)."""
    return [{"graph": [c, 10, 5, 5], "weights": [c, 10, 5, 5]} for c, _ in values]


def test_replay_and_distance_tables() -> None:
    stats = _stats([(0, 0)] + [(2, 0)] * 3 + [(0, 0)] * 96)
    sweep = [
        {
            "dataset": "Cora",
            "rows": [{"graph_sparsity": 0.2, "weight_sparsity": 0.5, "trajectory": {"stats": stats}}],
        }
    ]
    lines = replay_section(sweep, ["Cora"])
    assert lines[2] == "| convention / combine / η | Cora fired, median epoch |"
    assert len(lines) == 4 + len(DETECTORS) + 2
    dist = distance_table(sweep, ["Cora"])
    assert (
        dist[0] == "| dataset | p_g | p_w | group | convention | ep 2 | ep 5 | ep 10 | ep 20 | ep 30 | ep 50 "
        "| ep 99 |"
    )
    assert (
        dist[2]
        == "| Cora | 20% | 50% | graph | fraction | 0.200 | 0.000 | 0.000 | 0.000 | 0.000 | 0.000 | 0.000 |"
    )
    assert len(dist) == 2 + 4 + 1


def test_vs_ugs_section_and_reach() -> None:
    gebt = {
        "dataset": "Cora",
        "method": "gebt",
        "test": 0.80,
        "seconds": 10.0,
        "epochs": 130,
        "anytime": [[4.0, 0.70], [6.0, 0.79], [8.0, 0.80]],
    }
    ugs = {"dataset": "Cora", "method": "ugs-reference", "test": 0.795, "seconds": 40.0, "epochs": 1000}
    assert reach_seconds([gebt], 0.785) == 6.0
    assert reach_seconds([gebt], 0.9) is None
    lines = vs_ugs_section([gebt, ugs], ["Cora", "CiteSeer"], rounds=4, retrain="200")
    assert lines[4] == "| Cora | gebt | 1 | 80.0 ± 0.0 | 10.0 | 130 |  |  |  |"
    assert (
        lines[5] == "| Cora | ugs-reference | 1 | 79.5 ± 0.0 | 40.0 | 1000 | 0.250 | +0.5 | 0.150 (6.0 s) |"
    )
    assert "→ 18.55% / 59.04%)" in lines[1]
    assert vs_ugs_section([], ["Cora"], rounds=4, retrain="200") == []


def test_eta_and_cnn_sections() -> None:
    old = [{"rows": [{"weight_sparsity": 0.5, "fired_epoch": 30, "test": 0.78}]}]
    cur = [{"rows": [{"weight_sparsity": 0.5, "fired_epoch": 12, "test": 0.80, "last_test": 0.79}]}]
    assert eta_section(old, cur)[4] == "| 50% | 30 | 78.0 ± 0.0 | 12 | 80.0 ± 0.0 | 79.0 ± 0.0 |"
    assert eta_section([], cur) == []
    cnn = [
        {
            "sparsity": 0.5,
            "scope": "global",
            "seed": s,
            "fired_epoch": 5 + s,
            "kept_per_layer": [8, 16, 16],
            "eb_test": 0.9,
            "last_test": 0.9,
            "random_test": 0.8,
            "dense_test": 0.95,
            "eb_seconds": 1.0,
            "dense_seconds": 2.0 + 2 * s,
        }
        for s in (0, 1)
    ]
    assert cnn_section(cnn)[4] == (
        "| 50% | global | 2/2 | 5.5 | 8/16/16 | 90.0 ± 0.0 | 90.0 ± 0.0 | 80.0 ± 0.0 | 95.0 ± 0.0 | 0.38 |"
    )


def test_gebt_page_sections_and_figures() -> None:
    text = gebt_page(
        sweep=[],
        vs_ugs=[],
        eta_old=[],
        eta_cur=[],
        cnn=[],
        order=["Cora"],
        prior_note=True,
        figures=[("Cora", "trajectory", "gebt_trajectory_cora.png")],
    )
    assert text.startswith("# GEBT: joint early-bird tickets — measured\n")
    assert "–" in text.split("retraining epochs", 1)[0][-10:]  # no records: budget "–"
    assert "## 5." not in text and "## 8. Other edge rankings\n" in text
    assert text.endswith("## Figures\n\n![Cora trajectory](gebt_trajectory_cora.png)\n\n")


def test_prior_tables() -> None:
    assert paired([0.8, 0.9], [0.7, 0.7]) == "+15.00 ± 5.00"
    recs = [
        {
            "seed": s,
            "retrain_epochs": 200,
            "dense": {"test": 0.80},
            "resistance_labelled": {
                "test": t,
                "random_graph_test": 0.79,
                "fired_epoch": 10,
                "random_test": 0.7,
            },
        }
        for s, t in ((30, 0.81), (31, 0.83))
    ]
    lines = confirm_table("Cora", ("resistance_labelled",), recs)
    assert lines[0] == "### Cora: seeds 30–31 (2 seeds), 200 retraining epochs, dense 80.0 ± 0.0"
    assert lines[2].startswith("The retraining budget (200 epochs")
    assert lines[6] == (
        r"| \|s\|·prior, labelled edges last | 2/2 | 10.0 | 82.0 ± 1.4 | +2.00 ± 1.00 | 79.0 ± 0.0 | +3.0 "
        "| 2/2 | 70.0 ± 0.0 |"
    )
    new = [{"seed": 0, "dense": {"test": 0.8}, "rows": [_row(0.2, 0.5, 0.82, 9, random_graph_test=0.8)]}]
    old = [{"seed": 0, "rows": [_row(0.2, 0.5, 0.81, 11)]}, {"seed": 5, "rows": [_row(0.2, 0.5, 0.1, 1)]}]
    table = sweep_table("Cora", "resistance", new, old)
    assert table[0] == r"### Cora, \|s\|·prior (1 seeds; dense 80.0 ± 0.0)"
    assert (
        table[4] == "| 20% | 50% | 1/1 | 9 / 11 | 82.0 ± 0.0 | 81.0 ± 0.0 | 80.0 ± 0.0 | +1.0 | +2.0 | +2.0 |"
    )


def test_edges_table() -> None:
    recs = [
        {
            "dense": [0.80, 0.81],
            "full graph": {"valid": 0.8, "test": 0.8, "hetero_removed": 0.0},
            "learned": {"valid": 0.78, "test": 0.79, "hetero_removed": 0.25},
        },
        {
            "dense": [0.82, 0.83],
            "full graph": {"valid": 0.8, "test": 0.8, "hetero_removed": 0.0},
            "learned": {"valid": 0.8, "test": 0.81, "hetero_removed": 0.35},
        },
    ]
    lines = edges_table("Cora", recs, ["full graph", "learned"])
    assert lines[0] == "## Cora (2 seeds, dense 82.00 ± 1.41, validation 81.00 ± 1.41)"
    assert lines[4] == "| full graph | 80.00 ± 0.00 | 80.00 ± 0.00 | -2.00 | – |"
    assert lines[5] == "| learned | 79.00 ± 1.41 | 80.00 ± 1.41 | -2.00 | 30.0 |"
