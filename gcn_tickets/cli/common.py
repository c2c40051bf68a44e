"""Shared CLI helpers: data-root option, checked numeric options, error reporting, run folders."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gcn_tickets.io import OutputError

__all__ = ["add_data_root", "number", "guarded", "run_path", "run_state"]


def add_data_root(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-root",
        default=None,
        help="dataset root (default: $GCN_TICKETS_DATA or ~/.cache/gcn_tickets/data)",
    )


def number(kind: type, rule: Any = None) -> Callable[[str], Any]:
    """An argparse ``type=``: ``kind`` ("int" or "float") checked against a
    :class:`gcn_tickets.validation.Rule`; a bad value exits 2 naming the flag and the range."""
    from gcn_tickets.validation import ConfigError, check_value

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = text
        try:
            check_value("value", value, kind.__name__, rule)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(f"must be {exc.expected}, got {text!r}") from None
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


def guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn expected user errors into 'error: ...' on stderr and exit code 2 (no traceback)."""
    from gcn_tickets.runs import RunError

    def run(args: argparse.Namespace) -> int:
        from gcn_tickets.data.datasets import DatasetNotFound
        from gcn_tickets.masks.maskset import MaskError

        try:
            return func(args)
        except (
            DatasetNotFound,
            MaskError,
            FileNotFoundError,
            ValueError,
            KeyError,
            OutputError,
            RunError,
        ) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run


def run_path(
    out: str | Path,
    load: Callable[[list[str] | None], dict[str, Any]],
    overrides: list[str],
    *,
    legacy: Callable[[str], Path] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """(run folder, resolved config dict) of a verb's config with ``overrides`` under ``out``.

    ``load(overrides)`` is the verb's config as a JSON-safe dict (``load(None)``: as its file
    states it). The folder is :func:`gcn_tickets.runs.run_dir` of the keys the overrides
    change (:func:`gcn_tickets.runs.changed_keys`): ``out/<name>`` for the file's config,
    ``out/<name>-<digest>`` otherwise. ``legacy(name)``, a folder earlier versions used for the
    same run, is taken instead when the new folder does not exist and ``legacy`` holds a
    ``config.json`` (:func:`gcn_tickets.runs.claim_run` then checks it).
    """
    from gcn_tickets.runs import changed_keys, run_dir
    from gcn_tickets.validation import ConfigError

    cfg = load(overrides)
    try:
        base = load(None)
    except ConfigError:  # the file alone is invalid: every resolved value counts as changed
        base = {}
    path = run_dir(out, cfg["name"], changed_keys(base, cfg))
    old = legacy(cfg["name"]) if legacy is not None else path
    if not path.exists() and old != path and (old / "config.json").exists():
        print(f"note: using the run folder {old}, named by the overrides' hash of earlier versions")
        path = old
    return path, cfg


def run_state(path: Path, resuming: bool, finished: int, unit: str) -> str:
    """The line a resumable verb prints on start: ``run directory: PATH (new run; ...)`` or
    ``(resuming: N finished <unit>s found; ...)``."""
    state = f"resuming: {finished} finished {unit}s found" if resuming else "new run"
    return f"run directory: {path} ({state}; a run started again resumes after its last finished {unit})"
