"""Settings for the `coop` commands: loaded in this one place, below `node.cli` and the
command modules alike, so that neither has to import the other.

pydantic and pydantic-settings are imported only when a command actually needs its settings:
`coop --help` and commands that read no settings (`coop clearing plan`) start without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from node.core.config import Settings


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (``overrides`` win); a bad value is a clear error, not a
    traceback."""
    from pydantic import ValidationError

    from node.core.config import Settings

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise click.ClickException("Неверная настройка / invalid setting:\n" + str(exc)) from exc
