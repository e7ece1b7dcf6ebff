#!/usr/bin/env python3
"""Ferry beside onnxruntime on the same models, threads and machine, in one run.

  python benchmarks/bench_vs_ort.py --ferry .build/release/ferry build/bench/mobilenet_v2.onnx
  python benchmarks/bench_vs_ort.py --ferry '' model.onnx        # onnxruntime only

For each model and thread count (default 1 and 2), alternately:
  * onnxruntime, in a fresh subprocess of this script (`--ort-worker`): session creation time
    (the first in the process, `first_load_ms`, like Ferry's single load in a fresh process;
    and the median of 5, `load_ms`, once ORT's one-time start-up is paid), latency median and p90
    over --runs timed runs after --warmup runs, and the process's peak RSS (ru_maxrss) with
    its RSS before creating the session (Python + numpy + onnxruntime imported);
  * Ferry: `ferry bench MODEL --threads N --json --runs R --warmup W` (the same R and W as
    onnxruntime's), whose last stdout line is one JSON object
    with load_ms, median_ms, p90_ms and peak_rss_mb; the child's ru_maxrss and wall time are
    recorded too. A failing ferry is reported in the table, not raised.
Writes OUT/results.json and OUT/results.md and prints the Markdown table.
Ferry's targets: median latency at most 2× onnxruntime's on one thread; load at least as fast
as onnxruntime's session creation.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def max_rss_mb(ru_maxrss: int) -> float:
    # Linux reports kilobytes, macOS bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def ort_worker(model: str, threads: int, runs: int, warmup: int, seed: int) -> dict:
    """Runs inside a fresh process: everything onnxruntime costs, measured from inside."""
    import numpy as np
    import onnxruntime as ort

    rss_before = max_rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    def create():
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        start = time.perf_counter()
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        return session, (time.perf_counter() - start) * 1000

    creations = []
    session = None
    for _ in range(5):
        session, ms = create()
        creations.append(ms)
    rng = np.random.default_rng(seed)
    feeds = {}
    for tensor in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in tensor.shape]
        if "int" in tensor.type:
            feeds[tensor.name] = rng.integers(0, 10, size=shape).astype(np.int64)
        else:
            feeds[tensor.name] = rng.standard_normal(shape).astype(np.float32)
    for _ in range(warmup):
        session.run(None, feeds)
    latencies = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feeds)
        latencies.append((time.perf_counter() - start) * 1000)
    return {
        "load_ms": statistics.median(creations),
        "first_load_ms": creations[0],
        "median_ms": statistics.median(latencies),
        "p90_ms": percentile(latencies, 0.9),
        "min_ms": min(latencies),
        "peak_rss_mb": max_rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "rss_before_session_mb": rss_before,
        "runs": runs,
        "onnxruntime": ort.__version__,
    }


def run_ort(model: str, threads: int, runs: int, warmup: int, seed: int) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--ort-worker", "--threads", str(threads),
               "--runs", str(runs), "--warmup", str(warmup), "--seed", str(seed), model]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": f"onnxruntime worker exited {result.returncode}: {result.stderr.strip()[-300:]}"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_ferry(ferry: str, model: str, threads: int, extra: list[str], timeout: float,
              runs: int | None = None, warmup: int | None = None) -> dict:
    """`ferry bench MODEL --threads N --json`; its JSON plus the child's own rusage and wall time."""
    command = [ferry, "bench", model, "--threads", str(threads), "--json", *extra]
    if runs is not None:
        command += ["--runs", str(runs), "--warmup", str(warmup)]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            child = subprocess.Popen(command, stdout=out, stderr=err)
        except OSError as error:
            return {"error": f"cannot start {ferry}: {error}"}
        deadline = start + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                return {"error": f"timed out after {timeout:.0f} s"}
            time.sleep(0.01)
        child.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        wall_ms = (time.perf_counter() - start) * 1000
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        message = (stderr.strip() or stdout.strip() or "no output").splitlines()[-1]
        return {"error": f"exit {code}: {message[:300]}", "wall_ms": wall_ms}
    report = None
    for line in reversed(stdout.strip().splitlines()):
        try:
            report = json.loads(line)
            break
        except json.JSONDecodeError:
            continue
    if not isinstance(report, dict):
        return {"error": f"no JSON object on stdout: {stdout.strip()[-200:]!r}", "wall_ms": wall_ms}
    missing = [k for k in ("load_ms", "median_ms", "p90_ms", "peak_rss_mb") if k not in report]
    if missing:
        report["error"] = f"JSON lacks {', '.join(missing)}"
    report["process_peak_rss_mb"] = max_rss_mb(usage.ru_maxrss)
    report["wall_ms"] = wall_ms
    return report


