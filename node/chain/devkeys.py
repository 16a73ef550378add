"""anvil's development accounts (mnemonic "test test ... junk"), for the local chain and tests."""

from __future__ import annotations

from functools import lru_cache

from eth_account import Account
from eth_account.signers.local import LocalAccount

DEV_MNEMONIC = "test test test test test test test test test test test junk"


@lru_cache
def dev_accounts(count: int = 10) -> list[LocalAccount]:
    """The first `count` keys anvil funds at genesis (10 by default, 10,000 ETH each)."""
    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        for i in range(count)
    ]


#: The demo's auditor: the 11th key of the same mnemonic (m/44'/60'/0'/0/10), one that no other
#: demo role uses. anvil does not fund it: an auditor signs in and reads, it never pays gas.
DEMO_AUDITOR_INDEX = 10


def demo_auditor() -> LocalAccount:
    """The auditor the demo cooperative «Ромашка» appoints by a decision."""
    return dev_accounts(DEMO_AUDITOR_INDEX + 1)[DEMO_AUDITOR_INDEX]
