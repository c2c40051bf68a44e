"""Run configs: YAML files in ``configs/`` loaded into frozen, keyword-only dataclasses.

A config has top-level run fields and one section per method::

    name: cora_ugs
    dataset: Cora
    seeds: [0, 1, 2]
    modes: [reference, improved, random]
    ugs: {lr: 0.008, weight_decay: 8.0e-5, s1: 0.01, s2: 0.01, rounds: 20}

Command-line overrides use ``key.sub=value`` (YAML-parsed values), e.g.
``ugs.rounds=5 seeds=[0]``. Unknown keys are errors.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from gcn_tickets.methods.ugs.config import UGSConfig

__all__ = ["RunConfig", "load_config", "apply_overrides"]


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """A UGS / training run: dataset, seeds, modes and the method's hyper-parameters."""

    name: str
    dataset: str
    seeds: tuple[int, ...] = (0, 1, 2)
    modes: tuple[str, ...] = ("reference", "improved", "random")
    device: str = "cpu"
    trainer: dict[str, Any] = field(default_factory=dict)  # trainer options (batch sizes)
    ugs: UGSConfig = field(default_factory=UGSConfig)


def _build(cls, data: dict[str, Any], where: str):
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        raise ValueError(f"unknown key(s) {sorted(unknown)} in {where}; known: {sorted(names)}")
    kw = {}
    for k, v in data.items():
        if dataclasses.is_dataclass(names[k].type if not isinstance(names[k].type, str) else None):
            kw[k] = _build(names[k].type, v, f"{where}.{k}")
        elif k == "ugs":
            kw[k] = _build(UGSConfig, v or {}, f"{where}.ugs")
        elif isinstance(v, list):
            kw[k] = tuple(v)
        else:
            kw[k] = v
    return cls(**kw)


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b=value`` overrides to a nested dict (values parsed as YAML)."""
    data = dict(data)
    for ov in overrides:
        if "=" not in ov:
            raise ValueError(f"override '{ov}' must look like key.sub=value")
        key, raw = ov.split("=", 1)
        parts = key.strip().split(".")
        node = data
        for p in parts[:-1]:
            node[p] = dict(node.get(p) or {})
            node = node[p]
        node[parts[-1]] = yaml.safe_load(raw)
    return data


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Load a YAML run config and apply ``key.sub=value`` overrides."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"config not found: {path}")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a config must be a YAML mapping")
    data.setdefault("name", path.stem)
    data = apply_overrides(data, overrides or [])
    return _build(RunConfig, data, str(path))
