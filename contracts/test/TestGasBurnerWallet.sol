// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title TestGasBurnerWallet
/// @notice A hostile ERC-1271 wallet for tests: it joins a cooperative on its owner's orders,
/// then answers every signature check by burning all the gas it is given, or by returning a huge
/// answer, to make a relayer's batch of ballots fail or cost a fortune.
contract TestGasBurnerWallet is IERC1271 {
    /// @notice Only the owner may make the wallet call out.
    error TestGasBurnerWalletNotOwner(address account);

    address private immutable _owner;
    bool private immutable _bomb;

    constructor(address owner_, bool bomb_) {
        _owner = owner_;
        _bomb = bomb_;
    }

    /// @inheritdoc IERC1271
    /// @dev Loops until the gas runs out, or returns 1 MiB of data (a return-data bomb).
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        if (_bomb) {
            assembly ("memory-safe") {
                mstore(0, 0x1626ba7e00000000000000000000000000000000000000000000000000000000)
                return(0, 0x100000)
            }
        }
        uint256 spin;
        while (gasleft() > 0) {
            // Cannot overflow before the gas runs out.
            unchecked {
                spin += 1;
            }
        }
        return spin == 0 ? bytes4(0) : IERC1271.isValidSignature.selector;
    }

    /// @notice Calls `target` with `data` on the owner's order, bubbling up a revert.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != _owner) revert TestGasBurnerWalletNotOwner(msg.sender);
        (bool ok, bytes memory result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }
}
