"""Model-level audit, inputs (MaskSet, model, prune checkpoint, files), JSON/CSV, CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as prune
from torch import nn

from gcn_tickets.cli import main
from gcn_tickets.masks.maskset import MaskError, MaskSet
from gcn_tickets.spectral import FIELDS, audit


def _masks(seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "conv1.weight": torch.rand(16, 3, 3, 3, generator=g) < 0.5,  # scored
        "conv2.weight": torch.rand(32, 16, 3, 3, generator=g) < 0.3,  # scored
        "fc.weight": torch.rand(10, 32, generator=g) < 0.05,  # d_L < 3: undefined
        "fc.bias": torch.ones(10, dtype=torch.bool),  # 1-D: not a layer
    }


def _pruned_model(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.Flatten(), nn.Linear(32, 10)
    )
    for mod in (model[0], model[2], model[4]):
        prune.random_unstructured(mod, "weight", amount=0.5)
    return model


def test_summary_means_counts_and_weighted_mean():
    res = audit(MaskSet(_masks()))
    assert list(res.layers) == ["conv1.weight", "conv2.weight", "fc.weight"]
    fc = res.layers["fc.weight"]
    assert math.isnan(fc.delta_r_norm) and fc.reasons["delta_r_norm"].startswith("d_L = ")
    s = res.summary["metrics"]["delta_r_norm"]
    vals = [res.layers[k].delta_r_norm for k in ("conv1.weight", "conv2.weight")]
    sizes = [27 * 16, 144 * 32]
    assert s["defined"] == 2 and s["undefined"] == 1
    assert s["mean"] == pytest.approx(np.mean(vals), abs=1e-12)
    assert s["weighted_mean"] == pytest.approx(np.average(vals, weights=sizes), abs=1e-12)
    assert res.summary["metrics"]["weighted_gap"]["undefined"] == 3  # masks only
    assert res.summary["layers"] == 3 and res.summary["scored_layers"] == 2
    assert res.summary["encoding"] == "unrolled" and res.summary["narc"] == "reference"


def test_json_fields_and_nulls(tmp_path):
    res = audit(_masks(), encoding="channel")
    out = res.save_json(tmp_path / "a.json")
    data = json.loads(out.read_text())
    assert set(data) == {"layers", "summary"}
    fc = data["layers"]["fc.weight"]
    assert list(fc) == list(FIELDS)
    assert fc["delta_r"] is None and fc["is_ramanujan"] is None and fc["narc"] is None
    assert fc["weighted_gap"] is None and fc["reasons"]["weighted_gap"] == "no weights given"
    assert data["layers"]["conv1.weight"]["shape"] == [3, 16]  # channel encoding
    assert "NaN" not in out.read_text()
    rows = res.save_csv(tmp_path / "a.csv").read_text().splitlines()
    assert rows[0].split(",")[:3] == ["layer", "shape", "edges"] and len(rows) == 4
    assert rows[1].startswith("conv1.weight,3x16,")
    res.plot(tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 1000


def test_model_and_prune_checkpoint_give_weights(tmp_path):
    model = _pruned_model()
    res = audit(model)
    assert list(res.layers) == ["0.weight", "2.weight", "4.weight"]
    assert all(math.isfinite(r.weighted_gap) for r in res.layers.values())
    torch.save(model.state_dict(), tmp_path / "ckpt.pt")
    res2 = audit(tmp_path / "ckpt.pt")
    for k, r in res.layers.items():
        assert r.edges == res2.layers[k].edges
        assert r.weighted_gap == pytest.approx(res2.layers[k].weighted_gap, rel=1e-6)
    # the same masks without weights
    res3 = audit(MaskSet.from_module(model))
    assert res3.layers["2.weight"].mu_hat == pytest.approx(res.layers["2.weight"].mu_hat)
    assert math.isnan(res3.layers["2.weight"].weighted_gap)
    rw = audit(model, weighted=True)
    assert rw.layers["2.weight"].mu_hat != pytest.approx(res.layers["2.weight"].mu_hat)
    with pytest.raises(MaskError, match="weighted=True needs weights"):
        audit(MaskSet.from_module(model), weighted=True)


def test_bad_inputs(tmp_path):
    with pytest.raises(MaskError, match="not binary.*--zeros"):
        audit({"w": torch.tensor([[0.0, 0.3], [1.0, 1.0]])})
    res = audit({"w": torch.tensor([[0.0, 0.3], [1.0, 1.0]])}, zeros=True)
    assert res.layers["w"].edges == 3
    with pytest.raises(MaskError, match="no layer masks with ndim >= 2"):
        audit({"b": torch.ones(4)})
    with pytest.raises(MaskError, match="no mask named"):
        audit(_masks(), names=["nope.weight"])
    with pytest.raises(MaskError, match="has shape"):
        audit(_masks(), weights={"fc.weight": torch.ones(3, 3)})
    with pytest.raises(ValueError, match="`encoding` must be one of"):
        audit(_masks(), encoding="rows")  # type: ignore[arg-type]


def test_cli_writes_json_csv_plot(tmp_path, capsys):
    torch.save(_pruned_model().state_dict(), tmp_path / "ckpt.pt")
    out = tmp_path / "rep" / "audit.json"
    rc = main(["audit", str(tmp_path / "ckpt.pt"), "--json", str(out), "--narc", "undirected"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "2.weight" in printed and "narc[undirected]" in printed
    data = json.loads(out.read_text())
    assert data["summary"]["narc"] == "undirected"
    assert data["layers"]["4.weight"]["weighted_gap"] is not None
    assert out.with_suffix(".csv").exists() and out.with_suffix(".png").exists()


@pytest.mark.parametrize(
    "content, match",
    [
        (b"not a torch file", "cannot read"),
        ({"w": torch.full((3, 3), 0.5)}, "not binary"),
        ({"w": torch.tensor([[float("nan"), 1.0]])}, "NaN"),
        ({"w": torch.ones(0, 3)}, "empty"),
        ([1, 2, 3], "expected a mapping"),
    ],
)
def test_cli_bad_files_exit_2_with_error(tmp_path, capsys, content, match):
    path = tmp_path / "bad.pt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        torch.save(content, path)
    assert main(["audit", str(path), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and match in err
    assert not (tmp_path / "o.json").exists()


def test_cli_missing_file(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "none.pt")]) == 2
    assert "not found" in capsys.readouterr().err


def test_cli_model_checks_names_and_shapes(tmp_path, capsys):
    zoo = pytest.importorskip("gcn_tickets.models.zoo")
    model = zoo.build_model("resnet20", num_classes=10)
    for mod in model.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            prune.random_unstructured(mod, "weight", amount=0.5)
    torch.save(model.state_dict(), tmp_path / "r20.pt")
    out = tmp_path / "r20.json"
    args = ["audit", str(tmp_path / "r20.pt"), "--json", str(out), "--no-plot", "--quiet"]
    assert main([*args, "--model", "resnet20"]) == 0
    assert len(json.loads(out.read_text())["layers"]) == 22
    assert main([*args, "--model", "vgg11"]) == 2
    assert "names no parameter of the model" in capsys.readouterr().err
    assert main([*args, "--model", "alexnet"]) == 2
    assert "unknown --model" in capsys.readouterr().err
