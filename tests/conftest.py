"""Shared fixtures (a temporary data root linking the raw files of ../shared/datasets) and
the ``--runslow`` option: ``@pytest.mark.slow`` tests are skipped without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
if "GCN_TICKETS_SHARED" in os.environ:
    SHARED = Path(os.environ["GCN_TICKETS_SHARED"])


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", default=False, help="also run @pytest.mark.slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow (scripts/test.sh does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def link_dataset(root: Path, *parts: str) -> Path:
    """Link the read-only raw entries of a shared dataset into ``root`` (loaders write caches)."""
    src = SHARED.joinpath(*parts)
    if not src.exists():
        pytest.skip(f"shared dataset {src} not available")
    dst = root.joinpath(*parts)
    dst.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        target = dst / entry.name
        if not target.exists():
            target.symlink_to(entry)
    return dst


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def karate_task():
    """KarateClub (real, 34 nodes, built into PyG) as a node-classification GraphTask."""
    import torch
    from torch_geometric.datasets import KarateClub

    from gcn_tickets.data.datasets import GraphTask

    ds = KarateClub()
    data = ds[0]
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(data.num_nodes, generator=g)
    split = {"train": data.train_mask.nonzero().view(-1), "valid": perm[:10], "test": perm[10:]}
    return GraphTask("Karate", "node", data, split, ds.num_features, ds.num_classes, "accuracy")
