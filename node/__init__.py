"""Coopnode: the Python node of a blockchain-anchored digital cooperative."""

__version__ = "0.1.0"
