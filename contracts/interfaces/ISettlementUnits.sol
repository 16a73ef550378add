// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IObligationSource} from "./IObligationSource.sol";
import {ISettlementUnitsInitializer} from "./ISettlementUnitsInitializer.sol";

/// @title ISettlementUnits
/// @notice Internal settlement units (ВРЕ): mutual credit among the members of one cooperative
/// (or among the member cooperatives of a union: the same contract, other members).
///
/// Every member has a signed balance; a member may go below zero down to their credit limit;
/// the balances of all members always sum to zero, so units are never created or destroyed,
/// only lent from one member to another. Members invoice each other (obligations); an accepted
/// obligation is paid in units or struck off by multilateral set-off (взаимозачёт, clearing):
/// a clearing plan cancels debts that run in circles without changing anybody's net position.
///
/// Who may do what (the membership rules):
/// - Creating credit needs active members on both sides: `transfer`, `transferFrom`, issuing an
///   invoice and accepting one.
/// - A party that is not (or no longer) an active member (blocked, exiting, exited) may still
///   wind down: as a sender only from a positive balance down to zero, as a recipient only from
///   a negative balance up to zero. An address that never was a member has balance zero, so it
///   can neither send nor receive.
/// - Paying an accepted obligation, clearing and cancelling never create new credit (they turn
///   a debt into a balance or strike it off), so they stay open to both parties whatever their
///   membership status; the debtor's credit limit still applies to a payment.
/// - Exit is blocked (`hasOpenObligations`) while the member's balance is negative (in debt to
///   the other members) or while they are debtor or creditor of an accepted obligation with
///   something outstanding. Neither units held nor an invoice not yet accepted block exit
///   (otherwise anyone could block anyone by sending them one unit or invoicing them): the
///   member may spend the units until the exit decision (also while exiting: down to zero);
///   what is left then goes to the cooperative treasury's account (`ExitBalanceForfeited`). The
///   debtor may reject a pending invoice and the creditor may cancel it.
///
/// Membership status is cached per member (`memberStatusCached`): set lazily by a movement once
/// Membership answered "active", cleared by Membership's `memberDeactivated` push, trusted only
/// while this contract is one of Membership's obligation sources (`memberStatusCacheTrusted`).
/// The rules above hold whichever way the status is found.
interface ISettlementUnits is IERC20Metadata, IERC5267, IObligationSource, ISettlementUnitsInitializer {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice The life cycle of an obligation (invoice).
    /// @dev `None`: no such id. `Issued`: invoiced by the creditor, not yet accepted (not a debt).
    /// `Accepted`: an open debt, payable and clearable. `Settled`: nothing outstanding (paid
    /// and/or cleared). `Cancelled`: the creditor waived what was outstanding. `Rejected`: the
    /// debtor declined the invoice.
    enum ObligationStatus {
        None,
        Issued,
        Accepted,
        Settled,
        Cancelled,
        Rejected
    }

    /// @notice One line of a clearing plan: strike `amount` off obligation `obligationId`.
    struct ClearingEntry {
        uint256 obligationId;
        uint256 amount;
    }

    /// @notice Everything known about one obligation.
    struct ObligationInfo {
        address debtor;
        address creditor;
        ObligationStatus status;
        uint40 dueDate;
        uint256 amount;
        uint256 outstanding;
        bytes32 documentHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A transfer carried a document (invoice, act); emitted after its `Transfer`.
    event TransferDocumented(
        address indexed from, address indexed to, uint256 amount, bytes32 indexed documentHash
    );

    /// @notice A decision set `member`'s credit limit.
    event CreditLimitSet(address indexed member, uint256 previousLimit, uint256 newLimit);

    /// @notice A decision set the charter default credit limit (for members who have not yet
    /// taken part in any movement of units).
    event DefaultCreditLimitSet(uint256 previousLimit, uint256 newLimit);

    /// @notice `creditor` invoiced `debtor`.
    event ObligationIssued(
        uint256 indexed obligationId,
        address indexed creditor,
        address indexed debtor,
        uint256 amount,
        uint40 dueDate,
        bytes32 documentHash
    );

    /// @notice The debtor accepted the obligation: it is now an open debt.
    event ObligationAccepted(uint256 indexed obligationId, address indexed debtor, bool bySignature);

    /// @notice The debtor rejected an invoice they had not accepted.
    event ObligationRejected(uint256 indexed obligationId, address indexed debtor);

