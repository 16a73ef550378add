// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {ICharter} from "./ICharter.sol";
import {IMembershipView} from "./IMembershipView.sol";

/// @title IMembership
/// @notice A cooperative's membership register. A person or organisation applies (by their own
/// transaction or by an EIP-712 signed application anyone may submit), a verifier attests the
/// identity check, the entrance fee and minimum share are paid (ERC-20 or a cashier's
/// attestation of a bank payment), and the decision executor admits. Exit, blocking and key
/// recovery are decisions too. Only hashes of identity records and documents go on chain.
/// States: None -> Applicant -> Member -> Exiting -> Exited, and Blocked from any live state.
interface IMembership is IMembershipView, IERC5267 {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Where an account stands. Only `Member` counts as an active member.
    enum MemberStatus {
        None,
        Applicant,
        Member,
        Exiting,
        Exited,
        Blocked
    }

    /// @notice One account's membership (stored in one slot together with its member index,
    /// `memberIndexOf`).
    struct MemberRecord {
        /// @notice Current state.
        MemberStatus status;
        /// @notice Individual or organisation.
        ICharter.MemberKind kind;
        /// @notice The state a blocked account returns to when unblocked.
        MemberStatus blockedFrom;
        /// @notice A verifier attested the identity check of the current application.
        bool identityVerified;
        /// @notice The entrance fee and minimum share of the current application are paid.
        bool feesPaid;
        /// @notice Applications made so far: the nonce a signed application must carry.
        uint32 nonce;
        /// @notice When the current application was made (unix seconds).
        uint48 appliedAt;
        /// @notice When the account was admitted (unix seconds), 0 if never.
        uint48 admittedAt;
    }

    /// @notice Hashes of the off-chain records behind one membership.
    struct Dossier {
        /// @notice Hash of the identity record (personal data stays off chain, encrypted).
        bytes32 identityHash;
        /// @notice Hash of the signed application document.
        bytes32 applicationHash;
        /// @notice Hash of the verifier's identity check record. (A bank payment document's
        /// hash is in the `PaymentAttested` event.)
        bytes32 identityCheck;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the cooperative's decision executor may do this.
    error MembershipNotDecisionExecutor(address account);
    /// @notice Only the chair or a branch trustee may attest identity checks.
    error MembershipNotVerifier(address account);
    /// @notice Only a cashier may attest bank payments.
    error MembershipNotCashier(address account);
    /// @notice The account is not in a state that allows this.
    error MembershipWrongStatus(address account, MemberStatus status);
    /// @notice The account already has a live application or membership.
    error MembershipDuplicateApplication(address account, MemberStatus status);
    /// @notice A required hash is zero.
    error MembershipZeroHash();
    /// @notice A required address is zero.
    error MembershipZeroAddress();
    /// @notice This cooperative does not admit this kind of member (a union admits organisations).
    error MembershipKindNotAllowed(ICharter.MemberKind kind);
    /// @notice The signed application's deadline has passed.
    error MembershipSignatureExpired(uint256 deadline);
    /// @notice The signed application carries a used or future nonce (a replay).
    error MembershipInvalidNonce(address account, uint256 expectedNonce);
    /// @notice The signature is not the applicant's for this contract on this chain.
    error MembershipInvalidSignature(address account);
    /// @notice No verifier has attested the applicant's identity check.
    error MembershipIdentityNotVerified(address account);
    /// @notice The identity check was already attested.
    error MembershipIdentityAlreadyVerified(address account);
    /// @notice The entrance fee and minimum share are not paid.
    error MembershipFeesUnpaid(address account);
    /// @notice The entrance fee and minimum share are already paid.
    error MembershipFeesAlreadyPaid(address account);
    /// @notice `source` reports open obligations of the member: they must settle first.
    error MembershipOpenObligations(address account, address source);
    /// @notice The new address of a key recovery already has, or once had, a membership.
    error MembershipAccountInUse(address account);
    /// @notice Key recovery moved this address's membership to another address (its key was
    /// reported lost): it cannot apply again.
    error MembershipAddressRecovered(address account);
    /// @notice The obligation source is already registered.
    error MembershipObligationSourceExists(address source);
    /// @notice The obligation source is not registered.
    error MembershipUnknownObligationSource(address source);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `account` applied (`submitter` sent the transaction: the applicant or a relayer).
    event ApplicationSubmitted(
        address indexed account,
        ICharter.MemberKind kind,
        bytes32 identityHash,
        bytes32 applicationHash,
        uint32 nonce,
        address indexed submitter
    );
    /// @notice `verifier` attested the identity check of `account` by its record's hash.
    event IdentityAttested(address indexed account, address indexed verifier, bytes32 checkRecord);
    /// @notice The fees of `account` were paid in the payment token by `payer`.
    event FeesPaid(
        address indexed account, address indexed payer, uint256 entranceFee, uint256 minimumShare
    );
    /// @notice A cashier attested a bank payment of the fees of `account`.
    event PaymentAttested(
        address indexed account,
        address indexed cashier,
        bytes32 paymentDocument,
        uint256 entranceFee,
        uint256 minimumShare
    );
    /// @notice `account` became a member by `decision`.
    event MemberAdmitted(address indexed account, bytes32 decision);
    /// @notice The member applied to leave.
    event ExitRequested(address indexed account, bytes32 applicationHash);
    /// @notice `account` left (or its application was declined) by `decision`.
    event MemberExited(address indexed account, bytes32 decision);
    /// @notice `account` was blocked by `decision`.
    event MemberBlocked(address indexed account, bytes32 decision);
    /// @notice `account` was unblocked by `decision`.
    event MemberUnblocked(address indexed account, bytes32 decision);
    /// @notice The membership of lost address `from` now belongs to `to`, by `decision`.
    event MemberRecovered(address indexed from, address indexed to, bytes32 decision);
    /// @notice Exits now also wait for `source`.
    event ObligationSourceAdded(address indexed source);
    /// @notice Exits no longer wait for `source`.
    event ObligationSourceRemoved(address indexed source);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone: the initial obligation sources (the ВРЕ contract).
    function initialize(address[] calldata obligationSources) external;

