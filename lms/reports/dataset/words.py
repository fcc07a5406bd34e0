"""Word lists for the province-scale dataset (:mod:`lms.reports.dataset`): the perangkat daerah
of a province, position families with their jenjang mix, people's names, courses and questions.

Nothing here touches the database; the lists only have to look like a real province.
"""

from __future__ import annotations

from lms.accounts.models import Jenjang, PositionType

J = Jenjang

#: the perangkat daerah, most important first (a small dataset keeps the first ones):
#: (code, name, staff profile, its share of the staff (relative), its bidang / biro); the
#: Dinas Pendidikan, with the teachers of the province's SMA and SMK, has about half
AGENCIES: tuple[tuple[str, str, str, float, tuple[str, ...]], ...] = (
    ("SETDA", "Sekretariat Daerah", "office", 1.5, (
        "Biro Pemerintahan dan Otonomi Daerah", "Biro Hukum", "Biro Perekonomian",
        "Biro Administrasi Pembangunan", "Biro Organisasi", "Biro Umum",
        "Biro Pengadaan Barang dan Jasa", "Biro Kesejahteraan Rakyat")),
    ("BKPSDM", "Badan Kepegawaian Daerah", "hr", 1.2, (
        "Bidang Pengembangan Kompetensi", "Bidang Pengadaan, Pemberhentian dan Informasi",
        "Bidang Mutasi dan Promosi", "Bidang Penilaian Kinerja dan Penghargaan")),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia", "training", 1.2, (
        "Bidang Pengembangan Kompetensi Kepemimpinan", "Bidang Pengembangan Kompetensi Teknis",
        "Bidang Sertifikasi Kompetensi dan Pengelolaan Kelembagaan")),
    ("DISDIK", "Dinas Pendidikan", "education", 55.0, (
        "Bidang Pembinaan SMA", "Bidang Pembinaan SMK", "Bidang Pembinaan Pendidikan Khusus",
        "Bidang Guru dan Tenaga Kependidikan", "Cabang Dinas Pendidikan Wilayah I",
        "Cabang Dinas Pendidikan Wilayah II", "Cabang Dinas Pendidikan Wilayah III",
        "Cabang Dinas Pendidikan Wilayah IV", "Cabang Dinas Pendidikan Wilayah V",
        "Cabang Dinas Pendidikan Wilayah VI")),
    ("DINKES", "Dinas Kesehatan", "health", 3.0, (
        "Bidang Kesehatan Masyarakat", "Bidang Pencegahan dan Pengendalian Penyakit",
        "Bidang Pelayanan Kesehatan", "Bidang Sumber Daya Kesehatan")),
    ("RSUD", "Rumah Sakit Umum Daerah Provinsi", "hospital", 8.0, (
        "Bidang Pelayanan Medik", "Bidang Keperawatan", "Bidang Penunjang Medik",
        "Bidang Keuangan dan Akuntansi")),
    ("RSJ", "Rumah Sakit Jiwa Daerah", "hospital", 3.0, (
        "Bidang Pelayanan Medik dan Keperawatan", "Bidang Penunjang",
        "Bidang Rehabilitasi Psikososial")),
    ("INSPEKTORAT", "Inspektorat Daerah", "audit", 1.5, (
        "Inspektur Pembantu Wilayah I", "Inspektur Pembantu Wilayah II",
        "Inspektur Pembantu Wilayah III", "Inspektur Pembantu Investigasi")),
    ("BAPPEDA", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "planning", 1.2, (
        "Bidang Perencanaan Pemerintahan dan Pembangunan Manusia",
        "Bidang Perekonomian dan Sumber Daya Alam", "Bidang Infrastruktur dan Kewilayahan",
        "Bidang Riset dan Inovasi Daerah")),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", "finance", 1.5, (
        "Bidang Anggaran", "Bidang Perbendaharaan", "Bidang Akuntansi", "Bidang Aset")),
    ("BAPENDA", "Badan Pendapatan Daerah", "finance", 2.0, (
        "Bidang Pajak Daerah", "Bidang Retribusi dan Pendapatan Lain",
        "Bidang Pengendalian dan Evaluasi Pendapatan")),
    ("DISKOMINFO", "Dinas Komunikasi, Informatika dan Statistik", "it", 1.2, (
        "Bidang Aplikasi Informatika", "Bidang Infrastruktur TIK dan Persandian",
        "Bidang Informasi dan Komunikasi Publik", "Bidang Statistik")),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "office", 2.0, (
        "Bidang Bina Marga", "Bidang Sumber Daya Air", "Bidang Cipta Karya",
        "Bidang Penataan Ruang")),
    ("DINSOS", "Dinas Sosial", "office", 1.2, (
        "Bidang Rehabilitasi Sosial", "Bidang Perlindungan dan Jaminan Sosial",
        "Bidang Pemberdayaan Sosial")),
    ("DISHUB", "Dinas Perhubungan", "office", 1.5, (
        "Bidang Lalu Lintas Angkutan Jalan", "Bidang Pelayaran", "Bidang Perkeretaapian")),
    ("DLH", "Dinas Lingkungan Hidup", "office", 1.0, (
        "Bidang Tata Lingkungan", "Bidang Pengendalian Pencemaran",
        "Bidang Penaatan dan Peningkatan Kapasitas")),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "office", 1.0, (
        "Bidang Pelayanan Perizinan", "Bidang Promosi Penanaman Modal",
        "Bidang Pengendalian Pelaksanaan Penanaman Modal")),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", "office", 1.2, (
        "Bidang Pelatihan dan Penempatan Tenaga Kerja", "Bidang Hubungan Industrial",
        "Bidang Pengawasan Ketenagakerjaan", "Bidang Transmigrasi")),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", "office", 1.0, (
        "Bidang Perindustrian", "Bidang Perdagangan Dalam Negeri",
        "Bidang Perlindungan Konsumen dan Metrologi")),
    ("DISTPHBUN", "Dinas Tanaman Pangan, Hortikultura dan Perkebunan", "agri", 2.0, (
        "Bidang Tanaman Pangan", "Bidang Hortikultura", "Bidang Perkebunan",
        "Bidang Penyuluhan")),
    ("DISNAKKESWAN", "Dinas Peternakan dan Kesehatan Hewan", "agri", 1.2, (
        "Bidang Produksi Peternakan", "Bidang Kesehatan Hewan dan Kesmavet")),
    ("DKP", "Dinas Kelautan dan Perikanan", "agri", 1.2, (
        "Bidang Perikanan Tangkap", "Bidang Perikanan Budidaya",
        "Bidang Pengelolaan Ruang Laut")),
    ("DISHUT", "Dinas Kehutanan", "agri", 1.5, (
        "Bidang Perencanaan dan Pemanfaatan Hutan", "Bidang Perlindungan Hutan",
        "Bidang Rehabilitasi Hutan dan Lahan")),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", "satpol", 1.8, (
        "Bidang Penegakan Peraturan Daerah", "Bidang Ketertiban Umum dan Ketenteraman",
        "Bidang Perlindungan Masyarakat")),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", "office", 1.0, (
        "Bidang Pencegahan dan Kesiapsiagaan", "Bidang Kedaruratan dan Logistik",
        "Bidang Rehabilitasi dan Rekonstruksi")),
    ("KESBANGPOL", "Badan Kesatuan Bangsa dan Politik", "office", 0.8, (
        "Bidang Ideologi dan Wawasan Kebangsaan", "Bidang Politik Dalam Negeri",
        "Bidang Ketahanan Ekonomi, Sosial dan Budaya")),
    ("DISPAR", "Dinas Pariwisata", "office", 0.8, (
        "Bidang Destinasi Pariwisata", "Bidang Pemasaran Pariwisata",
        "Bidang Ekonomi Kreatif")),
    ("DISPORA", "Dinas Pemuda dan Olahraga", "office", 0.8, (
        "Bidang Kepemudaan", "Bidang Olahraga Prestasi", "Bidang Sarana Prasarana")),
    ("DP3AP2KB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak dan Keluarga Berencana",
     "office", 0.8, (
        "Bidang Pemberdayaan Perempuan", "Bidang Perlindungan Anak",
        "Bidang Pengendalian Penduduk dan Keluarga Berencana")),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", "office", 0.8, (
        "Bidang Pemerintahan Desa", "Bidang Pemberdayaan Masyarakat",
        "Bidang Ekonomi Desa")),
    ("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", "office", 0.8, (
        "Bidang Perumahan", "Bidang Kawasan Permukiman", "Bidang Prasarana Sarana Utilitas")),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", "office", 0.8, (
        "Bidang Kelembagaan dan Pengawasan Koperasi", "Bidang Pemberdayaan Usaha Kecil",
        "Bidang Pembiayaan")),
    ("DISPUSIP", "Dinas Perpustakaan dan Kearsipan", "library", 1.0, (
        "Bidang Layanan Perpustakaan", "Bidang Pengembangan Koleksi",
        "Bidang Pengelolaan Arsip")),
    ("DISBUD", "Dinas Kebudayaan", "office", 0.8, (
        "Bidang Cagar Budaya dan Permuseuman", "Bidang Kesenian dan Tradisi")),
    ("DESDM", "Dinas Energi dan Sumber Daya Mineral", "office", 0.8, (
        "Bidang Ketenagalistrikan", "Bidang Mineral dan Batubara", "Bidang Air Tanah")),
    ("DKPP", "Dinas Ketahanan Pangan", "agri", 0.8, (
        "Bidang Ketersediaan dan Distribusi Pangan", "Bidang Konsumsi dan Keamanan Pangan")),
    ("SETWAN", "Sekretariat DPRD", "office", 1.0, (
        "Bagian Umum", "Bagian Persidangan dan Perundang-undangan", "Bagian Keuangan")),
)  # fmt: skip

