"""Benchmark of document generation: PDF/A-3b per document kind, and a 10,000-member register.

Run: ``.venv/bin/python benchmarks/bench_documents.py`` (``--help`` for options). Renders each
kind from representative facts (the shapes `node/documents/facts.py` builds from the mirror:
a meeting of 3 questions and 40 ballots, a council item with 5 votes, a loan of 12 instalments
with 2 guarantees, a share ledger of 10 entries...) with the shipped templates, the way the
gateway does (Jinja2 in a sandbox, then WeasyPrint with the source attached), and measures the
wall time (median of ``--repeat`` runs after one warm-up), the pages and the size. Each PDF is
regenerated from its own embedded source and compared byte for byte. Then the register of
members (реестр пайщиков) for ``--members`` members (default 10,000): render time, pages, size,
and the time to regenerate it from the file. Reading the facts from the mirror is not included
(`queries.list_members` pages of 500: see benchmarks/indexer_results.md for query times).
Writes a markdown report, with the command that produced it, to
``benchmarks/documents_results.md``.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader

from node.documents.kinds import KINDS
from node.documents.pdf import make, regenerate
from node.documents.template_store import TemplateStore

TOKEN = 10**18
T0 = 1_790_000_000


def addr(i: int) -> str:
    return "0x" + f"{i:040x}"


def h32(i: int) -> str:
    return "0x" + f"{i:064x}"


COOP = {"name": "Потребительский кооператив «Рассвет»", "charter": addr(1), "chain_id": 31337}
BASE = {"cooperative": COOP, "date": "2026-12-05", "as_of": 123_456, "chair": addr(2)}


def member(i: int, name: str | None = None) -> dict[str, Any]:
    return {
        "account": addr(1000 + i),
        "name": name,
        "kind_name": "individual" if i % 10 else "organisation",
        "status_name": "member",
        "applied_at": T0 + i,
        "admitted_at": T0 + 86_400 + i,
        "share_balance": str((1000 + i % 97) * TOKEN),
        "refundable": str((1000 + i % 97) * TOKEN),
        "shares": {
            "minimum_share": str(1000 * TOKEN),
            "voluntary_shares": str((i % 97) * TOKEN),
            "in_kind_shares": "0",
            "entrance_fee": str(100 * TOKEN),
        },
    }


def meeting(ballots: int = 40) -> dict[str, Any]:
    return {
        "meeting_id": 4,
        "contract": addr(3),
        "state_name": "closed",
        "opens_at": T0,
        "closes_at": T0 + 7 * 86_400,
        "record_block": 1000,
        "quorum_bps": 5000,
        "eligible": 60,
        "participants": ballots,
        "quorum_reached": True,
        "chair": addr(2),
        "secretary": addr(4),
        "questions": [
            {
                "index": i,
                "text": t,
                "document_hash": h32(100 + i),
                "for_votes": 30,
                "against_votes": 6,
                "abstain_votes": 4,
                "accepted": True,
            }
            for i, t in enumerate(
                ("Утвердить годовой отчёт", "Утвердить смету", "Избрать ревизора")
            )
        ],
        "ballots": [
            {
                "voter": addr(1000 + i),
                "choices": [1, i % 3, 1],
                "by_signature": bool(i % 2),
                "rejected_reason": None,
                "block": 2000 + i,
            }
            for i in range(ballots)
        ],
    }


def item(item_id: int = 9) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "title": "Приём в пайщики",
        "state_name": "executed",
        "for_votes": 4,
        "against_votes": 1,
        "abstain_votes": 0,
        "document_hash": h32(9),
        "protocol_hash": h32(9),
        "proposer": addr(5),
        "votes": [
            {"member": addr(5 + i), "support": int(i != 4), "block": 900 + i} for i in range(5)
        ],
    }


IDENTITY = {
    "name": "Петрова Анна Сергеевна",
    "birth_date": "1985-03-02",
    "document_number": "4512 654321",
    "address": "Тверь, ул. Советская, 5",
    "wallet": addr(1000),
    "identity_hash": h32(77),
}
DECISION = {
    "agenda": "Приём в пайщики",
    "text": "Принять в пайщики",
    "persons": [{"account": addr(1000 + i), "name": f"Пайщик {i}"} for i in range(3)],
    "amount": None,
}


AGREEMENT = {
    "registry": "0x" + "ab" * 20,
    "version": 3,
    "effective_date": "2026-12-01",
}


def sample(kind: str) -> dict[str, Any]:
    """Representative facts of `kind`."""
    fees = {"entrance_fee": str(100 * TOKEN), "minimum_share": str(1000 * TOKEN)}
    m = member(0, "Петрова Анна Сергеевна")
    per_kind: dict[str, dict[str, Any]] = {
        "membership_application": {"applicant": IDENTITY, "fees": fees},
        "membership_application_organisation": {
            "applicant": {
                **IDENTITY,
                "name": "ООО «Тверские сады»",
                "ogrn": "1026900000017",
                "inn": "6901000017",
                "representative": "Петрова А. С., директор",
            },
            "fees": fees,
        },
        "agreement_pep": AGREEMENT,
        "consent_personal_data": AGREEMENT,
        "council_decision": {"decision": DECISION},
        "council_admission": {
            "decision": {**DECISION, "subject_ru": "о приёме в пайщики"},
            "item": item(),
        },
        "council_exclusion": {"decision": {**DECISION, "subject_ru": "об исключении"}},
        "council_payout": {
            "decision": {**DECISION, "subject_ru": "о выплате", "amount": str(250 * TOKEN)}
        },
        "council_protocol": {
            "council": [addr(5 + i) for i in range(5)],
            "present": [addr(5 + i) for i in range(5)],
            "items": [item(i) for i in range(1, 6)],
        },
        "meeting_notice": {"meeting": {**meeting(0), "ballots": []}},
        "ballot": {
            "meeting": {k: v for k, v in meeting(0).items() if k != "ballots"},
            "voter": {"account": addr(1000), "name": m["name"], "choices": [1, 0, 2]},
        },
        "meeting_protocol": {"meeting": meeting(40)},
        "exit_application": {"member": m, "refund_details": "р/с 40817810000000000001"},
        "share_refund": {"member": m, "deductions": "0", "to_refund": m["refundable"]},
        "loan_agreement": {
            "loan": {
                "loan_id": 3,
                "contract": addr(6),
                "borrower": addr(1000),
                "principal": str(120_000 * TOKEN),
                "interest": str(6_000 * TOKEN),
                "term": 365 * 86_400,
                "instalments": 12,
                "disbursed_at": T0,
                "purpose": h32(5),
                "state_name": "active",
                "guarantees": [
                    {"guarantor": addr(1001), "amount": str(30_000 * TOKEN), "accepted": True},
                    {"guarantor": addr(1002), "amount": str(30_000 * TOKEN), "accepted": True},
                ],
            },
            "borrower": {"name": m["name"]},
            "schedule": [
                {
                    "index": i,
                    "due": T0 + i * 30 * 86_400,
                    "after_days": i * 30,
                    "amount": str(10_500 * TOKEN),
                    "remaining": str((12 - i) * 10_500 * TOKEN),
                }
                for i in range(1, 13)
            ],
        },
        "property_act": {
            "direction": "contribution",
            "party": {"account": addr(1000), "name": m["name"]},
            "asset": {
                "token_id": 7,
                "contract": addr(7),
                "title": h32(8),
                "category_name": "equipment",
                "valuation": str(350_000 * TOKEN),
                "custodian": addr(1000),
                "metadata_hash": h32(9),
                "encumbered": False,
                "pledgee": addr(0),
                "pledge_amount": "0",
                "disposal_name": None,
                "disposal_amount": "0",
            },
        },
        "delivery_act": {
            "order": {
                "id": 12,
                "supplier": addr(1000),
                "buyer": addr(1001),
                "title": "Саженцы яблони",
                "quantity": 40,
                "unit": "шт.",
                "unit_price": str(350 * TOKEN),
                "total": str(14_000 * TOKEN),
                "document_sha256": f"{12:064x}",
                "obligation_id": 5,
            }
        },
        "member_extract": {
            "member": m,
            "ledger": [
                {"block": 100 + i, "entry": "voluntary", "amount": str(10 * TOKEN)}
                for i in range(10)
            ],
        },
        "member_register": register(100),
    }
    return {**BASE, **per_kind[kind]}


def register(n: int) -> dict[str, Any]:
    members = [member(i) for i in range(n)]
    total = sum(int(m["share_balance"]) for m in members)
    return {"members": members, "total_shares": str(total)}


def measure(store: TemplateStore, kind: str, facts: dict[str, Any], repeat: int) -> dict[str, Any]:
    pdf, _ = make(store, kind, facts)  # warm-up (the first run also loads the fonts)
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        again, _ = make(store, kind, facts)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert again == pdf, f"{kind}: not deterministic"
    t = time.perf_counter()
    assert regenerate(pdf, store) == pdf, f"{kind}: does not regenerate"
    regen = time.perf_counter() - t
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "cpu": statistics.median(cpu),
        "regenerate": regen,
        "pages": pages,
        "size": len(pdf),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per kind")
    parser.add_argument("--members", type=int, default=10_000, help="members in the register")
    parser.add_argument(
        "--out", default=str(Path(__file__).with_name("documents_results.md")), help="report file"
    )
    args = parser.parse_args()
    store = TemplateStore(Path(tempfile.mkdtemp(prefix="coop-bench-templates-")))
    rows = []
    for kind in KINDS:
        r = measure(store, kind, sample(kind), args.repeat)
        rows.append((kind, r))
        print(
            f"{kind:40} {r['median'] * 1000:8.0f} ms  {r['pages']:3} p  {r['size']:8} B", flush=True
        )

    big = {**BASE, **register(args.members)}
    t, c = time.perf_counter(), time.process_time()
    pdf, _ = make(store, "member_register", big)
    render_s, render_cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    same = regenerate(pdf, store) == pdf
    regen_s = time.perf_counter() - t
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"register of {args.members}: {render_s:.1f} s, {pages} pages, {len(pdf)} B", flush=True)

    import weasyprint

    lines = [
        "# Documents: PDF/A-3b generation",
        "",
        "Generated by `benchmarks/bench_documents.py`; do not edit by hand.",
        "",
        f"Command: `{shlex.join(['python', *sys.argv])}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), Python "
        f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}.",
        "",
        "Each kind is rendered from representative facts (the shapes the fact builders make",
        "from the mirror) with the shipped templates: Jinja2 in a sandbox, then WeasyPrint to",
        "PDF/A-3b with DejaVu embedded (subset) and the facts attached as `source.json`. Every",
        "timed run is compared byte for byte with the first (determinism), and the PDF is",
        "regenerated from its own source. The machine is shared with other jobs: the wall",
        "times are an upper bound, and the CPU time of the process (`time.process_time`;",
        "rendering is single-threaded) is the cost itself. The first render of a process also",
        "loads the fonts (excluded: a warm-up run comes first).",
        "",
        f"## Per document kind (median of {args.repeat} runs)",
        "",
        "| kind | template | median, ms | min, ms | CPU, ms | regenerate, ms | pages | size, KiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, r in rows:
        lines.append(
            f"| {kind} | `{KINDS[kind].template}` | {r['median'] * 1000:.0f} | "
            f"{r['min'] * 1000:.0f} | {r['cpu'] * 1000:.0f} | {r['regenerate'] * 1000:.0f} | "
            f"{r['pages']} | "
            f"{r['size'] / 1024:.1f} |"
        )
    lines += [
        "",
        f"## Register of members: {args.members:,} members",
        "",
        "| render, s | CPU, s | regenerate, s | identical | pages | size, MiB | per member, ms |",
        "|---:|---:|---:|---|---:|---:|---:|",
        f"| {render_s:.1f} | {render_cpu:.1f} | {regen_s:.1f} | {'yes' if same else 'NO'} | "
        f"{pages} | "
        f"{len(pdf) / 2**20:.2f} | {render_s * 1000 / args.members:.2f} |",
        "",
        "The register is one table over every page (its header repeated on each page).",
        "The gateway renders it in a worker thread: a request for it holds one thread for",
        "the time above.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
