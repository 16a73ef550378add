// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ILabourInstaller} from "./interfaces/ILabourInstaller.sol";
import {ILabourRegister} from "./interfaces/ILabourRegister.sol";

/// @title LabourInstaller
/// @notice Creates and initialises a cooperative's LabourRegister in one transaction, for the
/// charter's decision executor only; see {ILabourInstaller}.
/// @dev No owner, nothing to configure: the implementation is an immutable. The only storage is
/// the per-charter installation counter that salts the `CREATE2` clones.
contract LabourInstaller is ILabourInstaller {
    address private immutable _IMPLEMENTATION;

    mapping(address charter => uint256 count) private _installations;

    constructor(address implementation_) {
        if (implementation_ == address(0)) revert LabourInstallerZeroAddress();
        _IMPLEMENTATION = implementation_;
    }

    /// @inheritdoc ILabourInstaller
    function install(address charter, bool ratesByMeeting) external returns (address register) {
        if (charter == address(0)) revert LabourInstallerZeroAddress();
        if (msg.sender != ICharter(charter).decisionExecutor()) {
            revert LabourInstallerNotDecisionExecutor(charter, msg.sender);
        }
        uint256 installation = _installations[charter];
        _installations[charter] = installation + 1;
        register = Clones.cloneDeterministic(_IMPLEMENTATION, _salt(charter, installation));
        ILabourRegister(register).initialize(charter, ratesByMeeting);
        emit LabourRegisterInstalled(charter, register, installation, ratesByMeeting);
    }

    /// @inheritdoc ILabourInstaller
    function predictAddress(address charter) external view returns (address) {
        return Clones.predictDeterministicAddress(
            _IMPLEMENTATION, _salt(charter, _installations[charter])
        );
    }

    /// @inheritdoc ILabourInstaller
    function installations(address charter) external view returns (uint256) {
        return _installations[charter];
    }

    /// @inheritdoc ILabourInstaller
    function implementation() external view returns (address) {
        return _IMPLEMENTATION;
    }

    /// @dev The `CREATE2` salt of `charter`'s `installation`-th installation.
    function _salt(address charter, uint256 installation) private pure returns (bytes32) {
        return keccak256(abi.encode(charter, installation));
    }
}
