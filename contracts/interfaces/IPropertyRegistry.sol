// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

/// @title IPropertyRegistry
/// @notice The register of one cooperative's property (land, buildings, equipment, vehicles,
/// intellectual property) as ERC-721 tokens that no single person can move, sell or pledge.
///
/// Every asset is owned by the cooperative: `ownerOf` is the cooperative's Treasury, so a wallet
/// or explorer watching that address shows the property, each token with its metadata
/// (`tokenURI`: the base URI followed by the hash of the asset's JSON metadata document, which
/// the token stores). Each asset records its title document hash, category, valuation, the
/// member who keeps it (custodian) and any encumbrance.
///
/// Who may do what:
/// - A council decision (the charter's decision executor): register an asset (`mint`), e.g. a
///   contribution in kind, whose council item also calls `Shares.creditInKind` for the
///   contributor in the same execution; revalue it; change its custodian or metadata document;
///   release an encumbrance; set the base URI.
/// - A general-meeting decision with a qualified majority (two thirds or three quarters of those
///   voting): sell, transfer out, pledge or write off an asset (`dispose`). The caller names the
///   meeting and the question, which must be accepted, with its protocol signed by the secretary
///   and the chair, carry the majority, and have as its document hash the disposal's commitment
///   (`disposalCommitment`). Each question authorises one disposal.
/// - Nobody: `transferFrom`, `safeTransferFrom`, `approve` and `setApprovalForAll` always revert.
///
/// A sale, transfer out or write-off removes the asset from the register (an ERC-721 transfer to
/// the zero address); the counterparty, amount and documents are in `AssetDisposed`. A pledge
/// keeps the asset and records the encumbrance.
interface IPropertyRegistry is IERC721Metadata, IERC4906 {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What kind of property an asset is.
    enum Category {
        Land,
        Building,
        Equipment,
        Vehicle,
        IntellectualProperty,
        Other
    }

    /// @notice What a general-meeting decision does with an asset.
    enum DisposalKind {
        Sale,
        TransferOut,
        Pledge,
        WriteOff
    }

    /// @notice A disposal as the general meeting decides it.
    struct Disposal {
        DisposalKind kind;
        /// @notice The buyer, recipient or pledgee (zero for a write-off).
        address counterparty;
        /// @notice The price (sale), the value transferred, or the amount the pledge secures.
        uint256 amount;
        /// @notice Hash of the contract or act (sale contract, transfer act, pledge agreement,
        /// write-off act).
        bytes32 document;
    }

    /// @notice Everything stored about one asset.
    struct AssetInfo {
        Category category;
        /// @notice The member who keeps the asset.
        address custodian;
        /// @notice The value a council decision gave it, in the payment token's smallest units.
        uint256 valuation;
        /// @notice Hash of the title document (deed, registration certificate, patent).
        bytes32 title;
        /// @notice Hash of the JSON metadata document `tokenURI` points to.
        bytes32 metadata;
        uint40 acquiredAt;
        uint40 valuedAt;
        /// @notice Whether the asset is pledged.
        bool encumbered;
        /// @notice The pledgee, the amount secured and the pledge agreement's hash.
        address pledgee;
        uint256 pledgeAmount;
        bytes32 pledgeDocument;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A council decision registered asset `tokenId`.
    event AssetMinted(
        uint256 indexed tokenId,
        address indexed custodian,
        Category category,
        uint256 valuation,
        bytes32 title,
        bytes32 metadata,
        bytes32 indexed decision
    );

    /// @notice A council decision revalued `tokenId`.
    event AssetRevalued(
        uint256 indexed tokenId, uint256 previousValuation, uint256 valuation, bytes32 document
    );

    /// @notice A council decision gave `tokenId` to a new custodian.
    event CustodianChanged(
        uint256 indexed tokenId,
        address indexed previousCustodian,
        address indexed custodian,
        bytes32 decision
    );

    /// @notice A council decision replaced the metadata document of `tokenId`.
    event AssetMetadataChanged(uint256 indexed tokenId, bytes32 metadata, bytes32 decision);

    /// @notice A general-meeting decision pledged `tokenId` to `pledgee`.
    event AssetPledged(
        uint256 indexed tokenId,
        address indexed pledgee,
        uint256 amount,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    );

    /// @notice A council decision released the pledge on `tokenId`.
    event EncumbranceReleased(uint256 indexed tokenId, address indexed pledgee, bytes32 document);

    /// @notice A general-meeting decision sold, transferred out or wrote off `tokenId`; it left
    /// the register.
    event AssetDisposed(
        uint256 indexed tokenId,
        DisposalKind kind,
        address indexed counterparty,
        uint256 amount,
        bytes32 document,
        uint256 meetingId,
        uint8 questionIndex
    );

    /// @notice The base of every `tokenURI` changed.
    event BaseURIChanged(string baseURI);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address is zero.
    error PropertyRegistryZeroAddress();

