// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "./ICharter.sol";

/// @title INetworkRegistry
/// @notice The network's list of cooperatives. Only the cooperative factory that created the
/// registry may add to it; nobody can remove or change an entry, and the registry has no power
/// over any cooperative. Each cooperative is known by its charter, which names its other
/// contracts.
interface INetworkRegistry {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The contract set of one cooperative.
    struct CooperativeSet {
        address charter;
        address membership;
        address shares;
        address treasury;
        address documents;
        address settlementUnits;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the factory may register cooperatives.
    error NetworkRegistryNotFactory(address account);
    /// @notice The charter is already registered.
    error NetworkRegistryAlreadyRegistered(address charter);
    /// @notice No cooperative has this number.
    error NetworkRegistryUnknownCooperative(uint256 id);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Cooperative number `id` joined the network.
    event CooperativeRegistered(
        uint256 indexed id,
        address indexed charter,
        ICharter.CooperativeKind kind,
        string name,
        bytes32 charterDocument,
        address chair,
        CooperativeSet contracts
    );

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Adds a cooperative (factory only); returns its number, counted from 1.
    function register(
        CooperativeSet calldata contracts,
        ICharter.CooperativeKind kind,
        string calldata name,
        bytes32 charterDocument,
        address chair
    ) external returns (uint256 id);

    /// @notice The factory allowed to register.
    function factory() external view returns (address);

    /// @notice How many cooperatives are registered.
    function cooperativeCount() external view returns (uint256);

    /// @notice The charter of cooperative number `id`.
    function charterOf(uint256 id) external view returns (address);

    /// @notice The number of the cooperative with `charter` (0 if none).
    function idOf(address charter) external view returns (uint256);

    /// @notice Whether `charter` is the charter of a registered cooperative.
    function isCooperative(address charter) external view returns (bool);
}
