// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IBranches} from "./interfaces/IBranches.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";

/// @title Branches
/// @notice The cooperative branches (кооперативные участки) of one cooperative, their trustees,
/// their meetings and the delegates those meetings elect; the rules are documented on
/// {IBranches}.
/// @dev Deployed once per cooperative. Who belongs to which branch, and who is a delegate, are
/// checkpointed per membership index by block, so that a meeting's register is fixed at its
/// record block (a member who moves after convening votes where they were then, once).
contract Branches is IBranches {
    using Checkpoints for Checkpoints.Trace208;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    struct Branch {
        address trustee;
        uint32 members;
        uint32 delegates;
        address meeting;
        bytes32 documentHash;
    }

    ICharter private immutable _CHARTER;
    IMembershipView private immutable _MEMBERSHIP;
    address private immutable _MEETING_IMPLEMENTATION;
    uint32 private immutable _MEMBERS_PER_DELEGATE;
    uint32 private immutable _NOTICE_PERIOD;

    uint16[] private _quorumSchedule;
    uint32 private _branchCount;
    uint32 private _delegateCount;

    mapping(uint256 branchId => Branch) private _branches;
    mapping(address meeting => uint256 branchId) private _branchOfMeeting;
    mapping(uint256 memberIndex => Checkpoints.Trace208) private _branchOf;
    mapping(uint256 memberIndex => Checkpoints.Trace208) private _delegateOf;
    mapping(uint256 memberIndex => bool) private _counted;
    mapping(uint256 branchId => uint32[]) private _delegationIndices;
    mapping(uint256 branchId => address[]) private _delegation;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param charter_ The cooperative's charter (its membership and decision executor).
    /// @param meetingImplementation The `GeneralMeeting` implementation branch meetings clone.
    /// @param membersPerDelegate_ The norm of representation: one delegate per this many members.
    /// @param noticePeriod_ The branch meetings' notice period (seconds).
    /// @param quorumSchedule_ The branch meetings' quorum schedule (basis points).
    constructor(
        address charter_,
        address meetingImplementation,
        uint32 membersPerDelegate_,
        uint32 noticePeriod_,
        uint16[] memory quorumSchedule_
    ) {
        if (charter_ == address(0) || meetingImplementation == address(0)) {
            revert BranchesZeroAddress();
        }
        if (membersPerDelegate_ == 0) revert BranchesInvalidNorm(membersPerDelegate_);
        _CHARTER = ICharter(charter_);
        _MEMBERSHIP = IMembershipView(ICharter(charter_).membership());
        _MEETING_IMPLEMENTATION = meetingImplementation;
        _MEMBERS_PER_DELEGATE = membersPerDelegate_;
        _NOTICE_PERIOD = noticePeriod_;
        _quorumSchedule = quorumSchedule_;
    }

    /*//////////////////////////////////////////////////////////////
                           BRANCHES AND TRUSTEES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBranches
    function createBranch(bytes32 documentHash) external returns (uint256 branchId) {
        _onlyCouncil();
        // Cannot overflow: one branch per council decision.
        unchecked {
            branchId = ++_branchCount;
        }
        address meeting = Clones.cloneDeterministic(_MEETING_IMPLEMENTATION, bytes32(branchId));
        Branch storage b = _branches[branchId];
        b.meeting = meeting;
        b.documentHash = documentHash;
        _branchOfMeeting[meeting] = branchId;
        // The branch meeting's register and "council" are this contract: it answers for the
        // branch's members and convenes on the council's or the trustee's call.
        IGeneralMeeting(meeting).initialize(
            address(_CHARTER), address(this), address(this), _NOTICE_PERIOD, _quorumSchedule,
            address(0)
        );
        emit BranchCreated(branchId, meeting, documentHash);
    }

    /// @inheritdoc IBranches
    function setTrustee(uint256 branchId, address trustee) external {
        _onlyCouncil();
        Branch storage b = _branch(branchId);
        if (trustee != address(0)) {
            if (!_MEMBERSHIP.isActiveMember(trustee)) revert BranchesNotMember(trustee);
            if (_currentBranch(_MEMBERSHIP.memberIndexOf(trustee)) != branchId) {
                revert BranchesNotInBranch(trustee, branchId);
            }
        }
        b.trustee = trustee;
        emit BranchTrusteeSet(branchId, trustee);
    }

    /*//////////////////////////////////////////////////////////////
                               MEMBERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBranches
    function joinBranch(uint256 branchId) external {
        Branch storage to = _branch(branchId);
        uint256 index = _MEMBERSHIP.memberIndexOf(msg.sender);
        if (index == 0) revert BranchesNotMember(msg.sender);
        uint256 from = _currentBranch(index);
        if (from == branchId) revert BranchesAlreadyInBranch(msg.sender, branchId);
        bool counted = _counted[index];
        if (from != 0) {
            if (counted) --_branches[from].members;
            _dropDelegate(from, index);
            if (_branches[from].trustee == msg.sender) {
                _branches[from].trustee = address(0);
                emit BranchTrusteeSet(from, address(0));
            }
        }
        if (!counted && _MEMBERSHIP.isActiveMember(msg.sender)) {
            counted = true;
            _counted[index] = true;
        }
        if (counted) ++to.members;
        _branchOf[index].push(uint48(block.number), uint208(branchId));
        emit BranchJoined(msg.sender, index, branchId, from, counted);
    }

    /// @inheritdoc IBranches
    function enrol(address account) external {
        uint256 index = _MEMBERSHIP.memberIndexOf(account);
        uint256 branchId = _currentBranch(index);
        if (branchId == 0) revert BranchesNotInBranch(account, 0);
        if (_counted[index]) revert BranchesAlreadyInBranch(account, branchId);
        if (!_MEMBERSHIP.isActiveMember(account)) revert BranchesNotMember(account);
        _counted[index] = true;
        ++_branches[branchId].members;
        emit BranchMemberCounted(branchId, index, true);
    }

    /// @inheritdoc IBranches
    function release(address account) external {
        uint256 index = _MEMBERSHIP.memberIndexOf(account);
        uint256 branchId = _currentBranch(index);
        if (branchId == 0 || !_counted[index]) revert BranchesNotInBranch(account, branchId);
        if (_MEMBERSHIP.isActiveMember(account)) revert BranchesStillActive(account);
        _counted[index] = false;
        --_branches[branchId].members;
        emit BranchMemberCounted(branchId, index, false);
        _dropDelegate(branchId, index);
    }

    /// @inheritdoc IBranches
    function attestIdentity(address applicant, bytes32 checkRecord) external {
        uint256 branchId = _currentBranch(_MEMBERSHIP.memberIndexOf(applicant));
        if (branchId == 0 || _branches[branchId].trustee != msg.sender) {
            revert BranchesNotTrustee(branchId, msg.sender);
        }
        IMembership(address(_MEMBERSHIP)).attestIdentity(applicant, checkRecord);
        emit BranchApplicantVerified(branchId, applicant, msg.sender, checkRecord);
    }

    /*//////////////////////////////////////////////////////////////
                        BRANCH MEETINGS AND DELEGATES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBranches
    function conveneBranchMeeting(uint256 branchId, IGeneralMeeting.Convocation calldata convocation)
        external
        returns (uint256 meetingId)
    {
        Branch storage b = _branch(branchId);
        if (msg.sender != b.trustee && msg.sender != _CHARTER.decisionExecutor()) {
            revert BranchesNotConvener(branchId, msg.sender);
        }
        for (uint256 q; q < convocation.questions.length; ++q) {
            IGeneralMeeting.Question calldata question = convocation.questions[q];
            for (uint256 a; a < question.targets.length; ++a) {
                bytes calldata data = question.calldatas[a];
                if (
                    question.targets[a] != address(this) || data.length < 36
                        || bytes4(data[:4]) != this.electDelegates.selector
                        || uint256(bytes32(data[4:36])) != branchId
                ) {
                    revert BranchesActionNotAllowed(q, a);
                }
            }
        }
        meetingId = IGeneralMeeting(b.meeting).convene(convocation);
        emit BranchMeetingConvened(branchId, meetingId, msg.sender);
    }

    /// @inheritdoc IBranches
    function electDelegates(uint256 branchId, address[] calldata delegates) external {
        Branch storage b = _branch(branchId);
        if (msg.sender != b.meeting) revert BranchesNotBranchMeeting(branchId, msg.sender);
        uint256 count = delegates.length;
        uint256 seats_ = _seats(b.members);
        if (count == 0 || count > seats_) revert BranchesInvalidDelegation(branchId, count, seats_);

        uint32[] storage previous = _delegationIndices[branchId];
        for (uint256 i = previous.length; i > 0; --i) {
            uint256 index = previous[i - 1];
            _delegateOf[index].push(uint48(block.number), 0);
            emit DelegateRemoved(branchId, index);
        }
        delete _delegationIndices[branchId];
        delete _delegation[branchId];

        uint32[] memory indices = new uint32[](count);
        for (uint256 i; i < count; ++i) {
            address delegate = delegates[i];
            uint32 index = _MEMBERSHIP.memberIndexOf(delegate);
            if (!_MEMBERSHIP.isActiveMember(delegate)) revert BranchesNotMember(delegate);
            if (_currentBranch(index) != branchId) revert BranchesNotInBranch(delegate, branchId);
            if (_delegateOf[index].latest() == branchId) revert BranchesDuplicateDelegate(delegate);
            _delegateOf[index].push(uint48(block.number), uint208(branchId));
            _delegationIndices[branchId].push(index);
            _delegation[branchId].push(delegate);
            indices[i] = index;
        }
        // Cannot overflow: delegates never outnumber memberships (fewer than 2**32).
        unchecked {
            _delegateCount = _delegateCount - b.delegates + uint32(count);
        }
        b.delegates = uint32(count);
        emit DelegatesElected(branchId, msg.sender, delegates, indices);
    }

    /*//////////////////////////////////////////////////////////////
                       THE REGISTER (IMembershipView)
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMembershipView
    /// @dev For a branch meeting: in the branch at `blockNumber`; for anyone else: a delegate
    /// at `blockNumber`; and in both cases an active member then (`Membership.voterIndexAt`).
    function voterIndexAt(address account, uint256 blockNumber) public view returns (uint32) {
        uint32 index = _MEMBERSHIP.voterIndexAt(account, blockNumber);
        if (index == 0) return 0;
        uint256 branchId = _branchOfMeeting[msg.sender];
        uint48 key = uint48(blockNumber);
        if (branchId != 0) return _branchOf[index].upperLookupRecent(key) == branchId ? index : 0;
        return _delegateOf[index].upperLookupRecent(key) != 0 ? index : 0;
    }

    /// @inheritdoc IMembershipView
    /// @dev The branch's counted members for a branch meeting, the delegates for anyone else.
    function activeMemberCount() public view returns (uint256) {
        uint256 branchId = _branchOfMeeting[msg.sender];
        return branchId != 0 ? _branches[branchId].members : _delegateCount;
    }

    /// @inheritdoc IMembershipView
    /// @dev The count now: branch counts are not checkpointed (no meeting reads them in the past).
    function activeMemberCountAt(uint256) external view returns (uint256) {
        return activeMemberCount();
    }

    /// @inheritdoc IMembershipView
    function isActiveMember(address account) external view returns (bool) {
        return voterIndexAt(account, block.number) != 0;
    }

    /// @inheritdoc IMembershipView
    function wasActiveMemberAt(address account, uint256 blockNumber) external view returns (bool) {
        return voterIndexAt(account, blockNumber) != 0;
    }

    /// @inheritdoc IMembershipView
    function memberIndexOf(address account) external view returns (uint32) {
        return _MEMBERSHIP.memberIndexOf(account);
    }

    /// @inheritdoc IMembershipView
    function memberIndexCount() external view returns (uint256) {
        return _MEMBERSHIP.memberIndexCount();
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBranches
    function branch(uint256 branchId) external view returns (BranchInfo memory) {
        Branch storage b = _branch(branchId);
        return BranchInfo({
            trustee: b.trustee,
            meeting: b.meeting,
            members: b.members,
            delegates: b.delegates,
            documentHash: b.documentHash
        });
    }

    /// @inheritdoc IBranches
    function branchCount() external view returns (uint256) {
        return _branchCount;
    }

    /// @inheritdoc IBranches
    function branchOf(address account) external view returns (uint256) {
        return _currentBranch(_MEMBERSHIP.memberIndexOf(account));
    }

    /// @inheritdoc IBranches
    function branchOfIndexAt(uint256 memberIndex, uint256 blockNumber)
        external
        view
        returns (uint256)
    {
        return _branchOf[memberIndex].upperLookupRecent(uint48(blockNumber));
    }

    /// @inheritdoc IBranches
    function delegateBranchOf(address account) external view returns (uint256) {
        return _delegateOf[_MEMBERSHIP.memberIndexOf(account)].latest();
    }

    /// @inheritdoc IBranches
    function delegatesOf(uint256 branchId) external view returns (address[] memory) {
        return _delegation[branchId];
    }

    /// @inheritdoc IBranches
    function delegateCount() external view returns (uint256) {
        return _delegateCount;
    }

    /// @inheritdoc IBranches
    function seats(uint256 branchId) external view returns (uint256) {
        return _seats(_branch(branchId).members);
    }

    /// @inheritdoc IBranches
    function membersPerDelegate() external view returns (uint32) {
        return _MEMBERS_PER_DELEGATE;
    }

    /// @inheritdoc IBranches
    function branchOfMeeting(address meeting) external view returns (uint256) {
        return _branchOfMeeting[meeting];
    }

    /// @inheritdoc IBranches
    function charter() external view returns (address) {
        return address(_CHARTER);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _onlyCouncil() private view {
        if (msg.sender != _CHARTER.decisionExecutor()) revert BranchesNotCouncil(msg.sender);
    }

    function _branch(uint256 branchId) private view returns (Branch storage b) {
        b = _branches[branchId];
        if (b.meeting == address(0)) revert BranchesUnknownBranch(branchId);
    }

    function _currentBranch(uint256 index) private view returns (uint256) {
        return index == 0 ? 0 : _branchOf[index].latest();
    }

    function _seats(uint256 members) private view returns (uint256) {
        return (members + _MEMBERS_PER_DELEGATE - 1) / _MEMBERS_PER_DELEGATE;
    }

    /// @dev Ends membership `index`'s mandate if it is one of branch `branchId`'s delegates.
    function _dropDelegate(uint256 branchId, uint256 index) private {
        if (_delegateOf[index].latest() != branchId) return;
        _delegateOf[index].push(uint48(block.number), 0);
        uint32[] storage indices = _delegationIndices[branchId];
        address[] storage people = _delegation[branchId];
        uint256 last = indices.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (indices[i] == index) {
                indices[i] = indices[last];
                people[i] = people[last];
                indices.pop();
                people.pop();
                break;
            }
        }
        --_branches[branchId].delegates;
        --_delegateCount;
        emit DelegateRemoved(branchId, index);
    }
}
