import pytest
import torch
from conftest import link_dataset

from gcn_tickets.data.datasets import DatasetNotFound, load_dataset


def test_cora_loads_from_embedded_copy_into_empty_root(data_root):
    task = load_dataset("cora", data_root)
    d = task.data
    assert (task.name, task.task, d.num_nodes, d.edge_index.size(1)) == ("Cora", "node", 2708, 10556)
    assert [len(task.split[k]) for k in ("train", "valid", "test")] == [140, 500, 1000]
    assert torch.allclose(d.x.sum(-1)[d.x.sum(-1) > 0], torch.ones(1))  # row-normalised
    assert (data_root / "Planetoid" / "Cora" / "raw" / "ind.cora.graph").exists()


def test_env_variable_sets_the_root(data_root, monkeypatch):
    monkeypatch.setenv("GCN_TICKETS_DATA", str(data_root))
    from gcn_tickets.data.datasets import data_root as resolve

    assert resolve() == data_root


def test_missing_dataset_names_the_files(data_root):
    with pytest.raises(DatasetNotFound) as e:
        load_dataset("CiteSeer", data_root)
    msg = str(e.value)
    assert "Planetoid/CiteSeer/raw/ind.citeseer.x" in msg and "ind.citeseer.test.index" in msg
    assert "GCN_TICKETS_DATA" in msg
    with pytest.raises(DatasetNotFound, match=r"ogb/ogbl_collab/RELEASE_v1.txt"):
        load_dataset("ogbl-collab", data_root)
    with pytest.raises(DatasetNotFound, match=r"ogb/ogbn_arxiv/raw/node-feat.csv.gz"):
        load_dataset("ogbn-arxiv", data_root)


def test_unknown_dataset():
    with pytest.raises(ValueError, match="unknown dataset 'Imaginary': use Cora, CiteSeer"):
        load_dataset("Imaginary")


def test_citeseer_public_split(data_root):
    link_dataset(data_root, "Planetoid", "CiteSeer")
    task = load_dataset("CiteSeer", data_root)
    assert task.data.num_nodes == 3327 and task.num_classes == 6
    assert [len(task.split[k]) for k in ("train", "valid", "test")] == [120, 500, 1000]


def test_planetoid_link_split(data_root):
    task = load_dataset("Cora-link", data_root, seed=0)
    s = task.split
    n_und = 10556 // 2
    assert task.task == "link" and task.metric == "auc"
    assert s["valid"]["edge"].size(0) == int(0.05 * n_und)
    assert s["test"]["edge"].size(0) == int(0.10 * n_und)
    assert s["valid"]["edge_neg"].size(0) == s["valid"]["edge"].size(0)
    # message passing uses training edges only
    assert task.data.edge_index.size(1) == 2 * s["train"]["edge"].size(0)


def test_planetoid_link_split_is_the_same_whatever_the_global_random_state(data_root):
    """PyG's negative sampling draws with Python's `random`: the seed must fix it too."""
    import random

    random.seed(1)
    a = load_dataset("Cora-link", data_root, seed=0).split
    random.seed(2)
    b = load_dataset("Cora-link", data_root, seed=0).split
    for part in ("valid", "test"):
        for key in ("edge", "edge_neg"):
            assert torch.equal(a[part][key], b[part][key])


def test_ogbl_ddi_through_ogb_loader(data_root):
    link_dataset(data_root, "ogb", "ogbl_ddi")
    task = load_dataset("ogbl-ddi", data_root)
    assert task.metric == "hits@20" and task.data.num_nodes == 4267
    assert task.split["train"]["edge"].shape == (1067911, 2)
    assert task.split["valid"]["edge"].shape == (133489, 2)
    res = task.evaluator.eval(
        {"y_pred_pos": torch.tensor([0.9, 0.1]), "y_pred_neg": torch.tensor([0.5] * 30)}
    )
    assert res["hits@20"] == 0.5


def test_ogbg_through_ogb_loader(data_root):
    link_dataset(data_root, "ogb", "ogbg_molbace")
    task = load_dataset("ogbg-molbace", data_root)
    assert task.task == "graph" and task.metric == "rocauc" and len(task.dataset) == 1513
    assert sum(len(v) for v in task.split.values()) == 1513
