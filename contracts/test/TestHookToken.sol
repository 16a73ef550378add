// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ITestTokenHook
/// @notice What a holder registered with {TestHookToken} is called with before its tokens move
/// (like ERC-777's `tokensToSend`).
interface ITestTokenHook {
    /// @notice `value` tokens are about to move from `from` to `to`.
    function tokensToSend(address from, address to, uint256 value) external;
}

/// @title TestHookToken
/// @notice A hostile payment token for tests, ERC-777 style: a holder may register a hook that
/// the token calls before the holder's tokens move, and transfers out of a hooked holder burn a
/// fee of `feeBasisPoints`. Anyone may mint and set hooks: never deploy it where it would hold
/// value.
contract TestHookToken is ERC20 {
    /// @notice The fee on transfers out of hooked holders, in basis points.
    uint256 public immutable feeBasisPoints;

    /// @notice The hook of each holder (zero: none).
    mapping(address holder => address hook) public hookOf;

    constructor(uint256 feeBasisPoints_) ERC20("Hook token", "HOOK") {
        feeBasisPoints = feeBasisPoints_;
    }

    /// @notice Mints `amount` to `to`.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Registers `hook` for `holder`'s outgoing transfers (anyone may: a test token).
    function setHook(address holder, address hook) external {
        hookOf[holder] = hook;
    }

    /// @dev Calls the sender's hook first, then moves the tokens less the fee of hooked senders.
    function _update(address from, address to, uint256 value) internal override {
        address hook = from == address(0) ? address(0) : hookOf[from];
        if (hook == address(0) || to == address(0)) return super._update(from, to, value);
        ITestTokenHook(hook).tokensToSend(from, to, value);
        uint256 fee = value * feeBasisPoints / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