#: the sub-units of a bidang (seksi) for the larger agencies
SEKSI: dict[str, tuple[str, ...]] = {
    "Cabang Dinas": ("Seksi SMA", "Seksi SMK dan Pendidikan Khusus"),
    "Bidang Pelayanan Medik": ("Seksi Pelayanan Rawat Jalan", "Seksi Pelayanan Rawat Inap"),
    "Bidang Keperawatan": ("Seksi Asuhan Keperawatan", "Seksi Etika dan Mutu Keperawatan"),
    "Bidang Pelayanan Kesehatan": ("Seksi Pelayanan Kesehatan Primer",),
    "Bidang Bina Marga": ("Seksi Pembangunan Jalan", "Seksi Pemeliharaan Jalan"),
    "Bidang Pengembangan Kompetensi": ("Subbidang Pelatihan Teknis",),
    "Bidang Pajak Daerah": ("Seksi Pajak Kendaraan Bermotor",),
}
#: the secretariat of every agency but the Sekretariat Daerah, and its subbagian
SECRETARIAT = "Sekretariat"
SUBBAGIAN = ("Subbagian Umum dan Kepegawaian", "Subbagian Keuangan dan Perencanaan")
#: the bagian under each biro of the Sekretariat Daerah
BAGIAN = ("Bagian Perumusan Kebijakan", "Bagian Pelaksanaan dan Evaluasi")

