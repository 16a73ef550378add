// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IBankSettlements
/// @notice A cooperative's ruble facts: bank statement lines a cashier attests, in batches.
/// Incoming payments say what they pay (an application's fees, a voluntary share, a fund
/// contribution, a loan repayment, an exchange order); outgoing payments close an amount the
/// cooperative owed in rubles (a share refund on exit, a payout by decision, a loan
/// disbursement). A statement line is recorded at most once, an owed amount closed at most once.
/// @dev The contract attests application fees and voluntary shares through Membership and
/// Shares, which require a cashier: the decision that installs it grants it the cashier role
/// (`Charter.setRoles(bankSettlements, 1)`). Only the charter's cashiers may call it.
interface IBankSettlements {
    /// @notice What an incoming payment pays.
    enum Purpose {
        Entry,
        VoluntaryShare,
        FundContribution,
        LoanRepayment,
        ExchangeOrder
    }

    /// @notice One incoming statement line, confirmed by the cashier.
    struct Incoming {
        /// @notice Hash of the statement line (the bank's reference and its fields).
        bytes32 line;
        /// @notice The member or applicant it is credited to.
        address payer;
        /// @notice Amount in the payment token's units (rubles scaled by its decimals).
        uint128 amount;
        /// @notice What it pays.
        Purpose purpose;
        /// @notice The paid item: application hash, fund contribution or loan id, order id.
        bytes32 ref;
    }

    /// @notice One outgoing statement line closing an owed amount.
    struct Outgoing {
        /// @notice Hash of the statement line that shows the money paid.
        bytes32 line;
        /// @notice Who was paid.
        address payee;
        /// @notice Amount in the payment token's units.
        uint128 amount;
        /// @notice The owed amount closed: keccak256 of its kind, account and decision.
        bytes32 obligation;
        /// @notice The executed decision the payment order was made from.
        bytes32 decision;
    }

    /// @notice The caller is not a cashier of the cooperative.
    error BankSettlementsNotCashier(address account);
    /// @notice A zero hash or zero address where one is required.
    error BankSettlementsZeroValue();
    /// @notice The amount is zero.
    error BankSettlementsZeroAmount();
    /// @notice The statement line is already recorded.
    error BankSettlementsLineRecorded(bytes32 line);
    /// @notice The owed amount is already closed, by `line`.
    error BankSettlementsAlreadyClosed(bytes32 obligation, bytes32 line);
    /// @notice An application's payment differs from the fees it owes.
    error BankSettlementsWrongFees(address payer, uint256 due, uint256 paid);
    /// @notice An empty batch.
    error BankSettlementsEmptyBatch();

    /// @notice A cashier recorded an incoming ruble payment.
    event PaymentRecorded(
        bytes32 indexed line,
        address indexed payer,
        Purpose purpose,
        bytes32 ref,
        uint256 amount,
        address cashier
    );

    /// @notice A cashier closed an owed amount with the statement line that shows it paid.
    event OwedPaid(
        bytes32 indexed obligation,
        address indexed payee,
        bytes32 line,
        bytes32 decision,
        uint256 amount,
        address cashier
    );

    /// @notice Records confirmed incoming payments in one transaction; application fees and
    /// voluntary shares are attested to Membership / Shares with the line hash as the document.
    function recordIncoming(Incoming[] calldata items) external;

    /// @notice Records paid outgoing lines, each closing one owed amount.
    function recordOutgoing(Outgoing[] calldata items) external;

    /// @notice Whether the statement line `line` is recorded (in or out).
    function lineRecorded(bytes32 line) external view returns (bool);

    /// @notice The line that closed `obligation`, zero while it is open.
    function closedBy(bytes32 obligation) external view returns (bytes32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);
}
