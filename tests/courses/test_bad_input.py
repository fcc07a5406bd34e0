"""Course pages on malformed and hostile input: a clear 4xx or the usual redirect, never a 500."""

from __future__ import annotations

import pytest

HR_SOLOK = "bkpsdm.solok@lentera.test"
LEARNER = "pegawai.solok@lentera.test"


@pytest.mark.parametrize("following", ["9" * 30, "-1", "0", "abc", "²"])
def test_marking_done_with_an_odd_next_lesson_goes_back_to_the_course(
    client, auth, db, courses, demo, following
):
    """``next`` past the largest id reached SQLite as an integer it cannot hold (a 500)."""
    course = courses.course()
    courses.enrol(course, demo["learner"])
    first = courses.lessons(course)[0]
    db.session.commit()
    auth.login(LEARNER)
    response = auth.post(f"/kursus/{course.code}/pelajaran/{first.id}/selesai", {"next": following})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/kursus/{course.code}")


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
def test_trainers_of_odd_ids_are_a_400_not_a_500(client, auth, db, courses, demo, value):
    course = courses.course()
    auth.login(HR_SOLOK)
    response = auth.post(
        f"/ajar/{course.code}/pelatih", {"trainers": [str(demo["trainer"].id), value]}
    )
    assert response.status_code in (302, 400)
