"""CSV parsing, plan JSON round trips, and the atomic write."""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import pytest

from node.clearing import Obligation, plan_clearing
from node.clearing.io import (
    ObligationFileError,
    normalize_member,
    parse_obligations_csv,
    plan_from_json_dict,
    plan_to_json,
    read_plan_json,
    write_plan_json,
    write_text_atomic,
)

HEADER = "id,debtor,creditor,amount\n"


def parse(text: str) -> list[Obligation]:
    return parse_obligations_csv(io.StringIO(text, newline=""))


def test_parses_rows_and_trims_spaces() -> None:
    assert parse(HEADER + " 1 , A ,B, 5\n2,B,A,+7\n") == [
        Obligation(1, "A", "B", 5),
        Obligation(2, "B", "A", 7),
    ]


def test_errors_carry_line_numbers() -> None:
    with pytest.raises(ObligationFileError) as caught:
        parse(HEADER + "1,A,B,5\n2,A,B,0\n3,C,C,1\n")
    assert [line for line, _ in caught.value.problems] == [3, 4]
    assert isinstance(caught.value, ValueError)


def test_a_quoted_field_spanning_lines_is_reported_where_its_record_starts() -> None:
    with pytest.raises(ObligationFileError) as caught:
        parse(HEADER + '1,"A\nB",B,5\n2,A,B,-1\n')
    assert [line for line, _ in caught.value.problems] == [4]


def test_addresses_are_compared_case_insensitively() -> None:
    address = "0x" + "Ab" * 20
    assert normalize_member(address) == address.lower()
    assert normalize_member("  Alice ") == "Alice"  # other labels stay as written
    with pytest.raises(ObligationFileError, match="same member"):
        parse(HEADER + f"1,{address},{address.lower()},5\n")


def test_plan_json_round_trip(tmp_path: Path) -> None:
    obligations = [
        Obligation(1, "A", "B", 10**40),
        Obligation(2, "B", "A", 3),
        Obligation(3, "B", "C", 9),
        Obligation(4, "C", "A", 9),
    ]
    plan = plan_clearing(obligations)
    target = tmp_path / "plan.json"
    write_plan_json(plan, target)
    assert read_plan_json(target) == plan
    assert json.loads(target.read_text())["settlements"][0] == {"id": 1, "amount": 12}
    assert plan_to_json(plan).endswith("\n")


@pytest.mark.parametrize("max_per_chunk", [2, 3, 150])
def test_plan_json_text_is_the_json_of_the_dict(max_per_chunk: int) -> None:
    rng = random.Random(9)
    obligations = [
        Obligation(k, f"m{rng.randrange(12)}", f"n{rng.randrange(12)}", rng.randint(1, 99))
        for k in range(60)
    ] + [Obligation(100 + k, f"n{k}", f"m{k}", 50) for k in range(12)]
    plan = plan_clearing(obligations, max_per_chunk=max_per_chunk)
    assert len(plan.chunks) >= 1
    assert json.loads(plan_to_json(plan)) == plan.to_json_dict()
    empty = plan_clearing([])
    assert json.loads(plan_to_json(empty)) == empty.to_json_dict()


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"cleared_total": 0, "remaining_total": 0, "settlements": []},
        {"cleared_total": -1, "remaining_total": 0, "settlements": [], "chunks": []},
        {"cleared_total": True, "remaining_total": 0, "settlements": [], "chunks": []},
        {"cleared_total": 0, "remaining_total": 0, "settlements": {}, "chunks": []},
        {"cleared_total": 0, "remaining_total": 0, "settlements": [[1, 2]], "chunks": []},
        {
            "cleared_total": 0,
            "remaining_total": 0,
            "settlements": [{"id": 1, "amount": "2"}],
            "chunks": [],
        },
        {"cleared_total": 0, "remaining_total": 0, "settlements": [], "chunks": [{"id": 1}]},
    ],
)
def test_malformed_plan_json_is_rejected(data: object) -> None:
    with pytest.raises(ValueError):
        plan_from_json_dict(data)


def test_read_plan_rejects_non_json(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_plan_json(target)


def test_atomic_write_keeps_the_old_file_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk on fire"):
        write_text_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary left


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n")
    write_text_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
