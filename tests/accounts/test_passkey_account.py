"""Passkey accounts on chain: a member with only a passkey applies, is admitted, votes, accepts
an invoice, signs a document and transfers ВРЕ, each act checked by the contracts through
ERC-1271 (or the account's own `execute`); passkeys added and removed by the account itself;
every lost passkey recovered by the council; and every forgery refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from node.accounts.client import PasskeyAccounts
from node.accounts.passkeys import P256_N, execute_typed_data, replay_safe_hash
from node.chain.client import Chain, TransactionReverted
from node.cooperative.client import DocumentType, MemberKind, MemberStatus
from node.governance import Action, Choice, Question, ballot_digest
from node.governance.ballots import SignedBallot
from node.governance.sandbox import Sandbox, h
from node.units.client import SettlementUnitsClient as Units
from tests.accounts.authenticator import UP, UV, PasskeySigner, SoftPasskey, digest_of
from tests.governance.conftest import convene, open_voting

MAGIC = bytes.fromhex("1626ba7e")
TOKEN = 10**18


def expect_revert(action: Callable[[], object], error: str) -> None:
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"


def deadline(chain: Chain) -> int:
    """An hour after the chain's clock (the meetings warp it ahead of the wall clock)."""
    return int(chain.w3.eth.get_block("latest")["timestamp"]) + 3600


def call_as_account(
    accounts: PasskeyAccounts,
    relayer: LocalAccount,
    account: str,
    passkey: SoftPasskey,
    target: str,
    data: bytes,
    *,
    nonce: int | None = None,
    value: int = 0,
) -> object:
    """`execute` authorised by `passkey` (the Execute digest is the challenge)."""
    from eth_account.messages import encode_typed_data

    nonce = accounts.nonce(account) if nonce is None else nonce
    until = deadline(accounts.chain)
    typed = execute_typed_data(accounts.chain.chain_id, account, target, value, data, nonce, until)
    signature = passkey.signature(digest_of(encode_typed_data(full_message=typed)))
    return accounts.execute(relayer, account, target, value, data, nonce, until, signature)


def valid(account: Contract, digest: bytes, signature: bytes) -> bool:
    return bytes(account.functions.isValidSignature(digest, signature).call()) == MAGIC


def admit(coop: Sandbox, address: str, label: str) -> None:
    membership = coop.cooperative.membership
    action = Action.call(membership, "admit", address, h(f"admission {label}"))
    coop.governance.council.decide(
        coop.council[0], coop.council[:2], coop.chair, h(f"admit {label}"), [action]
    )


def test_factory_address_is_counterfactual_and_creation_idempotent(
    coop: Sandbox, accounts_factory: PasskeyAccounts
) -> None:
    chain, passkey = coop.chain, SoftPasskey()
    address = accounts_factory.address_of(passkey.qx, passkey.qy)
    assert not chain.has_code(address)
    sent = chain.transact(accounts_factory.create_fn(passkey.qx, passkey.qy), coop.deployer)
    created = accounts_factory.factory.events.PasskeyAccountCreated().process_receipt(sent.receipt)
    assert [e["args"]["account"] for e in created] == [address]
    again = chain.transact(accounts_factory.create_fn(passkey.qx, passkey.qy), coop.deployer)
    assert (
        accounts_factory.factory.events.PasskeyAccountCreated().process_receipt(again.receipt) == ()
    )
    account = accounts_factory.account(address)
    assert account.functions.isPasskey(passkey.qx, passkey.qy).call() is True
    assert account.functions.passkeyCount().call() == 1
    # Not a curve point: refused before anything is cloned.
    expect_revert(
        lambda: chain.transact(accounts_factory.create_fn(b"\1" * 32, b"\2" * 32), coop.deployer),
        "PasskeyAccountFactoryInvalidPublicKey",
    )
    # Nobody but the factory initialises, not even once more.
    stranger = coop.members[0]
    expect_revert(
        lambda: chain.transact(account.functions.initialize(passkey.qx, passkey.qy), stranger),
        "PasskeyAccountAlreadyInitialized",
    )
    implementation = accounts_factory.account(
        accounts_factory.factory.functions.implementation().call()
    )
    expect_revert(
        lambda: chain.transact(
            implementation.functions.initialize(passkey.qx, passkey.qy), stranger
        ),
        "PasskeyAccountAlreadyInitialized",
    )


