// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICharter} from "./interfaces/ICharter.sol";
import {ICouncil} from "./interfaces/ICouncil.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {CloneEIP712Domain} from "./libraries/CloneEIP712Domain.sol";

/// @title DocumentRegistry
/// @notice A cooperative's register of document hashes, versions and signatures; see
/// {IDocumentRegistry}.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are `charter, membership`
/// (20 bytes each).
contract DocumentRegistry is IDocumentRegistry, CloneEIP712Domain {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type of a document signature.
    /// It names the signer: a signature verifies for that signer only, so one made for an account
    /// (a key) cannot be replayed for another account the same key controls (an ERC-1271 wallet).
    bytes32 public constant SIGNATURE_TYPEHASH =
        keccak256("DocumentSignature(address signer,bytes32 document)");


    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    mapping(bytes32 document => Document) private _documents;
    mapping(bytes32 document => bytes32 previous) private _previous;
    mapping(bytes32 document => bytes32 next) private _next;
    mapping(bytes32 document => mapping(uint256 index => Signature)) private _signatures;
    mapping(bytes32 document => mapping(address signer => uint48 signedAt)) private _signedAt;

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    constructor() CloneEIP712Domain("Coopnode Documents", "1") {}

    /// @inheritdoc IDocumentRegistry
    function anchor(bytes32 document, DocumentType documentType, bytes32 replaces) external {
        if (document == bytes32(0)) revert DocumentRegistryZeroHash();
        bool official = _isOfficial(documentType);
        // Asked once, and only when it matters (official types, someone else's versions): the
        // member anchoring their own contract pays nothing more.
        bool officer;
        if (official) {
            if (!_isOfficer(msg.sender)) revert DocumentRegistryNotOfficer(msg.sender, documentType);
            officer = true;
        } else if (
            !IMembershipView(CloneArgs.addressAt(20)).isActiveMember(msg.sender)
                && !ICharter(CloneArgs.addressAt(0)).isOfficer(msg.sender)
        ) {
            revert DocumentRegistryNotAuthorized(msg.sender);
        }
        Document storage record = _documents[document];
        address firstAnchorer = record.anchoredBy;
        if (firstAnchorer != address(0)) {
            // An official anchor takes the hash over from an unofficial record: whoever saw the
            // officer's pending transaction and anchored the hash first, as another type,
            // neither blocks nor relabels the official document.
            if (!official || _isOfficial(record.documentType)) {
                revert DocumentRegistryAlreadyAnchored(document);
            }
            DocumentType firstType = record.documentType;
            _unlinkVersions(document);
            emit DocumentReclaimed(document, firstAnchorer, firstType);
        }
        if (replaces != bytes32(0)) {
            Document storage previous = _documents[replaces];
            address previousAnchorer = previous.anchoredBy;
            if (previousAnchorer == address(0)) revert DocumentRegistryUnknownDocument(replaces);
            if (previous.documentType != documentType) {
                revert DocumentRegistryTypeMismatch(previous.documentType, documentType);
            }
            if (previousAnchorer != msg.sender && !officer && !_isOfficer(msg.sender)) {
                revert DocumentRegistryNotVersionAuthor(replaces, msg.sender);
            }
            bytes32 next = _next[replaces];
            if (next != bytes32(0)) revert DocumentRegistryAlreadyReplaced(replaces, next);
            _next[replaces] = document;
            _previous[document] = replaces;
        }
        // A reclaimed record keeps its signatures: they are of the hash, whatever its label.
        _documents[document] = Document({
            anchoredBy: msg.sender,
            anchoredAt: uint48(block.timestamp),
            documentType: documentType,
            signatureCount: record.signatureCount
        });
        emit DocumentAnchored(document, documentType, msg.sender, replaces);
    }

    /// @inheritdoc IDocumentRegistry
    function sign(bytes32 document) external {
        _sign(document, msg.sender);
    }

    /// @inheritdoc IDocumentRegistry
    function signWithSig(bytes32 document, address signer, bytes calldata signature) external {
        bytes32 digest =
            _hashTypedData(keccak256(abi.encode(SIGNATURE_TYPEHASH, signer, document)));
        if (!_isValidSignature(signer, digest, signature)) {
            revert DocumentRegistryInvalidSignature(document, signer);
        }
        _sign(document, signer);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDocumentRegistry
    function documentOf(bytes32 document) external view returns (Document memory) {
        return _documents[document];
    }

    /// @inheritdoc IDocumentRegistry
    function previousVersion(bytes32 document) external view returns (bytes32) {
        return _previous[document];
    }

    /// @inheritdoc IDocumentRegistry
    function nextVersion(bytes32 document) external view returns (bytes32) {
        return _next[document];
    }

    /// @inheritdoc IDocumentRegistry
    function currentVersion(bytes32 document) external view returns (bytes32 current) {
        if (_documents[document].anchoredBy == address(0)) {
            revert DocumentRegistryUnknownDocument(document);
        }
        current = document;
        for (bytes32 next = _next[current]; next != bytes32(0); next = _next[current]) {
            current = next;
        }
    }

    /// @inheritdoc IDocumentRegistry
    function signatureAt(bytes32 document, uint256 index) external view returns (Signature memory) {
        if (index >= _documents[document].signatureCount) {
            revert DocumentRegistryNoSuchSignature(document, index);
        }
        return _signatures[document][index];
    }

    /// @inheritdoc IDocumentRegistry
    function signaturesOf(bytes32 document) external view returns (Signature[] memory signatures) {
        uint256 count = _documents[document].signatureCount;
        signatures = new Signature[](count);
        for (uint256 i = 0; i < count; ++i) {
            signatures[i] = _signatures[document][i];
        }
    }

    /// @inheritdoc IDocumentRegistry
    function signedAt(bytes32 document, address signer) external view returns (uint48) {
        return _signedAt[document][signer];
    }

    /// @inheritdoc IDocumentRegistry
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IDocumentRegistry
    function charter() external view returns (address) {
        return CloneArgs.addressAt(0);
    }

    /// @inheritdoc IDocumentRegistry
    function isOfficer(address account) external view returns (bool) {
        return _isOfficer(account);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Council decisions, meeting protocols and the charter: the documents money and
    /// governance rely on (a payout needs a council decision or meeting protocol).
    function _isOfficial(DocumentType documentType) private pure returns (bool) {
        return documentType == DocumentType.CouncilDecision
            || documentType == DocumentType.MeetingProtocol || documentType == DocumentType.Charter;
    }

    /// @dev Who may anchor official documents and version anyone's: the chair, the decision
    /// executor and, when the executor is the Council contract, its sitting members and its
    /// general meeting. Another contract as executor (a multisig) answers neither question and
    /// adds no officer; cashiers and verifiers are not officers here.
    function _isOfficer(address account) private view returns (bool) {
        ICharter charter_ = ICharter(CloneArgs.addressAt(0));
        if (account == charter_.chair()) return true;
        address executor = charter_.decisionExecutor();
        if (account == executor) return true;
        if (executor.code.length == 0) return false;
        (bool ok, bytes memory data) =
            executor.staticcall(abi.encodeCall(ICouncil.isCouncilMember, (account)));
        if (ok && data.length == 32 && abi.decode(data, (bool))) return true;
        (ok, data) = executor.staticcall(abi.encodeCall(ICouncil.generalMeeting, ()));
        return ok && data.length == 32 && abi.decode(data, (address)) == account;
    }

    /// @dev Drops the version links an unofficial record of `document` had (both ways), before
    /// an official anchor takes it over: the versions someone else chained to it are not the
    /// official document's.
    function _unlinkVersions(bytes32 document) private {
        bytes32 previous = _previous[document];
        if (previous != bytes32(0)) {
            delete _next[previous];
            delete _previous[document];
        }
        bytes32 next = _next[document];
        if (next != bytes32(0)) {
            delete _previous[next];
            delete _next[document];
        }
    }

    function _sign(bytes32 document, address signer) private {
        Document storage record = _documents[document];
        if (record.anchoredBy == address(0)) revert DocumentRegistryUnknownDocument(document);
        if (_signedAt[document][signer] != 0) revert DocumentRegistryAlreadySigned(document, signer);
        uint32 index = record.signatureCount;
        uint48 now_ = uint48(block.timestamp);
        _signatures[document][index] = Signature({signer: signer, signedAt: now_});
        _signedAt[document][signer] = now_;
        record.signatureCount = index + 1;
        emit DocumentSigned(document, signer, msg.sender);
    }
}
