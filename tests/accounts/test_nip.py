"""NIP validation: every part of the number must be real."""

from datetime import date

import pytest

from lms.accounts.models import EmployeeType
from lms.accounts.nip import NipError, parse_nip

TODAY = date(2026, 11, 24)


def test_valid_pns_nip_yields_its_parts(app):
    with app.app_context():
        info = parse_nip("19850315 201003 2 007", today=TODAY)
    assert info.nip == "198503152010032007"
    assert info.birth_date == date(1985, 3, 15)
    assert (info.appointment_year, info.appointment_month) == (2010, 3)
    assert info.sex == "P"
    assert info.sequence == 7


@pytest.mark.parametrize(
    ("nip", "fragment"),
    [
        ("", "wajib"),
        ("19850315201003100A", "angka"),
        ("1985031520100310", "18 digit"),
        ("1985031520100310011", "18 digit"),
        ("198502302010031001", "tanggal lahir"),  # 30 February
        ("192001012010031001", "tidak masuk akal"),  # born 1920
        ("203001012010031001", "tidak masuk akal"),  # born in the future
        ("198503152010131001", "Bulan TMT"),  # month 13
        ("198503152010001001", "Bulan TMT"),  # month 00
        ("198503151999031001", "TMT CPNS"),  # appointed at 13
        ("198503152027031001", "TMT CPNS"),  # appointed in the future
        ("198503152010033001", "jenis kelamin"),  # sex digit 3
        ("198503152010031000", "000"),
    ],
)
def test_malformed_pns_nips_are_refused_with_a_reason(app, nip, fragment):
    with app.app_context(), pytest.raises(NipError) as error:
        parse_nip(nip, today=TODAY)
    assert fragment in str(error.value)


def test_pppk_nip_is_accepted_as_its_own_type(app):
    with app.app_context():
        info = parse_nip("199002102022211003", EmployeeType.PPPK, today=TODAY)
        assert info.employee_type is EmployeeType.PPPK
        assert info.appointment_month is None
        assert info.sex == "L"
        # The same number is not a valid PNS NIP: "21" is no month.
        with pytest.raises(NipError, match="Bulan TMT"):
            parse_nip("199002102022211003", EmployeeType.PNS, today=TODAY)


def test_pppk_nip_still_checks_birth_date_and_sex(app):
    with app.app_context():
        with pytest.raises(NipError, match="tanggal lahir"):
            parse_nip("199013102022211003", EmployeeType.PPPK, today=TODAY)
        with pytest.raises(NipError, match="jenis kelamin"):
            parse_nip("199002102022215003", EmployeeType.PPPK, today=TODAY)


def test_messages_follow_the_language(app):
    with app.test_request_context(headers={"Cookie": ""}):
        from flask import session

        session["locale"] = "en"
        with pytest.raises(NipError) as error:
            parse_nip("123", today=TODAY)
    assert "18 digits" in str(error.value)