def verify_ferry(ferry: str, model: str, threads: int, seed: int) -> dict:
    """`ferry run` on one seeded input against onnxruntime, in a worker process.

    Like the onnxruntime measurements it runs in its own process: on Linux a child's ru_maxrss
    starts at its parent's high-water mark (fork and exec keep it), so this process must never
    load numpy, onnxruntime or a model, or every later ferry's peak RSS would read as ours.
    """
    command = [sys.executable, os.path.abspath(__file__), "--verify-worker", "--ferry", ferry,
               "--threads", str(threads), "--seed", str(seed), model]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return {"ok": False, "error": f"verify worker exited {result.returncode}: {result.stderr.strip()[-200:]}"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def verify_worker(ferry: str, model: str, threads: int, seed: int) -> dict:
    """`ferry run` on one seeded input against onnxruntime: the speed rows mean little if the
    full-size model (bigger tiles than any fixture) computes something else."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed + 1)
    feeds = {}
    for tensor in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in tensor.shape]
        feeds[tensor.name] = (rng.integers(0, 10, size=shape).astype(np.int64) if "int" in tensor.type
                              else rng.standard_normal(shape).astype(np.float32))
    expected = session.run(None, feeds)
    with tempfile.TemporaryDirectory() as tmp:
        command = [ferry, "run", model, "--output-dir", os.path.join(tmp, "out"), "--threads", str(threads)]
        for k, (name, array) in enumerate(feeds.items()):
            path = os.path.join(tmp, f"input_{k}.npy")
            np.save(path, array)
            command += ["--input", f"{name}={path}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            message = (result.stderr.strip() or result.stdout.strip() or "no output").splitlines()[-1]
            return {"ok": False, "error": f"ferry run exit {result.returncode}: {message[:200]}"}
        worst = 0.0
        for k, reference in enumerate(expected):
            got = np.load(os.path.join(tmp, "out", f"output_{k}.npy"))
            if got.shape != reference.shape:
                return {"ok": False, "error": f"output {k} shape {got.shape}, onnxruntime {reference.shape}"}
            reference = reference.astype(np.float64)
            scale = max(float(reference.max() - reference.min()), 1e-3 * float(np.abs(reference).max()), 1e-6)
            worst = max(worst, float(np.abs(got.astype(np.float64) - reference).max()) / scale)
    return {"ok": worst <= 1e-4, "max_error_of_range": worst}


def fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def ratio(a, b) -> str:
    return "—" if a is None or b in (None, 0) else f"{a / b:.2f}×"


def verification_note(verify) -> str:
    if not verify:
        return ""
    if "error" in verify:
        return f"; output check failed: {verify['error']}"
    verdict = "output matches ORT" if verify["ok"] else "OUTPUT DIFFERS from ORT"
    return f"; {verdict} ({verify['max_error_of_range']:.1e} of range)"


def markdown(results: list[dict], meta: dict) -> str:
    lines = [
        f"Machine: {meta['machine']}, {meta['cpus']} CPUs; onnxruntime {meta.get('onnxruntime', '?')}; "
        f"{meta['runs']} timed runs after {meta['warmup']} warm-up runs. Peak RSS floor from the "
        f"launching process: {meta.get('orchestrator_peak_rss_mb', 0):.0f} MB.",
        "",
        "| model | threads | runtime | load ms | median ms | p90 ms | peak RSS MB | latency vs ORT | load vs ORT cold / warm | note |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in results:
        model, threads, ort, ferry = row["model"], row["threads"], row["onnxruntime"], row.get("ferry")
        if "error" in ort:
            lines.append(f"| {model} | {threads} | onnxruntime | | | | | | | {ort['error']} |")
        else:
            note = (f"load = first session in a fresh process; later ones {ort['load_ms']:.1f} ms (median); "
                    f"RSS before session {ort['rss_before_session_mb']:.0f} MB")
            lines.append(f"| {model} | {threads} | onnxruntime | {fmt(ort['first_load_ms'])} | {fmt(ort['median_ms'], 2)} "
                         f"| {fmt(ort['p90_ms'], 2)} | {fmt(ort['peak_rss_mb'], 0)} | | | {note} |")
        if ferry is None:
            continue
        if "error" in ferry and "median_ms" not in ferry:
            lines.append(f"| {model} | {threads} | ferry | | | | | | | error: {ferry['error']} |")
            continue
        ok = "error" not in ort
        lines.append(
            f"| {model} | {threads} | ferry | {fmt(ferry.get('load_ms'))} | {fmt(ferry.get('median_ms'), 2)} "
            f"| {fmt(ferry.get('p90_ms'), 2)} | {fmt(ferry.get('peak_rss_mb'), 0)} "
            f"| {ratio(ferry.get('median_ms'), ort.get('median_ms')) if ok else '—'} "
            f"| {ratio(ferry.get('load_ms'), ort.get('first_load_ms')) + ' / ' + ratio(ferry.get('load_ms'), ort.get('load_ms')) if ok else '—'} "
            f"| process RSS {fmt(ferry.get('process_peak_rss_mb'), 0)} MB{'; ' + ferry['error'] if 'error' in ferry else ''}"
            f"{verification_note(row.get('verify'))} |")
    lines += ["", "Targets: ferry/ORT median latency ≤ 2.00× at 1 thread; ferry load ≤ ORT session creation (≤ 1.00×). "
              "Ferry loads once in a fresh process, so 'cold' (ORT's first session in its fresh process) is the like-for-like "
              "ratio; 'warm' compares with ORT's later sessions, after its one-time start-up."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", help="ONNX files")
    parser.add_argument("--ferry", default="", help="path of the ferry binary ('' to run onnxruntime only)")
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (worker: one count)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="build/bench", help="folder for results.json and results.md")
    parser.add_argument("--ferry-arg", action="append", default=[], help="extra argument for `ferry bench`")
    parser.add_argument("--ferry-timeout", type=float, default=600)
    parser.add_argument("--ferry-default-runs", action="store_true",
                        help="do not pass --runs/--warmup to ferry bench (for a ferry without them)")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the `ferry run` output check against onnxruntime")
    parser.add_argument("--ort-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.ort_worker:
        print(json.dumps(ort_worker(args.models[0], int(args.threads), args.runs, args.warmup, args.seed)))
        return 0
    if args.verify_worker:
        print(json.dumps(verify_worker(args.ferry, args.models[0], int(args.threads), args.seed)))
        return 0

    threads = [int(t) for t in args.threads.split(",")]
    meta = {"machine": f"{platform.machine()} {platform.system()} {platform.release()}", "cpus": os.cpu_count(),
            "runs": args.runs, "warmup": args.warmup, "python": platform.python_version(),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    results = []
    for model in args.models:
        name = os.path.splitext(os.path.basename(model))[0]
        if name == "model":  # fixtures/<name>/model.onnx
            name = os.path.basename(os.path.dirname(os.path.abspath(model)))
        for n in threads:
            print(f"{name}, {n} thread(s): onnxruntime ...", file=sys.stderr, flush=True)
            row = {"model": name, "path": model, "threads": n,
                   "onnxruntime": run_ort(model, n, args.runs, args.warmup, args.seed)}
            meta.setdefault("onnxruntime", row["onnxruntime"].get("onnxruntime"))
            if args.ferry:
                print(f"{name}, {n} thread(s): ferry ...", file=sys.stderr, flush=True)
                row["ferry"] = run_ferry(args.ferry, model, n, args.ferry_arg, args.ferry_timeout,
                                         None if args.ferry_default_runs else args.runs,
                                         None if args.ferry_default_runs else args.warmup)
                if not args.no_verify and "error" not in row["ferry"]:
                    try:
                        row["verify"] = verify_ferry(args.ferry, model, n, args.seed)
                    except Exception as error:  # a broken `ferry run` must not hide the timings
                        row["verify"] = {"ok": False, "error": str(error)[:200]}
            results.append(row)
    # Every child's ru_maxrss is at least this (see verify_ferry); it should stay small.
    meta["orchestrator_peak_rss_mb"] = max_rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    table = markdown(results, meta)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
        f.write("\n")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
