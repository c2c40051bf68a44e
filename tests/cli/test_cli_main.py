"""The ``gcn-tickets`` entry point: verbs by name, lazy imports, intermixed options, checked flags."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gcn_tickets.cli import VERBS, main, verb_parser


def test_help_imports_no_verb_and_no_torch():
    code = (
        "import sys\nfrom gcn_tickets.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('gcn_tickets.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"
    for verb, (_, help_line) in VERBS.items():
        assert f"  {verb}" in out and help_line in out


def test_unknown_or_missing_verb_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bogus"])
    assert info.value.code == 2 and "invalid choice: 'bogus'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and "the following arguments are required: VERB" in capsys.readouterr().err


@pytest.mark.parametrize("verb", ["ugs", "early-bird"])
def test_options_between_config_and_overrides(verb):
    args = verb_parser(verb).parse_intermixed_args(
        ["c.yaml", "--out", "d", "a.b=1", "--data-root", "r", "x=2"]
    )
    assert (args.config, args.out, args.overrides, args.data_root) == ("c.yaml", "d", ["a.b=1", "x=2"], "r")


PRUNE = ["prune", "--model", "vgg11", "--method", "rand", "--out", "o.pt", "--density"]


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["train", "Cora", "--seeds", "0"], "argument --seeds: must be an integer >= 1, got '0'"),
        (["train", "Cora", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got '0'"),
        (["train", "Cora", "--hidden", "1.5"], "argument --hidden: must be an integer >= 1, got '1.5'"),
        (["train", "Cora", "--dropout", "1"], r"argument --dropout: must be a number in [0, 1), got '1'"),
        (["train", "Cora", "--lr", "0"], "argument --lr: must be a number > 0, got '0'"),
        (["train", "Cora", "--weight-decay", "-1"], "--weight-decay: must be a number >= 0, got '-1'"),
        ([*PRUNE, "0"], "argument --density: must be a number in (0, 1], got '0'"),
        ([*PRUNE, "0.1", "--iterations", "0"], "argument --iterations: must be an integer >= 1, got '0'"),
        (["train-cnn", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got '0'"),
        (["train-cnn", "--lr", "nan"], "argument --lr: must be a number > 0, got 'nan'"),
        (["audit", "m.pt", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
        (["early-bird", "c.yaml", "--threads", "0"], "argument --threads: must be an integer >= 1, got '0'"),
    ],
)  # fmt: skip
def test_numeric_flags_are_checked_up_front(argv, match, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert match in capsys.readouterr().err


def test_train_json_under_a_file_exits_2_naming_the_path(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    out = tmp_path / "f" / "r.json"
    argv = [
        "train",
        "Cora",
        "--seeds",
        "1",
        "--epochs",
        "1",
        "--json",
        str(out),
        "--data-root",
        str(tmp_path / "d"),
    ]
    assert main(argv) == 2
    assert f"error: cannot write {out}: {tmp_path / 'f'} is a file, not a folder" in capsys.readouterr().err
