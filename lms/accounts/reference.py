"""Reference lists of the Indonesian civil service: golongan, pangkat and their labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.accounts.models import EmployeeType, Jenjang, Position, PositionType

#: PNS golongan/ruang and pangkat, lowest to highest (17 grades)
PNS_GOLONGAN: tuple[tuple[str, str], ...] = (
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
)

#: PPPK golongan I to XVII
PPPK_GOLONGAN: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)  # fmt: skip

PANGKAT = dict(PNS_GOLONGAN)


def normalise_golongan(value: str, employee_type: EmployeeType) -> str | None:
    """The canonical golongan code for ``value`` (``3a``, ``III/A``, ``iii-a`` → ``III/a``)."""
    raw = value.strip().replace(" ", "").replace("-", "/").replace(".", "/")
    if not raw:
        return None
    if employee_type is EmployeeType.PPPK:
        upper = raw.upper()
        return upper if upper in PPPK_GOLONGAN else None
    arabic = {"1": "I", "2": "II", "3": "III", "4": "IV"}
    if "/" not in raw and len(raw) >= 2 and raw[-1].isalpha():
        raw = f"{raw[:-1]}/{raw[-1]}"
    if "/" not in raw:
        return None
    major, minor = raw.split("/", 1)
    code = f"{arabic.get(major, major.upper())}/{minor.lower()}"
    return code if code in PANGKAT else None


def golongan_choices(employee_type: EmployeeType | None = None) -> list[tuple[str, str]]:
    """Choices for a golongan select, PNS grades with their pangkat then PPPK grades."""
    choices: list[tuple[str, str]] = []
    if employee_type in (None, EmployeeType.PNS):
        choices += [(code, f"{code} – {pangkat}") for code, pangkat in PNS_GOLONGAN]
    if employee_type in (None, EmployeeType.PPPK):
        choices += [(code, f"PPPK {code}") for code in PPPK_GOLONGAN]
    return choices


POSITION_TYPE_LABELS = {
    PositionType.JPT: _l("Jabatan Pimpinan Tinggi (JPT)"),
    PositionType.ADMINISTRATOR: _l("Administrator"),
    PositionType.PENGAWAS: _l("Pengawas"),
    PositionType.PELAKSANA: _l("Pelaksana"),
    PositionType.FUNGSIONAL: _l("Fungsional"),
}

JENJANG_LABELS = {
    Jenjang.UTAMA: _l("Utama"),
    Jenjang.MADYA: _l("Madya"),
    Jenjang.PRATAMA: _l("Pratama"),
    Jenjang.AHLI_PERTAMA: _l("Ahli Pertama"),
    Jenjang.AHLI_MUDA: _l("Ahli Muda"),
    Jenjang.AHLI_MADYA: _l("Ahli Madya"),
    Jenjang.AHLI_UTAMA: _l("Ahli Utama"),
    Jenjang.PEMULA: _l("Pemula"),
    Jenjang.TERAMPIL: _l("Terampil"),
    Jenjang.MAHIR: _l("Mahir"),
    Jenjang.PENYELIA: _l("Penyelia"),
}

EMPLOYEE_TYPE_LABELS = {
    EmployeeType.PNS: _l("PNS"),
    EmployeeType.PPPK: _l("PPPK"),
}


def position_label(position: Position) -> str:
    """A position's type and jenjang, e.g. ``Fungsional – Ahli Muda``."""
    label = str(POSITION_TYPE_LABELS[position.position_type])
    if position.jenjang is not None:
        label += f" – {JENJANG_LABELS[position.jenjang]}"
    return label
