"""Seeded synthetic Home Office extracts: the four bundled datasets and large benchmark versions.

Why synthetic: fivestar must be demonstrable and testable without any real
(personal or unpublished) data, yet the data must be realistic enough to
exercise every stage — skewed counts with small cells and published totals
for disclosure control, free text with planted personal data for scrubbing,
private individuals among suppliers, and a mix of source formats.

Everything is a pure function of ``(dataset_id, rows, seed)``: randomness comes
from ``numpy.random.Generator``s seeded from ``SeedSequence([seed, dataset,
chunk])`` and code lists are read from ``vocabularies/*.ttl`` in sorted order,
so the same arguments always give the same bytes. Data are generated in
chunks (a block of periods for aggregates, 100 000 rows for record datasets)
whose content does not depend on how many chunks are written, so 10 M rows can
be streamed to disk in bounded memory.

Large versions (``--rows``) keep primary keys unique:

* aggregates repeat the full cross-product (areas/nationalities × categories,
  totals included) for more consecutive quarters after 2023-Q1, so ``rows`` is
  rounded *up* to whole periods (572 rows per quarter for crime, 408 for visas;
  10 M rows of crime reach the year 6393 — synthetic, but well-formed);
* record datasets put 1 000 000 cases/payments in each calendar year from 2024,
  so identifiers gain digits (``FOI-2024-0999999``) but stay unique.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import paths

SEED = 20261122
CHUNK_ROWS = 100_000
#: Cases (FOI) or payments (spend) placed in one calendar year in large versions.
RECORDS_PER_YEAR = 1_000_000


@dataclass(frozen=True)
class Bundled:
    """Where and how a bundled extract is committed."""

    filename: str
    format: str
    rows: int | None
    sheet: str | None = None


#: The committed extracts: one per dataset, a mix of formats to exercise every reader.
BUNDLED: dict[str, Bundled] = {
    "police-recorded-crime": Bundled("police-recorded-crime.csv", "csv", None),
    "entry-clearance-visas": Bundled("entry-clearance-visas.xlsx", "xlsx", None, "grants"),
    "foi-requests": Bundled("foi-requests.csv", "csv", 400),
    "spend-over-25k": Bundled("spend-over-25k.parquet", "parquet", 500),
}
DATASET_IDS: tuple[str, ...] = tuple(BUNDLED)
#: Quarters in the bundled aggregate extracts (2023-Q1 .. 2024-Q4).
BUNDLED_QUARTERS = 8
FIRST_YEAR_AGGREGATE = 2023
FIRST_YEAR_RECORDS = 2024
#: Date columns per dataset (written as ISO dates in CSV, date32 in Parquet).
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "foi-requests": ("received_date", "response_date"),
    "spend-over-25k": ("payment_date",),
}


# --------------------------------------------------------------------------
# Code lists (one source of truth: vocabularies/*.ttl)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Codes:
    """A SKOS code list reduced to what the generator needs."""

    #: Notations of the non-total concepts, sorted.
    members: tuple[str, ...]
    #: Notation of the total concept (a top concept with narrower concepts), if any.
    total: str | None
    labels: dict[str, str]


@lru_cache(maxsize=16)
def codes(stem: str, vocab_dir: Path | None = None) -> Codes:
    """Read ``vocabularies/<stem>.ttl``; the total is the top concept others are broader to."""
    from rdflib import RDF, SKOS, Graph

    g = Graph()
    g.parse((vocab_dir or paths.VOCABULARIES_DIR) / f"{stem}.ttl", format="turtle")
    notation = {c: str(g.value(c, SKOS.notation)) for c in g.subjects(RDF.type, SKOS.Concept)}
    labels = {n: str(g.value(c, SKOS.prefLabel) or n) for c, n in notation.items()}
    totals = sorted(notation[c] for c in notation if (None, SKOS.broader, c) in g)
    if len(totals) > 1:
        raise ValueError(f"code list {stem}: the generator expects at most one total concept")
    total = totals[0] if totals else None
    members = tuple(sorted(n for n in notation.values() if n != total))
    return Codes(members=members, total=total, labels=labels)


def _rng(seed: int, dataset_id: str, *parts: int) -> np.random.Generator:
    """A generator keyed by seed, dataset and chunk, independent of call order."""
    ds = DATASET_IDS.index(dataset_id)
    return np.random.default_rng(np.random.SeedSequence([seed, ds, *parts]))


# --------------------------------------------------------------------------
# Aggregates
# --------------------------------------------------------------------------
#: Rough resident population (millions) per police force area; City of London is
#: weighted by its daytime population, which drives its crime.
_PFA_POP: dict[str, float] = {
    "E23000001": 8.9, "E23000002": 0.50, "E23000003": 1.5, "E23000004": 1.4,
    "E23000005": 2.9, "E23000006": 1.07, "E23000007": 1.5, "E23000008": 0.65,
    "E23000009": 0.83, "E23000010": 2.3, "E23000011": 1.4, "E23000012": 0.93,
    "E23000013": 0.57, "E23000014": 2.9, "E23000015": 1.1, "E23000016": 1.3,
    "E23000017": 0.60, "E23000018": 1.05, "E23000019": 1.2, "E23000020": 0.77,
    "E23000021": 1.1, "E23000022": 0.76, "E23000023": 0.86, "E23000024": 0.92,
    "E23000025": 0.76, "E23000026": 0.68, "E23000027": 1.2, "E23000028": 1.8,
    "E23000029": 2.4, "E23000030": 2.0, "E23000031": 1.2, "E23000032": 1.9,
    "E23000033": 1.7, "E23000034": 0.05, "E23000035": 1.8, "E23000036": 1.7,
    "E23000037": 0.64, "E23000038": 0.73, "E23000039": 0.78,
    "W15000001": 0.70, "W15000002": 0.60, "W15000003": 1.3, "W15000004": 0.52,
}
_RURAL = {"E23000002", "E23000009", "E23000020", "E23000038", "E23000039", "W15000001",
          "E23000035", "E23000025", "E23000024", "W15000004"}
_URBAN = {"E23000001", "E23000005", "E23000014", "E23000010", "E23000004", "E23000034"}
#: Offences recorded per 1 000 people per quarter (England and Wales order of magnitude).
_OFFENCE_RATE: dict[str, float] = {
    "violence-against-the-person": 9.0, "sexual-offences": 0.65, "robbery": 0.2,
    "burglary": 1.0, "vehicle-offences": 1.0, "theft-offences": 3.5,
    "criminal-damage-and-arson": 2.2, "drug-offences": 0.7, "possession-of-weapons": 0.22,
    "public-order-offences": 2.3, "miscellaneous-crimes-against-society": 0.35,
    "fraud-and-computer-misuse": 0.012,
}
#: Base quarterly grants for the largest nationalities; others are drawn log-normally.
_VISA_BASE: dict[str, float] = {
    "IND": 120_000, "CHN": 90_000, "NGA": 40_000, "PAK": 30_000, "TUR": 20_000,
    "PHL": 15_000, "USA": 12_000, "ZAF": 9_000, "SAU": 8_000, "BGD": 8_000,
    "TON": 12, "BTN": 8, "FJI": 60, "LSO": 18, "BRB": 25, "MDV": 40, "ERI": 30,
    "SOM": 55, "MNG": 150, "MWI": 90,
}
_VISA_MIX = {"visit": 0.55, "study": 0.2, "work": 0.15, "family": 0.04, "other": 0.06}


def _quarter_labels(first: int, n: int) -> list[str]:
    return [f"{FIRST_YEAR_AGGREGATE + (q // 4)}-Q{q % 4 + 1}" for q in range(first, first + n)]


def _periods_for(rows: int | None, per_period: int) -> int:
    return BUNDLED_QUARTERS if rows is None else max(1, math.ceil(rows / per_period))


def _cube_with_totals(area: list[str], cats: list[str], counts: np.ndarray,
                      area_total: str, cat_total: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the category total column, then the area total row, so totals add up exactly."""
    counts = np.column_stack([counts, counts.sum(axis=1)])
    counts = np.vstack([counts, counts.sum(axis=0)])
    a = np.repeat(np.array([*area, area_total], dtype=object), len(cats) + 1)
    c = np.tile(np.array([*cats, cat_total], dtype=object), len(area) + 1)
    return a, c, counts.ravel()


