// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITargetPrograms
/// @notice The target programs (целевые программы) of one cooperative: each program is a
/// purpose (a joint purchase, a house, a car) with its own balance in the cooperative's payment
/// token, kept apart from every other program's and from the treasury's and the fund's money.
///
/// - The cooperative's decision executor (a council decision, or a general-meeting decision the
///   Council executes, as the charter says) creates a program with its purpose and the hash of
///   its terms document, and alone spends from it, each spend naming its decision document.
/// - An active member joins by accepting the terms: a direct call or an EIP-712 signature any
///   relayer (the gateway) may submit; `ProgramJoined` carries the terms hash, anchoring the
///   acceptance on chain.
/// - A member of the program contributes; their **part** is their program units times the
///   program's balance over all its units, rounded down (see `partOf`). A contribution buys
///   units at the current balance per unit, rounded down; a spend lowers the balance and so
///   every part pro rata. Every rounding is in the program's favour: the sum of the parts never
///   exceeds the balance and falls short of it by less than the number of unit holders; the last
///   holder to leave takes the whole balance.
/// - A member leaves with exactly their part (`leave`); a member who is no longer an active
///   member of the cooperative (exited, blocked) is paid out by anybody's `release`.
///
/// The contract is an obligation source of Membership only to follow key recovery
/// (`rebindMember`): a part is the member's asset, never an obligation, so it never blocks an
/// exit.
interface ITargetPrograms {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A program's lifecycle: `Open` takes joins and contributions, `Closed` only
    /// spends (by decision) and departures.
    enum ProgramStatus {
        None,
        Open,
        Closed
    }

    /// @notice What `program` returns.
    struct ProgramInfo {
        /// @notice The program's own balance (tokens contributed, less spent, less paid out).
        uint128 balance;
        /// @notice Program units of the current epoch held by its members.
        uint128 totalUnits;
        /// @notice Members who joined and have not left.
        uint32 members;
        /// @notice Starts at 0; moves on when a spend empties the balance (older units are then
        /// worth nothing and count for nobody).
        uint32 epoch;
        /// @notice The lifecycle status.
        ProgramStatus status;
        /// @notice The hash of the terms document members accept.
        bytes32 terms;
    }

    /// @notice A member's position in a program.
    struct Position {
        /// @notice Whether the account has joined and not left.
        bool joined;
        /// @notice The account's units of the current epoch.
        uint256 units;
        /// @notice What the account would be paid on leaving now.
        uint256 part;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The clone was initialised for the cooperative of `charter`.
    event TargetProgramsInitialized(address indexed charter, address membership, address token);

    /// @notice Program `programId` was created with `purpose` and the terms document `terms`, by
    /// the decision `decision`.
    event ProgramCreated(
        uint256 indexed programId, bytes32 indexed terms, bytes32 decision, string purpose
    );

    /// @notice `member` accepted the terms `terms` of program `programId` and joined it.
    event ProgramJoined(uint256 indexed programId, address indexed member, bytes32 terms);

    /// @notice `member` contributed `amount` to program `programId` and got `units` units.
    event ProgramContributed(
        uint256 indexed programId, address indexed member, uint256 amount, uint256 units
    );

    /// @notice `amount` of program `programId` was paid to `recipient` by the decision
    /// `decision`; when the balance reached zero the program moved to epoch `epoch`.
    event ProgramSpent(
        uint256 indexed programId,
        address indexed recipient,
        uint256 amount,
        bytes32 decision,
        uint32 epoch
    );

    /// @notice `member` left program `programId` and was paid `amount`, their part, for their
    /// `units` units.
    event ProgramLeft(
        uint256 indexed programId, address indexed member, uint256 amount, uint256 units
    );

    /// @notice Program `programId` was closed by the decision `decision`.
    event ProgramClosed(uint256 indexed programId, bytes32 decision);

    /// @notice The positions of `from` now belong to `to` (key recovery).
    event ProgramMemberRebound(address indexed from, address indexed to);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice An address that must be set is the zero address.
    error TargetProgramsZeroAddress();

    /// @notice Only the cooperative's decision executor may do this; `account` tried.
    error TargetProgramsNotDecisionExecutor(address account);

    /// @notice Only the cooperative's Membership contract may call this; `account` tried.
    error TargetProgramsNotMembership(address account);

    /// @notice A document hash (terms, decision) is zero, or the purpose is empty.
    error TargetProgramsZeroHash();

    /// @notice No program `programId`.
    error TargetProgramsUnknownProgram(uint256 programId);

