"""Datasets, always through the standard PyG / OGB loaders, from a data root.

The root is, in order: the ``root`` argument (CLI ``--data-root``), the
environment variable ``GCN_TICKETS_DATA``, or ``~/.cache/gcn_tickets/data``.
Under it the layouts are exactly those of the loaders::

    <root>/Planetoid/<Cora|CiteSeer|PubMed>/raw/ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}
    <root>/Amazon/Photo/raw/amazon_electronics_photo.npz
    <root>/ogb/<ogbn_arxiv|ogbl_ddi|ogbg_molhiv|...>/{raw/,split/,RELEASE_v1.txt}

Cora ships inside the package: if it is absent from the root, its raw files are
copied there, so the quick start works offline.

Supported names (case-insensitive): ``Cora``, ``CiteSeer``, ``PubMed`` (public
split, row-normalised features), ``Photo`` (Amazon, seeded random 10/10/80 split
per class-agnostic permutation: say so when you report), ``ogbn-*`` (node),
``ogbl-*`` (link), ``ogbg-*`` (graph), and ``<Planetoid>-link`` (edges split
with PyG's ``RandomLinkSplit``, 85/5/10, seeded).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor

ENV_ROOT = "GCN_TICKETS_DATA"
PLANETOID = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}
_EMBEDDED = Path(__file__).resolve().parents[1] / "_data"

Task = Literal["node", "link", "graph"]

__all__ = ["GraphTask", "DatasetNotFound", "load_dataset", "data_root", "ogb_safe_load"]


class DatasetNotFound(FileNotFoundError):
    """The raw files of a dataset are not under the data root; the message says what to put where."""


@dataclass
class GraphTask:
    """A dataset ready for training.

    ``data`` is a PyG ``Data`` for node/link tasks (full batch); ``dataset`` the
    PyG dataset (graph tasks: a list of molecules). ``split`` holds index tensors
    (node: ``train/valid/test`` node indices; link: ``{"train": {"edge": ...},
    "valid": {"edge", "edge_neg"}, ...}`` as OGB; graph: graph indices).
    ``metric`` names the reported metric; ``evaluator`` is OGB's ``Evaluator``
    (or None for Planetoid, where accuracy is used).
    """

    name: str
    task: Task
    data: Any
    split: dict[str, Any]
    num_features: int
    num_classes: int
    metric: str
    evaluator: Any = None
    dataset: Any = None
    info: dict[str, Any] = field(default_factory=dict)


def data_root(root: str | os.PathLike | None = None) -> Path:
    """Resolve the data root: argument, then ``$GCN_TICKETS_DATA``, then ``~/.cache/gcn_tickets/data``."""
    if root is not None:
        return Path(root).expanduser()
    env = os.environ.get(ENV_ROOT)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "gcn_tickets" / "data"


@contextlib.contextmanager
def ogb_safe_load():
    """Allow-list the types inside OGB's OWN processed/split files for ``weights_only`` loads.

    ogb 1.3.6 calls ``torch.load`` without ``weights_only``; since torch 2.6 that
    defaults to True and rejects OGB's legacy pickles (PyG ``Data`` attributes and
    numpy arrays). We allow exactly those types, scoped to the OGB loader calls,
    instead of turning the check off; user files are never loaded this way.
    """
    import numpy as np
    import numpy.dtypes as nd
    from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
    from torch_geometric.data.storage import GlobalStorage

    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct  # type: ignore[no-redef]
    dtypes = [getattr(nd, n) for n in dir(nd) if n.endswith("DType")]
    safe: list[Any] = [DataEdgeAttr, DataTensorAttr, GlobalStorage, np.ndarray, np.dtype]
    safe += [_reconstruct, (_reconstruct, "numpy.core.multiarray._reconstruct")] + dtypes
    with torch.serialization.safe_globals(safe):
        yield


def _missing(name: str, folder: Path, files: list[str], hint: str = "") -> DatasetNotFound:
    listing = "\n".join(f"  {folder / f}" for f in files)
    return DatasetNotFound(
        f"dataset '{name}' not found: put its raw files here (downloads are not possible "
        f"offline):\n{listing}\nSet the data root with --data-root or ${ENV_ROOT}. {hint}".rstrip()
    )


def _planetoid(name: str, root: Path):
    from torch_geometric.datasets import Planetoid
    from torch_geometric.transforms import NormalizeFeatures

    raw = root / "Planetoid" / name / "raw"
    files = [f"ind.{name.lower()}.{s}" for s in ("x", "y", "tx", "ty", "allx", "ally", "graph")]
    files.append(f"ind.{name.lower()}.test.index")
    if not all((raw / f).exists() for f in files):
        embedded = _EMBEDDED / "Planetoid" / name / "raw"
        if embedded.is_dir():
            raw.mkdir(parents=True, exist_ok=True)
            for f in files:
                if not (raw / f).exists():
                    shutil.copyfile(embedded / f, raw / f)
        else:
            raise _missing(name, raw, files, "They are the files of the Planetoid release (Yang et al.).")
    return Planetoid(str(root / "Planetoid"), name, split="public", transform=NormalizeFeatures())


def _check_ogb(name: str, root: Path, needs: list[str]) -> None:
    folder = root / "ogb" / name.replace("-", "_")
    missing = [f for f in needs if not (folder / f).exists()]
    if missing:
        raise _missing(name, folder, missing, "OGB also needs RELEASE_v1.txt in that folder.")


def load_dataset(name: str, root: str | os.PathLike | None = None, *, seed: int = 0) -> GraphTask:
    """Load ``name`` through the standard loader under the data root (see module doc)."""
    root_p = data_root(root)
    key = name.lower()
    if key in PLANETOID:
        ds = _planetoid(PLANETOID[key], root_p)
        data = ds[0]
        split = {
            "train": data.train_mask.nonzero().view(-1),
            "valid": data.val_mask.nonzero().view(-1),
            "test": data.test_mask.nonzero().view(-1),
        }
        return _node_task(PLANETOID[key], ds, data, split, info={"split": "public"})
    if key.endswith("-link") and key[: -len("-link")] in PLANETOID:
        return _planetoid_link(PLANETOID[key[: -len("-link")]], root_p, seed)
    if key in ("photo", "amazon-photo", "computers", "amazon-computers"):
        return _amazon("Photo" if "photo" in key else "Computers", root_p, seed)
    if key.startswith("ogbn-"):
        return _ogbn(key, root_p)
    if key.startswith("ogbl-"):
        return _ogbl(key, root_p)
    if key.startswith("ogbg-"):
        return _ogbg(key, root_p)
    raise ValueError(
        f"unknown dataset '{name}': use Cora, CiteSeer, PubMed, Photo, <Planetoid>-link, "
        "ogbn-<name>, ogbl-<name> or ogbg-<name>"
    )


def _amazon(name: str, root: Path, seed: int) -> GraphTask:
    from torch_geometric.datasets import Amazon

    fname = f"amazon_electronics_{name.lower()}.npz"
    raw = root / "Amazon" / name / "raw"
    if not (raw / fname).exists():
        raise _missing(name, raw, [fname])
    ds = Amazon(str(root / "Amazon"), name)
    data = ds[0]
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(data.num_nodes, generator=g)
    n_tr, n_va = int(0.1 * data.num_nodes), int(0.1 * data.num_nodes)
    split = {"train": perm[:n_tr], "valid": perm[n_tr : n_tr + n_va], "test": perm[n_tr + n_va :]}
    return _node_task(name, ds, data, split, info={"split": f"random 10/10/80, seed {seed}"})


def _node_task(name: str, ds: Any, data: Any, split: dict[str, Tensor], *, info: dict[str, Any]) -> GraphTask:
    """A node-classification task on ``data`` (graph 0 of ``ds``), scored by accuracy."""
    return GraphTask(
        name,
        "node",
        data,
        split,
        ds.num_features,
        ds.num_classes,
        "accuracy",
        dataset=ds,
        info=info,
    )


def _ogbn(name: str, root: Path) -> GraphTask:
    from ogb.nodeproppred import Evaluator, PygNodePropPredDataset
    from torch_geometric.utils import to_undirected

    _check_ogb(name, root, ["RELEASE_v1.txt", "raw/edge.csv.gz", "raw/node-feat.csv.gz"])
    with ogb_safe_load():
        ds = PygNodePropPredDataset(name, root=str(root / "ogb"))
        split = ds.get_idx_split()
    data = ds[0]
    data.edge_index = to_undirected(data.edge_index, num_nodes=data.num_nodes)
    data.y = data.y.view(-1)
    num_classes = int(data.y.max()) + 1
    ev = Evaluator(name)
    return GraphTask(
        name,
        "node",
        data,
        dict(split),
        ds.num_features,
        num_classes,
        ev.eval_metric,
        evaluator=ev,
        dataset=ds,
    )


def _ogbl(name: str, root: Path) -> GraphTask:
    from ogb.linkproppred import Evaluator, PygLinkPropPredDataset

    _check_ogb(name, root, ["RELEASE_v1.txt", "raw/edge.csv.gz"])
    with ogb_safe_load():
        ds = PygLinkPropPredDataset(name, root=str(root / "ogb"))
        split = ds.get_edge_split()
    data = ds[0]
    ev = Evaluator(name)
    nf = data.x.size(-1) if getattr(data, "x", None) is not None else 0
    return GraphTask(name, "link", data, split, nf, 1, ev.eval_metric, evaluator=ev, dataset=ds)


def _ogbg(name: str, root: Path) -> GraphTask:
    from ogb.graphproppred import Evaluator, PygGraphPropPredDataset

    _check_ogb(name, root, ["RELEASE_v1.txt", "raw/edge.csv.gz", "raw/graph-label.csv.gz"])
    with ogb_safe_load():
        ds = PygGraphPropPredDataset(name, root=str(root / "ogb"))
        split = ds.get_idx_split()
    ev = Evaluator(name)
    return GraphTask(
        name,
        "graph",
        None,
        dict(split),
        ds.num_features,
        ds.num_tasks,
        ev.eval_metric,
        evaluator=ev,
        dataset=ds,
        info={"task_type": ds.task_type},
    )


def _planetoid_link(name: str, root: Path, seed: int) -> GraphTask:
    from torch_geometric.transforms import RandomLinkSplit

    ds = _planetoid(name, root)
    data = ds[0]
    torch.manual_seed(seed)
    random.seed(seed)  # PyG's negative_sampling draws with Python's `random`: seed it too
    tr, va, te = RandomLinkSplit(
        num_val=0.05, num_test=0.10, is_undirected=True, add_negative_train_samples=False
    )(data)

    def pos_neg(d) -> tuple[Tensor, Tensor]:
        lab = d.edge_label
        return d.edge_label_index[:, lab == 1].t(), d.edge_label_index[:, lab == 0].t()

    v_pos, v_neg = pos_neg(va)
    t_pos, t_neg = pos_neg(te)
    train_edges = tr.edge_index[:, tr.edge_index[0] < tr.edge_index[1]].t()
    data.edge_index = tr.edge_index  # message passing graph: training edges only
    split = {
        "train": {"edge": train_edges},
        "valid": {"edge": v_pos, "edge_neg": v_neg},
        "test": {"edge": t_pos, "edge_neg": t_neg},
    }
    return GraphTask(
        f"{name}-link",
        "link",
        data,
        split,
        ds.num_features,
        1,
        "auc",
        dataset=ds,
        info={"split": f"RandomLinkSplit 85/5/10, seed {seed}"},
    )
