"""Rubles: bank statements in, payment orders out, and the cooperative's books.

`formats` reads and writes the files banks exchange (1C «Клиент-банк», camt.053), `store`
keeps imported lines and their matches in SQL, `matching` proposes what each payment pays,
`settle` puts confirmed facts on chain through BankSettlements, `ledger` derives the books.
"""
