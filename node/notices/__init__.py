"""Notices: every member hears of what concerns them (docs/notices.md).

`events` derives who must be told what from the SQL mirror, `store` keeps the members' channels
and the outbox, `worker.Notifier` delivers (SMTP, webhooks; the inbox is the outbox itself),
`delivery_list` records and seals to whom a meeting's legal notice was sent. Nothing here knows
HTTP: the gateway's `/notices` routes and its background thread call in.
"""
