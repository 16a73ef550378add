// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "./interfaces/ICharter.sol";
import {INetworkRegistry} from "./interfaces/INetworkRegistry.sol";

/// @title NetworkRegistry
/// @notice The network's list of cooperatives; see {INetworkRegistry}. Created by the cooperative
/// factory in its constructor, so that only that factory can ever register.
contract NetworkRegistry is INetworkRegistry {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    address private immutable _factory;
    address[] private _charters;
    mapping(address charter => uint256 id) private _ids;

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _factory = msg.sender;
    }

    /// @inheritdoc INetworkRegistry
    function register(
        CooperativeSet calldata contracts,
        ICharter.CooperativeKind kind,
        string calldata name,
        bytes32 charterDocument,
        address chair
    ) external returns (uint256 id) {
        if (msg.sender != _factory) revert NetworkRegistryNotFactory(msg.sender);
        if (_ids[contracts.charter] != 0) revert NetworkRegistryAlreadyRegistered(contracts.charter);
        _charters.push(contracts.charter);
        id = _charters.length;
        _ids[contracts.charter] = id;
        emit CooperativeRegistered(
            id, contracts.charter, kind, name, charterDocument, chair, contracts
        );
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc INetworkRegistry
    function factory() external view returns (address) {
        return _factory;
    }

    /// @inheritdoc INetworkRegistry
    function cooperativeCount() external view returns (uint256) {
        return _charters.length;
    }

    /// @inheritdoc INetworkRegistry
    function charterOf(uint256 id) external view returns (address) {
        if (id == 0 || id > _charters.length) revert NetworkRegistryUnknownCooperative(id);
        return _charters[id - 1];
    }

    /// @inheritdoc INetworkRegistry
    function idOf(address charter) external view returns (uint256) {
        return _ids[charter];
    }

    /// @inheritdoc INetworkRegistry
    function isCooperative(address charter) external view returns (bool) {
        return _ids[charter] != 0;
    }
}
