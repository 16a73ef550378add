// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGeneralMeeting} from "../../../contracts/interfaces/IGeneralMeeting.sol";
import {IMutualAidFund} from "../../../contracts/interfaces/IMutualAidFund.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title FundHandler
/// @notice Drives the mutual-aid fund with bounded random actions: contributions, withdrawals,
/// loan requests with and without a guarantor, guarantees, approval, rejection and cancellation,
/// disbursement, repayments by the borrower or a guarantor, time passing, guarantee calls, and
/// write-offs by a real general-meeting decision (convened by the council, voted by the
/// members, protocol signed). Council decisions are made as the council contract, the decision
/// executor. Ghost variables add up every amount that went in or out.
/// @dev Kept apart from the other suites: the fund's loss rules are being reworked, and only this
/// file should need to follow.
contract FundHandler is CoopFixture {
    uint256 internal constant MEMBERS = 5;

    // Ghost sums of what the calls that went through moved.
    uint256 public contributed;
    uint256 public withdrawn;
    /// @notice Principal of approvals, less the approvals withdrawn (cancelled or rejected).
    uint256 public lentOut;
    /// @notice Tokens repaid (borrowers and guarantors paying in).
    uint256 public repaid;
    /// @notice Unpaid principal written off by meeting decisions.
    uint256 public losses;
    uint256 public writeOffs;
    uint256 public guaranteeCalls;

    /// @notice Loans whose principal is counted in `lentOut`.
    mapping(uint256 loanId => bool) public approved;

    constructor() {
        _deployCooperative(MEMBERS);
        // Every member starts with a contribution, so that loans are possible from the first call.
        for (uint256 i; i < MEMBERS; ++i) {
            _fundAccount(members[i], 2_000);
            vm.prank(members[i]);
            fund.contribute(2_000);
            contributed += 2_000;
        }
    }

    /// @notice The fund under test.
    function fundAddress() external view returns (address) {
        return address(fund);
    }

    /// @notice The payment token.
    function tokenAddress() external view returns (address) {
        return address(token);
    }

    /// @notice The members.
    function accounts() external view returns (address[] memory) {
        return members;
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A member contributes 1..5,000 tokens.
    function contribute(uint256 seed, uint256 amount) external {
        address member = _member(seed);
        amount = _bound(amount, 1, 5_000);
        _fundAccount(member, amount);
        vm.prank(member);
        try fund.contribute(amount) {
            contributed += amount;
        } catch {}
    }

    /// @notice A member withdraws up to their withdrawable balance.
    function withdraw(uint256 seed, uint256 amount) external {
        address member = _member(seed);
        uint256 free = fund.positionOf(member).withdrawable;
        amount = _bound(amount, 1, free == 0 ? 1 : free);
        vm.prank(member);
        try fund.withdraw(amount) {
            withdrawn += amount;
        } catch {}
    }

    /// @notice A member asks for a loan, one time in three with a guarantor pledging part of
    /// their free balance.
    function requestLoan(
        uint256 seed,
        uint256 amount,
        uint256 term,
        uint8 instalments,
        uint256 guarantorSeed,
        uint256 pledge
    ) external {
        address borrower = _member(seed);
        address guarantor = _member(guarantorSeed);
        uint8 n = uint8(_bound(instalments, 1, 4));
        bool guaranteed = guarantor != borrower && guarantorSeed % 3 == 0;
        // Mostly within what the borrower may owe (so that approval can succeed), sometimes over.
        uint256 room = fund.maxLoanFor(borrower);
        uint256 cap = amount % 8 == 0 || room == 0 ? 4_000 : room;
        IMutualAidFund.LoanRequest memory request = IMutualAidFund.LoanRequest({
            amount: _bound(amount, 1, cap),
            term: uint32(_bound(term, n, 90 days)),
            instalments: n,
            purpose: keccak256("purpose"),
            schedule: new uint256[](0),
            guarantors: new address[](guaranteed ? 1 : 0),
            pledges: new uint256[](guaranteed ? 1 : 0)
        });
        if (guaranteed) {
            request.guarantors[0] = guarantor;
            uint256 free = fund.positionOf(guarantor).withdrawable;
            request.pledges[0] = _bound(pledge, 1, free == 0 ? 1 : free);
        }
        vm.prank(borrower);
        try fund.requestLoan(request) {} catch {}
    }

    /// @notice The guarantors of a requested loan accept.
    function acceptGuarantee(uint256 loanSeed) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Requested);
        if (id == 0) return;
        IMutualAidFund.GuaranteeInfo[] memory guarantees = fund.guaranteesOf(id);
        for (uint256 i; i < guarantees.length; ++i) {
            if (guarantees[i].accepted) continue;
            vm.prank(guarantees[i].guarantor);
            try fund.acceptGuarantee(id) {} catch {}
        }
    }

    /// @notice The council approves a requested loan.
    function approveLoan(uint256 loanSeed) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Requested);
        if (id == 0) return;
        vm.prank(address(council));
        try fund.approveLoan(id, keccak256("approve")) {
            approved[id] = true;
            lentOut += fund.loan(id).principal;
        } catch {}
    }

    /// @notice The council rejects a loan (requested or approved).
    function rejectLoan(uint256 loanSeed) external {
        uint256 id = _loanId(loanSeed);
        if (id == 0) return;
        vm.prank(address(council));
        try fund.rejectLoan(id, keccak256("reject")) {
            _unapprove(id);
        } catch {}
    }

    /// @notice The borrower cancels a loan (requested or approved).
    function cancelLoan(uint256 loanSeed) external {
        uint256 id = _loanId(loanSeed);
        if (id == 0) return;
        vm.prank(fund.loan(id).borrower);
        try fund.cancelLoan(id) {
            _unapprove(id);
        } catch {}
    }

    /// @notice The borrower has an approved loan paid out.
    function disburse(uint256 loanSeed) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Approved);
        if (id == 0) return;
        vm.prank(fund.loan(id).borrower);
        try fund.disburse(id) {} catch {}
    }

    /// @notice The borrower (or an accepted guarantor) repays part or all of an active or
    /// overdue loan.
    function repay(uint256 loanSeed, uint256 amount, bool byGuarantor) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Active);
        if (loanSeed % 2 == 0) id = _loanIn(loanSeed, IMutualAidFund.LoanState.Overdue);
        if (id == 0) return;
        IMutualAidFund.LoanInfo memory l = fund.loan(id);
        address payer = l.borrower;
        if (byGuarantor && l.guarantorCount != 0) payer = fund.guaranteesOf(id)[0].guarantor;
        uint256 owed = fund.outstanding(id);
        amount = _bound(amount, 1, owed == 0 ? 1 : owed);
        _fundAccount(payer, amount);
        vm.prank(payer);
        try fund.repay(id, amount) {
            repaid += amount;
        } catch {}
    }

    /// @notice One hour to sixty days pass.
    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + _bound(seconds_, 1 hours, 60 days));
    }

    /// @notice The council calls the guarantees of an overdue loan.
    function callGuarantees(uint256 loanSeed) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Overdue);
        if (id == 0) return;
        vm.prank(address(council));
        try fund.callGuarantees(id, keccak256("call")) {
            ++guaranteeCalls;
        } catch {}
    }

    /// @notice Writes a loan off by a general-meeting decision: the council convenes a meeting
    /// with the write-off's commitment as its one question, every member votes for it, the
    /// meeting closes with quorum, the secretary and the chair sign, then anyone writes off.
    function writeOff(uint256 loanSeed) external {
        uint256 id = _loanIn(loanSeed, IMutualAidFund.LoanState.Overdue);
        if (loanSeed % 2 == 0) id = _loanIn(loanSeed, IMutualAidFund.LoanState.Defaulted);
        if (id == 0) return;
        IMutualAidFund.LoanState state = fund.loanState(id);
        if (
            state != IMutualAidFund.LoanState.Active && state != IMutualAidFund.LoanState.Overdue
                && state != IMutualAidFund.LoanState.Defaulted
        ) return;
        bytes32 document = keccak256(abi.encode("write-off", id));
        // The commitment the fund checks (as node.fund.write_off_commitment computes it).
        bytes32 commitment = keccak256(
            abi.encode(
                keccak256("MutualAidFund.writeOff(uint256 loanId,bytes32 document)"),
                address(fund),
                id,
                document
            )
        );
        uint256 meetingId = _holdMeeting(commitment);
        IMutualAidFund.LoanInfo memory l = fund.loan(id);
        uint256 loss = l.principal - _principalPaid(l);
        try fund.writeOff(id, document, meetingId, 0) {
            losses += loss;
            ++writeOffs;
        } catch {}
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Principal recovered on every approved loan: the principal part of what was paid
    /// (repayments and guarantee calls cover principal and interest pro rata).
    function recoveredPrincipal() external view returns (uint256 sum) {
        uint256 count = fund.pool().loanCount;
        for (uint256 id = 1; id <= count; ++id) {
            if (approved[id]) sum += _principalPaid(fund.loan(id));
        }
    }

    /// @notice Principal approved and earmarked but not yet paid out (still in the fund's tokens).
    function earmarked() external view returns (uint256 sum) {
        uint256 count = fund.pool().loanCount;
        for (uint256 id = 1; id <= count; ++id) {
            IMutualAidFund.LoanInfo memory l = fund.loan(id);
            if (l.state == IMutualAidFund.LoanState.Approved) sum += l.principal;
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _unapprove(uint256 id) private {
        if (!approved[id]) return;
        approved[id] = false;
        lentOut -= fund.loan(id).principal;
    }

    function _principalPaid(IMutualAidFund.LoanInfo memory l) private pure returns (uint256) {
        if (l.interest == 0) return l.repaid;
        return l.repaid * l.principal / (l.principal + l.interest);
    }

    function _loanId(uint256 seed) private view returns (uint256) {
        uint256 count = fund.pool().loanCount;
        return count == 0 ? 0 : seed % count + 1;
    }

    /// @dev A loan in `state`, searched from a random start; else a random loan (0 if none).
    function _loanIn(uint256 seed, IMutualAidFund.LoanState state) private view returns (uint256) {
        uint256 count = fund.pool().loanCount;
        if (count == 0) return 0;
        for (uint256 i; i < count; ++i) {
            uint256 id = (seed % count + i) % count + 1;
            if (fund.loanState(id) == state) return id;
        }
        return seed % count + 1;
    }

    function _holdMeeting(bytes32 documentHash) private returns (uint256 meetingId) {
        IGeneralMeeting.Question[] memory questions = new IGeneralMeeting.Question[](1);
        questions[0] = IGeneralMeeting.Question({
            documentHash: documentHash,
            majority: IGeneralMeeting.Majority.Simple,
            targets: new address[](0),
            calldatas: new bytes[](0)
        });
        uint40 opensAt = uint40(block.timestamp + NOTICE_PERIOD);
        vm.prank(address(council));
        meetingId = meeting.convene(
            IGeneralMeeting.Convocation({
                opensAt: opensAt,
                closesAt: opensAt + 1 hours,
                secretary: SECRETARY,
                chair: address(0),
                questions: questions
            })
        );
        vm.roll(block.number + 1);
        vm.warp(opensAt);
        uint8[] memory choices = new uint8[](1);
        choices[0] = uint8(IGeneralMeeting.Choice.For);
        for (uint256 i; i < members.length; ++i) {
            vm.prank(members[i]);
            meeting.castBallot(meetingId, choices);
        }
        vm.warp(opensAt + 1 hours);
        meeting.close(meetingId);
        bytes32 protocol = keccak256(abi.encode("protocol", meetingId));
        vm.prank(SECRETARY);
        meeting.signProtocol(meetingId, protocol);
        vm.prank(CHAIR);
        meeting.signProtocol(meetingId, protocol);
    }
}
