// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISettlementUnits} from "../../../contracts/interfaces/ISettlementUnits.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title UnitsHandler
/// @notice Drives the cooperative's ВРЕ (SettlementUnits) with bounded random actions of its
/// members and its council: transfers, invoices (issue, accept, reject, cancel, pay), clearing
/// of obligation cycles (found among the open obligations, and random plans that are mostly
/// unbalanced), credit limits, blocking and unblocking members.
contract UnitsHandler is CoopFixture {
    uint256 internal constant MEMBERS = 5;
    uint256 internal constant MAX_AMOUNT = 1_500;

    /// @notice Clearings that went through.
    uint256 public clearings;
    /// @notice Set when a clearing changed some member's net position.
    bool public clearingChangedNet;
    /// @notice The member whose net position a clearing changed (for the failure report).
    address public netChangedFor;

    constructor() {
        _deployCooperative(MEMBERS);
    }

    /// @notice Every account that can hold units.
    function accounts() external view returns (address[] memory) {
        return members;
    }

    /// @notice The ВРЕ contract under test.
    function unitsAddress() external view returns (address) {
        return address(units);
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A member transfers 1..1,500 units to a member.
    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _member(fromSeed);
        vm.prank(from);
        try units.transfer(_member(toSeed), _bound(amount, 1, MAX_AMOUNT)) {} catch {}
    }

    /// @notice A member invoices another (and the debtor accepts, if `andAccept`).
    function issue(uint256 creditorSeed, uint256 debtorSeed, uint256 amount, bool andAccept)
        external
    {
        address creditor = _member(creditorSeed);
        address debtor = _member(debtorSeed);
        vm.prank(creditor);
        try units.issueObligation(
            debtor, _bound(amount, 1, MAX_AMOUNT), 0, keccak256("invoice")
        ) returns (
            uint256 id
        ) {
            if (andAccept) {
                vm.prank(debtor);
                try units.acceptObligation(id) {} catch {}
            }
        } catch {}
    }

    /// @notice The debtor accepts an obligation.
    function accept(uint256 idSeed) external {
        (uint256 id, ISettlementUnits.ObligationInfo memory o) = _obligation(idSeed);
        vm.prank(o.debtor);
        try units.acceptObligation(id) {} catch {}
    }

    /// @notice The debtor rejects an obligation.
    function reject(uint256 idSeed) external {
        (uint256 id, ISettlementUnits.ObligationInfo memory o) = _obligation(idSeed);
        vm.prank(o.debtor);
        try units.rejectObligation(id) {} catch {}
    }

    /// @notice The creditor cancels an obligation.
    function cancel(uint256 idSeed) external {
        (uint256 id, ISettlementUnits.ObligationInfo memory o) = _obligation(idSeed);
        vm.prank(o.creditor);
        try units.cancelObligation(id) {} catch {}
    }

    /// @notice The debtor pays part or all of an obligation.
    function pay(uint256 idSeed, uint256 amount) external {
        (uint256 id, ISettlementUnits.ObligationInfo memory o) = _obligation(idSeed);
        vm.prank(o.debtor);
        try units.payObligation(id, _bound(amount, 1, o.outstanding == 0 ? 1 : o.outstanding)) {}
            catch {}
    }

    /// @notice Finds a cycle of accepted obligations (two or three long) starting from a random
    /// one and clears the smallest outstanding amount around it.
    function clearCycle(uint256 seed) external {
        uint256 count = units.obligationCount();
        if (count == 0) return;
        uint256 start = seed % count + 1;
        ISettlementUnits.ObligationInfo memory a = units.obligation(start);
        if (!_open(a)) return;
        for (uint256 j = 1; j <= count; ++j) {
            ISettlementUnits.ObligationInfo memory b = units.obligation(j);
            if (!_open(b) || b.debtor != a.creditor) continue;
            if (b.creditor == a.debtor) {
                uint256[] memory ids = new uint256[](2);
                ids[0] = start;
                ids[1] = j;
                _clear(ids, _min(a.outstanding, b.outstanding));
                return;
            }
            for (uint256 k = 1; k <= count; ++k) {
                ISettlementUnits.ObligationInfo memory c = units.obligation(k);
                if (!_open(c) || c.debtor != b.creditor || c.creditor != a.debtor) continue;
                uint256[] memory ids = new uint256[](3);
                ids[0] = start;
                ids[1] = j;
                ids[2] = k;
                _clear(ids, _min(_min(a.outstanding, b.outstanding), c.outstanding));
                return;
            }
        }
    }

    /// @notice A random plan of two entries, from a random caller: mostly unbalanced (and then
    /// refused); whatever goes through is checked like any clearing.
    function clearRandom(uint256 id1, uint256 amount1, uint256 id2, uint256 amount2) external {
        uint256 count = units.obligationCount();
        if (count == 0) return;
        ISettlementUnits.ClearingEntry[] memory entries = new ISettlementUnits.ClearingEntry[](2);
        entries[0] = ISettlementUnits.ClearingEntry({
            obligationId: id1 % count + 1, amount: _bound(amount1, 1, MAX_AMOUNT)
        });
        entries[1] = ISettlementUnits.ClearingEntry({
            obligationId: id2 % count + 1, amount: _bound(amount2, 1, MAX_AMOUNT)
        });
        _settle(entries, address(uint160(id1 ^ id2)));
    }

    /// @notice The council sets a member's credit limit (0..3,000).
    function setCreditLimit(uint256 memberSeed, uint256 limit) external {
        vm.prank(address(council));
        try units.setCreditLimit(_member(memberSeed), _bound(limit, 0, 3_000)) {} catch {}
    }

    /// @notice The council blocks a member.
    function blockMember(uint256 memberSeed) external {
        vm.prank(address(council));
        try membership.blockMember(_member(memberSeed), keccak256("block")) {} catch {}
    }

    /// @notice The council unblocks a member.
    function unblockMember(uint256 memberSeed) external {
        vm.prank(address(council));
        try membership.unblockMember(_member(memberSeed), keccak256("unblock")) {} catch {}
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @notice A member's net position: their balance, plus what accepted obligations owe them,
    /// minus what they owe on accepted obligations.
    function netPosition(address account) public view returns (int256 net) {
        net = units.signedBalanceOf(account);
        uint256 count = units.obligationCount();
        for (uint256 id = 1; id <= count; ++id) {
            ISettlementUnits.ObligationInfo memory o = units.obligation(id);
            if (o.status != ISettlementUnits.ObligationStatus.Accepted) continue;
            if (o.creditor == account) net += int256(o.outstanding);
            if (o.debtor == account) net -= int256(o.outstanding);
        }
    }

    function _clear(uint256[] memory ids, uint256 amount) private {
        ISettlementUnits.ClearingEntry[] memory entries =
            new ISettlementUnits.ClearingEntry[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            entries[i] = ISettlementUnits.ClearingEntry({obligationId: ids[i], amount: amount});
        }
        // Anyone may submit a balanced plan: here a stranger does.
        _settle(entries, address(0xBEEF));
    }

    function _settle(ISettlementUnits.ClearingEntry[] memory entries, address caller) private {
        int256[] memory before = new int256[](members.length);
        for (uint256 i; i < members.length; ++i) {
            before[i] = netPosition(members[i]);
        }
        vm.prank(caller);
        try units.settleClearing(entries) {
            ++clearings;
            for (uint256 i; i < members.length; ++i) {
                if (netPosition(members[i]) != before[i]) {
                    clearingChangedNet = true;
                    netChangedFor = members[i];
                }
            }
        } catch {}
    }

    function _obligation(uint256 seed)
        private
        view
        returns (uint256 id, ISettlementUnits.ObligationInfo memory o)
    {
        uint256 count = units.obligationCount();
        if (count == 0) return (0, o);
        id = seed % count + 1;
        o = units.obligation(id);
    }

    function _open(ISettlementUnits.ObligationInfo memory o) private pure returns (bool) {
        return o.status == ISettlementUnits.ObligationStatus.Accepted && o.outstanding != 0;
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
