// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IGeneralMeeting} from "../../../contracts/interfaces/IGeneralMeeting.sol";
import {ILabourInstaller} from "../../../contracts/interfaces/ILabourInstaller.sol";
import {ILabourRegister} from "../../../contracts/interfaces/ILabourRegister.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title LabourHandler
/// @notice Drives a cooperative's labour register with bounded random actions: members record
/// work, the appointed approver approves it, a general meeting (convened by the council, voted
/// by the members, protocol signed) approves the period's surplus as a payout, the payout is
/// funded and credited in batches of random size, members claim. Ghost sums follow what was
/// distributed and claimed.
contract LabourHandler is CoopFixture {
    uint256 internal constant MEMBERS = 8;
    address internal constant APPROVER = address(0xAB);

    ILabourRegister internal register;

    uint32 public period = 1;
    /// @notice Surpluses of the approved distributions.
    uint256 public approvedSurplus;
    /// @notice What members took out by `claim`.
    uint256 public claimed;
    /// @notice Tokens sent to the register to fund payouts.
    uint256 public sentIn;

    constructor() {
        _deployCooperative(MEMBERS);
        ILabourInstaller installer = ILabourInstaller(
            vm.deployCode(
                "LabourInstaller.sol:LabourInstaller",
                abi.encode(vm.deployCode("LabourRegister.sol:LabourRegister"))
            )
        );
        vm.prank(address(council));
        register = ILabourRegister(installer.install(address(charter), false));
        vm.startPrank(address(council));
        register.setRate(0, 1_000, ILabourRegister.Unit.Hour, true, keccak256("hour"));
        register.setRate(0, 7_777, ILabourRegister.Unit.Result, true, keccak256("result"));
        register.setApprover(APPROVER, true);
        vm.stopPrank();
    }

    /// @notice The register under test.
    function registerAddress() external view returns (address) {
        return address(register);
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

    /// @notice A member records 0.01..80 hours or 1..5 results in the open period.
    function record(uint256 seed, uint256 quantity, bool perResult) external {
        uint32 rateId = perResult ? 2 : 1;
        uint64 q = uint64(perResult ? _bound(quantity, 1, 5) : _bound(quantity, 1, 8_000));
        vm.prank(_member(seed));
        register.record(rateId, period, q, keccak256(abi.encode("task", seed)), keccak256("act"));
    }

    /// @notice The approver approves a pending record of the open period.
    function approve(uint256 seed) external {
        uint256 n = register.recordCount();
        if (n == 0) return;
        uint256 id = seed % n + 1;
        ILabourRegister.WorkRecord memory w = register.workRecord(id);
        if (w.status != ILabourRegister.Status.Recorded || w.period != period) return;
        vm.prank(APPROVER);
        register.approve(id, ILabourRegister.Use.Points);
    }

    /// @notice The meeting distributes `surplus` (1..10**24) of the open period as a payout,
    /// which is funded; the next period opens. Only once the period has three participants, so
    /// that batches of several members are the rule.
    function distribute(uint256 surplus) external {
        (, uint32 participants,) = register.periodTotals(period, ILabourRegister.Basis.Labour);
        if (participants < 3) return;
        ILabourRegister.Terms memory terms = ILabourRegister.Terms({
            period: period,
            basis: ILabourRegister.Basis.Labour,
            form: ILabourRegister.Form.Payout,
            surplus: uint128(_bound(surplus, 1, 1e24))
        });
        bytes32 document = keccak256(abi.encode("protocol", period));
        uint256 meetingId = _holdMeeting(register.distributionCommitment(terms, document));
        uint256 id = register.approveDistribution(terms, document, meetingId, 0);
        token.mint(address(register), terms.surplus);
        sentIn += terms.surplus;
        register.fundDistribution(id);
        approvedSurplus += terms.surplus;
        ++period;
    }

    /// @notice Anyone credits the next 1..5 participants of a distribution.
    function creditBatch(uint256 seed, uint256 count) external {
        uint256 n = register.distributionCount();
        if (n == 0) return;
        uint256 id = seed % n + 1;
        ILabourRegister.Distribution memory d = register.distribution(id);
        if (d.cursor == d.participants) return;
        register.creditBatch(id, _bound(count, 1, 5));
    }

    /// @notice A member claims what was credited to them.
    function claim(uint256 seed) external {
        address m = _member(seed);
        uint256 amount = register.claimable(m);
        if (amount == 0) return;
        vm.prank(m);
        register.claim();
        claimed += amount;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

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
