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
