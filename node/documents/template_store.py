"""Document templates as files a cooperative can change, kept by content hash.

A kind's template is rendered with the shared files beside it (`base.html.j2`, `style.css`,
`_*.j2` partials). Together they form a *bundle*: a canonical JSON of `{file name: text}` and the
name of the kind's template. The bundle's SHA-256 is written into every document made from it,
and every bundle ever used is kept under `<data>/templates/<sha256>.json`, so a document made
years ago regenerates byte for byte after the cooperative has edited its templates.

The shipped templates live in `node/documents/templates/`; a cooperative overrides any file
by putting one of the same name into its own directory (`COOP_TEMPLATES_DIR`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

SHIPPED = Path(__file__).parent / "templates"
_NAME = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,80}$")


def _shared(name: str) -> bool:
    """A file every kind's template may use (the layout, the stylesheet, partials)."""
    return name in ("base.html.j2", "style.css") or (name.startswith("_") and name.endswith(".j2"))


@dataclass(frozen=True)
class Bundle:
    template: str
    """The kind's template file; the entry point of the rendering."""
    files: dict[str, str]

    def canonical(self) -> bytes:
        body = {"template": self.template, "files": self.files}
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    @classmethod
    def parse(cls, raw: bytes) -> Bundle:
        body = json.loads(raw)
        files = body["files"]
        if not isinstance(files, dict) or body["template"] not in files:
            raise ValueError("not a template bundle")
        return cls(str(body["template"]), {str(k): str(v) for k, v in files.items()})


class TemplateStore:
    """The current templates (shipped, overridden file by file) and every bundle ever used."""

    def __init__(self, root: Path | None = None, override: Path | None = None) -> None:
        self.root = root
        self.override = override
        self._cache: dict[str, Bundle] = {}
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)

    def _read(self, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(f"bad template file name {name!r}")
        if self.override is not None and (self.override / name).is_file():
            return (self.override / name).read_text("utf-8")
        return (SHIPPED / name).read_text("utf-8")

    def _names(self) -> set[str]:
        names = {p.name for p in SHIPPED.iterdir() if p.is_file()}
        if self.override is not None and self.override.is_dir():
            names |= {p.name for p in self.override.iterdir() if p.is_file()}
        return {n for n in names if _NAME.match(n)}

    def current(self, template: str) -> Bundle:
        """The bundle the kind's `template` renders with today (kept for later regeneration)."""
        files = {n: self._read(n) for n in sorted(self._names()) if _shared(n)}
        files[template] = self._read(template)
        bundle = Bundle(template, files)
        self.keep(bundle)
        return bundle

    def keep(self, bundle: Bundle) -> str:
        digest = bundle.sha256
        self._cache[digest] = bundle
        if self.root is not None and not (self.root / f"{digest}.json").exists():
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".bundle.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(bundle.canonical())
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.root / f"{digest}.json")
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return digest

    def get(self, digest: str) -> Bundle | None:
        """A bundle by its SHA-256: one used before, or today's shipped one."""
        if digest in self._cache:
            return self._cache[digest]
        if self.root is not None and re.fullmatch(r"[0-9a-f]{64}", digest):
            path = self.root / f"{digest}.json"
            if path.is_file():
                raw = path.read_bytes()
                if hashlib.sha256(raw).hexdigest() == digest:
                    bundle = Bundle.parse(raw)
                    self._cache[digest] = bundle
                    return bundle
        return None
