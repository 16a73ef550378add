// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICouncil} from "../../../contracts/interfaces/ICouncil.sol";
import {IGeneralMeeting} from "../../../contracts/interfaces/IGeneralMeeting.sol";
import {IMeetingProxies} from "../../../contracts/interfaces/IMeetingProxies.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title ProxyHandler
/// @notice Drives one open general meeting with proxies (доверенности): random members give,
/// revoke and use proxies, vote themselves, leave the cooperative, and time passes. Every call
/// goes through the contracts and may be refused; the handler records which ballots were
/// counted (`countedFor`) so that the invariants can compare them with the meeting's tally.
contract ProxyHandler is CoopFixture {
    uint256 internal constant MEMBERS = 8;

    /// @notice The meeting under test.
    uint256 public meetingId;
    /// @notice Ballots counted for each member (own or by proxy); must never exceed one.
    mapping(address member => uint256 count) public countedFor;
    /// @notice Ballots the handler saw counted in total.
    uint256 public counted;
    /// @notice Proxy ballots counted (shows the proxy path is reached).
    uint256 public proxyBallots;
    /// @notice Votes refused because the member had already been counted (own or by proxy).
    uint256 public doubleVotesRefused;

    constructor() {
        _deployCooperative(MEMBERS);
        IGeneralMeeting.Question[] memory questions = new IGeneralMeeting.Question[](1);
        questions[0] = IGeneralMeeting.Question({
            documentHash: keccak256("question"),
            majority: IGeneralMeeting.Majority.Simple,
            targets: new address[](0),
            calldatas: new bytes[](0)
        });
        uint40 opensAt = uint40(block.timestamp + NOTICE_PERIOD + 1);
        IGeneralMeeting.Convocation memory convocation = IGeneralMeeting.Convocation({
            opensAt: opensAt,
            closesAt: opensAt + 7 days,
            secretary: SECRETARY,
            chair: address(0),
            questions: questions
        });
        address[] memory targets = new address[](1);
        targets[0] = address(meeting);
        bytes[] memory calldatas = new bytes[](1);
        calldatas[0] = abi.encodeCall(IGeneralMeeting.convene, (convocation));
        bytes32 doc = keccak256("convene");
        vm.prank(councilMembers[0]);
        uint256 itemId = council.propose(doc, targets, calldatas);
        for (uint256 i; i < 2; ++i) {
            vm.prank(councilMembers[i]);
            council.castVote(itemId, uint8(ICouncil.VoteType.For));
        }
        vm.prank(CHAIR);
        council.signProtocol(itemId, doc);
        vm.prank(CHAIR);
        council.execute(itemId, targets, calldatas);
        meetingId = meeting.meetingCount();
    }

    /// @notice The principal gives the holder (a member, or a stranger when `holder` says so) a
    /// proxy valid for `lifetime` seconds.
    function give(uint256 principal, uint256 holder, uint32 lifetime) external {
        address p = _member(principal);
        address h = holder % 10 == 9 ? address(0xBAD) : _member(holder);
        IMeetingProxies.ProxyTerms memory terms = IMeetingProxies.ProxyTerms({
            meetingId: meetingId,
            principal: p,
            holder: h,
            expiresAt: uint64(block.timestamp) + 1 + lifetime % 20 days,
            documentHash: keccak256(abi.encode(p, h, lifetime))
        });
        vm.prank(p);
        (bool ok,) = address(proxies).call(abi.encodeCall(IMeetingProxies.issue, (terms)));
        ok; // refusals (cap, already given, not a voter...) are expected
    }

    /// @notice The principal revokes their proxy.
    function revoke(uint256 principal) external {
        vm.prank(_member(principal));
        (bool ok,) = address(proxies).call(abi.encodeCall(IMeetingProxies.revoke, (meetingId)));
        ok;
    }

    /// @notice A member votes themselves.
    function vote(uint256 voter, uint8 choice) external {
        address v = _member(voter);
        uint8[] memory choices = new uint8[](1);
        choices[0] = choice % 3;
        vm.prank(v);
        (bool ok,) = address(meeting).call(
            abi.encodeCall(IGeneralMeeting.castBallot, (meetingId, choices))
        );
        _record(v, ok, false);
    }

    /// @notice A holder casts a principal's ballot.
    function voteAsProxy(uint256 holder, uint256 principal, uint8 choice) external {
        address h = _member(holder);
        address p = _member(principal);
        uint8[] memory choices = new uint8[](1);
        choices[0] = choice % 3;
        vm.prank(h);
        (bool ok,) = address(proxies).call(
            abi.encodeCall(IMeetingProxies.castAsProxy, (meetingId, p, choices))
        );
        _record(p, ok, true);
    }

    /// @notice A member applies to leave (no longer active: nobody may vote for them by proxy).
    function leave(uint256 member) external {
        vm.prank(_member(member));
        (bool ok,) = address(membership).call(
            abi.encodeWithSignature("requestExit(bytes32)", keccak256(abi.encode("exit", member)))
        );
        ok;
    }

    /// @notice Time passes (voting opens, proxies expire, the meeting ends).
    function wait(uint32 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 3 days);
    }

    /// @notice Whether member `i`'s proxy has been used while the meeting has no ballot of theirs.
    function usedWithoutBallot(uint256 i) external view returns (bool) {
        address p = members[i];
        IMeetingProxies.ProxyInfo memory info = proxies.proxyOf(meetingId, p);
        return info.status == IMeetingProxies.ProxyStatus.Used && !meeting.hasVoted(meetingId, p);
    }

    /// @notice The founding members (the register of the meeting).
    function memberAt(uint256 i) external view returns (address) {
        return members[i];
    }

    /// @notice How many members the register has.
    function memberCount() external view returns (uint256) {
        return members.length;
    }

    /// @notice The charter's proxy cap.
    function cap() external view returns (uint256) {
        return charter.proxyCap();
    }

    /// @notice How many members `holder` represents in the meeting.
    function represented(address holder) external view returns (uint256) {
        return proxies.representedCount(meetingId, holder);
    }

    /// @notice The meeting's participants as the contract counts them.
    function participants() external view returns (uint256 count, uint256 eligible) {
        IGeneralMeeting.MeetingInfo memory info = meeting.meeting(meetingId);
        return (info.participants, info.eligible);
    }

    function _record(address member, bool ok, bool byProxy) private {
        if (ok) {
            ++countedFor[member];
            ++counted;
            if (byProxy) ++proxyBallots;
        } else if (countedFor[member] != 0) {
            ++doubleVotesRefused;
        }
    }
}