def test_a_passkey_member_joins_votes_trades_signs_and_is_recovered(
    coop: Sandbox, accounts_factory: PasskeyAccounts
) -> None:
    chain, relayer = coop.chain, coop.deployer
    phone, laptop = SoftPasskey(), SoftPasskey()
    address = accounts_factory.address_of(phone.qx, phone.qy)
    signer = PasskeySigner(phone, address, chain.chain_id)
    assert chain.w3.eth.get_balance(address) == 0

    # Applies by ERC-1271: the relayer deploys the account with the first act.
    accounts_factory.create(relayer, phone.qx, phone.qy)
    sig, nonce, until = coop.cooperative.sign_application(
        signer,  # type: ignore[arg-type]
        MemberKind.INDIVIDUAL,
        h("passkey identity"),
        h("passkey application"),
    )
    coop.cooperative.apply_with_sig(
        relayer,
        address,
        MemberKind.INDIVIDUAL,
        h("passkey identity"),
        h("passkey application"),
        nonce,
        until,
        sig,
    )
    assert coop.cooperative.status(address) is MemberStatus.APPLICANT
    coop.cooperative.attest_identity(coop.chair, address, h("passkey check"))
    coop.cooperative.attest_payment(coop.deployer, address, h("passkey payment"))
    admit(coop, address, "passkey")
    assert coop.cooperative.status(address) is MemberStatus.MEMBER

    # Votes in a general meeting (castBallotBySig).
    meeting = coop.governance.meeting
    meeting_id = convene(coop, [Question(h("passkey question"))], label="passkey")
    open_voting(coop, meeting_id)
    digest = ballot_digest(meeting.domain(), meeting_id, address, [Choice.FOR])
    ballot = SignedBallot(meeting_id, address, (Choice.FOR,), signer.sign_digest(digest))
    meeting.cast_ballot_by_sig(relayer, ballot)
    assert meeting.has_voted(meeting_id, address)

    # Accepts an invoice (acceptObligationWithSignature).
    units = Units(chain, coop.cooperative.settlement_units.address)
    creditor = coop.members[0]
    oid, _ = units.issue(creditor, address, 10 * TOKEN)
    until = deadline(chain)
    acceptance = signer.sign_digest(units.accept_digest(oid, until))
    units.accept_with_signature(relayer, oid, until, acceptance)
    assert units.obligation(oid).status.name == "ACCEPTED"

    # Signs a document (DocumentRegistry.signWithSig).
    doc = h("passkey contract")
    coop.cooperative.anchor(coop.chair, doc, DocumentType.CONTRACT)
    coop.cooperative.sign_document_with_sig(
        relayer,
        doc,
        address,
        coop.cooperative.document_signature(signer, doc, address),  # type: ignore[arg-type]
    )
    signed = coop.cooperative.documents.functions.signedAt(doc, address).call() > 0
    assert signed

    # Transfers ВРЕ by `execute` (a credit limit first, by a council decision).
    limit = Action.call(units.contract, "setCreditLimit", address, 100 * TOKEN)
    coop.governance.council.decide(
        coop.council[0], coop.council[:2], coop.chair, h("passkey limit"), [limit]
    )
    transfer = units.contract.encode_abi("transfer", args=[creditor.address, 5 * TOKEN])
    call_as_account(
        accounts_factory, relayer, address, phone, units.address, bytes.fromhex(transfer[2:])
    )
    assert units.contract.functions.signedBalanceOf(address).call() == -5 * TOKEN

    # A second passkey, added by the account itself; the first removed; it no longer signs.
    account = accounts_factory.account(address)
    add = account.encode_abi("addPasskey", args=[laptop.qx, laptop.qy])
    call_as_account(accounts_factory, relayer, address, phone, address, bytes.fromhex(add[2:]))
    assert account.functions.passkeyCount().call() == 2
    remove = account.encode_abi("removePasskey", args=[phone.qx, phone.qy])
    call_as_account(accounts_factory, relayer, address, laptop, address, bytes.fromhex(remove[2:]))
    assert account.functions.isPasskey(phone.qx, phone.qy).call() is False
    probe = h("probe")
    assert not valid(
        account, probe, phone.signature(replay_safe_hash(chain.chain_id, address, probe))
    )
    assert valid(account, probe, laptop.signature(replay_safe_hash(chain.chain_id, address, probe)))
    # The last passkey stays.
    last = account.encode_abi("removePasskey", args=[laptop.qx, laptop.qy])
    expect_revert(
        lambda: call_as_account(
            accounts_factory, relayer, address, laptop, address, bytes.fromhex(last[2:])
        ),
        "PasskeyAccountLastPasskey",
    )

    # Both passkeys lost: a new passkey, a new account, the council's key recovery.
    new_phone = SoftPasskey()
    new_address = accounts_factory.address_of(new_phone.qx, new_phone.qy)
    recover = Action.call(
        coop.cooperative.membership, "recoverMembership", address, new_address, h("lost passkeys")
    )
    coop.governance.council.decide(
        coop.council[0], coop.council[:2], coop.chair, h("recover passkey member"), [recover]
    )
    assert coop.cooperative.status(address) is MemberStatus.NONE
    assert coop.cooperative.status(new_address) is MemberStatus.MEMBER
    assert units.contract.functions.signedBalanceOf(new_address).call() == -5 * TOKEN
    # The recovered member acts with the new passkey; the account is deployed with that act.
    accounts_factory.create(relayer, new_phone.qx, new_phone.qy)
    new_signer = PasskeySigner(new_phone, new_address, chain.chain_id)
    doc2 = h("after recovery")
    coop.cooperative.anchor(coop.chair, doc2, DocumentType.CONTRACT)
    coop.cooperative.sign_document_with_sig(
        relayer,
        doc2,
        new_address,
        coop.cooperative.document_signature(new_signer, doc2, new_address),  # type: ignore[arg-type]
    )
    assert coop.cooperative.documents.functions.signedAt(doc2, new_address).call() > 0


