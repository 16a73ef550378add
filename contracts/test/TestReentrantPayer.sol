// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ITreasury} from "../interfaces/ITreasury.sol";
import {ITestTokenHook} from "./TestHookToken.sol";

/// @title TestReentrantPayer
/// @notice A hostile payer for tests: pays income into a treasury and, from its token hook
/// (called while the treasury pulls its payment), makes an accomplice pay more income into the
/// same treasury, so that the outer payment's balance measurement also sees the inner one.
contract TestReentrantPayer is ITestTokenHook {
    IERC20 private immutable _token;
    TestReentrantPayer private _accomplice;
    address private _treasury;
    uint256 private _nestedAmount;

    constructor(IERC20 token_) {
        _token = token_;
    }

    /// @notice From the hook, have `accomplice` pay `amount` into `treasury`.
    function setAccomplice(TestReentrantPayer accomplice, address treasury, uint256 amount)
        external
    {
        _accomplice = accomplice;
        _treasury = treasury;
        _nestedAmount = amount;
    }

    /// @notice Pays `amount` of income into `treasury`.
    function pay(address treasury, uint256 amount) external {
        _token.approve(treasury, amount);
        ITreasury(treasury).receiveIncome(amount, keccak256("income"));
    }

    /// @inheritdoc ITestTokenHook
    function tokensToSend(address, address, uint256) external {
        uint256 amount = _nestedAmount;
        if (amount == 0) return;
        _nestedAmount = 0;
        _accomplice.pay(_treasury, amount);
    }
}
