"""The certificate API: an employee's certificates, scoped like the employee endpoints, and the
PDF for callers who may read the holder."""

from __future__ import annotations

from datetime import timedelta

from lms.certificates import services
from lms.certificates.jobs import render_now
from lms.certificates.verification import today
from tests.fixtures.courses import bearer, login_token

API = "/api/v1"


def test_hr_lists_an_employees_certificates_with_their_status(client, db, certificates, demo):
    learner = demo["learner"]
    valid = certificates.complete(certificates.course(jp=4), learner)
    expired = certificates.complete(certificates.course(jp=3, months=12), learner)
    expired.expires_on = today() - timedelta(days=3)
    revoked = certificates.complete(certificates.course(jp=2), learner)
    services.revoke(revoked, "Salah peserta.", actor=demo["hr_solok"])
    render_now(valid)
    db.session.commit()

    token = login_token(client, "bkpsdm.solok@lentera.test")
    response = client.get(
        f"{API}/employees/{learner.employee.nip}/certificates", headers=bearer(token)
    )
    assert response.status_code == 200
    items = {item["number"]: item for item in response.get_json()["items"]}
    assert {n: i["status"] for n, i in items.items()} == {
        valid.number: "valid",
        expired.number: "expired",
        revoked.number: "revoked",
    }
    first = items[valid.number]
    assert set(first) >= {
        "number",
        "code",
        "course",
        "jp",
        "issued_at",
        "expires_at",
        "status",
        "pdf_url",
        "credential_url",
    }
    assert first["code"] == valid.code and first["jp"] == 4
    assert first["course"] == {"code": valid.course_code, "title": valid.course_title}
    assert first["expires_at"] is None
    assert items[expired.number]["expires_at"] == expired.expires_on.isoformat()
    assert items[revoked.number]["revoked_reason"] == "Salah peserta."
    assert first["credential_url"].endswith(f"/sertifikat/{valid.code}/credential.jwt")
    assert items[expired.number]["pdf_url"] is None  # not rendered yet

    # the PDF, for a caller who may read the holder
    pdf = client.get(first["pdf_url"].replace("http://localhost", ""), headers=bearer(token))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    pdf.close()


def test_scope_is_that_of_the_employee_endpoints(client, db, certificates, demo):
    learner = demo["learner"]
    certificate = certificates.complete(certificates.course(), learner)
    render_now(certificate)
    db.session.commit()
    nip = learner.employee.nip
    url = f"{API}/employees/{nip}/certificates"

    serang_hr = bearer(login_token(client, "bkpsdm.serang@lentera.test"))
    refused = client.get(url, headers=serang_hr)
    assert refused.status_code == 404
    assert refused.get_json()["error"]["code"] == "not_found"
    assert certificate.number not in refused.text
    pdf = client.get(f"{API}/certificates/{certificate.code}/pdf", headers=serang_hr)
    assert pdf.status_code == 404

    own = bearer(login_token(client, "pegawai.solok@lentera.test"))
    assert client.get(url, headers=own).get_json()["items"][0]["number"] == certificate.number
    pdf = client.get(f"{API}/certificates/{certificate.code}/pdf", headers=own)
    assert pdf.status_code == 200
    pdf.close()
    boss = bearer(login_token(client, "atasan.solok@lentera.test"))
    assert client.get(url, headers=boss).status_code == 200  # the learner's direct supervisor

    colleague = bearer(login_token(client, "pegawai.serang@lentera.test"))
    assert client.get(url, headers=colleague).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get(f"{API}/certificates/{certificate.code}/pdf").status_code == 401
    bad = client.get(f"{API}/employees/12345/certificates", headers=own)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_nip"


def test_pdf_not_rendered_yet(client, db, certificates, demo):
    certificate = certificates.complete(certificates.course(), demo["learner"])
    db.session.commit()
    token = bearer(login_token(client, "bkpsdm.solok@lentera.test"))
    response = client.get(f"{API}/certificates/{certificate.code}/pdf", headers=token)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "pdf_not_ready"
