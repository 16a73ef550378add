"""The mutual-aid fund: the pool, members' positions, loans as `loan(id)` answers (borrowers
and guarantors at their current address after key recoveries) and each loan's events.

A cooperative's fund is not announced by any event (it is watched as a root from the
deployment record): these functions take the contract's address, and `fund_contracts` lists
the funds whose events the mirror holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from indexer.models import (
    LOAN_STATE,
    EventRef,
    FundPositionPublic,
    FundPositionsPublic,
    GuaranteePublic,
    LoanPublic,
)
from indexer.queries.common import (
    FUND_ENTRY,
    FUND_LOAN,
    Db,
    NotFound,
    Page,
    _chain,
    _events_of,
    _exec,
    _latest,
    _ref,
    _refs,
    current_block,
)


def fund_contracts(db: Db, chain_id: int | None = None) -> list[str]:
    """Every MutualAidFund with mirrored events."""
    cid = _chain(db, chain_id)
    found: set[str] = set()
    for table in (FUND_ENTRY, FUND_LOAN):
        found |= {
            r[0] for r in _exec(db, sa.select(table.c.contract).where(table.c.chain_id == cid))
        }
    return sorted(found)


def _rebinds(db: Db, chain_id: int, fund: str) -> dict[str, str]:
    """old address -> new address, from the key recoveries of `fund`."""
    rows = list(
        _exec(
            db,
            sa.select(FUND_ENTRY.c.block_hash, FUND_ENTRY.c.log_index, FUND_ENTRY.c.account)
            .add_columns(FUND_ENTRY.c.action)
            .where(
                FUND_ENTRY.c.chain_id == chain_id,
                FUND_ENTRY.c.contract == fund,
                FUND_ENTRY.c.action.in_(("rebound_from", "rebound_to")),
            ),
        )
    )
    new = {(r.block_hash, r.log_index): r.account for r in rows if r.action == "rebound_to"}
    return {
        r.account: new[(r.block_hash, r.log_index)]
        for r in rows
        if r.action == "rebound_from" and (r.block_hash, r.log_index) in new
    }


def _current_address(rebinds: dict[str, str], account: str) -> str:
    seen = {account}
    while account in rebinds and rebinds[account] not in seen:
        account = rebinds[account]
        seen.add(account)
    return account


def _pool_row(db: Db, chain_id: int, fund: str) -> Any:
    found = []
    for table in (FUND_ENTRY, FUND_LOAN):
        row = _exec(
            db,
            sa.select(
                table.c.block_number,
                table.c.log_index,
                table.c.pool_cash,
                table.c.pool_lent,
                table.c.pool_units,
            )
            .where(table.c.chain_id == chain_id, table.c.contract == fund)
            .order_by(table.c.block_number.desc(), table.c.log_index.desc())
            .limit(1),
        ).first()
        if row is not None:
            found.append(row)
    if not found:
        raise NotFound(f"no mutual-aid fund events of {fund} in the mirror")
    return max(found, key=lambda r: (int(r.block_number), int(r.log_index)))


def fund_positions(db: Db, fund: str, chain_id: int | None = None) -> FundPositionsPublic:
    """The pool (`pool()`: cash, lent, total units) and every member with units or history in
    the fund: units (`positionOf.units`), balance at the book value (`balanceOf` when no loan is
    marked down) and net contributions."""
    from indexer.projections.fund import value_of

    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    try:
        pool = _pool_row(db, cid, fund)
    except NotFound:  # a fund nobody has contributed to yet: an empty pool
        return FundPositionsPublic(
            contract=fund, cash=0, lent=0, total_units=0, positions=[], as_of=as_of
        )
    cash, lent, total = int(pool.pool_cash), int(pool.pool_lent), int(pool.pool_units)
    sub = _latest(
        FUND_ENTRY, ("account",), FUND_ENTRY.c.chain_id == cid, FUND_ENTRY.c.contract == fund
    )
    rows = list(_exec(db, sa.select(sub).order_by(sub.c.account)))
    refs = _refs(db, cid, rows)
    positions = [
        FundPositionPublic(
            contract=fund,
            account=r.account,
            units=int(r.units_after),
            balance=value_of(int(r.units_after), cash, lent, total),
            contributed=int(r.contributed_after),
            last_event=_ref(refs, r),
        )
        for r in rows
    ]
    return FundPositionsPublic(
        contract=fund, cash=cash, lent=lent, total_units=total, positions=positions, as_of=as_of
    )


_ACTIVE_LOAN, _APPROVED_LOAN, _DEFAULTED_LOAN = 3, 2, 4


def _loan_state(status: int) -> int:
    """Stored `LoanStatus` -> `LoanState` (the mirror does not derive `Overdue`)."""
    return status if status <= _ACTIVE_LOAN else status + 1


def _outstanding(status: int, principal: int, interest: int, repaid: int) -> int:
    """`outstanding(id)`."""
    if status in (_ACTIVE_LOAN, _DEFAULTED_LOAN):
        return principal + interest - repaid
    return principal + interest if status == _APPROVED_LOAN else 0


def _loan_status_codes(state: int) -> list[int]:
    """Stored `LoanStatus` values whose `LoanState` is `state` (inverse of `_loan_state`)."""
    if state <= _ACTIVE_LOAN:
        return [state]
    if state == _ACTIVE_LOAN + 1:  # Overdue: derived from time, never stored
        return []
    return [state - 1]


def _loan_public(
    fund: str,
    r: Any,
    rebinds: dict[str, str],
    refs: dict[tuple[str, int], EventRef],
    first: dict[int, EventRef],
) -> LoanPublic:
    st, principal, interest, repaid = (
        int(r.status),
        int(r.principal),
        int(r.interest),
        int(r.repaid),
    )
    guarantees = [
        GuaranteePublic(
            guarantor=_current_address(rebinds, g),
            amount=int(p),
            accepted=bool(int(r.accepted_mask) >> i & 1),
        )
        for i, (g, p) in enumerate(zip(r.guarantors or [], r.pledges or [], strict=True))
    ]
    return LoanPublic(
        contract=fund,
        loan_id=int(r.loan_id),
        status=st,
        state=_loan_state(st),
        state_name=LOAN_STATE[_loan_state(st)],
        borrower=_current_address(rebinds, r.borrower),
        principal=principal,
        interest=interest,
        repaid=repaid,
        outstanding=_outstanding(st, principal, interest, repaid),
        term=int(r.term),
        instalments=int(r.instalments),
        custom_schedule=bool(r.custom_schedule),
        disbursed_at=int(r.disbursed_at),
        purpose=r.purpose,
        guarantees=guarantees,
        accepted_mask=int(r.accepted_mask),
        requested=first.get(int(r.loan_id), _ref(refs, r)),
        last_event=_ref(refs, r),
    )


def list_loans(
    db: Db,
    fund: str,
    borrower: str | None = None,
    status: int | str | None = None,
    offset: int = 0,
    limit: int = 100,
    chain_id: int | None = None,
    *,
    loan_id: int | None = None,
) -> Page[LoanPublic]:
    """Loans of a fund as `loan(id)` answers (state without `Overdue`, which depends on time
    and the schedule), with `outstanding(id)` and the guarantees. `status` filters on the
    `LoanState` (number or name: "requested", "active", ...); `borrower` on the current address
    (after key recoveries). Filtered, counted and paged in SQL: only the page is loaded."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rebinds = _rebinds(db, cid, fund)
    where: list[Any] = [FUND_LOAN.c.chain_id == cid, FUND_LOAN.c.contract == fund]
    if loan_id is not None:
        where.append(FUND_LOAN.c.loan_id == loan_id)
    sub = _latest(FUND_LOAN, ("loan_id",), *where)
    conditions: list[Any] = []
    if status is not None:
        code = LOAN_STATE.index(status) if isinstance(status, str) else int(status)
        conditions.append(sub.c.status.in_(_loan_status_codes(code)))
    if borrower is not None:
        # Every stored address whose current address (after recoveries) is `borrower`.
        stored = {a for a in {borrower, *rebinds} if _current_address(rebinds, a) == borrower}
        conditions.append(sub.c.borrower.in_(sorted(stored)))
    total = int(
        _exec(db, sa.select(sa.func.count()).select_from(sub).where(*conditions)).scalar_one()
    )
    page = list(
        _exec(
            db,
            sa.select(sub).where(*conditions).order_by(sub.c.loan_id).offset(offset).limit(limit),
        )
    )
    requested = _events_of(db, FUND_LOAN, cid, fund, "requested", "loan_id", page)
    refs = _refs(db, cid, [*page, *requested])
    first = {int(r.loan_id): _ref(refs, r) for r in requested}
    data = [_loan_public(fund, r, rebinds, refs, first) for r in page]
    return Page[LoanPublic](data=data, count=total, as_of=as_of)


