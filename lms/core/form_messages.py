"""WTForms' own validation messages in the interface's language.

WTForms ships no Indonesian catalogue, so its built-in messages ("Not a valid choice.", "Not a
valid integer value." …) reached people in English whenever a form got a value of the wrong type.
Each is given an Indonesian msgid here, translated like every other string (English comes from
the project's catalogue). Messages a form sets itself are left as they are.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: WTForms' English message (the singular for plural ones) → its Indonesian msgid
WTFORMS_MESSAGES = {
    "Invalid field name '%s'.": _l("Nama isian '%s' tidak sah."),
    "Field must be equal to %(other_name)s.": _l("Isian harus sama dengan %(other_name)s."),
    "Field must be at least %(min)d character long.": _l("Isian minimal %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": _l("Isian paling panjang %(max)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Isian harus tepat %(max)d karakter."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Isian harus %(min)d sampai %(max)d karakter."
    ),
    "Number must be at least %(min)s.": _l("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Angka paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus %(min)s sampai %(max)s."),
    "Date must be at least %(min)s.": _l("Tanggal paling awal %(min)s."),
    "Date must be at most %(max)s.": _l("Tanggal paling akhir %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Tanggal harus antara %(min)s dan %(max)s."),
    "This field is required.": _l("Wajib diisi."),
    "Invalid input.": _l("Isian tidak sah."),
    "Invalid email address.": _l("Alamat email tidak sah."),
    "Invalid IP address.": _l("Alamat IP tidak sah."),
    "Invalid Mac address.": _l("Alamat MAC tidak sah."),
    "Invalid URL.": _l("URL tidak sah."),
    "Invalid UUID.": _l("UUID tidak sah."),
    "Invalid value, must be one of: %(values)s.": _l(
        "Nilai tidak sah; harus salah satu dari: %(values)s."
    ),
    "Invalid value, can't be any of: %(values)s.": _l(
        "Nilai tidak sah; tidak boleh salah satu dari: %(values)s."
    ),
    "This field cannot be edited.": _l("Isian ini tidak dapat diubah."),
    "This field is disabled and cannot have a value.": _l(
        "Isian ini nonaktif dan tidak boleh diisi."
    ),
    "Invalid CSRF Token.": _l("Token formulir tidak sah. Muat ulang halaman lalu coba lagi."),
    "CSRF token missing.": _l("Token formulir tidak ada. Muat ulang halaman lalu coba lagi."),
    "CSRF failed.": _l("Token formulir tidak sah. Muat ulang halaman lalu coba lagi."),
    "CSRF token expired.": _l(
        "Token formulir sudah kedaluwarsa. Muat ulang halaman lalu coba lagi."
    ),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak sah."),
    "Not a valid choice.": _l("Pilihan tidak tersedia."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l(
        "Ada pilihan yang tidak sah."
    ),
    "'%(value)s' is not a valid choice for this field.": _l(
        "“%(value)s” bukan pilihan yang tersedia untuk isian ini."
    ),
    "Not a valid datetime value.": _l("Tanggal dan waktu tidak sah."),
    "Not a valid date value.": _l("Tanggal tidak sah; gunakan format tanggal yang benar."),
    "Not a valid time value.": _l("Waktu tidak sah."),
    "Not a valid week value.": _l("Minggu tidak sah."),
    "Not a valid integer value.": _l("Harus bilangan bulat."),
    "Not a valid decimal value.": _l("Harus angka."),
    "Not a valid float value.": _l("Harus angka."),
}


class FormTranslations:
    """What WTForms calls to translate its messages (``Meta.get_translations``)."""

    def gettext(self, string: str) -> str:
        message = WTFORMS_MESSAGES.get(string)
        return str(message) if message is not None else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Indonesian has one form; the plural spelling maps to the singular's message
        message = WTFORMS_MESSAGES.get(singular)
        if message is None:
            return singular if n == 1 else plural
        return str(message)


TRANSLATIONS = FormTranslations()
