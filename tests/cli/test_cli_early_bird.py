"""``gcn-tickets early-bird``: the run-folder contract of ``gcn-tickets ugs`` (folder per config,
stale resume refused, locked folders, folders of the old code still resume)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gcn_tickets.cli import main
from gcn_tickets.methods.gebt import load_config
from gcn_tickets.methods.gebt.config import config_dict
from gcn_tickets.runs import claim_run, run_dir

YAML = """name: tiny
dataset: Cora
seeds: [0]
gebt: {search_epochs: 6, retrain_epochs: 3, fifo: 3, eta: ETA, hidden: 8}
"""


def _cfg(tmp_path: Path, eta: float = 0.2) -> Path:
    f = tmp_path / "tiny.yaml"
    f.write_text(YAML.replace("ETA", str(eta)))
    return f


def _args(f: Path, out: Path, *overrides: str) -> list[str]:
    return ["early-bird", str(f), *overrides, "--out", str(out), "--threads", "1"]


@pytest.fixture(autouse=True)
def _data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCN_TICKETS_DATA", str(tmp_path / "data"))


def _files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir())}


def test_edited_config_is_refused_and_an_override_gets_its_own_folder(tmp_path, capsys) -> None:
    f, out = _cfg(tmp_path), tmp_path / "runs"
    run = out / "tiny"
    assert main(_args(f, out)) == 0
    printed = capsys.readouterr().out
    assert (
        f"run directory: {run} (new run; a run started again resumes after its last finished seed)" in printed
    )
    assert "[seed 0] graph sparsity 20%, weight sparsity 50%: emerged at epoch " in printed
    assert sorted(_files(run)) == [
        "config.json",
        "heatmap.png",
        "seed0.json",
        "seed0_g0.2_w0.5.json",
        "seed0_g0.2_w0.5.pt",
        "summary.json",
        "trajectory.png",
    ]
    before = _files(run)
    assert json.loads(before["config.json"])["eta"] == 0.2
    # (a) the edited file: refused, naming the key, the old seeds not reused
    _cfg(tmp_path, eta=0.3)
    assert main(_args(f, out)) == 2
    cap = capsys.readouterr()
    assert "resuming" not in cap.out and "done earlier" not in cap.out and "[seed 0]" not in cap.out
    assert f"error: run folder {run} holds a run of another config" in cap.err
    assert "  eta: 0.2 -> 0.3\n" in cap.err and "another name (name=... or --out DIR)" in cap.err
    assert _files(run) == before
    # (b) the same change as an override of the first file: its own folder, the default untouched
    _cfg(tmp_path, eta=0.2)
    assert main(_args(f, out, "gebt.eta=0.3")) == 0
    other = run_dir(out, "tiny", {"eta": 0.3})
    assert other.name.startswith("tiny-") and other != run
    printed = capsys.readouterr().out
    assert f"run directory: {other} (new run;" in printed and "done earlier" not in printed
    assert json.loads((other / "config.json").read_text())["eta"] == 0.3
    assert (other / "seed0.json").exists() and _files(run) == before
    # an override equal to the file's value is the default run: it resumes
    assert main(_args(f, out, "gebt.eta=0.2")) == 0
    printed = capsys.readouterr().out
    assert f"run directory: {run} (resuming: 1 finished seeds found;" in printed
    assert f"[seed 0] done earlier: {run / 'seed0.json'}" in printed
    assert _files(run) == before


def test_locked_folder_fails_at_once_naming_the_holder(tmp_path, capsys) -> None:
    f, out = _cfg(tmp_path), tmp_path / "runs"
    with claim_run(out / "tiny", config_dict(load_config(f)), log=lambda _: None):
        assert main(_args(f, out)) == 2
    cap = capsys.readouterr()
    assert f"error: run folder {out / 'tiny'} is in use by process {os.getpid()} on " in cap.err
    assert "run directory" not in cap.out
    assert sorted(p.name for p in (out / "tiny").iterdir()) == ["config.json"]


def test_folder_of_the_old_code_resumes_without_recomputing(tmp_path, capsys) -> None:
    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.gebt import run_gebt
    from gcn_tickets.training.trainers import make_trainer

    f, out = _cfg(tmp_path), tmp_path / "runs"
    cfg = load_config(f)
    run = out / "tiny"
    trainer = make_trainer(load_dataset("Cora", str(tmp_path / "data")), "cpu")
    # the Python API without claim_run writes config.json itself, as the old CLI did
    run_gebt(trainer, cfg, run, ratios=[(0.2, 0.5)], compare=True, log=lambda _: None)
    assert json.loads((run / "config.json").read_text()) == config_dict(cfg)
    seed0 = (run / "seed0.json").read_bytes()
    capsys.readouterr()
    assert main(_args(f, out)) == 0
    printed = capsys.readouterr().out
    assert f"run directory: {run} (resuming: 1 finished seeds found;" in printed
    assert f"[seed 0] done earlier: {run / 'seed0.json'}" in printed and "emerged at" not in printed
    assert (run / "seed0.json").read_bytes() == seed0
    assert not (run / ".lock").exists()
