// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDocumentRegistry} from "../../../contracts/interfaces/IDocumentRegistry.sol";
import {ICouncil} from "../../../contracts/interfaces/ICouncil.sol";
import {ITreasury} from "../../../contracts/interfaces/ITreasury.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title NamedFundsHandler
/// @notice Drives the treasury's named funds with bounded random actions: funds created and
/// changed by general-meeting decisions of random majorities (often below the fund's own),
/// income received and split, named funds spent by meeting decisions, by council decisions and
/// beyond their balance, members joining and leaving with share refunds. Ghost variables count
/// the tokens in and out, and any change a too-weak decision got through.
contract NamedFundsHandler is CoopFixture {
    /// @notice Tokens that entered the treasury (fees, shares, income).
    uint256 public tokensIn;
    /// @notice Tokens that left it (refunds, named payouts).
    uint256 public tokensOut;
    /// @notice Creations, changes or payouts that succeeded with a majority below the rule's.
    uint256 public weakDecisionsPassed;
    /// @notice Indivisible funds whose flag was cleared, or whose balance a refund lowered.
    uint256 public indivisibleBroken;
    /// @notice Successful actions, to show the paths are reached.
    uint256 public created;
    uint256 public spent;
    uint256 public refunds;

    uint256 private _decision;
    uint256 private _next;

    constructor() {
        _deployCooperative(3);
        // The founders' fees and shares are in the treasury already.
        tokensIn = 3 * (uint256(ENTRANCE_FEE) + MINIMUM_SHARE);
        _fundAccount(address(this), type(uint128).max);
    }

    /// @notice The treasury under test.
    function treasuryAddress() external view returns (address) {
        return address(treasury);
    }

    /// @notice The token the treasury holds.
    function tokenBalanceOfTreasury() external view returns (uint256) {
        return token.balanceOf(address(treasury));
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A meeting decision of majority `decided` creates a fund.
    function create(uint16 bps, bool meetingRule, uint8 majority, bool indivisible, uint8 decided)
        external
    {
        bps = uint16(_bound(bps, 0, 6_000));
        majority = meetingRule ? majority % 3 : 0;
        decided %= 3;
        bytes memory data = abi.encodeCall(
            ITreasury.createNamedFund,
            (
                "fund",
                bps,
                meetingRule ? ITreasury.SpendRule.Meeting : ITreasury.SpendRule.Council,
                majority,
                indivisible,
                keccak256("regulation")
            )
        );
        if (_byMeeting(data, decided)) {
            ++created;
            if (decided < majority) ++weakDecisionsPassed;
        }
    }

    /// @notice A meeting decision of majority `decided` changes a fund.
    function change(
        uint256 seed,
        uint16 bps,
        bool meetingRule,
        uint8 majority,
        bool indivisible,
        uint8 decided
    ) external {
        uint256 count = treasury.namedFundCount();
        if (count == 0) return;
        uint256 id = seed % count;
        ITreasury.NamedFund memory old = treasury.namedFund(id);
        bps = uint16(_bound(bps, 0, 6_000));
        majority = meetingRule ? majority % 3 : 0;
        decided %= 3;
        bytes memory data = abi.encodeCall(
            ITreasury.changeNamedFund,
            (
                id,
                bps,
                meetingRule ? ITreasury.SpendRule.Meeting : ITreasury.SpendRule.Council,
                majority,
                indivisible,
                keccak256("regulation")
            )
        );
        if (_byMeeting(data, decided)) {
            if (decided < majority || decided < old.majority) ++weakDecisionsPassed;
            if (old.indivisible && !treasury.namedFund(id).indivisible) ++indivisibleBroken;
        }
    }

    /// @notice Income arrives (a sale).
    function receiveIncome(uint96 amount) external {
        amount = uint96(_bound(amount, 1, 1e24));
        treasury.receiveIncome(amount, keccak256("sale"));
        tokensIn += amount;
    }

    /// @notice Anyone splits the pending income.
    function distribute() external {
        treasury.distributeIncome();
    }

    /// @notice A named fund is spent: by a meeting decision of majority `decided` (`viaMeeting`)
    /// or by a chair-signed council decision; `amount` may exceed the balance.
    function payoutNamed(uint256 seed, uint256 amount, bool viaMeeting, uint8 decided) external {
        uint256 count = treasury.namedFundCount();
        if (count == 0) return;
        uint256 id = seed % count;
        ITreasury.NamedFund memory f = treasury.namedFund(id);
        amount = _bound(amount, 1, f.balance + 10);
        decided %= 3;
        bytes32 decision = keccak256(abi.encode("decision", ++_decision));
        bytes memory data =
            abi.encodeCall(ITreasury.payoutNamed, (id, address(0xBEEF), amount, decision));
        bool ok;
        if (viaMeeting) {
            ok = _byMeeting(data, decided);
        } else {
            IDocumentRegistry documents = IDocumentRegistry(charter.documents());
            vm.prank(CHAIR);
            documents.anchor(decision, IDocumentRegistry.DocumentType.CouncilDecision, bytes32(0));
            vm.prank(CHAIR);
            documents.sign(decision);
            vm.prank(address(council));
            (ok,) = address(treasury).call(data);
        }
        if (!ok) return;
        ++spent;
        tokensOut += amount;
        if (amount > f.balance) ++weakDecisionsPassed;
        if (f.rule == ITreasury.SpendRule.Meeting && (!viaMeeting || decided < f.majority)) {
            ++weakDecisionsPassed;
        }
    }

    /// @notice A new member joins (fees and minimum share into the treasury).
    function join() external {
        address account = address(uint160(0x2000 + ++_next));
        _join(account, address(council));
        members.push(account);
        tokensIn += uint256(ENTRANCE_FEE) + MINIMUM_SHARE;
    }

    /// @notice The council decides a member's exit: the refund leaves the share fund only.
    function exit(uint256 seed) external {
        address member = _member(seed);
        uint256 holding = shares.balanceOf(member);
        uint256[] memory before = treasury.namedFundBalances();
        uint256 pendingBefore = treasury.pendingIncome();
        vm.prank(address(council));
        try membership.exit(member, keccak256(abi.encode("exit", member))) {
            ++refunds;
            tokensOut += holding;
            // No income was split in between: the named funds are exactly as they were.
            if (treasury.pendingIncome() == pendingBefore) {
                uint256[] memory afterwards = treasury.namedFundBalances();
                for (uint256 i; i < before.length; ++i) {
                    if (afterwards[i] != before[i]) ++indivisibleBroken;
                }
            }
        } catch {}
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev The general meeting has the council carry out `data` as its decision.
    function _byMeeting(bytes memory data, uint8 majority) private returns (bool ok) {
        vm.prank(address(meeting));
        (ok,) = address(council)
            .call(
                abi.encodeCall(ICouncil.executeMeetingDecision, (address(treasury), data, majority))
            );
    }
}
