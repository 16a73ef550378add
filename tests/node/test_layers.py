"""The layers of docs/ARCHITECTURE.md hold: what each folder may import, read from the source.

Every `import` and `from ... import` of every module (at the top or inside a function) is read
with `ast`, so a rule broken anywhere fails here, naming the module, the line and the import:

- `node/core` imports no other part of the project; `node/chain` only `node/core`.
- The domain packages (`node/cooperative`, `units`, `governance`, `fund`, `documents`,
  `identity`, `clearing`, `exchange`, `bank`, `notices`) know nothing of HTTP: never
  `node.api`, `node.portal`, the composition roots (`node.cli`, `node.runner`), FastAPI or
  Starlette. Their `cli.py` modules are the command layer and exempt.
- The clearing engine and the exchange's rules import nothing of the project but themselves.
- The indexer imports only `node.core` and `node.chain` of the node; its projections (the
  write side) never import its queries (the read side).
- Outside the indexer, the queries are imported by domain module
  (`from indexer.queries import members`), never as the whole package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = (
    "cooperative",
    "units",
    "governance",
    "fund",
    "labour",
    "programs",
    "documents",
    "identity",
    "accounts",
    "clearing",
    "exchange",
    "bank",
    "notices",
)
HTTP = ("node.api", "node.portal", "node.cli", "node.runner", "fastapi", "starlette")
QUERY_MODULES = frozenset(
    p.stem for p in (ROOT / "indexer" / "queries").glob("*.py") if p.stem != "__init__"
)


@dataclass(frozen=True)
class Import:
    module: str
    """The importing module (`node.exchange.service`)."""
    target: str
    """What it imports (`node.api.problems`), resolved when relative."""
    names: tuple[str, ...]
    """For `from target import a, b`: (a, b); empty for `import target`."""
    line: int

    def __str__(self) -> str:
        what = f"from {self.target} import {', '.join(self.names)}" if self.names else self.target
        return f"{self.module}:{self.line}: {what}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(module: str, source: str, is_package: bool = False) -> Iterator[Import]:
    """Every import in `source`, wherever it stands (module level, function, `if`)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield Import(module, base, tuple(a.name for a in node.names), node.lineno)


def project_imports(*folders: str) -> list[Import]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            found += imports_of(module_name(path), path.read_text(), path.name == "__init__.py")
    return found


def within(target: str, *prefixes: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def is_cli(imp: Import) -> bool:
    return imp.module.rpartition(".")[2] == "cli"


def test_core_imports_nothing_of_the_project() -> None:
    bad = [i for i in project_imports("node/core") if within(i.target, "node", "indexer")]
    bad = [i for i in bad if not within(i.target, "node.core")]
    assert not bad, "\n".join(map(str, bad))


def test_chain_imports_only_core() -> None:
    bad = [
        i
        for i in project_imports("node/chain")
        if not is_cli(i)
        and within(i.target, "node", "indexer")
        and not within(i.target, "node.core", "node.chain")
    ]
    assert not bad, "\n".join(map(str, bad))


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_code_knows_nothing_of_http(domain: str) -> None:
    found = project_imports(f"node/{domain}")
    assert found, f"node/{domain} has no imports to check"
    bad = [i for i in found if not is_cli(i) and within(i.target, *HTTP)]
    assert not bad, "\n".join(map(str, bad))


@pytest.mark.parametrize("domain", ("clearing", "exchange"))
def test_self_contained_domains(domain: str) -> None:
    """The clearing engine is pure Python (no chain, no mirror); the exchange's rules need only
    their tables: both import nothing of the project but themselves."""
    bad = [
        i
        for i in project_imports(f"node/{domain}")
        if not is_cli(i)
        and within(i.target, "node", "indexer", "web3", "eth_account")
        and not within(i.target, f"node.{domain}")
    ]
    assert not bad, "\n".join(map(str, bad))


def test_indexer_imports_only_core_and_chain_of_the_node() -> None:
    bad = [
        i
        for i in project_imports("indexer")
        if within(i.target, "node", *HTTP) and not within(i.target, "node.core", "node.chain")
    ]
    assert not bad, "\n".join(map(str, bad))


def test_projections_never_read_through_queries() -> None:
    bad = [i for i in project_imports("indexer/projections") if within(i.target, "indexer.queries")]
    assert not bad, "\n".join(map(str, bad))


def test_queries_are_imported_by_domain_module() -> None:
    """`from indexer import queries` or `from indexer.queries import list_members` outside the
    indexer would tie the importer to every domain of the read side."""
    outside = project_imports("node", "scripts", "benchmarks")
    used = [i for i in outside if within(i.target, "indexer.queries") or i.target == "indexer"]
    bad = [
        i
        for i in used
        if (i.target == "indexer" and "queries" in i.names)
        or (i.target == "indexer.queries" and not set(i.names) <= QUERY_MODULES)
    ]
    assert not bad, "\n".join(map(str, bad))
    assert any(i.target.startswith("indexer.queries") for i in used)


def test_the_checks_see_every_kind_of_import() -> None:
    """The reader finds imports inside functions and resolves relative ones, so the rules above
    cannot be dodged by either."""
    source = (
        "import fastapi\n"
        "def f():\n"
        "    from node.api.problems import Problem\n"
        "from ..api import mirror\n"
        "from . import models\n"
    )
    found = {(i.target, i.names) for i in imports_of("node.exchange.service", source)}
    assert found == {
        ("fastapi", ()),
        ("node.api.problems", ("Problem",)),
        ("node.api", ("mirror",)),
        ("node.exchange", ("models",)),
    }
    assert within("node.api.problems", *HTTP)
    assert not within("node.apix", *HTTP)


def test_architecture_names_every_folder() -> None:
    """docs/ARCHITECTURE.md describes every package of the node and the indexer."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    folders = [
        p.parent.relative_to(ROOT).as_posix()
        for top in ("node", "indexer")
        for p in (ROOT / top).glob("*/__init__.py")
    ]
    assert folders
    missing = [f for f in folders if f"`{f}/`" not in text]
    assert not missing, f"docs/ARCHITECTURE.md does not describe {missing}"
