"""Command line interface ``gcn-tickets VERB ...``: thin layers over the Python API.

Each verb lives in ``gcn_tickets/cli/<verb>.py`` and exposes
``register(subparsers) -> None`` which adds its parser and sets ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module names under gcn_tickets.cli; each adds one verb
COMMANDS: list[str] = ["train", "ugs", "audit", "early_bird", "prune", "train_cnn", "report"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gcn-tickets",
        description="Lottery tickets for graph neural networks (UGS, GEBT, PaI, spectral audit).",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"gcn_tickets.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
