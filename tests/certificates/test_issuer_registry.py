"""The issuing organisation's HR find and manage what they issued to other organisations'
employees, seeing those employees only as the public verification page does."""

from __future__ import annotations

from lms.certificates.verification import mask_nip
from tests.certificates.helpers import earn


def test_issuer_sees_its_certificates_with_masked_nips_and_may_revoke(
    client, auth, db, courses, demo
):
    learner = demo["learner"]  # a Solok employee
    certificate = earn(courses, learner, org="SWL")  # a course of Sawahlunto
    db.session.commit()
    nip = learner.employee.nip

    auth.login("bkpsdm.swl@lentera.test")
    registry = client.get("/sertifikat/registri").text
    assert certificate.number in registry
    assert mask_nip(nip) in registry and nip not in registry
    detail = client.get(f"/sertifikat/registri/{certificate.id}").text
    assert mask_nip(nip) in detail and nip not in detail
    revoked = auth.post(
        f"/sertifikat/registri/{certificate.id}/cabut",
        data={"reason": "Salah peserta", "confirm": "y"},
    )
    assert revoked.status_code == 302

    auth.logout()
    auth.login("bkpsdm.solok@lentera.test")  # the holder's HR: the full record
    assert nip in client.get("/sertifikat/registri").text

    auth.logout()
    auth.login("bkpsdm.serang@lentera.test")  # neither issuer nor holder: nothing
    assert certificate.number not in client.get("/sertifikat/registri").text
    assert client.get(f"/sertifikat/registri/{certificate.id}").status_code == 404
