"""The cooperative's exchange: offers and orders (off-chain catalogue), settled in ВРЕ on chain.

`models.py` holds the tables (revision `0002_exchange` of the gateway's history), `service.py`
the rules: the order state machine, search, documents (order, delivery act) and how chain facts
move an order (`Facts`, `apply_facts`). It knows nothing of HTTP or of the gateway: a refused
step raises `ExchangeError`, which the gateway turns into problem+json; reading the facts from
the mirror, union trade and the follower thread are the gateway's (`node/api/exchange/`).
"""
