"""Run every benchmark in this folder and gather their sections into RESULTS.md (`make bench`).

Each `bench_<area>.py` writes its own `<area>_results.md` section (a table plus the command that
produced it); RESULTS.md is those sections in a fixed order under one header, so the figures a
reader sees are always the ones the scripts last wrote. `--assemble-only` skips the runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Section files in reading order; any other *_results.md follows alphabetically.
ORDER = [
    "gas_core_results.md",
    "gas_governance_results.md",
    "gas_units_results.md",
    "gas_fund_results.md",
    "clearing_results.md",
    "indexer_results.md",
    "gateway_results.md",
]

HEADER = """# Benchmark results

Every figure below was produced by the script named in its section, on this project's
development machine (2 cores, 24 GiB, anvil 1.7.1, solc 0.8.28 with the optimizer at 200 runs,
EVM cancun). `make bench` reruns them all and rewrites this file; a single area reruns with
`python benchmarks/bench_<area>.py` followed by `python benchmarks/run_all.py --assemble-only`.
Gas figures are receipts' `gasUsed`; `benchmarks/gas-snapshot.json` guards the core contracts'
figures in the test suite (a rise over 5% fails).

"""


def assemble() -> None:
    sections = [HERE / name for name in ORDER if (HERE / name).exists()]
    sections += sorted(p for p in HERE.glob("*_results.md") if p.name not in ORDER)
    parts = [HEADER]
    for path in sections:
        text = path.read_text().strip()
        # Demote the section's headings one level (its top heading at least to "##") so
        # RESULTS.md has one title; code blocks are left alone.
        lines, in_code = [], False
        first = text.lstrip().startswith("# ")
        for line in text.splitlines():
            if line.startswith("```"):
                in_code = not in_code
            elif not in_code and line.startswith("#") and first:
                line = "#" + line
            lines.append(line)
        parts.append("\n".join(lines) + "\n\n")
    (HERE / "RESULTS.md").write_text("".join(parts).rstrip() + "\n")


def main(argv: list[str]) -> int:
    failed = []
    if "--assemble-only" not in argv:
        for script in sorted(HERE.glob("bench_*.py")):
            print(f"== {script.name}", flush=True)
            if subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0:
                failed.append(script.name)
    assemble()
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
