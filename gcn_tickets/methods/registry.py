"""The registry of ticket methods: a new method is a runner function plus one line.

A method's runner is resumable and writes its results into one run folder::

    run(trainer, cfg, out_dir, *, log) -> dict

``trainer`` is the task's :class:`~gcn_tickets.training.protocol.Trainer` (``trainer.kind``
is one of the method's ``kinds``), ``cfg`` the loaded config (by default a
:class:`gcn_tickets.config.RunConfig`; the method's settings are ``cfg.section(section)``),
``out_dir`` the claimed run folder (:func:`gcn_tickets.runs.claim_run`), ``log`` a
``print``-like callable. The returned dict is the run's summary. Example::

    def run_toy(trainer, cfg, out_dir, *, log=print):
        ...
        return {"test": res.test}

    register_method("toy", run_toy, section="toy", kinds=("node",), help="one-shot magnitude")

``gcn-tickets run CONFIG --method toy`` (or ``method: toy`` in the config) then runs it. A
method whose config file has another layout passes ``load(path, overrides) -> cfg`` and
``trainer_options(cfg, kind) -> dict`` (keyword options of
:func:`gcn_tickets.training.make_trainer`); ``report(out_dir, cfg, summary) -> str`` is the
text the CLI prints after the run (default: the summary as JSON).

The built-in methods, ``ugs`` and ``gebt`` (:mod:`gcn_tickets.methods.builtin`), are
registered at the end of this module by name of their runner (``"module:function"``,
imported when the method is looked up), so importing the registry imports neither torch nor
any method.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gcn_tickets.validation import ConfigError, one_of

__all__ = ["KINDS", "TicketMethod", "register_method", "unregister_method", "get_method", "method_names"]

KINDS = ("node", "link", "graph")
MethodRun = Callable[..., Mapping[str, Any]]


def _resolve(target: Any) -> Any:
    """``"package.module:name"`` -> that object (imported now); anything else unchanged."""
    if not isinstance(target, str):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class TicketMethod:
    """One registered ticket method (see the module docstring for the callables)."""

    name: str
    run: MethodRun
    section: str | None
    kinds: tuple[str, ...]
    help: str
    load: Callable[..., Any] | None = None
    trainer_options: Callable[[Any, str], Mapping[str, Any]] | None = None
    report: Callable[..., str] | None = None

    def check_kind(self, kind: str) -> None:
        """``ValueError`` naming the supported kinds when ``kind`` is not one of them."""
        if kind not in self.kinds:
            raise ValueError(
                f"method {self.name!r} runs on {', '.join(self.kinds)} tasks, not on a {kind} task: "
                "choose a dataset of a supported kind or another method"
            )


_REGISTRY: dict[str, TicketMethod | dict[str, Any]] = {}


def register_method(
    name: str,
    run: MethodRun | str,
    *,
    section: str | None = None,
    kinds: tuple[str, ...] = KINDS,
    help: str = "",
    load: Callable[..., Any] | str | None = None,
    trainer_options: Callable[[Any, str], Mapping[str, Any]] | str | None = None,
    report: Callable[..., str] | None = None,
    replace: bool = False,
) -> None:
    """Register ticket method ``name`` with its runner ``run`` (a callable or ``"module:name"``).

    ``kinds``: the trainer kinds it supports (default all of :data:`KINDS`); ``section``: the
    config section of its settings; ``replace=True`` overrides an earlier registration.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a method name must be a non-empty string, got {name!r}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"method {name!r} is already registered; pass replace=True to override it")
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in KINDS]
    if not kinds or bad:
        raise ValueError(f"`kinds` must be a non-empty subset of {KINDS}, got {kinds!r}")
    _REGISTRY[name] = dict(
        name=name,
        run=run,
        section=section,
        kinds=kinds,
        help=help,
        load=load,
        trainer_options=trainer_options,
        report=report,
    )


def unregister_method(name: str) -> None:
    """Remove method ``name`` from the registry."""
    get_method(name)
    del _REGISTRY[name]


def method_names() -> tuple[str, ...]:
    """Names of the registered methods, in registration order."""
    return tuple(_REGISTRY)


def get_method(name: str) -> TicketMethod:
    """The registered method ``name`` (its callables imported); ``ConfigError`` listing the
    registered ones otherwise."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ConfigError(key="method", value=name, expected=one_of(*method_names()).describe())
    entry = _REGISTRY[name]
    if isinstance(entry, dict):
        fields = {k: _resolve(v) if k in ("run", "load", "trainer_options") else v for k, v in entry.items()}
        entry = _REGISTRY[name] = TicketMethod(**fields)
    return entry


register_method(
    "ugs",
    "gcn_tickets.methods.builtin:run_ugs_method",
    section="ugs",
    help="UGS tickets (reference / improved / random control), round by round",
)
register_method(
    "gebt",
    "gcn_tickets.methods.builtin:run_gebt_method",
    section="gebt",
    kinds=("node", "link"),
    help="GEBT joint early-bird tickets (search, detect, retrain)",
    load="gcn_tickets.methods.gebt.config:load_config",
    trainer_options="gcn_tickets.methods.builtin:gebt_trainer_options",
)
