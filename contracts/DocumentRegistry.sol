// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IDocumentRegistry} from "./interfaces/IDocumentRegistry.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {CloneArgs} from "./libraries/CloneArgs.sol";
import {CloneEIP712} from "./libraries/CloneEIP712.sol";

/// @title DocumentRegistry
/// @notice A cooperative's register of document hashes, versions and signatures; see
/// {IDocumentRegistry}.
/// @dev Runs as an EIP-1167 clone whose immutable arguments are `charter, membership`
/// (20 bytes each).
contract DocumentRegistry is IDocumentRegistry {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type of a document signature.
    bytes32 public constant SIGNATURE_TYPEHASH = keccak256("DocumentSignature(bytes32 document)");

    string private constant _NAME = "Coopnode Documents";
    string private constant _VERSION = "1";
    bytes32 private constant _HASHED_NAME = keccak256(bytes(_NAME));
    bytes32 private constant _HASHED_VERSION = keccak256(bytes(_VERSION));

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

    /// @inheritdoc IDocumentRegistry
    function anchor(bytes32 document, DocumentType documentType, bytes32 replaces) external {
        if (document == bytes32(0)) revert DocumentRegistryZeroHash();
        if (
            !IMembershipView(CloneArgs.addressAt(20)).isActiveMember(msg.sender)
                && !ICharter(CloneArgs.addressAt(0)).isOfficer(msg.sender)
        ) revert DocumentRegistryNotAuthorized(msg.sender);
        if (_documents[document].anchoredBy != address(0)) {
            revert DocumentRegistryAlreadyAnchored(document);
        }
        if (replaces != bytes32(0)) {
            Document storage previous = _documents[replaces];
            if (previous.anchoredBy == address(0)) revert DocumentRegistryUnknownDocument(replaces);
            if (previous.documentType != documentType) {
                revert DocumentRegistryTypeMismatch(previous.documentType, documentType);
            }
            bytes32 next = _next[replaces];
            if (next != bytes32(0)) revert DocumentRegistryAlreadyReplaced(replaces, next);
            _next[replaces] = document;
            _previous[document] = replaces;
        }
        _documents[document] = Document({
            anchoredBy: msg.sender,
            anchoredAt: uint48(block.timestamp),
            documentType: documentType,
            signatureCount: 0
        });
        emit DocumentAnchored(document, documentType, msg.sender, replaces);
    }

    /// @inheritdoc IDocumentRegistry
    function sign(bytes32 document) external {
        _sign(document, msg.sender);
    }

    /// @inheritdoc IDocumentRegistry
    function signWithSig(bytes32 document, address signer, bytes calldata signature) external {
        bytes32 digest = CloneEIP712.hashTypedData(
            _HASHED_NAME, _HASHED_VERSION, keccak256(abi.encode(SIGNATURE_TYPEHASH, document))
        );
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
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
        return CloneEIP712.domainSeparator(_HASHED_NAME, _HASHED_VERSION);
    }

    /// @inheritdoc IERC5267
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", _NAME, _VERSION, block.chainid, address(this), bytes32(0), extensions);
    }

    /// @inheritdoc IDocumentRegistry
    function charter() external view returns (address) {
        return CloneArgs.addressAt(0);
    }

    /*//////////////////////////////////////////////////////////////
                               INTERNALS
    //////////////////////////////////////////////////////////////*/

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
