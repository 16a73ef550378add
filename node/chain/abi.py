"""The contracts' ABIs, published where wallets and tools look for them.

A wallet or `cast` that meets a revert like `SharesNonTransferable()` only sees its 4-byte
selector (`0x7a66667f`, which `cast` shows as the string "zff") unless it is told the ABI. This
module publishes, from the one build manifest (`node.chain.artifacts`):

- `<Contract>.json`: each deployable contract's ABI, a plain JSON array (what ethers, web3,
  `forge selectors cache --extra-abis-path` and block explorers take);
- `signatures.json`: every error, event and function selector of those contracts mapped to its
  signature, in the layout of Foundry's own signature cache
  (`{"errors": {"0x7a66667f": "SharesNonTransferable()"}, "events": {...}, "functions": {...}}`);
- `metadata/<Contract>.json`: name, source file, compiler and the NatSpec (`userdoc`,
  `devdoc`), which say in words what each error and event means.

`coop abi export [--out DIR]` writes them; the gateway serves the same ABIs
(`GET /contracts/{name}/abi`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils import keccak

from node.chain.artifacts import Artifacts, ContractArtifact, signature

#: Source folders whose contracts are never deployed on their own (interfaces carry their
#: errors and events into the contracts that implement them; test contracts are tests').
_NOT_PUBLISHED = ("contracts/interfaces/", "contracts/libraries/", "contracts/test/")

SIGNATURES_FILE = "signatures.json"
METADATA_DIR = "metadata"


def published(artifacts: Artifacts) -> list[ContractArtifact]:
    """The deployable contracts of the project, by name."""
    out = []
    for name in artifacts.names():
        artifact = artifacts.get(name)
        if artifact.abi and not artifact.source_id.startswith(_NOT_PUBLISHED):
            out.append(artifact)
    return out


def signatures(contracts: list[ContractArtifact]) -> dict[str, dict[str, str]]:
    """Selector -> signature of every error, event and function (Foundry's cache layout)."""
    table: dict[str, dict[str, str]] = {"errors": {}, "events": {}, "functions": {}}
    for artifact in contracts:
        for item in artifact.abi:
            kind = item.get("type")
            if kind not in ("error", "event", "function"):
                continue
            sig = signature(item)
            digest = keccak(text=sig)
            if kind == "event":
                table["events"]["0x" + digest.hex()] = sig
            else:
                table[f"{kind}s"]["0x" + digest[:4].hex()] = sig
    return {kind: dict(sorted(entries.items())) for kind, entries in table.items()}


def metadata(artifacts: Artifacts, artifact: ContractArtifact) -> dict[str, Any]:
    return {
        "name": artifact.name,
        "source": artifact.source_id,
        "compilers": artifacts.compilers,
        "userdoc": artifact.userdoc,
        "devdoc": artifact.devdoc,
    }


def export(artifacts: Artifacts, out_dir: Path) -> list[Path]:
    """Write the ABIs, the signature table and the metadata under `out_dir`; the paths written."""
    contracts = published(artifacts)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / METADATA_DIR).mkdir(exist_ok=True)
    written: list[Path] = []

    def write(path: Path, data: object) -> None:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)

    for artifact in contracts:
        write(out_dir / f"{artifact.name}.json", artifact.abi)
        write(out_dir / METADATA_DIR / f"{artifact.name}.json", metadata(artifacts, artifact))
    write(out_dir / SIGNATURES_FILE, signatures(contracts))
    return written
