"""Check digits of ИНН, КПП, ОГРН/ОГРНИП and СНИЛС, and the organisation record built on them:
real registered numbers pass, every single-digit typo of them is caught."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from node.identity.crypto import IdentityData, OrganisationData, Representative
from node.identity.requisites import (
    check_inn,
    check_kpp,
    check_ogrn,
    check_snils,
    format_snils,
    snils_checksum,
)

# Published requisites of real organisations and the usual documented examples.
INN_ORG = "7707083893"  # ПАО Сбербанк
OGRN_ORG = "1027700132195"
KPP_ORG = "773601001"
INN_PERSON = "500100732259"
OGRNIP = "304500116000157"
SNILS = "112-233-445 95"


def _typos(number: str) -> list[str]:
    """Every number differing from `number` in exactly one digit."""
    out = []
    for i, d in enumerate(number):
        for other in "0123456789":
            if other != d:
                out.append(number[:i] + other + number[i + 1 :])
    return out


def test_valid_numbers_pass_and_are_normalised() -> None:
    assert check_inn(INN_ORG) == INN_ORG
    assert check_inn(INN_PERSON) == INN_PERSON
    assert check_ogrn(OGRN_ORG) == OGRN_ORG
    assert check_ogrn(OGRNIP) == OGRNIP
    assert check_kpp("7736 01 001".replace(" ", "")) == KPP_ORG
    assert check_kpp("7736af001") == "7736AF001"  # letters in the reason code since 2019
    assert check_snils(SNILS) == "11223344595"
    assert format_snils("11223344595") == SNILS


@pytest.mark.parametrize("number", [INN_ORG, INN_PERSON])
def test_every_inn_typo_is_caught(number: str) -> None:
    # The 10-digit check digit misses a typo only where the weight times the change is 0
    # modulo 11 (never for weights 2..10), so every single-digit error is refused.
    for typo in _typos(number):
        with pytest.raises(ValueError, match="ИНН"):
            check_inn(typo)


def test_ogrn_typos_are_caught() -> None:
    caught = 0
    typos = _typos(OGRN_ORG) + _typos(OGRNIP)
    for typo in typos:
        try:
            check_ogrn(typo)
        except ValueError:
            caught += 1
    # mod 11 / mod 13 then mod 10: a few typos collide by design; nearly all are caught.
    assert caught >= 0.85 * len(typos)


def test_every_snils_typo_is_caught() -> None:
    for typo in _typos("11223344595"):
        with pytest.raises(ValueError, match="СНИЛС"):
            check_snils(typo)


def test_snils_checksum_edges() -> None:
    assert snils_checksum("112233445") == 95
    assert snils_checksum("000000000") == 0
    # Numbers up to 001-001-998 were issued before the check digits existed.
    assert check_snils("00100199800") == "00100199800"


@pytest.mark.parametrize(
    ("func", "value"),
    [
        (check_inn, "77070838"),  # too short
        (check_inn, "77070838931"),  # 11 digits
        (check_inn, "770708389A"),
        (check_inn, "７７０７０８３８９３"),  # full-width digits are not ASCII digits
        (check_kpp, "77360100"),
        (check_kpp, "7736-01-001"),
        (check_ogrn, "10277001321"),
        (check_snils, "1122334459"),
    ],
)
def test_malformed_numbers_refused(func: object, value: str) -> None:
    with pytest.raises(ValueError):
        func(value)  # type: ignore[operator]


def _org(**kw: object) -> OrganisationData:
    body: dict[str, object] = {
        "name": "Общество с ограниченной ответственностью «Ромашка»",
        "inn": INN_ORG,
        "kpp": KPP_ORG,
        "ogrn": OGRN_ORG,
        "address": "117312, г. Москва, ул. Вавилова, д. 19",
        "representative": {"name": "Иванов Иван Иванович", "position": "директор"},
    }
    body.update(kw)
    return OrganisationData.model_validate(body)


def test_organisation_record() -> None:
    org = _org()
    assert org.kind == "organisation"
    assert org.representative == Representative(name="Иванов Иван Иванович", position="директор")
    sole_trader = _org(inn=INN_PERSON, kpp=None, ogrn=OGRNIP)
    assert sole_trader.ogrn == OGRNIP


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inn": "7707083894"}, "ИНН"),
        ({"ogrn": "1027700132196"}, "ОГРН"),
        ({"kpp": None}, "КПП"),
        ({"ogrn": OGRNIP}, "13"),  # an organisation with a sole trader's ОГРНИП
        ({"inn": INN_PERSON, "ogrn": OGRNIP}, "КПП"),  # a sole trader has no КПП
        (
            {"representative": {"name": "Иванов", "position": "директор", "snils": "11223344596"}},
            "СНИЛС",
        ),
        ({"power_of_attorney": {"document_sha256": "nothex"}}, "document_sha256"),
    ],
)
def test_organisation_record_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _org(**changes)


def test_person_inn_and_snils_validated() -> None:
    base = {
        "name": "Петров Пётр",
        "birth_date": "1990-01-01",
        "document_number": "4510 123456",
        "address": "Москва",
    }
    person = IdentityData.model_validate({**base, "inn": INN_PERSON, "snils": SNILS})
    assert person.snils == "11223344595"
    with pytest.raises(ValidationError, match="ИНН"):
        IdentityData.model_validate({**base, "inn": INN_ORG})  # an organisation's 10 digits
    with pytest.raises(ValidationError, match="СНИЛС"):
        IdentityData.model_validate({**base, "snils": "112-233-445 96"})
