import json

import pytest
import torch
import torch.nn.utils.prune as prune
from torch import nn

from gcn_tickets.masks.maskset import GRAPH_KEY, MaskError, MaskSet


def test_validation_errors():
    with pytest.raises(MaskError, match="not binary: found value 0.5"):
        MaskSet({"w": torch.tensor([0.0, 0.5, 1.0])})
    with pytest.raises(MaskError, match="contains NaN"):
        MaskSet({"w": torch.tensor([0.0, float("nan")])})
    with pytest.raises(MaskError, match="is empty"):
        MaskSet({"w": torch.zeros(0, 3)})
    with pytest.raises(MaskError, match="expected a torch.Tensor"):
        MaskSet({"w": [0, 1]})
    with pytest.raises(MaskError, match="reserved for the graph mask"):
        MaskSet({GRAPH_KEY: torch.ones(3)})
    with pytest.raises(MaskError, match="1-D with one entry per undirected edge"):
        MaskSet({}, graph=torch.ones(2, 2))


def test_check_against_model_shapes():
    model = nn.Linear(3, 2)
    MaskSet({"weight": torch.ones(2, 3)}).check_against(model)
    with pytest.raises(MaskError, match=r"shape \(3, 2\) but the parameter has shape \(2, 3\)"):
        MaskSet({"weight": torch.ones(3, 2)}).check_against(model)
    with pytest.raises(MaskError, match="names no parameter"):
        MaskSet({"conv.weight": torch.ones(2, 3)}).check_against(model)
    with pytest.raises(MaskError, match="graph mask has 5 entries but the graph has 4"):
        MaskSet({}, graph=torch.ones(5)).check_graph(4)


def test_report_counts():
    ms = MaskSet(
        {"a": torch.tensor([[1, 0], [0, 0]]), "b": torch.ones(4)}, graph=torch.tensor([1, 1, 0, 0, 0])
    )
    rep = ms.report()
    assert rep["layers"]["a"] == {"shape": [2, 2], "kept": 1, "total": 4, "density": 0.25, "sparsity": 0.75}
    assert rep["global"]["kept"] == 5 and rep["global"]["total"] == 8
    assert rep["global"]["sparsity"] == pytest.approx(3 / 8)
    assert rep["graph"] == {"kept_edges": 2, "total_edges": 5, "density": 0.4, "sparsity": pytest.approx(0.6)}


def test_save_load_round_trip(tmp_path):
    ms = MaskSet(
        {"x.weight": torch.rand(4, 5) > 0.5}, graph=torch.rand(7) > 0.3, meta={"method": "ugs", "round": 3}
    )
    path = ms.save(tmp_path / "m.pt")
    back = MaskSet.load(path)
    assert back.equal(ms) and back.meta == {"method": "ugs", "round": 3}
    rep = json.loads((tmp_path / "m.json").read_text())
    assert rep["global"]["kept"] == ms.kept()
    assert not list(tmp_path.glob(".*tmp"))  # atomic write leaves no temp file


class _Foreign:
    """An arbitrary pickled object: weights_only loading must refuse it."""


def test_load_corrupt_and_foreign_files(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(MaskError, match="cannot read .* as a mask file"):
        MaskSet.load(bad)

    foreign = tmp_path / "foreign.pt"
    torch.save({"w": _Foreign()}, foreign)
    with pytest.raises(MaskError, match="cannot read"):  # weights_only refuses the pickle
        MaskSet.load(foreign)
    plain = tmp_path / "plain.pt"
    torch.save({"w": torch.tensor([1.0, 0.0]), GRAPH_KEY: torch.tensor([1, 0, 1])}, plain)
    ms = MaskSet.load(plain)
    assert ms["w"].tolist() == [True, False] and ms.graph.tolist() == [True, False, True]
    with pytest.raises(FileNotFoundError):
        MaskSet.load(tmp_path / "missing.pt")


def test_prune_format_reader(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    ms = MaskSet.from_module(model)
    assert ms.names() == ["0.weight", "2.weight"]
    assert int(ms["0.weight"].sum()) == 12 and int(ms["2.weight"].sum()) == 8
    assert torch.equal(ms["0.weight"], model[0].weight_mask.bool())
    torch.save(model.state_dict(), tmp_path / "ckpt.pt")  # weight_orig + weight_mask
    from_file = MaskSet.load(tmp_path / "ckpt.pt")
    assert from_file.names() == ["0.weight"] and torch.equal(from_file["0.weight"], ms["0.weight"])


def test_parametrization_and_zeros_reader():
    from torch.nn.utils import parametrize

    class M(nn.Module):
        def __init__(self, mask):
            super().__init__()
            self.register_buffer("mask", mask)

        def forward(self, w):
            return w * self.mask

    lin = nn.Linear(3, 3)
    parametrize.register_parametrization(lin, "weight", M(torch.eye(3)))
    assert MaskSet.from_module(lin)["weight"].sum() == 3
    z = nn.Linear(2, 2)
    with torch.no_grad():
        z.weight.copy_(torch.tensor([[0.0, 1.0], [2.0, 0.0]]))
    assert MaskSet.from_module(z)["weight"].tolist() == [[False, True], [True, False]]


def test_is_subset_of():
    a = MaskSet({"w": torch.tensor([1, 0, 0])}, graph=torch.tensor([1, 0]))
    b = MaskSet({"w": torch.tensor([1, 1, 0])}, graph=torch.tensor([1, 1]))
    assert a.is_subset_of(b) and not b.is_subset_of(a)
