"""The mutual-aid fund counts only the tokens that arrive: a payment token that charges a fee on
transfer cannot make the pool promise more than the fund holds."""

from __future__ import annotations

from tests.fund.conftest import TOKEN, World, expect_revert, fund_state

#: Slot of `TestFeeToken.feeBasisPoints`: after the five slots of OpenZeppelin's ERC20 (balances,
#: allowances, total supply, name, symbol), which `TestToken` has too.
FEE_SLOT = 5


def _charge_fees(w: World, basis_points: int) -> None:
    """Turn the cooperative's payment token into a fee-on-transfer token in place: the same
    balances and allowances, `TestFeeToken`'s code, a fee of `basis_points` (as a stablecoin
    whose issuer switches a fee on). The per-test snapshot restores the honest token."""
    chain = w.chain
    hostile, _ = chain.deploy("TestFeeToken", basis_points, sender=w.sb.deployer)
    token = w.sb.cooperative.token.address
    rpc = chain.w3.provider.make_request
    rpc("anvil_setCode", [token, chain.w3.eth.get_code(hostile.address).to_0x_hex()])  # type: ignore[arg-type]
    rpc("anvil_setStorageAt", [token, hex(FEE_SLOT), "0x" + f"{basis_points:064x}"])  # type: ignore[arg-type]


def test_a_fee_on_transfer_token_cannot_inflate_the_pool(world: World) -> None:
    """Attack: a member contributes in a token that burns 1% on transfer. The old fund credited
    the whole amount (pool cash and the member's units) while receiving 99%, so the last
    withdrawals and loans would fail; now the contribution is refused and nothing changes."""
    member = world.members[0]
    world.fund.contribute(member, 100 * TOKEN)  # honest token: counted in full
    _charge_fees(world, 100)
    before = fund_state(world)
    expect_revert(
        lambda: world.fund.contribute(member, 1_000 * TOKEN),
        "MutualAidFundTransferShortfall",
        1_000 * TOKEN,
        990 * TOKEN,
    )
    assert fund_state(world) == before
    pool = world.fund.pool()
    held = world.sb.cooperative.token.functions.balanceOf(world.fund.address).call()
    assert pool.cash == held == 100 * TOKEN
