"""Issue #14: every packed counter of the mutual-aid fund is overflow-checked. Each test pushes
one counter to its bound with the mintable test token and sees the clean, named refusal
(`MutualAidFundAmountTooLarge(amount, max)`, `MutualAidFundTooManyLoans`,
`MutualAidFundTooManyParties`), never a silent wrap nor a generic panic, and nothing changed.

The per-party counters (8 bits: 255 open loans, 255 open pledges) and the key counter (32
bits) would take hundreds of council decisions or four billion members to fill: the tests set
them just below the bound with `anvil_setStorageAt` (the slots are checked against the
contract's own views first) and then make the real calls that reach it."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.fund import FundRules, LoanRequest, LoanState
from node.governance.sandbox import h
from tests.fund.conftest import (
    MONTH,
    RULES,
    TOKEN,
    World,
    advance,
    council_decides,
    expect_revert,
    fund_state,
    meeting_decides,
)

MAX_DUE = 2**112 - 1
MAX_PLEDGE = 2**96 - 1
MAX_POOL = 2**128 - 1

# Storage slots of MutualAidFund (declaration order; OpenZeppelin 5's Initializable keeps its
# state in an ERC-7201 namespace).
SLOT_COUNTERS = 0  # _charter (20 bytes), _loanCount (8), _keyCount (4)
SLOT_POOL = 3  # _cash (low 16 bytes), _totalUnits
SLOT_MEMBERS = 7
SLOT_PARTIES = 8


def _mint(w: World, member: LocalAccount, amount: int) -> None:
    token = w.sb.cooperative.token
    w.chain.transact(token.functions.mint(member.address, amount), w.sb.deployer)


def _slot(w: World, slot: int) -> int:
    raw = w.chain.w3.eth.get_storage_at(w.fund.address, slot)
    return int.from_bytes(bytes(raw), "big")


def _poke(w: World, slot: int, value: int) -> None:
    w.chain.w3.provider.make_request(
        "anvil_setStorageAt",  # type: ignore[arg-type]
        [w.fund.address, hex(slot), "0x" + value.to_bytes(32, "big").hex()],
    )


def _mapping_slot(key: int | str, slot: int) -> int:
    encoded = int(key, 16) if isinstance(key, str) else key
    return int.from_bytes(keccak(encoded.to_bytes(32, "big") + slot.to_bytes(32, "big")), "big")


def _party_slot(w: World, member: LocalAccount) -> int:
    """Slot 0 of the member's party record: account (20 bytes), openLoans, openPledges."""
    member_word = _slot(w, _mapping_slot(member.address, SLOT_MEMBERS))
    key = member_word >> 224  # units (16 bytes), pledged (12), key (4)
    assert key != 0
    slot = _mapping_slot(key, SLOT_PARTIES)
    assert _slot(w, slot) & (2**160 - 1) == int(member.address, 16)
    return slot


def _interest_rules(w: World) -> None:
    rules = FundRules(
        loan_to_contribution_bps=RULES.loan_to_contribution_bps,
        reserve_bps=RULES.reserve_bps,
        interest_bps=1_200,
        max_term=RULES.max_term,
        max_loan_per_member=MAX_POOL,
    )
    document = h("interest, no member cap")
    meeting_id = meeting_decides(w, [w.fund.rules_question(rules, document)], label="rules")
    w.fund.set_rules(w.members[4], rules, document, meeting_id, 0)


def test_loan_principal_and_pledge_bounds(world: World) -> None:
    """A principal above 112 bits and a pledge above 96 bits are refused at the request; the
    largest ones are accepted."""
    w = world
    m0, m1 = w.members[:2]
    state = fund_state(w)
    expect_revert(
        lambda: w.fund.request_loan(
            m0, LoanRequest(amount=MAX_DUE + 1, term=MONTH, purpose=h("huge"))
        ),
        "MutualAidFundAmountTooLarge",
        MAX_DUE + 1,
        MAX_DUE,
    )
    expect_revert(
        lambda: w.fund.request_loan(
            m0,
            LoanRequest(
                amount=TOKEN,
                term=MONTH,
                purpose=h("huge pledge"),
                guarantors=(m1.address,),
                pledges=(MAX_PLEDGE + 1,),
            ),
        ),
        "MutualAidFundAmountTooLarge",
        MAX_PLEDGE + 1,
        MAX_PLEDGE,
    )
    # A custom schedule whose parts would overflow uint256 when summed: a malformed request.
    expect_revert(
        lambda: w.fund.request_loan(
            m0,
            LoanRequest(
                amount=TOKEN,
                term=MONTH,
                instalments=2,
                purpose=h("wrap"),
                schedule=(2**256 - 1, TOKEN + 1),
            ),
        ),
        "MutualAidFundInvalidRequest",
    )
    assert fund_state(w) == state
    loan_id, _ = w.fund.request_loan(
        m0,
        LoanRequest(
            amount=MAX_DUE,
            term=MONTH,
            purpose=h("largest"),
            guarantors=(m1.address,),
            pledges=(MAX_PLEDGE,),
        ),
    )
    info = w.fund.loan(loan_id)
    assert info.principal == MAX_DUE
    assert w.fund.guarantees(loan_id)[0].amount == MAX_PLEDGE


