// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITargetPrograms} from "../../../contracts/interfaces/ITargetPrograms.sol";
import {ITargetProgramsInstaller} from
    "../../../contracts/interfaces/ITargetProgramsInstaller.sol";
import {CoopFixture} from "../utils/CoopFixture.sol";

/// @title ProgramsHandler
/// @notice Drives a cooperative's target programs with bounded random actions: members join
/// (with the terms) and leave, contribute, the council spends (sometimes the whole balance,
/// which moves a program to a new epoch), a stranger sends tokens to the contract directly.
/// Ghost variables add up what went in and out of each program.
contract ProgramsHandler is CoopFixture {
    uint256 internal constant MEMBERS = 6;
    uint256 public constant PROGRAMS = 2;

    ITargetPrograms public programs;

    mapping(uint256 programId => uint256) public contributed;
    mapping(uint256 programId => uint256) public spent;
    mapping(uint256 programId => uint256) public paidOut;
    uint256 public donated;

    constructor() {
        _deployCooperative(MEMBERS);
        ITargetProgramsInstaller installer = ITargetProgramsInstaller(
            vm.deployCode(
                "TargetProgramsInstaller.sol:TargetProgramsInstaller",
                abi.encode(vm.deployCode("TargetPrograms.sol:TargetPrograms"))
            )
        );
        vm.prank(address(council));
        programs = ITargetPrograms(installer.install(address(charter)));
        for (uint256 i = 1; i <= PROGRAMS; ++i) {
            vm.prank(address(council));
            programs.createProgram("program", keccak256(abi.encode("terms", i)), bytes32(i));
        }
        for (uint256 i; i < MEMBERS; ++i) {
            vm.prank(members[i]);
            token.approve(address(programs), type(uint256).max);
        }
    }

    /// @notice The members.
    function accounts() external view returns (address[] memory) {
        return members;
    }

    /// @notice The payment token.
    function tokenAddress() external view returns (address) {
        return address(token);
    }

    /*//////////////////////////////////////////////////////////////
                                ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice A member joins a program with its terms (sometimes with wrong terms: refused).
    function join(uint256 seed, uint256 programSeed) external {
        address member = _member(seed);
        uint256 id = _program(programSeed);
        bytes32 terms = keccak256(abi.encode("terms", seed % 7 == 0 ? id + 1 : id));
        vm.prank(member);
        try programs.join(id, terms) {} catch {}
    }

    /// @notice A member contributes 1..10**24 (skewed small and large).
    function contribute(uint256 seed, uint256 programSeed, uint256 amount) external {
        address member = _member(seed);
        uint256 id = _program(programSeed);
        amount = _bound(amount, 1, amount % 3 == 0 ? 1_000 : 1e24);
        token.mint(member, amount);
        vm.prank(member);
        try programs.contribute(id, amount) {
            contributed[id] += amount;
        } catch {}
    }

    /// @notice The council spends part of a program's balance, one time in five all of it.
    function spend(uint256 programSeed, uint256 amount) external {
        uint256 id = _program(programSeed);
        uint256 balance = programs.program(id).balance;
        if (balance == 0) return;
        amount = amount % 5 == 0 ? balance : _bound(amount, 1, balance);
        vm.prank(address(council));
        programs.spend(id, address(0xBEEF), amount, keccak256("decision"));
        spent[id] += amount;
    }

    /// @notice The council tries to spend more than a program holds (always refused).
    function overspend(uint256 programSeed, uint256 extra) external {
        uint256 id = _program(programSeed);
        uint256 amount = uint256(programs.program(id).balance) + _bound(extra, 1, 1e24);
        vm.prank(address(council));
        try programs.spend(id, address(0xBEEF), amount, keccak256("decision")) {
            revert("overspend went through");
        } catch {}
    }

    /// @notice A member leaves and must be paid exactly their part.
    function leave(uint256 seed, uint256 programSeed) external {
        address member = _member(seed);
        uint256 id = _program(programSeed);
        uint256 part = programs.partOf(id, member);
        uint256 before = token.balanceOf(member);
        vm.prank(member);
        try programs.leave(id) {
            paidOut[id] += part;
            if (token.balanceOf(member) - before != part) revert("leaver not paid their part");
        } catch {}
    }

    /// @notice Somebody sends tokens to the contract directly (never counted to a program).
    function donate(uint256 amount) external {
        amount = _bound(amount, 1, 1e18);
        token.mint(address(programs), amount);
        donated += amount;
    }

    function _program(uint256 seed) internal pure returns (uint256) {
        return 1 + seed % PROGRAMS;
    }
}
