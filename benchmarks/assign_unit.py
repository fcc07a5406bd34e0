"""How long HR's assignment of a course to one large unit takes: N employees, one rule.

Empties the benchmark database (``lentera_bench`` on PostgreSQL by default, or an SQLite file),
migrates it, loads the demo data and the course KPP-101, adds a unit of N active employees in
one multi-row INSERT, then times ``create_rule`` for that unit in this process — the enrolments,
their audit events and notifications, as the HR page's "Tugaskan" does — and counts the SQL
statements it sent:

    .venv/bin/python benchmarks/assign_unit.py --employees 2000
    .venv/bin/python benchmarks/assign_unit.py --employees 20000 \\
        --database-url sqlite:////tmp/lentera-assign.db
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quiz_exam import DEFAULT_DB, ROOT, VENV_BIN, reset_database, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000, help="employees in the unit")
    parser.add_argument("--database-url", default=DEFAULT_DB, help="emptied first!")
    args = parser.parse_args()
    url = args.database_url
    if "bench" not in url and not url.startswith("sqlite"):
        print("the database name must contain 'bench': it is emptied", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="lentera-assign-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    env = dict(os.environ)
    env.pop("LMS_TEST_DATABASE_URL", None)
    env.update(
        FLASK_APP="lms",
        LMS_INSTANCE_DIR=str(tmp / "instance"),
        LMS_DATABASE_URL=url,
        LMS_SECRET_KEY=secrets.token_urlsafe(48),
    )
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        reset_database(url)
    flask = str(VENV_BIN / "flask")
    run([flask, "db", "upgrade"], env, "flask db upgrade")
    run([flask, "lms", "seed-demo"], env, "flask lms seed-demo")
    course_folder = str(ROOT / "courses" / "kepemimpinan-pelayanan-publik")
    run([flask, "lms", "import-course", course_folder], env, "flask lms import-course")
    os.environ.update(env)

    from sqlalchemy import event, insert, select

    from lms import create_app
    from lms.accounts.models import Employee, EmployeeType, Organisation, Unit, User
    from lms.core.db import utcnow
    from lms.courses import enrollment as enrolment
    from lms.courses.models import Course, TargetType
    from lms.extensions import db

    app = create_app()
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.code == "SLK"))
        unit = Unit(organisation_id=org.id, name="Bidang Besar", code="BESAR")
        db.session.add(unit)
        db.session.flush()
        now = utcnow()
        born = date(1970, 1, 1)
        db.session.execute(
            insert(Employee),
            [
                {
                    "organisation_id": org.id,
                    "unit_id": unit.id,
                    "nip": f"{born + timedelta(days=n):%Y%m%d}209901{1 + n % 2}001",
                    "employee_type": EmployeeType.PNS,
                    "name": f"Pegawai Bidang Besar {n + 1}",
                    "birth_date": born + timedelta(days=n),
                    "sex": "L" if n % 2 == 0 else "P",
                    "golongan": "III/a",
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(args.employees)
            ],
        )
        db.session.commit()
        hr = db.session.scalar(select(User).where(User.email == "bkpsdm.solok@lentera.test"))
        course = db.session.scalar(select(Course).where(Course.code == "KPP-101"))
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        wall, cpu = time.perf_counter(), time.process_time()
        _rule, enrolled = enrolment.create_rule(
            org,
            course,
            TargetType.UNIT,
            target_id=unit.id,
            due_date=date.today() + timedelta(days=30),
            actor=hr,
        )
        db.session.commit()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{url.split('://')[0]}: {enrolled} employees enrolled in {wall:.2f} s "
        f"({cpu:.2f} s CPU in this process), {len(statements)} SQL statements"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