def get_loan(db: Db, fund: str, loan_id: int, chain_id: int | None = None) -> LoanPublic | None:
    """One loan as `list_loans` describes it (None when the mirror has no such loan)."""
    page = list_loans(db, fund, loan_id=loan_id, limit=1, chain_id=chain_id)
    return page.data[0] if page.data else None


class LoanEventPublic(BaseModel):
    """One event of a loan's life (request, guarantee, approval, disbursement, repayment...)."""

    loan_id: int
    action: str
    actor: str | None
    amount: int
    status: int
    """Stored `LoanStatus` after the event."""
    state_name: str
    repaid: int
    """Total repaid after the event."""
    decision: str | None
    event: EventRef


def loan_history(
    db: Db, fund: str, loan_id: int, chain_id: int | None = None
) -> Page[LoanEventPublic]:
    """Every event of one loan, oldest first."""
    cid = _chain(db, chain_id)
    as_of = current_block(db, cid)
    rebinds = _rebinds(db, cid, fund)
    rows = list(
        _exec(
            db,
            sa.select(FUND_LOAN)
            .where(
                FUND_LOAN.c.chain_id == cid,
                FUND_LOAN.c.contract == fund,
                FUND_LOAN.c.loan_id == loan_id,
            )
            .order_by(FUND_LOAN.c.block_number, FUND_LOAN.c.log_index),
        )
    )
    refs = _refs(db, cid, rows)
    data = [
        LoanEventPublic(
            loan_id=int(r.loan_id),
            action=r.action,
            actor=_current_address(rebinds, r.actor) if r.actor else None,
            amount=int(r.amount),
            status=int(r.status),
            state_name=LOAN_STATE[_loan_state(int(r.status))],
            repaid=int(r.repaid),
            decision=r.decision,
            event=_ref(refs, r),
        )
        for r in rows
    ]
    return Page[LoanEventPublic](data=data, count=len(data), as_of=as_of)
