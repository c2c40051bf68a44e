"""The text a run config comes from: YAML files and ``key.sub=value`` overrides.

:func:`read_yaml` names the file, the line and the column of malformed YAML;
:func:`apply_overrides` sets dotted keys in a nested mapping (values parsed as YAML);
:func:`flat_overrides` reads them for a method dialect with one flat section;
:func:`override_source` says whether a bad value came from the file or from an override.
:mod:`gcn_tickets.config` builds the validated dataclasses from what these return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from gcn_tickets.validation import ConfigError

__all__ = ["read_yaml", "parse_override", "apply_overrides", "flat_overrides", "override_source"]


def read_yaml(path: str | Path) -> dict[str, Any]:
    """A YAML mapping from ``path``; malformed YAML names the file, the line and the column."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"config not found: {path}")
    if path.is_dir():
        raise ConfigError(f"{path} is a folder: give a YAML config file, e.g. configs/cora_ugs.yaml")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: malformed YAML: {problem}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text file: give a YAML config") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a config must be a YAML mapping of `key: value` lines, got {data!r}")
    return data


def parse_override(ov: str) -> tuple[list[str], Any]:
    if not isinstance(ov, str) or "=" not in ov:
        raise ConfigError(f"override {ov!r} must look like key.sub=value (e.g. ugs.rounds=5)")
    key, raw = ov.split("=", 1)
    parts = key.strip().split(".")
    if not all(parts):
        raise ConfigError(f"override {ov!r}: the key {key!r} has an empty part")
    try:
        return parts, yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"override {ov!r}: its value is not valid YAML ({exc})") from None


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``a.b=value`` overrides to a nested dict (values parsed as YAML); returns a copy."""
    data = dict(data)
    for ov in overrides:
        parts, value = parse_override(ov)
        node = data
        for i, p in enumerate(parts[:-1]):
            sub = node.get(p)
            if sub is not None and not isinstance(sub, Mapping):
                where = ".".join(parts[: i + 1])
                raise ConfigError(f"override {ov!r}: `{where}` is a value ({sub!r}), not a section")
            node[p] = dict(sub or {})
            node = node[p]
        node[parts[-1]] = value
    return data


def override_source(path: Path | str, overrides: Iterable[str], key: str | None, section: str = "") -> str:
    """Where a bad value came from: the file, or the override that set it."""
    for ov in overrides:
        k = str(ov).split("=", 1)[0].strip()
        if key is not None and key.split("[")[0] in (k, f"{section}.{k}"):
            return f"override {ov!r} (config {path})"
    return str(path)


def flat_overrides(items: Iterable[str], section: str) -> dict[str, Any]:
    """``["key=value", "<section>.key=value", ...]`` -> ``{key: YAML-parsed value}``."""
    out: dict[str, Any] = {}
    for ov in items:
        parts, value = parse_override(ov)
        parts = parts[1:] if parts[0] == section and len(parts) > 1 else parts
        out[".".join(parts)] = value
    return out
