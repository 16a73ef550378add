"""The C inner loops of the clearing (``_walk.c``), built on first use and called via ctypes.

Why C, and why built here: the cycle decomposition, the chunk packing and the JSON text touch
every one of millions of chunk entries one at a time; in Python that alone took several
seconds for 100,000 obligations, against a quarter of a second for the min-cost flow. The
project has no compiled-extension build, so the file is compiled with the system C compiler
(``cc``, or ``$CC``) the first time it is needed, into a per-user cache directory
(``$COOP_NATIVE_CACHE``, else ``$XDG_CACHE_HOME/coopnode``, else ``~/.cache/coopnode``) under
a name that includes the hash of the source, so an edited source is rebuilt and a stale
library is never loaded. Without a compiler :func:`library` returns ``None`` and the engine
uses its Python implementation of the same algorithm (same plan, slower) and says so once on
stderr.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

_SOURCE = Path(__file__).with_name("_walk.c")
_FLAGS = ["-O2", "-shared", "-fPIC", "-std=c99"]

_i64 = ctypes.c_int64
_p64 = ctypes.POINTER(ctypes.c_int64)


def _cache_dir() -> Path:
    explicit = os.environ.get("COOP_NATIVE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coopnode"


def _build(target: Path) -> None:
    """Compile the source to ``target`` atomically (another process may race us)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    compiler = shlex.split(os.environ.get("CC", "cc"))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        subprocess.run(
            [*compiler, *_FLAGS, "-o", tmp, str(_SOURCE)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@cache
def library() -> ctypes.CDLL | None:
    """The compiled library, building it if needed; ``None`` if it cannot be built."""
    if os.environ.get("COOP_CLEARING_NATIVE", "1") == "0":  # force the Python reference
        return None
    try:
        source = _SOURCE.read_bytes()
        tag = hashlib.sha256(
            source + " ".join(_FLAGS).encode() + platform.machine().encode() + sys.version.encode()
        ).hexdigest()[:16]
        target = _cache_dir() / f"clearing-{tag}.so"
        if not target.exists():
            _build(target)
        lib = ctypes.CDLL(str(target))
    except (OSError, subprocess.SubprocessError) as exc:
        print(
            f"coop: C-ускорение зачёта недоступно, считаю медленнее / clearing runs without "
            f"its C part (slower): {exc}",
            file=sys.stderr,
        )
        return None
    lib.coop_plan_chunks.restype = ctypes.c_int
    lib.coop_plan_chunks.argtypes = [
        _i64, _i64, _p64, _p64, _p64,  # n, m, tails, heads, flow
        _p64, _p64,  # chain_ptr, chain_edges
        _i64, _p64, _p64, _p64,  # n_loops, loop_ptr, loop_edges, loop_amounts
        _i64, _p64, _i64, _i64, _i64,  # m_orig, ids, max_per_chunk, window, scan_limit
        _i64, _i64, _i64,  # search_limit, search_per_edge, search_base
        _p64, ctypes.POINTER(_p64), _p64, ctypes.POINTER(_p64), ctypes.POINTER(_p64),
    ]  # fmt: skip
    lib.coop_strong_components.restype = ctypes.c_int
    lib.coop_strong_components.argtypes = [_i64, _i64, _p64, _p64, _p64]
    lib.coop_free.restype = None
    lib.coop_free.argtypes = [ctypes.c_void_p]
    lib.coop_entries_json.restype = _i64
    lib.coop_entries_json.argtypes = [_i64, _p64, _p64, _p64, ctypes.c_char_p, ctypes.c_void_p]
    return lib
