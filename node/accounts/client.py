"""The per-chain `PasskeyAccountFactory` and the accounts it clones, as the node drives them."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from node.chain.client import Chain, Sent, checksum


class PasskeyAccounts:
    """Addresses, deployment and calls of members' passkey accounts."""

    def __init__(self, chain: Chain, factory: str) -> None:
        self.chain = chain
        self.factory: Contract = chain.contract("PasskeyAccountFactory", factory)
        self.address = self.factory.address

    def address_of(self, qx: bytes, qy: bytes) -> str:
        """The counterfactual address of the account whose first passkey is `(qx, qy)`."""
        return checksum(self.factory.functions.accountAddress(qx, qy).call())

    def is_deployed(self, account: str) -> bool:
        return self.chain.has_code(account)

    def create_fn(self, qx: bytes, qy: bytes) -> ContractFunction:
        return self.factory.functions.createAccount(qx, qy)

    def create(self, sender: LocalAccount, qx: bytes, qy: bytes) -> str:
        """Deploy the account (idempotent) and return its address."""
        self.chain.transact(self.create_fn(qx, qy), sender)
        return self.address_of(qx, qy)

    def account(self, address: str) -> Contract:
        return self.chain.contract("PasskeyAccount", address)

    def nonce(self, account: str) -> int:
        """The account's next `execute` nonce (0 before it is deployed)."""
        if not self.is_deployed(account):
            return 0
        return int(self.account(account).functions.nonce().call())

    def execute_fn(
        self,
        account: str,
        target: str,
        value: int,
        data: bytes,
        nonce: int,
        deadline: int,
        signature: bytes,
    ) -> ContractFunction:
        return self.account(account).functions.execute(
            checksum(target), value, data, nonce, deadline, signature
        )

    def execute(
        self,
        relayer: LocalAccount,
        account: str,
        target: str,
        value: int,
        data: bytes,
        nonce: int,
        deadline: int,
        signature: bytes,
    ) -> Sent:
        fn = self.execute_fn(account, target, value, data, nonce, deadline, signature)
        return self.chain.transact(fn, relayer)