#: jenjang in a readable position name
JENJANG_LABEL: dict[Jenjang, str] = {
    J.UTAMA: "Utama",
    J.MADYA: "Madya",
    J.PRATAMA: "Pratama",
    J.AHLI_PERTAMA: "Ahli Pertama",
    J.AHLI_MUDA: "Ahli Muda",
    J.AHLI_MADYA: "Ahli Madya",
    J.AHLI_UTAMA: "Ahli Utama",
    J.PEMULA: "Pemula",
    J.TERAMPIL: "Terampil",
    J.MAHIR: "Mahir",
    J.PENYELIA: "Penyelia",
}

#: functional position families: key → (name, jenjang mix, titles of the ahli, titles of
#: the terampil, share of PPPK among them, technical standard {code: level at ahli muda})
FAMILIES: dict[str, tuple[str, dict[Jenjang, float], tuple[str, ...], tuple[str, ...], float,
                          dict[str, int]]] = {
    "guru": ("Guru", {J.AHLI_PERTAMA: 35, J.AHLI_MUDA: 30, J.AHLI_MADYA: 33, J.AHLI_UTAMA: 2},
             ("S.Pd.", "S.Pd., M.Pd.", "S.Si.", "S.Kom.", "S.Pd.I."), (), 0.30,
             {"T-KURIK": 3, "T-LITDIG": 2}),
    "perawat": ("Perawat", {J.TERAMPIL: 25, J.MAHIR: 15, J.PENYELIA: 10, J.AHLI_PERTAMA: 30,
                            J.AHLI_MUDA: 15, J.AHLI_MADYA: 5},
                ("S.Kep., Ns.",), ("A.Md.Kep.",), 0.20, {"T-KESPOL": 2}),
    "dokter": ("Dokter", {J.AHLI_PERTAMA: 30, J.AHLI_MUDA: 35, J.AHLI_MADYA: 30,
                          J.AHLI_UTAMA: 5},
               ("M.Kes.", "Sp.PD.", "Sp.A.", "Sp.OG.", "Sp.KJ.", ""), (), 0.05,
               {"T-KESPOL": 3}),
    "bidan": ("Bidan", {J.TERAMPIL: 40, J.MAHIR: 30, J.PENYELIA: 10, J.AHLI_PERTAMA: 20},
              ("S.Tr.Keb.",), ("A.Md.Keb.",), 0.20, {"T-KESPOL": 2}),
    "pranata_komputer": ("Pranata Komputer", {J.TERAMPIL: 20, J.MAHIR: 10, J.AHLI_PERTAMA: 40,
                                              J.AHLI_MUDA: 25, J.AHLI_MADYA: 5},
                         ("S.Kom.", "S.T.", "M.Kom."), ("A.Md.Kom.",), 0.15,
                         {"T-KAMINFO": 3, "T-LITDIG": 3}),
    "arsiparis": ("Arsiparis", {J.TERAMPIL: 30, J.MAHIR: 20, J.PENYELIA: 10,
                                J.AHLI_PERTAMA: 25, J.AHLI_MUDA: 15},
                  ("S.Hum.", "S.I.P."), ("A.Md.",), 0.10, {"T-LITDIG": 2}),
    "analis_kebijakan": ("Analis Kebijakan", {J.AHLI_PERTAMA: 40, J.AHLI_MUDA: 40,
                                              J.AHLI_MADYA: 18, J.AHLI_UTAMA: 2},
                         ("S.Sos.", "S.H.", "S.IP.", "M.Si.", "M.A.P."), (), 0.0,
                         {"T-MPROY": 2, "T-LITDIG": 2}),
    "auditor": ("Auditor", {J.AHLI_PERTAMA: 35, J.AHLI_MUDA: 35, J.AHLI_MADYA: 25,
                            J.AHLI_UTAMA: 5},
                ("S.E., Ak.", "S.E.", "M.Ak."), (), 0.0, {"T-KEUDA": 3, "T-MPROY": 2}),
    "perencana": ("Perencana", {J.AHLI_PERTAMA: 40, J.AHLI_MUDA: 40, J.AHLI_MADYA: 20},
                  ("S.E.", "S.T.", "M.T.", "M.E."), (), 0.0, {"T-MPROY": 3, "T-KEUDA": 2}),
    "analis_sdm": ("Analis SDM Aparatur", {J.AHLI_PERTAMA: 40, J.AHLI_MUDA: 40,
                                           J.AHLI_MADYA: 20},
                   ("S.Psi.", "S.Sos.", "M.M."), (), 0.0, {"T-KURIK": 2, "T-LITDIG": 2}),
    "widyaiswara": ("Widyaiswara", {J.AHLI_PERTAMA: 20, J.AHLI_MUDA: 35, J.AHLI_MADYA: 35,
                                    J.AHLI_UTAMA: 10},
                    ("M.Si.", "M.Pd.", "M.M.", "Dr."), (), 0.0, {"T-KURIK": 4, "T-LITDIG": 3}),
    "penyuluh": ("Penyuluh Pertanian", {J.TERAMPIL: 30, J.MAHIR: 20, J.PENYELIA: 10,
                                        J.AHLI_PERTAMA: 25, J.AHLI_MUDA: 15},
                 ("S.P.", "S.Pt.", "S.Hut."), ("A.Md.P.",), 0.25, {"T-MPROY": 2}),
    "polisi_pp": ("Polisi Pamong Praja", {J.PEMULA: 30, J.TERAMPIL: 30, J.MAHIR: 20,
                                          J.PENYELIA: 10, J.AHLI_PERTAMA: 10},
                  ("S.H.",), ("",), 0.10, {"T-LITDIG": 1}),
    "pbj": ("Pengelola Pengadaan Barang/Jasa", {J.AHLI_PERTAMA: 50, J.AHLI_MUDA: 40,
                                                J.AHLI_MADYA: 10},
            ("S.T.", "S.E."), (), 0.0, {"T-KEUDA": 2, "T-MPROY": 2}),
    "pustakawan": ("Pustakawan", {J.TERAMPIL: 30, J.MAHIR: 15, J.AHLI_PERTAMA: 35,
                                  J.AHLI_MUDA: 20},
                   ("S.I.P.", "S.Hum."), ("A.Md.",), 0.10, {"T-LITDIG": 2}),
}  # fmt: skip

