"""The one config loader: sections, overrides, validation messages, YAML errors, the GEBT dialect."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from gcn_tickets.config import ConfigError, RunConfig, load_config, register_section
from gcn_tickets.methods.gebt.config import GEBTConfig, config_dict
from gcn_tickets.methods.gebt.config import load_config as load_gebt
from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.validation import at_least, check_fields, one_of

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _yaml(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


BASE = "name: t\ndataset: Cora\nseeds: [0]\nmodes: [reference, random]\nugs:\n  rounds: 2\n"


def test_sections_defaults_and_overrides(tmp_path):
    cfg = load_config(_yaml(tmp_path, BASE), ["ugs.hidden=32", "seeds=[1, 2]", "ugs.lr=1e-3"])
    assert isinstance(cfg, RunConfig) and cfg.section("ugs") is cfg.ugs
    assert (cfg.name, cfg.seeds, cfg.modes) == ("t", (1, 2), ("reference", "random"))
    assert (cfg.ugs.rounds, cfg.ugs.hidden, cfg.ugs.epochs, cfg.ugs.lr) == (2, 32, 200, 0.001)
    assert load_config(_yaml(tmp_path, "dataset: Cora\n", "bare.yaml")).name == "bare"
    assert load_config(_yaml(tmp_path, BASE), ["ugs.lr=1"]).ugs.lr == 1  # float accepts int


@pytest.mark.parametrize(
    ("override", "match"),
    [
        ("ugs.rounds=three", "`ugs.rounds` must be an integer >= 1, got 'three'"),
        ("ugs.hidden=16.7", "`ugs.hidden` must be an integer >= 1, got 16.7"),
        ("ugs.hidden=true", "`ugs.hidden` must be an integer >= 1, got True"),
        ("ugs.epochs=0", "`ugs.epochs` must be an integer >= 1, got 0"),
        ("ugs.bias=1", "`ugs.bias` must be true or false, got 1"),
        ("ugs.lr=0", r"`ugs.lr` must be a number > 0, got 0"),
        (
            "ugs.graph_sparsity_per_round=1.0",
            r"`ugs.graph_sparsity_per_round` must be a number in \[0, 1\), got 1.0",
        ),
        ("ugs.prune_graph=0.1", r"`ugs.prune_graph` was renamed `ugs.graph_sparsity_per_round`"),
        ("ugs.graph_prior=degree", "`ugs.graph_prior` must be one of 'none', 'resistance', got 'degree'"),
        ("modes=[referense]", "`modes.0.` must be one of 'reference', 'improved', 'random', got 'referense'"),
        ("seeds=[0, 1.5]", r"`seeds\[1\]` must be an integer >= 0, got 1.5"),
        ("seeds=[]", "`seeds` must be a non-empty list, each entry an integer >= 0, got ()"),
        ("seeds=3", "`seeds` must be a non-empty list, each entry an integer >= 0, got 3"),
        ("name=../up", "`name` must be a folder name"),
        ("trainer.batch_size=0", "`trainer.batch_size` must be an integer >= 1, got 0"),
        ("device=gpu", "`device` must be cpu, cuda, cuda:N"),
    ],
)
def test_every_field_is_validated_naming_key_value_and_allowed(tmp_path, override, match):
    f = _yaml(tmp_path, BASE)
    with pytest.raises(ConfigError, match=match.replace("`modes.0.`", r"`modes\[0\]`")) as info:
        load_config(f, [override])
    assert f"override '{override}' (config {f})" in str(info.value)


def test_bad_value_in_the_file_names_the_file(tmp_path):
    f = _yaml(tmp_path, BASE.replace("rounds: 2", "rounds: three"))
    with pytest.raises(ConfigError, match=rf"^{f}: `ugs.rounds` must be an integer >= 1, got 'three'$"):
        load_config(f)
    # an override that fixes the file's value is fine
    assert load_config(f, ["ugs.rounds=3"]).ugs.rounds == 3


def test_unknown_keys_are_refused_with_a_close_match(tmp_path):
    f = _yaml(tmp_path, BASE)
    with pytest.raises(
        ConfigError, match=r"unknown UGS setting\(s\) `ugs.roundz` \(did you mean `ugs.rounds`\?\)"
    ):
        load_config(f, ["ugs.roundz=3"])
    with pytest.raises(
        ConfigError, match=r"unknown run setting\(s\) `sedes` \(did you mean `seeds`\?\); known: "
    ):
        load_config(f, ["sedes=[0]"])
    with pytest.raises(ConfigError, match=r"`trainer.batchsize` \(did you mean `trainer.batch_size`\?\)"):
        load_config(f, ["trainer.batchsize=2"])
    with pytest.raises(ConfigError, match="`seeds` is a value"):
        load_config(f, ["seeds.x=1"])
    with pytest.raises(ConfigError, match="must look like key.sub=value"):
        load_config(f, ["ugs.rounds"])
    with pytest.raises(ConfigError, match="has no `dataset`"):
        load_config(_yaml(tmp_path, "name: x\n", "nodata.yaml"))


def test_malformed_yaml_names_file_and_line(tmp_path):
    f = _yaml(tmp_path, "name: t\ndataset: Cora\nugs:\n  rounds: [1, 2\n  lr: 0.1\n")
    with pytest.raises(ConfigError, match=rf"^{f}, line 5, column 5: malformed YAML: "):
        load_config(f)
    with pytest.raises(ConfigError, match=rf"^{f}, line \d+, column \d+: malformed YAML"):
        load_gebt(f)
    with pytest.raises(ConfigError, match="a config must be a YAML mapping"):
        load_config(_yaml(tmp_path, "- a\n- b\n", "list.yaml"))
    with pytest.raises(FileNotFoundError, match="config not found"):
        load_config(tmp_path / "none.yaml")


def test_dataclasses_validate_when_built_from_python():
    with pytest.raises(ConfigError, match="^`rounds` must be an integer >= 1, got 'three'$"):
        UGSConfig(rounds="three")
    with pytest.raises(ConfigError, match="^`fifo` must be an integer >= 2, got 1$"):
        GEBTConfig(fifo=1)


def test_gebt_dialect_values_and_messages(tmp_path):
    cfg = load_gebt(CONFIGS / "cora_gebt.yaml")
    assert config_dict(cfg) == {
        **config_dict(GEBTConfig()),
        "name": "cora_gebt",
        "dataset": "Cora",
        "weight_decay": 5.0e-4,
        "graph_prior": "resistance",
        "protect_labelled": True,
        "eta": 0.03,
        "sweep_graph": [0.2, 0.4, 0.6, 0.8],
        "sweep_weight": [0.5, 0.7, 0.9],
    }
    both = load_gebt(CONFIGS / "cora_gebt.yaml", ["gebt.eta=0.05", "fifo=5", "seeds=[0]"])
    assert (both.eta, both.fifo, both.seeds) == (0.05, 5, (0,))
    f = CONFIGS / "cora_gebt.yaml"
    with pytest.raises(
        ConfigError, match=rf"override 'gebt.eta=-1' \(config {f}\): `gebt.eta` must be a number > 0"
    ):
        load_gebt(f, ["gebt.eta=-1"])
    with pytest.raises(
        ConfigError, match="`gebt.init` must be one of 'inherit', 'rewind', 'reinit', got 'warm'"
    ):
        load_gebt(f, ["init=warm"])
    with pytest.raises(ConfigError, match="`gebt.convention` must be one of 'fraction', 'first'"):
        load_gebt(f, ["convention=last"])
    with pytest.raises(ConfigError, match=r"`sweep_graph\[0\]` must be a number in \[0, 1\), got 1.0"):
        load_gebt(f, ["sweep_graph=[1.0]"])
    with pytest.raises(
        ConfigError, match=r"unknown GEBT setting\(s\) `gebt.etaa` \(did you mean `gebt.eta`\?\)"
    ):
        load_gebt(f, ["gebt.etaa=0.1"])
    bad = _yaml(tmp_path, "dataset: Cora\ngebt:\n  graph_prior: degree\n", "x_gebt.yaml")
    with pytest.raises(ConfigError, match=rf"^{bad}: `gebt.graph_prior` must be one of 'none', 'resistance'"):
        load_gebt(bad)


@dataclass(frozen=True, kw_only=True)
class ToyConfig:
    steps: int = 3
    kind: str = "a"

    def __post_init__(self) -> None:
        check_fields(self, {"steps": at_least(1), "kind": one_of("a", "b")})


def test_a_new_method_registers_its_section_in_one_line(tmp_path):
    register_section("toy", ToyConfig)
    f = _yaml(tmp_path, BASE + "toy:\n  steps: 5\n")
    cfg = load_config(f, ["toy.kind=b"])
    assert cfg.toy == ToyConfig(steps=5, kind="b") and cfg.to_dict()["toy"] == {"steps": 5, "kind": "b"}
    assert load_config(_yaml(tmp_path, BASE, "plain.yaml")).section("toy") == ToyConfig()
    with pytest.raises(ConfigError, match="`toy.kind` must be one of 'a', 'b', got 'c'"):
        load_config(f, ["toy.kind=c"])
    with pytest.raises(
        ConfigError, match=r"unknown TOY setting\(s\) `toy.step` \(did you mean `toy.steps`\?\)"
    ):
        load_config(f, ["toy.step=1"])


def test_importing_the_loader_imports_no_method_and_no_torch():
    code = (
        "import sys, gcn_tickets.config, gcn_tickets.runs, gcn_tickets.io;"
        "print(sorted(m for m in sys.modules if m.startswith('gcn_tickets.methods') or m == 'torch'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
