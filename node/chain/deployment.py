"""The deployment record: which contract set this node's data directory belongs to.

`make run` deploys the demo cooperative once per chain. The record names the chain (id and
genesis hash) so that a record left over from another chain is never trusted, and the node
checks that code still exists at every address before reusing it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from node.chain.client import Chain

DeployFn = Callable[[Chain, LocalAccount], dict[str, Any]]


class DeploymentError(RuntimeError):
    """The deployment record is unreadable or does not describe a usable deployment."""


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that a crash leaves either the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_record(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise DeploymentError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("contracts"), dict):
        raise DeploymentError(f"{path} has no 'contracts' mapping")
    return data


def record_matches_chain(record: dict[str, Any], chain: Chain) -> bool:
    if record.get("chain_id") != chain.chain_id:
        return False
    if record.get("genesis_hash") != chain.genesis_hash():
        return False
    return all(chain.has_code(address) for address in record["contracts"].values())


def ensure_deployment(
    chain: Chain, deployer: LocalAccount, path: Path, deploy: DeployFn
) -> tuple[dict[str, Any], bool]:
    """Reuse the recorded deployment when it belongs to this chain, else deploy and record.

    Returns the record and whether a new deployment was made.
    """
    record = read_record(path)
    if record is not None and record_matches_chain(record, chain):
        return record, False
    result = deploy(chain, deployer)
    record = {
        **result,
        "chain_id": chain.chain_id,
        "genesis_hash": chain.genesis_hash(),
        "deployed_at_block": chain.w3.eth.block_number,
        "deployed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "deployer": deployer.address,
    }
    write_json_atomic(path, record)
    return record, True