@pytest.fixture
def deployed(coop: Sandbox, accounts_factory: PasskeyAccounts) -> tuple[SoftPasskey, str, Contract]:
    passkey = SoftPasskey()
    address = accounts_factory.create(coop.deployer, passkey.qx, passkey.qy)
    return passkey, address, accounts_factory.account(address)


def test_forged_assertions_are_refused(
    coop: Sandbox, accounts_factory: PasskeyAccounts, deployed: tuple[SoftPasskey, str, Contract]
) -> None:
    passkey, address, account = deployed
    chain_id, digest = coop.chain.chain_id, h("an act")
    challenge = replay_safe_hash(chain_id, address, digest)
    assert valid(account, digest, passkey.signature(challenge))
    # The raw digest (no account domain), another chain, another account: refused.
    assert not valid(account, digest, passkey.signature(digest))
    assert not valid(
        account, digest, passkey.signature(replay_safe_hash(chain_id + 1, address, digest))
    )
    other = SoftPasskey()
    other_address = accounts_factory.create(coop.deployer, other.qx, other.qy)
    assert not valid(
        account, digest, passkey.signature(replay_safe_hash(chain_id, other_address, digest))
    )
    # A key the account does not hold; a wrong clientDataJSON type; a wrong challenge.
    assert not valid(account, digest, other.signature(challenge))
    assert not valid(account, digest, passkey.raw_signature(challenge, type_="webauthn.create"))
    assert not valid(account, digest, passkey.signature(h("another challenge")))
    # User presence or verification missing.
    assert valid(account, digest, passkey.raw_signature(challenge))
    assert not valid(account, digest, passkey.raw_signature(challenge, flags=UV))
    assert not valid(account, digest, passkey.raw_signature(challenge, flags=UP))
    # The type and challenge indexes must point at them (not somewhere else in the JSON).
    good = passkey.signature(challenge)
    fields = list(
        abi_decode(
            ["bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint256", "bytes", "string"],
            good,
        )
    )
    types = ["bytes32", "bytes32", "bytes32", "bytes32", "uint256", "uint256", "bytes", "string"]
    for i, shift in ((4, 1), (5, 1), (4, 10**6), (5, 2**255)):
        moved = list(fields)
        moved[i] = moved[i] + shift
        assert not valid(account, digest, abi_encode(types, moved))
    # A high-s twin of a valid signature (malleability) and a flipped authenticator data byte.
    high = list(fields)
    high[3] = (P256_N - int.from_bytes(high[3], "big")).to_bytes(32, "big")
    assert not valid(account, digest, abi_encode(types, high))
    tampered = list(fields)
    tampered[6] = tampered[6][:33] + bytes([tampered[6][33] ^ 1]) + tampered[6][34:]
    assert not valid(account, digest, abi_encode(types, tampered))
    assert valid(account, digest, abi_encode(types, fields))


