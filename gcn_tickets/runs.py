"""Run folders: one per config, knowing the config that made it, locked while a run writes.

- :func:`run_dir` names the folder: ``parent/name`` for the config as its file states it,
  ``parent/name-<digest>`` when overrides change it, the digest a hash of the RESOLVED
  changes (dotted key -> value, :func:`changed_keys`). ``ugs.rounds=5`` given twice, in
  another order, or equal to the file's value therefore maps to one folder, and a default
  added to a dataclass later renames no existing folder.
- :func:`claim_run` (a context manager) locks the folder, compares the ``config.json`` in it
  with this run's config and refuses a different one (naming the keys, old -> new, and the
  way out); an equal one resumes. Files written before this module (UGS:
  ``asdict(UGSConfig)``; GEBT: ``config_dict(GEBTConfig)``) compare too.
- The lock, ``.lock`` in the folder, names its holder (pid, host, start time, command); a
  second run into the folder fails at once; a lock whose process is gone (pid not alive on
  this host) is taken over with a note. It is released on exit, Ctrl-C and exceptions.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gcn_tickets.io import OutputError, atomic_write_text, ensure_dir
from gcn_tickets.validation import renamed

__all__ = [
    "RunError",
    "RunConflictError",
    "RunLockedError",
    "Run",
    "changed_keys",
    "config_digest",
    "run_dir",
    "config_changes",
    "claim_run",
]

CONFIG_FILE = "config.json"
LOCK_FILE = ".lock"


class RunError(Exception):
    """A run folder cannot be used; the message says why and what to do."""


class RunConflictError(RunError):
    """The run folder holds a run of another config."""


class RunLockedError(RunError):
    """Another live process holds the run folder."""


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, Mapping) and v:
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _canon(v: Any) -> Any:
    """Numbers as floats, tuples as lists: 5 == 5.0 and (0,) == [0] hash alike."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, list | tuple):
        return [_canon(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _canon(x) for k, x in v.items()}
    return repr(v)


def changed_keys(base: Mapping[str, Any], resolved: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys of ``resolved`` whose value differs from ``base`` (both config dicts)."""
    b, r = _flatten(base), _flatten(resolved)
    return {k: v for k, v in sorted(r.items()) if k not in b or _canon(b[k]) != _canon(v)}


def config_digest(d: Mapping[str, Any]) -> str:
    """8 hex digits of SHA-256 over the canonical JSON of ``d`` (sorted keys, numbers as floats)."""
    text = json.dumps(_canon(dict(d)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def run_dir(parent: str | os.PathLike, name: str, overrides: Mapping[str, Any] | None = None) -> Path:
    """``parent/name``, or ``parent/name-<digest>`` when ``overrides`` (dotted key -> resolved
    value that differs from the config file, see :func:`changed_keys`; ``name`` excluded)
    is not empty."""
    rest = {k: v for k, v in (overrides or {}).items() if k != "name"}
    return Path(parent) / (f"{name}-{config_digest(rest)}" if rest else name)


def _comparable(
    old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[str, Mapping[str, Any], dict[str, Any]]:
    """(key prefix, part of ``new``, flat ``old``) that an old ``config.json`` describes: all of
    it, or the one section an old UGS file held (``asdict(UGSConfig)``: flat, no key in common
    with the run's); renamed keys (:func:`gcn_tickets.validation.rename_key`) under their new name."""
    if not set(old) & set(new):
        for name, v in new.items():
            if not isinstance(v, Mapping):
                continue
            flat = renamed({f"{name}.{k}": x for k, x in _flatten(old).items()})
            if {k.split(".")[1] for k in flat} <= set(v):
                return f"{name}.", v, {k[len(name) + 1 :]: x for k, x in flat.items()}
    return "", new, renamed(_flatten(old))


def config_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(dotted key, old value, new value)`` for each value that differs. Keys missing from the
    old file are taken as unchanged (a field added later with its default); numbers compare
    by value, lists and tuples alike."""
    prefix, part, o = _comparable(old, new)
    n = _flatten(part)
    return [
        (prefix + k, o[k], n.get(k, "<absent>"))
        for k in sorted(o)
        if k not in n or _canon(o[k]) != _canon(n[k])
    ]


@dataclass(frozen=True)
class Run:
    """A claimed run folder: ``resuming`` when it held a run of the same config."""

    path: Path
    resuming: bool
    config: Mapping[str, Any]


def _proc_start(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a recycled pid from the holder."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(holder: Mapping[str, Any]) -> bool:
    if holder.get("host") != socket.gethostname():
        return True  # cannot tell: assume it runs
    pid = int(holder.get("pid", -1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    except (OverflowError, ValueError):
        return False
    start = holder.get("proc_start")
    return start is None or _proc_start(pid) in (None, start)


def _describe(holder: Mapping[str, Any]) -> str:
    return f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f" ({holder['command']})" if holder.get("command") else ""
    )


def _try_lock(lock: Path, me: dict[str, Any]) -> bool:
    """Create ``lock`` holding ``me`` (all or nothing: a full temp file hard-linked in place)."""
    tmp = lock.with_name(f"{lock.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(me))
    try:
        os.link(tmp, lock)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(path: Path, log: Callable[[str], None]) -> Iterator[None]:
    lock = path / LOCK_FILE
    me = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv)[:300],
        "proc_start": _proc_start(os.getpid()),
    }
    try:
        got = _try_lock(lock, me)
        if not got:
            try:
                holder = json.loads(lock.read_text())
            except (OSError, ValueError):
                holder = {}
            if holder and _alive(holder):
                raise RunLockedError(
                    f"run folder {path} is in use by {_describe(holder)}: wait for it to finish or stop "
                    f"it (if it is gone, delete {lock})"
                )
            log(f"note: taking over the lock of {path} left by {_describe(holder) or 'an unknown process'}")
            lock.unlink(missing_ok=True)
            got = _try_lock(lock, me)
            if not got:
                raise RunLockedError(f"run folder {path} was locked by another process just now: retry")
    except PermissionError:
        raise OutputError(f"cannot write run folder {path}: permission denied") from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            if json.loads(lock.read_text()).get("pid") == os.getpid():
                lock.unlink()


def _refusal(path: Path, changes: list[tuple[str, Any, Any]]) -> RunConflictError:
    lines = "\n".join(f"  {k}: {o!r} -> {n!r}" for k, o, n in changes)
    return RunConflictError(
        f"run folder {path} holds a run of another config ({path / CONFIG_FILE} differs):\n{lines}\n"
        f"Its results are not reused. Start this config under another name (name=... or --out DIR), "
        f"or delete {path} to start it afresh."
    )


@contextlib.contextmanager
def claim_run(
    path: str | os.PathLike, config: Mapping[str, Any], *, log: Callable[[str], None] = print
) -> Iterator[Run]:
    """Lock the run folder ``path`` and check it against ``config`` (a JSON-safe dict).

    A new folder gets ``config.json``; a folder whose ``config.json`` equals ``config``
    resumes (``Run.resuming``; the file is rewritten in the current layout); another config
    raises :class:`RunConflictError` listing the differing keys; a folder with files but no
    ``config.json`` is refused. The lock is held until the ``with`` block ends, however it ends.
    """
    path = Path(path)
    ensure_dir(path)
    with _locked(path, log):
        cfile = path / CONFIG_FILE
        if cfile.exists():
            try:
                old = json.loads(cfile.read_text())
            except ValueError:
                raise RunConflictError(
                    f"{cfile} is not valid JSON: delete {path} or choose another name"
                ) from None
            changes = config_changes(old, config)
            if changes:
                raise _refusal(path, changes)
            resuming = True
        elif any(p.name != LOCK_FILE for p in path.iterdir()):
            raise RunConflictError(
                f"{path} holds files but no {CONFIG_FILE}, so its config is unknown: delete it or "
                "choose another name (name=... or --out DIR)"
            )
        else:
            resuming = False
        atomic_write_text(cfile, json.dumps(dict(config), indent=2))
        yield Run(path, resuming, config)
