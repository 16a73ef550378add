"""The offline toolchain end to end: compiled by solc-js behind ape, deployed on anvil from
Python, an event read back, a revert decoded by name."""

from __future__ import annotations

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, TransactionReverted


@pytest.fixture(scope="module")
def nonce_before(chain: Chain) -> int:
    """The dev account's nonce before this module's first test (earlier modules may have used
    the session chain outside the per-test isolation, e.g. in module-scoped fixtures)."""
    return chain.w3.eth.get_transaction_count(chain.w3.eth.accounts[0])


def test_deploy_call_and_read_event(
    chain: Chain, accounts: list[LocalAccount], nonce_before: int
) -> None:
    owner = accounts[0]
    ping, sent = chain.deploy("Ping", owner.address, sender=owner)
    assert sent.gas_used > 0
    assert chain.has_code(ping.address)

    note = b"hello".ljust(32, b"\0")
    receipt = chain.transact(ping.functions.ping(note), accounts[1]).receipt
    events = ping.events.Pinged().process_receipt(receipt)
    assert len(events) == 1
    assert events[0]["args"]["sender"] == accounts[1].address
    assert events[0]["args"]["count"] == 1
    assert events[0]["args"]["note"] == note
    assert ping.functions.count().call() == 1


def test_custom_error_is_decoded_and_nothing_changes(
    chain: Chain, accounts: list[LocalAccount]
) -> None:
    owner, stranger = accounts[0], accounts[1]
    ping, _ = chain.deploy("Ping", owner.address, sender=owner)
    with pytest.raises(TransactionReverted) as info:
        chain.transact(ping.functions.transferOwnership(stranger.address), stranger)
    assert info.value.error == "OwnableUnauthorizedAccount"
    assert info.value.error_args == (stranger.address,)
    assert ping.functions.owner().call() == owner.address


def test_snapshot_isolation_reverts_previous_test_state(chain: Chain, nonce_before: int) -> None:
    # The two tests above each deployed a contract; isolation leaves the dev account's nonce
    # where this module started.
    assert chain.w3.eth.get_transaction_count(chain.w3.eth.accounts[0]) == nonce_before
