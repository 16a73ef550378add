// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICooperativeFactory} from "./interfaces/ICooperativeFactory.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {INetworkRegistry} from "./interfaces/INetworkRegistry.sol";
import {ISettlementUnitsInitializer} from "./interfaces/ISettlementUnitsInitializer.sol";
import {CreateAddress} from "./libraries/CreateAddress.sol";
import {NetworkRegistry} from "./NetworkRegistry.sol";

/// @title CooperativeFactory
/// @notice Deploys a cooperative's contract set in one transaction; see {ICooperativeFactory}.
/// @dev The six contracts are created with `CREATE` at consecutive nonces of this factory, so
/// their addresses are known before any exists and each clone carries its siblings' addresses
/// as immutable arguments (code, 200 gas a byte) instead of storage (22,100 gas a slot).
/// The factory tracks its own account nonce: it creates contracts nowhere else.
contract CooperativeFactory is ICooperativeFactory {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    address private immutable _charterImplementation;
    address private immutable _membershipImplementation;
    address private immutable _sharesImplementation;
    address private immutable _treasuryImplementation;
    address private immutable _documentsImplementation;
    address private immutable _settlementUnitsImplementation;
    INetworkRegistry private immutable _registry;

    /// @dev This contract's account nonce: the nonce of its next `CREATE`.
    uint64 private _nonce;

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(Implementations memory impls) {
        if (
            impls.charter == address(0) || impls.membership == address(0)
                || impls.shares == address(0) || impls.treasury == address(0)
                || impls.documents == address(0) || impls.settlementUnits == address(0)
        ) revert CooperativeFactoryZeroAddress();
        _charterImplementation = impls.charter;
        _membershipImplementation = impls.membership;
        _sharesImplementation = impls.shares;
        _treasuryImplementation = impls.treasury;
        _documentsImplementation = impls.documents;
        _settlementUnitsImplementation = impls.settlementUnits;
        // A contract's nonce starts at 1 (EIP-161); creating the registry uses it.
        _registry = new NetworkRegistry();
        _nonce = 2;
    }

    /// @inheritdoc ICooperativeFactory
    function createCooperative(CooperativeParams calldata params)
        external
        returns (uint256 id, INetworkRegistry.CooperativeSet memory set)
    {
        uint256 nameLength = bytes(params.name).length;
        uint256 symbolLength = bytes(params.symbol).length;
        if (nameLength == 0 || nameLength > 255 || symbolLength == 0 || symbolLength > 32) {
            revert CooperativeFactoryInvalidName();
        }
        // The law's least council (Закон 3085-1 art. 21), and the Council contract's largest.
        if (params.council.length < 3 || params.council.length > 64) {
            revert CooperativeFactoryInvalidCouncil(params.council.length);
        }
        if (params.paymentToken == address(0)) revert CooperativeFactoryZeroAddress();

        uint256 nonce = _nonce;
        set.charter = CreateAddress.compute(address(this), nonce);
        set.membership = CreateAddress.compute(address(this), nonce + 1);
        set.shares = CreateAddress.compute(address(this), nonce + 2);
        set.treasury = CreateAddress.compute(address(this), nonce + 3);
        set.documents = CreateAddress.compute(address(this), nonce + 4);
        set.settlementUnits = CreateAddress.compute(address(this), nonce + 5);
        _nonce = uint64(nonce + 6);

        _expect(set.charter, Clones.cloneWithImmutableArgs(_charterImplementation, _charterArgs(params, set)));
        _expect(
            set.membership,
            Clones.cloneWithImmutableArgs(
                _membershipImplementation, abi.encodePacked(set.charter, set.shares, set.treasury)
            )
        );
        _expect(
            set.shares,
            Clones.cloneWithImmutableArgs(
                _sharesImplementation,
                abi.encodePacked(set.charter, set.membership, set.treasury, params.paymentToken)
            )
        );
        _expect(
            set.treasury,
            Clones.cloneWithImmutableArgs(
                _treasuryImplementation,
                abi.encodePacked(
                    set.charter, set.membership, set.shares, set.documents, params.paymentToken
                )
            )
        );
        _expect(
            set.documents,
            Clones.cloneWithImmutableArgs(
                _documentsImplementation, abi.encodePacked(set.charter, set.membership)
            )
        );
        _expect(set.settlementUnits, Clones.clone(_settlementUnitsImplementation));

        ICharter(set.charter).initialize(params.charter);
        address[] memory sources = new address[](1);
        sources[0] = set.settlementUnits;
        IMembership(set.membership).initialize(sources);
        ISettlementUnitsInitializer(set.settlementUnits).initialize(
            set.charter, set.membership, params.defaultCreditLimit
        );
        id = _registry.register(
            set,
            params.kind,
            params.name,
            params.charter.charterDocument,
            params.charter.chair
        );
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICooperativeFactory
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc ICooperativeFactory
    function implementations() external view returns (Implementations memory) {
        return Implementations({
            charter: _charterImplementation,
            membership: _membershipImplementation,
            shares: _sharesImplementation,
            treasury: _treasuryImplementation,
            documents: _documentsImplementation,
            settlementUnits: _settlementUnitsImplementation
        });
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev The charter clone's arguments, laid out as {Charter} reads them.
    function _charterArgs(CooperativeParams calldata params, INetworkRegistry.CooperativeSet memory set)
        private
        pure
        returns (bytes memory)
    {
        address[] calldata council = params.council;
        bytes memory packedCouncil = new bytes(20 * council.length);
        for (uint256 i = 0; i < council.length; ++i) {
            address member = council[i];
            if (member == address(0)) revert CooperativeFactoryZeroAddress();
            for (uint256 j = 0; j < i; ++j) {
                if (council[j] == member) revert CooperativeFactoryDuplicateCouncilMember(member);
            }
            assembly ("memory-safe") {
                // Writes 32 bytes; the next member overwrites the 12-byte tail, and the last tail
                // lands past the array, in memory not yet allocated.
                mstore(add(add(packedCouncil, 0x20), mul(i, 20)), shl(96, member))
            }
        }
        return abi.encodePacked(
            abi.encodePacked(
                set.membership,
                set.shares,
                set.treasury,
                set.documents,
                set.settlementUnits,
                params.paymentToken
            ),
            uint8(params.kind),
            uint8(council.length),
            packedCouncil,
            uint8(bytes(params.name).length),
            params.name,
            uint8(bytes(params.symbol).length),
            params.symbol
        );
    }

    /// @dev The created address must be the predicted one, or the set would point at strangers.
    function _expect(address predicted, address created) private pure {
        if (created != predicted) revert CooperativeFactoryUnexpectedAddress(predicted, created);
    }
}
