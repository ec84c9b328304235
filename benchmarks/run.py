"""Run every benchmark under benchmarks/ and write benchmarks/results/latest.json.

A benchmark module is `benchmarks/bench_*.py` with a `run()` returning a list of
entries `{name, ours_s, anchor, anchor_s, ratio, target}`: our time, the named
anchor measured in the same run, ours/anchor, and the target it must meet.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def best_of(fn, repeat: int = 5) -> float:
    """The fastest of `repeat` runs, in seconds (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def entry(name: str, ours_s: float, anchor: str, anchor_s: float, target: str, **extra) -> dict:
    return {
        "name": name,
        "ours_s": round(ours_s, 4),
        "anchor": anchor,
        "anchor_s": round(anchor_s, 4),
        "ratio": round(ours_s / anchor_s, 3) if anchor_s else None,
        "target": target,
        **extra,
    }


def main(argv: list[str]) -> int:
    only = set(argv)
    results = []
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not hasattr(module, "run"):
            continue  # bench_load: its own target (make bench-load), not part of `make bench`
        print(f"== {path.stem}", flush=True)
        for item in module.run():
            print(json.dumps(item, ensure_ascii=False), flush=True)
            results.append(item)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    machine = f"python {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}"
    for item in results:
        item.setdefault("machine", machine)
    if only and out.exists():
        # A partial run (named modules) keeps the other modules' entries.
        fresh = {r["name"] for r in results}
        kept = [r for r in json.loads(out.read_text(encoding="utf-8")) if r["name"] not in fresh]
        results = kept + results
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    failed = [r["name"] for r in results if r.get("met") is False]
    if failed:
        print("targets missed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
