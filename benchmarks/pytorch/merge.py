#!/usr/bin/env python3
"""Merges `jdnn bench --json` output with bench_torch.py's into one side-by-side report.

Reads any number of JSON files of both kinds (told apart by their "tool" field), pairs the rows by
(suite, name, problem string, parameters, pass), and writes a Markdown report (stdout, or --md
FILE) and optionally a CSV (--csv FILE):

- where the numbers come from: for each input file the device, versions, settings and command,
  with a warning when the files name different devices or hosts, or differ in TF32;
- the geometric mean of the ratio per suite and pass, and per suite over all passes;
- one table per suite: problem, pass, jdnn's fastest timed algorithm and its median ms and spread,
  PyTorch's fastest implementation and its median ms and spread, and the ratio PyTorch ms / jdnn ms
  (above 1: jdnn is faster); on a GPU also the cuDNN/cuBLAS median jdnn's own vendor baseline
  measured for the pass;
- every PyTorch implementation where there is more than one (the optimizers' for-loop, foreach and
  fused steps);
- the rows only one side has.

jdnn's fastest algorithm is taken over the timed rows (PASSED, and VERIFY_SKIPPED marked
"unverified"); an untimed pass (NOT_SUPPORTED, INCORRECT, ERROR) shows its status and has no ratio.

Usage:

    python3 benchmarks/pytorch/merge.py /tmp/jdnn.json /tmp/torch.json
    python3 benchmarks/pytorch/merge.py gpu-out/bench-*.json gpu-out/torch-*.json --md merged.md --csv merged.csv

Needs only the Python standard library.
"""

import argparse
import csv
import json
import math
import sys
from pathlib import Path

JDNN_TOOL = "jdnn bench"
TORCH_TOOL = "bench_torch.py"


def key(row):
    return (row.get("suite", ""), row.get("name", ""), row["problem"], int(row.get("parameters") or 0), row["pass"])


def timed(row):
    return row.get("ms_median") is not None


def spread(row):
    m = row.get("ms_median")
    return (row["ms_p90"] - row["ms_p10"]) / m * 100 if m else None


def ms_text(ms):
    if ms is None:
        return "-"
    if ms < 0.1:
        return f"{ms:.5f}"
    if ms < 10:
        return f"{ms:.4f}"
    if ms < 1000:
        return f"{ms:.2f}"
    return f"{ms:.0f}"


def pct_text(v):
    return "-" if v is None else f"{v:.1f}"


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


class Pair:
    """One (problem, pass): jdnn's rows and PyTorch's records for it."""

    def __init__(self, k):
        self.key = k
        self.jdnn = []
        self.torch = []

    @property
    def suite(self):
        return self.key[0]

    def best_jdnn(self):
        rows = [r for r in self.jdnn if timed(r)]
        return min(rows, key=lambda r: r["ms_median"]) if rows else None

    def best_torch(self):
        rows = [r for r in self.torch if r.get("status") == "TIMED" and timed(r)]
        return min(rows, key=lambda r: r["ms_median"]) if rows else None

    def ratio(self):
        j, t = self.best_jdnn(), self.best_torch()
        return t["ms_median"] / j["ms_median"] if j and t and j["ms_median"] > 0 else None

    def vendor(self):
        """jdnn's cuDNN/cuBLAS baseline for the pass (the same on every row of it), or None."""
        for r in self.jdnn:
            v = r.get("vendor") or {}
            if v.get("ms_median") is not None:
                return v
        return None

    def jdnn_algorithm(self):
        best = self.best_jdnn()
        if best is None:
            statuses = sorted({r["status"] for r in self.jdnn})
            return "/".join(statuses) if statuses else "-"
        return best["algorithm"] + ("" if best["status"] == "PASSED" else " (unverified)")

    def torch_impl(self):
        best = self.best_torch()
        if best is None:
            statuses = sorted({r["status"] for r in self.torch})
            return "/".join(statuses) if statuses else "-"
        return best["impl"]


def load(paths):
    """The files by kind, and the pairs in the order the files list them."""
    jdnn_files, torch_files = [], []
    pairs = {}
    for p in paths:
        doc = json.loads(Path(p).read_text())
        tool = doc.get("tool")
        if tool == JDNN_TOOL:
            jdnn_files.append((p, doc))
            side = "jdnn"
        elif tool == TORCH_TOOL:
            torch_files.append((p, doc))
            side = "torch"
        else:
            raise SystemExit(f"merge.py: {p}: expected the JSON of jdnn bench --json or bench_torch.py --json, "
                             f"got tool={tool!r}")
        for row in doc["results"]:
            k = key(row)
            pairs.setdefault(k, Pair(k))
            getattr(pairs[k], side).append(row)
    if not jdnn_files or not torch_files:
        raise SystemExit("merge.py: give at least one file of each: jdnn bench --json and bench_torch.py --json")
    return jdnn_files, torch_files, list(pairs.values())


