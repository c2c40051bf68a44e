"""OGB, dense-baseline, spectral-benchmark and audit tables; the result-log helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcn_tickets.reports.audit import audit_markdown
from gcn_tickets.reports.dense import dense_page
from gcn_tickets.reports.ogb import memory_lines, ogb_page, ticket_lines
from gcn_tickets.reports.records import (
    append_jsonl,
    mean_std,
    median_cell,
    read_json,
    read_jsonl,
    retrain_epochs,
)
from gcn_tickets.reports.spectral import END, START, splice


def test_records_round_trip(tmp_path: Path) -> None:
    log = tmp_path / "sub" / "log.jsonl"
    assert read_jsonl(log) == [] and read_json(tmp_path / "none.json") is None
    append_jsonl(log, {"a": 1})
    append_jsonl(log, {"a": 2})
    assert read_jsonl(log) == [{"a": 1}, {"a": 2}]
    assert log.read_text() == '{"a": 1}\n{"a": 2}\n'
    assert retrain_epochs({}) == 100 and retrain_epochs({"retrain_epochs": 200}) == 200


def test_mean_std_and_median_cells() -> None:
    assert mean_std([0.5, None, 0.7]) == "60.0 ± 14.1"
    assert mean_std([0.5], digits=2) == "50.00 ± 0.00"
    assert mean_std([None]) == "–"
    assert median_cell([3, 1, 2]) == "2" and median_cell([1, 2]) == "1.5" and median_cell([]) == "–"


def test_ogb_page() -> None:
    assert ticket_lines({"ratio_median": 1.05, "ratios": [1.0, 1.1]})[0].endswith("**1.050** (1.000, 1.100).")
    mem = memory_lines(
        {
            "rows": [
                {
                    "num_nodes": 10_000,
                    "undirected_edges": 200_000,
                    "peak_rss_delta_mb": 51.4,
                    "dense_nxn_mb": 381.47,
                }
            ]
        }
    )
    assert mem[-2:] == ["| 10,000 | 200,000 | 51 | 381 |", ""]
    text = ogb_page(ugs_reports={"ogbl_ddi_ugs": "# title\n\n| table |\n"}).splitlines()
    assert text[4:] == ["## ogbl_ddi_ugs", "", "| table |", ""]


def test_dense_page() -> None:
    done = {
        "Cora": {
            "0": {"test": 0.81, "valid": 0.79, "params": 23063},
            "1": {"test": 0.82, "valid": 0.8, "params": 23063},
        }
    }
    lines = dense_page(done, {"Cora": (81.5, 80.5)}).splitlines()
    assert lines[-1] == "| Cora | 81.50 ± 0.71 | 79.50 ± 0.71 | 2 | 23063 | 81.5 | ≥ 80.5: pass |"
    done["Cora"]["1"]["test"] = 0.79
    assert dense_page(done, {"Cora": (81.5, 80.5)}).splitlines()[-1].endswith("≥ 80.5: FAIL |")


def test_splice_replaces_between_the_markers() -> None:
    doc = f"head\n{START}\nold\n{END}\ntail\n"
    assert splice(doc, "new") == f"head\n{START}\nnew\n{END}\ntail\n"
    assert splice("no markers", "new") == "no markers"


def test_audit_markdown() -> None:
    layer = {
        "shape": [6, 8],
        "density": 0.5,
        "d_left": 4.0,
        "d_right": 3.0,
        "lambda1": 3.4641,
        "mu_hat": None,
        "ramanujan_bound": 2.5,
        "delta_r_norm": None,
        "is_ramanujan": False,
        "imdb": 0.25,
        "narc": 1,
        "weighted_gap": None,
    }
    summary = {
        "metrics": {"delta_r_norm": {"mean": None, "undefined": 1}},
        "ramanujan_layers": 0,
        "layers": 1,
    }
    lines = audit_markdown({"layers": {"w": layer}, "summary": summary}).splitlines()
    assert lines[2] == "| w | 6×8 | 0.5 | 4 | 3 | 3.464 | – | 2.5 | – | no | 0.25 | 1 | – |"
    assert lines[-1] == "delta_r_norm mean – (1 undefined); Ramanujan layers 0/1."
    with pytest.raises(ValueError, match="expected the keys 'layers' and 'summary'"):
        audit_markdown({"layers": {}})