#: pelaksana positions (no jenjang), with the titles of their holders
PELAKSANA: tuple[str, ...] = (
    "Pengadministrasi Perkantoran",
    "Penata Layanan Operasional",
    "Pengolah Data dan Informasi",
    "Pengelola Umum Operasional",
    "Operator Layanan Operasional",
    "Penelaah Teknis Kebijakan",
    "Pengadministrasi Keuangan",
)
PELAKSANA_TITLES = ("", "", "S.E.", "S.Sos.", "A.Md.", "S.Kom.", "S.H.", "S.AP.")
STRUCTURAL_TITLES = ("S.E., M.M.", "S.H., M.H.", "S.Sos., M.Si.", "S.T., M.T.", "M.A.P.",
                     "S.Pd., M.Pd.", "S.STP., M.Si.", "M.Si.", "S.Kom., M.Kom.")  # fmt: skip

#: who works in each kind of agency: (family key or "pelaksana", weight)
PROFILES: dict[str, tuple[tuple[str, float], ...]] = {
    "office": (("pelaksana", 55), ("analis_kebijakan", 15), ("arsiparis", 8),
               ("pranata_komputer", 7), ("pbj", 5), ("perencana", 5), ("pustakawan", 1),
               ("analis_sdm", 4)),
    "hr": (("analis_sdm", 45), ("pelaksana", 35), ("arsiparis", 10), ("pranata_komputer", 10)),
    "training": (("widyaiswara", 45), ("pelaksana", 35), ("analis_sdm", 20)),
    "education": (("guru", 88), ("pelaksana", 10), ("pranata_komputer", 2)),
    "health": (("dokter", 10), ("perawat", 25), ("bidan", 10), ("pelaksana", 35),
               ("analis_kebijakan", 10), ("perencana", 5), ("pranata_komputer", 5)),
    "hospital": (("perawat", 45), ("dokter", 12), ("bidan", 8), ("pelaksana", 30),
                 ("pranata_komputer", 5)),
    "audit": (("auditor", 60), ("pelaksana", 30), ("analis_kebijakan", 10)),
    "planning": (("perencana", 50), ("pelaksana", 30), ("analis_kebijakan", 20)),
    "finance": (("pelaksana", 60), ("analis_kebijakan", 15), ("pbj", 10), ("auditor", 5),
                ("pranata_komputer", 10)),
    "it": (("pranata_komputer", 50), ("pelaksana", 30), ("analis_kebijakan", 20)),
    "agri": (("penyuluh", 50), ("pelaksana", 40), ("analis_kebijakan", 10)),
    "satpol": (("polisi_pp", 70), ("pelaksana", 30)),
    "library": (("pustakawan", 45), ("arsiparis", 25), ("pelaksana", 30)),
}  # fmt: skip

