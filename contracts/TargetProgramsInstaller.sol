// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ITargetPrograms} from "./interfaces/ITargetPrograms.sol";
import {ITargetProgramsInstaller} from "./interfaces/ITargetProgramsInstaller.sol";

/// @title TargetProgramsInstaller
/// @notice Creates and initialises a cooperative's TargetPrograms in one transaction, for the
/// charter's decision executor only; see {ITargetProgramsInstaller}.
/// @dev No owner, nothing to configure: the implementation is an immutable (an address only:
/// the indexer recognises the installer by its compiled code with the immutable filled in).
contract TargetProgramsInstaller is ITargetProgramsInstaller {
    address private immutable _IMPLEMENTATION;

    mapping(address charter => uint256 count) private _installations;

    constructor(address implementation_) {
        if (implementation_ == address(0)) revert TargetProgramsInstallerZeroAddress();
        _IMPLEMENTATION = implementation_;
    }

    /// @inheritdoc ITargetProgramsInstaller
    function install(address charter) external returns (address programs) {
        if (charter == address(0)) revert TargetProgramsInstallerZeroAddress();
        if (msg.sender != ICharter(charter).decisionExecutor()) {
            revert TargetProgramsInstallerNotDecisionExecutor(charter, msg.sender);
        }
        uint256 installation = _installations[charter];
        _installations[charter] = installation + 1;
        programs = Clones.cloneDeterministic(_IMPLEMENTATION, _salt(charter, installation));
        ITargetPrograms(programs).initialize(charter);
        emit TargetProgramsInstalled(charter, programs, installation);
    }

    /// @inheritdoc ITargetProgramsInstaller
    function predictAddress(address charter) external view returns (address) {
        return Clones.predictDeterministicAddress(
            _IMPLEMENTATION, _salt(charter, _installations[charter])
        );
    }

    /// @inheritdoc ITargetProgramsInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc ITargetProgramsInstaller
    function implementation() external view returns (address) {
        return _IMPLEMENTATION;
    }

    /// @dev The `CREATE2` salt of `charter`'s `installation`-th installation.
    function _salt(address charter, uint256 installation) private pure returns (bytes32) {
        return keccak256(abi.encode(charter, installation));
    }
}
