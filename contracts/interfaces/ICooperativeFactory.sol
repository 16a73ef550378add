// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "./ICharter.sol";
import {INetworkRegistry} from "./INetworkRegistry.sol";

/// @title ICooperativeFactory
/// @notice Deploys a cooperative's whole contract set in one transaction, as EIP-1167 clones of
/// fixed implementations, initialises it and registers it in the network registry. The factory
/// has no owner and keeps no power over what it creates.
interface ICooperativeFactory {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The implementation contracts every cooperative's clones run.
    struct Implementations {
        address charter;
        address membership;
        address shares;
        address treasury;
        address documents;
        address settlementUnits;
    }

    /// @notice What a new cooperative is.
    struct CooperativeParams {
        /// @notice Its name (at most 255 bytes of UTF-8).
        string name;
        /// @notice The ticker of its shares (at most 32 bytes).
        string symbol;
        /// @notice What kind of organisation it is.
        ICharter.CooperativeKind kind;
        /// @notice The ERC-20 token its money is held in.
        address paymentToken;
        /// @notice The council elected by the founding meeting (3 to 64 members).
        address[] council;
        /// @notice How far below zero a member's ВРЕ balance may go by default.
        uint256 defaultCreditLimit;
        /// @notice Chair, executor, charter document, fees, fund split, cashiers, verifiers.
        ICharter.Config charter;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address is zero.
    error CooperativeFactoryZeroAddress();

    /// @notice `account` is named twice in the council: three seats need three people.
    error CooperativeFactoryDuplicateCouncilMember(address account);
    /// @notice The name is empty or longer than 255 bytes, or the symbol empty or over 32 bytes.
    error CooperativeFactoryInvalidName();
    /// @notice The council has fewer than 3 or more than 64 members.
    error CooperativeFactoryInvalidCouncil(uint256 size);
    /// @notice A clone did not land at its predicted address (the factory's nonce is off).
    error CooperativeFactoryUnexpectedAddress(address predicted, address created);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Deploys, initialises and registers a cooperative; returns its number and contracts.
    function createCooperative(CooperativeParams calldata params)
        external
        returns (uint256 id, INetworkRegistry.CooperativeSet memory contracts);

    /// @notice The network registry this factory registers into (created by the factory).
    function registry() external view returns (address);

    /// @notice The implementations the clones run.
    function implementations() external view returns (Implementations memory);
}
