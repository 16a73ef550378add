"""The network's cooperatives and their configuration.

`NetworkRegistry.CooperativeRegistered` gives a cooperative's name, kind, charter document,
chair and whole contract set (one `coop_cooperative` row). Configuration changes of the
charter (chair, decision executor, charter document, fees, fund split, roles) and of the
membership register (obligation sources) become `coop_config_event` rows; the current value of
a setting is its latest row.
"""

from __future__ import annotations

from indexer.models import ConfigEvent, Cooperative
from indexer.projections import Event, ProjectionContext, projection
from indexer.projections._domain import add, register_cooperative


@projection("CooperativeRegistered", tables=(Cooperative,), name="registry.cooperatives")
def cooperative_registered(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    contracts = a["contracts"]
    row = {
        "network_registry": event.address,
        "coop_id": event.int("id"),
        "charter": a["charter"],
        "kind": int(a["kind"]),
        "name": a["name"],
        "charter_document": a["charterDocument"],
        "chair": a["chair"],
        "membership": contracts["membership"],
        "shares": contracts["shares"],
        "treasury": contracts["treasury"],
        "documents": contracts["documents"],
        "settlement_units": contracts["settlementUnits"],
    }
    add(ctx, Cooperative, event, **row)
    register_cooperative(ctx, row)


@projection(
    "ChairChanged",
    "DecisionExecutorChanged",
    "CharterDocumentChanged",
    "FeesChanged",
    "FundSplitChanged",
    "RolesChanged",
    "AuditorChanged",
    "ObligationSourceAdded",
    "ObligationSourceRemoved",
    tables=(ConfigEvent,),
    name="registry.config",
)
def configuration_changed(ctx: ProjectionContext, event: Event) -> None:
    a = event.args
    name = event.name
    values: dict[str, object]
    if name == "ChairChanged":
        values = {"action": "chair", "account": a["newChair"], "previous": a["previousChair"]}
    elif name == "DecisionExecutorChanged":
        values = {
            "action": "executor",
            "account": a["newExecutor"],
            "previous": a["previousExecutor"],
        }
    elif name == "CharterDocumentChanged":
        values = {
            "action": "charter_document",
            "value": a["newDocument"],
            "previous": a["previousDocument"],
        }
    elif name == "FeesChanged":
        values = {
            "action": "fees",
            "number": int(a["kind"]),
            "entrance_fee": a["entranceFee"],
            "minimum_share": a["minimumShare"],
        }
    elif name == "FundSplitChanged":
        values = {"action": "fund_split", "value": ",".join(a["basisPoints"])}
    elif name == "RolesChanged":
        values = {"action": "roles", "account": a["account"], "number": int(a["roles"])}
    elif name == "AuditorChanged":
        values = {"action": "auditor", "account": a["account"], "number": int(a["appointed"])}
    elif name == "ObligationSourceAdded":
        values = {"action": "obligation_source_added", "account": a["source"]}
    else:
        values = {"action": "obligation_source_removed", "account": a["source"]}
    add(ctx, ConfigEvent, event, contract=event.address, **values)
