// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "./interfaces/ICharter.sol";
import {IBankSettlements} from "./interfaces/IBankSettlements.sol";
import {IMembership} from "./interfaces/IMembership.sol";
import {IShares} from "./interfaces/IShares.sol";

/// @title BankSettlements
/// @notice A cooperative's attested ruble payments; see {IBankSettlements}.
/// @dev Deployed once per cooperative with its charter; no owner, nothing to configure.
contract BankSettlements is IBankSettlements {
    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    address private immutable _charter;

    mapping(bytes32 line => bool) private _lines;
    mapping(bytes32 obligation => bytes32 line) private _closedBy;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyCashier() {
        if (!ICharter(_charter).isCashier(msg.sender)) revert BankSettlementsNotCashier(msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor(address charter_) {
        if (charter_ == address(0)) revert BankSettlementsZeroValue();
        _charter = charter_;
    }

    /// @inheritdoc IBankSettlements
    function recordIncoming(Incoming[] calldata items) external onlyCashier {
        if (items.length == 0) revert BankSettlementsEmptyBatch();
        ICharter charter_ = ICharter(_charter);
        for (uint256 i = 0; i < items.length; ++i) {
            Incoming calldata item = items[i];
            if (item.payer == address(0)) revert BankSettlementsZeroValue();
            if (item.amount == 0) revert BankSettlementsZeroAmount();
            _useLine(item.line);
            emit PaymentRecorded(
                item.line, item.payer, item.purpose, item.ref, item.amount, msg.sender
            );
            if (item.purpose == Purpose.Entry) {
                IMembership membership = IMembership(charter_.membership());
                ICharter.Fees memory fees = charter_.fees(membership.memberOf(item.payer).kind);
                uint256 due = uint256(fees.entranceFee) + fees.minimumShare;
                if (item.amount != due) {
                    revert BankSettlementsWrongFees(item.payer, due, item.amount);
                }
                membership.attestPayment(item.payer, item.line);
            } else if (item.purpose == Purpose.VoluntaryShare) {
                IShares(charter_.shares()).attestContribution(item.payer, item.amount, item.line);
            }
        }
    }

    /// @inheritdoc IBankSettlements
    function recordOutgoing(Outgoing[] calldata items) external onlyCashier {
        if (items.length == 0) revert BankSettlementsEmptyBatch();
        for (uint256 i = 0; i < items.length; ++i) {
            Outgoing calldata item = items[i];
            if (item.payee == address(0) || item.obligation == bytes32(0)) {
                revert BankSettlementsZeroValue();
            }
            if (item.amount == 0) revert BankSettlementsZeroAmount();
            bytes32 closing = _closedBy[item.obligation];
            if (closing != bytes32(0)) revert BankSettlementsAlreadyClosed(item.obligation, closing);
            _useLine(item.line);
            _closedBy[item.obligation] = item.line;
            emit OwedPaid(
                item.obligation, item.payee, item.line, item.decision, item.amount, msg.sender
            );
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBankSettlements
    function lineRecorded(bytes32 line) external view returns (bool) {
        return _lines[line];
    }

    /// @inheritdoc IBankSettlements
    function closedBy(bytes32 obligation) external view returns (bytes32) {
        return _closedBy[obligation];
    }

    /// @inheritdoc IBankSettlements
    function charter() external view returns (address) {
        return _charter;
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _useLine(bytes32 line) private {
        if (line == bytes32(0)) revert BankSettlementsZeroValue();
        if (_lines[line]) revert BankSettlementsLineRecorded(line);
        _lines[line] = true;
    }
}
