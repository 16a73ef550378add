"""Compiled contract artifacts, read from ape's build manifest.

The node never carries hand-copied ABIs: every ABI and bytecode comes from the one manifest
`ape compile` writes, so the contracts, the indexer and the gateway cannot drift apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from eth_utils import keccak


class ArtifactsError(RuntimeError):
    """The compiled artifacts are missing or do not contain what was asked for."""


@dataclass(frozen=True)
class ContractArtifact:
    name: str
    source_id: str
    abi: list[dict[str, Any]]
    bytecode: str
    userdoc: dict[str, Any] = field(default_factory=dict)
    devdoc: dict[str, Any] = field(default_factory=dict)

    def events(self) -> list[dict[str, Any]]:
        return [item for item in self.abi if item.get("type") == "event"]

    def errors(self) -> list[dict[str, Any]]:
        return [item for item in self.abi if item.get("type") == "error"]


def signature(item: dict[str, Any]) -> str:
    """The canonical signature of an ABI function, error or event: `Name(type,...)`."""
    return _signature(item)


def _signature(item: dict[str, Any]) -> str:
    def canonical(param: dict[str, Any]) -> str:
        kind = str(param["type"])
        if kind.startswith("tuple"):
            inner = ",".join(canonical(c) for c in param.get("components", []))
            return f"({inner}){kind[len('tuple') :]}"
        return kind

    return f"{item['name']}({','.join(canonical(p) for p in item.get('inputs', []))})"


class Artifacts:
    """All contracts of one compiled project."""

    def __init__(self, manifest_path: Path) -> None:
        self.path = manifest_path
        if not manifest_path.is_file():
            raise ArtifactsError(
                f"compiled contracts not found at {manifest_path}: run `make compile` "
                "(or `ape compile`) first"
            )
        try:
            data = json.loads(manifest_path.read_text())
            types = data["contractTypes"]
        except (ValueError, KeyError) as exc:
            raise ArtifactsError(f"{manifest_path} is not an ape build manifest: {exc}") from exc
        self._contracts: dict[str, ContractArtifact] = {}
        for name, ct in types.items():
            bytecode = (ct.get("deploymentBytecode") or {}).get("bytecode") or "0x"
            self._contracts[name] = ContractArtifact(
                name=name,
                source_id=ct.get("sourceId", ""),
                abi=ct["abi"],
                bytecode=bytecode,
                userdoc=ct.get("userdoc") or {},
                devdoc=ct.get("devdoc") or {},
            )
        self.compilers: list[dict[str, Any]] = [
            {k: v for k, v in c.items() if k in ("name", "version", "settings")}
            for c in data.get("compilers") or []
        ]

    def __contains__(self, name: str) -> bool:
        return name in self._contracts

    def names(self) -> list[str]:
        return sorted(self._contracts)

    def get(self, name: str) -> ContractArtifact:
        try:
            return self._contracts[name]
        except KeyError:
            raise ArtifactsError(
                f"contract {name!r} is not in {self.path}; known: {', '.join(self.names())}"
            ) from None

    @cached_property
    def error_selectors(self) -> dict[bytes, tuple[str, dict[str, Any]]]:
        """4-byte selector -> (error signature, ABI item), over every contract and interface."""
        out: dict[bytes, tuple[str, dict[str, Any]]] = {}
        for artifact in self._contracts.values():
            for item in artifact.errors():
                sig = _signature(item)
                out[keccak(text=sig)[:4]] = (sig, item)
        return out

    @cached_property
    def event_topics(self) -> dict[bytes, tuple[str, dict[str, Any]]]:
        """topic0 -> (event signature, ABI item), over every contract and interface."""
        out: dict[bytes, tuple[str, dict[str, Any]]] = {}
        for artifact in self._contracts.values():
            for item in artifact.events():
                if item.get("anonymous"):
                    continue
                sig = _signature(item)
                out[keccak(text=sig)] = (sig, item)
        return out
