// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMeetingProxies
/// @notice Proxies (доверенности) for the general meeting of one cooperative: a member (the
/// principal) lets another member (the holder) vote for them in ONE meeting. A proxy is a
/// document signed by the principal (EIP-712, or ERC-1271 for a contract wallet) whose hash is
/// carried in the proxy record and in `ProxyIssued`; it has an expiry and is revocable by the
/// principal until the holder has voted with it.
///
/// The rules (a member may vote through a representative under a доверенность, ГК РФ art.
/// 185-189, as the charter allows under 3085-1 / 41-ФЗ / 193-ФЗ; the caps are the charter's):
/// - principal and holder are two different members of the meeting's register (active at its
///   record block) and are still active members when the proxy is issued and when it is used;
///   a principal who has left (exit applied for, excluded, blocked) is represented by nobody;
/// - one live proxy per principal and meeting; a holder represents at most the charter's
///   `proxyCap()` members in one meeting (revoked proxies free their place, used ones do not);
/// - the principal may revoke it until the holder has voted with it (ГК РФ art. 188);
/// - one member, one vote: the proxy ballot is counted by the general meeting under the
///   principal's membership, so a principal who voted themselves cannot be voted for (the proxy
///   is void in practice; revoking it then is allowed and only frees the holder's place), and a
///   principal voted for cannot vote again. The holder's own ballot is separate;
/// - a proxy ballot counts the principal as present for the quorum.
interface IMeetingProxies {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Where a proxy stands.
    enum ProxyStatus {
        None,
        Active,
        Revoked,
        Used
    }

    /// @notice One principal's proxy for one meeting.
    struct ProxyInfo {
        address holder;
        uint40 expiresAt;
        ProxyStatus status;
        /// @notice Hash of the proxy document (the generated доверенность).
        bytes32 documentHash;
    }

    /// @notice The proxy a principal signs (EIP-712 type `Proxy(uint256 meetingId,address
    /// principal,address holder,uint64 expiresAt,bytes32 documentHash,uint256 nonce)`).
    struct ProxyTerms {
        uint256 meetingId;
        address principal;
        address holder;
        uint64 expiresAt;
        bytes32 documentHash;
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `principal` gave `holder` a proxy for meeting `meetingId`, valid until
    /// `expiresAt`; `documentHash` anchors the signed document.
    event ProxyIssued(
        uint256 indexed meetingId,
        address indexed principal,
        address indexed holder,
        uint64 expiresAt,
        bytes32 documentHash,
        bool bySignature
    );

    /// @notice `principal` revoked the proxy given to `holder` for meeting `meetingId`.
    event ProxyRevoked(uint256 indexed meetingId, address indexed principal, address indexed holder);

    /// @notice `holder` cast `principal`'s ballot in meeting `meetingId` (`choices` as in
    /// `IGeneralMeeting.BallotCast`).
    event ProxyBallotCast(
        uint256 indexed meetingId,
        address indexed principal,
        address indexed holder,
        uint256 choices,
        bool bySignature
    );

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A required address is zero.
    error MeetingProxiesZeroAddress();
    /// @notice The proxy's document hash is zero.
    error MeetingProxiesZeroHash();
    /// @notice The meeting does not exist or no longer takes ballots (state given).
    error MeetingProxiesMeetingNotOpen(uint256 meetingId, uint8 state);
    /// @notice `account` is not an active member of the meeting's register.
    error MeetingProxiesNotVoter(uint256 meetingId, address account);
    /// @notice A member cannot be their own proxy.
    error MeetingProxiesSelfProxy(address account);
    /// @notice The expiry has passed (or is now).
    error MeetingProxiesInvalidExpiry(uint64 expiresAt);
    /// @notice `principal` already has a live proxy for the meeting.
    error MeetingProxiesAlreadyGiven(uint256 meetingId, address principal);
    /// @notice `principal` already voted in the meeting (themselves or by proxy).
    error MeetingProxiesAlreadyVoted(uint256 meetingId, address principal);
    /// @notice `holder` already represents the charter's cap of members in the meeting.
    error MeetingProxiesCapReached(uint256 meetingId, address holder, uint256 cap);
    /// @notice `holder` holds no live proxy of `principal` for the meeting.
    error MeetingProxiesNoProxy(uint256 meetingId, address principal, address holder);
    /// @notice The proxy expired at `expiresAt`.
    error MeetingProxiesExpired(uint256 meetingId, address principal, uint64 expiresAt);
    /// @notice `principal` is no longer an active member: nobody may vote for them.
    error MeetingProxiesPrincipalLeft(uint256 meetingId, address principal);
    /// @notice Only the principal may issue or revoke their proxy directly; `account` tried.
    error MeetingProxiesNotPrincipal(address account);
    /// @notice The signature is not `signer`'s (ECDSA or ERC-1271).
    error MeetingProxiesInvalidSignature(address signer);

