"""Members' passkey accounts: WebAuthn (P-256) keys controlling ERC-1271 contract accounts."""
