"""`coop clearing plan`: CSV in, JSON plan out; every bad row reported, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from node.clearing import Obligation, verify_plan
from node.clearing.io import plan_from_json_dict
from node.cli import main

HEADER = "id,debtor,creditor,amount\n"
GOOD_ROWS = "1,A,B,1\n2,B,A,1\n3,B,C,1\n4,C,D,1\n5,D,A,1\n"
GOOD_OBLIGATIONS = [
    Obligation(1, "A", "B", 1),
    Obligation(2, "B", "A", 1),
    Obligation(3, "B", "C", 1),
    Obligation(4, "C", "D", 1),
    Obligation(5, "D", "A", 1),
]
COOP = Path(sys.executable).with_name("coop")


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner(mix_stderr=False).invoke(main, ["clearing", *args], input=stdin)


def plan_files(tmp_path: Path, csv_text: str) -> tuple[Path, Path]:
    source = tmp_path / "obligations.csv"
    source.write_text(csv_text, encoding="utf-8")
    return source, tmp_path / "plan.json"


def test_good_file(tmp_path: Path) -> None:
    source, target = plan_files(tmp_path, HEADER + GOOD_ROWS)
    result = run("plan", "--input", str(source), "--output", str(target))
    assert result.exit_code == 0, result.output + result.stderr
    assert "Зачтено / cleared: 4 из / of 5" in result.stdout
    data = json.loads(target.read_text())
    assert data["cleared_total"] == 4
    assert data["remaining_total"] == 1
    assert data["chunks"] == [[{"id": i, "amount": 1} for i in (1, 3, 4, 5)]]
    verify_plan(GOOD_OBLIGATIONS, plan_from_json_dict(data))
    # the atomic write leaves no temporary file behind
    assert {p.name for p in tmp_path.iterdir()} == {"obligations.csv", "plan.json"}


def test_max_per_chunk_option(tmp_path: Path) -> None:
    rows = "".join(f"{k},m{k},m{(k + 1) % 6},3\n" for k in range(6)) + "10,x,y,2\n11,y,x,2\n"
    source, target = plan_files(tmp_path, HEADER + rows)
    result = run("plan", "-i", str(source), "-o", str(target), "--max-per-chunk", "4")
    assert result.exit_code == 0, result.stderr
    chunks = json.loads(target.read_text())["chunks"]
    assert sorted(len(c) for c in chunks) == [2, 6]  # the 6-cycle cannot be split


def test_max_per_chunk_below_two_is_a_usage_error(tmp_path: Path) -> None:
    source, target = plan_files(tmp_path, HEADER + GOOD_ROWS)
    result = run("plan", "-i", str(source), "-o", str(target), "--max-per-chunk", "1")
    assert result.exit_code == 2
    assert not target.exists()


def test_header_only_gives_an_empty_plan(tmp_path: Path) -> None:
    source, target = plan_files(tmp_path, HEADER)
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text()) == {
        "cleared_total": 0,
        "remaining_total": 0,
        "settlements": [],
        "chunks": [],
    }


def test_bom_crlf_and_blank_lines_are_fine(tmp_path: Path) -> None:
    text = "\ufeff" + (HEADER + "\n" + GOOD_ROWS + "\n").replace("\n", "\r\n")
    source, target = plan_files(tmp_path, text)
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text())["cleared_total"] == 4


def test_output_to_stdout_keeps_the_summary_on_stderr(tmp_path: Path) -> None:
    source, _ = plan_files(tmp_path, HEADER + GOOD_ROWS)
    result = run("plan", "-i", str(source), "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cleared_total"] == 4
    assert "cleared" in result.stderr


def test_input_from_stdin(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    result = run("plan", "-i", "-", "-o", str(target), stdin=HEADER + GOOD_ROWS)
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text())["cleared_total"] == 4


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("7,A,B,-5", "amount must be positive, got -5"),
        ("7,A,B,0", "amount must be positive, got 0"),
        ("7,A,A,5", "debtor and creditor are the same member"),
        ("1,A,C,5", "duplicate id 1 (first on line 2)"),
        ("x7,A,B,5", "id must be an integer, got 'x7'"),
        ("7,A,B,5.5", "amount must be an integer, got '5.5'"),
        ("7,A,B,1e3", "amount must be an integer"),
        ("7,A,B", "expected 4 fields, got 3"),
        ("7,A,B,5,9", "expected 4 fields, got 5"),
        ("7,A,B,", "amount is empty"),
        (",A,B,5", "id is empty"),
        ("7,,B,5", "debtor is empty"),
        ("7,A,  ,5", "creditor is empty"),
        ("-7,A,B,5", "id must not be negative"),
        (f"7,A,B,{2**256}", "amount is not below 2**256"),
    ],
)
def test_each_bad_row_is_reported_with_its_line(tmp_path: Path, row: str, expected: str) -> None:
    source, target = plan_files(tmp_path, HEADER + GOOD_ROWS + row + "\n")
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 1
    reported = [line for line in result.stderr.splitlines() if "строка 7 / line 7:" in line]
    assert len(reported) == 1, result.stderr
    assert expected in reported[0]
    assert reported[0].index("строка") < reported[0].index("line")  # Russian first
    assert not target.exists()


def test_all_bad_rows_are_reported_at_once(tmp_path: Path) -> None:
    rows = "1,A,B,-1\n2,B,B,1\n3,B,C,x\n3,C,D,1\n5,D,\n6,,A,3\n\n8,A,B,0\n9,A,B,4\n"
    source, target = plan_files(tmp_path, HEADER + rows)
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 1
    for line in (2, 3, 4, 5, 6, 7, 9):
        assert f"line {line}:" in result.stderr
    assert "line 8:" not in result.stderr  # the blank line is not an error
    assert "line 10:" not in result.stderr  # the good row
    assert "7 problem(s)" in result.stderr
    assert not target.exists()


def test_a_bad_input_leaves_an_existing_plan_alone(tmp_path: Path) -> None:
    source, target = plan_files(tmp_path, HEADER + "1,A,B,0\n")
    target.write_text("old plan\n")
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 1
    assert target.read_text() == "old plan\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "missing header line"),
        ("id,debtor,amount\n1,A,5\n", "header must be id,debtor,creditor,amount"),
        ("debtor,creditor,id,amount\n", "header must be id,debtor,creditor,amount"),
    ],
)
def test_a_bad_header_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    source, target = plan_files(tmp_path, text)
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 1
    assert expected in result.stderr
    assert not target.exists()


def test_missing_input_file(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    result = run("plan", "-i", str(tmp_path / "nope.csv"), "-o", str(target))
    assert result.exit_code == 1
    assert "cannot read the file" in result.stderr
    assert "не удаётся прочитать файл" in result.stderr
    assert not target.exists()


def test_input_that_is_not_utf8(tmp_path: Path) -> None:
    source = tmp_path / "obligations.csv"
    source.write_bytes(HEADER.encode() + "1,Иван,B,5\n".encode("cp1251"))
    result = run("plan", "-i", str(source), "-o", str(tmp_path / "plan.json"))
    assert result.exit_code == 1
    assert "not UTF-8" in result.stderr


def test_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    source, _ = plan_files(tmp_path, HEADER + GOOD_ROWS)
    result = run("plan", "-i", str(source), "-o", str(tmp_path / "no-such-dir" / "plan.json"))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr


def test_address_case_does_not_split_a_member(tmp_path: Path) -> None:
    a = "0x" + "ab" * 20
    b = "0x" + "cd" * 20
    rows = f"1,{a.upper().replace('0X', '0x')},{b},5\n2,{b},{a},5\n"
    source, target = plan_files(tmp_path, HEADER + rows)
    result = run("plan", "-i", str(source), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text())["cleared_total"] == 10


def test_the_installed_console_script(tmp_path: Path) -> None:
    source, target = plan_files(tmp_path, HEADER + GOOD_ROWS)
    done = subprocess.run(
        [str(COOP), "clearing", "plan", "--input", str(source), "--output", str(target)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 0, done.stderr
    assert "cleared: 4" in done.stdout
    assert json.loads(target.read_text())["cleared_total"] == 4

    broken = tmp_path / "broken.csv"
    broken.write_text(HEADER + "1,A,B,0\n2,C,C,4\n")
    missing_target = tmp_path / "never.json"
    done = subprocess.run(
        [str(COOP), "clearing", "plan", "-i", str(broken), "-o", str(missing_target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "line 2:" in done.stderr and "line 3:" in done.stderr
    assert not missing_target.exists()