    /// @notice Applies for membership with the sender's own wallet.
    function applyToJoin(ICharter.MemberKind kind, bytes32 identityHash, bytes32 applicationHash)
        external;

    /// @notice Submits an application signed (EIP-712, or ERC-1271 for a contract wallet) by
    /// `applicant`; anyone may send it and pay the gas.
    function applyToJoinWithSig(
        address applicant,
        ICharter.MemberKind kind,
        bytes32 identityHash,
        bytes32 applicationHash,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The chair or a branch trustee attests that the applicant's identity was checked.
    function attestIdentity(address account, bytes32 checkRecord) external;

    /// @notice Pays the entrance fee and minimum share of `account` in the payment token, from
    /// the sender (who must have approved the treasury).
    function payFees(address account) external;

    /// @notice A cashier attests that the fees of `account` arrived by bank payment.
    function attestPayment(address account, bytes32 paymentDocument) external;

    /// @notice Admits an applicant whose identity is checked and whose fees are paid (decision).
    function admit(address account, bytes32 decision) external;

    /// @notice The sender, a member without open obligations, applies to leave.
    /// @dev Tells every obligation source (`IObligationSource.memberDeactivated`).
    function requestExit(bytes32 applicationHash) external;

    /// @notice Ends a membership or declines an application and refunds the refundable shares
    /// (decision).
    /// @dev Tells every obligation source that caches status
    /// (`IObligationSource.memberDeactivated`), whatever the status it left: the ВРЕ forfeits a
    /// positive balance left to the treasury's account then.
    function exit(address account, bytes32 decision) external;

    /// @notice Blocks an account (decision).
    /// @dev When the account was an active member, tells every obligation source
    /// (`IObligationSource.memberDeactivated`). Unblocking pushes nothing: sources that cache
    /// the status ask again lazily.
    function blockMember(address account, bytes32 decision) external;

    /// @notice Returns a blocked account to the state it was blocked in (decision).
    function unblockMember(address account, bytes32 decision) external;

    /// @notice Moves a membership, its shares and its obligations from a lost address to a new
    /// one (decision).
    function recoverMembership(address from, address to, bytes32 decision) external;

    /// @notice Registers a contract whose open obligations block exits (decision). It must
    /// implement {IObligationSource} in full: exits, blocks and key recoveries call it; it is
    /// asked once (`cachesMemberStatus`) whether it must hear of deactivations.
    function addObligationSource(address source) external;

    /// @notice Unregisters an obligation source (decision) and tells it
    /// (`IObligationSource.detached`), so that it stops trusting any status it cached.
    function removeObligationSource(address source) external;

    /// @notice The registered obligation sources.
    function obligationSources() external view returns (address[] memory);

    /// @notice The membership record of `account`.
    function memberOf(address account) external view returns (MemberRecord memory);

    /// @notice The hashes of the records behind the membership of `account`.
    function dossierOf(address account) external view returns (Dossier memory);

    /// @notice The state of `account`.
    function statusOf(address account) external view returns (MemberStatus);

    /// @notice The EIP-712 domain separator of this contract (bound to its address and chain).
    function domainSeparator() external view returns (bytes32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
