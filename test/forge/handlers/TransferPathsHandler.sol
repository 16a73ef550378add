// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISettlementUnits} from "../../../contracts/interfaces/ISettlementUnits.sol";
import {ISettlementUnitsInitializer} from
    "../../../contracts/interfaces/ISettlementUnitsInitializer.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title TransferPathsHandler
/// @notice Runs every transfer twice, on the cooperative's ВРЕ (cached status trusted: the
/// in-place path for active members) and on a second ВРЕ of the same cooperative that
/// Membership never listed (it trusts no cached bit, so every transfer takes the general path
/// and asks Membership). Both see the same members, limits, blocks and transfers; any
/// difference in outcome (success, revert data) or in the resulting balances is recorded.
contract TransferPathsHandler is CoopFixture {
    uint256 internal constant MEMBERS = 5;
    address internal constant SPENDER = address(0x5BE7D);

    /// @notice The reference: every transfer takes the general path.
    ISettlementUnits public shadow;
    /// @notice Transfers that went through on the cooperative's ВРЕ.
    uint256 public transfers;
    /// @notice Set when the two contracts answered one call differently.
    bool public outcomesDiffer;

    constructor() {
        _deployCooperative(MEMBERS);
        address implementation = vm.deployCode("SettlementUnits.sol:SettlementUnits");
        shadow = ISettlementUnits(Clones.clone(implementation));
        ISettlementUnitsInitializer(address(shadow)).initialize(
            address(charter), address(membership), DEFAULT_CREDIT_LIMIT
        );
        for (uint256 i; i < members.length; ++i) {
            vm.prank(members[i]);
            units.approve(SPENDER, type(uint256).max);
            vm.prank(members[i]);
            shadow.approve(SPENDER, type(uint256).max);
        }
    }

    /// @notice Every account that can hold units (the members and one outsider).
    function accounts() external view returns (address[] memory all) {
        all = new address[](members.length + 1);
        for (uint256 i; i < members.length; ++i) {
            all[i] = members[i];
        }
        all[members.length] = address(0x0D75);
    }

    /// @notice The cooperative's ВРЕ (the in-place path).
    function unitsAddress() external view returns (address) {
        return address(units);
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice `transfer` (kind 0), `transferWithDocument` (1) or `transferFrom` by an
    /// approved spender (2) between two accounts (the same one, an outsider or address 0
    /// sometimes), of an amount that stays in credit, goes into debt, past the limit, or is
    /// any 256-bit number.
    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount, uint8 kind) external {
        address from = _account(fromSeed);
        address to = _account(toSeed);
        if (amount % 5 != 0) amount = _bound(amount, 0, 3_000);
        bytes memory call;
        address caller = from;
        if (kind % 3 == 0) {
            call = abi.encodeCall(IERC20.transfer, (to, amount));
        } else if (kind % 3 == 1) {
            call = abi.encodeCall(
                ISettlementUnits.transferWithDocument, (to, amount, keccak256("doc"))
            );
        } else {
            call = abi.encodeCall(IERC20.transferFrom, (from, to, amount));
            caller = SPENDER;
        }
        vm.prank(caller);
        (bool ok, bytes memory answer) = address(units).call(call);
        vm.prank(caller);
        (bool shadowOk, bytes memory shadowAnswer) = address(shadow).call(call);
        if (ok != shadowOk || keccak256(answer) != keccak256(shadowAnswer)) outcomesDiffer = true;
        if (ok) ++transfers;
    }

    /// @notice The council sets a member's credit limit (0..3,000) on both contracts.
    function setCreditLimit(uint256 memberSeed, uint256 limit) external {
        address member = _member(memberSeed);
        limit = _bound(limit, 0, 3_000);
        vm.prank(address(council));
        (bool ok,) =
            address(units).call(abi.encodeCall(ISettlementUnits.setCreditLimit, (member, limit)));
        vm.prank(address(council));
        (bool shadowOk,) =
            address(shadow).call(abi.encodeCall(ISettlementUnits.setCreditLimit, (member, limit)));
        if (ok != shadowOk) outcomesDiffer = true;
    }

    /// @notice The council blocks a member (the cached bit is cleared by Membership's push).
    function blockMember(uint256 memberSeed) external {
        vm.prank(address(council));
        try membership.blockMember(_member(memberSeed), keccak256("block")) {} catch {}
    }

    /// @notice The council unblocks a member.
    function unblockMember(uint256 memberSeed) external {
        vm.prank(address(council));
        try membership.unblockMember(_member(memberSeed), keccak256("unblock")) {} catch {}
    }

    function _account(uint256 seed) private view returns (address) {
        uint256 pick = seed % (members.length + 2);
        if (pick < members.length) return members[pick];
        return pick == members.length ? address(0x0D75) : address(0);
    }
}