def sources(jdnn_files, torch_files):
    """The lines that say where the numbers come from, and the warnings."""
    out, warnings = [], []
    for p, d in jdnn_files:
        dev, s = d["device"], d["settings"]
        out.append(f"- jdnn `{p}`: {dev['spec']} ({dev['name']}; {dev['details']}), {d['date']}, {d['java']}; "
                   f"TF32 {'allowed' if s.get('tf32') else 'off'}; inputs rotated over >= "
                   f"{s['rotation_bytes_min'] / 2**20:.0f} MiB; `{d['command']}`")
    for p, d in torch_files:
        dev, s = d["device"], d["settings"]
        versions = f"PyTorch {d['torch']}" + (f", CUDA {d['cuda']}, cuDNN {d['cudnn']}" if d.get("cuda") else "")
        out.append(f"- PyTorch `{p}`: {dev['spec']} ({dev['name']}; {dev['details']}) on host {d['host']}, "
                   f"{d['date']}, {versions}; {s['algorithms']}; TF32 {'allowed' if s.get('tf32') else 'off'}; "
                   f"inputs rotated over >= {s['rotation_bytes_min'] / 2**20:.0f} MiB; `{d['command']}`")
    names = {d["device"]["name"] for _, d in jdnn_files + torch_files}
    if len(names) > 1:
        warnings.append("the files name different devices: " + ", ".join(sorted(names))
                        + " (the same GPU can read differently in CUDA and JCuda; compare the details)")
    hosts = {d["host"] for _, d in torch_files}
    if len(hosts) > 1:
        warnings.append("the PyTorch files come from different hosts: " + ", ".join(sorted(hosts)))
    tf32 = {bool(d["settings"].get("tf32")) for _, d in jdnn_files + torch_files}
    if len(tf32) > 1:
        warnings.append("TF32 is allowed in some files and not in others: those ratios compare different arithmetic")
    return out, warnings


