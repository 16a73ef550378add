// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IObligationSource} from "../interfaces/IObligationSource.sol";

/// @title TestObligationSource
/// @notice A second obligation source for tests: records what Membership tells it and blocks
/// exits of the accounts it is told to.
contract TestObligationSource is IObligationSource {
    /// @notice Membership told this source that `member` stopped being an active member.
    event Deactivated(address indexed member);

    /// @notice Membership told this source that it was removed.
    event Detached();

    /// @notice Membership rebound `from` to `to`.
    event Rebound(address indexed from, address indexed to);

    bool private immutable _cachesStatus;
    mapping(address account => bool) private _blocked;
    mapping(address account => uint256 count) private _deactivations;
    uint256 private _detachments;

    /// @param cachesStatus_ What `cachesMemberStatus` answers.
    constructor(bool cachesStatus_) {
        _cachesStatus = cachesStatus_;
    }

    /// @notice Makes `member`'s exit blocked (or not) by this source.
    function setOpen(address member, bool open) external {
        _blocked[member] = open;
    }

    /// @inheritdoc IObligationSource
    function cachesMemberStatus() external view returns (bool) {
        return _cachesStatus;
    }

    /// @inheritdoc IObligationSource
    function hasOpenObligations(address member) external view returns (bool) {
        return _blocked[member];
    }

    /// @inheritdoc IObligationSource
    function rebindMember(address from, address to) external {
        emit Rebound(from, to);
    }

    /// @inheritdoc IObligationSource
    function memberDeactivated(address member) external {
        ++_deactivations[member];
        emit Deactivated(member);
    }

    /// @inheritdoc IObligationSource
    function detached() external {
        ++_detachments;
        emit Detached();
    }

    /// @notice How many times Membership said `member` stopped being active.
    function deactivations(address member) external view returns (uint256) {
        return _deactivations[member];
    }

    /// @notice How many times Membership said this source was removed.
    function detachments() external view returns (uint256) {
        return _detachments;
    }
}