def test_execute_refuses_replays_strangers_and_wrong_keys(
    coop: Sandbox, accounts_factory: PasskeyAccounts, deployed: tuple[SoftPasskey, str, Contract]
) -> None:
    from eth_account.messages import encode_typed_data

    chain, relayer = coop.chain, coop.deployer
    passkey, address, account = deployed
    second = SoftPasskey()
    add = bytes.fromhex(account.encode_abi("addPasskey", args=[second.qx, second.qy])[2:])
    until = deadline(chain)
    typed = execute_typed_data(chain.chain_id, address, address, 0, add, 0, until)
    signature = passkey.signature(digest_of(encode_typed_data(full_message=typed)))
    accounts_factory.execute(relayer, address, address, 0, add, 0, until, signature)
    assert account.functions.nonce().call() == 1
    # The same signed call again: its nonce is spent.
    expect_revert(
        lambda: accounts_factory.execute(relayer, address, address, 0, add, 0, until, signature),
        "PasskeyAccountInvalidNonce",
    )
    # A stranger calls addPasskey or removePasskey directly.
    stranger = coop.members[1]
    intruder = SoftPasskey()
    expect_revert(
        lambda: chain.transact(account.functions.addPasskey(intruder.qx, intruder.qy), stranger),
        "PasskeyAccountOnlySelf",
    )
    expect_revert(
        lambda: chain.transact(account.functions.removePasskey(passkey.qx, passkey.qy), stranger),
        "PasskeyAccountOnlySelf",
    )
    # A key the account does not hold signs an execute.
    add_intruder = bytes.fromhex(
        account.encode_abi("addPasskey", args=[intruder.qx, intruder.qy])[2:]
    )
    expect_revert(
        lambda: call_as_account(
            accounts_factory, relayer, address, intruder, address, add_intruder
        ),
        "PasskeyAccountInvalidSignature",
    )
    # A signature for other call data, or past its deadline.
    typed = execute_typed_data(chain.chain_id, address, address, 0, add_intruder, 1, until)
    sig = second.signature(digest_of(encode_typed_data(full_message=typed)))
    expect_revert(
        lambda: accounts_factory.execute(relayer, address, address, 0, add, 1, until, sig),
        "PasskeyAccountInvalidSignature",
    )
    past = int(chain.w3.eth.get_block("latest")["timestamp"]) - 1
    typed = execute_typed_data(chain.chain_id, address, address, 0, add_intruder, 1, past)
    sig = second.signature(digest_of(encode_typed_data(full_message=typed)))
    expect_revert(
        lambda: accounts_factory.execute(relayer, address, address, 0, add_intruder, 1, past, sig),
        "PasskeyAccountExpired",
    )
    # Adding an existing passkey, removing an unknown one, an invalid point: refused.
    for data, error in (
        (
            account.encode_abi("addPasskey", args=[second.qx, second.qy]),
            "PasskeyAccountPasskeyExists",
        ),
        (
            account.encode_abi("removePasskey", args=[intruder.qx, intruder.qy]),
            "PasskeyAccountUnknownPasskey",
        ),
        (
            account.encode_abi("addPasskey", args=[b"\1" * 32, b"\2" * 32]),
            "PasskeyAccountInvalidPublicKey",
        ),
    ):
        expect_revert(
            lambda d=data: call_as_account(
                accounts_factory, relayer, address, second, address, bytes.fromhex(d[2:])
            ),  # type: ignore[misc]
            error,
        )
    assert account.functions.nonce().call() == 1
    assert account.functions.passkeyCount().call() == 2
    assert account.functions.isPasskey(intruder.qx, intruder.qy).call() is False
