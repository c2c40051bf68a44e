"""UGS verdict lines: wins against random, or a plain statement that no random control ran."""

from __future__ import annotations

from gcn_tickets.reports.ugs import verdicts


def _row(r: int, test: float) -> dict:
    return {"round": r, "test": {"mean": test}}


def test_verdicts_with_and_without_a_random_control():
    dense = [_row(0, 0.80)]
    ref = [_row(1, 0.81), _row(2, 0.70)]
    assert verdicts({"dense": dense, "reference": ref, "random": [_row(1, 0.75), _row(2, 0.72)]}) == [
        "- `reference`: beats random in **1/2** rounds; highest round matching the dense mean: 1."
    ]
    assert verdicts({"dense": dense, "reference": ref}) == [
        "- `reference`: no random control ran; highest round matching the dense mean: 1."
    ]
    assert verdicts({"dense": dense, "reference": ref, "random": []}) == [
        "- `reference`: no round shared with random; highest round matching the dense mean: 1."
    ]
