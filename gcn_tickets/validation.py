"""The one validation helper of config values: type (from the dataclass annotation), range, names.

:func:`check_value` refuses a value with a :class:`ConfigError` naming the key, the bad value
and what is allowed, e.g. ```ugs.rounds` must be an integer >= 1, got 'three'``. Types:
``int`` is an int (not a float, not a bool), ``float`` any finite number (an int too),
``bool`` only true / false, ``str`` a string, ``tuple[T, ...]`` a non-empty list of T (the
rule applies to each entry), ``X | None`` X or null. A :class:`Rule` adds a range
(:func:`between`, :func:`at_least`, :func:`positive`, :func:`fraction`), a set of names
(:func:`one_of`) or a pattern. The config dataclasses call :func:`check_fields` in
``__post_init__``, so a value is checked the same way from a YAML file, an override or Python.
:func:`refuse_unknown` refuses unknown keys with a close match; :func:`build_section` builds
a section dataclass from a mapping, naming keys with their section (``rounds`` -> ``ugs.rounds``).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ConfigError",
    "Rule",
    "between",
    "at_least",
    "positive",
    "fraction",
    "one_of",
    "check_value",
    "check_fields",
    "coerce",
    "refuse_unknown",
    "build_section",
    "RENAMED",
    "rename_key",
    "renamed",
]

_UNSET: Any = object()

#: Config keys that were renamed: dotted old key -> dotted new key (same meaning, same value).
RENAMED: dict[str, str] = {}


def rename_key(old: str, new: str) -> None:
    """Record that the dotted config key ``old`` is now ``new``: a config that still uses
    ``old`` is refused with a message naming ``new``, and a run folder whose ``config.json``
    was written with ``old`` still compares equal (:func:`gcn_tickets.runs.config_changes`)."""
    RENAMED[old] = new


def renamed(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``flat`` (dotted keys) with every renamed key under its new name."""
    return {RENAMED.get(k, k): v for k, v in flat.items()}


class ConfigError(ValueError):
    """A config key or value is refused; the message names the key, the value and what is allowed."""

    def __init__(
        self,
        message: str = "",
        *,
        key: str | None = None,
        value: Any = _UNSET,
        expected: str = "",
        source: str | None = None,
    ) -> None:
        self.message, self.key, self.value, self.expected, self.source = message, key, value, expected, source
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.value is not _UNSET:
            text = f"`{self.key}` must be {self.expected}, got {self.value!r}"
        return f"{self.source}: {text}" if self.source else text

    def relabel(self, key: str | None = None, *, source: str | None = None) -> ConfigError:
        """The same error with the key renamed (e.g. ``rounds`` -> ``ugs.rounds``) or a source named."""
        return ConfigError(
            self.message,
            key=self.key if key is None else key,
            value=self.value,
            expected=self.expected,
            source=self.source or source,
        )