def _crime_chunk(seed: int, first: int, n_periods: int) -> pd.DataFrame:
    areas_cl, off_cl = codes("police-force-areas"), codes("offence-groups")
    areas, offences = list(areas_cl.members), list(off_cl.members)
    static = _rng(seed, "police-recorded-crime", 0)
    pop = np.array([_PFA_POP[a] for a in areas]) * 1000  # thousands of people
    rate = np.array([_OFFENCE_RATE[o] for o in offences])
    mean = np.outer(pop, rate) * static.lognormal(0.0, 0.3, (len(areas), len(offences)))
    rob = offences.index("robbery")
    mean[:, rob] *= [0.12 if a in _RURAL else 2.5 if a in _URBAN else 1.0 for a in areas]
    seasonal = {1: 0.95, 2: 1.03, 3: 1.07, 4: 0.95}
    frames = []
    for q, period in zip(range(first, first + n_periods), _quarter_labels(first, n_periods),
                         strict=True):
        rng = _rng(seed, "police-recorded-crime", 1, q)
        trend = 1.0 + 0.01 * math.sin(q / 5)
        counts = rng.poisson(mean * seasonal[q % 4 + 1] * trend)
        # detailed cells only: the pipeline computes the margins from the spec
        a = np.repeat(np.array(areas, dtype=object), len(offences))
        c = np.tile(np.array(offences, dtype=object), len(areas))
        frames.append(pd.DataFrame({"period": period, "police_force_area": a,
                                    "offence_group": c,
                                    "count": counts.ravel().astype("int64")}))
    return pd.concat(frames, ignore_index=True)


