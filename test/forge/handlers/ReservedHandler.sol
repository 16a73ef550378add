// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "../../../contracts/interfaces/ICharter.sol";
import {ICouncil} from "../../../contracts/interfaces/ICouncil.sol";
import {IMembership} from "../../../contracts/interfaces/IMembership.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title ReservedHandler
/// @notice Tries to change the meeting-reserved parameters from random callers: council
/// members, the chair, the cashier, the founding executor, members, the secretary, strangers, and
/// also the authorised callers (the decision executor, the general meeting), so that changes do
/// happen. After every attempt it compares a snapshot of all the reserved parameters: a change
/// made by anyone but the authorised caller is counted in `unauthorisedChanges`.
/// @dev The reserved calls are one list, `_reserved` (target, selector); `_authorised` says who
/// may make each. To narrow the rule to "only an executed meeting decision", change those two.
contract ReservedHandler is CoopFixture {
    /// @notice One meeting-reserved call.
    struct Reserved {
        address target;
        bytes4 selector;
    }

    /// @notice Changes of a reserved parameter by a caller that was not authorised (must stay 0).
    uint256 public unauthorisedChanges;
    /// @notice Changes by the authorised caller (shows the changes are reachable).
    uint256 public authorisedChanges;
    /// @notice The last unauthorised change, for the failure report.
    address public lastIntruder;
    bytes4 public lastSelector;

    Reserved[] internal _reserved;
    address[] internal _actors;

    constructor() {
        _deployCooperative(3);
        _reserved.push(Reserved(address(charter), ICharter.setCharterDocument.selector));
        _reserved.push(Reserved(address(charter), ICharter.setFees.selector));
        _reserved.push(Reserved(address(charter), ICharter.setFundSplit.selector));
        _reserved.push(Reserved(address(charter), ICharter.setDecisionExecutor.selector));
        _reserved.push(Reserved(address(council), ICouncil.setCouncil.selector));
        _reserved.push(Reserved(address(membership), IMembership.removeObligationSource.selector));

        for (uint256 i; i < councilMembers.length; ++i) {
            _actors.push(councilMembers[i]);
        }
        for (uint256 i; i < members.length; ++i) {
            _actors.push(members[i]);
        }
        _actors.push(CHAIR);
        _actors.push(CASHIER);
        _actors.push(FOUNDER);
        _actors.push(SECRETARY);
        _actors.push(address(0xBAD));
        _actors.push(address(this));
        _actors.push(address(units));
        _actors.push(address(fund));
        // The authorised callers, drawn as often as any other actor.
        _actors.push(address(council));
        _actors.push(address(meeting));
    }

    /// @notice How many reserved calls are tried.
    function reservedCount() external view returns (uint256) {
        return _reserved.length;
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Reserved call number `which` with random arguments from actor `who` (or, when
    /// `executor` is set, from whoever is the decision executor now).
    function attempt(uint256 which, uint256 who, uint256 argSeed, bool executor) external {
        Reserved memory call = _reserved[which % _reserved.length];
        address caller = executor ? charter.decisionExecutor() : _actors[who % _actors.length];
        bytes memory data = _arguments(call.selector, argSeed);
        bool authorised = caller == _authorised(call);
        bytes32 before = snapshot();
        vm.prank(caller);
        (bool ok,) = call.target.call(data);
        // Refused is the expected outcome for most callers, and a refused call changes nothing.
        if (!ok) return;
        if (snapshot() != before) {
            if (authorised) {
                ++authorisedChanges;
            } else {
                ++unauthorisedChanges;
                lastIntruder = caller;
                lastSelector = call.selector;
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice A hash of every meeting-reserved parameter.
    function snapshot() public view returns (bytes32) {
        return keccak256(
            abi.encode(
                charter.charterDocument(),
                charter.fees(ICharter.MemberKind.Individual),
                charter.fees(ICharter.MemberKind.Organisation),
                charter.fundSplit(),
                charter.decisionExecutor(),
                council.councilMembers(),
                membership.obligationSources()
            )
        );
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Who may make `call` today: the general meeting seats the council; the decision
    /// executor makes the charter and register changes.
    function _authorised(Reserved memory call) internal view returns (address) {
        if (call.target == address(council)) return council.generalMeeting();
        return charter.decisionExecutor();
    }

    function _arguments(bytes4 selector, uint256 seed) internal view returns (bytes memory) {
        if (selector == ICharter.setCharterDocument.selector) {
            return abi.encodeWithSelector(selector, keccak256(abi.encode("charter", seed)));
        }
        if (selector == ICharter.setFees.selector) {
            return abi.encodeWithSelector(
                selector,
                ICharter.MemberKind(seed % 2),
                ICharter.Fees({
                    entranceFee: uint128(seed % 1_000), minimumShare: uint128(seed % 7_777)
                })
            );
        }
        if (selector == ICharter.setFundSplit.selector) {
            uint16 a = uint16(seed % 10_001);
            uint16 b = uint16((seed >> 16) % (10_001 - a));
            return abi.encodeWithSelector(selector, [a, b, 0, 10_000 - a - b]);
        }
        if (selector == ICharter.setDecisionExecutor.selector) {
            // Mostly kept with the council, sometimes handed to an actor.
            address next = seed % 4 == 0 ? _actors[seed % _actors.length] : address(council);
            return abi.encodeWithSelector(selector, next);
        }
        if (selector == ICouncil.setCouncil.selector) {
            address[] memory seats = new address[](3);
            for (uint256 i; i < 3; ++i) {
                seats[i] = address(uint160(0xA100 + (seed >> (8 * i)) % 256 * 3 + i));
            }
            return abi.encodeWithSelector(selector, seats);
        }
        // removeObligationSource: one of the registered sources (or none left).
        address[] memory sources = membership.obligationSources();
        address source = sources.length == 0 ? address(units) : sources[seed % sources.length];
        return abi.encodeWithSelector(selector, source);
    }
}