    /// @notice Program `programId` is closed: no joins, no contributions.
    error TargetProgramsProgramClosed(uint256 programId);

    /// @notice `account` is not an active member of the cooperative.
    error TargetProgramsNotActiveMember(address account);

    /// @notice `terms` are not the terms of program `programId`.
    error TargetProgramsTermsMismatch(uint256 programId, bytes32 terms);

    /// @notice `account` has already joined program `programId`.
    error TargetProgramsAlreadyJoined(uint256 programId, address account);

    /// @notice `account` has not joined program `programId`.
    error TargetProgramsNotJoined(uint256 programId, address account);

    /// @notice The amount is zero, or too small to buy a single unit.
    error TargetProgramsZeroAmount();

    /// @notice `amount` exceeds the room `room` a 128-bit counter has left.
    error TargetProgramsAmountTooLarge(uint256 amount, uint256 room);

    /// @notice Spending `amount` exceeds program `programId`'s balance `balance`.
    error TargetProgramsInsufficientBalance(uint256 programId, uint256 amount, uint256 balance);

    /// @notice The signature is not the member's acceptance of these terms.
    error TargetProgramsInvalidSignature();

    /// @notice The signed acceptance expired at `deadline`.
    error TargetProgramsSignatureExpired(uint256 deadline);

    /// @notice `account` is still an active member: only they may take their part out.
    error TargetProgramsStillMember(address account);

    /// @notice `received` arrived of the `amount` pulled (a fee-on-transfer token).
    error TargetProgramsTransferShortfall(uint256 amount, uint256 received);

    /// @notice A token-moving function was called back while one ran (a hostile token's hook).
    error TargetProgramsReentrantCall();

    /// @notice The recovery target `account` already holds program positions.
    error TargetProgramsRebindTargetInUse(address account);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Wires a fresh clone to the cooperative of `charter` (its Membership and payment
    /// token); once, by the installer in the creating transaction.
    function initialize(address charter) external;

    /// @notice Creates a program with `purpose` and the terms document `terms`. Only the
    /// decision executor; `decision` is the decision document's hash.
    /// @return programId The new program's id (from 1).
    function createProgram(string calldata purpose, bytes32 terms, bytes32 decision)
        external
        returns (uint256 programId);

    /// @notice Closes program `programId` to joins and contributions. Only the decision
    /// executor.
    function closeProgram(uint256 programId, bytes32 decision) external;

    /// @notice The caller, an active member, accepts `terms` (the program's) and joins.
    function join(uint256 programId, bytes32 terms) external;

    /// @notice Joins `member` with their EIP-712 acceptance
    /// `JoinProgram(uint256 programId,address member,bytes32 terms,uint256 nonce,uint256
    /// deadline)` (ECDSA, or ERC-1271 for a contract wallet); anybody may submit it.
    function joinBySig(
        uint256 programId,
        address member,
        bytes32 terms,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice The caller, an active member who joined, contributes `amount` (approve first).
    function contribute(uint256 programId, uint256 amount) external;

    /// @notice Pays `amount` of program `programId` to `recipient`. Only the decision executor;
    /// `decision` is the decision document's hash.
    function spend(uint256 programId, address recipient, uint256 amount, bytes32 decision)
        external;

    /// @notice The caller leaves program `programId` and is paid their part.
    /// @return amount What was paid.
    function leave(uint256 programId) external returns (uint256 amount);

    /// @notice Anybody pays `account`, no longer an active member of the cooperative, their part
    /// of program `programId` and takes them out of it.
    /// @return amount What was paid.
    function release(uint256 programId, address account) external returns (uint256 amount);

    /// @notice The program `programId`.
    function program(uint256 programId) external view returns (ProgramInfo memory);

    /// @notice How many programs exist (ids 1..count).
    function programCount() external view returns (uint256);

    /// @notice `account`'s position in program `programId`.
    function positionOf(uint256 programId, address account)
        external
        view
        returns (Position memory);

    /// @notice What `account` would be paid on leaving program `programId` now:
    /// `floor(units * balance / totalUnits)`.
    function partOf(uint256 programId, address account) external view returns (uint256);

    /// @notice The next nonce of `member`'s signed acceptances.
    function nonces(address member) external view returns (uint256);

    /// @notice The EIP-712 digest `member` signs to join program `programId` on `terms`.
    function joinDigest(
        uint256 programId,
        address member,
        bytes32 terms,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The cooperative's Membership contract.
    function membership() external view returns (address);

    /// @notice The payment token.
    function token() external view returns (address);
}
