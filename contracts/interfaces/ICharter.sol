// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharterView} from "./ICharterView.sol";

/// @title ICharter
/// @notice A cooperative's rules and roles: who decides, who may attest identities and payments,
/// what joining costs, how income is split into funds. One Charter per cooperative, created by the
/// cooperative factory as an EIP-1167 clone. The fixed part (name, kind, payment token, initial
/// council, the addresses of the cooperative's other contracts) is carried in the clone's code;
/// the rest changes only by a call of the current decision executor.
interface ICharter is ICharterView {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What kind of organisation the cooperative is. A union's members are organisations.
    enum CooperativeKind {
        Consumer,
        Production,
        Agricultural,
        Credit,
        Union,
        Other
    }

    /// @notice Whether a member is a person or an organisation (their fees differ).
    enum MemberKind {
        Individual,
        Organisation
    }

    /// @notice What joining costs one kind of member, in the payment token's smallest units.
    struct Fees {
        /// @notice Paid once, never refunded.
        uint128 entranceFee;
        /// @notice Required to join, refunded on exit.
        uint128 minimumShare;
    }

    /// @notice The changeable part of the charter, set once at creation.
    struct Config {
        /// @notice Signs protocols, attests identities, confirms payouts.
        address chair;
        /// @notice Runs decision-gated actions (admission, exit, payouts, rule changes).
        address decisionExecutor;
        /// @notice Hash of the charter document in force.
        bytes32 charterDocument;
        /// @notice Fees of individual members.
        Fees individualFees;
        /// @notice Fees of organisation members.
        Fees organisationFees;
        /// @notice Basis points of income credited to each treasury fund (share, reserve,
        /// mutual aid, development); they sum to 10,000.
        uint16[4] fundSplit;
        /// @notice Accounts that attest bank payments.
        address[] cashiers;
        /// @notice Branch trustees who, besides the chair, attest identity checks.
        address[] verifiers;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the decision executor may change the charter.
    error CharterNotDecisionExecutor(address account);
    /// @notice A required address is zero.
    error CharterZeroAddress();
    /// @notice A required hash is zero.
    error CharterZeroHash();
    /// @notice The fund split does not sum to 10,000 basis points.
    error CharterInvalidFundSplit(uint256 totalBasisPoints);
    /// @notice The roles bitmask has bits that name no role.
    error CharterUnknownRoles(uint8 roles);
    /// @notice `account` may not appoint or remove auditors.
    error CharterNotAuditorAppointer(address account);
    /// @notice `account` already is (`appointed`) or already is not an auditor.
    error CharterAuditorUnchanged(address account, bool appointed);
    /// @notice A proxy cap must be between 1 and 100 members.
    error CharterInvalidProxyCap(uint256 cap);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The decision executor changed.
    event DecisionExecutorChanged(address indexed previousExecutor, address indexed newExecutor);
    /// @notice The chair changed.
    event ChairChanged(address indexed previousChair, address indexed newChair);
    /// @notice The roles of `account` are now `roles` (bit 0 cashier, bit 1 identity verifier).
    event RolesChanged(address indexed account, uint8 roles);
    /// @notice The fees of `kind` members changed.
    event FeesChanged(MemberKind indexed kind, uint128 entranceFee, uint128 minimumShare);
    /// @notice The split of income into funds changed.
    event FundSplitChanged(uint16[4] basisPoints);
    /// @notice A new charter document is in force.
    event CharterDocumentChanged(bytes32 indexed previousDocument, bytes32 indexed newDocument);
    /// @notice `account` was appointed to (`appointed`) or removed from the audit commission.
    event AuditorChanged(address indexed account, bool appointed);
    /// @notice How many members one proxy holder may represent in a meeting changed.
    event ProxyCapChanged(uint8 previousCap, uint8 newCap);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone (the factory calls it in the creating transaction).
    function initialize(Config calldata config) external;

    /// @notice Hands the decision-gated actions to `newExecutor` (e.g. the council contract).
    function setDecisionExecutor(address newExecutor) external;

    /// @notice Replaces the chair.
    function setChair(address newChair) external;

    /// @notice Sets the roles of `account` (bit 0 cashier, bit 1 identity verifier; 0 removes).
    function setRoles(address account, uint8 roles) external;

    /// @notice Sets what joining costs `kind` members.
    function setFees(MemberKind kind, Fees calldata fees) external;

    /// @notice Sets the split of income into funds, in basis points summing to 10,000.
    function setFundSplit(uint16[4] calldata basisPoints) external;

    /// @notice Records the hash of an amended charter document.
    function setCharterDocument(bytes32 newDocument) external;

    /// @notice Appoints `account` to the audit commission (revision commission), or removes it
    /// when `appointed` is false. Auditors read every register and change none.
    /// @dev Only through a decision: the decision executor for now (the law has the general
    /// meeting elect the commission; the check lives in one place to be narrowed to that).
    function setAuditor(address account, bool appointed) external;

    /// @notice Sets how many members one holder of proxies (доверенности) may represent in one
    /// general meeting (1 to 100). A charter provision: only a general-meeting decision of three
    /// quarters of those voting (see `reservedMajority`).
    function setProxyCap(uint8 cap) external;

    /// @notice How many members one holder of proxies may represent in one general meeting
    /// (the charter's cap; 3 until a meeting decision sets another).
    function proxyCap() external view returns (uint8);

    /// @notice The cooperative's name.
    function name() external view returns (string memory);

    /// @notice The ticker wallets show for the cooperative's shares.
    function symbol() external view returns (string memory);

    /// @notice What kind of organisation the cooperative is.
    function kind() external view returns (CooperativeKind);

    /// @notice The ERC-20 token the cooperative's money is held in.
    function paymentToken() external view returns (address);

    /// @notice The council named at creation (later councils are the governance contracts').
    function initialCouncil() external view returns (address[] memory);

    /// @notice The chair.
    function chair() external view returns (address);

    /// @notice Hash of the charter document in force.
    function charterDocument() external view returns (bytes32);

    /// @notice Fees of `kind` members.
    function fees(MemberKind kind) external view returns (Fees memory);

    /// @notice Basis points of income credited to each fund (share, reserve, mutual aid, development).
    function fundSplit() external view returns (uint16[4] memory);

    /// @notice Roles bitmask of `account` (bit 0 cashier, bit 1 identity verifier).
    function rolesOf(address account) external view returns (uint8);

    /// @notice Whether `account` may attest bank payments.
    function isCashier(address account) external view returns (bool);

    /// @notice Whether `account` may attest identity checks (the chair or a branch trustee).
    function isVerifier(address account) external view returns (bool);

    /// @notice Whether `account` is an appointed auditor (a member of the audit commission).
    function isAuditor(address account) external view returns (bool);

    /// @notice Whether `account` holds any office (chair, executor, cashier, verifier).
    function isOfficer(address account) external view returns (bool);

    /// @notice The cooperative's membership register.
    function membership() external view returns (address);

    /// @notice The cooperative's share register (an ERC-20 wallets can show).
    function shares() external view returns (address);

    /// @notice The cooperative's treasury.
    function treasury() external view returns (address);

    /// @notice The cooperative's document registry.
    function documents() external view returns (address);

    /// @notice The cooperative's internal settlement units (ВРЕ).
    function settlementUnits() external view returns (address);
}