#: golongan by (position type, jenjang): PNS choices and PPPK choices (weights equal)
GOLONGAN: dict[tuple[PositionType, Jenjang | None], tuple[tuple[str, ...], tuple[str, ...]]] = {
    (PositionType.JPT, J.UTAMA): (("IV/e",), ()),
    (PositionType.JPT, J.MADYA): (("IV/d", "IV/e"), ()),
    (PositionType.JPT, J.PRATAMA): (("IV/b", "IV/c", "IV/c", "IV/d"), ()),
    (PositionType.ADMINISTRATOR, None): (("III/d", "IV/a", "IV/a", "IV/b", "IV/b"), ()),
    (PositionType.PENGAWAS, None): (("III/b", "III/c", "III/c", "III/d", "III/d", "IV/a"), ()),
    (PositionType.PELAKSANA, None): (("I/c", "I/d", "II/a", "II/b", "II/c", "II/c", "II/d",
                                      "II/d", "III/a", "III/a", "III/b", "III/b"),
                                     ("V", "V", "VI", "VII")),
    (PositionType.FUNGSIONAL, J.AHLI_PERTAMA): (("III/a", "III/b"), ("IX",)),
    (PositionType.FUNGSIONAL, J.AHLI_MUDA): (("III/c", "III/d"), ("X", "XI")),
    (PositionType.FUNGSIONAL, J.AHLI_MADYA): (("IV/a", "IV/b", "IV/c"), ("XII",)),
    (PositionType.FUNGSIONAL, J.AHLI_UTAMA): (("IV/d", "IV/e"), ()),
    (PositionType.FUNGSIONAL, J.PEMULA): (("II/a",), ("V",)),
    (PositionType.FUNGSIONAL, J.TERAMPIL): (("II/b", "II/c", "II/d"), ("VII",)),
    (PositionType.FUNGSIONAL, J.MAHIR): (("III/a", "III/b"), ("VIII",)),
    (PositionType.FUNGSIONAL, J.PENYELIA): (("III/c", "III/d"), ()),
}  # fmt: skip

#: ages (youngest, oldest) by the golongan's first letters
AGES: dict[str, tuple[int, int]] = {
    "I/": (30, 57), "II/a": (21, 40), "II/": (24, 57), "III/a": (23, 45), "III/b": (25, 50),
    "III/": (30, 57), "IV/a": (38, 58), "IV/b": (40, 58), "IV/": (45, 59),
}  # fmt: skip

