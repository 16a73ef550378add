// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMutualAidFund} from "./IMutualAidFund.sol";

/// @title IFundInstaller
/// @notice Installs a cooperative's mutual-aid fund and property register (a MutualAidFund and
/// a PropertyRegistry, EIP-1167 clones of fixed implementations) in one transaction: both clones
/// are created and initialised before the transaction ends, so nobody can initialise a fresh
/// clone first (no front-running window). Only the charter's current decision executor may
/// install for a cooperative (installing is the cooperative's act: a direct call while the
/// executor is a key, a council decision once the council holds the role). One installer per
/// network (like the cooperative factory and the governance installer); it has no owner and no
/// setting.
///
/// `FundInstalled` links the two contracts to the cooperative's charter on chain, so an auditor
/// or an indexer finds them from the charter alone, without the operator's deployment record.
/// Registering the fund as an obligation source of Membership stays a separate decision
/// (`Membership.addObligationSource`).
///
/// Addresses are deterministic (`CREATE2`, salt = `keccak256(abi.encode(charter, n))` for the
/// cooperative's n-th installation, from 0), so `predictAddresses` tells them before the
/// transaction (a council item can carry the installation and the fund's registration at once);
/// a cooperative may install again, each time at new addresses.
interface IFundInstaller {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The property register's ERC-721 metadata.
    struct PropertyConfig {
        /// @notice The collection name wallets show.
        string name;
        /// @notice The collection symbol.
        string symbol;
        /// @notice What every `tokenURI` starts with.
        string baseURI;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The mutual-aid fund `fund` and the property register `propertyRegistry` were
    /// installed, initialised, for the cooperative of `charter` (its `installation`-th, from 0).
    event FundInstalled(
        address indexed charter,
        address indexed fund,
        address indexed propertyRegistry,
        uint256 installation
    );

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An implementation or the charter is the zero address.
    error FundInstallerZeroAddress();

    /// @notice Only the charter's current decision executor may install its fund and register;
    /// `account` tried.
    error FundInstallerNotDecisionExecutor(address charter, address account);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates and initialises the MutualAidFund (with `rules`, wired to the charter and
    /// its membership register) and the PropertyRegistry (with `property`) of the cooperative of
    /// `charter`. Only the charter's current decision executor.
    /// @return fund The new MutualAidFund clone.
    /// @return propertyRegistry The new PropertyRegistry clone.
    function install(
        address charter,
        IMutualAidFund.Rules calldata rules,
        PropertyConfig calldata property
    ) external returns (address fund, address propertyRegistry);

    /// @notice The addresses the next `install` for `charter` creates.
    /// @return fund The next MutualAidFund clone's address.
    /// @return propertyRegistry The next PropertyRegistry clone's address.
    function predictAddresses(address charter)
        external
        view
        returns (address fund, address propertyRegistry);

    /// @notice How many times a fund and register were installed for `charter`.
    function installations(address charter) external view returns (uint256);

    /// @notice The MutualAidFund implementation the clones delegate to.
    function fundImplementation() external view returns (address);

    /// @notice The PropertyRegistry implementation the clones delegate to.
    function propertyRegistryImplementation() external view returns (address);
}
