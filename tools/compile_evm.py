"""Compile the contracts for another EVM version than the default (`cancun`, ape-config.yaml).

A chain that predates Shanghai refuses `PUSH0` (solc emits it for shanghai and later), and one
that predates Cancun has no `MCOPY` or transient storage. `make compile EVM_VERSION=paris` runs
this after `ape compile`: the same sources, compiler (npm's solc-js behind
tools/solc-wrapper.js, warnings are errors), optimizer (200 runs) and remappings, for the given
EVM version, into `.build/evm-<version>/__local__.json` in the shape of ape's manifest (the node
reads `contractTypes`: ABI, deployment and runtime bytecode). The node takes that manifest when
`COOP_EVM_VERSION` names the version (`node.core.config.Settings.artifacts_path`).

Before cancun, the contracts' transient reentrancy flags become ordinary storage and
OpenZeppelin's `Bytes.slice` copies word by word instead of with MCOPY (see `sources`). solc
itself never emits an opcode the target lacks (PUSH0 from shanghai on; MCOPY, TLOAD, TSTORE
from cancun) and refuses one in inline assembly; this checks every contract's runtime code
against EIP-170's 24,576 bytes (solc-wrapper also turns solc's size warning into an error).

    python tools/compile_evm.py paris [--only contracts/Membership.sol ...] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOLC = ROOT / ".solcx" / "solc-v0.8.28"
#: The versions solc 0.8.28 knows from the Merge on, oldest first.
VERSIONS = ("paris", "shanghai", "cancun", "prague")
#: EIP-170.
MAX_RUNTIME = 24_576


class CompileError(RuntimeError):
    """solc refused the sources, or a contract does not fit the target."""


def manifest_path(evm_version: str) -> Path:
    return ROOT / ".build" / f"evm-{evm_version}" / "__local__.json"


MCOPY_SLICE = "mcopy(add(result, 0x20), add(add(buffer, 0x20), start), sub(end, start))"
WORD_COPY_SLICE = """let dst := add(result, 0x20)
            let src := add(add(buffer, 0x20), start)
            let len := sub(end, start)
            for { let i := 0 } lt(i, len) { i := add(i, 0x20) } {
                mstore(add(dst, i), mload(add(src, i)))
            }
            mstore(add(dst, len), 0)"""
#: A transient state variable (EIP-1153) as the contracts declare their reentrancy flags.
TRANSIENT = re.compile(r"^(\s*bool\s+private\s+)transient\s+(_\w+;)", re.MULTILINE)


def sources(
    only: list[str] | None = None, evm_version: str = "cancun"
) -> dict[str, dict[str, str]]:
    """The contracts' sources; before cancun a `bool private transient _flag;` (the pull guards
    of Treasury and MutualAidFund) becomes ordinary storage: set and cleared within one call
    either way, it only costs more gas (~2,900 net of the refund instead of 200)."""
    files = [Path(p) for p in only] if only else sorted((ROOT / "contracts").rglob("*.sol"))
    pre_cancun = VERSIONS.index(evm_version) < VERSIONS.index("cancun")
    out: dict[str, dict[str, str]] = {}
    for f in files:
        path = f if f.is_absolute() else ROOT / f
        rel = path.resolve().relative_to(ROOT).as_posix()
        if rel.startswith("contracts/.cache/"):
            continue
        text = path.read_text()
        if pre_cancun:
            text = TRANSIENT.sub(r"\1\2", text)
        out[rel] = {"content": text}
    if pre_cancun:
        # OpenZeppelin 5.4's Bytes.slice (imported through SignatureChecker) copies with MCOPY:
        # the same copy word by word, its tail cleared as `new bytes` left it.
        rel = "node_modules/@openzeppelin/contracts/utils/Bytes.sol"
        text = (ROOT / rel).read_text()
        if MCOPY_SLICE not in text:
            raise CompileError(f"{rel}: the MCOPY of slice() changed; update tools/compile_evm.py")
        out[rel] = {"content": text.replace(MCOPY_SLICE, WORD_COPY_SLICE)}
    return out


def check(name: str, runtime: bytes) -> list[str]:
    if len(runtime) > MAX_RUNTIME:
        return [f"{name}: runtime {len(runtime):,} B over EIP-170's {MAX_RUNTIME:,} B"]
    return []


def compile_for(
    evm_version: str,
    only: list[str] | None = None,
    out: Path | None = None,
    runs: int = 200,
) -> dict[str, Any]:
    """Compile, check and write the manifest; return {name: {runtime, deployment}} sizes."""
    if evm_version not in VERSIONS:
        raise CompileError(f"EVM version {evm_version!r}: one of {', '.join(VERSIONS)}")
    request = {
        "language": "Solidity",
        "sources": sources(only, evm_version),
        "settings": {
            "optimizer": {"enabled": True, "runs": runs},
            "evmVersion": evm_version,
            "remappings": ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"],
            "outputSelection": {
                "*": {
                    "*": [
                        "abi",
                        "evm.bytecode.object",
                        "evm.deployedBytecode.object",
                        "userdoc",
                        "devdoc",
                    ]
                }
            },
        },
    }
    proc = subprocess.run(
        [str(SOLC), "--standard-json", "--base-path", str(ROOT), "--allow-paths", str(ROOT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    try:
        answer = json.loads(proc.stdout)
    except ValueError as exc:
        raise CompileError(f"solc answered no JSON: {proc.stderr[-2000:]}") from exc
    errors = [e for e in answer.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("\n".join(e.get("formattedMessage", e["message"]) for e in errors))
    types: dict[str, Any] = {}
    sizes: dict[str, Any] = {}
    problems: list[str] = []
    for source_id, contracts in answer["contracts"].items():
        if not source_id.startswith("contracts/"):
            continue  # OpenZeppelin's: compiled as dependencies, not deployed by name
        for name, c in contracts.items():
            deploy = bytes.fromhex(c["evm"]["bytecode"]["object"])
            runtime = bytes.fromhex(c["evm"]["deployedBytecode"]["object"])
            if not deploy:
                continue  # interfaces, libraries without code
            problems += check(name, runtime)
            sizes[name] = {"runtime": len(runtime), "deployment": len(deploy)}
            types[name] = {
                "contractName": name,
                "sourceId": source_id,
                "abi": c["abi"],
                "deploymentBytecode": {"bytecode": "0x" + deploy.hex()},
                "runtimeBytecode": {"bytecode": "0x" + runtime.hex()},
                "userdoc": c.get("userdoc") or {},
                "devdoc": c.get("devdoc") or {},
            }
    if problems:
        raise CompileError("\n".join(sorted(problems)))
    target = out or manifest_path(evm_version)
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "manifest": "ethpm/3",
        "compilers": [
            {
                "name": "solidity",
                "version": "0.8.28",
                "settings": {"evmVersion": evm_version, "optimizer": {"runs": runs}},
            }
        ],
        "contractTypes": types,
        "sources": {},
    }
    target.write_text(json.dumps(manifest))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("evm_version", choices=VERSIONS)
    parser.add_argument("--only", nargs="*", help="source files (default: every contract)")
    parser.add_argument("--out", type=Path, help="manifest path (default .build/evm-<v>/...)")
    parser.add_argument("--sizes", action="store_true", help="print every contract's size")
    parser.add_argument("--runs", type=int, default=200, help="optimizer runs (default 200)")
    args = parser.parse_args()
    started = time.perf_counter()
    try:
        sizes = compile_for(args.evm_version, args.only, args.out, args.runs)
    except CompileError as exc:
        sys.exit(f"compile for {args.evm_version}: {exc}")
    largest = max(sizes.items(), key=lambda kv: kv[1]["runtime"])
    print(
        f"{len(sizes)} contracts for {args.evm_version} in {time.perf_counter() - started:.0f} s "
        f"-> {args.out or manifest_path(args.evm_version)}; largest {largest[0]} "
        f"{largest[1]['runtime']:,} B of {MAX_RUNTIME:,}"
    )
    if args.sizes:
        for name, s in sorted(sizes.items(), key=lambda kv: -kv[1]["runtime"]):
            print(f"  {name}: {s['runtime']:,} B")


if __name__ == "__main__":
    main()