MALE = (
    "Ahmad", "Budi", "Rahmat", "Andri", "Hendra", "Syafrizal", "Zulkifli", "Ilham", "Fauzan",
    "Afrizal", "Yogi", "Irwan", "Ferdi", "Oki", "Asep", "Dedi", "Ujang", "Agus", "Iwan", "Cecep",
    "Ade", "Dadang", "Eko", "Hasan", "Wawan", "Rudi", "Jajang", "Joko", "Bambang", "Slamet",
    "Wahyu", "Teguh", "Arif", "Rizky", "Fajar", "Yusuf", "Hamzah", "Taufik", "Made", "Ketut",
    "Putu", "Hotma", "Parlindungan", "Muhammad", "Reza", "Andi", "Syamsul", "Firman",
)  # fmt: skip
FEMALE = (
    "Yulia", "Fitri", "Rina", "Desi", "Novia", "Mira", "Putri", "Rizka", "Lisa", "Silvia",
    "Nurul", "Sri", "Elsa", "Winda", "Euis", "Neneng", "Siti", "Yeni", "Ratna", "Lilis", "Nining",
    "Rosita", "Tuti", "Imas", "Dewi", "Nurhayati", "Yanti", "Endang", "Wulan", "Ayu", "Indah",
    "Kartika", "Lestari", "Maya", "Ratih", "Sulastri", "Nia", "Rahmi", "Annisa", "Fatimah",
    "Kadek", "Ni Luh", "Rosmawati", "Hasnah", "Andi Nurul", "Nadia",
)  # fmt: skip
LAST_NAMES = (
    "Putra", "Sari", "Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang", "Jambak",
    "Nasution", "Rahmadani", "Suryana", "Hidayat", "Setiawan", "Rohmawati", "Kurniawan",
    "Mulyani", "Saepudin", "Permana", "Fauziah", "Hermawan", "Maulana", "Wibowo", "Santoso",
    "Prasetyo", "Susanti", "Purnomo", "Handayani", "Siregar", "Harahap", "Lubis", "Simanjuntak",
    "Pratama", "Saputra", "Wijaya", "Gunawan", "Hasibuan", "Rangkuti", "Syahputra", "Utami",
    "Wulandari", "Ramadhan", "Lestari", "Arifin", "Hakim", "Daulay", "Pohan", "Batubara",
    "Mahendra", "Anggraini",
)  # fmt: skip

