"""Reading obligations from CSV and writing/reading clearing plans as JSON.

Obligations CSV: UTF-8 (a BOM is accepted), a header line that is exactly
``id,debtor,creditor,amount``, then one obligation per line. ``id`` and ``amount`` are
decimal integers (``0 <= id``, ``0 < amount``, both below 2**256 like their on-chain
uint256 counterparts), ``debtor`` and ``creditor`` are non-empty member labels. Ethereum
addresses (``0x`` + 40 hex digits) are compared case-insensitively, so a checksummed and a
lower-case spelling of one address are one member. Empty lines are ignored. Every problem
in the file is reported at once, with its line number (line 1 is the header), so a user
fixes the file in one go instead of one error per run.

Plan JSON (see :meth:`ClearingPlan.to_json_dict`)::

    {"cleared_total": int, "remaining_total": int,
     "settlements": [{"id": int, "amount": int}, ...],
     "chunks": [[{"id": int, "amount": int}, ...], ...]}

A chunk is a list of ``{"id", "amount"}`` objects rather than a list of ids because one
obligation can be cleared partly in one chunk and partly in another. Amounts are exact JSON
integers of any size (readers in languages with 53-bit numbers must parse them as big
integers).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from node.clearing.engine import ClearingPlan, Obligation, Settlement

if TYPE_CHECKING:
    from node.clearing.engine import ObligationArrays, PlanArrays

HEADER = ("id", "debtor", "creditor", "amount")
UINT256_LIMIT = 2**256

_INTEGER = re.compile(r"[+-]?[0-9]+")
_ETH_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class ObligationFileError(ValueError):
    """An obligations file that cannot be used, with every problem found in it.

    ``problems`` is a list of ``(line, message)``; line 1 is the header, line 0 means the
    file as a whole (missing, unreadable, not UTF-8). Messages are Russian first, then
    English, as everything the cooperative's users read.
    """

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        lines = [
            f"{self.source}: ошибок: {len(self.problems)}, план не составлен / "
            f"{len(self.problems)} problem(s), nothing was planned"
        ]
        for line, message in self.problems:
            where = f"строка {line} / line {line}: " if line > 0 else ""
            lines.append(f"  {where}{message}")
        return "\n".join(lines)


def normalize_member(label: str) -> str:
    """The member key used for netting: addresses lower-cased, other labels as given."""
    label = label.strip()
    if _ETH_ADDRESS.fullmatch(label):
        return label.lower()
    return label


def _parse_int(field: str, name: str, problems: list[str]) -> int | None:
    text = field.strip()
    if not text:
        problems.append(f"поле {name} пустое / {name} is empty")
        return None
    if not _INTEGER.fullmatch(text):
        problems.append(
            f"{name} должно быть целым числом, получено {text!r} / "
            f"{name} must be an integer, got {text!r}"
        )
        return None
    value = int(text)
    if value >= UINT256_LIMIT:
        problems.append(f"{name} не меньше 2**256 / {name} is not below 2**256")
        return None
    return value


def parse_obligations_csv(stream: Iterable[str], source: str = "<input>") -> list[Obligation]:
    """Parse obligations from CSV text lines; raise :class:`ObligationFileError` listing all
    problems (with line numbers) if there is any.

    Why all-or-nothing: a clearing computed from a file with some rows silently dropped
    would strike off wrong amounts; the user must see and fix every bad row.
    """
    reader = csv.reader(stream)
    problems: list[tuple[int, str]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ObligationFileError(
                source,
                [(1, f"нет строки заголовка {','.join(HEADER)} / missing header line")],
            )
        if tuple(cell.strip() for cell in header) != HEADER:
            got = ",".join(header)
            raise ObligationFileError(
                source,
                [
                    (
                        1,
                        f"заголовок должен быть {','.join(HEADER)}, получено {got!r} / "
                        f"header must be {','.join(HEADER)}, got {got!r}",
                    )
                ],
            )
        obligations: list[Obligation] = []
        first_line_of_id: dict[int, int] = {}
        last_line = reader.line_num
        for row in reader:
            line = last_line + 1  # where this record starts (a quoted field may span lines)
            last_line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # an empty line
            row_problems: list[str] = []
            if len(row) != len(HEADER):
                row_problems.append(
                    f"ожидалось {len(HEADER)} поля, получено {len(row)} / "
                    f"expected {len(HEADER)} fields, got {len(row)}"
                )
                problems.extend((line, p) for p in row_problems)
                continue
            id_field, debtor_field, creditor_field, amount_field = row
            ob_id = _parse_int(id_field, "id", row_problems)
            if ob_id is not None and ob_id < 0:
                row_problems.append(
                    f"id не может быть отрицательным: {ob_id} / id must not be negative: {ob_id}"
                )
                ob_id = None
            if ob_id is not None:
                if ob_id in first_line_of_id:
                    first = first_line_of_id[ob_id]
                    row_problems.append(
                        f"повтор id {ob_id} (впервые в строке {first}) / "
                        f"duplicate id {ob_id} (first on line {first})"
                    )
                else:
                    first_line_of_id[ob_id] = line
            debtor = normalize_member(debtor_field)
            creditor = normalize_member(creditor_field)
            if not debtor:
                row_problems.append("поле debtor пустое / debtor is empty")
            if not creditor:
                row_problems.append("поле creditor пустое / creditor is empty")
            if debtor and debtor == creditor:
                row_problems.append(
                    f"должник и кредитор совпадают ({debtor}) / "
                    f"debtor and creditor are the same member ({debtor})"
                )
            amount = _parse_int(amount_field, "amount", row_problems)
            if amount is not None and amount <= 0:
                row_problems.append(
                    f"сумма должна быть положительной, получено {amount} / "
                    f"amount must be positive, got {amount}"
                )
            if row_problems:
                problems.extend((line, p) for p in row_problems)
            elif ob_id is not None and amount is not None:
                obligations.append(Obligation(ob_id, debtor, creditor, amount))
    except csv.Error as exc:
        problems.append((reader.line_num, f"некорректный CSV: {exc} / malformed CSV: {exc}"))
    except UnicodeDecodeError:
        problems.append((0, "файл не в кодировке UTF-8 / the file is not UTF-8 text"))
    if problems:
        raise ObligationFileError(source, problems)
    return obligations


def read_obligations_csv(path: str | Path) -> list[Obligation]:
    """Read and validate an obligations CSV file (``-`` reads standard input).

    Raises :class:`ObligationFileError` for a bad file, including one that cannot be opened.
    """
    if str(path) == "-":
        raw = getattr(sys.stdin, "buffer", None)
        if raw is None:
            return parse_obligations_csv(sys.stdin, "<stdin>")
        # Same decoding as for files (UTF-8, BOM allowed, csv's own newline handling).
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            return parse_obligations_csv(stream, "<stdin>")
        finally:
            stream.detach()  # leave sys.stdin usable
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return parse_obligations_csv(stream, str(path))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ObligationFileError(
            str(path),
            [(0, f"не удаётся прочитать файл: {reason} / cannot read the file: {reason}")],
        ) from exc


def _read_bytes(path: str | Path) -> tuple[bytes, str]:
    if str(path) == "-":
        raw = getattr(sys.stdin, "buffer", None)
        data = raw.read() if raw is not None else sys.stdin.read().encode("utf-8")
        return data, "<stdin>"
    try:
        with open(path, "rb") as stream:
            return stream.read(), str(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ObligationFileError(
            str(path),
            [(0, f"не удаётся прочитать файл: {reason} / cannot read the file: {reason}")],
        ) from exc


_HEADER_LINE = b"id,debtor,creditor,amount\n"
_MAX_FAST_DIGITS = 18  # below 2**63: the int64 parse cannot overflow


def _int_column(fields: list[bytes]) -> Any:
    """Decimal fields (digits only, 1 to 18 of them) as int64, or ``None`` if any is not."""
    import numpy as np

    blob = b"\n".join(fields)
    raw = np.frombuffer(blob, dtype=np.uint8)
    breaks = np.flatnonzero((raw < 48) | (raw > 57))  # every non-digit must be a separator
    if len(breaks) != len(fields) - 1 or (len(breaks) and (raw[breaks] != 10).any()):
        return None
    lengths = np.diff(breaks, prepend=-1, append=len(raw)) - 1
    if len(lengths) and (lengths.min() < 1 or lengths.max() > _MAX_FAST_DIGITS):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = np.fromstring(blob, dtype=np.int64, sep="\n")  # text mode: C speed
    return parsed if len(parsed) == len(fields) else None


def _fast_arrays(data: bytes) -> ObligationArrays | None:
    """The obligations of a plain, valid file straight into arrays; ``None`` for anything
    else (quotes, CR-only line ends, blank lines, spaces around members, signs, long
    numbers, any invalid row), which then goes through :func:`parse_obligations_csv` and
    gets its line-numbered report. Same result as that parser on every file it accepts."""
    import numpy as np

    from node.clearing.engine import ObligationArrays

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    if not data.startswith(_HEADER_LINE) or b'"' in data or b"\n\n" in data or b"\0" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    body = data[len(_HEADER_LINE) :].removesuffix(b"\n")
    if not body:
        empty = np.zeros(0, dtype=np.int64)
        return ObligationArrays(empty, empty, empty, empty, [])
    n_lines = body.count(b"\n") + 1
    fields = body.replace(b"\n", b",").split(b",")
    if len(fields) != 4 * n_lines or body.count(b",") != 3 * n_lines:
        return None
    raw = np.frombuffer(body, dtype=np.uint8)
    line_ends = np.flatnonzero(raw == 10)
    commas = np.flatnonzero(raw == 44)
    if (np.diff(np.searchsorted(commas, line_ends), prepend=0) != 3).any():
        return None  # some line has another number of fields (the totals could still match)
    ids = _int_column(fields[0::4])
    amounts = _int_column(fields[3::4])
    if ids is None or amounts is None or (amounts <= 0).any():
        return None
    if len(np.unique(ids)) != len(ids):
        return None
    index: dict[bytes, int] = {}
    tails = [index.setdefault(x, len(index)) for x in fields[1::4]]
    heads = [index.setdefault(x, len(index)) for x in fields[2::4]]
    # Member labels: only the distinct ones are looked at. Empty or space-padded labels go
    # the slow way (it refuses or strips them); addresses are lower-cased, so two spellings
    # of one address become one member.
    members: list[str] = []
    merged: dict[str, int] = {}
    remap: list[int] = []
    for label in index:
        text = label.decode("utf-8")
        if not text or text.strip() != text:
            return None
        member = normalize_member(text)
        remap.append(merged.setdefault(member, len(merged)))
        if len(merged) > len(members):
            members.append(member)
    to_member = np.asarray(remap, dtype=np.int64)
    tail_arr = to_member[np.asarray(tails, dtype=np.int64)]
    head_arr = to_member[np.asarray(heads, dtype=np.int64)]
    if (tail_arr == head_arr).any():
        return None
    return ObligationArrays(ids, tail_arr, head_arr, amounts, list(members))


def read_obligations_fast(path: str | Path) -> ObligationArrays | list[Obligation]:
    """:func:`read_obligations_csv`, the command line's fast reader: a plain valid file with
    amounts below 10**18 comes back as arrays, parsed with C-speed splits and numpy; any other
    file, including every invalid one, goes through :func:`parse_obligations_csv` and comes
    back as a list, so the checks and the line-numbered report are exactly the reference
    parser's. Raises :class:`ObligationFileError` like it.
    """
    data, source = _read_bytes(path)
    fast = _fast_arrays(data)
    if fast is not None:
        return fast
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    return parse_obligations_csv(stream, source)


# --- plans ----------------------------------------------------------------------------------


def _entries_json(entries: list[Settlement]) -> str:
    return "[" + ",".join([f'{{"id":{int(s.id)},"amount":{int(s.amount)}}}' for s in entries]) + "]"


def plan_to_json(plan: ClearingPlan) -> str:
    """The plan as compact JSON text with a trailing newline; one chunk per line.

    Written directly rather than through ``json.dumps(plan.to_json_dict())``: a large plan
    has millions of entries, and a dict per entry would take hundreds of megabytes. The
    text is the same JSON (the tests compare the two).
    """
    chunks = ",\n".join(_entries_json(chunk) for chunk in plan.chunks)
    return (
        f'{{"cleared_total":{int(plan.cleared_total)},'
        f'"remaining_total":{int(plan.remaining_total)},\n'
        f'"settlements":{_entries_json(plan.settlements)},\n'
        f'"chunks":[\n{chunks}\n]}}\n'
    )


def plan_arrays_to_json(plan: PlanArrays) -> bytes:
    """:func:`plan_to_json` of an array plan, as UTF-8 bytes, the entries written by the C
    part (the text is byte for byte the same; the tests compare the two)."""
    import numpy as np

    from node.clearing._native import library

    lib = library()
    if lib is None:
        return plan_to_json(plan.to_plan()).encode()
    from node.clearing.engine import _as_ptr

    def lists(ptr: Any, ids: Any, amounts: Any, sep: bytes) -> bytes:
        n_lists = len(ptr) - 1
        out = np.empty(64 * len(ids) + 4 * n_lists + 16, dtype=np.uint8)
        size = lib.coop_entries_json(
            n_lists,
            _as_ptr(ptr),
            _as_ptr(ids),
            _as_ptr(amounts),
            sep,
            out.ctypes.data,
        )
        return out[:size].tobytes()

    one = np.array([0, len(plan.settlement_ids)], dtype=np.int64)
    settlements = lists(
        one,
        np.ascontiguousarray(plan.settlement_ids, dtype=np.int64),
        np.ascontiguousarray(plan.settlement_amounts, dtype=np.int64),
        b",",
    )
    chunks = lists(plan.chunk_ptr, plan.entry_ids, plan.entry_amounts, b",\n")
    return b"".join(
        [
            f'{{"cleared_total":{plan.cleared_total},'
            f'"remaining_total":{plan.remaining_total},\n"settlements":'.encode(),
            settlements,
            b',\n"chunks":[\n',
            chunks,
            b"\n]}\n",
        ]
    )


def write_text_atomic(path: str | Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one.

    ``text`` may be bytes (already UTF-8). It goes to a temporary file in the same
    directory, is flushed to disk and then renamed over the target (``os.replace`` is atomic
    on POSIX). A crash or a full disk leaves at most a stray temporary file, never a
    truncated plan that could be submitted.
    """
    target = Path(path)
    directory = target.parent
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(text.encode() if isinstance(text, str) else text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def write_plan_json(plan: ClearingPlan, path: str | Path) -> None:
    """Write a plan as JSON atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, plan_to_json(plan))


def _settlement_from_json(item: Any, where: str) -> Settlement:
    if not isinstance(item, dict) or set(item) != {"id", "amount"}:
        raise ValueError(f"{where}: expected an object with keys id and amount, got {item!r}")
    ob_id, amount = item["id"], item["amount"]
    for name, value in (("id", ob_id), ("amount", amount)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{where}: {name} must be an integer, got {value!r}")
    return Settlement(ob_id, amount)


def plan_from_json_dict(data: Any) -> ClearingPlan:
    """Rebuild a plan from its JSON form, checking the shape (not the arithmetic: that is
    :func:`node.clearing.engine.verify_plan`'s job, against the obligations)."""
    if not isinstance(data, dict) or set(data) != {
        "cleared_total",
        "remaining_total",
        "settlements",
        "chunks",
    }:
        raise ValueError(
            "a plan must be an object with keys cleared_total, remaining_total, settlements, chunks"
        )
    for name in ("cleared_total", "remaining_total"):
        value = data[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if not isinstance(data["settlements"], list) or not isinstance(data["chunks"], list):
        raise ValueError("settlements and chunks must be lists")
    settlements = [
        _settlement_from_json(item, f"settlements[{k}]")
        for k, item in enumerate(data["settlements"])
    ]
    chunks: list[list[Settlement]] = []
    for k, chunk in enumerate(data["chunks"]):
        if not isinstance(chunk, list):
            raise ValueError(f"chunks[{k}] must be a list")
        chunks.append(
            [_settlement_from_json(item, f"chunks[{k}][{j}]") for j, item in enumerate(chunk)]
        )
    return ClearingPlan(
        cleared_total=data["cleared_total"],
        remaining_total=data["remaining_total"],
        settlements=settlements,
        chunks=chunks,
    )


def read_plan_json(path: str | Path) -> ClearingPlan:
    """Read a plan written by :func:`write_plan_json` (raises ``ValueError``/``OSError``)."""
    with open(path, encoding="utf-8") as stream:
        try:
            data = json.load(stream)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from exc
    return plan_from_json_dict(data)
