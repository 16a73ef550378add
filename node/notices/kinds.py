"""What the notices are about, and on which channels a member may hear of them."""

from __future__ import annotations

#: Channels a member chooses among: the portal's inbox, e-mail, a webhook of another system.
CHANNELS = ("inbox", "email", "webhook")

#: kind -> (Russian title, English title): the e-mail's subject and the inbox's heading.
KINDS: dict[str, tuple[str, str]] = {
    "meeting_convened": ("Уведомление о созыве общего собрания", "Notice of a general meeting"),
    "voting_opened": (
        "Голосование общего собрания открыто",
        "Voting of the general meeting is open",
    ),
    "voting_ended": (
        "Голосование общего собрания завершено",
        "Voting of the general meeting has ended",
    ),
    "meeting_result": ("Итоги общего собрания", "Result of the general meeting"),
    "council_vote_needed": ("Вопрос совета ждёт вашего голоса", "A council item awaits your vote"),
    "application_received": ("Заявление о вступлении получено", "Membership application received"),
    "application_decided": ("Решение по заявлению о вступлении", "Membership application decided"),
    "membership_decided": (
        "Решение о вашем членстве в кооперативе",
        "A decision on your membership",
    ),
    "invoice_issued": ("Вам выставлен счёт", "An invoice was issued to you"),
    "payment_due": ("Подходит срок оплаты счёта", "An invoice falls due"),
    "loan_instalment_due": ("Подходит срок платежа по займу", "A loan instalment falls due"),
    "loan_instalment_overdue": ("Платёж по займу просрочен", "A loan instalment is overdue"),
    "guarantee_called": ("Поручительство востребовано", "Your guarantee was called"),
    "signature_needed": ("Документ ждёт вашей подписи", "A document awaits your signature"),
}

#: The notice the law requires (ст. 16 Закона о потребительской кооперации): mailed to a
#: confirmed address whatever the member's list of kinds says, and listed in the meeting's
#: delivery list.
LEGAL_KINDS = frozenset({"meeting_convened"})

#: Not a notice a member subscribes to: the code that confirms an e-mail address.
EMAIL_CONFIRM = "email_confirm"