@dataclass(frozen=True)
class Rule:
    """What a value accepts beyond its type: a range, a set of names or a full-match pattern."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[Any, ...] = ()
    pattern: str | None = None
    what: str = ""

    def ok(self, v: Any) -> bool:
        if self.choices:
            return v in self.choices
        if self.pattern is not None:
            return isinstance(v, str) and re.fullmatch(self.pattern, v) is not None
        lo_ok = self.lo is None or (v > self.lo if self.lo_open else v >= self.lo)
        hi_ok = self.hi is None or (v < self.hi if self.hi_open else v <= self.hi)
        return lo_ok and hi_ok

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.pattern is not None:
            return self.what or f"a string matching {self.pattern!r}"
        if self.lo is not None and self.hi is not None:
            return f"in {'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}{')' if self.hi_open else ']'}"
        if self.lo is not None:
            return f"{'>' if self.lo_open else '>='} {self.lo:g}"
        return f"{'<' if self.hi_open else '<='} {self.hi:g}"


def between(lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> Rule:
    return Rule(lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open)


def at_least(lo: float) -> Rule:
    return Rule(lo=lo)


def positive() -> Rule:
    """> 0."""
    return Rule(lo=0, lo_open=True)


def fraction() -> Rule:
    """A fraction in [0, 1) (sparsities, dropout)."""
    return Rule(lo=0, hi=1, hi_open=True)


def one_of(*choices: Any) -> Rule:
    return Rule(choices=tuple(choices))


_TYPES: dict[str, tuple[str, Any]] = {
    "int": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "float": (
        "a number",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v),
    ),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    "str": ("a string", lambda v: isinstance(v, str)),
}
_FLOAT_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _split(annotation: Any) -> tuple[str, bool]:
    """``"float | None"`` -> ``("float", True)``; real types are read by name."""
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    parts = [p.strip() for p in text.replace("typing.", "").split("|")]
    rest = [p for p in parts if p != "None"]
    return " | ".join(rest), len(rest) < len(parts)


def _expected(base: str, rule: Rule | None) -> str:
    desc = _TYPES[base][0] if base in _TYPES else base
    if rule is None:
        return desc
    if rule.choices or rule.pattern is not None:
        return rule.describe()
    return f"{desc} {rule.describe()}"


def check_value(key: str, value: Any, annotation: Any, rule: Rule | None = None) -> None:
    """Refuse ``value`` for ``key`` unless it has the annotated type and satisfies ``rule``."""
    base, optional = _split(annotation)
    if value is None:
        if optional:
            return
        raise ConfigError(key=key, value=value, expected=_expected(base, rule))
    elem = re.fullmatch(r"tuple\[(\w+), \.\.\.\]", base)
    if elem:
        if not isinstance(value, tuple | list) or not value:
            what = _expected(elem.group(1), rule)
            raise ConfigError(key=key, value=value, expected=f"a non-empty list, each entry {what}")
        for i, v in enumerate(value):
            check_value(f"{key}[{i}]", v, elem.group(1), rule)
        return
    if base.startswith("dict"):
        if not isinstance(value, Mapping):
            raise ConfigError(key=key, value=value, expected="a mapping of `key: value` settings")
        return
    if base not in _TYPES:
        return  # a nested dataclass or another type: its own __post_init__ checks it
    if not _TYPES[base][1](value) or (rule is not None and not rule.ok(value)):
        raise ConfigError(key=key, value=value, expected=_expected(base, rule))


def check_fields(obj: Any, rules: Mapping[str, Rule] | None = None) -> None:
    """:func:`check_value` for every field of the dataclass instance ``obj``."""
    rules = rules or {}
    for f in dataclasses.fields(obj):
        check_value(f.name, getattr(obj, f.name), f.type, rules.get(f.name))


def coerce(value: Any, annotation: Any) -> Any:
    """YAML lists -> tuples; number-like strings (YAML reads ``1e-3`` as a string) -> float
    where the annotation is ``float``. Everything else is returned as given."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, str) and _split(annotation)[0] == "float" and _FLOAT_TEXT.fullmatch(value):
        return float(value)
    return value


def refuse_unknown(
    keys: Iterable[str], known: Iterable[str], *, prefix: str = "", title: str = "run"
) -> None:
    """Refuse keys not in ``known``, naming each with a close match and listing the known ones."""
    known = sorted(known)
    bad = [k for k in keys if k not in known]
    if not bad:
        return
    moved = [(f"{prefix}{k}", RENAMED[f"{prefix}{k}"]) for k in bad if f"{prefix}{k}" in RENAMED]
    if moved:
        raise ConfigError(
            "; ".join(f"`{o}` was renamed `{n}` (same meaning and value)" for o, n in moved)
            + ": rename it in the config or the override",
            key=moved[0][0],
        )
    hints = []
    for k in bad:
        close = difflib.get_close_matches(str(k), known, n=1)
        hints.append(f"`{prefix}{k}`" + (f" (did you mean `{prefix}{close[0]}`?)" if close else ""))
    raise ConfigError(f"unknown {title} setting(s) {', '.join(hints)}; known: {', '.join(known)}")


def build_section(
    cls: type,
    data: Mapping[str, Any] | None,
    *,
    prefix: str = "",
    title: str = "run",
    label: Callable[[str], str] | None = None,
) -> Any:
    """``cls(**data)`` with unknown keys refused; validation errors relabelled with ``prefix``."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"`{prefix.rstrip('.')}` must be a mapping of settings, got {data!r}")
    types = {f.name: f.type for f in dataclasses.fields(cls) if f.init}
    refuse_unknown(data, types, prefix=prefix, title=title)
    try:
        return cls(**{k: coerce(v, types[k]) for k, v in data.items()})
    except ConfigError as exc:
        if exc.key is None:
            raise
        raise exc.relabel((label or (lambda k: prefix + k))(exc.key)) from None