    /*//////////////////////////////////////////////////////////////
                               FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice One-time set-up of a fresh clone (the governance installer calls it in the
    /// creating transaction).
    /// @param charter The cooperative's charter (the proxy cap).
    /// @param membership The cooperative's membership register.
    /// @param generalMeeting The general meeting that accepts this contract's proxy ballots.
    function initialize(address charter, address membership, address generalMeeting) external;

    /// @notice The sender (the principal) gives `terms.holder` a proxy for `terms.meetingId`.
    /// `terms.principal` must be the sender.
    function issue(ProxyTerms calldata terms) external;

    /// @notice Anyone relays a proxy the principal signed (with the principal's current nonce).
    function issueBySig(ProxyTerms calldata terms, bytes calldata signature) external;

    /// @notice The sender (the principal) revokes their proxy for `meetingId`.
    function revoke(uint256 meetingId) external;

    /// @notice Anyone relays a revocation the principal signed (EIP-712 type
    /// `ProxyRevocation(uint256 meetingId,address principal,uint256 nonce)`).
    function revokeBySig(uint256 meetingId, address principal, bytes calldata signature) external;

    /// @notice The sender, holding `principal`'s proxy, casts the principal's ballot.
    function castAsProxy(uint256 meetingId, address principal, uint8[] calldata choices) external;

    /// @notice Anyone relays a proxy ballot the holder signed (EIP-712 type `ProxyBallot(uint256
    /// meetingId,address principal,address holder,uint8[] choices)`; a used proxy cannot be
    /// used again, so no nonce is needed).
    function castAsProxyBySig(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices,
        bytes calldata signature
    ) external;

    /// @notice `principal`'s proxy for `meetingId` (status None when never given).
    function proxyOf(uint256 meetingId, address principal) external view returns (ProxyInfo memory);

    /// @notice How many members `holder` represents in `meetingId` (live and used proxies).
    function representedCount(uint256 meetingId, address holder) external view returns (uint256);

    /// @notice The nonce the principal's next signed proxy or revocation must carry.
    function nonces(address principal) external view returns (uint256);

    /// @notice The EIP-712 digest of a proxy with `nonce`.
    function proxyDigest(ProxyTerms calldata terms, uint256 nonce) external view returns (bytes32);

    /// @notice The EIP-712 digest of a revocation with `nonce`.
    function revocationDigest(uint256 meetingId, address principal, uint256 nonce)
        external
        view
        returns (bytes32);

    /// @notice The EIP-712 digest of a proxy ballot.
    function proxyBallotDigest(
        uint256 meetingId,
        address principal,
        address holder,
        uint8[] calldata choices
    ) external view returns (bytes32);

    /// @notice The EIP-712 domain separator of this clone.
    function domainSeparator() external view returns (bytes32);

    /// @notice The general meeting this contract votes in.
    function generalMeeting() external view returns (address);

    /// @notice The cooperative's charter.
    function charter() external view returns (address);

    /// @notice The cooperative's membership register.
    function membership() external view returns (address);
}
