"""Run folders: names from the resolved config, config.json checks (old files too), the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from gcn_tickets.config import load_config
from gcn_tickets.methods.gebt.config import config_dict
from gcn_tickets.methods.gebt.config import load_config as load_gebt
from gcn_tickets.runs import (
    RunConflictError,
    RunLockedError,
    changed_keys,
    claim_run,
    config_changes,
    run_dir,
)

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
QUICK = CONFIGS / "quickstart.yaml"


def _folder(tmp_path: Path, overrides: list[str]) -> Path:
    cfg = load_config(QUICK, overrides).to_dict()
    return run_dir(tmp_path, cfg["name"], changed_keys(load_config(QUICK).to_dict(), cfg))


def test_run_dir_hashes_the_resolved_changes(tmp_path):
    plain = tmp_path / "quickstart_cora"
    assert _folder(tmp_path, []) == plain
    assert _folder(tmp_path, ["ugs.rounds=3"]) == plain  # the file's own value
    five = _folder(tmp_path, ["ugs.rounds=5"])
    assert five.name.startswith("quickstart_cora-") and len(five.name) == len("quickstart_cora-") + 8
    assert _folder(tmp_path, ["ugs.rounds=5", "ugs.rounds=5"]) == five
    assert _folder(tmp_path, ["ugs.rounds=4", "ugs.rounds=5"]) == five
    both = _folder(tmp_path, ["ugs.rounds=5", "seeds=[1]"])
    assert _folder(tmp_path, ["seeds=[1]", "ugs.rounds=5"]) == both != five
    assert _folder(tmp_path, ["ugs.lr=1"]) == _folder(tmp_path, ["ugs.lr=1.0"])
    assert _folder(tmp_path, ["name=other"]) == tmp_path / "other"
    assert run_dir(tmp_path, "x", {}) == tmp_path / "x"


def test_claim_new_then_resume_then_refuse_another_config(tmp_path):
    cfg = load_config(QUICK).to_dict()
    path = tmp_path / "run"
    with claim_run(path, cfg) as run:
        assert not run.resuming and run.path == path
    assert json.loads((path / "config.json").read_text()) == cfg
    assert not (path / ".lock").exists()
    with claim_run(path, cfg) as run:
        assert run.resuming
    edited = load_config(QUICK, ["ugs.rounds=5", "dataset=CiteSeer"]).to_dict()
    with pytest.raises(RunConflictError) as info:
        with claim_run(path, edited):
            pytest.fail("a changed config must not run in the old folder")
    msg = str(info.value)
    assert f"run folder {path} holds a run of another config" in msg
    assert "  dataset: 'Cora' -> 'CiteSeer'\n  ugs.rounds: 3 -> 5\n" in msg
    assert "another name (name=... or --out DIR), or delete" in msg
    assert json.loads((path / "config.json").read_text()) == cfg  # untouched


def test_old_ugs_and_gebt_config_files_still_resume(tmp_path):
    cfg = load_config(QUICK)
    old = tmp_path / "ugs_old"
    old.mkdir()
    (old / "config.json").write_text(json.dumps(asdict(cfg.ugs), indent=2))
    (old / "rounds.json").write_text("{}")
    with claim_run(old, cfg.to_dict()) as run:
        assert run.resuming
    assert json.loads((old / "config.json").read_text()) == cfg.to_dict()  # now the full config
    (old / "config.json").write_text(json.dumps(asdict(cfg.ugs)))
    with pytest.raises(RunConflictError, match=r"  ugs.rounds: 3 -> 5"):
        with claim_run(old, load_config(QUICK, ["ugs.rounds=5"]).to_dict()):
            pass
    gebt = tmp_path / "gebt_old"
    gebt.mkdir()
    g = load_gebt(CONFIGS / "cora_gebt.yaml", ["seeds=[0]"])
    (gebt / "config.json").write_text(json.dumps(config_dict(g), indent=2))
    with claim_run(gebt, config_dict(g)) as run:
        assert run.resuming
    eta = config_dict(load_gebt(CONFIGS / "cora_gebt.yaml", ["seeds=[0]", "gebt.eta=0.05"]))
    with pytest.raises(RunConflictError, match=r"  eta: 0.03 -> 0.05"):
        with claim_run(gebt, eta):
            pass
    # a key the old file lacks (a field added later) is taken as unchanged
    assert config_changes({"a": 1}, {"a": 1.0, "b": 2}) == []


def test_renamed_keys_in_an_old_config_file_compare_under_their_new_name(tmp_path):
    """UGS folders written before `prune_graph`/`prune_weight` became
    `graph_sparsity_per_round`/`weight_sparsity_per_round` resume when the values agree."""
    cfg = load_config(QUICK)
    old_ugs = asdict(cfg.ugs)
    old_ugs["prune_graph"] = old_ugs.pop("graph_sparsity_per_round")
    old_ugs["prune_weight"] = old_ugs.pop("weight_sparsity_per_round")
    for i, written in enumerate((old_ugs, {**cfg.to_dict(), "ugs": old_ugs})):
        folder = tmp_path / f"old{i}"
        folder.mkdir()
        (folder / "config.json").write_text(json.dumps(written))
        with claim_run(folder, cfg.to_dict()) as run:
            assert run.resuming
        (folder / "config.json").write_text(json.dumps(written))
        other = load_config(QUICK, ["ugs.graph_sparsity_per_round=0.1"]).to_dict()
        with pytest.raises(RunConflictError, match=r"  ugs.graph_sparsity_per_round: 0.05 -> 0.1"):
            with claim_run(folder, other):
                pass


def test_folder_with_files_but_no_config_is_refused(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "seed0.json").write_text("{}")
    with pytest.raises(RunConflictError, match="holds files but no config.json"):
        with claim_run(tmp_path / "r", {"a": 1}):
            pass


def test_lock_refuses_a_second_run_naming_the_holder(tmp_path):
    with claim_run(tmp_path / "r", {"a": 1}):
        with pytest.raises(RunLockedError) as info:
            with claim_run(tmp_path / "r", {"a": 1}):
                pass
        assert f"is in use by process {os.getpid()} on {socket.gethostname()}, started 20" in str(info.value)
    assert not (tmp_path / "r" / ".lock").exists()


def test_lock_released_on_exceptions_and_ctrl_c(tmp_path):
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)):
            with claim_run(tmp_path / "r", {"a": 1}):
                raise exc
        assert not (tmp_path / "r" / ".lock").exists()


HOLDER = """
import sys, time
from gcn_tickets.runs import claim_run
with claim_run(sys.argv[1], {"a": 1}):
    print("held", flush=True)
    time.sleep(60)
"""


def test_lock_of_another_process_then_taken_over_when_it_died(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "r")], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(RunLockedError, match=f"in use by process {proc.pid} on {socket.gethostname()}"):
            with claim_run(tmp_path / "r", {"a": 1}):
                pass
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(0.05)
    notes: list[str] = []
    with claim_run(tmp_path / "r", {"a": 1}, log=notes.append) as run:
        assert run.resuming
    assert notes == [f"note: taking over the lock of {tmp_path / 'r'} left by process {proc.pid} on "
                     f"{socket.gethostname()}, started {notes[0].split('started ')[1]}"]  # fmt: skip
    assert "left by process" in notes[0] and not (tmp_path / "r" / ".lock").exists()