def markdown(jdnn_files, torch_files, pairs, title):
    lines = [f"# {title}", ""]
    src, warnings = sources(jdnn_files, torch_files)
    lines += src + [""]
    for w in warnings:
        lines += [f"**Warning:** {w}.", ""]
    lines += ["Ratio = PyTorch ms / jdnn ms, medians per run: **above 1 jdnn is faster**. jdnn: its fastest timed "
              "algorithm of the pass (verified against the float64 reference unless marked unverified). PyTorch: "
              "its fastest implementation of the pass.", ""]

    suites = []
    for p in pairs:
        if p.suite not in suites:
            suites.append(p.suite)

    lines += ["## Geometric means", "", "| suite | pass | pairs | geomean PyTorch/jdnn | min | max |",
              "|---|---|---:|---:|---:|---:|"]
    for suite in suites:
        passes = []
        for p in pairs:
            if p.suite == suite and p.key[4] not in passes:
                passes.append(p.key[4])
        groups = [(ps, [p.ratio() for p in pairs if p.suite == suite and p.key[4] == ps]) for ps in passes]
        groups.append(("all", [p.ratio() for p in pairs if p.suite == suite]))
        for ps, ratios in groups:
            r = [x for x in ratios if x is not None]
            if ps == "all" and len(passes) < 2:
                continue
            label = suite or "(--problem)"
            if r:
                lines.append(f"| {label} | {ps} | {len(r)} | {geomean(r):.2f} | {min(r):.2f} | {max(r):.2f} |")
            else:
                lines.append(f"| {label} | {ps} | 0 | - | - | - |")
    lines.append("")

    with_vendor = any(p.vendor() for p in pairs)
    for suite in suites:
        rows = [p for p in pairs if p.suite == suite and p.jdnn and p.torch]
        if not rows:
            continue
        lines += [f"## {suite or '(--problem)'}", ""]
        head = "| name | problem | pass | jdnn algorithm | jdnn ms | ±% | PyTorch | PyTorch ms | ±% | PyTorch/jdnn |"
        rule = "|---|---|---|---|---:|---:|---|---:|---:|---:|"
        if with_vendor:
            head += " jdnn's cuDNN/cuBLAS ms |"
            rule += "---:|"
        lines += [head, rule]
        for p in rows:
            j, t, r = p.best_jdnn(), p.best_torch(), p.ratio()
            name, problem, params = p.key[1], p.key[2], p.key[3]
            cells = [name or "-", f"`{problem}`" + (f" x {params}" if params else ""), p.key[4], p.jdnn_algorithm(),
                     ms_text(j["ms_median"]) if j else "-", pct_text(spread(j)) if j else "-", p.torch_impl(),
                     ms_text(t["ms_median"]) if t else "-", pct_text(spread(t)) if t else "-",
                     f"**{r:.2f}**" if r is not None else "-"]
            if with_vendor:
                v = p.vendor()
                cells.append(ms_text(v["ms_median"]) + f" ({v['library']})" if v else "n/a")
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    multi = [p for p in pairs if p.jdnn and len(p.torch) > 1]
    if multi:
        lines += ["## Every PyTorch implementation", "",
                  "| name | pass | jdnn ms | PyTorch | status | PyTorch ms | PyTorch/jdnn | note |",
                  "|---|---|---:|---|---|---:|---:|---|"]
        for p in multi:
            j = p.best_jdnn()
            for t in p.torch:
                ok = t.get("status") == "TIMED"
                ratio = t["ms_median"] / j["ms_median"] if ok and j else None
                lines.append(f"| {p.key[1] or p.key[2]} | {p.key[4]} | {ms_text(j['ms_median']) if j else '-'} | "
                             f"{t['impl']} | {t['status']} | {ms_text(t['ms_median']) if ok else '-'} | "
                             f"{f'{ratio:.2f}' if ratio is not None else '-'} | {t.get('reason', '')} |")
        lines.append("")

    lonely = [p for p in pairs if not (p.jdnn and p.torch)]
    if lonely:
        lines += ["## In one output only", "", "| suite | name | problem | pass | only in |", "|---|---|---|---|---|"]
        for p in lonely:
            lines.append(f"| {p.suite or '-'} | {p.key[1] or '-'} | `{p.key[2]}` | {p.key[4]} | "
                         f"{'jdnn' if p.jdnn else 'PyTorch'} |")
        lines.append("")
    return "\n".join(lines)


CSV_COLUMNS = ["suite", "name", "problem", "parameters", "pass", "jdnn_algorithm", "jdnn_status", "jdnn_ms_median",
               "jdnn_ms_p10", "jdnn_ms_p90", "torch_impl", "torch_status", "torch_ms_median", "torch_ms_p10",
               "torch_ms_p90", "torch_over_jdnn", "vendor_library", "vendor_ms_median"]


def write_csv(path, pairs):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_COLUMNS)
        for p in pairs:
            j, t, v, r = p.best_jdnn(), p.best_torch(), p.vendor(), p.ratio()
            w.writerow([*p.key[:4], p.key[4], p.jdnn_algorithm(),
                        j["status"] if j else "/".join(sorted({x["status"] for x in p.jdnn})),
                        j["ms_median"] if j else "", j["ms_p10"] if j else "", j["ms_p90"] if j else "",
                        p.torch_impl(), t["status"] if t else "/".join(sorted({x["status"] for x in p.torch})),
                        t["ms_median"] if t else "", t["ms_p10"] if t else "", t["ms_p90"] if t else "",
                        r if r is not None else "", v["library"] if v else "", v["ms_median"] if v else ""])


def main(argv=None):
    ap = argparse.ArgumentParser(description="Merges jdnn bench --json and bench_torch.py --json output "
                                             "(see the module docstring).")
    ap.add_argument("files", nargs="+", metavar="FILE", help="JSON of jdnn bench --json or bench_torch.py --json")
    ap.add_argument("--md", metavar="FILE", help="write the Markdown report here (default: stdout)")
    ap.add_argument("--csv", metavar="FILE", help="also write one CSV row per problem and pass")
    ap.add_argument("--title", default="jdnn and PyTorch, side by side", help="the report's heading")
    args = ap.parse_args(argv)
    jdnn_files, torch_files, pairs = load(args.files)
    text = markdown(jdnn_files, torch_files, pairs, args.title)
    if args.md:
        Path(args.md).write_text(text + "\n")
        print(f"wrote {args.md}")
    else:
        print(text)
    if args.csv:
        write_csv(args.csv, pairs)
        print(f"wrote {args.csv}", file=sys.stderr if not args.md else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
