"""The gateway's side of the exchange (the rules are `node.exchange`'s): what the `/offers` and
`/orders` routers share (`shared.py`: public models, the order's chain facts read through the
mirror), trade between the cooperatives of a union (`union.py`: the union as the chain and the
mirror show it, council proposals with their decision documents stored), and the follower
thread that advances open orders from chain facts (`follower.py`).

The exchange's own refusals (`node.exchange.service.ExchangeError`) become problem+json in
`node.api.problems`, as every domain's do.
"""
