"""``gcn-tickets ugs``: options after the config, stale resume refused, locked folders, validation first."""

from __future__ import annotations

import os
from pathlib import Path

from gcn_tickets.cli import main
from gcn_tickets.cli.ugs import run_path
from gcn_tickets.config import load_config
from gcn_tickets.runs import claim_run

YAML = """name: tiny
dataset: Cora
seeds: [0]
modes: [random]
ugs: {rounds: ROUNDS, epochs: 2, retrain_epochs: 2, hidden: 8}
"""


def _cfg(tmp_path: Path, rounds: int = 1) -> Path:
    f = tmp_path / "tiny.yaml"
    f.write_text(YAML.replace("ROUNDS", str(rounds)))
    return f


def test_edited_config_is_refused_not_resumed(tmp_path, capsys):
    f, out, data = _cfg(tmp_path), tmp_path / "runs", tmp_path / "data"
    args = ["ugs", str(f), "--out", str(out), "ugs.epochs=2", "--data-root", str(data)]  # options mixed in
    assert main(args) == 0
    assert f"run directory: {out / 'tiny'} (new run;" in capsys.readouterr().out
    assert main(args) == 0
    assert f"run directory: {out / 'tiny'} (resuming: 2 finished rounds found;" in capsys.readouterr().out
    _cfg(tmp_path, rounds=2)
    assert main(args) == 2
    cap = capsys.readouterr()
    assert "resuming" not in cap.out and "random" not in cap.out
    assert f"error: run folder {out / 'tiny'} holds a run of another config" in cap.err
    assert "  ugs.rounds: 1 -> 2\n" in cap.err and "another name (name=... or --out DIR)" in cap.err
    # the same edit as an override gets its own folder; the file's own value maps to the plain one
    assert run_path(str(f), ["ugs.rounds=1"], str(out))[0].name.startswith("tiny-")
    assert run_path(str(f), ["ugs.rounds=2"], str(out))[0] == out / "tiny"


def test_locked_folder_and_bad_values_exit_2_before_writing(tmp_path, capsys):
    f, out = _cfg(tmp_path), tmp_path / "runs"
    assert main(["ugs", str(f), "ugs.rounds=three", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        f"error: override 'ugs.rounds=three' (config {f}): `ugs.rounds` must be an integer >= 1, got 'three'"
        in err
    )
    assert not out.exists()
    assert main(["ugs", str(f), "modes=[referense]", "--out", str(out)]) == 2
    assert (
        "`modes[0]` must be one of 'reference', 'improved', 'random', got 'referense'"
        in capsys.readouterr().err
    )
    with claim_run(out / "tiny", load_config(f).to_dict()):
        assert main(["ugs", str(f), "--out", str(out), "--data-root", str(tmp_path / "data")]) == 2
    assert f"is in use by process {os.getpid()}" in capsys.readouterr().err


def test_ugs_verb_refuses_another_methods_config(tmp_path, capsys):
    from gcn_tickets.cli import main

    cfg = tmp_path / "other.yaml"
    cfg.write_text("name: other\ndataset: Cora\nmethod: gebt\n")
    assert main(["ugs", str(cfg), "--out", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert "is a config of the ticket method 'gebt', not UGS" in err
    assert f"gcn-tickets run {cfg}" in err
    assert not (tmp_path / "runs").exists()
