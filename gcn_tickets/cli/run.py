"""``gcn-tickets run CONFIG [--method NAME] [--out DIR] [key.sub=value ...]``: any ticket method.

The method is ``--method`` or the config's top-level ``method:`` key, looked up in
:mod:`gcn_tickets.methods.registry` (an unknown name exits 2 listing the registered ones).
The run folder is named and claimed as ``gcn-tickets ugs`` does it
(:func:`gcn_tickets.runs.run_dir`, :func:`gcn_tickets.runs.claim_run`): ``--out``/<name>,
``<name>-<digest>`` when overrides (``--method`` among them, when the file names no or
another method) change the config; a folder of another config is refused. The trainer is
:func:`gcn_tickets.training.make_trainer` of the config's dataset; a task kind the method
does not support is refused before anything is written. Then the method's runner runs
(resumable) and its report is printed.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gcn_tickets.cli.common import add_data_root, guarded
from gcn_tickets.cli.common import run_path as common_run_path

__all__ = ["register", "method_name"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run any registered ticket method (ugs, gebt, ...)", description=__doc__)
    p.add_argument("config", help="YAML config, e.g. configs/cora_ugs.yaml")
    p.add_argument("overrides", nargs="*", help="key.sub=value overrides, e.g. ugs.rounds=5")
    p.add_argument("--method", default=None, help="ticket method (default: the config's `method:` key)")
    p.add_argument("--out", default="runs", help="parent of the run directory (default: runs)")
    add_data_root(p)
    p.set_defaults(func=guarded(_run))


def method_name(config: str, method: str | None) -> str:
    """``method``, else the ``method:`` key of ``config``; an error naming both ways otherwise."""
    from gcn_tickets.config import ConfigError, read_yaml
    from gcn_tickets.methods.registry import method_names

    name = method if method is not None else read_yaml(config).get("method")
    if name is None:
        raise ConfigError(
            f"{config} names no ticket method: add `method: NAME` at its top level or pass "
            f"--method NAME (registered: {', '.join(method_names())})"
        )
    return name


def _loaded(method: Any, args: argparse.Namespace) -> tuple[Any, Path, dict[str, Any]]:
    """(config, run folder, config dict claimed for the folder) of ``args`` for ``method``."""
    from gcn_tickets.config import config_dict, load_config

    if method.load is None:  # a RunConfig: named and resolved as `gcn-tickets ugs` does it
        from gcn_tickets.cli.ugs import run_path

        overrides = [*args.overrides, f"method={method.name}"]
        path, cfg_dict = run_path(args.config, overrides, args.out)
        return load_config(args.config, overrides), path, cfg_dict
    path, cfg_dict = common_run_path(
        args.out, lambda ov: config_dict(method.load(args.config, ov)), args.overrides
    )
    return method.load(args.config, args.overrides), path, cfg_dict


def _ugs_report(path: Path, cfg: Any, summary: Any) -> str:
    from gcn_tickets.reports.ugs import write_ugs_report

    text = write_ugs_report(path, path / "report", title=f"UGS on {cfg.dataset}")
    return text.replace("![accuracy vs sparsity](report.png)", f"plot: {path / 'report.png'}")


def _gebt_report(path: Path, cfg: Any, summary: Any) -> str:
    from gcn_tickets.reports.gebt_run import write_gebt_report

    return write_gebt_report(path, plot=False) + f"\n\nwritten to {path}/"


# the reports of the built-in methods live in gcn_tickets.reports (methods do not import it)
REPORTS: dict[str, Callable[[Path, Any, Any], str]] = {"ugs": _ugs_report, "gebt": _gebt_report}


def _report(method: Any, path: Path, cfg: Any, summary: Any) -> str:
    report = method.report or REPORTS.get(method.name)
    if report is None:
        return json.dumps(summary, indent=1)
    return report(path, cfg, summary)


def _run(args: argparse.Namespace) -> int:
    import torch

    from gcn_tickets.data.datasets import load_dataset
    from gcn_tickets.methods.registry import get_method
    from gcn_tickets.runs import claim_run
    from gcn_tickets.training.trainers import make_trainer

    method = get_method(method_name(args.config, args.method))
    cfg, path, cfg_dict = _loaded(method, args)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    task = load_dataset(cfg.dataset, args.data_root)
    options = method.trainer_options(cfg, task.task) if method.trainer_options else cfg.trainer
    trainer = make_trainer(task, getattr(cfg, "device", "cpu"), **options)
    method.check_kind(trainer.kind)
    with claim_run(path, cfg_dict) as run:
        state = "resuming" if run.resuming else "new run"
        print(f"run directory: {path} ({state}; method {method.name}; a run started again resumes)")
        summary = method.run(trainer, cfg, path, log=print)
        text = _report(method, path, cfg, summary)
    print()
    print(text)
    return 0
