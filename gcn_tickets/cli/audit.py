"""``gcn-tickets audit PATH --json OUT``: spectral audit of a mask file or a pruned checkpoint.

PATH is a mask file of the toolkit (``MaskSet.save``), a plain ``torch.save``'d
mapping from parameter names to 0/1 tensors, or a checkpoint of a model pruned
with ``torch.nn.utils.prune`` (``<p>_orig`` / ``<p>_mask``, optionally under a
``"state_dict"`` key). Prints a per-layer table, writes JSON, CSV and a PNG plot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gcn_tickets.cli.common import number
from gcn_tickets.validation import at_least

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "audit",
        help="spectral audit (Ramanujan gap, IMDB, NaRC, weighted gap) of pruned layers",
        description=(
            "Spectral audit of every pruned layer (masks with ndim >= 2) of PATH: a toolkit "
            "mask file, a torch.save'd dict of 0/1 tensors, or a state_dict of a model pruned "
            "with torch.nn.utils.prune. Undefined values are null with a reason."
        ),
    )
    p.add_argument("path", metavar="PATH", help="mask file or pruned checkpoint (.pt/.pth)")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the JSON report here")
    p.add_argument("--csv", dest="csv_out", metavar="OUT", help="CSV (default: OUT.json -> .csv)")
    p.add_argument("--plot", dest="plot_out", metavar="PNG", help="plot (default: .png beside)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    p.add_argument(
        "--encoding",
        choices=("unrolled", "channel"),
        default="unrolled",
        help="layer -> bipartite graph: unrolled (input channel x tap, default) or channel",
    )
    p.add_argument(
        "--weighted",
        action="store_true",
        help="compute the spectra on the |W|-weighted bi-adjacency (needs weights in PATH)",
    )
    p.add_argument(
        "--narc",
        choices=("reference", "undirected"),
        default="reference",
        help="NaRC convention shown in table/plot: reference (2|E|, as released) or "
        "undirected (|E|); both are in the JSON",
    )
    p.add_argument(
        "--zeros",
        action="store_true",
        help="PATH is a plain state_dict of pruned weights: read mask = weight != 0",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="architecture of a pruned checkpoint (gcn_tickets.models.zoo name): masks are checked "
        "against its parameter names and shapes. Optional: masks are read from the "
        "'<name>_mask' buffers without it",
    )
    p.add_argument(
        "--num-classes", type=number(int, at_least(1)), default=10, help="for --model (default 10)"
    )
    p.add_argument("--layers", nargs="+", metavar="NAME", help="audit only these masks")
    p.add_argument("--threads", type=number(int, at_least(1)), default=1, help="BLAS threads (default 1)")
    p.add_argument("--quiet", action="store_true", help="do not print the table")
    p.set_defaults(func=run)


def _check_model(name: str, num_classes: int, masks: Any) -> None:
    from gcn_tickets.masks.maskset import MaskError
    from gcn_tickets.models import zoo

    names = zoo.MODELS
    if name not in names:
        raise MaskError(f"unknown --model {name!r}; known models: {', '.join(names)}")
    try:
        model = zoo.build_model(name, num_classes=num_classes)
    except Exception as exc:  # e.g. a model that needs more arguments
        print(f"note: cannot build --model {name} ({exc}); masks are not checked", file=sys.stderr)
        return
    masks.check_against(model)


def _write(result: Any, args: argparse.Namespace) -> list[str]:
    """Write the JSON / CSV / plot asked for; returns the paths written."""
    csv_out = Path(args.csv_out) if args.csv_out else None
    png = Path(args.plot_out) if args.plot_out and not args.no_plot else None
    written = []
    if args.json_out:
        out = Path(args.json_out)
        csv_out = csv_out or out.with_suffix(".csv")
        png = None if args.no_plot else (png or out.with_suffix(".png"))
        result.save_json(out)
        written.append(str(out))
    if csv_out:
        result.save_csv(csv_out)
        written.append(str(csv_out))
    if png:
        try:
            result.plot(png)
        except OSError as exc:
            raise OSError(f"cannot write {png}: {exc.strerror or exc}") from None
        written.append(str(png))
    return written


def run(args: argparse.Namespace) -> int:
    from gcn_tickets.io import OutputError
    from gcn_tickets.masks.maskset import MaskError
    from gcn_tickets.spectral.audit import audit, load_audit_input

    path = Path(args.path)
    try:
        masks, weights = load_audit_input(path, zeros=args.zeros)
        if args.model:
            _check_model(args.model, args.num_classes, masks)
        result = audit(
            masks,
            weights=weights,
            encoding=args.encoding,
            weighted=args.weighted,
            narc=args.narc,
            names=args.layers,
            threads=args.threads,
        )
        if not args.quiet:
            print(result.table())
        written = _write(result, args)
    except (MaskError, FileNotFoundError, ValueError, OutputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json_out:
        print("wrote " + ", ".join(written))
    return 0
