"""The cooperative's exchange: offers and orders (off-chain catalogue), settled in ВРЕ on chain.

`models.py` holds the tables (revision `0002_exchange` of the gateway's history), `service.py`
the rules: the order state machine, search, documents (order, delivery act) and the sync of
order states from chain facts read through the mirror.
"""
