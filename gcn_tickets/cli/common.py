"""Shared CLI helpers: data-root option, error reporting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from gcn_tickets.data.datasets import DatasetNotFound
from gcn_tickets.masks.maskset import MaskError


def add_data_root(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-root",
        default=None,
        help="dataset root (default: $GCN_TICKETS_DATA or ~/.cache/gcn_tickets/data)",
    )


def guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn expected user errors into 'error: ...' on stderr and exit code 2 (no traceback)."""

    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (DatasetNotFound, MaskError, FileNotFoundError, ValueError, KeyError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return run
