"""The cooperative's document kinds: what each is called, which template renders it, how it is
anchored and whether it holds personal data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    title_ru: str
    title_en: str
    template: str
    """The template file (under the templates directory) that renders it."""
    document_type: str
    """The `IDocumentRegistry.DocumentType` it is anchored as."""
    personal: bool
    """Carries a member's identity data (stored encrypted, erased on request)."""


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "agreement_pep",
            "Соглашение о порядке использования простой электронной подписи",
            "Simple electronic signature agreement",
            "agreement_pep.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "consent_personal_data",
            "Согласие на обработку персональных данных",
            "Consent to personal data processing",
            "consent_personal_data.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "membership_application",
            "Заявление о вступлении в кооператив",
            "Membership application (individual)",
            "membership_application.html.j2",
            "APPLICATION",
            True,
        ),
        Kind(
            "membership_application_organisation",
            "Заявление юридического лица о вступлении",
            "Membership application (organisation)",
            "membership_application_organisation.html.j2",
            "APPLICATION",
            True,
        ),
        Kind(
            "council_decision",
            "Решение совета",
            "Council decision",
            "council_decision.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "council_admission",
            "Решение совета о приёме в пайщики",
            "Council decision to admit",
            "council_decision.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "council_exclusion",
            "Решение совета об исключении из пайщиков",
            "Council decision to exclude",
            "council_decision.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "council_payout",
            "Решение совета о выплате",
            "Council decision to pay out",
            "council_decision.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "council_program",
            "Решение совета о целевой программе",
            "Council decision on a target program",
            "council_decision.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "program_terms",
            "Условия целевой программы",
            "Terms of a target program",
            "program_terms.html.j2",
            "OTHER",
            False,
        ),
        Kind(
            "council_protocol",
            "Протокол заседания совета",
            "Minutes of the council meeting",
            "council_protocol.html.j2",
            "COUNCIL_DECISION",
            False,
        ),
        Kind(
            "meeting_notice",
            "Уведомление о созыве общего собрания",
            "Notice of a general meeting",
            "meeting_notice.html.j2",
            "OTHER",
            False,
        ),
        Kind(
            "meeting_question",
            "Проект решения общего собрания",
            "Draft resolution of the general meeting",
            "meeting_question.html.j2",
            "OTHER",
            False,
        ),
        Kind("ballot", "Бюллетень", "Ballot", "ballot.html.j2", "OTHER", False),
        Kind(
            "proxy",
            "Доверенность на голосование",
            "Proxy to vote at a general meeting",
            "proxy.html.j2",
            "OTHER",
            False,
        ),
        Kind(
            "notice_delivery_list",
            "Лист рассылки уведомления о созыве общего собрания",
            "Delivery list of the notice of a general meeting",
            "notice_delivery_list.html.j2",
            "OTHER",
            False,
        ),
        Kind(
            "meeting_protocol",
            "Протокол общего собрания пайщиков",
            "Minutes of the general meeting",
            "meeting_protocol.html.j2",
            "MEETING_PROTOCOL",
            False,
        ),
        Kind(
            "exit_application",
            "Заявление о выходе из кооператива",
            "Exit application",
            "exit_application.html.j2",
            "EXIT",
            True,
        ),
        Kind(
            "share_refund",
            "Расчёт паевого взноса к возврату",
            "Share refund calculation",
            "share_refund.html.j2",
            "OTHER",
            False,
        ),
        Kind(
            "loan_agreement",
            "Договор займа из кассы взаимопомощи",
            "Mutual-aid loan agreement",
            "loan_agreement.html.j2",
            "CONTRACT",
            True,
        ),
        Kind(
            "property_act",
            "Акт приёма-передачи имущества",
            "Property transfer act",
            "property_act.html.j2",
            "CONTRACT",
            False,
        ),
        Kind(
            "delivery_act",
            "Акт сдачи-приёмки",
            "Acceptance act",
            "delivery_act.html.j2",
            "CONTRACT",
            False,
        ),
        Kind(
            "labour_act",
            "Акт о результатах труда",
            "Act of work results",
            "labour_act.html.j2",
            "CONTRACT",
            False,
        ),
        Kind(
            "member_extract",
            "Выписка из реестра пайщиков",
            "Extract from the register of members",
            "member_extract.html.j2",
            "OTHER",
            True,
        ),
        Kind(
            "member_register",
            "Реестр пайщиков",
            "Register of members",
            "member_register.html.j2",
            "OTHER",
            False,
        ),
    )
}


AGREEMENT_KINDS = frozenset({"agreement_pep", "consent_personal_data"})
"""The membership agreements (`node/documents/agreements.py`): published by the council through
`/agreements/versions`, not made by `/documents/generate`."""


ROUTE_KINDS = frozenset({"labour_act"})
"""Made by their own route (`POST /labour/acts`: the act exists before the work record that
binds its hash), not by `/documents/generate`."""
