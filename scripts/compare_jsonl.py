#!/usr/bin/env python3
"""Compares the numbers of two JSONL files record by record (same structure,
same strings), and fails if any differs by more than --atol. The GPU check uses
it to hold CUDA results to the CPU's, and one path of the engine to another."""
import argparse
import json
import math
import sys


def walk(a, b, path, worst, ignore=frozenset()):
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None:
        if a != b:
            raise ValueError(f"{path}: {a!r} != {b!r}")
        return
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError(f"{path}: non-finite {a!r} / {b!r}")
        d = abs(a - b)
        if d > worst[0]:
            worst[0], worst[1] = d, path
        return
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            raise ValueError(f"{path}: {len(a)} items != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", worst, ignore)
        return
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            raise ValueError(f"{path}: keys {sorted(a)} != {sorted(b)}")
        for k in a:
            if k not in ignore:
                walk(a[k], b[k], f"{path}.{k}", worst, ignore)
        return
    raise ValueError(f"{path}: {type(a).__name__} vs {type(b).__name__}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--atol", type=float, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--ignore", action="append", default=[], help="a key whose values may differ (timings)")
    args = ap.parse_args()
    with open(args.a) as fa, open(args.b) as fb:
        la, lb = fa.read().splitlines(), fb.read().splitlines()
    if len(la) != len(lb) or not la:
        sys.exit(f"FAIL {args.label}: {len(la)} records vs {len(lb)}")
    worst = [0.0, ""]
    try:
        for n, (x, y) in enumerate(zip(la, lb), 1):
            walk(json.loads(x), json.loads(y), f"line {n}", worst, frozenset(args.ignore))
    except ValueError as e:
        sys.exit(f"FAIL {args.label}: {e}")
    verdict = "PASS" if worst[0] <= args.atol else "FAIL"
    print(f"{verdict} {args.label}: {len(la)} records, largest difference {worst[0]:.3g} at {worst[1] or '-'} (atol {args.atol:g})")
    sys.exit(0 if verdict == "PASS" else 1)


if __name__ == "__main__":
    main()
