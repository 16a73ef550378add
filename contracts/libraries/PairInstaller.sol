// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "../interfaces/ICharter.sol";

/// @title PairInstaller
/// @notice What the installers share: two implementations, a per-charter installation counter
/// that salts the `CREATE2` clones, the decision-executor check, and the address prediction.
/// @dev No owner, nothing to configure: the implementations are immutables (addresses only:
/// the indexer recognises an installer by its compiled code with address immutables filled in).
/// The derived installer reverts with its own errors ({_revertZeroAddress},
/// {_revertNotDecisionExecutor}), initialises the pair its own way and emits its own event.
abstract contract PairInstaller {
    address internal immutable _FIRST_IMPLEMENTATION;
    address internal immutable _SECOND_IMPLEMENTATION;

    mapping(address charter => uint256 count) internal _installations;

    constructor(address firstImplementation, address secondImplementation) {
        if (firstImplementation == address(0) || secondImplementation == address(0)) {
            _revertZeroAddress();
        }
        _FIRST_IMPLEMENTATION = firstImplementation;
        _SECOND_IMPLEMENTATION = secondImplementation;
    }

    /// @dev Checks that the caller is `charter`'s decision executor, counts the installation and
    /// creates the two clones (uninitialised: the caller initialises them in the same call).
    function _installPair(address charter)
        internal
        returns (address membership, uint256 installation, address first, address second)
    {
        if (charter == address(0)) _revertZeroAddress();
        if (msg.sender != ICharter(charter).decisionExecutor()) {
            _revertNotDecisionExecutor(charter, msg.sender);
        }
        membership = ICharter(charter).membership();
        installation = _installations[charter];
        _installations[charter] = installation + 1;
        bytes32 salt = _salt(charter, installation);
        first = Clones.cloneDeterministic(_FIRST_IMPLEMENTATION, salt);
        second = Clones.cloneDeterministic(_SECOND_IMPLEMENTATION, salt);
    }

    /// @dev The addresses the next installation for `charter` will have.
    function _predictPair(address charter) internal view returns (address first, address second) {
        bytes32 salt = _salt(charter, _installations[charter]);
        first = Clones.predictDeterministicAddress(_FIRST_IMPLEMENTATION, salt);
        second = Clones.predictDeterministicAddress(_SECOND_IMPLEMENTATION, salt);
    }

    /// @dev Reverts with the installer's zero-address error.
    function _revertZeroAddress() internal pure virtual;

    /// @dev Reverts with the installer's error for a caller that is not `charter`'s executor.
    function _revertNotDecisionExecutor(address charter, address caller) internal pure virtual;

    /// @dev The `CREATE2` salt of `charter`'s `installation`-th installation.
    function _salt(address charter, uint256 installation) internal pure returns (bytes32) {
        return keccak256(abi.encode(charter, installation));
    }
}
