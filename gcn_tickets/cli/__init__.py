"""Command line interface ``gcn-tickets VERB ...``: thin layers over the Python API.

Verbs are registered BY NAME (:data:`VERBS`: module and one-line help); a verb's module,
``gcn_tickets/cli/<module>.py`` with ``register(subparsers) -> None`` adding its parser and
``func``, is imported only when that verb runs, so ``gcn-tickets --help`` imports no torch.
Options and positionals may be mixed (``gcn-tickets ugs CONFIG --out DIR ugs.rounds=5``).
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["VERBS", "register_verb", "build_parser", "main"]

# verb -> (module under gcn_tickets.cli, one-line help)
VERBS: dict[str, tuple[str, str]] = {
    "train": ("train", "train a dense GCN (mean ± std over seeds)"),
    "ugs": ("ugs", "find UGS tickets (reference / improved / random control)"),
    "audit": ("audit", "spectral audit (Ramanujan gap, IMDB, NaRC, weighted gap) of pruned layers"),
    "early-bird": (
        "early_bird",
        "GEBT: joint early-bird tickets for graph and weights (search, detect, retrain)",
    ),
    "prune": ("prune", "prune a model at initialisation (rand, erk, mag, snip, grasp, synflow, ...)"),
    "train-cnn": (
        "train_cnn",
        "train a CNN pruned at init on the offline digits dataset (accuracy vs density)",
    ),
    "run": ("run", "run any registered ticket method (ugs, gebt, ...) from a config"),
    "report": ("report", "rebuild the report (tables, plots) of a UGS or GEBT run folder or an audit JSON"),
}
DESCRIPTION = "Lottery tickets for graph neural networks (UGS, GEBT, PaI, spectral audit)."


def register_verb(name: str, module: str, help: str) -> None:
    """Add verb ``name``: ``module`` is a module path (or a name under ``gcn_tickets.cli``)."""
    VERBS[name] = (module, help)


def _top_parser() -> argparse.ArgumentParser:
    width = max(len(v) for v in VERBS)
    verbs = "\n".join(f"  {v:<{width}}  {h}" for v, (_, h) in VERBS.items())
    parser = argparse.ArgumentParser(
        prog="gcn-tickets",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"verbs:\n{verbs}\n\n`gcn-tickets VERB --help` shows a verb's options.",
    )
    parser.add_argument("verb", metavar="VERB", choices=list(VERBS), help="one of: " + ", ".join(VERBS))
    return parser


def verb_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one verb (imports its module)."""
    module, help = VERBS[name]
    mod = importlib.import_module(module if "." in module else f"gcn_tickets.cli.{module}")
    sub = argparse.ArgumentParser(prog="gcn-tickets").add_subparsers(dest="verb", metavar="VERB")
    mod.register(sub)
    return sub.choices[name]


def build_parser() -> argparse.ArgumentParser:
    """A parser with every verb (imports every verb's module; ``main`` does not need it)."""
    parser = argparse.ArgumentParser(prog="gcn-tickets", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    sub.required = True
    for module, _ in VERBS.values():
        importlib.import_module(module if "." in module else f"gcn_tickets.cli.{module}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    top = _top_parser()
    if not argv or argv[0].startswith("-") or argv[0] not in VERBS:
        top.parse_args(argv[:1])  # --help, or an error naming the verbs (exit 2)
        top.error(f"give a verb first, then its arguments: gcn-tickets VERB ... (got {argv[0]!r})")
    try:
        args = verb_parser(argv[0]).parse_intermixed_args(argv[1:])
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
