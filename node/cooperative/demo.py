"""The demo network that `make run` deploys on a fresh local chain.

Anvil's ten development accounts play every part:

- 0: the deployer, and the decision executor of every cooperative until the council contract
  takes over;
- 1: chair of «Ромашка»; 2, 3, 4: its council (3 is also its cashier);
- 5, 6: individual members of «Ромашка» (5 applies by its own wallet and pays in tokens,
  6 applies by a signed application a relayer submits and pays by bank);
- 7: an organisation member of «Ромашка»;
- 8: chair of «Лесная артель» (5 and 6 sit on its council with it); 9: chair of the union
  «Союз кооперативов» (the chairs of its member cooperatives, 1 and 8, sit on its council);
- 10 (the 11th key of the same mnemonic, `node.chain.devkeys.demo_auditor`, not funded): the
  auditor of «Ромашка», appointed by a decision (`Charter.setAuditor`), so the auditor's portal
  pages work with no `COOP_AUDITORS` set.

The union's members are the two cooperatives, joined through their treasuries by decisions
signed by their chairs.

«Ромашка» then shows the rest of the system: its members trade in ВРЕ and leave a cycle of
accepted invoices open for `coop clearing run`; it gets a mutual-aid fund and a property
register; and finally its council contract takes over as the decision executor, so from then on
admissions, payouts and loans go through council votes.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.bank.install import install_bank_settlements
from node.chain.client import Chain
from node.chain.devkeys import demo_auditor, dev_accounts
from node.cooperative.client import (
    CooperativeKind,
    MemberKind,
)
from node.cooperative.deploy import (
    CooperativeParams,
    create_cooperative,
    deploy_network,
    deploy_test_token,
)
from node.cooperative.union import join_union
from node.fund.deploy import deploy_fund_and_property
from node.governance.deploy import GovernanceParams, deploy_governance, deploy_installer
from node.units.client import SettlementUnitsClient

TOKEN = 10**18


def _h(label: str) -> bytes:
    return keccak(text=label)


def _params(
    name: str,
    symbol: str,
    kind: CooperativeKind,
    token: str,
    chair: LocalAccount,
    executor: LocalAccount,
    council: list[LocalAccount],
    cashiers: list[LocalAccount],
) -> CooperativeParams:
    return CooperativeParams(
        name=name,
        symbol=symbol,
        kind=kind,
        payment_token=token,
        council=[a.address for a in council],
        chair=chair.address,
        decision_executor=executor.address,
        charter_document=_h(f"Устав: {name}"),
        individual_fees=(100 * TOKEN, 1_000 * TOKEN),
        organisation_fees=(1_000 * TOKEN, 5_000 * TOKEN),
        fund_split_bps=[0, 5_000, 2_500, 2_500],
        cashiers=[a.address for a in cashiers],
        verifiers=[],
        default_credit_limit=500 * TOKEN,
    )


def deploy_demo(chain: Chain, deployer: LocalAccount) -> dict[str, Any]:
    """Deploy the demo set and return a JSON-serialisable record of what was deployed."""
    acc = dev_accounts(10)
    executor = deployer
    network = deploy_network(chain, deployer)
    # One passkey account factory per chain, shared by every cooperative on it: a person's
    # passkey account may be a member of several (docs/security.md, "Passkey accounts").
    passkey_factory, _ = chain.deploy("PasskeyAccountFactory", sender=deployer)
    token_address = deploy_test_token(chain, deployer)
    token = chain.contract("TestToken", token_address)
    for account in acc:
        chain.transact(token.functions.mint(account.address, 1_000_000 * TOKEN), deployer)

    romashka, _ = create_cooperative(
        chain,
        deployer,
        network.factory,
        _params(
            "Потребительский кооператив «Ромашка»",
            "ROMA",
            CooperativeKind.CONSUMER,
            token_address,
            acc[1],
            executor,
            [acc[2], acc[3], acc[4]],
            [acc[3]],
        ),
    )
    artel, _ = create_cooperative(
        chain,
        deployer,
        network.factory,
        _params(
            "Производственный кооператив «Лесная артель»",
            "LES",
            CooperativeKind.PRODUCTION,
            token_address,
            acc[8],
            executor,
            [acc[8], acc[5], acc[6]],
            [],
        ),
    )
    union, _ = create_cooperative(
        chain,
        deployer,
        network.factory,
        _params(
            "Союз кооперативов",
            "UNION",
            CooperativeKind.UNION,
            token_address,
            acc[9],
            executor,
            [acc[9], acc[1], acc[8]],
            [],
        ),
    )

    chair = acc[1]
    # 5: own wallet, pays in tokens.
    a = acc[5]
    romashka.apply(a, MemberKind.INDIVIDUAL, _h("identity 5"), _h("application 5"))
    romashka.attest_identity(chair, a.address, _h("identity check 5"))
    romashka.approve_treasury(a)
    romashka.pay_fees(a, a.address)
    romashka.admit(executor, a.address, _h("admission decision 5"))
    # 6: a signed application sent by a relayer; pays by bank, the cashier attests.
    b = acc[6]
    signature, nonce, deadline = romashka.sign_application(
        b,
        MemberKind.INDIVIDUAL,
        _h("identity 6"),
        _h("application 6"),
        deadline=int(chain.w3.eth.get_block("latest")["timestamp"]) + 86_400,
    )
    romashka.apply_with_sig(
        deployer,
        b.address,
        MemberKind.INDIVIDUAL,
        _h("identity 6"),
        _h("application 6"),
        nonce,
        deadline,
        signature,
    )
    romashka.attest_identity(chair, b.address, _h("identity check 6"))
    romashka.attest_payment(acc[3], b.address, _h("bank order 6"))
    romashka.admit(executor, b.address, _h("admission decision 6"))
    # 7: an organisation member.
    org = acc[7]
    romashka.apply(org, MemberKind.ORGANISATION, _h("organisation 7"), _h("application 7"))
    romashka.attest_identity(chair, org.address, _h("identity check 7"))
    romashka.approve_treasury(org)
    romashka.pay_fees(org, org.address)
    romashka.admit(executor, org.address, _h("admission decision 7"))

    # Both have income to pay the union's fees from.
    romashka.approve_treasury(deployer)
    romashka.receive_income(deployer, 20_000 * TOKEN, _h("romashka sales"))
    artel.approve_treasury(acc[8])
    artel.receive_income(acc[8], 20_000 * TOKEN, _h("artel sales"))

    join_union(romashka, union, executor, chair, acc[9])
    join_union(artel, union, executor, acc[8], acc[9])

    # ВРЕ: a transfer, and a cycle of accepted invoices 5 -> 6 -> 7 -> 5 that a clearing run
    # can cancel (200 of each), leaving 100 of the first and 50 of the last outstanding.
    units = SettlementUnitsClient(chain, romashka.addresses.settlement_units)
    units.transfer(a, b.address, 150 * TOKEN, _h("акт: доставка овощей"))
    for creditor, debtor, amount, label in (
        (a, b, 300, "счёт 1: мёд"),
        (b, org, 200, "счёт 2: ремонт"),
        (org, a, 250, "счёт 3: перевозка"),
    ):
        obligation_id, _ = units.issue(
            creditor, debtor.address, amount * TOKEN, document_hash=_h(label)
        )
        units.accept(debtor, obligation_id)

    # The revision commission: one auditor, appointed by a decision (the executor's call).
    auditor = demo_auditor()
    romashka.set_auditor(executor, auditor.address)

    # Mutual-aid fund and property register, registered while the executor is still a key.
    fund = deploy_fund_and_property(chain, executor, romashka.addresses)
    # The bank's contract, made a cashier by the executor (still a key): the portal's bank
    # page (account 3, the cashier) works in the demo.
    bank_settlements, _ = install_bank_settlements(
        chain, deployer, romashka.addresses.charter, executor=executor
    )

    # Governance: the council contract becomes «Ромашка»'s decision executor.
    installer = deploy_installer(chain, deployer)
    governance = deploy_governance(
        chain,
        executor,
        romashka.addresses,
        [acc[2].address, acc[3].address, acc[4].address],
        GovernanceParams(installer=installer["installer"]),
    )

    cooperatives: dict[str, Any] = {}
    contracts: dict[str, str] = {
        "CooperativeFactory": network.factory,
        "NetworkRegistry": network.registry,
        "TestToken": token_address,
        "PasskeyAccountFactory": passkey_factory.address,
    }
    contracts.update({f"impl.{k}": v for k, v in network.implementations.items()})
    for slug, coop in (("romashka", romashka), ("artel", artel), ("union", union)):
        record = coop.addresses.to_dict()
        for key in ("charter", "membership", "shares", "treasury", "documents", "settlement_units"):
            contracts[f"{slug}.{key}"] = record[key]
        cooperatives[slug] = {
            **record,
            "name": coop.charter.functions.name().call(),
            "kind": CooperativeKind(coop.charter.functions.kind().call()).name.lower(),
            "chair": coop.charter.functions.chair().call(),
            "decision_executor": executor.address,
            "council": coop.charter.functions.initialCouncil().call(),
            "active_members": coop.active_member_count(),
        }
    contracts["GovernanceInstaller"] = installer["installer"]
    contracts["FundInstaller"] = fund["installer"]
    contracts["romashka.council"] = governance["council"]
    contracts["romashka.general_meeting"] = governance["general_meeting"]
    contracts["romashka.meeting_proxies"] = governance["meeting_proxies"]
    contracts["romashka.mutual_aid_fund"] = fund["mutual_aid_fund"]
    contracts["romashka.property_registry"] = fund["property_registry"]
    contracts["romashka.bank_settlements"] = bank_settlements
    cooperatives["romashka"]["bank_settlements"] = bank_settlements
    cooperatives["romashka"]["decision_executor"] = governance["council"]
    cooperatives["romashka"]["auditors"] = [auditor.address]
    cooperatives["romashka"]["members"] = [
        {"address": a.address, "kind": "individual"},
        {"address": b.address, "kind": "individual"},
        {"address": org.address, "kind": "organisation"},
    ]
    cooperatives["union"]["members"] = [
        {"address": romashka.addresses.treasury, "kind": "organisation", "cooperative": "romashka"},
        {"address": artel.addresses.treasury, "kind": "organisation", "cooperative": "artel"},
    ]
    return {
        "contracts": contracts,
        "cooperatives": cooperatives,
        "payment_token": token_address,
        "network": network.to_dict(),
    }
