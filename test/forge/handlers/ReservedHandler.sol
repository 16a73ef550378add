// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "../../../contracts/interfaces/ICharter.sol";
import {ICouncil} from "../../../contracts/interfaces/ICouncil.sol";
import {IMeetingReserved} from "../../../contracts/interfaces/IMeetingReserved.sol";
import {IMembership} from "../../../contracts/interfaces/IMembership.sol";
import {ITreasury} from "../../../contracts/interfaces/ITreasury.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title ReservedHandler
/// @notice Tries to change the meeting-reserved parameters from random callers (council
/// members, the chair, the cashier, the founding executor, members, the secretary, strangers,
/// the council contract itself acting as executor, the general meeting contract), either directly
/// or through `Council.executeMeetingDecision` with a random majority. After every attempt it
/// compares a snapshot of all the reserved parameters: a change made other than by an executed
/// general-meeting decision of at least the required majority is counted in
/// `unauthorisedChanges`.
/// @dev The reserved calls are one list, `_reserved` (target, selector); `_authorised` says
/// which path may make each.
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
        _reserved.push(Reserved(address(charter), ICharter.setChair.selector));
        _reserved.push(Reserved(address(treasury), ITreasury.joinUnion.selector));
        _reserved.push(Reserved(address(charter), ICharter.setAuditor.selector));
        _reserved.push(Reserved(address(charter), ICharter.setProxyCap.selector));

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

    /// @notice How many actors there are (the last one is the general meeting contract).
    function actorCount() external view returns (uint256) {
        return _actors.length;
    }

    /// @notice How many reserved calls are tried.
    function reservedCount() external view returns (uint256) {
        return _reserved.length;
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Reserved call number `which` with random arguments from actor `who` (or, when
    /// `executor` is set, from whoever is the decision executor now), directly or (`route` odd)
    /// through `Council.executeMeetingDecision` with majority `majority % 3`.
    function attempt(
        uint256 which,
        uint256 who,
        uint256 argSeed,
        bool executor,
        uint8 route,
        uint8 majority
    ) external {
        Reserved memory call = _reserved[which % _reserved.length];
        address caller = executor ? charter.decisionExecutor() : _actors[who % _actors.length];
        bytes memory data = _arguments(call.selector, argSeed);
        majority %= 3;
        bool viaCouncil = route % 2 == 1 && call.target != address(council);
        bool authorised = _authorised(call, caller, viaCouncil, majority);
        bytes memory payload = viaCouncil
            ? abi.encodeCall(ICouncil.executeMeetingDecision, (call.target, data, majority))
            : data;
        bytes32 before = snapshot();
        vm.prank(caller);
        (bool ok,) = (viaCouncil ? address(council) : call.target).call(payload);
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
                charter.chair(),
                charter.proxyCap(),
                treasury.joinedUnion(),
                council.councilMembers(),
                membership.obligationSources(),
                _auditors()
            )
        );
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Whether this path may make `call`: the general meeting seats the council itself;
    /// every other reserved call needs the council carrying out a meeting decision of at least
    /// the call's majority. Only an executor without code (a key the meeting itself handed the
    /// role to) decides alone, as before governance.
    function _authorised(Reserved memory call, address caller, bool viaCouncil, uint8 majority)
        internal
        view
        returns (bool)
    {
        address gm = council.generalMeeting();
        if (call.target == address(council)) return caller == gm;
        address executor = charter.decisionExecutor();
        if (!viaCouncil) return caller == executor && executor.code.length == 0;
        (, uint8 required) = IMeetingReserved(call.target).reservedMajority(call.selector);
        return caller == gm && executor == address(council) && majority >= required;
    }

    /// @dev Which actors are auditors, as a bitmap.
    function _auditors() internal view returns (uint256 bits) {
        for (uint256 i; i < _actors.length; ++i) {
            if (charter.isAuditor(_actors[i])) bits |= 1 << i;
        }
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
        if (selector == ICharter.setAuditor.selector) {
            return abi.encodeWithSelector(selector, _actors[seed % _actors.length], seed % 2 == 0);
        }
        if (selector == ICharter.setChair.selector) {
            return abi.encodeWithSelector(selector, _actors[seed % _actors.length]);
        }
        if (selector == ICharter.setProxyCap.selector) {
            return abi.encodeWithSelector(selector, uint8(1 + seed % 100));
        }
        if (selector == ITreasury.joinUnion.selector) {
            // Any registry: a refusal by the "union" is a refused call like any other.
            return abi.encodeWithSelector(
                selector, address(membership), bytes32(seed), keccak256(abi.encode(seed))
            );
        }
        // removeObligationSource: one of the registered sources (or none left).
        address[] memory sources = membership.obligationSources();
        address source = sources.length == 0 ? address(units) : sources[seed % sources.length];
        return abi.encodeWithSelector(selector, source);
    }
}