#: course topics: (title, category, targets {code: level}, JP, certificate months, audience
#: family or None, mandatory for everyone)
COURSES: tuple[tuple[str, str, dict[str, int], int, int | None, str | None, bool], ...] = (
    ("Orientasi Nilai Dasar ASN BerAKHLAK", "Wawasan Kebangsaan",
     {"M-INT": 2, "SK-PB": 2}, 12, None, None, True),
    ("Pencegahan Korupsi dan Pengendalian Gratifikasi", "Pengawasan",
     {"M-INT": 3}, 6, 24, None, True),
    ("Keamanan Informasi bagi ASN", "Teknologi Informasi",
     {"T-KAMINFO": 2, "T-LITDIG": 2}, 8, 12, None, True),
    ("Literasi Digital ASN", "Teknologi Informasi", {"T-LITDIG": 2}, 8, None, None, True),
    ("Pelayanan Publik Prima", "Pelayanan Publik", {"M-PP": 2, "M-KOM": 2}, 10, 24, None, True),
    ("Sistem Pemerintahan Berbasis Elektronik (SPBE)", "Teknologi Informasi",
     {"T-LITDIG": 3, "M-MP": 2}, 12, None, None, True),
    ("Manajemen Kinerja dan Penyusunan SKP", "Manajemen", {"M-OPH": 2}, 6, None, None, True),
    ("Moderasi Beragama dan Wawasan Kebangsaan", "Wawasan Kebangsaan",
     {"SK-PB": 3}, 8, None, None, True),
    ("Pelatihan Kepemimpinan Pengawas (PKP)", "Kepemimpinan",
     {"M-PDOL": 2, "M-PK": 2, "M-KS": 2}, 40, None, None, False),
    ("Pelatihan Kepemimpinan Administrator (PKA)", "Kepemimpinan",
     {"M-PDOL": 3, "M-PK": 3, "M-MP": 3}, 40, None, None, False),
    ("Coaching dan Mentoring bagi Atasan", "Kepemimpinan",
     {"M-PDOL": 3, "M-KOM": 2}, 12, 36, None, False),
    ("Kepemimpinan Pelayanan Publik", "Kepemimpinan", {"M-PP": 3, "M-MP": 2}, 16, None, None,
     False),
    ("Manajemen Proyek Pemerintahan", "Manajemen", {"T-MPROY": 3, "M-OPH": 2}, 20, 36, None,
     False),
    ("Manajemen Risiko Sektor Publik", "Manajemen", {"T-MPROY": 2, "M-PK": 2}, 12, None, None,
     False),
    ("Pengelolaan Keuangan Daerah", "Keuangan Daerah", {"T-KEUDA": 3}, 24, 24, None, False),
    ("Penatausahaan Keuangan dan SIPD", "Keuangan Daerah", {"T-KEUDA": 2, "T-LITDIG": 2}, 16,
     None, None, False),
    ("Pengadaan Barang/Jasa Pemerintah", "Keuangan Daerah", {"T-KEUDA": 2, "M-INT": 3}, 24, 36,
     "pbj", False),
    ("Penyusunan Laporan Keuangan Berbasis Akrual", "Keuangan Daerah", {"T-KEUDA": 3}, 16, None,
     None, False),
    ("Audit Kinerja dan Reviu Laporan Keuangan", "Pengawasan", {"T-KEUDA": 3, "M-INT": 3}, 24,
     24, "auditor", False),
    ("Sistem Pengendalian Intern Pemerintah", "Pengawasan", {"T-KEUDA": 2, "M-INT": 2}, 12, None,
     None, False),
    ("Perencanaan Pembangunan Daerah", "Manajemen", {"T-MPROY": 3, "M-OPH": 3}, 20, None,
     "perencana", False),
    ("Analisis Kebijakan Publik", "Manajemen", {"M-PK": 3, "T-MPROY": 2}, 20, None,
     "analis_kebijakan", False),
    ("Manajemen ASN dan Sistem Merit", "Manajemen", {"M-PDOL": 2, "T-KURIK": 2}, 12, None,
     "analis_sdm", False),
    ("Analisis Kebutuhan Pengembangan Kompetensi", "Manajemen", {"T-KURIK": 3, "M-PDOL": 3},
     16, None, "analis_sdm", False),
    ("Desain Pembelajaran Daring", "Pendidikan", {"T-KURIK": 3, "T-LITDIG": 3}, 20, None,
     "widyaiswara", False),
    ("Pembelajaran Berdiferensiasi", "Pendidikan", {"T-KURIK": 3}, 32, None, "guru", False),
    ("Kurikulum Merdeka di SMA dan SMK", "Pendidikan", {"T-KURIK": 3, "M-MP": 2}, 32, None,
     "guru", False),
    ("Asesmen Pembelajaran dan Projek Penguatan Profil Pelajar", "Pendidikan", {"T-KURIK": 2},
     24, None, "guru", False),
    ("Pemanfaatan Teknologi dalam Pembelajaran", "Pendidikan", {"T-LITDIG": 3, "T-KURIK": 2},
     20, None, "guru", False),
    ("Bimbingan Konseling dan Pencegahan Perundungan", "Pendidikan", {"M-PP": 2}, 16, None,
     "guru", False),
    ("Keselamatan Pasien dan Pencegahan Infeksi", "Kesehatan", {"T-KESPOL": 2}, 16, 24,
     "perawat", False),
    ("Bantuan Hidup Dasar", "Kesehatan", {"T-KESPOL": 2}, 12, 24, "perawat", False),
    ("Kebijakan Jaminan Kesehatan Nasional", "Kesehatan", {"T-KESPOL": 3, "M-PP": 2}, 12, None,
     "dokter", False),
    ("Surveilans dan Penanggulangan Penyakit Menular", "Kesehatan", {"T-KESPOL": 3}, 20, None,
     "dokter", False),
    ("Asuhan Kebidanan Terkini", "Kesehatan", {"T-KESPOL": 2}, 16, 36, "bidan", False),
    ("Pengelolaan Arsip Dinamis dan Statis", "Manajemen", {"T-LITDIG": 2}, 16, None,
     "arsiparis", False),
    ("Keamanan Siber dan Penanganan Insiden", "Teknologi Informasi", {"T-KAMINFO": 3}, 24, 24,
     "pranata_komputer", False),
    ("Pengembangan Aplikasi Layanan Publik", "Teknologi Informasi",
     {"T-LITDIG": 3, "T-MPROY": 2}, 24, None, "pranata_komputer", False),
    ("Analisis Data dan Statistik Sektoral", "Teknologi Informasi", {"T-LITDIG": 3}, 16, None,
     None, False),
    ("Penyuluhan Pertanian Berbasis Digital", "Pertanian dan Lingkungan",
     {"T-LITDIG": 2, "M-KOM": 2}, 16, None, "penyuluh", False),
    ("Penegakan Peraturan Daerah yang Humanis", "Pelayanan Publik", {"M-PP": 2, "M-INT": 2}, 16,
     None, "polisi_pp", False),
    ("Pengelolaan Perpustakaan Berbasis Inklusi Sosial", "Pelayanan Publik", {"M-PP": 2}, 12,
     None, "pustakawan", False),
    ("Komunikasi Efektif dan Public Speaking", "Pelayanan Publik", {"M-KOM": 3}, 12, None, None,
     False),
    ("Penulisan Naskah Dinas dan Tata Persuratan", "Manajemen", {"M-KOM": 2}, 8, None, None,
     False),
    ("Kerja Sama Tim dan Kolaborasi Antar Perangkat Daerah", "Manajemen", {"M-KS": 3}, 8, None,
     None, False),
    ("Inovasi Pelayanan Publik", "Pelayanan Publik", {"M-MP": 3, "M-PP": 3}, 16, None, None,
     False),
    ("Pengambilan Keputusan Berbasis Data", "Manajemen", {"M-PK": 3, "T-LITDIG": 2}, 12, None,
     None, False),
    ("Manajemen Perubahan dan Reformasi Birokrasi", "Manajemen", {"M-MP": 3}, 12, None, None,
     False),
    ("Penanggulangan Bencana dan Kesiapsiagaan", "Pertanian dan Lingkungan",
     {"T-MPROY": 2, "M-PK": 2}, 16, None, None, False),
    ("Pengelolaan Lingkungan Hidup dan Perizinan", "Pertanian dan Lingkungan", {"T-MPROY": 2},
     16, None, None, False),
)  # fmt: skip
#: variants that turn the topics above into more courses: (title suffix, level step)
VARIANTS: tuple[tuple[str, int], ...] = (
    ("", 0),
    ("Tingkat Lanjut", 1),
    ("Studi Kasus Daerah", 0),
    ("untuk Pimpinan Unit", 1),
    ("Penyegaran", 0),
)
MODULES = ("Konsep dan Kebijakan", "Penerapan di Perangkat Daerah", "Praktik dan Refleksi")
LESSONS = (
    ("Pengantar", "Mengapa materi ini penting bagi ASN"),
    ("Landasan hukum dan kebijakan", "Peraturan yang menjadi dasar"),
    ("Langkah-langkah penerapan", "Cara menerapkannya di unit kerja"),
    ("Studi kasus", "Pengalaman perangkat daerah lain"),
    ("Praktik baik", "Contoh yang dapat ditiru"),
    ("Rencana tindak lanjut", "Menyusun langkah setelah pelatihan"),
)
QUESTION_STEMS = (
    "Manakah pernyataan yang paling tepat tentang {topic}?",
    "Apa langkah pertama yang sebaiknya dilakukan dalam {topic}?",
    "Dalam {topic}, apa yang dimaksud dengan prinsip akuntabilitas?",
    "Seorang ASN menghadapi kendala dalam {topic}. Apa tindakan yang paling sesuai?",
    "Peraturan manakah yang menjadi dasar {topic}?",
    "Indikator keberhasilan {topic} yang paling relevan adalah …",
    "Manakah contoh penerapan {topic} yang benar di unit kerja?",
    "Apa risiko terbesar jika {topic} tidak dilaksanakan dengan baik?",
)
EXTERNAL_TRAININGS = (
    ("Pelatihan Kepemimpinan Pengawas (PKP)", "BPSDM Kementerian Dalam Negeri", 40, "M-PDOL"),
    ("Pelatihan Kepemimpinan Administrator (PKA)", "Lembaga Administrasi Negara", 40, "M-PK"),
    ("Sertifikasi Pengadaan Barang/Jasa Tingkat Dasar", "LKPP", 24, "T-KEUDA"),
    ("Bimtek Penyusunan Laporan Keuangan", "BPKP Perwakilan Provinsi", 16, "T-KEUDA"),
    ("Seminar Nasional Transformasi Digital Pemerintahan", "Kementerian Kominfo", 8, "T-LITDIG"),
    ("Workshop Manajemen Proyek", "Universitas Negeri setempat", 16, "T-MPROY"),
    ("Pelatihan Jabatan Fungsional", "Instansi Pembina Jabatan Fungsional", 30, None),
    ("Webinar Pelayanan Publik Inklusif", "Ombudsman RI", 4, "M-PP"),
)
EVALUATION_COMMENTS = (
    "Materi sangat bermanfaat untuk pekerjaan sehari-hari.",
    "Video kadang tersendat di jaringan kantor.",
    "Mohon ditambah contoh kasus dari daerah kami.",
    "Kuisnya sesuai dengan materi.",
    "Waktu pengerjaan terlalu singkat bersamaan dengan pekerjaan kantor.",
    "",
)
