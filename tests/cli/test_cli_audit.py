"""``gcn-tickets audit``: nothing-pruned inputs are flagged; unwritable outputs exit 2."""

from __future__ import annotations

import json

import torch

from gcn_tickets.cli import main
from gcn_tickets.spectral.audit import NOTHING_PRUNED


def _file(tmp_path, dense: bool):
    g = torch.Generator().manual_seed(0)
    m = torch.ones(8, 12, dtype=torch.bool) if dense else torch.rand(8, 12, generator=g) < 0.5
    torch.save({"fc1.weight": m, "fc2.weight": torch.ones(4, 8, dtype=torch.bool)}, tmp_path / "m.pt")
    return tmp_path / "m.pt"


def test_nothing_pruned_is_said_in_the_table_and_the_json(tmp_path, capsys):
    f = _file(tmp_path, dense=True)
    assert main(["audit", str(f), "--json", str(tmp_path / "a.json"), "--no-plot"]) == 0
    assert f"\nwarning: {NOTHING_PRUNED}\n" in capsys.readouterr().out
    assert NOTHING_PRUNED.startswith("nothing is pruned: every audited mask keeps all its entries")
    assert json.loads((tmp_path / "a.json").read_text())["summary"]["nothing_pruned"] is True
    f = _file(tmp_path, dense=False)
    assert main(["audit", str(f), "--json", str(tmp_path / "b.json"), "--no-plot"]) == 0
    assert "warning: nothing is pruned" not in capsys.readouterr().out
    assert "nothing_pruned" not in json.loads((tmp_path / "b.json").read_text())["summary"]


def test_unwritable_output_exits_2_naming_the_path(tmp_path, capsys):
    f = _file(tmp_path, dense=False)
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "a.json"
    assert main(["audit", str(f), "--json", str(out), "--quiet"]) == 2
    assert (
        capsys.readouterr().err == f"error: cannot write {out}: {tmp_path / 'file'} is a file, not a folder\n"
    )
    png = tmp_path / "file" / "p.png"
    assert main(["audit", str(f), "--plot", str(png), "--quiet"]) == 2
    assert f"error: cannot write {png}: " in capsys.readouterr().err
