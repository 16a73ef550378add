// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestFeeToken
/// @notice A hostile payment token for tests: every transfer burns a fee of `feeBasisPoints` of
/// the amount, so the recipient receives less than was sent (as USDT could, were its fee
/// switched on). Anyone may mint and set the fee: never deploy it where it would hold value.
contract TestFeeToken is ERC20 {
    /// @notice The fee, in basis points of each transferred amount.
    uint256 public feeBasisPoints;

    constructor(uint256 feeBasisPoints_) ERC20("Fee token", "FEE") {
        feeBasisPoints = feeBasisPoints_;
    }

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Sets the fee (zero: an honest token).
    function setFee(uint256 feeBasisPoints_) external {
        feeBasisPoints = feeBasisPoints_;
    }

    /// @dev Burns the fee out of every transfer between two holders.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value * feeBasisPoints / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
