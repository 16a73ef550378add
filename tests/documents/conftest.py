"""One cooperative's life on anvil, read back as documents.

The scenario is the gateway suite's stack (`tests/api/conftest.py`: anvil, a governed
cooperative, the fund and the property register, the indexer, uvicorn) and its schema objects
(two members admitted by a council decision that also convened a meeting and minted an asset;
a loan request, an offer, an order). On top: the members' identity records, and the meeting
voted and closed, so that its protocol has a tally and a list of voters.

Also a small real PDF for the sealing tests (pyHanko's writer: one blank A4 page with a
line of text), so that the seal is tested apart from the PDF/A renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from node.governance.sandbox import warp
from tests.api.conftest import Api, SchemaObjects, api, schema_objects  # noqa: F401


def blank_pdf(text: str = "Protocol No. 1") -> bytes:
    writer = PdfFileWriter()
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            }
        )
    )
    stream = generic.StreamObject(stream_data=f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode())
    page = PageObject(
        contents=writer.add_object(stream),
        media_box=generic.ArrayObject([generic.NumberObject(x) for x in (0, 0, 595, 842)]),
        resources=generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/F1"): font}
                )
            }
        ),
    )
    writer.insert_page(page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pdf() -> bytes:
    return blank_pdf()


IDENTITIES = {
    "owner": {
        "name": "Петрова Анна Сергеевна",
        "birth_date": "1985-03-02",
        "document_number": "4512 654321",
        "address": "Тверь, ул. Советская, 5",
    },
    "buyer": {
        "name": "Смирнов Олег Иванович",
        "birth_date": "1979-11-20",
        "document_number": "4501 111222",
        "address": "Тверь, пр. Ленина, 12",
    },
}


@dataclass(frozen=True)
class Scenario:
    api: Api
    owner: LocalAccount
    buyer: LocalAccount
    ids: dict[str, Any]
    """item_id, meeting_id, loan_id, token_id, order_id of the schema objects."""
    voters: dict[str, list[int]]
    """Who voted at the meeting, and how."""


@pytest.fixture(scope="session")
def scenario(api: Api, schema_objects: SchemaObjects) -> Scenario:  # noqa: F811
    owner, buyer = schema_objects.owner, schema_objects.buyer
    for who, account in (("owner", owner), ("buyer", buyer)):
        api.ok(
            api.http.put(
                f"/members/{account.address}/identity",
                json=IDENTITIES[who],
                headers=api.headers(account),
            )
        )
    p = schema_objects.parameters
    meeting = api.sandbox.governance.meeting
    meeting_id = int(p["path.meeting_id"])
    info = meeting.meeting(meeting_id)
    warp(api.chain, info.opens_at + 1)
    voters = {owner.address: [1], buyer.address: [0], api.sandbox.members[0].address: [1]}
    by_account = {a.address: a for a in (owner, buyer, api.sandbox.members[0])}
    for address, choices in voters.items():
        meeting.cast_ballot(by_account[address], meeting_id, choices)
    warp(api.chain, info.closes_at + 1)
    meeting.close(api.sandbox.chair, meeting_id)
    api.synced()
    ids = {
        "item_id": int(p["path.item_id"]),
        "meeting_id": meeting_id,
        "loan_id": int(p["path.loan_id"]),
        "token_id": int(p["path.token_id"]),
        "order_id": int(p["path.order_id"]),
    }
    return Scenario(api, owner, buyer, ids, voters)
