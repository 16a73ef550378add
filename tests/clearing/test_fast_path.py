"""The array path of the clearing (C walk, fast CSV reader, vectorised checks, C JSON) gives
exactly what the Python reference gives, and refuses what the reference refuses."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from node.clearing import ClearingPlan, Obligation, plan_clearing
from node.clearing._native import library
from node.clearing.engine import (
    _SOLVER_LIMIT,
    ObligationArrays,
    PlanArrays,
    _arrays_from_obligations,
    _plan_unpaused,
    plan_arrays,
    verify_plan,
    verify_plan_arrays,
)
from node.clearing.io import (
    _fast_arrays,
    parse_obligations_csv,
    plan_arrays_to_json,
    plan_to_json,
    read_obligations_fast,
)

ROOT = Path(__file__).resolve().parents[2]
COOP = Path(sys.executable).with_name("coop")


def random_obligations(rng: random.Random, n: int, members: int) -> list[Obligation]:
    obligations = []
    for _ in range(n):
        a, b = rng.sample(range(members), 2)
        obligations.append(Obligation(rng.randrange(10 * n), f"m{a}", f"m{b}", rng.randint(1, 50)))
    unique = {ob.id: ob for ob in obligations}
    return list(unique.values())


def ring_with_chords(rng: random.Random, n: int) -> list[Obligation]:
    """Long pass-through chains, closed rings and dead ends: every branch of the reduction."""
    obligations = [Obligation(k, f"r{k}", f"r{(k + 1) % n}", rng.randint(1, 9)) for k in range(n)]
    obligations += [Obligation(n + k, f"r{k * 7}", f"r{k * 7 + 3}", 5) for k in range(n // 10)]
    obligations += [Obligation(2 * n + k, f"s{k}", f"s{(k + 1) % 5}", 4) for k in range(5)]
    obligations += [Obligation(3 * n, "r1", "dead-end", 7)]
    return obligations


def shapes() -> list[list[Obligation]]:
    rng = random.Random(7)
    return [
        random_obligations(rng, 300, 30),
        random_obligations(rng, 3000, 300),
        random_obligations(rng, 2000, 1000),  # sparse: long cycles, pass-through members
        ring_with_chords(rng, 500),
        [Obligation(k, *(("A", "B") if k % 2 else ("B", "A")), 1 + k % 7) for k in range(600)],
        [Obligation(1, "a", "b", 3)],
    ]


def test_the_c_part_is_built() -> None:
    # The machine has a C compiler: the fast path must be the one under test.
    assert library() is not None


@pytest.mark.parametrize("max_per_chunk", [2, 5, 150])
@pytest.mark.parametrize("index", range(6))
def test_array_path_gives_the_reference_plan(index: int, max_per_chunk: int) -> None:
    obligations = shapes()[index]
    fast = plan_arrays(_arrays_from_obligations(obligations), max_per_chunk)
    assert fast is not None
    reference = _plan_unpaused(obligations, max_per_chunk, _SOLVER_LIMIT)
    assert fast.to_plan() == reference
    assert plan_clearing(obligations, max_per_chunk) == reference
    verify_plan(obligations, reference)


@pytest.mark.parametrize("index", range(6))
def test_json_of_the_array_plan_is_the_reference_text(index: int) -> None:
    obligations = shapes()[index]
    fast = plan_arrays(_arrays_from_obligations(obligations), 7)
    assert fast is not None
    text = plan_arrays_to_json(fast)
    assert text == plan_to_json(fast.to_plan()).encode()
    json.loads(text)


def test_empty_plan_in_arrays() -> None:
    graph = _arrays_from_obligations([])
    fast = plan_arrays(graph)
    assert fast is not None
    assert fast.n_chunks == 0 and fast.cleared_total == 0
    verify_plan_arrays(graph, fast)
    assert plan_arrays_to_json(fast) == plan_to_json(fast.to_plan()).encode()


def test_amounts_beyond_int64_take_the_reference_path() -> None:
    big = 2**200
    obligations = [Obligation(1, "a", "b", big), Obligation(2, "b", "a", big + 5)]
    assert not _arrays_from_obligations_fits(obligations)
    plan = plan_clearing(obligations)
    assert plan.cleared_total == 2 * big
    verify_plan(obligations, plan)


def _arrays_from_obligations_fits(obligations: list[Obligation]) -> bool:
    try:
        return _arrays_from_obligations(obligations).fits()
    except OverflowError:
        return False


# --- verify_plan_arrays refuses every kind of wrong plan ------------------------------------

GRAPH_OBS = [
    Obligation(10, "A", "B", 5),
    Obligation(11, "B", "C", 5),
    Obligation(12, "C", "A", 5),
    Obligation(13, "A", "C", 2),
    Obligation(14, "C", "A", 2),
]


def good_plan() -> tuple[ObligationArrays, PlanArrays]:
    graph = _arrays_from_obligations(GRAPH_OBS)
    plan = plan_arrays(graph, 3)
    assert plan is not None
    verify_plan_arrays(graph, plan)
    return graph, plan


def _with(plan: PlanArrays, **changes: object) -> PlanArrays:
    return dataclasses.replace(plan, **changes)  # type: ignore[arg-type]


def _bump_entry(plan: PlanArrays) -> PlanArrays:
    amounts = plan.entry_amounts.copy()
    amounts[0] += 1
    return _with(plan, entry_amounts=amounts)


def _unknown_id(plan: PlanArrays) -> PlanArrays:
    ids = plan.entry_ids.copy()
    ids[0] = 999
    return _with(plan, entry_ids=ids)


def _negative_id(plan: PlanArrays) -> PlanArrays:
    ids = plan.entry_ids.copy()
    ids[0] = -1
    return _with(plan, entry_ids=ids)


def _repeat_in_chunk(plan: PlanArrays) -> PlanArrays:
    ids = plan.entry_ids.copy()
    ids[1] = ids[0]
    return _with(plan, entry_ids=ids)


def _merge_chunks(plan: PlanArrays) -> PlanArrays:
    # one chunk made of two balanced ones stays balanced; dropping a bound unbalances both
    ptr = plan.chunk_ptr.copy()
    ptr[1] += 1
    return _with(plan, chunk_ptr=ptr)


def _empty_chunk(plan: PlanArrays) -> PlanArrays:
    return _with(plan, chunk_ptr=np.concatenate([[0], plan.chunk_ptr]))


def _zero_amount(plan: PlanArrays) -> PlanArrays:
    amounts = plan.settlement_amounts.copy()
    amounts[0] = 0
    return _with(plan, settlement_amounts=amounts)


def _over_amount(plan: PlanArrays) -> PlanArrays:
    amounts = plan.settlement_amounts.copy()
    amounts[:] = 6
    return _with(plan, settlement_amounts=amounts)


def _unsorted(plan: PlanArrays) -> PlanArrays:
    return _with(
        plan,
        settlement_ids=plan.settlement_ids[::-1].copy(),
        settlement_amounts=plan.settlement_amounts[::-1].copy(),
    )


@pytest.mark.parametrize(
    "corrupt",
    [
        _bump_entry,
        _unknown_id,
        _negative_id,
        _repeat_in_chunk,
        _merge_chunks,
        _empty_chunk,
        _zero_amount,
        _over_amount,
        _unsorted,
        lambda p: _with(p, cleared_total=p.cleared_total + 1),
        lambda p: _with(p, remaining_total=p.remaining_total - 1),
    ],
)
def test_verify_plan_arrays_refuses_a_wrong_plan(
    corrupt: Callable[[PlanArrays], PlanArrays],
) -> None:
    graph, plan = good_plan()
    wrong = corrupt(plan)
    with pytest.raises(ValueError):
        verify_plan_arrays(graph, wrong)
    # the reference refuses it too (same checks)
    with pytest.raises(ValueError):
        verify_plan(GRAPH_OBS, _as_reference(wrong))


def _as_reference(plan: PlanArrays) -> ClearingPlan:
    return plan.to_plan()


def test_verify_plan_arrays_checks_every_chunk_on_its_own() -> None:
    obligations = [
        Obligation(10, "A", "B", 5),
        Obligation(11, "B", "C", 5),
        Obligation(12, "C", "A", 5),
        Obligation(13, "D", "E", 2),
        Obligation(14, "E", "D", 2),
    ]
    graph = _arrays_from_obligations(obligations)
    plan = plan_arrays(graph, 3)
    assert plan is not None
    assert [plan.entry_ids[a:b].tolist() for a, b in pairwise(plan.chunk_ptr)] == [
        [10, 11, 12],
        [13, 14],
    ]
    # Moving the chunk bound keeps every id's total and the overall balance, so only the
    # per-chunk check can see that both chunks now move net positions.
    wrong = _merge_chunks(plan)
    with pytest.raises(ValueError, match="changes net positions"):
        verify_plan_arrays(graph, wrong)
    with pytest.raises(ValueError, match="changes net positions"):
        verify_plan(obligations, wrong.to_plan())


# --- the fast CSV reader ---------------------------------------------------------------------

CSV_CASES = [
    "id,debtor,creditor,amount\n1,a,b,5\n2,b,a,3\n",
    "id,debtor,creditor,amount\n1,a,b,5\n2,b,a,3",  # no final newline
    "\ufeffid,debtor,creditor,amount\r\n1,a,b,5\r\n2,b,a,3\r\n",  # BOM, CRLF
    "id,debtor,creditor,amount\n1,Иван Петров,ООО Ромашка,5\n2,ООО Ромашка,Иван Петров,3\n",
    "id,debtor,creditor,amount\n"
    "1,0xAbCdEf0123456789abcdef0123456789ABCDEF01,0x00000000000000000000000000000000000000aa,5\n"
    "2,0x00000000000000000000000000000000000000AA,0xabcdef0123456789abcdef0123456789abcdef01,2\n",
    "id,debtor,creditor,amount\n007,a,b,0010\n8,b,a,3\n",  # leading zeros
    "id,debtor,creditor,amount\n",  # header only
    # everything below goes the reference way (or is refused there)
    "id,debtor,creditor,amount\n1, a ,b,5\n2,b,a,3\n",
    'id,debtor,creditor,amount\n1,"a",b,5\n2,b,a,3\n',
    "id,debtor,creditor,amount\n1,a,b,5\n\n2,b,a,3\n",
    "id,debtor,creditor,amount\n1,a,b,12345678901234567890123\n2,b,a,3\n",
    "id,debtor,creditor,amount\n1,a,b,+5\n2,b,a,3\n",
    "id, debtor,creditor,amount\n1,a,b,5\n",
]
BAD_CASES = [
    "id,debtor,creditor,amount\n1,a,b,5\n1,b,a,3\n",  # duplicate id
    "id,debtor,creditor,amount\n1,a,a,5\n",  # self-debt
    "id,debtor,creditor,amount\n1,a,b,0\n",  # zero amount
    "id,debtor,creditor,amount\n1,a,b,-4\n",
    "id,debtor,creditor,amount\n1,a,b,5,6\n2,b,a\n",  # field counts that add up
    "id,debtor,creditor,amount\n1,,b,5\n",
    "id,debtor,creditor,amount\nx,a,b,5\n",
    "id,debtor,creditor,amount\n1,a,b,1_0\n",
    "id,debtor,creditor,amount\n"
    "1,0xAbCdEf0123456789abcdef0123456789ABCDEF01,0xabcdef0123456789abcdef0123456789abcdef01,5\n",
]


def reference(text: str) -> list[Obligation]:
    return parse_obligations_csv(io.StringIO(text.removeprefix("\ufeff"), newline=""))


@pytest.mark.parametrize("text", CSV_CASES)
def test_fast_reader_gives_the_reference_obligations(tmp_path: Path, text: str) -> None:
    path = tmp_path / "obligations.csv"
    path.write_bytes(text.encode("utf-8"))
    read = read_obligations_fast(path)
    listed = read.to_obligations() if isinstance(read, ObligationArrays) else read
    assert listed == reference(text)


def test_fast_reader_takes_plain_files_itself() -> None:
    fast = _fast_arrays(CSV_CASES[4].encode())
    assert fast is not None
    assert fast.n_members == 2  # two spellings of each address are one member


@pytest.mark.parametrize("text", BAD_CASES)
def test_fast_reader_never_accepts_what_the_reference_refuses(tmp_path: Path, text: str) -> None:
    assert _fast_arrays(text.encode()) is None
    path = tmp_path / "obligations.csv"
    path.write_bytes(text.encode())
    with pytest.raises(ValueError) as refused:
        read_obligations_fast(path)
    assert "строка 2 / line 2" in str(refused.value) or "line 3" in str(refused.value)


# --- what `coop` imports -----------------------------------------------------------------------


def test_coop_help_and_clearing_plan_load_no_chain_or_database_library() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from node.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "heavy = {'web3', 'sqlalchemy', 'pydantic', 'pydantic_settings', 'numpy', 'ortools',\n"
        "         'cryptography', 'fastapi', 'eth_account'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_node_cli_and_command_modules_do_not_import_each_other() -> None:
    commands = [
        ROOT / "node" / "api" / "cli.py",
        ROOT / "node" / "chain" / "cli.py",
        ROOT / "node" / "clearing" / "cli.py",
        ROOT / "node" / "cooperative" / "cli.py",
        ROOT / "node" / "identity" / "cli.py",
        ROOT / "indexer" / "cli.py",
    ]
    for path in commands:
        assert "from node.cli import" not in path.read_text(encoding="utf-8"), path


def test_without_the_c_part_the_command_writes_the_same_plan(tmp_path: Path) -> None:
    rng = random.Random(3)
    rows = "".join(
        f"{ob.id},{ob.debtor},{ob.creditor},{ob.amount}\n"
        for ob in random_obligations(rng, 2000, 200)
    )
    source = tmp_path / "obligations.csv"
    source.write_text("id,debtor,creditor,amount\n" + rows, encoding="utf-8")
    outputs = []
    for native in ("1", "0"):
        target = tmp_path / f"plan-{native}.json"
        env = {**os.environ, "COOP_CLEARING_NATIVE": native, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [str(COOP), "clearing", "plan", "-i", str(source), "-o", str(target)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
