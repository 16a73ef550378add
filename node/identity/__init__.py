"""Personal data of members: identity records encrypted at rest, only their hash on chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): importing node.identity.cli for `coop --help` must not load
    # cryptography and pydantic; `from node.identity import KeyRing` works as before.
    if name in __all__:
        from node.identity import crypto

        return getattr(crypto, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
