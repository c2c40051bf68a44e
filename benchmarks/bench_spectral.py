"""Benchmark of the spectral audit: CIFAR VGG-16 / ResNet-18 random masks, a 25088x4096 layer,
and the reference approach's graph construction (networkx, all m*n pairs).

Run:  python benchmarks/bench_spectral.py [--quick] [--repeats 3]
      python benchmarks/bench_spectral.py --report-only   # the doc's table from the JSON

Every case runs in a fresh subprocess (clean peak memory). Time: median of ``--repeats``
audits (masks built beforehand). Memory: peak RSS of the process during the audit
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``), the increase over the
RSS before the audit, and the tracemalloc peak of the audit (Python + numpy buffers).

Writes ``benchmarks/results/spectral.json`` and the table between the ``bench`` markers of
``docs/spectral.md``, plus ``docs/spectral_vgg16.png`` (per-layer metrics, VGG-16, 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "spectral.json"
DOC = ROOT / "docs" / "spectral.md"
PLOT = ROOT / "docs" / "spectral_vgg16.png"

# (name, [c_out, c_in, k, k]) ; CIFAR VGG-16: 13 3x3 convs then Linear 512 -> 10
_VGG = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]


def vgg16_shapes() -> list[tuple[str, tuple[int, ...]]]:
    shapes: list[tuple[str, tuple[int, ...]]] = []
    c_in = 3
    for i, c in enumerate(_VGG):
        shapes.append((f"features.{i}.weight", (c, c_in, 3, 3)))
        c_in = c
    shapes.append(("classifier.weight", (10, 512)))
    return shapes


def resnet18_shapes() -> list[tuple[str, tuple[int, ...]]]:
    """CIFAR ResNet-18: 3x3 stem, 4 stages of 2 basic blocks, 1x1 projection shortcuts."""
    shapes: list[tuple[str, tuple[int, ...]]] = [("conv1.weight", (64, 3, 3, 3))]
    c_in = 64
    for stage, c in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            pre = f"layer{stage}.{block}"
            shapes.append((f"{pre}.conv1.weight", (c, c_in, 3, 3)))
            shapes.append((f"{pre}.conv2.weight", (c, c, 3, 3)))
            if c_in != c:
                shapes.append((f"{pre}.shortcut.0.weight", (c, c_in, 1, 1)))
            c_in = c
    shapes.append(("fc.weight", (10, 512)))
    return shapes


MODELS = {"vgg16": vgg16_shapes, "resnet18": resnet18_shapes}


# ------------------------------------------------------------------ in the subprocess
def _rss_mb() -> tuple[float, float]:
    cur = hwm = float("nan")
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                cur = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return cur, hwm


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _masks(shapes, density: float, seed: int = 0):
    import torch

    g = torch.Generator().manual_seed(seed)
    return {name: torch.rand(shape, generator=g) < density for name, shape in shapes}


def _measure(fn, repeats: int) -> dict[str, Any]:
    import tracemalloc

    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    before, _ = _rss_mb()
    ok = _reset_peak()
    tracemalloc.start()
    fn()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _, hwm = _rss_mb()
    return {
        "seconds_median": statistics.median(times),
        "seconds_min": min(times),
        "seconds_all": times,
        "cpu_seconds_median": statistics.median(cpu),
        "rss_before_mb": before,
        "peak_rss_mb": hwm if ok else float("nan"),
        "peak_rss_increase_mb": (hwm - before) if ok else float("nan"),
        "tracemalloc_peak_mb": traced / 2**20,
        "_out": out,
    }


def case_model(model: str, density: float, repeats: int, plot: bool) -> dict[str, Any]:
    from gcn_tickets.masks.maskset import MaskSet
    from gcn_tickets.spectral import audit

    masks = MaskSet(_masks(MODELS[model](), density))  # validated once, as a loaded file
    res = _measure(lambda: audit(masks), repeats)
    out = res.pop("_out")
    s = out.summary["metrics"]
    res.update(
        layers=len(out.layers),
        mean_delta_r_norm=s["delta_r_norm"]["mean"],
        undefined_delta_r_norm=s["delta_r_norm"]["undefined"],
        mean_imdb=s["imdb"]["mean"],
        undefined_imdb=s["imdb"]["undefined"],
        mean_narc=s["narc"]["mean"],
        ramanujan_layers=out.summary["ramanujan_layers"],
    )
    if plot:
        out.plot(PLOT)
    return res


def case_big(density: float, repeats: int) -> dict[str, Any]:
    from gcn_tickets.spectral import audit_layer

    mask = _masks([("classifier.0.weight", (4096, 25088))], density)["classifier.0.weight"]
    res = _measure(lambda: audit_layer(mask), repeats)
    r = res.pop("_out")
    res["shape"] = list(r.shape)
    res.update({k: getattr(r, k) for k in ("edges", "lambda1", "mu_hat", "delta_r_norm", "imdb")})
    res.update(imdb_subgraphs=r.imdb_subgraphs, narc=r.narc)
    return res


def case_reference_nx(density: float) -> dict[str, Any]:
    """The reference's construction: a networkx Graph filled by a Python loop over all
    m*n (input, output) pairs, one weighted edge per kept weight (4608 x 512 layer)."""
    import networkx as nx
    import numpy as np

    from gcn_tickets.spectral import audit_layer, biadjacency

    mask = _masks([("w", (512, 512, 3, 3))], density)["w"]
    W = mask.reshape(512, -1).T.numpy().astype(np.float32)  # [m, n] = [4608, 512]
    m, n = W.shape

    def build() -> nx.Graph:
        G = nx.Graph()
        for i in range(m):
            G.add_node(i)
            for j in range(n):
                G.add_node(m + j)
                w = abs(float(W[i, j]))
                if w > 0:
                    G.add_edge(i, m + j, weight=w)
        return G

    ref = _measure(build, 1)
    G = ref.pop("_out")
    ours_build = _measure(lambda: biadjacency(mask), 3)
    ours_build.pop("_out")
    ours_audit = _measure(lambda: audit_layer(mask), 3)
    ours_audit.pop("_out")
    return {
        "shape": [m, n],
        "edges": G.number_of_edges(),
        "reference_build": ref,
        "ours_build": ours_build,
        "ours_full_layer_audit": ours_audit,
        "ratio_build": ref["seconds_median"] / ours_build["seconds_median"],
        "ratio_vs_full_audit": ref["seconds_median"] / ours_audit["seconds_median"],
    }


def _child(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "model":
        out = case_model(argv[1], float(argv[2]), int(argv[3]), argv[4] == "1")
    elif kind == "big":
        out = case_big(float(argv[1]), int(argv[2]))
    else:
        out = case_reference_nx(float(argv[1]))
    print("RESULT " + json.dumps(out))


# ------------------------------------------------------------------ driver
def _run(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"benchmark case {args} failed:\n{proc.stderr[-3000:]}")


def write_doc(results: dict[str, Any] | None = None) -> None:
    """Rewrite the table between the ``bench`` markers of docs/spectral.md
    (``gcn_tickets.reports.spectral``); ``results`` default: the JSON file."""
    from gcn_tickets.reports.spectral import spectral_table, splice

    results = json.loads(RESULTS.read_text()) if results is None else results
    if DOC.exists():
        DOC.write_text(splice(DOC.read_text(), spectral_table(results)))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the 25088x4096 layer and nx")
    ap.add_argument("--report-only", action="store_true", help="rewrite the doc's table from the JSON")
    args = ap.parse_args()
    if args.report_only:
        write_doc()
        return
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, BLAS threads pinned to 1",
        "models": {},
    }
    for model in MODELS:
        for density in (0.5, 0.1, 0.01):
            key = f"{model} @ {density}"
            plot = "1" if (model == "vgg16" and density == 0.1) else "0"
            results["models"][key] = _run(["model", model, str(density), str(args.repeats), plot])
            r = results["models"][key]
            print(
                f"{key}: {r['seconds_median']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB "
                f"(+{r['peak_rss_increase_mb']:.0f}), traced {r['tracemalloc_peak_mb']:.0f} MB",
                flush=True,
            )
    if not args.quick:
        results["big_layer"] = _run(["big", "0.05", "1"])
        print("big layer:", {k: results["big_layer"][k] for k in ("seconds_median", "peak_rss_mb")})
        results["reference_nx"] = _run(["nx", "0.5"])
        print("reference nx:", results["reference_nx"]["reference_build"]["seconds_median"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not args.quick:
        write_doc(results)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
