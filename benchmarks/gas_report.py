"""The gas report every contract benchmark writes: a table of transactions, the runtime sizes
of the contracts concerned, and how the run went (wall, CPU, load), with the producing command."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def render_gas_report(
    title: str,
    intro: str,
    rows: Iterable[tuple[str, int, str]],
    sizes: Mapping[str, int],
    wall: float,
    cpu: float,
    load: tuple[float, ...],
    script: str,
) -> str:
    """Markdown for `benchmarks/<name>_results.md` (`script`: the file that produced it)."""
    lines = [f"## {title}", "", intro, "", "| Transaction | Gas | Note |", "|---|---:|---|"]
    lines += [f"| {name} | {gas:,} | {note} |" for name, gas, note in rows]
    lines += [
        "",
        "Runtime sizes (EIP-170 limit 24,576 bytes):",
        "",
        "| Contract | Bytes |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {size:,} |" for name, size in sizes.items()]
    lines += [
        "",
        f"Run: wall {wall:.1f} s, CPU {cpu:.1f} s (this process; anvil apart), load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} at the end (shared 2-core machine).",
        "",
        f"Produced by `python benchmarks/{script}`.",
        "",
    ]
    return "\n".join(lines)
