// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Multicall3
/// @notice Reads many contract views in one call: the `aggregate3` entry point of Multicall3
/// (https://github.com/mds1/multicall3, canonical address
/// 0xcA11bde05977b3631167028862bE2a173976CA11 on most chains), written anew with the same ABI so
/// that a chain lacking it can be given this code at that address (anvil_setCode on a dev chain,
/// a state override in eth_call elsewhere). `coop audit` batches its view reads through it.
/// @dev Only `aggregate3` is provided: the audit needs nothing else. It never holds value or
/// state; every call is a plain CALL from this contract, so a view that depends on
/// `msg.sender` answers for this contract, as it would for Multicall3.
contract Multicall3 {
    /// @notice One call of a batch.
    /// @param target The contract called.
    /// @param allowFailure Whether a failure of this call is returned rather than reverting.
    /// @param callData The call's ABI-encoded data.
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    /// @notice One call's outcome.
    /// @param success Whether the call returned without reverting.
    /// @param returnData Its return data (or revert data).
    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call with `allowFailure` false reverted.
    /// @param index The call's position in the batch.
    error Multicall3CallFailed(uint256 index);

    /// @notice Makes every call in order and returns every outcome.
    /// @param calls The calls.
    /// @return returnData One result per call, in order.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        uint256 length = calls.length;
        returnData = new Result[](length);
        for (uint256 i = 0; i < length; ++i) {
            Call3 calldata c = calls[i];
            (bool ok, bytes memory data) = c.target.call(c.callData);
            if (!ok && !c.allowFailure) revert Multicall3CallFailed(i);
            returnData[i] = Result(ok, data);
        }
    }
}