def _visa_chunk(seed: int, first: int, n_periods: int) -> pd.DataFrame:
    nat_cl, cat_cl = codes("countries"), codes("visa-categories")
    nats, cats = list(nat_cl.members), list(cat_cl.members)
    static = _rng(seed, "entry-clearance-visas", 0)
    drawn = static.lognormal(np.log(900), 1.0, len(nats))
    base = np.array([_VISA_BASE.get(n, d) for n, d in zip(nats, drawn, strict=True)])
    mix = static.dirichlet([_VISA_MIX[c] * 20 for c in cats], len(nats))
    mean = base[:, None] * mix
    seasonal = {c: np.array([1.0, 1.0, 1.0, 1.0]) for c in cats}
    seasonal["study"] = np.array([0.5, 0.6, 2.2, 0.7])
    seasonal["visit"] = np.array([0.8, 1.1, 1.3, 0.8])
    frames = []
    for q, period in zip(range(first, first + n_periods), _quarter_labels(first, n_periods),
                         strict=True):
        rng = _rng(seed, "entry-clearance-visas", 1, q)
        season = np.array([seasonal[c][q % 4] for c in cats])
        lam = rng.gamma(5.0, mean * season / 5.0)  # over-dispersed: gamma-Poisson
        counts = rng.poisson(lam)
        a, c, v = _cube_with_totals(nats, cats, counts, nat_cl.total or "", cat_cl.total or "")
        frames.append(pd.DataFrame({"period": period, "nationality": a, "visa_category": c,
                                    "grants": v.astype("int64")}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------
# Personal-data building blocks (vectorised)
# --------------------------------------------------------------------------
FIRST_NAMES = np.array([
    "Jane", "Oliver", "Amelia", "Mohammed", "Priya", "George", "Isla", "Kwame", "Sophie", "Harry",
    "Fatima", "Jack", "Olivia", "Rhys", "Siobhan", "Tomasz", "Aisha", "Daniel", "Grace", "Arjun",
    "Chloe", "Liam", "Zara", "Ewan", "Megan", "Yusuf", "Hannah", "Callum", "Nia", "Samuel",
    "Agnieszka", "Oluwaseun", "Emily", "Rajesh", "Bethan", "Connor", "Leah", "Imran", "Freya",
    "Gareth",
], dtype=object)
LAST_NAMES = np.array([
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Patel", "Khan", "Okafor", "Nowak", "Roberts", "Hughes", "Campbell", "Singh", "Begum",
    "Ahmed", "Mensah", "Kowalski", "Murphy", "O'Connor", "MacLeod", "Fraser", "Chaudhry",
    "Adeyemi", "Walsh", "Pritchard", "Harrington", "Whitfield", "Ellison", "Ashworth",
    "Fairbairn", "Montgomery", "Lindqvist", "Oyelaran", "Bhattacharya", "Nakamura", "Rahman",
], dtype=object)
_EMAIL_DOMAINS = np.array(["gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com",
                           "hotmail.co.uk", "protonmail.com", "icloud.com", "sky.com"],
                          dtype=object)
#: Real outward codes across the UK; inward parts are drawn in the valid alphabet.
_OUTWARD = np.array([
    "SW1A", "SW1P", "EC1A", "E14", "N1", "NW3", "SE15", "W2", "CR0", "BR1", "M1", "M14",
    "B33", "B5", "LS6", "LS1", "S10", "L8", "NE1", "NE6", "BS8", "BS3", "CF10", "CF24",
    "SA1", "LL57", "NP20", "G12", "EH3", "AB10", "BT7", "OX4", "CB1", "NR2", "IP4", "PL4",
    "EX1", "TR1", "GU1", "RG1", "MK9", "LE1", "NG7", "DE1", "CV1", "WV1", "ST4", "HU5",
    "YO1", "DH1", "CA1", "LA1", "PR1", "BB1", "CH1", "WA1", "SY23", "LD1", "DT1", "SN1",
], dtype=object)
_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
_NINO_FIRST = np.array(list("ABCEGHJKLMNPRSTWXYZ"), dtype=object)
_NINO_SECOND = np.array(list("ABCEGHJKLMNPRSTWXYZ"), dtype=object)
_MONTHS = np.array(["January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"], dtype=object)


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n zero-padded random digit strings of ``width`` digits."""
    v = rng.integers(0, 10**width, n)
    return np.strings.zfill(v.astype(str), width).astype(object)


def _pick(rng: np.random.Generator, options: np.ndarray, n: int) -> np.ndarray:
    return options[rng.integers(0, len(options), n)]


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first, last = _pick(rng, FIRST_NAMES, n), _pick(rng, LAST_NAMES, n)
    return first, last, first + " " + last


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    n = len(first)
    f = np.char.lower(first.astype(str)).astype(object)
    ln = np.char.replace(np.char.lower(last.astype(str)), "'", "").astype(object)
    num = rng.integers(1, 99, n).astype(str).astype(object)
    style = rng.integers(0, 3, n)
    local = np.where(style == 0, f + "." + ln,
                     np.where(style == 1, np.char.add(np.array([s[:1] for s in f], dtype=str),
                                                      ln.astype(str)).astype(object) + num,
                              f + ln + num))
    return local + "@" + _pick(rng, _EMAIL_DOMAINS, n)


def _postcodes(rng: np.random.Generator, n: int) -> np.ndarray:
    inward = (rng.integers(0, 10, n).astype(str).astype(object)
              + _pick(rng, _INWARD_LETTERS, n) + _pick(rng, _INWARD_LETTERS, n))
    return _pick(rng, _OUTWARD, n) + " " + inward


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ofcom drama-range numbers (07700 900xxx, 020 7946 0xxx) in the usual written variants."""
    mob = _digits(rng, n, 3)
    land = _digits(rng, n, 3)
    style = rng.integers(0, 6, n)
    variants = [
        "07700 900" + mob, "+44 7700 900" + mob, "07700-900-" + mob, "+447700900" + mob,
        "020 7946 0" + land, "+44 (0)20 7946 0" + land,
    ]
    return np.choose(style, variants)


def _ninos(rng: np.random.Generator, n: int) -> np.ndarray:
    pre = _pick(rng, _NINO_FIRST, n) + _pick(rng, _NINO_SECOND, n)
    d = _digits(rng, n, 6)
    suf = _pick(rng, np.array(list("ABCD"), dtype=object), n)
    d2 = np.array([s[:2] for s in d], dtype=object)
    d4 = np.array([s[2:4] for s in d], dtype=object)
    d6 = np.array([s[4:] for s in d], dtype=object)
    spaced = pre + " " + d2 + " " + d4 + " " + d6 + " " + suf
    plain = pre + d + suf
    lower = np.char.lower(plain.astype(str)).astype(object)
    return np.choose(rng.integers(0, 3, n), [spaced, plain, lower])


def _dobs(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Dates of birth as written: (numeric form, words form)."""
    year = rng.integers(1945, 2006, n)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    ys, ms, ds = (a.astype(str).astype(object) for a in (year, month, day))
    mm = np.strings.zfill(month.astype(str), 2).astype(object)
    dd = np.strings.zfill(day.astype(str), 2).astype(object)
    numeric = np.where(rng.integers(0, 2, n) == 0,
                       dd + "/" + mm + "/" + ys, ys + "-" + mm + "-" + dd)
    words = ds + " " + _MONTHS[month - 1] + " " + ys
    return numeric, words


def _compose(rows: np.ndarray, pieces: tuple[str | np.ndarray, ...]) -> np.ndarray:
    """Concatenate text pieces and per-row arrays for the selected rows only."""
    out = np.full(len(rows), "", dtype=object)
    for piece in pieces:
        out = out + (piece if isinstance(piece, str) else piece[rows])
    return out


def _record_dates(rng: np.random.Generator, start: int, n: int) -> np.ndarray:
    """Sorted dates within the calendar year that row ``start`` falls in."""
    year = FIRST_YEAR_RECORDS + start // RECORDS_PER_YEAR
    days = 366 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 365
    offsets = np.sort(rng.integers(0, days, n))
    return np.datetime64(f"{year:04d}-01-01", "D") + offsets


# --------------------------------------------------------------------------
# FOI request log
# --------------------------------------------------------------------------
DIRECTORATES = ("Border Force", "Chief Operating Officer Group", "Crime, Policing and Fire Group",
                "HM Passport Office", "Homeland Security Group", "Immigration Enforcement",
                "Public Safety Group", "UK Visas and Immigration")
FOI_OUTCOMES = ("granted-in-full", "granted-in-part", "refused-exemption",
                "information-not-held", "withdrawn")
_FOI_TOPICS = np.array([
    "asylum claims lodged", "small boat arrivals detected", "passport applications received",
    "knife crime offences recorded", "visa applications refused", "enforced returns",
    "staff disciplinary cases", "complaints about Border Force", "police officers recruited",
    "modern slavery referrals", "deprivation of citizenship orders",
    "hotel rooms booked for asylum seekers",
], dtype=object)
_FOI_SITES = np.array(["Lunar House in Croydon", "the Sheffield office", "Heathrow Terminal 5",
                       "the Liverpool passport office", "Dover Eastern Docks", "2 Marsham Street"],
                      dtype=object)
#: Planted-data kinds, as the redaction stage's placeholders name them.
PII_KINDS = ("name", "email", "phone", "nino", "postcode", "gwf_ref", "passport", "date_of_birth")


def _foi_chunk(seed: int, start: int, n: int) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    rng = _rng(seed, "foi-requests", start // CHUNK_ROWS)
    received = _record_dates(rng, start, n)
    year = FIRST_YEAR_RECORDS + start // RECORDS_PER_YEAR
    seq = (start % RECORDS_PER_YEAR) + np.arange(1, n + 1)
    case_id = f"FOI-{year}-" + np.strings.zfill(seq.astype(str), 5).astype(object)
    first, last, name = _names(rng, n)
    email = _emails(rng, first, last)
    postcode = _postcodes(rng, n)
    # personal data planted in free text
    _, _, other_name = _names(rng, n)
    other_first, other_last, _ = _names(rng, n)
    other_email = _emails(rng, other_first, other_last)
    contact_email = np.where(rng.random(n) < 0.5, email, other_email)
    phone = _phones(rng, n)
    nino = _ninos(rng, n)
    text_postcode = np.where(rng.random(n) < 0.5, postcode, _postcodes(rng, n))
    text_postcode = np.where(rng.random(n) < 0.2,
                             np.char.replace(text_postcode.astype(str), " ", "").astype(object),
                             text_postcode)
    gwf = "GWF" + _digits(rng, n, 9)
    passport = (rng.integers(1, 10, n).astype(str).astype(object) + _digits(rng, n, 8))
    dob_num, dob_words = _dobs(rng, n)
    honorific = _pick(rng, np.array(["Mr", "Mrs", "Ms", "Dr"], dtype=object), n)
    # ordinary numbers and dates of events that must survive redaction
    topic = _pick(rng, _FOI_TOPICS, n)
    yr_int = rng.integers(2015, 2025, n)
    yr = yr_int.astype(str).astype(object)
    yr_next = (yr_int + 1).astype(str).astype(object)
    event = (rng.integers(1, 29, n).astype(str).astype(object) + " "
             + _pick(rng, _MONTHS, n) + " " + yr)
    staff = rng.integers(40, 4000, n).astype(str).astype(object)
    site = _pick(rng, _FOI_SITES, n)
    q = rng.integers(1, 5, n).astype(str).astype(object)

    # each template: its pieces (text or per-row arrays) and the personal data it plants;
    # composed only for the rows that use it, so memory stays proportional to the chunk
    templates: list[tuple[tuple[str | np.ndarray, ...], dict[str, np.ndarray]]] = [
        (("My name is ", name, " and my NI number is ", nino,
          ". Please send me all records the Home Office holds about me."),
         {"name": name, "nino": nino}),
        (("I applied for a visa (reference ", gwf, ") and want to know how my application "
          "was handled. Contact me on ", phone, " or ", contact_email, "."),
         {"gwf_ref": gwf, "phone": phone, "email": contact_email}),
        (("Please confirm what information you hold on ", name, ", date of birth ", dob_num,
          ", passport number ", passport, "."),
         {"name": name, "date_of_birth": dob_num, "passport": passport}),
        (("Request for the number of ", topic, " in ", yr, ". If anything is unclear please "
          "ring me on ", phone, ". Regards, ", name),
         {"phone": phone, "name": name}),
        (("I live at ", text_postcode, " and would like to know how many ", topic,
          " were recorded in my area in ", yr, ". Reply to ", contact_email, "."),
         {"postcode": text_postcode, "email": contact_email}),
        (("I am writing on behalf of my client ", honorific, " ", other_name, " (born ",
          dob_words, ", NINO ", nino, "). Please disclose the Home Office file on them."),
         {"name": other_name, "date_of_birth": dob_words, "nino": nino}),
        (("Copy of correspondence sent to ", contact_email, " about my passport application "
          "(passport no. ", passport, ") and my partner's visa ", gwf, "."),
         {"email": contact_email, "passport": passport, "gwf_ref": gwf}),
        # clean summaries: numbers, years and event dates that are not personal data
        (("Please provide the number of ", topic, " in ", yr, ", broken down by quarter."), {}),
        (("How much did the Home Office spend on ", topic, " between April ", yr,
          " and March ", yr_next, "? Please give monthly figures."), {}),
        (("Please send the minutes of the meeting held on ", event, " about ", topic, "."), {}),
        (("How many of the ", staff, " staff at ", site, " worked overtime in ", yr, "?"), {}),
        (("What was the average processing time for ", topic, " in Q", q, " ", yr,
          "? Figures for 2019 to 2023 would also help."), {}),
    ]
    weights = np.array([1.0, 1.0, 0.8, 1.0, 1.0, 0.6, 0.6, 1.6, 1.0, 1.0, 0.8, 0.8])
    which = rng.choice(len(templates), n, p=weights / weights.sum())
    summary = np.empty(n, dtype=object)
    planted: dict[str, set[str]] = {k: set() for k in PII_KINDS}
    for k, (pieces, used) in enumerate(templates):
        rows = np.flatnonzero(which == k)
        summary[rows] = _compose(rows, pieces)
        for kind, values in used.items():
            planted[kind].update(values[rows].tolist())
    planted["name"].update(name.tolist())
    planted["email"].update(email.tolist())
    planted["postcode"].update(postcode.tolist())

    # handling: older cases are mostly closed; recent ones may be open or on hold
    age = (received[-1] - received).astype(int) if n else np.zeros(0, dtype=int)
    p_closed = np.clip(0.55 + age / 120, 0, 0.97)
    u = rng.random(n)
    status = np.where(u < p_closed, "closed", np.where(u < p_closed + 0.03, "on-hold", "open"))
    closed = status == "closed"
    late = rng.random(n) < 0.12
    days = np.where(late, rng.integers(21, 95, n), rng.integers(3, 29, n))
    outcome_w = rng.choice(len(FOI_OUTCOMES), n, p=[0.38, 0.27, 0.17, 0.14, 0.04])
    outcome = np.array(FOI_OUTCOMES, dtype=object)[outcome_w]
    df = pd.DataFrame({
        "case_id": case_id,
        "received_date": pd.to_datetime(received),
        "requester_name": name,
        "requester_email": email,
        "requester_postcode": postcode,
        "request_summary": summary,
        "directorate": _pick(rng, np.array(DIRECTORATES, dtype=object), n),
        "status": status.astype(object),
        "outcome": np.where(closed, outcome, None),
        "response_date": pd.to_datetime(np.where(closed, received + days, np.datetime64("NaT"))),
        "days_to_respond": pd.array(np.where(closed, days, 0), dtype="Int64"),
    })
    df.loc[~closed, "days_to_respond"] = pd.NA
    for col in ("case_id", "requester_name", "requester_email", "requester_postcode",
                "request_summary", "directorate", "status", "outcome"):
        df[col] = df[col].astype(object)
    return df, planted


# --------------------------------------------------------------------------
# Spend over £25,000
# --------------------------------------------------------------------------
ENTITIES = ("Border Force", "HM Passport Office", "Home Office", "Immigration Enforcement",
            "UK Visas and Immigration")
EXPENSE_TYPES = ("Accommodation", "Consultancy", "Detention and escorting services",
                 "Estates and rent", "Facilities management", "Grants", "IT services",
                 "Interpreting and translation", "Legal services", "Security services",
                 "Staff training", "Vehicles and fuel")
EXPENSE_AREAS = ("Asylum Support", "Border Operations", "Corporate Services",
                 "Digital, Data and Technology", "Estates", "Immigration Enforcement Operations",
                 "Legal Advisers", "Passport Production", "Policing Grants")
#: Fictional organisations: (name, supplier_type, postcode, expense_type, expense_area).
_ORG_SUPPLIERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Albion Facilities Management plc", "company", "EC2M 4YE", "Facilities management", "Estates"),
    ("Harbourline Accommodation Services Ltd", "company", "M3 3EB", "Accommodation",
     "Asylum Support"),
    ("Northgate Secure Systems Ltd", "company", "RG1 1AZ", "IT services",
     "Digital, Data and Technology"),
    ("Brightwater Digital Ltd", "company", "LS1 4DL", "IT services",
     "Digital, Data and Technology"),
    ("Kestrel Escorting Services Ltd", "company", "CR0 2RH", "Detention and escorting services",
     "Immigration Enforcement Operations"),
    ("Meridian Secure Print Ltd", "company", "NP20 2GA", "Consultancy", "Passport Production"),
    ("Stonebridge Consulting LLP", "company", "WC2N 5DU", "Consultancy", "Corporate Services"),
    ("Portway Fleet Solutions Ltd", "company", "CT16 1JA", "Vehicles and fuel",
     "Border Operations"),
    ("Sentinel Guarding Ltd", "company", "B4 6AT", "Security services", "Border Operations"),
    ("Lingua Bridge Translation Ltd", "company", "BS1 4ST", "Interpreting and translation",
     "Asylum Support"),
    ("Government Property Agency", "public-body", "SW1P 4DF", "Estates and rent", "Estates"),
    ("Crown Commercial Service", "public-body", "L3 9PP", "Consultancy", "Corporate Services"),
    ("Kent County Council", "public-body", "ME14 1XQ", "Grants", "Asylum Support"),
    ("Metropolitan Police Service", "public-body", "SW1A 2JL", "Grants", "Policing Grants"),
    ("Civil Service Learning Partnership", "public-body", "S1 2GU", "Staff training",
     "Corporate Services"),
    ("Harbour Light Refugee Trust", "charity", "N7 8LT", "Grants", "Asylum Support"),
    ("Northern Victims Support Charity", "charity", "NE1 4XF", "Grants", "Policing Grants"),
    ("Safe Haven Housing Association", "charity", "G2 4JR", "Accommodation", "Asylum Support"),
)
_INDIVIDUAL_ROLES = (("Interpreting and translation", "Asylum Support", "Interpreting services"),
                     ("Legal services", "Legal Advisers", "Counsel's fees"),
                     ("Consultancy", "Digital, Data and Technology", "Contractor day rate"))


def _spend_chunk(seed: int, start: int, n: int) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    # a fixed pool of private individuals (same people in every chunk)
    pool_rng = _rng(seed, "spend-over-25k", 10**9)
    pool_n = 30
    _, _, pname = _names(pool_rng, pool_n)
    title = _pick(pool_rng, np.array(["", "", "Dr ", "Ms ", "Mr "], dtype=object), pool_n)
    role = pool_rng.integers(0, len(_INDIVIDUAL_ROLES), pool_n)
    ppost = _postcodes(pool_rng, pool_n)

    rng = _rng(seed, "spend-over-25k", start // CHUNK_ROWS)
    dates = _record_dates(rng, start, n)
    year = FIRST_YEAR_RECORDS + start // RECORDS_PER_YEAR
    seq = (start % RECORDS_PER_YEAR) + np.arange(1, n + 1)
    tid = f"HO-{year}-" + np.strings.zfill(seq.astype(str), 6).astype(object)
    is_ind = rng.random(n) < 0.09
    org = rng.integers(0, len(_ORG_SUPPLIERS), n)
    who = rng.integers(0, pool_n, n)
    orgs = np.array(_ORG_SUPPLIERS, dtype=object)
    roles = np.array(_INDIVIDUAL_ROLES, dtype=object)
    supplier = np.where(is_ind, title[who] + pname[who], orgs[org, 0])
    stype = np.where(is_ind, "individual", orgs[org, 1])
    spost = np.where(is_ind, ppost[who], orgs[org, 2])
    etype = np.where(is_ind, roles[role[who], 0], orgs[org, 3])
    earea = np.where(is_ind, roles[role[who], 1], orgs[org, 4])
    amount = np.where(is_ind, 25_000 + rng.lognormal(8.5, 1.0, n),
                      25_000 + rng.lognormal(10.8, 1.4, n))
    amount = np.round(np.minimum(amount, 40_000_000), 2)
    month = _MONTHS[dates.astype("datetime64[M]").astype(int) % 12]
    ref = "PO" + _digits(rng, n, 7)
    # officials named in free text carry a title, as they do in finance systems
    _, _, staff_name = _names(rng, n)
    staff_title = _pick(rng, np.array(["Mr", "Mrs", "Ms", "Dr"], dtype=object), n)
    sf, sl, _ = _names(rng, n)
    staff_email = np.char.lower((sf + "." + sl).astype(str)).astype(object)
    staff_email = np.char.replace(staff_email.astype(str), "'", "").astype(object) \
        + "@homeoffice.gov.uk"
    kind = rng.random(n)
    description = np.where(
        is_ind, np.where(kind < 0.5, roles[role[who], 2] + " - " + supplier + ", " + month,
                         roles[role[who], 2] + " " + month + " " + str(year)),
        np.where(kind < 0.55, etype + " - " + month + " " + str(year) + " invoice",
                 np.where(kind < 0.85, "Contract payment " + ref,
                          np.where(kind < 0.93, "Invoice query: contact " + staff_email,
                                   "Approved by " + staff_title + " " + staff_name + ", "
                                   + etype))))
    planted: dict[str, set[str]] = {k: set() for k in PII_KINDS}
    ind_desc = is_ind & (kind < 0.5)
    planted["name"].update(pname[who][is_ind].tolist())
    planted["postcode"].update(ppost[who][is_ind].tolist())
    planted["email"].update(staff_email[(~is_ind) & (kind >= 0.85) & (kind < 0.93)].tolist())
    planted["name"].update(staff_name[(~is_ind) & (kind >= 0.93)].tolist())
    planted["name"].update(pname[who][ind_desc].tolist())
    # an organisation's address is not personal data: never count it as planted
    planted["postcode"] -= {o[2] for o in _ORG_SUPPLIERS}
    df = pd.DataFrame({
        "transaction_id": tid,
        "payment_date": pd.to_datetime(dates),
        "entity": _pick(rng, np.array(ENTITIES, dtype=object), n),
        "expense_type": etype,
        "expense_area": earea,
        "supplier_name": supplier,
        "supplier_type": stype,
        "supplier_postcode": spost,
        "amount": amount.astype("float64"),
        "description": description,
    })
    for col in df.columns:
        if df[col].dtype == object or str(df[col].dtype).startswith("str"):
            df[col] = df[col].astype(object)
    return df, planted


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def _check(dataset_id: str) -> None:
    if dataset_id not in BUNDLED:
        raise ValueError(f"unknown dataset {dataset_id!r}; choose from {', '.join(DATASET_IDS)}")


def _chunks(dataset_id: str, rows: int | None, seed: int
            ) -> Iterator[tuple[pd.DataFrame, dict[str, set[str]]]]:
    """The dataset as consecutive chunks; content does not depend on the chunking."""
    _check(dataset_id)
    if dataset_id in ("police-recorded-crime", "entry-clearance-visas"):
        fn = _crime_chunk if dataset_id == "police-recorded-crime" else _visa_chunk
        per_period = len(fn(seed, 0, 1))
        total = _periods_for(rows, per_period)
        step = max(1, CHUNK_ROWS // per_period)
        for first in range(0, total, step):
            yield fn(seed, first, min(step, total - first)), {}
        return
    n_rows = rows if rows is not None else BUNDLED[dataset_id].rows or 0
    fn2 = _foi_chunk if dataset_id == "foi-requests" else _spend_chunk
    for start in range(0, n_rows, CHUNK_ROWS):
        yield fn2(seed, start, min(CHUNK_ROWS, n_rows - start))


def generate(dataset_id: str, rows: int | None = None, seed: int = SEED) -> pd.DataFrame:
    """The synthetic extract as a DataFrame (columns in Table Schema order).

    ``rows=None`` gives the bundled size. Aggregates round ``rows`` up to whole
    quarters so every period keeps its totals.
    """
    frames = [df for df, _ in _chunks(dataset_id, rows, seed)]
    return pd.concat(frames, ignore_index=True)


def planted_personal_values(dataset_id: str, rows: int | None = None,
                            seed: int = SEED) -> dict[str, set[str]]:
    """Every personal value the generator put into the extract, by kind (for redaction tests).

    Kinds are :data:`PII_KINDS`. Values are exactly as written (a name is
    ``"First Last"``, so it is also found inside ``"Dr First Last"``). Empty for
    aggregates. Kept out of the public data: tests regenerate it.
    """
    out: dict[str, set[str]] = {k: set() for k in PII_KINDS}
    for _, planted in _chunks(dataset_id, rows, seed):
        for kind, values in planted.items():
            out[kind] |= values
    return out


def _arrow(dataset_id: str, df: pd.DataFrame) -> pa.Table:
    table = pa.Table.from_pandas(df, preserve_index=False)
    for col in DATE_COLUMNS.get(dataset_id, ()):
        i = table.schema.get_field_index(col)
        table = table.set_column(i, col, table.column(col).cast(pa.date32()))
    return table.replace_schema_metadata(None)


def _csv_text(dataset_id: str, df: pd.DataFrame, header: bool = True) -> str:
    out = df.copy()
    for col in DATE_COLUMNS.get(dataset_id, ()):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, header=header, lineterminator="\n")


_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_FIXED_ISO = "2026-01-01T00:00:00Z"


def _xlsx_bytes(df: pd.DataFrame, sheet: str) -> bytes:
    """An XLSX with fixed timestamps (zip entries and document properties) so bytes repeat."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(df.columns))
    for row in df.itertuples(index=False, name=None):
        ws.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    raw = io.BytesIO()
    wb.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              rb"\g<1>" + _FIXED_ISO.encode() + rb"\g<3>", data)
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


def write_extract(dataset_id: str, df: pd.DataFrame, path: Path | str,
                  format: str | None = None) -> Path:  # noqa: A002 - the spec's word
    """Write ``df`` as the dataset's extract: csv, xlsx or parquet (default: by suffix)."""
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path.write_text(_csv_text(dataset_id, df), encoding="utf-8", newline="")
    elif fmt == "parquet":
        pq.write_table(_arrow(dataset_id, df), path, compression="zstd")
    elif fmt == "xlsx":
        sheet = BUNDLED[dataset_id].sheet if dataset_id in BUNDLED else None
        path.write_bytes(_xlsx_bytes(df, sheet or "data"))
    else:
        raise ValueError(f"unsupported format {fmt!r}; use csv, xlsx or parquet")
    return path


def bundled_path(dataset_id: str, datasets_dir: Path | None = None) -> Path:
    """Where the committed extract of a bundled dataset lives."""
    _check(dataset_id)
    return (datasets_dir or paths.DATASETS_DIR) / dataset_id / BUNDLED[dataset_id].filename


def write_bundled(datasets_dir: Path | None = None, seed: int = SEED) -> list[Path]:
    """Regenerate every committed extract exactly (default seed and bundled sizes)."""
    written = []
    for dataset_id in DATASET_IDS:
        b = BUNDLED[dataset_id]
        df = generate(dataset_id, b.rows, seed)
        written.append(write_extract(dataset_id, df, bundled_path(dataset_id, datasets_dir),
                                     b.format))
    return written


def write_large(dataset_id: str, rows: int, path: Path | str, seed: int = SEED,
                format: str | None = None) -> Path:  # noqa: A002
    """Stream a large extract to ``path`` chunk by chunk (bounded memory; csv or parquet)."""
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "parquet"):
        raise ValueError("large extracts are written as csv or parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    writer: pq.ParquetWriter | None = None
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as text:
            for i, (df, _) in enumerate(_chunks(dataset_id, rows, seed)):
                if fmt == "csv":
                    text.write(_csv_text(dataset_id, df, header=i == 0))
                    continue
                table = _arrow(dataset_id, df)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m fivestar_dev.generate`` [--dataset ID --rows N --out PATH] [--seed S]."""
    ap = argparse.ArgumentParser(prog="python -m fivestar_dev.generate",
                                 description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--dataset", choices=DATASET_IDS)
    ap.add_argument("--rows", type=int)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--planted", type=Path,
                    help="also write the planted personal values as JSON here (tests only)")
    args = ap.parse_args(argv)
    if args.rows is None and args.dataset is None:
        for p in write_bundled(seed=args.seed):
            print(p)
        return 0
    if not args.dataset or not args.out:
        ap.error("--rows needs --dataset and --out")
    if args.rows is None:
        write_extract(args.dataset, generate(args.dataset, None, args.seed), args.out)
    else:
        write_large(args.dataset, args.rows, args.out, seed=args.seed)
    if args.planted:
        planted = planted_personal_values(args.dataset, args.rows, args.seed)
        args.planted.write_text(json.dumps({k: sorted(v) for k, v in planted.items()}, indent=1))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