    /// @notice The creditor cancelled the obligation, waiving `waivedAmount` (what was outstanding).
    event ObligationCancelled(
        uint256 indexed obligationId, address indexed creditor, uint256 waivedAmount
    );

    /// @notice The debtor paid `amount` units to the creditor against the obligation.
    event ObligationPaid(uint256 indexed obligationId, uint256 amount, uint256 outstanding);

    /// @notice A clearing struck `amount` off the obligation.
    event ObligationCleared(uint256 indexed obligationId, uint256 amount, uint256 outstanding);

    /// @notice A clearing plan was applied. `planHash` is keccak256 over the plan's
    /// (obligationId, amount) pairs, each as two 32-byte words, in the order submitted.
    event ClearingSettled(
        address indexed submitter, bytes32 indexed planHash, uint256 entries, uint256 totalCleared
    );

    /// @notice `member` exited holding `amount` units, which went to the cooperative treasury's
    /// account `treasury` (a `Transfer` from `member` to `treasury` precedes this event).
    event ExitBalanceForfeited(address indexed member, address indexed treasury, uint256 amount);

    /// @notice Membership moved `from`'s balance, limit and obligations to `to` (key recovery).
    event MemberRebound(address indexed from, address indexed to);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A zero address was given where an account or contract is needed.
    error SettlementUnitsZeroAddress();

    /// @notice `account` may not call this function (not the decision executor / Membership).
    error SettlementUnitsUnauthorized(address account);

    /// @notice `account` is not an active member, and the call is not a permitted wind-down.
    error SettlementUnitsNotActiveMember(address account);

    /// @notice `member` would go below their credit limit: `available` units, `needed` asked.
    error SettlementUnitsInsufficientAvailable(address member, uint256 available, uint256 needed);

    /// @notice `spender` may move only `allowance` of the owner's units, `needed` asked.
    error SettlementUnitsInsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    /// @notice An amount of zero where a positive amount is needed.
    error SettlementUnitsZeroAmount();

    /// @notice `amount` does not fit the contract's 128-bit accounting.
    error SettlementUnitsAmountTooLarge(uint256 amount);

    /// @notice `limit` is above the largest credit limit the contract stores (2**96 - 1).
    error SettlementUnitsLimitTooLarge(uint256 limit);

    /// @notice `member` owes `debt` units, more than the `limit` a decision tried to set.
    error SettlementUnitsLimitBelowDebt(address member, uint256 limit, uint256 debt);

    /// @notice A member tried to invoice themselves.
    error SettlementUnitsSelfObligation(address member);

    /// @notice The obligation is not in a status that allows this action.
    error SettlementUnitsUnexpectedStatus(uint256 obligationId, ObligationStatus status);

    /// @notice `account` is not the obligation's debtor.
    error SettlementUnitsNotDebtor(uint256 obligationId, address account);

    /// @notice `account` is not the obligation's creditor.
    error SettlementUnitsNotCreditor(uint256 obligationId, address account);

    /// @notice `amount` is more than the `outstanding` amount of the obligation.
    error SettlementUnitsExceedsOutstanding(uint256 obligationId, uint256 amount, uint256 outstanding);

    /// @notice The signature's deadline has passed.
    error SettlementUnitsSignatureExpired(uint256 deadline);

    /// @notice The signature is not the debtor's acceptance of this obligation in this domain.
    error SettlementUnitsInvalidSignature(uint256 obligationId, address debtor);

    /// @notice A clearing plan with no entries.
    error SettlementUnitsClearingEmpty();

    /// @notice The plan would change `member`'s net position by `imbalance` (claims cleared minus
    /// debts cleared): cleared debts and cleared claims must be equal for every member.
    error SettlementUnitsClearingUnbalanced(address member, int256 imbalance);

    /// @notice A key recovery tried to move a member onto `to`, which already holds units or
    /// obligations here.
    error SettlementUnitsRebindTargetInUse(address to);

    /// @notice All 2**31 - 1 member keys have been handed out.
    error SettlementUnitsKeysExhausted();

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Moves `amount` units to `to` and records the document that justifies it.
    /// @param to The recipient (an active member).
    /// @param amount Units to move (the sender may go below zero down to their credit limit).
    /// @param documentHash Hash of the invoice, act or contract; zero for none.
    /// @return Always true (failures revert).
    function transferWithDocument(address to, uint256 amount, bytes32 documentHash)
        external
        returns (bool);

