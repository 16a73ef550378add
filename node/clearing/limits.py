"""Constants of the clearing shared by the engine and the command line (no imports: the CLI
reads them to build its options without loading the engine)."""

#: Most entries in one clearing transaction (a single longer cycle is the only exception).
DEFAULT_MAX_PER_CHUNK = 150
