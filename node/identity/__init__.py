"""Personal data of members: identity records encrypted at rest, only their hash on chain."""

from node.identity.crypto import (
    IdentityData,
    KeyRing,
    MemberIdentity,
    OrganisationData,
    identity_hash,
    load_keyring,
)

__all__ = [
    "IdentityData",
    "KeyRing",
    "MemberIdentity",
    "OrganisationData",
    "identity_hash",
    "load_keyring",
]
