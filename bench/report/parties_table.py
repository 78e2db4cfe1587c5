#!/usr/bin/env python3
"""Cost per batch against the number of parties, from `sqt bench train --json`
files: a markdown table on stdout and, with --plot PNG, seconds, MB and
rounds per batch against N (gnuplot, log scale)."""
import argparse
import json
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--plot", help="PNG file to write")
    args = ap.parse_args()
    rows = {}  # (model, parties) -> {metric: value, commit}
    for path in args.files:
        with open(path) as f:
            for no, line in enumerate(f, 1):
                try:
                    r = json.loads(line)
                except json.JSONDecodeError as e:
                    sys.exit(f"{path}:{no}: not a JSON line ({e})")
                name = r.get("name", "")
                if r.get("suite") != "train" or "/layer/" in name or "/conv/" in name:
                    continue
                model, _, rest = name.partition("/")
                if not rest.endswith("_per_batch") or rest.startswith("clear_"):
                    continue
                key = (model.removeprefix("net_"), int(r["parties"]))
                row = rows.setdefault(key, {"commit": r.get("git_commit", ""), "protocol": rest.split("_")[0]})
                row[r["metric"]] = r["value"]
    print("| network | parties | seconds per batch | MB sent by party 0 per batch | rounds per batch | protocol | commit |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for (model, n), r in sorted(rows.items()):
        print(f"| {model} | {n} | {r.get('seconds', float('nan')):.3g} | {r.get('bytes', float('nan')) / 1e6:.1f} | "
              f"{r.get('rounds', float('nan')):.0f} | {r['protocol']} | {r['commit']} |")
    if args.plot:
        models = sorted({m for m, _ in rows})
        with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as dat:
            for m in models:
                dat.write(f"# {m}\n")
                for (mm, n), r in sorted(rows.items()):
                    if mm == m:
                        dat.write(f"{n} {r.get('seconds', 'NaN')} {r.get('bytes', 0) / 1e6} {r.get('rounds', 'NaN')}\n")
                dat.write("\n\n")
        plots = []
        for col, what in ((2, "s"), (3, "MB"), (4, "rounds")):
            for i, m in enumerate(models):
                plots.append(f"'{dat.name}' index {i} using 1:{col} with linespoints title '{m} {what}'")
        script = (f"set terminal pngcairo size 800,500; set output '{args.plot}'; set logscale y; "
                  "set xlabel 'parties'; set ylabel 'per batch'; set key outside; set grid; "
                  "plot " + ", ".join(plots) + "\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


if __name__ == "__main__":
    main()
