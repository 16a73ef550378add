"""The SQL mirror of the chain: every event of the watched contracts, reorg-safe.

Design and how to add a projection: docs/indexer.md.
"""
