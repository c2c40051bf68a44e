"""Shared CLI helpers: data-root option, checked numeric options, error reporting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from gcn_tickets.io import OutputError

__all__ = ["add_data_root", "number", "guarded"]


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
