// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @title TestP256
/// @notice Measures one P-256 verification (benchmarks/bench_passkey.py): OZ's `verify` (the
/// RIP-7212 / EIP-7951 P256VERIFY precompile at 0x100 when the chain has it, else Solidity) and
/// `verifySolidity` (always the Solidity code).
contract TestP256 {
    /// @notice Verifies by precompile when present; returns validity and the gas it took.
    function verify(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy)
        external
        view
        returns (bool valid, uint256 gasUsed)
    {
        uint256 start = gasleft();
        valid = P256.verify(h, r, s, qx, qy);
        gasUsed = start - gasleft();
    }

    /// @notice Verifies in Solidity only; returns validity and the gas it took.
    function verifySolidity(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy)
        external
        view
        returns (bool valid, uint256 gasUsed)
    {
        uint256 start = gasleft();
        valid = P256.verifySolidity(h, r, s, qx, qy);
        gasUsed = start - gasleft();
    }
}
