"""Run configs: YAML files in ``configs/`` loaded into frozen, keyword-only dataclasses.

A config has top-level run fields and one section per method::

    name: cora_ugs
    dataset: Cora
    seeds: [0, 1, 2]
    modes: [reference, improved, random]
    ugs: {lr: 0.008, weight_decay: 8.0e-5, s1: 0.01, s2: 0.01, rounds: 20}

Command-line overrides use ``key.sub=value`` (YAML-parsed values), e.g.
``ugs.rounds=5 seeds=[0]``. Unknown keys are refused with the known ones and a close match.

A method adds its section with one line in its own config module,
``register_section("gebt", GEBTConfig)``; the loader imports
``gcn_tickets.methods.<section>.config`` the first time it meets an unregistered section, so
importing this module imports no method. Every field of every section is checked by ONE
helper, :func:`check_value` (type from the dataclass annotation, range, allowed names),
before anything is built or written; its errors name the key with its section
(``ugs.rounds``), the bad value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gcn_tickets.overrides import (
    apply_overrides,
    flat_overrides,
    override_source,
    read_yaml,
)
from gcn_tickets.validation import (
    ConfigError,
    Rule,
    at_least,
    build_section,
    check_fields,
    check_value,
    one_of,
    refuse_unknown,
)

__all__ = [
    "ConfigError",
    "RunConfig",
    "register_section",
    "section_class",
    "known_sections",
    "read_yaml",
    "apply_overrides",
    "build_section",
    "load_config",
    "load_flat",
    "flat_overrides",
    "config_dict",
]

_SECTIONS: dict[str, type] = {}
UGS_MODES = ("reference", "improved", "random")
# trainer options of the node / link / graph trainers (gcn_tickets.training.trainers)
TRAINER_OPTIONS: dict[str, tuple[str, Rule | None]] = {
    "batch_size": ("int", at_least(1)),
    "steps_per_epoch": ("int | None", at_least(1)),
    "eval_batch": ("int", at_least(1)),
    "max_train_batches": ("int | None", at_least(1)),
    "sparse_features": ("bool | None", None),
}


def register_section(name: str, cls: type) -> type:
    """Make ``name:`` a section of run configs, read into the frozen dataclass ``cls``."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"section {name!r}: {cls!r} is not a dataclass")
    old = _SECTIONS.get(name)
    if old is not None and old.__qualname__ != cls.__qualname__:
        raise ValueError(f"config section {name!r} is already registered to {old.__qualname__}")
    _SECTIONS[name] = cls
    return cls


def known_sections() -> list[str]:
    """Registered sections plus the methods of ``gcn_tickets/methods/`` that have a config module."""
    import gcn_tickets.methods as methods

    found = {p.parent.name for d in methods.__path__ for p in Path(d).glob("*/config.py")}
    return sorted(found | set(_SECTIONS))


def section_class(name: str) -> type:
    """The dataclass of section ``name`` (imports ``gcn_tickets.methods.<name>.config`` once)."""
    if name not in _SECTIONS and name in known_sections():
        importlib.import_module(f"gcn_tickets.methods.{name}.config")
    if name not in _SECTIONS:
        raise ConfigError(f"unknown config section `{name}`; known: {', '.join(known_sections())}")
    return _SECTIONS[name]


def _sections_of(obj: Any) -> Mapping[str, Any]:
    return obj.__dict__.get("sections") or {}


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """A UGS / training run: dataset, seeds, modes, trainer options and one section per method.

    ``sections`` maps a method name to its settings (a dataclass registered with
    :func:`register_section`); ``cfg.ugs`` (or ``cfg.section("ugs")``) is the UGS section,
    its defaults when the file has none.
    """

    name: str
    dataset: str
    seeds: tuple[int, ...] = (0, 1, 2)
    modes: tuple[str, ...] = UGS_MODES
    device: str = "cpu"
    method: str | None = None  # the ticket method `gcn-tickets run` runs (gcn_tickets.methods.registry)
    trainer: dict[str, Any] = field(default_factory=dict)  # trainer options (batch sizes)
    sections: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_fields(self, RUN_RULES)
        refuse_unknown(self.trainer, TRAINER_OPTIONS, prefix="trainer.", title="trainer")
        for k, v in self.trainer.items():
            check_value(f"trainer.{k}", v, *TRAINER_OPTIONS[k])
        for name, sec in self.sections.items():
            if not isinstance(sec, section_class(name)):
                raise ConfigError(f"section `{name}` must be a {section_class(name).__name__}, got {sec!r}")

    def section(self, name: str) -> Any:
        """The settings of method ``name`` (its defaults when the config has no such section)."""
        sec = _sections_of(self).get(name)
        return sec if sec is not None else section_class(name)()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in known_sections():
            raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")
        return self.section(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict in the layout of the YAML file (sections at the top level)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "sections"}
        if d["method"] is None:  # configs without `method:` keep their config.json as before
            del d["method"]
        d.update({name: sec for name, sec in self.sections.items()})
        return config_dict(d)


