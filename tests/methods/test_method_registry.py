"""The ticket-method registry: one line registers a method; lookups name the registered ones."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gcn_tickets.config import ConfigError
from gcn_tickets.methods.builtin import gebt_trainer_options, run_gebt_method, run_ugs_method
from gcn_tickets.methods.registry import (
    KINDS,
    get_method,
    method_names,
    register_method,
    unregister_method,
)


def _noop(trainer, cfg, out_dir, *, log=print) -> dict:
    return {}


def test_builtin_methods_resolve_lazily():
    assert method_names()[:2] == ("ugs", "gebt")
    ugs, gebt = get_method("ugs"), get_method("gebt")
    assert ugs.run is run_ugs_method and ugs.section == "ugs" and ugs.kinds == KINDS and ugs.load is None
    assert gebt.run is run_gebt_method and gebt.kinds == ("node", "link")
    assert gebt.trainer_options is gebt_trainer_options
    from gcn_tickets.methods.gebt.config import GEBTConfig, load_config

    assert gebt.load is load_config
    cfg = GEBTConfig(batch_size=128, steps_per_epoch=3)
    assert gebt.trainer_options(cfg, "link") == {"batch_size": 128, "steps_per_epoch": 3}
    assert gebt.trainer_options(cfg, "node") == {}


def test_register_look_up_and_unregister():
    register_method("noop", _noop, kinds=("graph",), help="does nothing")
    try:
        m = get_method("noop")
        assert (m.name, m.run, m.kinds, m.help, m.section) == (
            "noop",
            _noop,
            ("graph",),
            "does nothing",
            None,
        )
        with pytest.raises(ValueError, match="method 'noop' is already registered; pass replace=True"):
            register_method("noop", _noop)
        register_method("noop", _noop, replace=True)
        assert get_method("noop").kinds == KINDS
        with pytest.raises(ValueError, match="method 'noop' runs on node, link, graph tasks"):
            get_method("noop").check_kind("image")
    finally:
        unregister_method("noop")
    assert "noop" not in method_names()


def test_bad_registrations_and_unknown_names_are_refused():
    with pytest.raises(ValueError, match="a method name must be a non-empty string, got ''"):
        register_method("", _noop)
    with pytest.raises(
        ValueError, match=r"`kinds` must be a non-empty subset of \('node', 'link', 'graph'\)"
    ):
        register_method("x", _noop, kinds=("nodes",))
    with pytest.raises(ConfigError, match="`method` must be one of 'ugs', 'gebt', got 'imp'"):
        get_method("imp")
    with pytest.raises(ConfigError, match="`method` must be one of 'ugs', 'gebt', got 'imp'"):
        unregister_method("imp")
    with pytest.raises(ConfigError, match=r"`method` must be one of 'ugs', 'gebt', got \['ugs'\]"):
        get_method(["ugs"])


def test_importing_the_registry_imports_no_method_and_no_torch():
    code = "import json, sys, gcn_tickets.methods.registry, gcn_tickets.methods.builtin\n"
    code += "print(json.dumps(list(sys.modules)))"
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    heavy = ("torch", "torch_geometric", "gcn_tickets.methods.ugs", "gcn_tickets.methods.gebt")
    assert [m for m in loaded if m.split(".")[0] in heavy[:2] or m.startswith(heavy[2:])] == []
