"""An organisation's certificate template: numbering, signer, images and design; and the sample
certificate its preview shows."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import Organisation, User
from lms.certificates import render
from lms.certificates.models import Certificate, CertificateSequence, CertificateTemplate
from lms.certificates.services import JAKARTA, check_pattern, format_number
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.media.detect import IMAGE_TYPES, sniff_image
from lms.media.storage import store

#: largest logo or signature image accepted, in bytes and in pixels per side
IMAGE_MAX_BYTES = 1024 * 1024
IMAGE_MAX_SIDE = 4000
#: the image kinds a PDF takes (fpdf2 embeds PNG and JPEG as they are)
IMAGE_KINDS = ("png", "jpeg")
ACCENT = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class TemplateSettings:
    """What HR sets on the template page."""

    number_pattern: str
    signer_name: str
    signer_title: str
    layout: str
    accent: str
    #: new image bytes, or None to keep the current one
    logo: bytes | None = None
    signature: bytes | None = None
    remove_logo: bool = False
    remove_signature: bool = False


def check_image(content: bytes, field: str) -> str:
    """The stored suffix of an acceptable PNG or JPEG image; a DomainError on ``field`` if the
    bytes are too large, not such an image, or not readable."""
    if len(content) > IMAGE_MAX_BYTES:
        raise DomainError(_("Gambar paling besar 1 MB."), field=field)
    kind = sniff_image(content[:16])
    if kind not in IMAGE_KINDS:
        raise DomainError(_("Gambar harus berformat PNG atau JPEG."), field=field)
    from PIL import Image

    too_large = DomainError(
        _("Gambar paling besar %(n)d × %(n)d piksel.", n=IMAGE_MAX_SIDE), field=field
    )
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # claims a huge picture
        raise too_large from None
    except Exception:  # Pillow raises many kinds on damaged files
        raise DomainError(_("Gambar tidak dapat dibaca."), field=field) from None
    if not (0 < width <= IMAGE_MAX_SIDE and 0 < height <= IMAGE_MAX_SIDE):
        raise too_large
    return IMAGE_TYPES[kind][1]


def validate(settings: TemplateSettings) -> TemplateSettings:
    """The settings cleaned, or a DomainError naming the first field that is wrong."""
    pattern = settings.number_pattern.strip()
    if not pattern:
        raise DomainError(_("Pola nomor wajib diisi."), field="number_pattern")
    if len(pattern) > 120:
        raise DomainError(_("Pola nomor paling panjang 120 karakter."), field="number_pattern")
    check_pattern(pattern)
    if settings.layout not in render.LAYOUTS:
        raise DomainError(_("Pilih tata letak yang tersedia."), field="layout")
    accent = settings.accent.strip()
    if not ACCENT.fullmatch(accent):
        raise DomainError(
            _("Warna aksen harus berbentuk #rrggbb, misalnya #0b5d4b."), field="accent"
        )
    if settings.logo is not None:
        check_image(settings.logo, "logo")
    if settings.signature is not None:
        check_image(settings.signature, "signature")
    return TemplateSettings(
        number_pattern=pattern,
        signer_name=settings.signer_name.strip()[:200],
        signer_title=settings.signer_title.strip()[:200],
        layout=settings.layout,
        accent=accent.lower(),
        logo=settings.logo,
        signature=settings.signature,
        remove_logo=settings.remove_logo,
        remove_signature=settings.remove_signature,
    )


def _stored_image(content: bytes, field: str) -> str:
    suffix = check_image(content, field)
    return store(
        io.BytesIO(content), "certificates/templates", suffix, max_bytes=IMAGE_MAX_BYTES
    ).path


def update_template(
    template: CertificateTemplate, settings: TemplateSettings, *, actor: User
) -> list[str]:
    """Save the template's settings (certificates already issued keep what they print);
    returns the names of the fields that changed. Audited."""
    clean = validate(settings)
    changes = {
        "number_pattern": clean.number_pattern,
        "signer_name": clean.signer_name,
        "signer_title": clean.signer_title,
        "layout": clean.layout,
        "accent": clean.accent,
    }
    if clean.logo is not None:
        changes["logo_path"] = _stored_image(clean.logo, "logo")
    elif clean.remove_logo:
        changes["logo_path"] = None
    if clean.signature is not None:
        changes["signature_path"] = _stored_image(clean.signature, "signature")
    elif clean.remove_signature:
        changes["signature_path"] = None
    changed = [name for name, value in changes.items() if getattr(template, name) != value]
    for name in changed:
        setattr(template, name, changes[name])
    db.session.flush()
    if changed:
        audit.record(
            "certificate.template_updated",
            actor=actor,
            organisation_id=template.organisation_id,
            target=template,
            data={"fields": changed, "number_pattern": template.number_pattern},
        )
    return changed


def next_number(pattern: str, organisation: Organisation, now: datetime | None = None) -> str:
    """The number the organisation's next certificate would get with ``pattern`` (nothing is
    taken)."""
    now = now or utcnow()
    last = db.session.scalar(
        select(CertificateSequence.last).where(
            CertificateSequence.organisation_id == organisation.id,
            CertificateSequence.year == now.astimezone(JAKARTA).year,
        )
    )
    return format_number(pattern, (last or 0) + 1, organisation.code, now)


def preview_design(
    template: CertificateTemplate, settings: TemplateSettings, organisation: Organisation
) -> render.Design:
    """The design the settings would give: new images where uploaded, else the stored ones."""
    stored = render.design_of(template)
    logo = settings.logo if settings.logo is not None else stored.logo
    signature = settings.signature if settings.signature is not None else stored.signature
    return render.Design(
        layout=settings.layout,
        accent=settings.accent,
        organisation_name=organisation.name,
        logo=None if settings.remove_logo and settings.logo is None else logo,
        signature=None if settings.remove_signature and settings.signature is None else signature,
    )


def sample_certificate(settings: TemplateSettings, organisation: Organisation) -> Certificate:
    """A certificate that is never stored, to preview a design with."""
    now = utcnow()
    return Certificate(
        number=next_number(settings.number_pattern, organisation, now),
        code="CONTOH" + "0" * 20,
        organisation_id=organisation.id,
        holder_name=_("Nama Pegawai Contoh, S.AP."),
        holder_nip="198503152010011001",
        course_code="CONTOH",
        course_title=_("Contoh Pelatihan Pelayanan Publik"),
        jp=20,
        competencies=[
            {"code": "M-PP", "name": _("Pelayanan Publik"), "level": 3},
            {"code": "M-INT", "name": _("Integritas"), "level": 2},
        ],
        signer_name=settings.signer_name,
        signer_title=settings.signer_title,
        completed_at=now,
        issued_at=now,
        expires_on=date(now.astimezone(JAKARTA).year + 2, 12, 31),
    )
