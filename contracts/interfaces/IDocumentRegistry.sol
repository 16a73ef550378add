// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

/// @title IDocumentRegistry
/// @notice A cooperative's register of legally meaningful documents: the hash of each, its type,
/// the document it replaces, and who signed it when. A signature is either the signer's own
/// transaction or an EIP-712 signature (ERC-1271 for contract wallets) that anyone may submit.
/// Active members and charter office holders anchor; only officers (the chair, the decision
/// executor, the Council's members and its general meeting) anchor official documents (council
/// decisions, meeting protocols, the charter), and an official anchor takes over a hash someone
/// anchored first as another type. Only the first version's anchorer or an officer adds a
/// version. Anyone may sign; the signature names the signer.
interface IDocumentRegistry is IERC5267 {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice What a document is.
    enum DocumentType {
        Application,
        Exit,
        CouncilDecision,
        MeetingProtocol,
        Charter,
        Contract,
        Payment,
        Other
    }

    /// @notice One anchored document, packed in one storage slot.
    struct Document {
        /// @notice Who anchored it.
        address anchoredBy;
        /// @notice When (unix seconds).
        uint48 anchoredAt;
        /// @notice What it is.
        DocumentType documentType;
        /// @notice How many signatures it has.
        uint32 signatureCount;
    }

    /// @notice One signature of a document.
    struct Signature {
        /// @notice Who signed.
        address signer;
        /// @notice When (unix seconds).
        uint48 signedAt;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only active members and officers may anchor documents.
    error DocumentRegistryNotAuthorized(address account);
    /// @notice Only officers (chair, decision executor, council members, the general meeting)
    /// anchor council decisions, meeting protocols and the charter.
    error DocumentRegistryNotOfficer(address account, DocumentType documentType);
    /// @notice Only the anchorer of `replaces` or an officer may register its new version.
    error DocumentRegistryNotVersionAuthor(bytes32 replaces, address account);
    /// @notice The document hash is zero.
    error DocumentRegistryZeroHash();
    /// @notice The document is already anchored.
    error DocumentRegistryAlreadyAnchored(bytes32 document);
    /// @notice The document is not anchored.
    error DocumentRegistryUnknownDocument(bytes32 document);
    /// @notice The replaced document already has a newer version.
    error DocumentRegistryAlreadyReplaced(bytes32 document, bytes32 replacedBy);
    /// @notice A new version must have the type of the document it replaces.
    error DocumentRegistryTypeMismatch(DocumentType expected, DocumentType actual);
    /// @notice The signer already signed this document.
    error DocumentRegistryAlreadySigned(bytes32 document, address signer);
    /// @notice The signature is not `signer`'s for this registry on this chain.
    error DocumentRegistryInvalidSignature(bytes32 document, address signer);
    /// @notice There is no signature at this index.
    error DocumentRegistryNoSuchSignature(bytes32 document, uint256 index);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `document` was anchored; `replaces` is the previous version (zero if none).
    event DocumentAnchored(
        bytes32 indexed document,
        DocumentType documentType,
        address indexed anchoredBy,
        bytes32 indexed replaces
    );
    /// @notice An officer's official anchor took `document` over from `firstAnchorer`, who had
    /// anchored it as `firstType` (its version links were dropped; its signatures stay).
    event DocumentReclaimed(
        bytes32 indexed document, address indexed firstAnchorer, DocumentType firstType
    );
    /// @notice `signer` signed `document` (`submitter` sent the transaction).
    event DocumentSigned(bytes32 indexed document, address indexed signer, address submitter);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Anchors `document` of `documentType`, as a new version of `replaces` (zero if none).
    function anchor(bytes32 document, DocumentType documentType, bytes32 replaces) external;

    /// @notice The sender signs an anchored document.
    function sign(bytes32 document) external;

    /// @notice Records `signer`'s EIP-712 (or ERC-1271) signature of an anchored document: a
    /// `DocumentSignature(address signer,bytes32 document)` that names `signer`.
    function signWithSig(bytes32 document, address signer, bytes calldata signature) external;

    /// @notice The record of `document` (zero `anchoredBy` if not anchored).
    function documentOf(bytes32 document) external view returns (Document memory);

    /// @notice The document `document` replaces (zero if none).
    function previousVersion(bytes32 document) external view returns (bytes32);

    /// @notice The document that replaced `document` (zero if it is current).
    function nextVersion(bytes32 document) external view returns (bytes32);

    /// @notice The current version of the document chain `document` belongs to.
    function currentVersion(bytes32 document) external view returns (bytes32);

    /// @notice The `index`-th signature of `document`.
    function signatureAt(bytes32 document, uint256 index) external view returns (Signature memory);

    /// @notice Every signature of `document`, in signing order.
    function signaturesOf(bytes32 document) external view returns (Signature[] memory);

    /// @notice When `signer` signed `document` (0 if not).
    function signedAt(bytes32 document, address signer) external view returns (uint48);

    /// @notice The EIP-712 domain separator of this contract (bound to its address and chain).
    function domainSeparator() external view returns (bytes32);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice Whether `account` is an officer here: the chair, the decision executor, or (when
    /// the executor is the Council) a sitting council member or the general meeting.
    function isOfficer(address account) external view returns (bool);
}