RUN_RULES: dict[str, Rule] = {
    "name": Rule(pattern=r"[A-Za-z0-9][A-Za-z0-9._+-]*", what="a folder name (letters, digits, . _ + -)"),
    "seeds": at_least(0),
    "modes": one_of(*UGS_MODES),
    "method": Rule(pattern=r"[A-Za-z0-9][A-Za-z0-9._-]*", what="a registered method name"),
    "device": Rule(pattern=r"cpu|mps|(cuda|xpu)(:\d+)?", what="cpu, cuda, cuda:N, xpu, xpu:N or mps"),
}


def config_dict(cfg: Any) -> dict[str, Any]:
    """JSON-safe dict of a config dataclass (or mapping): tuples -> lists, sections -> dicts."""
    if hasattr(cfg, "to_dict"):
        return cfg.to_dict()
    if dataclasses.is_dataclass(cfg):
        cfg = {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}
    return json.loads(json.dumps(_plain(cfg)))


def _plain(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return config_dict(v)
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    return v


def build_run(data: Mapping[str, Any]) -> RunConfig:
    """A :class:`RunConfig` from a nested mapping: run fields, then one key per method section."""
    run_keys = [f.name for f in dataclasses.fields(RunConfig) if f.name != "sections"]
    sections = [k for k in data if k not in run_keys]
    refuse_unknown(sections, [*run_keys, *known_sections()], title="run")
    built = {k: build_section(section_class(k), data[k], prefix=f"{k}.", title=k.upper()) for k in sections}
    built.setdefault("ugs", section_class("ugs")())
    for missing in ("name", "dataset"):
        if missing not in data:
            raise ConfigError(f"the config has no `{missing}`: add `{missing}: ...` at its top level")
    return build_section(RunConfig, {**{k: data[k] for k in run_keys if k in data}, "sections": built})


def load_config(path: str | Path, overrides: Iterable[str] | None = None) -> RunConfig:
    """Load a YAML run config and apply ``key.sub=value`` overrides (name defaults to the file's stem)."""
    path = Path(path)
    data = read_yaml(path)
    data.setdefault("name", path.stem)
    overrides = list(overrides or [])
    try:
        return build_run(apply_overrides(data, overrides))
    except ConfigError as exc:
        raise exc.relabel(source=override_source(path, overrides, exc.key)) from None


def load_flat(
    cls: type,
    section: str,
    path: str | Path | None,
    overrides: Iterable[str] | Mapping[str, Any] | None,
    *,
    run_keys: Iterable[str],
    title: str,
) -> Any:
    """A method dialect with run fields at the top merged with its section into one dataclass.

    ``cls`` gets the top-level keys of the file and its ``section:`` mapping (the section
    wins), then the overrides ``section.key=value`` or ``key=value`` (or a mapping). Errors
    name a key as ``key`` when it is a run field (``run_keys``), else ``section.key``.
    """
    run_keys = set(run_keys)
    if not isinstance(overrides, Mapping):
        overrides = list(overrides or [])
    raw: dict[str, Any] = {}
    source = "overrides"
    loaded = None if path is None else read_yaml(path)
    try:
        if path is not None and loaded is not None:
            path, source = Path(path), str(path)
            sec = loaded.pop(section, None) or {}
            if not isinstance(sec, Mapping):
                raise ConfigError(f"the `{section}:` section must be a mapping, got {sec!r}")
            raw = {"name": path.stem, **loaded, **sec}
        raw.update(overrides if isinstance(overrides, Mapping) else flat_overrides(overrides, section))
        return build_section(
            cls,
            raw,
            prefix=f"{section}.",
            title=title,
            label=lambda k: k if k.split("[")[0] in run_keys else f"{section}.{k}",
        )
    except ConfigError as exc:
        strings = [] if isinstance(overrides, Mapping) else overrides
        raise exc.relabel(source=override_source(source, strings, exc.key, section)) from None
