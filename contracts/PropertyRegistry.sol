// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {IPropertyRegistry} from "./interfaces/IPropertyRegistry.sol";
import {MeetingDecision} from "./libraries/MeetingDecision.sol";

/// @title PropertyRegistry
/// @notice The register of one cooperative's property as ERC-721 tokens that only decisions
/// move; the rules are documented on {IPropertyRegistry}.
/// @dev Deployed once as an implementation and used through EIP-1167 clones (no immutables).
///
/// A read-only ERC-721: every asset in the register belongs to the cooperative's treasury, so
/// no owner or balance is stored per token (`ownerOf` is the holder for every live asset and
/// `balanceOf(holder)` the live count); the `Transfer` events still show each asset arriving
/// (from the zero address) and leaving (to it). Minting writes the asset's four slots: custodian
/// and dates, valuation, title hash, metadata hash.
contract PropertyRegistry is IPropertyRegistry, Initializable {
    using Strings for uint256;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    bytes32 private constant _DISPOSAL_TYPEHASH = keccak256(
        "PropertyRegistry.dispose(uint256 tokenId,uint8 kind,address counterparty,uint256 amount,"
        "bytes32 document)"
    );

    bytes4 private constant _ERC4906_INTERFACE_ID = 0x49064906;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    enum Status {
        None,
        Held,
        Encumbered,
        Disposed
    }

    /// @dev Four slots: [custodian, category, status, acquiredAt, valuedAt], [valuation], [title],
    /// [metadata].
    struct Asset {
        address custodian;
        Category category;
        Status status;
        uint40 acquiredAt;
        uint40 valuedAt;
        uint128 valuation;
        bytes32 title;
        bytes32 metadata;
    }

    /// @dev Written only when an asset is pledged.
    struct Encumbrance {
        address pledgee;
        uint128 amount;
        bytes32 document;
    }

    /// @dev Slot 0: the charter, the id counter, the number of assets in the register.
    ICharter private _charter;
    uint64 private _assetCount;
    uint32 private _liveCount;

    /// @dev Slot 1: the owner of every asset (the treasury).
    address private _holder;
    IMembershipView private _membership;

    string private _name;
    string private _symbol;
    string private _baseURI;

    mapping(uint256 tokenId => Asset) private _assets;
    mapping(uint256 tokenId => Encumbrance) private _encumbrances;
    /// @dev General-meeting questions already used, by `keccak256(meeting contract, id, index)`.
    mapping(bytes32 question => bool) private _usedDecisions;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyDecisionExecutor() {
        if (msg.sender != _charter.decisionExecutor()) {
            revert PropertyRegistryNotDecisionExecutor(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc IPropertyRegistry
    function initialize(
        address charter_,
        string calldata name_,
        string calldata symbol_,
        string calldata baseURI_
    ) external initializer {
        if (charter_ == address(0)) revert PropertyRegistryZeroAddress();
        address holder_ = ICharter(charter_).treasury();
        address membership_ = ICharter(charter_).membership();
        if (holder_ == address(0) || membership_ == address(0)) {
            revert PropertyRegistryZeroAddress();
        }
        _charter = ICharter(charter_);
        _holder = holder_;
        _membership = IMembershipView(membership_);
        _name = name_;
        _symbol = symbol_;
        _baseURI = baseURI_;
        emit BaseURIChanged(baseURI_);
    }

    /*//////////////////////////////////////////////////////////////
                           COUNCIL DECISIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPropertyRegistry
    function mint(
        address custodian,
        Category category,
        uint256 valuation,
        bytes32 title,
        bytes32 metadata,
        bytes32 decision
    ) external onlyDecisionExecutor returns (uint256 tokenId) {
        if (title == bytes32(0) || metadata == bytes32(0) || decision == bytes32(0)) {
            revert PropertyRegistryZeroHash();
        }
        _requireActiveMember(custodian);
        uint128 value = SafeCast.toUint128(valuation);
        // Cannot overflow: one id per transaction; the live count is at most the id count, and a
        // 2**32nd live asset is out of reach for one cooperative.
        unchecked {
            tokenId = ++_assetCount;
            ++_liveCount;
        }
        _assets[tokenId] = Asset({
            custodian: custodian,
            category: category,
            status: Status.Held,
            acquiredAt: uint40(block.timestamp),
            valuedAt: uint40(block.timestamp),
            valuation: value,
            title: title,
            metadata: metadata
        });
        emit Transfer(address(0), _holder, tokenId);
        emit AssetMinted(tokenId, custodian, category, valuation, title, metadata, decision);
    }

    /// @inheritdoc IPropertyRegistry
    function revalue(uint256 tokenId, uint256 valuation, bytes32 document)
        external
        onlyDecisionExecutor
    {
        if (document == bytes32(0)) revert PropertyRegistryZeroHash();
        Asset storage a = _live(tokenId);
        uint256 previous = a.valuation;
        a.valuation = SafeCast.toUint128(valuation);
        a.valuedAt = uint40(block.timestamp);
        emit AssetRevalued(tokenId, previous, valuation, document);
        emit MetadataUpdate(tokenId);
    }

    /// @inheritdoc IPropertyRegistry
    function setCustodian(uint256 tokenId, address custodian, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (decision == bytes32(0)) revert PropertyRegistryZeroHash();
        Asset storage a = _live(tokenId);
        _requireActiveMember(custodian);
        address previous = a.custodian;
        a.custodian = custodian;
        emit CustodianChanged(tokenId, previous, custodian, decision);
    }

    /// @inheritdoc IPropertyRegistry
    function setMetadata(uint256 tokenId, bytes32 metadata, bytes32 decision)
        external
        onlyDecisionExecutor
    {
        if (metadata == bytes32(0) || decision == bytes32(0)) revert PropertyRegistryZeroHash();
        _live(tokenId).metadata = metadata;
        emit AssetMetadataChanged(tokenId, metadata, decision);
        emit MetadataUpdate(tokenId);
    }

    /// @inheritdoc IPropertyRegistry
    function releaseEncumbrance(uint256 tokenId, bytes32 document) external onlyDecisionExecutor {
        if (document == bytes32(0)) revert PropertyRegistryZeroHash();
        Asset storage a = _live(tokenId);
        if (a.status != Status.Encumbered) revert PropertyRegistryNotEncumbered(tokenId);
        a.status = Status.Held;
        address pledgee = _encumbrances[tokenId].pledgee;
        delete _encumbrances[tokenId];
        emit EncumbranceReleased(tokenId, pledgee, document);
        emit MetadataUpdate(tokenId);
    }

    /// @inheritdoc IPropertyRegistry
    function setBaseURI(string calldata baseURI_) external onlyDecisionExecutor {
        _baseURI = baseURI_;
        emit BaseURIChanged(baseURI_);
        uint256 count = _assetCount;
        if (count != 0) emit BatchMetadataUpdate(1, count);
    }

    /*//////////////////////////////////////////////////////////////
                        GENERAL-MEETING DECISIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IPropertyRegistry
    function dispose(
        uint256 tokenId,
        Disposal calldata disposal,
        uint256 meetingId,
        uint8 questionIndex
    ) external {
        if (disposal.document == bytes32(0)) revert PropertyRegistryZeroHash();
        if (disposal.kind != DisposalKind.WriteOff && disposal.counterparty == address(0)) {
            revert PropertyRegistryInvalidDisposal();
        }
        Asset storage a = _live(tokenId);
        if (disposal.kind == DisposalKind.Pledge && a.status == Status.Encumbered) {
            revert PropertyRegistryAlreadyEncumbered(tokenId);
        }
        _useQualifiedMeetingDecision(
            meetingId, questionIndex, _disposalCommitment(tokenId, disposal)
        );
        if (disposal.kind == DisposalKind.Pledge) {
            a.status = Status.Encumbered;
            _encumbrances[tokenId] = Encumbrance({
                pledgee: disposal.counterparty,
                amount: SafeCast.toUint128(disposal.amount),
                document: disposal.document
            });
            emit AssetPledged(
                tokenId,
                disposal.counterparty,
                disposal.amount,
                disposal.document,
                meetingId,
                questionIndex
            );
            emit MetadataUpdate(tokenId);
            return;
        }
        a.status = Status.Disposed;
        if (_encumbrances[tokenId].pledgee != address(0)) delete _encumbrances[tokenId];
        // Cannot underflow: the asset was live, so counted.
        unchecked {
            --_liveCount;
        }
        emit Transfer(_holder, address(0), tokenId);
        emit AssetDisposed(
            tokenId,
            disposal.kind,
            disposal.counterparty,
            disposal.amount,
            disposal.document,
            meetingId,
            questionIndex
        );
    }

    /*//////////////////////////////////////////////////////////////
                        ERC-721: NO TRANSFERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC721
    /// @dev Always reverts: assets move only by a general-meeting decision (`dispose`).
    function transferFrom(address, address, uint256) external pure {
        revert PropertyRegistryTransferForbidden();
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: assets move only by a general-meeting decision (`dispose`).
    function safeTransferFrom(address, address, uint256) external pure {
        revert PropertyRegistryTransferForbidden();
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: assets move only by a general-meeting decision (`dispose`).
    function safeTransferFrom(address, address, uint256, bytes calldata) external pure {
        revert PropertyRegistryTransferForbidden();
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: nobody may be approved to move an asset.
    function approve(address, uint256) external pure {
        revert PropertyRegistryApprovalForbidden();
    }

    /// @inheritdoc IERC721
    /// @dev Always reverts: nobody may be approved to move an asset.
    function setApprovalForAll(address, bool) external pure {
        revert PropertyRegistryApprovalForbidden();
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert PropertyRegistryZeroAddress();
        return owner == _holder ? _liveCount : 0;
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address) {
        _live(tokenId);
        return _holder;
    }

    /// @inheritdoc IERC721
    /// @dev Nobody is ever approved.
    function getApproved(uint256 tokenId) external view returns (address) {
        _live(tokenId);
        return address(0);
    }

    /// @inheritdoc IERC721
    /// @dev Nobody is ever approved.
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IERC721Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @inheritdoc IERC721Metadata
    /// @dev The base URI followed by the metadata document's hash (`0x` and 64 hex digits);
    /// empty when no base URI is set.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        bytes32 metadata = _live(tokenId).metadata;
        string memory base = _baseURI;
        if (bytes(base).length == 0) return "";
        return string.concat(base, uint256(metadata).toHexString(32));
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId
            || interfaceId == type(IERC721).interfaceId
            || interfaceId == type(IERC721Metadata).interfaceId
            || interfaceId == _ERC4906_INTERFACE_ID;
    }

    /// @inheritdoc IPropertyRegistry
    function asset(uint256 tokenId) external view returns (AssetInfo memory info) {
        Asset memory a = _assets[tokenId];
        if (a.status == Status.None) revert PropertyRegistryUnknownAsset(tokenId);
        Encumbrance memory e = _encumbrances[tokenId];
        info = AssetInfo({
            category: a.category,
            custodian: a.custodian,
            valuation: a.valuation,
            title: a.title,
            metadata: a.metadata,
            acquiredAt: a.acquiredAt,
            valuedAt: a.valuedAt,
            encumbered: a.status == Status.Encumbered,
            pledgee: e.pledgee,
            pledgeAmount: e.amount,
            pledgeDocument: e.document
        });
    }

    /// @inheritdoc IPropertyRegistry
    function exists(uint256 tokenId) external view returns (bool) {
        Status s = _assets[tokenId].status;
        return s == Status.Held || s == Status.Encumbered;
    }

    /// @inheritdoc IPropertyRegistry
    function assetCount() external view returns (uint256) {
        return _assetCount;
    }

    /// @inheritdoc IPropertyRegistry
    function totalSupply() external view returns (uint256) {
        return _liveCount;
    }

    /// @inheritdoc IPropertyRegistry
    function disposalCommitment(uint256 tokenId, Disposal calldata disposal)
        external
        view
        returns (bytes32)
    {
        return _disposalCommitment(tokenId, disposal);
    }

    /// @inheritdoc IPropertyRegistry
    function baseURI() external view returns (string memory) {
        return _baseURI;
    }

    /// @inheritdoc IPropertyRegistry
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc IPropertyRegistry
    function holder() external view returns (address) {
        return _holder;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    function _requireActiveMember(address account) private view {
        if (!_membership.isActiveMember(account)) revert PropertyRegistryNotActiveMember(account);
    }

    /// @dev The asset `tokenId`, which must be in the register (held or pledged).
    function _live(uint256 tokenId) private view returns (Asset storage a) {
        a = _assets[tokenId];
        Status s = a.status;
        if (s != Status.Held && s != Status.Encumbered) revert PropertyRegistryUnknownAsset(tokenId);
    }

    function _disposalCommitment(uint256 tokenId, Disposal calldata d)
        private
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(
                _DISPOSAL_TYPEHASH,
                address(this),
                tokenId,
                uint8(d.kind),
                d.counterparty,
                d.amount,
                d.document
            )
        );
    }

    /// @dev Checks that question `questionIndex` of meeting `meetingId` of the cooperative's
    /// general meeting (the one its council, the decision executor, names) was accepted by a
    /// two-thirds or three-quarters majority, with the protocol signed by the secretary and the
    /// chair, and carries `commitment` as its document hash; marks it used.
    function _useQualifiedMeetingDecision(
        uint256 meetingId,
        uint8 questionIndex,
        bytes32 commitment
    ) private {
        (address meeting, bytes32 actual, uint256 majority) = MeetingDecision.accepted(
            _charter.decisionExecutor(),
            meetingId,
            questionIndex,
            PropertyRegistryNoGeneralMeeting.selector,
            PropertyRegistryNotMeetingDecision.selector
        );
        if (majority == uint256(IGeneralMeeting.Majority.Simple)) {
            revert PropertyRegistryNotQualifiedMajority(meetingId, questionIndex);
        }
        if (actual != commitment) revert PropertyRegistryDecisionMismatch(commitment, actual);
        bytes32 used = keccak256(abi.encode(meeting, meetingId, questionIndex));
        if (_usedDecisions[used]) revert PropertyRegistryDecisionUsed(meetingId, questionIndex);
        _usedDecisions[used] = true;
    }
}
