"""``gcn-tickets report RUN_DIR``: rebuild a run's report from its files, no training.

- a UGS run folder (``<mode>/seed<k>/round_<r>.result.json``, as ``gcn-tickets ugs``
  writes): ``report.md`` + ``report.png`` (or ``--out PREFIX``.md/.png), table printed;
- a GEBT run folder (``seed<k>.json`` [+ ``config.json``], as ``gcn-tickets early-bird``
  writes): ``summary.json`` and ``trajectory.png`` rebuilt, summary table printed;
- an audit JSON (``gcn-tickets audit PATH --json OUT``): a markdown table, printed or
  written to ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gcn_tickets.cli.common import guarded

__all__ = ["register", "detect"]

LOOKED_FOR = (
    "a UGS run folder (*/seed*/round_*.result.json), a GEBT run folder (seed<k>.json) "
    "or an audit JSON file (keys 'layers' and 'summary')"
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="rebuild the report of a UGS or GEBT run folder or an audit JSON", description=__doc__
    )
    p.add_argument("path", metavar="RUN_DIR", help="run folder (UGS or GEBT) or audit JSON file")
    p.add_argument(
        "--out", default=None, help="UGS: prefix of the .md/.png (default RUN_DIR/report); audit: .md file"
    )
    p.add_argument("--title", default=None, help="UGS: report title (default 'UGS: <folder name>')")
    p.add_argument("--no-plot", action="store_true", help="GEBT: do not redraw trajectory.png")
    p.set_defaults(func=guarded(_run))


def detect(path: Path) -> str:
    """``"ugs"``, ``"gebt"`` or ``"audit"``; ``FileNotFoundError`` naming what was looked for."""
    if path.is_dir():
        if next(path.glob("*/seed*/round_*.result.json"), None) is not None:
            return "ugs"
        if next(path.glob("seed*.json"), None) is not None:
            return "gebt"
    elif path.is_file() and path.suffix == ".json":
        return "audit"
    raise FileNotFoundError(f"{path} is not a run this verb knows: looked for {LOOKED_FOR}")


def _run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    kind = detect(path)
    if kind == "ugs":
        from gcn_tickets.reports.ugs import write_ugs_report

        prefix = Path(args.out) if args.out else path / "report"
        text = write_ugs_report(path, prefix, title=args.title or f"UGS: {path.name}")
        print(text.replace(f"![accuracy vs sparsity]({prefix.name}.png)", f"plot: {prefix}.png"))
    elif kind == "gebt":
        from gcn_tickets.reports.gebt_run import write_gebt_report

        print(write_gebt_report(path, plot=not args.no_plot))
        print(f"\nwritten to {path}/")
    else:
        from gcn_tickets.io import atomic_write_text
        from gcn_tickets.reports.audit import audit_markdown

        text = audit_markdown(json.loads(path.read_text()))
        if args.out:
            atomic_write_text(args.out, text + "\n")
        print(text)
    return 0
