"""Russian registration numbers and their check digits: ИНН, КПП, ОГРН/ОГРНИП, СНИЛС.

A typo in a tax number is the commonest error in a membership application; the check digits
catch nearly all of them before anything is hashed and anchored. The algorithms are those of
the Federal Tax Service (ИНН: приказ ФНС от 29.06.2012 № ММВ-7-6/435@; ОГРН: постановление
Правительства РФ от 19.06.2002 № 438) and the Pension Fund (СНИЛС).

Each `check_*` returns the normalised number (digits only) or raises `ValueError` with a
Russian/English message; pydantic turns that into a 422 naming the field.
"""

from __future__ import annotations

import re

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def _digits(value: str, name: str, lengths: tuple[int, ...]) -> str:
    text = re.sub(r"[\s-]", "", value)
    if not text.isascii() or not text.isdigit() or len(text) not in lengths:
        expected = " или / or ".join(str(n) for n in lengths)
        raise ValueError(f"{name}: {expected} цифр / {expected} digits")
    return text


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def check_inn(value: str, *, lengths: tuple[int, ...] = (10, 12)) -> str:
    """ИНН: 10 digits (an organisation) or 12 (a person, a sole trader), with check digits."""
    inn = _digits(value, "ИНН / INN", lengths)
    if len(inn) == 10:
        ok = _weighted(inn, _INN10) == int(inn[9])
    else:
        ok = _weighted(inn, _INN12_1) == int(inn[10]) and _weighted(inn, _INN12_2) == int(inn[11])
    if not ok:
        raise ValueError("ИНН: неверное контрольное число / INN: wrong check digit")
    return inn


def check_kpp(value: str) -> str:
    """КПП: 9 characters, the tax office (4 digits), the reason (2 digits or capital Latin
    letters, allowed since 2019) and a serial number (3 digits)."""
    kpp = value.strip().upper()
    if not _KPP.match(kpp):
        raise ValueError("КПП: 9 знаков, NNNNPPNNN / KPP: 9 characters, NNNNPPNNN")
    return kpp


def check_ogrn(value: str, *, lengths: tuple[int, ...] = (13, 15)) -> str:
    """ОГРН (13 digits, an organisation) or ОГРНИП (15, a sole trader): the last digit is the
    number of the others modulo 11 (ОГРН) or 13 (ОГРНИП), modulo 10."""
    ogrn = _digits(value, "ОГРН / OGRN", lengths)
    modulus = 11 if len(ogrn) == 13 else 13
    if int(ogrn[:-1]) % modulus % 10 != int(ogrn[-1]):
        raise ValueError("ОГРН: неверное контрольное число / OGRN: wrong check digit")
    return ogrn


def snils_checksum(first9: str) -> int:
    """The two check digits of a СНИЛС: sum of digit x (9 - position); below 100 as is,
    100 and 101 give 00, above that modulo 101 (100 again giving 00)."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first9))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    rest = total % 101
    return 0 if rest == 100 else rest


def check_snils(value: str) -> str:
    """СНИЛС: 11 digits (written XXX-XXX-XXX YY); numbers up to 001-001-998 carry no check
    digits (issued before the algorithm)."""
    snils = _digits(value, "СНИЛС / SNILS", (11,))
    if int(snils[:9]) > 1_001_998 and snils_checksum(snils[:9]) != int(snils[9:]):
        raise ValueError("СНИЛС: неверное контрольное число / SNILS: wrong check digits")
    return snils


def format_snils(snils: str) -> str:
    return f"{snils[0:3]}-{snils[3:6]}-{snils[6:9]} {snils[9:11]}"
