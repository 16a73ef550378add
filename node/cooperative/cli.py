"""`coop deploy <description-file>`: deploy a cooperative from a YAML/JSON description."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("deploy")
@click.argument("description_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--rpc-url",
    envvar="COOP_RPC_URL",
    default=None,
    help="JSON-RPC узла / JSON-RPC endpoint (env COOP_RPC_URL; default: the local anvil).",
)
@click.option(
    "--key",
    envvar="COOP_DEPLOYER_KEY",
    default=None,
    help="Ключ развёртывающего / deployer private key (env COOP_DEPLOYER_KEY).",
)
@click.option(
    "--record",
    "record_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "Запись о развёртывании для coop serve / the deployment record `coop serve` reads "
        "(e.g. data/deployment.json): extended, saved after every step, resumed on a rerun."
    ),
)
def deploy(
    description_file: Path, rpc_url: str | None, key: str | None, record_path: Path | None
) -> None:
    """Развернуть кооператив по описанию / Deploy a cooperative from its description.

    Without --record: the factory's set only (and the fund and governance when the
    description has `fund:` / `governance:`), printed as JSON. With --record: the same,
    written to the record that `coop serve` reads; a rerun finishes an interrupted deployment.
    """
    # Imported here, not at module level: `coop --help` and the other commands must not pay
    # for web3 and pydantic (see node/cli.py).
    from node.chain.artifacts import Artifacts, ArtifactsError
    from node.chain.client import Chain, ChainError, TransactionReverted, account_from_key
    from node.chain.deployment import DeploymentError
    from node.cooperative.deploy import deploy_cooperative
    from node.cooperative.description import DescriptionError, load_description
    from node.cooperative.install import deploy_from_description
    from node.core.config import Settings
    from node.fund.deploy import FundDeployError
    from node.governance.deploy import GovernanceDeployError

    try:
        overrides: dict[str, str] = {}
        if rpc_url:
            overrides["rpc_url"] = rpc_url
        if key:
            overrides["deployer_key"] = key
        settings = Settings(**overrides)  # type: ignore[arg-type]
        description = load_description(description_file)
        chain = Chain(settings.effective_rpc_url, Artifacts(settings.artifacts_path))
        chain.wait_ready(timeout=10)
        sender = account_from_key(settings.effective_deployer_key)
        if record_path is None and description.governance is None and description.fund is None:
            result = deploy_cooperative(chain, sender, description)
        else:
            result = deploy_from_description(chain, sender, description, record_path)
    except DescriptionError as exc:
        raise click.ClickException(str(exc)) from exc
    except ArtifactsError as exc:
        raise click.ClickException(
            f"контракты не скомпилированы / contracts not compiled: {exc}"
        ) from exc
    except ChainError as exc:
        raise click.ClickException(f"узел недоступен / chain unreachable: {exc}") from exc
    except TransactionReverted as exc:
        raise click.ClickException(
            f"транзакция отклонена / transaction refused: {exc.error}{exc.error_args or ''}"
        ) from exc
    except (DeploymentError, FundDeployError, GovernanceDeployError) as exc:
        raise click.ClickException(f"развёртывание / deployment: {exc}") from exc
    except ValueError as exc:
        raise click.ClickException(f"ошибка настроек / settings error: {exc}") from exc
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
