// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ICharter} from "./interfaces/ICharter.sol";
import {IGeneralMeeting} from "./interfaces/IGeneralMeeting.sol";
import {IMeetingProxies} from "./interfaces/IMeetingProxies.sol";
import {IMembershipView} from "./interfaces/IMembershipView.sol";
import {BoundedSignatureChecker} from "./libraries/BoundedSignatureChecker.sol";
import {CloneEIP712Domain} from "./libraries/CloneEIP712Domain.sol";

/// @title MeetingProxies
/// @notice Proxies (доверенности) for one cooperative's general meeting: issued by the principal
/// (directly or by an EIP-712 / ERC-1271 signature relayed by the node), revoked by the principal
/// until used, used once by the holder to cast the principal's ballot through the general
/// meeting's `castProxyBallot`, which only this contract may call. The rules are documented on
/// {IMeetingProxies}.
/// @dev A contract of its own so that the general meeting (near the EIP-170 limit) only gains
/// one narrow entry point. Deployed once as an implementation and used through EIP-1167 clones
/// created by the governance installer: the only immutables are the EIP-712 name and version
/// ({CloneEIP712Domain}), and the domain is computed from `address(this)` and `block.chainid`.
/// The general meeting keeps the one has-voted bit per membership: this contract never counts a
/// vote itself.
contract MeetingProxies is IMeetingProxies, CloneEIP712Domain, Initializable {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Gas an ERC-1271 wallet gets to answer for a signature the node relays (the general
    /// meeting's figure): a hostile wallet cannot burn the relayer's gas.
    uint256 private constant _ERC1271_GAS = 100_000;

    /// @dev The proxy the principal signs; the nonce makes every signature usable once (a
    /// revoked proxy cannot be revived by relaying its signature again).
    bytes32 private constant _PROXY_TYPEHASH = keccak256(
        "Proxy(uint256 meetingId,address principal,address holder,uint64 expiresAt,bytes32 documentHash,uint256 nonce)"
    );
    bytes32 private constant _REVOCATION_TYPEHASH =
        keccak256("ProxyRevocation(uint256 meetingId,address principal,uint256 nonce)");
    bytes32 private constant _PROXY_BALLOT_TYPEHASH = keccak256(
        "ProxyBallot(uint256 meetingId,address principal,address holder,uint8[] choices)"
    );

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot: holder (20 bytes), expiry (5), status (1).
    struct Proxy {
        address holder;
        uint40 expiresAt;
        ProxyStatus status;
        bytes32 documentHash;
    }

    ICharter private _charter;
    IMembershipView private _membership;
    IGeneralMeeting private _meeting;

    mapping(uint256 meetingId => mapping(address principal => Proxy)) private _proxies;
    mapping(uint256 meetingId => mapping(address holder => uint256 count)) private _represented;
    mapping(address principal => uint256 nonce) private _nonces;

    /*//////////////////////////////////////////////////////////////
                               INITIALISER
    //////////////////////////////////////////////////////////////*/

    constructor() CloneEIP712Domain("Coopnode MeetingProxies", "1") {
        _disableInitializers();
    }

    /// @inheritdoc IMeetingProxies
    function initialize(address charter_, address membership_, address generalMeeting_)
        external
        initializer
    {
        if (
            charter_ == address(0) || membership_ == address(0) || generalMeeting_ == address(0)
        ) revert MeetingProxiesZeroAddress();
        _charter = ICharter(charter_);
        _membership = IMembershipView(membership_);
        _meeting = IGeneralMeeting(generalMeeting_);
    }

    /*//////////////////////////////////////////////////////////////
                          ISSUING AND REVOKING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMeetingProxies
    function issue(ProxyTerms calldata terms) external {
        if (terms.principal != msg.sender) revert MeetingProxiesNotPrincipal(msg.sender);
        _useNonce(msg.sender);
        _issue(terms, false);
    }

    /// @inheritdoc IMeetingProxies
    function issueBySig(ProxyTerms calldata terms, bytes calldata signature) external {
        bytes32 digest = _proxyDigest(terms, _useNonce(terms.principal));
        _checkSignature(terms.principal, digest, signature);
        _issue(terms, true);
    }

    /// @inheritdoc IMeetingProxies
    function revoke(uint256 meetingId) external {
        _useNonce(msg.sender);
        _revoke(meetingId, msg.sender);
    }

    /// @inheritdoc IMeetingProxies
    function revokeBySig(uint256 meetingId, address principal, bytes calldata signature)
        external
    {
        bytes32 digest = _revocationDigest(meetingId, principal, _useNonce(principal));
        _checkSignature(principal, digest, signature);
        _revoke(meetingId, principal);
    }

    /*//////////////////////////////////////////////////////////////
                               PROXY BALLOTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMeetingProxies
    function castAsProxy(uint256 meetingId, address principal, uint8[] calldata choices)
        external
    {
        _cast(meetingId, principal, msg.sender, choices, false);
    }

    /// @inheritdoc IMeetingProxies
    function castAsProxyBySig(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices,
        bytes calldata signature
    ) external {
        _checkSignature(holder, _proxyBallotDigest(meetingId, principal, holder, choices), signature);
        _cast(meetingId, principal, holder, choices, true);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IMeetingProxies
    function proxyOf(uint256 meetingId, address principal)
        external
        view
        returns (ProxyInfo memory)
    {
        Proxy memory p = _proxies[meetingId][principal];
        return ProxyInfo({
            holder: p.holder,
            expiresAt: p.expiresAt,
            status: p.status,
            documentHash: p.documentHash
        });
    }

    /// @inheritdoc IMeetingProxies
    function representedCount(uint256 meetingId, address holder) external view returns (uint256) {
        return _represented[meetingId][holder];
    }

    /// @inheritdoc IMeetingProxies
    function nonces(address principal) external view returns (uint256) {
        return _nonces[principal];
    }

    /// @inheritdoc IMeetingProxies
    function proxyDigest(ProxyTerms calldata terms, uint256 nonce) external view returns (bytes32) {
        return _proxyDigest(terms, nonce);
    }

    /// @inheritdoc IMeetingProxies
    function revocationDigest(uint256 meetingId, address principal, uint256 nonce)
        external
        view
        returns (bytes32)
    {
        return _revocationDigest(meetingId, principal, nonce);
    }

    /// @inheritdoc IMeetingProxies
    function proxyBallotDigest(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices
    ) external view returns (bytes32) {
        return _proxyBallotDigest(meetingId, principal, holder, choices);
    }

    /// @inheritdoc IMeetingProxies
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @inheritdoc IMeetingProxies
    function generalMeeting() external view returns (address) {
        return address(_meeting);
    }

    /// @inheritdoc IMeetingProxies
    function charter() external view returns (address) {
        return address(_charter);
    }

    /// @inheritdoc IMeetingProxies
    function membership() external view returns (address) {
        return address(_membership);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks the terms against the meeting, the register and the cap, and stores the proxy.
    function _issue(ProxyTerms calldata terms, bool bySig) private {
        uint256 meetingId = terms.meetingId;
        address principal = terms.principal;
        address holder = terms.holder;
        if (holder == address(0)) revert MeetingProxiesZeroAddress();
        if (terms.documentHash == bytes32(0)) revert MeetingProxiesZeroHash();
        if (holder == principal) revert MeetingProxiesSelfProxy(principal);
        if (terms.expiresAt <= block.timestamp || terms.expiresAt > type(uint40).max) {
            revert MeetingProxiesInvalidExpiry(terms.expiresAt);
        }
        IGeneralMeeting.MeetingInfo memory info = _meeting.meeting(meetingId);
        if (
            info.state != IGeneralMeeting.MeetingState.Scheduled
                && info.state != IGeneralMeeting.MeetingState.Open
        ) revert MeetingProxiesMeetingNotOpen(meetingId, uint8(info.state));
        _checkVoter(meetingId, info.recordBlock, principal);
        _checkVoter(meetingId, info.recordBlock, holder);
        if (_meeting.hasVoted(meetingId, principal)) {
            revert MeetingProxiesAlreadyVoted(meetingId, principal);
        }
        Proxy storage p = _proxies[meetingId][principal];
        ProxyStatus status = p.status;
        if (status == ProxyStatus.Active) revert MeetingProxiesAlreadyGiven(meetingId, principal);
        if (status == ProxyStatus.Used) revert MeetingProxiesAlreadyVoted(meetingId, principal);
        uint256 count = _represented[meetingId][holder];
        uint256 cap = _charter.proxyCap();
        if (count >= cap) revert MeetingProxiesCapReached(meetingId, holder, cap);
        _represented[meetingId][holder] = count + 1;
        p.holder = holder;
        p.expiresAt = uint40(terms.expiresAt);
        p.status = ProxyStatus.Active;
        p.documentHash = terms.documentHash;
        emit ProxyIssued(meetingId, principal, holder, terms.expiresAt, terms.documentHash, bySig);
    }

    function _revoke(uint256 meetingId, address principal) private {
        Proxy storage p = _proxies[meetingId][principal];
        ProxyStatus status = p.status;
        address holder = p.holder;
        if (status == ProxyStatus.Used) revert MeetingProxiesAlreadyVoted(meetingId, principal);
        if (status != ProxyStatus.Active) revert MeetingProxiesNoProxy(meetingId, principal, holder);
        p.status = ProxyStatus.Revoked;
        // Cannot underflow: an active proxy was counted when it was issued.
        unchecked {
            _represented[meetingId][holder] -= 1;
        }
        emit ProxyRevoked(meetingId, principal, holder);
    }

    /// @dev Uses the proxy and has the general meeting count the principal's ballot (it checks
    /// that the meeting is open, the choices and that the membership has not voted yet).
    function _cast(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices,
        bool bySig
    ) private {
        Proxy storage p = _proxies[meetingId][principal];
        if (p.status != ProxyStatus.Active || p.holder != holder) {
            revert MeetingProxiesNoProxy(meetingId, principal, holder);
        }
        uint40 expiresAt = p.expiresAt;
        if (block.timestamp >= expiresAt) revert MeetingProxiesExpired(meetingId, principal, expiresAt);
        if (!_membership.isActiveMember(principal)) {
            revert MeetingProxiesPrincipalLeft(meetingId, principal);
        }
        if (!_membership.isActiveMember(holder)) revert MeetingProxiesNotVoter(meetingId, holder);
        p.status = ProxyStatus.Used;
        _meeting.castProxyBallot(meetingId, principal, choices);
        uint256 packed;
        for (uint256 i; i < choices.length; ++i) {
            packed |= uint256(choices[i]) << (2 * i);
        }
        emit ProxyBallotCast(meetingId, principal, holder, packed, bySig);
    }

    /// @dev Reverts unless `account` is in the meeting's register and an active member now.
    function _checkVoter(uint256 meetingId, uint256 recordBlock, address account) private view {
        if (
            _membership.voterIndexAt(account, recordBlock) == 0
                || !_membership.isActiveMember(account)
        ) revert MeetingProxiesNotVoter(meetingId, account);
    }

    function _checkSignature(address signer, bytes32 digest, bytes calldata signature)
        private
        view
    {
        if (!BoundedSignatureChecker.isValidSignatureNow(signer, digest, signature, _ERC1271_GAS)) {
            revert MeetingProxiesInvalidSignature(signer);
        }
    }

    function _useNonce(address principal) private returns (uint256 nonce) {
        nonce = _nonces[principal];
        // Cannot overflow: one increment per transaction.
        unchecked {
            _nonces[principal] = nonce + 1;
        }
    }

    function _proxyDigest(ProxyTerms calldata terms, uint256 nonce)
        private
        view
        returns (bytes32)
    {
        return _hashTypedData(
            keccak256(
                abi.encode(
                    _PROXY_TYPEHASH,
                    terms.meetingId,
                    terms.principal,
                    terms.holder,
                    terms.expiresAt,
                    terms.documentHash,
                    nonce
                )
            )
        );
    }

    function _revocationDigest(uint256 meetingId, address principal, uint256 nonce)
        private
        view
        returns (bytes32)
    {
        return _hashTypedData(
            keccak256(abi.encode(_REVOCATION_TYPEHASH, meetingId, principal, nonce))
        );
    }

    function _proxyBallotDigest(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices
    ) private view returns (bytes32) {
        return _hashTypedData(
            keccak256(
                abi.encode(
                    _PROXY_BALLOT_TYPEHASH,
                    meetingId,
                    principal,
                    holder,
                    keccak256(abi.encodePacked(choices))
                )
            )
        );
    }
}