def test_a_members_pledges_stop_at_96_bits(world: World) -> None:
    """A guarantor whose balance is far above 96 bits accepts one largest pledge; a second one
    would wrap the 96-bit pledged total and is refused."""
    w = world
    m0, m2, guarantor = w.members[0], w.members[2], w.members[1]
    _mint(w, guarantor, 2**98)
    w.fund.contribute(guarantor, 2**98)
    request = LoanRequest(
        amount=TOKEN,
        term=MONTH,
        purpose=h("first"),
        guarantors=(guarantor.address,),
        pledges=(MAX_PLEDGE,),
    )
    first, _ = w.fund.request_loan(m0, request)
    second, _ = w.fund.request_loan(m2, request)
    w.fund.accept_guarantee(guarantor, first)
    position = w.fund.position(guarantor.address)
    assert position.pledged == MAX_PLEDGE
    assert position.withdrawable > MAX_PLEDGE  # the balance is not what stops it
    state = fund_state(w, [first, second])
    expect_revert(
        lambda: w.fund.accept_guarantee(guarantor, second),
        "MutualAidFundAmountTooLarge",
        MAX_PLEDGE,
        0,
    )
    assert fund_state(w, [first, second]) == state
    # Released pledges make room again.
    w.fund.cancel_loan(m0, first)
    w.fund.accept_guarantee(guarantor, second)
    assert w.fund.position(guarantor.address).pledged == MAX_PLEDGE


def test_pool_value_stops_at_128_bits(world: World) -> None:
    """Contributions fill the pool's entry value up to 2**128 - 1 exactly; one more token unit
    is refused (the lent principal, pending interest, marked-down principal and every member's
    outstanding principal are parts of it, so they cannot wrap either)."""
    w = world
    m0, m1 = w.members[:2]
    _mint(w, m0, 2**128)
    current = w.fund.valuation().entry_value
    state = fund_state(w)
    room = MAX_POOL - current
    expect_revert(
        lambda: w.fund.contribute(m0, room + 1),
        "MutualAidFundAmountTooLarge",
        room + 1,
        room,
    )
    assert fund_state(w) == state
    w.fund.contribute(m0, room)
    assert w.fund.valuation().entry_value == MAX_POOL
    assert w.fund.pool().cash == MAX_POOL
    assert _slot(w, SLOT_POOL) & MAX_POOL == MAX_POOL  # the layout the other tests poke
    expect_revert(lambda: w.fund.contribute(m1, 1), "MutualAidFundAmountTooLarge", 1, 0)
    # Lending from a full pool keeps the value within the bound.
    loan_id, _ = w.fund.request_loan(
        m0, LoanRequest(amount=5_000 * TOKEN, term=MONTH, purpose=h("loan from a full pool"))
    )
    council_decides(
        w,
        [w.fund.approve_action(loan_id, h("approve")), w.fund.disburse_action(loan_id)],
        "approve",
    )
    pool = w.fund.pool()
    assert (pool.cash + pool.lent, pool.lent) == (MAX_POOL, 5_000 * TOKEN)
    w.fund.repay(m0, loan_id, 5_000 * TOKEN)
    assert w.fund.pool().cash == MAX_POOL


def test_interest_stops_at_the_loan_and_pool_bounds(world: World) -> None:
    """At approval the interest must keep the loan's total due within 112 bits and the pool's
    entry value within 128 bits."""
    w = world
    m0, m1 = w.members[:2]
    _interest_rules(w)
    _mint(w, m0, 2**128)
    w.fund.contribute(m0, 2**112 * 13 // 10)
    largest, _ = w.fund.request_loan(
        m0, LoanRequest(amount=MAX_DUE, term=12 * MONTH, purpose=h("largest"))
    )
    state = fund_state(w, [largest])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(largest, h("a1"))], "a1"),
        "MutualAidFundAmountTooLarge",
        MAX_DUE * 1_200 * 12 * MONTH // (10_000 * 365 * 24 * 3600),
        0,
    )
    assert fund_state(w, [largest]) == state
    w.fund.cancel_loan(m0, largest)

    # The pool one unit short of 2**128 - 10: a loan whose interest is above 10 is refused.
    w.fund.contribute(m0, MAX_POOL - 10 - w.fund.valuation().entry_value)
    loan_id, _ = w.fund.request_loan(
        m0, LoanRequest(amount=1_000 * TOKEN, term=12 * MONTH, purpose=h("small"))
    )
    interest = 1_000 * TOKEN * 1_200 * 12 * MONTH // (10_000 * 365 * 24 * 3600)
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(loan_id, h("a2"))], "a2"),
        "MutualAidFundAmountTooLarge",
        interest,
        10,
    )
    assert fund_state(w, [loan_id]) == state
    assert w.fund.state(loan_id) == LoanState.REQUESTED
    assert m1.address  # the second member only watches