    /// @notice Sets `member`'s credit limit. Only the charter's decision executor.
    /// @dev Reverts if the member already owes more than `limit`: `balance >= -limit` always.
    function setCreditLimit(address member, uint256 limit) external;

    /// @notice Sets the charter default credit limit. Only the charter's decision executor.
    /// @dev A member's limit is fixed to the default when they first take part (first units
    /// moved, first obligation, first decision about them); a later default change applies to
    /// members who have not taken part yet. Existing members' limits change one by one.
    function setDefaultCreditLimit(uint256 limit) external;

    /// @notice Invoices `debtor` (an active member) for `amount` units; the caller is the creditor.
    /// @param debtor Who will owe the amount once they accept.
    /// @param amount Units owed (positive, at most 2**128 - 1).
    /// @param dueDate When payment is due (unix seconds), zero for none; informational.
    /// @param documentHash Hash of the invoice document.
    /// @return obligationId The new obligation's id (sequential from 1).
    function issueObligation(address debtor, uint256 amount, uint40 dueDate, bytes32 documentHash)
        external
        returns (uint256 obligationId);

    /// @notice The debtor accepts an issued obligation: it becomes an open debt.
    function acceptObligation(uint256 obligationId) external;

    /// @notice Anyone submits the debtor's EIP-712 acceptance of an issued obligation.
    /// @param obligationId The obligation accepted.
    /// @param deadline Last second (unix time) the signature is valid.
    /// @param signature The debtor's signature over `acceptDigest(obligationId, deadline)`
    /// (65-byte ECDSA, or ERC-1271 when the debtor is a contract).
    function acceptObligationWithSignature(
        uint256 obligationId,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The debtor declines an invoice they have not accepted.
    function rejectObligation(uint256 obligationId) external;

    /// @notice The creditor cancels an issued or accepted obligation, waiving what is outstanding.
    function cancelObligation(uint256 obligationId) external;

    /// @notice The debtor pays `amount` units to the creditor against an accepted obligation.
    function payObligation(uint256 obligationId, uint256 amount) external;

    /// @notice Applies a clearing plan atomically. Anyone may submit one.
    /// @dev Every amount must be positive and at most what is outstanding (entries of the same
    /// id are allowed and count against what the earlier ones left); only accepted obligations;
    /// for every member the total cleared on what they owe must equal the total cleared on what
    /// they are owed, otherwise it reverts with `SettlementUnitsClearingUnbalanced`.
    /// @return totalCleared The sum of the plan's amounts.
    function settleClearing(ClearingEntry[] calldata entries) external returns (uint256 totalCleared);

    /// @notice `account`'s signed balance (negative: owes units to the other members).
    function signedBalanceOf(address account) external view returns (int256);

    /// @notice How many units `account` may still send now: balance plus credit limit.
    function availableOf(address account) external view returns (uint256);

    /// @notice `account`'s credit limit (the default if they have not taken part yet).
    function creditLimitOf(address account) external view returns (uint256);

    /// @notice The charter default credit limit for members who have not taken part yet.
    function defaultCreditLimit() external view returns (uint256);

    /// @notice Number of accepted obligations with something outstanding where `account` is
    /// debtor or creditor.
    function openObligationCount(address account) external view returns (uint256);

    /// @notice Whether this contract holds `account` for an active member without asking
    /// Membership: the status bit cached in its balance slot is set and trusted.
    /// @dev The bit is set lazily by a transfer (or a first invoice) after Membership answered
    /// "active", and cleared by Membership's `memberDeactivated` push; false says nothing about
    /// the account's status (the next movement asks Membership).
    function memberStatusCached(address account) external view returns (bool);

    /// @notice Whether cached status bits are trusted: this contract was an obligation source of
    /// its Membership at initialisation and has not been detached since.
    function memberStatusCacheTrusted() external view returns (bool);

    /// @notice Everything stored about obligation `obligationId` (status None if unknown).
    function obligation(uint256 obligationId) external view returns (ObligationInfo memory);

    /// @notice Number of obligations ever issued (ids run from 1 to this number).
    function obligationCount() external view returns (uint256);

    /// @notice The EIP-712 digest a debtor signs to accept `obligationId` until `deadline`.
    function acceptDigest(uint256 obligationId, uint256 deadline) external view returns (bytes32);

    /// @notice The EIP-712 domain separator of this contract (this address, this chain).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The charter this contract takes decisions from.
    function charter() external view returns (address);

    /// @notice The membership register this contract takes members from.
    function membership() external view returns (address);
}
