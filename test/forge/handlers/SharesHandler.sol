// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "../../../contracts/interfaces/ICharter.sol";
import {IShares} from "../../../contracts/interfaces/IShares.sol";
import {ITreasury} from "../../../contracts/interfaces/ITreasury.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title SharesHandler
/// @notice Drives the share register with bounded random actions: new members joining (fees
/// paid in tokens or attested by the cashier), voluntary contributions (in tokens or attested),
/// in-kind contributions and moves of shares by council decision, exits with refunds (asked for
/// by the member or decided), blocking, unblocking and key recovery. Ghost variables add up the
/// share contributions paid and the refunds settled.
contract SharesHandler is CoopFixture {
    uint256 internal constant FOUNDERS = 3;

    /// @notice Every share contribution credited: minimum shares, voluntary, in kind.
    uint256 public paid;
    /// @notice Every holding settled at exit (refunded in tokens or owed off chain).
    uint256 public refunded;
    /// @notice Exits that went through.
    uint256 public exits;

    /// @notice Every address that ever held shares (for the sums).
    address[] internal holders;
    uint256 private _next;

    constructor() {
        _deployCooperative(FOUNDERS);
        for (uint256 i; i < FOUNDERS; ++i) {
            holders.push(members[i]);
        }
        paid = FOUNDERS * MINIMUM_SHARE;
    }

    /// @notice The share register under test.
    function sharesAddress() external view returns (address) {
        return address(shares);
    }

    /// @notice The treasury.
    function treasuryAddress() external view returns (address) {
        return address(treasury);
    }

    /// @notice Every address that ever held shares.
    function accounts() external view returns (address[] memory) {
        return holders;
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A new member joins; the fees are paid in tokens or attested by the cashier.
    function join(bool attested) external {
        address account = address(uint160(0x2000 + ++_next));
        vm.prank(account);
        membership.applyToJoin(
            ICharter.MemberKind.Individual, keccak256(abi.encode(account)), keccak256("application")
        );
        vm.prank(CHAIR);
        membership.attestIdentity(account, keccak256("check"));
        if (attested) {
            vm.prank(CASHIER);
            membership.attestPayment(account, keccak256("bank payment"));
        } else {
            _fundAccount(account, ENTRANCE_FEE + MINIMUM_SHARE);
            vm.prank(account);
            membership.payFees(account);
        }
        paid += MINIMUM_SHARE;
        vm.prank(address(council));
        membership.admit(account, keccak256("admit"));
        members.push(account);
        holders.push(account);
    }

    /// @notice A member contributes 1..10,000 tokens as voluntary shares.
    function contribute(uint256 seed, uint128 amount) external {
        address member = _member(seed);
        amount = uint128(_bound(amount, 1, 10_000));
        _fundAccount(member, amount);
        vm.prank(member);
        try shares.contribute(amount) {
            paid += amount;
        } catch {}
    }

    /// @notice The cashier attests a member's voluntary contribution paid by bank.
    function attestContribution(uint256 seed, uint128 amount) external {
        amount = uint128(_bound(amount, 1, 10_000));
        vm.prank(CASHIER);
        try shares.attestContribution(_member(seed), amount, keccak256("bank payment")) {
            paid += amount;
        } catch {}
    }

    /// @notice The council credits an in-kind contribution.
    function creditInKind(uint256 seed, uint128 amount) external {
        amount = uint128(_bound(amount, 1, 10_000));
        vm.prank(address(council));
        try shares.creditInKind(_member(seed), amount, keccak256("valuation")) {
            paid += amount;
        } catch {}
    }

    /// @notice The council moves part of a member's voluntary shares to another member.
    function moveByDecision(uint256 fromSeed, uint256 toSeed, uint128 amount) external {
        address from = _member(fromSeed);
        uint256 voluntary = shares.holdingOf(from).voluntaryShares;
        amount = uint128(_bound(amount, 1, voluntary == 0 ? 1 : voluntary));
        vm.prank(address(council));
        try shares.moveByDecision(from, _member(toSeed), amount, keccak256("move")) {} catch {}
    }

    /// @notice The member asks to leave (or not), then the council decides the exit.
    function exit(uint256 seed, bool requested) external {
        address member = _member(seed);
        if (requested) {
            vm.prank(member);
            try membership.requestExit(keccak256("exit application")) {} catch {}
        }
        uint256 holding = shares.balanceOf(member);
        vm.prank(address(council));
        try membership.exit(member, keccak256("exit")) {
            refunded += holding;
            ++exits;
        } catch {}
    }

    /// @notice The council blocks a member.
    function blockMember(uint256 seed) external {
        vm.prank(address(council));
        try membership.blockMember(_member(seed), keccak256("block")) {} catch {}
    }

    /// @notice The council unblocks a member.
    function unblockMember(uint256 seed) external {
        vm.prank(address(council));
        try membership.unblockMember(_member(seed), keccak256("unblock")) {} catch {}
    }

    /// @notice Key recovery: the membership (and the shares) move to a fresh address.
    function recover(uint256 seed) external {
        uint256 index = seed % members.length;
        address from = members[index];
        address to = address(uint160(0x3000 + ++_next));
        vm.prank(address(council));
        try membership.recoverMembership(from, to, keccak256("recovery")) {
            members[index] = to;
            holders.push(to);
        } catch {}
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice What the share fund must hold for refunds: the refundable shares paid in tokens
    /// (neither attested bank payments nor in-kind contributions brought tokens).
    function tokenPaidShares() public view returns (uint256 sum) {
        for (uint256 i; i < holders.length; ++i) {
            IShares.Holding memory h = shares.holdingOf(holders[i]);
            sum += h.minimumShare + h.voluntaryShares - h.paidOffChain;
        }
    }

    /// @notice The share fund's own balance: the treasury's view shows income not yet split
    /// (entrance fees) split already, and the share fund's part of it is taken out here. No
    /// action here splits income, so the rest is the shares paid in tokens less the refunds.
    function shareFund() public view returns (uint256) {
        uint256 pendingPart =
            treasury.pendingIncome() * charter.fundSplit()[uint256(ITreasury.Fund.Share)] / 10_000;
        return treasury.fundBalance(ITreasury.Fund.Share) - pendingPart;
    }
}
