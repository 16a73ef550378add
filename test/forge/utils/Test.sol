// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Vm
/// @notice The few forge cheatcodes these tests use (forge-std is not a dependency: the tests
/// must build offline from what npm provides). Signatures as in forge-std's `Vm.sol`.
interface Vm {
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function warp(uint256 newTimestamp) external;
    function roll(uint256 newHeight) external;
    function assume(bool condition) external;
    function label(address account, string calldata newLabel) external;
    function deployCode(string calldata artifactPath) external returns (address deployed);
    function deployCode(string calldata artifactPath, bytes calldata constructorArgs)
        external
        returns (address deployed);
}

/// @title Test
/// @notice A minimal stand-in for forge-std's `Test` and `StdInvariant`: the cheatcode handle,
/// bounded inputs, assertions that revert with a message, and the target lists forge's invariant
/// runner reads (`targetContracts`, `targetSelectors`, `excludeSenders`).
abstract contract Test {
    /// @dev forge's cheatcode address: `address(uint160(uint256(keccak256("hevm cheat code"))))`.
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice A contract whose functions forge calls with selected selectors.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetedContracts;
    FuzzSelector[] private _targetedSelectors;
    address[] private _excludedSenders;

    /// @notice Lets forge recognise this as a test contract (the DSTest convention).
    function IS_TEST() external pure returns (bool) {
        return true;
    }

    /// @notice The contracts forge's invariant runner calls.
    function targetContracts() external view returns (address[] memory) {
        return _targetedContracts;
    }

    /// @notice The functions forge's invariant runner calls on each target.
    function targetSelectors() external view returns (FuzzSelector[] memory) {
        return _targetedSelectors;
    }

    /// @notice Senders forge never uses for invariant calls.
    function excludeSenders() external view returns (address[] memory) {
        return _excludedSenders;
    }

    function targetContract(address target) internal {
        _targetedContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetedSelectors.push(selector);
    }

    function excludeSender(address sender) internal {
        _excludedSenders.push(sender);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert(message);
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) {
            revert(string.concat(message, ": ", _toString(a), " != ", _toString(b)));
        }
    }

    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": signed values differ"));
    }

    function _toString(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            ++digits;
        }
        bytes memory out = new bytes(digits);
        for (; value != 0; value /= 10) {
            out[--digits] = bytes1(uint8(48 + value % 10));
        }
        return string(out);
    }
}