    /// @notice A required hash is zero.
    error PropertyRegistryZeroHash();

    /// @notice Only the charter's decision executor may do this; `account` tried.
    error PropertyRegistryNotDecisionExecutor(address account);

    /// @notice `account` is not an active member.
    error PropertyRegistryNotActiveMember(address account);

    /// @notice No asset in the register has this id.
    error PropertyRegistryUnknownAsset(uint256 tokenId);

    /// @notice Assets never move by transfer: only by a general-meeting decision (`dispose`).
    error PropertyRegistryTransferForbidden();

    /// @notice Nobody may be approved to move an asset.
    error PropertyRegistryApprovalForbidden();

    /// @notice The asset is already pledged.
    error PropertyRegistryAlreadyEncumbered(uint256 tokenId);

    /// @notice The asset is not pledged.
    error PropertyRegistryNotEncumbered(uint256 tokenId);

    /// @notice The disposal names no counterparty where one is needed.
    error PropertyRegistryInvalidDisposal();

    /// @notice The executor is not a council with a general meeting: no meeting decision can be
    /// read.
    error PropertyRegistryNoGeneralMeeting();

    /// @notice Question `questionIndex` of meeting `meetingId` is not an accepted question of a
    /// held meeting with a signed protocol.
    error PropertyRegistryNotMeetingDecision(uint256 meetingId, uint8 questionIndex);

    /// @notice The question was decided by a simple majority; a disposal needs a qualified one.
    error PropertyRegistryNotQualifiedMajority(uint256 meetingId, uint8 questionIndex);

    /// @notice The question's document hash is not the commitment of this disposal.
    error PropertyRegistryDecisionMismatch(bytes32 expected, bytes32 actual);

    /// @notice The meeting decision was already used.
    error PropertyRegistryDecisionUsed(uint256 meetingId, uint8 questionIndex);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone.
    /// @param charter The cooperative's charter (decision executor, membership, treasury).
    /// @param name The collection name wallets show.
    /// @param symbol The collection symbol.
    /// @param baseURI What every `tokenURI` starts with (e.g. the gateway's `/property/`).
    function initialize(
        address charter,
        string calldata name,
        string calldata symbol,
        string calldata baseURI
    ) external;

    /// @notice Registers an asset of the cooperative (decision executor only).
    /// @param custodian The active member who keeps it.
    /// @param category What kind of property it is.
    /// @param valuation Its value by the decision.
    /// @param title Hash of the title document.
    /// @param metadata Hash of the JSON metadata document.
    /// @param decision Hash of the council decision.
    /// @return tokenId The new asset's id (sequential from 1).
    function mint(
        address custodian,
        Category category,
        uint256 valuation,
        bytes32 title,
        bytes32 metadata,
        bytes32 decision
    ) external returns (uint256 tokenId);

    /// @notice Sets a new valuation (decision executor only).
    /// @param document Hash of the valuation report or decision.
    function revalue(uint256 tokenId, uint256 valuation, bytes32 document) external;

    /// @notice Gives the asset to another active member to keep (decision executor only).
    function setCustodian(uint256 tokenId, address custodian, bytes32 decision) external;

    /// @notice Replaces the asset's metadata document (decision executor only).
    function setMetadata(uint256 tokenId, bytes32 metadata, bytes32 decision) external;

    /// @notice Records that the pledge on the asset ended (decision executor only).
    /// @param document Hash of the release document.
    function releaseEncumbrance(uint256 tokenId, bytes32 document) external;

    /// @notice Sets what every `tokenURI` starts with (decision executor only).
    function setBaseURI(string calldata baseURI) external;

    /// @notice Carries out a sale, transfer out, pledge or write-off that an accepted question
    /// of a general meeting decided by a qualified majority (its document hash:
    /// `disposalCommitment(tokenId, disposal)`). Anyone may submit it once the meeting's
    /// protocol is signed.
    function dispose(
        uint256 tokenId,
        Disposal calldata disposal,
        uint256 meetingId,
        uint8 questionIndex
    ) external;

    /// @notice Everything stored about `tokenId`.
    function asset(uint256 tokenId) external view returns (AssetInfo memory);

    /// @notice Whether `tokenId` is in the register now.
    function exists(uint256 tokenId) external view returns (bool);

    /// @notice Assets registered so far, including those disposed of (ids are 1..assetCount).
    function assetCount() external view returns (uint256);

    /// @notice Assets in the register now.
    function totalSupply() external view returns (uint256);

    /// @notice The document hash a general-meeting question must carry to dispose of `tokenId`.
    function disposalCommitment(uint256 tokenId, Disposal calldata disposal)
        external
        view
        returns (bytes32);

    /// @notice What every `tokenURI` starts with.
    function baseURI() external view returns (string memory);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The account that owns every asset: the cooperative's treasury.
    function holder() external view returns (address);
}