def test_units_stop_at_128_bits_after_a_loss(world: World) -> None:
    """After a large write-off a unit is worth a fifth of a token unit: a contribution within
    the value bound would buy more units than 128 bits hold, and is refused."""
    w = world
    m0 = w.members[0]
    w.fund.contribute(m0, 1_000 * TOKEN)
    loan_id, _ = w.fund.request_loan(
        m0, LoanRequest(amount=800 * TOKEN, term=MONTH, purpose=h("lost"))
    )
    council_decides(
        w,
        [w.fund.approve_action(loan_id, h("a")), w.fund.disburse_action(loan_id)],
        "approve",
    )
    advance(w, MONTH + 1)
    document = h("write-off")
    meeting_id = meeting_decides(w, [w.fund.write_off_question(loan_id, document)])
    w.fund.write_off(w.members[1], loan_id, document, meeting_id, 0)
    pool = w.fund.pool()
    assert (pool.cash, pool.lent, pool.total_units) == (200 * TOKEN, 0, 1_000 * TOKEN)
    _mint(w, m0, 2**127)
    amount = 2**126
    units = amount * (pool.total_units + 1) // (pool.cash + 1)
    assert pool.cash + amount < MAX_POOL < pool.total_units + units
    state = fund_state(w, [loan_id])
    expect_revert(
        lambda: w.fund.contribute(m0, amount),
        "MutualAidFundAmountTooLarge",
        units,
        MAX_POOL - pool.total_units,
    )
    assert fund_state(w, [loan_id]) == state


def test_open_loans_and_pledges_stop_at_255(world: World) -> None:
    """The 8-bit counters of a party: the 255th open loan and pledge are accepted, the 256th
    refused with `MutualAidFundTooManyLoans`."""
    w = world
    m0, m1 = w.members[:2]
    w.fund.contribute(m0, 1_000 * TOKEN)
    w.fund.contribute(m1, 1_000 * TOKEN)
    request = LoanRequest(
        amount=TOKEN,
        term=MONTH,
        purpose=h("x"),
        guarantors=(m1.address,),
        pledges=(TOKEN,),
    )
    ids = [w.fund.request_loan(m0, request)[0] for _ in range(3)]
    w.fund.accept_guarantee(m1, ids[0])
    council_decides(w, [w.fund.approve_action(ids[0], h("a0"))], "a0")
    assert w.fund.position(m0.address).open_loans == 1
    assert w.fund.position(m1.address).open_pledges == 1

    # Set both counters to 254 (as if 253 more loans and pledges were open).
    borrower_slot, guarantor_slot = _party_slot(w, m0), _party_slot(w, m1)
    word = _slot(w, borrower_slot)
    assert (word >> 160) & 0xFF == 1
    _poke(w, borrower_slot, (word & ~(0xFF << 160)) | (254 << 160))
    word = _slot(w, guarantor_slot)
    assert (word >> 168) & 0xFF == 1
    _poke(w, guarantor_slot, (word & ~(0xFF << 168)) | (254 << 168))
    assert w.fund.position(m0.address).open_loans == 254
    assert w.fund.position(m1.address).open_pledges == 254

    w.fund.accept_guarantee(m1, ids[1])
    assert w.fund.position(m1.address).open_pledges == 255
    state = fund_state(w, ids)
    expect_revert(
        lambda: w.fund.accept_guarantee(m1, ids[2]),
        "MutualAidFundTooManyLoans",
        m1.address,
    )
    assert fund_state(w, ids) == state
    council_decides(w, [w.fund.approve_action(ids[1], h("a1"))], "a1")
    assert w.fund.position(m0.address).open_loans == 255
    third, _ = w.fund.request_loan(m0, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("y")))
    state = fund_state(w, [third])
    expect_revert(
        lambda: council_decides(w, [w.fund.approve_action(third, h("a2"))], "a2"),
        "MutualAidFundTooManyLoans",
        m0.address,
    )
    assert fund_state(w, [third]) == state


def test_party_keys_stop_at_32_bits(world: World) -> None:
    """The last of the 2**32 - 1 keys is handed out; the next new party is refused."""
    w = world
    m0, m1, m2 = w.members[:3]
    w.fund.request_loan(m0, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("first key")))
    word = _slot(w, SLOT_COUNTERS)
    assert word & (2**160 - 1) == int(w.sb.cooperative.addresses.charter, 16)
    assert (word >> 160) & (2**64 - 1) == w.fund.pool().loan_count == 1
    assert word >> 224 == 1  # one key handed out
    _poke(w, SLOT_COUNTERS, (word & (2**224 - 1)) | ((2**32 - 2) << 224))
    w.fund.request_loan(m1, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("last key")))
    assert _slot(w, SLOT_COUNTERS) >> 224 == 2**32 - 1
    state = fund_state(w, [1, 2])
    expect_revert(
        lambda: w.fund.request_loan(
            m2, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("no key left"))
        ),
        "MutualAidFundTooManyParties",
    )
    assert fund_state(w, [1, 2]) == state
    # Parties that have a key go on.
    w.fund.request_loan(m0, LoanRequest(amount=TOKEN, term=MONTH, purpose=h("old key")))
