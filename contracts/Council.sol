// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title Council
/// @notice The council of one cooperative: agenda items with a document hash and optional
/// actions, one vote per council member, a pass when votes for exceed half of all members, the
/// chair's signature on the protocol, then execution by anyone. The rules are documented on
/// {ICouncil}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones (no immutables).
///
/// Storage is packed for the hot path, a member's vote: the council configuration (one slot),
/// the member's seat (one slot) and the item's core (one slot, which holds the bitmap of who
/// voted and the three counts), so a vote reads three slots and writes one.
///
/// Who can act alone: nobody. An item needs votes for from more than half of all members (at
/// least two, since a council has at least three members) and then the chair's signature; the
/// chair alone can only sign what the council passed. A council item cannot seat a council or
/// change the expiry (only the general meeting contract may call those), cannot propose a call
/// that only the general meeting may decide (`IMeetingReserved`: the charter, fees, funds, the
/// executor...), so it cannot hand the decision executor role away either. While the council
/// carries out a meeting decision it says so, with the decision's majority, in storage for the
/// length of the call (`meetingDecisionMajority`); a council item cannot be executed from inside
/// one.
contract Council is ICouncil, Initializable {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev The least council the law allows (Закон 3085-1 art. 21: at least three members):
    /// a council of two would let two keys decide everything the council decides.
    uint256 private constant _MIN_SIZE = 3;


    /// @dev The width of the voted-bitmap in an item's core slot.
    uint256 private constant _MAX_SIZE = 64;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev The stored part of an item's state; the time-dependent ones are derived on read.
    enum Status {
        None,
        Pending,
        Passed,
        Signed,
        Executed,
        Rejected
    }

    /// @dev One slot: everything a vote reads and writes.
    struct ItemCore {
        /// @dev Bit i set: the member in seat i of the item's term voted.
        uint64 votedMask;
        uint40 expiresAt;
        uint32 epoch;
        uint8 forVotes;
        uint8 againstVotes;
        uint8 abstainVotes;
        Status status;
    }

    struct Item {
        ItemCore core;
        bytes32 documentHash;
        bytes32 actionsHash;
        bytes32 protocolHash;
    }

    /// @dev Slot 0, read by every vote: the meeting contract, the term, its size and the expiry.
    address private _generalMeeting;
    uint32 private _epoch;
    uint8 private _size;
    uint32 private _itemExpiry;

    /// @dev Slot 1: the charter, the item counter, and zero or the majority + 1 of the meeting
    /// decision being carried out (set and restored inside `executeMeetingDecision`; in the
    /// charter's slot, so that the flag costs no fresh slot).
    ICharter private _charter;
    uint64 private _itemCount;
    uint8 private _meetingDecisionMajority;

    /// @dev The current council, in seat order.
    address[] private _members;

    /// @dev `epoch << 8 | (seat + 1)` of the last term the account sat in; a seat of an older
    /// term does not count.
    mapping(address account => uint256 seat) private _seats;

    mapping(uint256 itemId => Item) private _items;

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc ICouncil
    function initialize(
        address charter_,
        address generalMeeting_,
        address[] calldata members,
        uint32 itemExpiry_
    ) external initializer {
        if (charter_ == address(0) || generalMeeting_ == address(0)) revert CouncilZeroAddress();
        _charter = ICharter(charter_);
        _generalMeeting = generalMeeting_;
        _setItemExpiry(itemExpiry_);
        _seat(members);
    }

    /*//////////////////////////////////////////////////////////////
                                 ITEMS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICouncil
    function propose(bytes32 documentHash, address[] calldata targets, bytes[] calldata calldatas)
        external
        returns (uint256 itemId)
    {
        uint32 epoch_ = _epoch;
        if (!_sitsIn(msg.sender, epoch_)) revert CouncilNotMember(msg.sender);
        if (documentHash == bytes32(0)) revert CouncilZeroHash();
        if (targets.length != calldatas.length) {
            revert CouncilInvalidActions(targets.length, calldatas.length);
        }
        for (uint256 i; i < targets.length; ++i) {
            (bool reserved,) = MeetingDecision.required(targets[i], calldatas[i]);
            if (reserved) revert CouncilActionReservedToMeeting(targets[i], bytes4(calldatas[i]));
        }
        // Cannot overflow: one id per transaction, 2**64 transactions are out of reach.
        unchecked {
            itemId = ++_itemCount;
        }
        uint40 expiresAt = uint40(block.timestamp) + _itemExpiry;
        Item storage it = _items[itemId];
        it.core = ItemCore({
            votedMask: 0,
            expiresAt: expiresAt,
            epoch: epoch_,
            forVotes: 0,
            againstVotes: 0,
            abstainVotes: 0,
            status: Status.Pending
        });
        it.documentHash = documentHash;
        if (targets.length != 0) it.actionsHash = _hashActions(targets, calldatas);
        emit CouncilItemProposed(
            itemId, msg.sender, documentHash, targets, calldatas, epoch_, expiresAt
        );
    }

    /// @inheritdoc ICouncil
    function castVote(uint256 itemId, uint8 support) external {
        if (support > uint8(VoteType.Abstain)) revert CouncilInvalidVoteType(support);
        ItemCore memory core = _items[itemId].core;
        if (core.status != Status.Pending) {
            if (core.status == Status.None) revert CouncilUnknownItem(itemId);
            revert CouncilUnexpectedState(itemId, _state(core));
        }
        uint32 epoch_ = _epoch;
        if (core.epoch != epoch_ || block.timestamp >= core.expiresAt) {
            revert CouncilItemExpired(itemId);
        }
        uint256 seat = _seats[msg.sender];
        if (seat >> 8 != epoch_) revert CouncilNotMember(msg.sender);
        uint64 bit = uint64(1 << ((seat & 0xff) - 1));
        if (core.votedMask & bit != 0) revert CouncilAlreadyVoted(itemId, msg.sender);
        core.votedMask |= bit;

        uint256 size = _size;
        // Cannot overflow: each count is at most the council size (<= 64).
        unchecked {
            if (support == uint8(VoteType.For)) ++core.forVotes;
            else if (support == uint8(VoteType.Against)) ++core.againstVotes;
            else ++core.abstainVotes;
        }
        emit CouncilVoteCast(itemId, msg.sender, VoteType(support));
        // Cannot underflow: against + abstain <= size (one vote per seat).
        unchecked {
            if (uint256(core.forVotes) * 2 > size) {
                core.status = Status.Passed;
                emit CouncilItemPassed(itemId);
            } else if ((size - core.againstVotes - core.abstainVotes) * 2 <= size) {
                core.status = Status.Rejected;
                emit CouncilItemRejected(itemId);
            }
        }
        _items[itemId].core = core;
    }

    /// @inheritdoc ICouncil
    function signProtocol(uint256 itemId, bytes32 protocolHash) external {
        if (msg.sender != _charter.chair()) revert CouncilNotChair(msg.sender);
        if (protocolHash == bytes32(0)) revert CouncilZeroHash();
        Item storage it = _items[itemId];
        ItemCore memory core = it.core;
        if (core.status == Status.None) revert CouncilUnknownItem(itemId);
        if (core.status != Status.Passed) revert CouncilUnexpectedState(itemId, _state(core));
        if (block.timestamp >= core.expiresAt) revert CouncilItemExpired(itemId);
        it.core.status = Status.Signed;
        it.protocolHash = protocolHash;
        emit CouncilProtocolSigned(itemId, msg.sender, protocolHash);
    }

    /// @inheritdoc ICouncil
    function execute(uint256 itemId, address[] calldata targets, bytes[] calldata calldatas)
        external
    {
        if (_meetingDecisionMajority != 0) revert CouncilExecutionInsideMeetingDecision(itemId);
        Item storage it = _items[itemId];
        ItemCore memory core = it.core;
        if (core.status != Status.Signed) {
            if (core.status == Status.None) revert CouncilUnknownItem(itemId);
            if (core.status == Status.Executed) revert CouncilAlreadyExecuted(itemId);
            if (core.status == Status.Passed && block.timestamp < core.expiresAt) {
                revert CouncilProtocolNotSigned(itemId);
            }
            revert CouncilUnexpectedState(itemId, _state(core));
        }
        if (targets.length != calldatas.length) {
            revert CouncilInvalidActions(targets.length, calldatas.length);
        }
        bytes32 expected = targets.length == 0 ? bytes32(0) : _hashActions(targets, calldatas);
        if (expected != it.actionsHash) revert CouncilActionsNotOnAgenda(itemId);

        it.core.status = Status.Executed;
        // Handing the executor role away (`Charter.setDecisionExecutor`) is reserved to the
        // meeting: `propose` refused it, and the charter refuses the council's call outside a
        // meeting decision.
        for (uint256 i; i < targets.length; ++i) {
            Address.functionCall(targets[i], calldatas[i]);
        }
        emit CouncilItemExecuted(itemId, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                        GENERAL-MEETING DECISIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICouncil
    function executeMeetingDecision(address target, bytes calldata data, uint8 majority)
        external
        returns (bytes memory result)
    {
        _onlyGeneralMeeting();
        if (majority > 2) revert CouncilInvalidMajority(majority);
        uint8 previous = _meetingDecisionMajority;
        // Cannot overflow: majority <= 2.
        unchecked {
            _meetingDecisionMajority = majority + 1;
        }
        result = Address.functionCall(target, data);
        _meetingDecisionMajority = previous;
        emit CouncilMeetingDecisionExecuted(target, bytes4(data));
    }

    /// @inheritdoc ICouncil
    function meetingDecisionMajority() external view returns (uint256) {
        return _meetingDecisionMajority;
    }

    /// @inheritdoc ICouncil
    function setCouncil(address[] calldata members) external {
        _onlyGeneralMeeting();
        _seat(members);
    }

    /// @inheritdoc ICouncil
    function setItemExpiry(uint32 itemExpiry_) external {
        _onlyGeneralMeeting();
        _setItemExpiry(itemExpiry_);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICouncil
    function item(uint256 itemId) external view returns (ItemInfo memory info) {
        Item storage it = _items[itemId];
        ItemCore memory core = it.core;
        info = ItemInfo({
            state: _state(core),
            epoch: core.epoch,
            expiresAt: core.expiresAt,
            forVotes: core.forVotes,
            againstVotes: core.againstVotes,
            abstainVotes: core.abstainVotes,
            documentHash: it.documentHash,
            actionsHash: it.actionsHash,
            protocolHash: it.protocolHash
        });
    }

    /// @inheritdoc ICouncil
    function state(uint256 itemId) external view returns (ItemState) {
        return _state(_items[itemId].core);
    }

    /// @inheritdoc ICouncil
    function hasVoted(uint256 itemId, address account) external view returns (bool) {
        ItemCore memory core = _items[itemId].core;
        uint256 seat = _seats[account];
        if (core.status == Status.None || seat >> 8 != core.epoch) return false;
        return uint256(core.votedMask) & (1 << ((seat & 0xff) - 1)) != 0;
    }

    /// @inheritdoc ICouncil
    function itemCount() external view returns (uint256) {
        return _itemCount;
    }

    /// @inheritdoc ICouncil
    function councilMembers() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc ICouncil
    function isCouncilMember(address account) external view returns (bool) {
        return _sitsIn(account, _epoch);
    }

    /// @inheritdoc ICouncil
    function epoch() external view returns (uint32) {
        return _epoch;
    }

    /// @inheritdoc ICouncil
    function itemExpiry() external view returns (uint32) {
        return _itemExpiry;
    }

    /// @inheritdoc ICouncil
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc ICouncil
    function generalMeeting() external view returns (address) {
        return _generalMeeting;
    }

    /// @inheritdoc ICouncil
    function hashActions(address[] calldata targets, bytes[] calldata calldatas)
        external
        pure
        returns (bytes32)
    {
        if (targets.length == 0 && calldatas.length == 0) return bytes32(0);
        return _hashActions(targets, calldatas);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _onlyGeneralMeeting() private view {
        if (msg.sender != _generalMeeting) revert CouncilNotGeneralMeeting(msg.sender);
    }

    function _sitsIn(address account, uint32 epoch_) private view returns (bool) {
        uint256 seat = _seats[account];
        return seat != 0 && seat >> 8 == epoch_;
    }

    /// @dev Starts a new term with `members` in seats 0..n-1.
    function _seat(address[] calldata members) private {
        uint256 n = members.length;
        if (n < _MIN_SIZE || n > _MAX_SIZE) revert CouncilInvalidSize(n);
        // Cannot overflow: one term per general-meeting decision.
        uint32 epoch_;
        unchecked {
            epoch_ = _epoch + 1;
        }
        uint256 base = uint256(epoch_) << 8;
        delete _members;
        for (uint256 i; i < n; ++i) {
            address m = members[i];
            if (m == address(0)) revert CouncilZeroAddress();
            if (_seats[m] >> 8 == epoch_) revert CouncilDuplicateMember(m);
            // Cannot overflow: i < 64.
            unchecked {
                _seats[m] = base | (i + 1);
            }
            _members.push(m);
        }
        _epoch = epoch_;
        _size = uint8(n);
        emit CouncilSeated(epoch_, members);
    }

    function _setItemExpiry(uint32 itemExpiry_) private {
        if (itemExpiry_ == 0) revert CouncilInvalidExpiry();
        uint32 previous = _itemExpiry;
        _itemExpiry = itemExpiry_;
        emit CouncilItemExpirySet(previous, itemExpiry_);
    }

    function _state(ItemCore memory core) private view returns (ItemState) {
        Status s = core.status;
        if (s == Status.None) return ItemState.None;
        if (s == Status.Pending) {
            if (core.epoch != _epoch || block.timestamp >= core.expiresAt) return ItemState.Expired;
            return ItemState.Pending;
        }
        if (s == Status.Passed) {
            return block.timestamp >= core.expiresAt ? ItemState.Expired : ItemState.Passed;
        }
        if (s == Status.Signed) return ItemState.Signed;
        if (s == Status.Executed) return ItemState.Executed;
        return ItemState.Rejected;
    }

    function _hashActions(address[] calldata targets, bytes[] calldata calldatas)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(targets, calldatas));
    }
}
