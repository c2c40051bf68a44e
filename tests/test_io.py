"""Atomic writers: errors name the user's path, files get the umask's mode, nothing half-written."""

from __future__ import annotations

import os
import stat
import tempfile

import pytest
import torch

from gcn_tickets.io import OutputError, atomic_torch_save, atomic_write_text


def _mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_files_get_the_umask_mode_not_0600(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        atomic_torch_save({"x": torch.ones(2)}, tmp_path / "b.pt")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.json") == 0o640 and _mode(tmp_path / "b.pt") == 0o640
    os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "[]")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.json") == 0o644 and (tmp_path / "a.json").read_text() == "[]"


def test_under_a_regular_file_names_the_users_path(tmp_path):
    (tmp_path / "f").write_text("x")
    target = tmp_path / "f" / "sub" / "out.json"
    with pytest.raises(
        OutputError, match=rf"^cannot write {target}: {tmp_path / 'f'} is a file, not a folder$"
    ):
        atomic_write_text(target, "{}")
    with pytest.raises(OutputError, match=rf"^cannot write {tmp_path / 'f' / 'm.pt'}: "):
        atomic_torch_save({}, tmp_path / "f" / "m.pt")
    with pytest.raises(OutputError, match=rf"^cannot write {tmp_path}: it is a folder$"):
        atomic_write_text(tmp_path, "{}")


def test_unwritable_folder_names_the_users_path_not_the_temp_file(tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".out.json.abc.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(
        OutputError, match=rf"^cannot write {tmp_path / 'out.json'}: the folder {tmp_path} is not writable$"
    ):
        atomic_write_text(tmp_path / "out.json", "{}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(
            OutputError, match=rf"^cannot write {ro / 'o.json'}: the folder {ro} is not writable$"
        ):
            atomic_write_text(ro / "o.json", "{}")
    finally:
        ro.chmod(0o700)


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    atomic_write_text(tmp_path / "m.pt", "old")

    class Bad:
        def __reduce__(self):
            raise RuntimeError("cannot pickle")

    with pytest.raises(RuntimeError, match="cannot pickle"):
        atomic_torch_save(Bad(), tmp_path / "m.pt")
    assert (tmp_path / "m.pt").read_text() == "old" and os.listdir(tmp_path) == ["m.pt"]
