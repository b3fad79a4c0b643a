"""An eighth evaluation corpus: clinical, court and parliamentary text, frozen before scoring.

The seven corpora before it are local-government, NHS-complaint and Home Office
writing. This one was written in session 13, **before any scrubber change of
that session, and scored once blind** (the first figure in
docs/names-evaluation.md is that score), in writers none of them has:

* **Writers**: NHS clinic letters (Dear Dr …, Re: patient, cc lines, a
  consultant's sign-off), ward handover notes, employment tribunal
  judgments, magistrates' court registers ("R v SURNAME, First"),
  parliamentary written questions and MPs' casework about constituents,
  SEND / EHCP review notes, safeguarding strategy meetings, helpline call
  summaries (some in lower case), housing allocation panels, and letters
  scanned by OCR (hard line breaks every 50–70 characters, so a name can be
  split by a line break in mid-sentence).
* **Names**, held-out only (every part, :func:`pipelines.redaction.holdout.held_out`),
  written for this corpus from no package: Yoruba, Igbo, Akan, Filipino,
  Brazilian Portuguese, Turkish, Polish, Greek, Japanese, Korean, Nepali,
  Punjabi, Bengali, Hebrew, Lithuanian, Hungarian, Caribbean and English
  names, and names that are English words.
* **Forms**: "First Last", "Surname, First", "SURNAME First", "Dr Surname",
  "F. Surname", "First" alone, "Surname" alone, all capitals, lower case, a
  line break between the two halves.
* **Clean text** with hard negatives: eponymous conditions and procedures
  (Parkinson's disease, Hodgkin lymphoma, a Whipple procedure), drugs
  capitalised, hospitals and wards named after people (Keats Ward, Florence
  Nightingale Ward, Alder Hey), courts, Acts, constituencies, schools named
  after people (Thomas Tallis School), ministries and parliamentary forms,
  capitalised headings, and the English words the names above are, used as
  words.

Rebuild (same seed, same file): ``python -m benchmarks.names.corpus_eighth --build``.
"""

from __future__ import annotations

import random
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.names import frozen
from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent
FROZEN = HERE / "corpus_eighth.json.gz"
SEED = 8008


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


_W = str.split
#: {origin: (given names, family names)}, written for this corpus; only held-out ones are used.
HAND: dict[str, tuple[list[str], list[str]]] = {
    "yoruba": (_W(
        "Adebayo Adeola Adewale Ayodele Babatunde Bolaji Damilola Folake Funmilayo Ifeoluwa "
        "Kehinde Taiwo Oluwaseun Olumide Opeyemi Oreoluwa Temitope Tolulope Yetunde Abimbola "
        "Adetokunbo Ayomide Bukola Dayo Femi Gbenga Jumoke Kayode Lanre Moyosore Niyi "
        "Olamide Oladipo Segun Sola Tunde Wale Yinka Toyin Titilayo Modupe Morenike"), _W(
        "Adeyemi Adebayo Ogunleye Oyelaran Akinola Afolabi Balogun Ogunbiyi Oladipo "
        "Olawale Oyewole Adeleke Adesanya Ajayi Akande Alabi Bamidele Fashola Ibikunle "
        "Ogundipe Okunola Olatunji Oyebanji Salako Sowande Adekunle Odunsi Olaniyan "
        "Ogunlesi Adewumi Abiodun Aderinto Akintola Babalola Coker Durojaiye Fadahunsi")),
    "igbo": (_W(
        "Chukwuemeka Chidi Chinedu Chiamaka Chioma Ngozi Nneka Obinna Ikenna Ifeanyi "
        "Uchenna Amaka Adaeze Chinonso Ebuka Kelechi Nnamdi Obiageli Somto Tochukwu "
        "Uzoma Chidinma Ezinne Ijeoma Nkechi Onyinye Chibuike Emeka Kosisochukwu Ugochi"), _W(
        "Okafor Okonkwo Nwosu Eze Obi Onyeka Nwachukwu Okeke Uzor Chukwu Anyanwu Ibe Nnaji "
        "Ogbonna Okoro Onuoha Ugwu Agu Ezeh Nwankwo Ilodibe Obiora Okoye Nwafor Mbah "
        "Ekwueme Ndukwe Onwuzurike Iwuchukwu Ejiofor")),
    "akan": (_W(
        "Kwame Kwaku Kofi Kwabena Kwadwo Yaw Kwasi Akosua Adwoa Abena Akua Yaa Afua Ama "
        "Efua Esi Kojo Ekow Kobina Nana Akwasi Adjoa Afia Araba Ewurabena Fiifi Kakra"), _W(
        "Mensah Asante Boateng Owusu Osei Appiah Agyeman Ofori Opoku Darko Amoah Acheampong "
        "Addo Antwi Asamoah Badu Bonsu Danquah Frimpong Gyasi Kufuor Nkrumah Ampofo "
        "Sarpong Tetteh Quaye Quartey Nyarko Yeboah Adjei Amponsah")),
    "filipino": (_W(
        "Maricel Rowena Jocelyn Marites Rodel Jhun Arnel Ramil Rommel Jomar Jerome Lorna "
        "Analyn Jennylyn Rosalie Marivic Cherrie Ronaldo Reynaldo Rogelio Bienvenido "
        "Lualhati Dalisay Ligaya Mayumi Jun-Jun Bong Nonoy Imelda Corazon Teodoro"), _W(
        "Dela Cruz Bautista Villanueva Macaraeg Manalastas Dimaculangan Pangilinan Sison "
        "Tolentino Mendoza Soriano Aquino Lacson Panganiban Dizon Magbanua Maglaya "
        "Batungbakal Mangubat Salonga Tuazon Cabrera Ocampo Gatchalian Malabanan Lagman "
        "Quisumbing Buenaventura Agbayani Palad")),
    "brazilian": (_W(
        "João Thiago Rodrigo Gustavo Leandro Fabiano Vinícius Caio Otávio Rafaela Luana "
        "Thaís Letícia Juliana Camila Bruna Jéssica Larissa Gabriela Natália Fernanda "
        "Priscila Adriana Cláudia Renata Wellington Washington Cleiton Edivaldo Jadson"), _W(
        "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Ribeiro "
        "Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento "
        "Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso Teixeira Cavalcanti "
        "Magalhães Figueiredo Guimarães Siqueira Albuquerque")),
    "turkish": (_W(
        "Mehmet Mustafa Ahmet Hüseyin Hasan İbrahim Murat Emre Burak Serkan Volkan Gökhan "
        "Tuncay Ufuk Oğuz Ayşe Fatma Emine Hatice Zeynep Elif Gülşen Sevgi Derya Ebru "
        "Özlem Songül Yeliz Dilek Nurcan Tülay Berkay Çağrı Barış Kıvanç"), _W(
        "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan "
        "Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Korkmaz Karataş Erdoğan "
        "Güneş Bulut Aksoy Tekin Uçar Avcı Türkmen Bozkurt Karadağ Akgül")),
    "polish": (_W(
        "Krzysztof Grzegorz Łukasz Przemysław Wojciech Mariusz Dariusz Sławomir Jarosław "
        "Zbigniew Bartosz Kacper Szymon Agnieszka Małgorzata Katarzyna Joanna Beata "
        "Grażyna Bożena Jadwiga Dorota Ewelina Justyna Magdalena Weronika Zofia"), _W(
        "Kowalczyk Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak "
        "Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski "
        "Nowakowski Pawłowski Michalski Nowicki Adamczyk Dudek Zając Wieczorek Jabłoński "
        "Król Majewski Olszewski Jaworski Wróbel Malinowski Pawlak Witkowski Walczak")),
    "greek": (_W(
        "Georgios Konstantinos Dimitrios Ioannis Nikolaos Panagiotis Vasilios Christos "
        "Athanasios Evangelos Spyridon Stavros Charalambos Eleftheria Vasiliki Aikaterini "
        "Paraskevi Anastasia Despina Stavroula Chrysoula Panagiota Kalliopi Theodora"), _W(
        "Papadopoulos Papadakis Georgiou Nikolaidis Konstantinidis Antoniou Dimitriou "
        "Karagiannis Vlachos Oikonomou Christodoulou Pappas Makris Theodorou Michailidis "
        "Stavropoulos Alexiou Koutsoukos Panagiotopoulos Kyriakou Zervas Lambrakis "
        "Mavridis Tsakalidis Hatzidakis Charalambous Demetriades")),
    "japanese": (_W(
        "Haruto Sota Yuto Riku Hinata Kaito Takumi Daiki Kenta Shota Yuki Haruka Sakura "
        "Yui Aoi Mio Rin Hina Misaki Nanami Ayaka Kaori Megumi Tomoko Noriko Hiroshi "
        "Takeshi Kazuo Masaru Akihiro"), _W(
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato "
        "Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki "
        "Mori Ikeda Hashimoto Ishikawa Ogawa Okada Fujita Goto Hasegawa Murakami")),
    "korean": (_W(
        "Minjun Seojun Doyun Yejun Siwoo Hajun Jiho Jiwoo Seoyeon Seoyun Jiwoo Haeun "
        "Minseo Jiyoon Chaewon Sooah Jihye Eunji Hyejin Sungmin Jaehyun Donghyun "
        "Youngsoo Kyungsoo Myungho Seunghee"), _W(
        "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song "
        "Jeon Hong Yoo Ko Moon Yang Son Bae Baek Heo Nam Noh")),
    "nepali": (_W(
        "Bishnu Krishna Ram Hari Gopal Suresh Ramesh Dinesh Prakash Bikash Sagar Sujan "
        "Anish Pratik Sita Gita Laxmi Sarita Sunita Anita Kamala Bimala Sabina Pooja "
        "Srijana Rojina Manisha"), _W(
        "Gurung Tamang Magar Rai Limbu Sherpa Thapa Shrestha Adhikari Bhattarai Pokharel "
        "Poudel Khadka Karki Basnet Bhandari Dahal Ghimire Koirala Lama Maharjan Pandey "
        "Rana Regmi Subedi Tiwari Khanal Neupane")),
    "punjabi": (_W(
        "Gurpreet Harpreet Manpreet Jaspreet Kulwinder Sukhwinder Baljit Harjit Amarjit "
        "Paramjit Jasvir Gurdeep Navdeep Harjinder Rajinder Balwinder Inderjit Simranjit "
        "Amandeep Jaswinder Kuldeep Parminder Satnam Tejinder"), _W(
        "Sandhu Sidhu Gill Dhillon Grewal Bains Johal Atwal Sahota Kang Bal Dhaliwal "
        "Chahal Gakhal Basra Bhogal Mann Sangha Hundal Khaira Cheema Randhawa Virdi "
        "Bassi Thind Kalsi Lall Mattu")),
    "bengali": (_W(
        "Abdul Rahim Shahidul Rafiqul Aminul Nazrul Mizanur Habibur Mahbub Shafiq Ruhul "
        "Shamima Nasrin Rokeya Shirin Taslima Fahmida Sultana Marium Rumana Rupa Nazma "
        "Jahanara Kohinoor Moushumi Tanvir Ashraful"), _W(
        "Miah Uddin Begum Choudhury Chowdhury Ahmed Rahman Hossain Islam Khatun Ali "
        "Sarkar Bhuiyan Talukdar Mollah Sheikh Haque Karim Mia Kabir Alam Siddique "
        "Majumder Akter Biswas Das Ghosh")),
    "hebrew": (_W(
        "Avraham Yitzhak Yaakov Moshe Shmuel Menachem Mordechai Yosef Eliezer Shlomo Dov "
        "Tzvi Chaim Naftali Rivka Chaya Devorah Esther Leah Miriam Sarah Shoshana Tova "
        "Yehudit Batsheva Malka Perel Rochel"), _W(
        "Cohen Levy Friedman Goldberg Rosenberg Weiss Schwartz Katz Klein Greenberg "
        "Lieberman Horowitz Rabinowitz Shapiro Bernstein Feldman Gutman Halpern Kaplan "
        "Lipschitz Margolis Perlman Rothschild Silverstein Teitelbaum Wasserman Zilberman")),
    "lithuanian": (_W(
        "Jonas Tomas Mantas Darius Mindaugas Vytautas Rimantas Žygimantas Aurimas Gintaras "
        "Giedrius Rūta Jurgita Vaida Rasa Aušra Indrė Eglė Gintarė Laura Ieva Agnė Dovilė"), _W(
        "Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus "
        "Paulauskas Urbonas Kavaliauskas Navickas Ramanauskas Sakalauskas Balčiūnas "
        "Žilinskas Mockus Adomaitis Baranauskas Lukoševičius Vaitkus")),
    "hungarian": (_W(
        "László István József Zoltán Sándor Gábor Ferenc Attila Tamás Zsolt Csaba Lajos "
        "Erzsébet Katalin Ilona Éva Zsuzsanna Mária Krisztina Andrea Ildikó Judit Anikó "
        "Enikő Réka Boglárka"), _W(
        "Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp "
        "Takács Juhász Lakatos Mészáros Oláh Simon Rácz Fekete Szilágyi Török Fehér "
        "Balázs Gál Kocsis Orsós Pintér Szűcs")),
    "caribbean": (_W(
        "Delroy Winston Leroy Errol Clifton Desmond Everton Lloyd Neville Orville Carlton "
        "Fitzroy Denzil Marcia Beverley Claudette Yvonne Hyacinth Paulette Sonia Jacqueline "
        "Shereen Tanisha Keisha Shanice Jermaine Tyrone Kemar Shaquille"), _W(
        "Campbell Gordon Grant Reid Thompson Williams Brown Clarke Francis Henry Lewis "
        "McKenzie Morgan Palmer Richards Samuels Stewart Wright Bailey Beckford Blackwood "
        "Facey Forbes Gayle Mullings Ricketts Spence Whyte Wint Bogle")),
    "english": (_W(
        "Gareth Craig Darren Wayne Dean Scott Lee Shaun Kirsty Gemma Leanne Stacey Kerry "
        "Donna Tracey Lorraine Maureen Brenda Gillian Alison Nigel Trevor Keith Barry "
        "Clive Colin Graham Stuart Malcolm Norman Doreen Pauline Sheila Jean Glenys"), _W(
        "Pritchard Hargreaves Ackroyd Battersby Entwistle Higginbottom Ramsbottom Sutcliffe "
        "Thwaites Whitworth Postlethwaite Braithwaite Hebblethwaite Cartwright Wainwright "
        "Birtwistle Greenhalgh Haworth Holroyd Illingworth Ormerod Pickersgill "
        "Satterthwaite Tattersall Winstanley Crabtree Rowbotham Fairclough Heseltine")),
}
#: Names that are English words, in one list for given and family names.
ENGLISH_WORDS = _W(
    "Rose Hope Mark Bill Frank Grace Joy Faith Dawn Holly Ivy Amber Ruby Pearl Jade Ginger "
    "Honey Sunshine Blossom Clover Meadow Willow Sage Bramble Heather Primrose Rowan Ash "
    "Jasper Flint Stone Brook Marsh Moss Heath Dale Vale Glen Cliff Clay Lane Ford Field "
    "Bishop Baker Butcher Cook Porter Tanner Mason Carter Archer Fowler Hunter Fletcher "
    "Thatcher Turner Walker Weaver Tailor Taylor Slater Sawyer Dyer Spicer Miller Gardner "
    "Shepherd Farmer Fisher Fox Wolf Lamb Crow Drake Finch Swift Sparrow Wren Nightingale "
    "Kite Peacock Hawk Raven Bear Hart Buck Steer Bull Mutton Oak Birch Elm Hazel Beech "
    "Moon Star Sun Winter Summer Frost Snow Rain Storm Gale Bright Goodman Truelove Merry "
    "Sterling Noble Royal Prince Duke Earl Baron Knight Squire Page Bond Law Rich Mercy "
    "Patience Prudence Constance Charity Verity Honour Temperance Liberty Justice Haven")

ORIGINS = {"yoruba": 8, "igbo": 7, "akan": 6, "filipino": 6, "brazilian": 6, "turkish": 6,
           "polish": 6, "greek": 5, "japanese": 5, "korean": 5, "nepali": 5, "punjabi": 6,
           "bengali": 6, "hebrew": 5, "lithuanian": 4, "hungarian": 4, "caribbean": 6,
           "english": 8, "english word": 12}


def _ok(name: str) -> bool:
    """A usable planted name: letters (an apostrophe or hyphen inside), 3+ letters, every part
    held out."""
    return (len(re.sub(r"\W", "", name)) >= 3
            and bool(re.fullmatch(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name))
            and all(held_out(p) for p in name.split("-")))


def _lists() -> dict[str, dict[str, list[str]]]:
    out = {o: {"first": sorted({n for n in f if _ok(n)}), "last": sorted({n for n in s if _ok(n)})}
           for o, (f, s) in HAND.items()}
    words = sorted({n for n in ENGLISH_WORDS if _ok(n)})
    out["english word"] = {"first": words, "last": words}
    return {o: v for o, v in out.items() if v["first"] and v["last"]}


FORMS: list[tuple[str, float]] = [
    ("full", 34), ("Family, First", 10), ("FAMILY First", 6), ("initial. family", 6),
    ("title family", 12), ("caps", 5), ("given", 12), ("family", 6), ("line break", 3),
    ("title full", 6),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Nurse", "Sister", "Cllr", "Rev"]


def _draw(rng: random.Random, lists: dict) -> dict:
    origins = [o for o in ORIGINS if o in lists]
    origin = rng.choices(origins, [ORIGINS[o] for o in origins])[0]
    pool = lists[origin]
    return {"origin": origin, "first": rng.choice(pool["first"]),
            "last": rng.choice(pool["last"])}


def _render(rng: random.Random, form: str, p: dict) -> tuple[str, list[str]]:
    first, last = p["first"], p["last"]
    table = {
        "full": (f"{first} {last}", [first, last]),
        "Family, First": (f"{last}, {first}", [last, first]),
        "FAMILY First": (f"{last.upper()} {first}", [last.upper(), first]),
        "initial. family": (f"{first[0]}. {last}", [last]),
        "title family": (f"{rng.choice(TITLES)} {last}", [last]),
        "title full": (f"{rng.choice(TITLES)} {first} {last}", [first, last]),
        "caps": (f"{first} {last}".upper(), [first.upper(), last.upper()]),
        "given": (first, [first]),
        "family": (last, [last]),
        "line break": (f"{first}\n{last}", [first, last]),
    }
    return table[form]


#: {A}, {B}: a person in a drawn form; {G}: a given name; {L}: a family name; {T}: a title
#: and family name; {R}: "SURNAME, First" (a court list); {a}, {g}: in lower case.
STYLES: dict[str, list[str]] = {
    "clinic letter": [
        "Dear Dr {L},\nRe: {A}, DOB 12/03/1961\nThank you for referring this lady with "
        "Parkinson's disease.",
        "I saw {A} in the movement disorders clinic today with her daughter {G}.",
        "{G} tells me that her husband {B} has been unwell since the spring.",
        "Yours sincerely,\n\nDr {A}\nConsultant Neurologist",
        "cc: {A} (patient); Dr {L}, Parkside Surgery",
        "{T} was reviewed on Keats Ward by the on-call registrar.",
        "Impression: {G} has a resting tremor on the left. Plan: start Madopar.",
        "I have asked {A}, our specialist nurse, to contact {G} next week.",
    ],
    "ward handover": [
        "Bed 4: {A}, 84, fall at home. NOK daughter {G}.",
        "Handover from {G} (nights): {T} in bay 2 settled, obs stable.",
        "Bay 3 - {A} - for discharge today if OT happy. Son {G} collecting.",
        "{G} {L} refused meds at 22:00; Dr {L} informed.",
        "Side room 2: {A}, barrier nursed. Wife {G} visiting 2-4pm.",
    ],
    "employment tribunal": [
        "Claimant: {A}\nRespondent: Harbour Logistics Ltd",
        "The claimant was line managed by {A}, who gave evidence.",
        "We heard evidence from {A} (HR Business Partner) and {B} (Operations Manager).",
        "Employment Judge {L} sitting with members {A} and {B}.",
        "{L}'s account of the meeting on 3 May was consistent with the notes.",
        "The tribunal preferred the evidence of {T} to that of {A}.",
        "The claimant raised a grievance about {A} in writing on 14 June.",
    ],
    "court register": [
        "R v {R} (aged 34) - theft from shop - remanded on bail",
        "Case 3: {R}. Plea: guilty. Fine £120, costs £85.",
        "Defendant {A} represented by {B} of Kelly & Co Solicitors.",
        "Prosecutor: {A} (CPS). Legal adviser: {B}.",
        "{R} - breach of community order - adjourned to 4 March.",
        "Co-defendant {A} did not attend; warrant issued.",
    ],
    "written question": [
        "{A} (Bolton West) (Con): To ask the Secretary of State for Health and Social Care, "
        "what steps he is taking to reduce waiting times.",
        "Answered by {A} on 12 March.",
        "My constituent {A} has waited fourteen months for a hearing.",
        "I am writing on behalf of my constituent, {T}, of Hatfield Road.",
        "Dear Minister,\nI have been contacted by {A} regarding her son {G}.",
        "{A} MP wrote on behalf of {B} about the closure of the ward.",
    ],
    "send review": [
        "{G} (Year 4) has an EHCP; mum {G} attended the review.",
        "Present: {A} (SENCo), {B} (EP), {G}'s father.",
        "{G} finds transitions hard; TA {A} supports him at lunch.",
        "Outcome: {G} to keep 1:1 support. Actions: {A} to update the plan.",
        "Annual review for {A}, Year 9, at Thomas Tallis School.",
    ],
    "strategy meeting": [
        "Strategy discussion re {A} (child) and siblings {G} and {G}.",
        "Concerns raised by {A}, DSL at the school.",
        "Mother's partner, {A}, is not known to services.",
        "Attendees: {A} (police), {B} (health), {T} (social care).",
        "Section 47 enquiry to be led by {A}. Grandmother {A} to be spoken to.",
    ],
    "helpline call": [
        "caller {a} worried about her nan {g}",
        "Caller gave name as {G}. Said {A} had been sending messages.",
        "{G} rang again re her son {g} - still no school place",
        "anon caller reported that {a} leaves the kids alone at night",
        "Call from {A}, 19:40, upset about the letter from the council.",
    ],
    "housing panel": [
        "Applicant: {R}. Band B. Medical priority agreed.",
        "{A} and {B} (joint tenants) request a move to a ground floor flat.",
        "Panel: {A} (chair), {B}, {T}. Decision: award medical priority.",
        "The applicant's carer, {A}, stays three nights a week.",
    ],
    "ocr letter": [
        "Dear Sir or Madam, I am writing about my neighbour {A} who has not been seen since "
        "the end of last month and I am worried because her brother {B} has stopped visiting "
        "and the curtains have been closed for weeks.",
        "To whom it may concern. This is to confirm that {A} has been a member of our "
        "congregation for eleven years and that he helps {B} with the food bank every "
        "Saturday morning at the church hall.",
        "Dear Councillor, my mother {A} was moved to a care home without anyone asking "
        "me, and the manager {B} will not tell me why. Yours faithfully, {A}",
        "I refer to your letter dated 2 February about my late father {A}. My sister {G} "
        "and I are the executors and we would like the account closed.",
    ],
}


def _wrap(text: str, rng: random.Random) -> str:
    """A scanned letter: hard line breaks every 50-70 characters."""
    return "\n".join(textwrap.wrap(text, width=rng.randint(50, 70), break_long_words=False,
                                   break_on_hyphens=False))


def _parts(tokens: list[str]) -> list[str]:
    return [part for t in tokens for part in re.split(r"[-\s]", t) if len(part) >= 3]


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
        while (m := re.search(r"\{([ABGLTRag])\}", text)) is not None:
            slot = m.group(1)
            p = _draw(rng, lists)
            if slot in ("G", "g"):
                shown, toks, form = p["first"], [p["first"]], "given"
            elif slot == "L":
                shown, toks, form = p["last"], [p["last"]], "family"
            elif slot == "T":
                form = "title family"
                shown, toks = _render(rng, form, p)
            elif slot == "R":
                form = "FAMILY, First"
                shown, toks = f"{p['last'].upper()}, {p['first']}", [p["last"].upper(),
                                                                     p["first"]]
            elif slot == "a":
                form = rng.choice(["given", "full"])
                shown, toks = _render(rng, form, p)
            else:
                form = rng.choices(form_names, weights)[0]
                shown, toks = _render(rng, form, p)
            if slot.islower():
                shown, toks, form = shown.lower(), [t.lower() for t in toks], f"lower {form}"
            text = text[:m.start()] + shown + text[m.end():]
            rec.tokens += [(t, p["origin"], form) for t in _parts(toks)]
        if style == "ocr letter":
            text = _wrap(text, rng)
        rec.text = text
        out.append(rec)
    return out


# ---------------------------------------------------------------- clean text

CONDITIONS = ["Parkinson's disease", "Alzheimer's disease", "Crohn's disease",
              "Hodgkin lymphoma", "Addison's disease", "Bell's palsy", "Huntington's disease",
              "Graves' disease", "Cushing's syndrome", "Down syndrome", "Raynaud's",
              "Asperger syndrome", "Guillain-Barré syndrome", "Meniere's disease"]
DRUGS = ["Sertraline", "Metformin", "Amlodipine", "Madopar", "Oramorph", "Lansoprazole",
         "Co-codamol", "Warfarin", "Apixaban", "Salbutamol", "Levothyroxine", "Ramipril"]
HOSPITALS = ["Alder Hey", "Great Ormond Street Hospital", "the Royal Marsden",
             "Guy's and St Thomas'", "Addenbrooke's", "the John Radcliffe", "Keats Ward",
             "Florence Nightingale Ward", "Victoria Ward", "the Churchill Hospital",
             "Frimley Park Hospital", "Stepping Hill Hospital", "the Royal Stoke",
             "Queen Elizabeth Hospital Birmingham", "Derriford", "the Freeman Hospital"]
COURTS = ["Snaresbrook Crown Court", "Westminster Magistrates' Court",
          "Manchester Civil Justice Centre", "the Employment Appeal Tribunal",
          "the Court of Appeal", "Leeds Employment Tribunal", "Cardiff Crown Court",
          "the Family Court at Bristol", "Highbury Corner Magistrates' Court"]
ACTS = ["the Equality Act 2010", "the Children Act 1989", "the Care Act 2014",
        "the Mental Health Act 1983", "the Employment Rights Act 1996",
        "the Housing Act 1996", "the Children and Families Act 2014",
        "the Theft Act 1968", "the Sentencing Act 2020", "the Mental Capacity Act 2005"]
SEATS = ["Bolton West", "Hexham", "Bishop Auckland", "Sutton Coldfield", "Stretford and "
         "Urmston", "Ashfield", "Wells and Mendip Hills", "Richmond and Northallerton",
         "Hayes and Harlington", "Rhondda and Ogmore", "Glasgow North", "Stirling and Strathallan"]
SCHOOLS = ["Thomas Tallis School", "St Aidan's CE Academy", "Harris Academy Peckham",
           "Dame Alice Owen's School", "King Edward VI Camp Hill", "Sir John Leman High School",
           "the Elizabeth Garrett Anderson School", "Ark Globe Academy", "Oakwood Primary"]
ORGS = ["NHS England", "the Care Quality Commission", "Ofsted", "the Department for Education",
        "the Ministry of Justice", "the Crown Prosecution Service", "HM Courts & Tribunals "
        "Service", "Acas", "the Legal Aid Agency", "Shelter", "Mind", "the Samaritans",
        "Age UK", "the NSPCC", "Barnardo's", "the Trussell Trust", "Harbour Logistics Ltd",
        "Northgate Housing", "Sanctuary Housing", "the Health and Safety Executive"]
PLACES = ["Bolton", "Wigan", "Preston", "Telford", "Swindon", "Harlow", "Stevenage",
          "Grimsby", "Barnsley", "Dudley", "Walsall", "Crawley", "Hastings", "Kendal",
          "Hatfield Road", "Station Approach", "Nelson Street", "Peel Park", "Victoria Park"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
HEADINGS = ["HISTORY OF PRESENTING COMPLAINT", "Impression", "Plan", "Findings Of Fact",
            "THE LAW", "Conclusions", "Background", "Outcome", "Actions", "Risk",
            "Medication", "Social History", "Reasons"]
WORD_SENTENCES = [
    "Hope is that the new pathway will shorten waits by {month}.",
    "Mark the referral as urgent and send it to {org}.",
    "Frank and open discussion with the family took place on {day}.",
    "Grace periods for rent arrears were extended in {month}.",
    "Joy at the outcome was clear on the ward.",
    "Faith leaders in {place} were consulted about the plans.",
    "Dawn raids are no longer used by the service.",
    "Bill totals for agency staff rose by {n}%.",
    "Rose from {n} to {n2} cases in a year, the report says.",
    "Holly and ivy decorations must be fire-rated on the wards.",
    "Amber alerts are reviewed by the matron every shift.",
    "Stone steps at the entrance are slippery in winter.",
    "Baker Street clinic closes at 5pm on {day}s.",
    "Hunter wellies and coats are kept by the back door at {school}.",
    "Winter pressures funding of £{amount} was agreed.",
    "Storm damage closed the outpatients block on {day}.",
    "Summer holiday activities were offered to young carers.",
    "Noble aims, but the budget does not allow it.",
    "Mercy, the tribunal said, was not a matter for it.",
    "Patience is needed while the assessment is completed.",
    "Justice delayed is justice denied, the Member said.",
    "Liberty protection safeguards replace DoLS under {act}.",
    "Royal assent was given in {month} {year}.",
    "Field visits resume after {month}.",
    "Lane closures on the A6 delayed the ambulance.",
    "Fox and badger damage to the school field was reported.",
    "Page 4 of the bundle sets out the chronology.",
    "Law firms in {place} reported fewer legal aid cases.",
    "Bright, engaging and sociable, according to the class teacher.",
    "Rich detail is given in the statement at paragraph {n}.",
]
CLEAN_TEMPLATES = [
    "Referred with {condition}; started on {drug} {n} mg once daily.",
    "Diagnosis: {condition}. Follow up in {n} weeks at {hospital}.",
    "Transferred from {hospital} to {hospital2} on {day}.",
    "{heading}\nKnown {condition}. Takes {drug} and {drug2}.",
    "Listed at {court} on {d} {month}; adjourned for a pre-sentence report.",
    "The claim under {act} was dismissed.",
    "The respondent, {org}, accepted that the dismissal was unfair.",
    "To ask the Secretary of State for Education, how many children in {seat} have an EHCP.",
    "The Member for {seat} asked about school transport in {place}.",
    "Written answer: {org} will publish the figures in {month} {year}.",
    "Annual review held at {school}. Provision in section F agreed.",
    "{heading}: refer to {org} by {day}.",
    "Section 47 threshold not met; step down to early help.",
    "Caller asked about {org} opening hours and was signposted.",
    "caller wanted to know about {drug} and grapefruit, advised to ask the pharmacist",
    "Band C awarded under {act}. Re-register in {month}.",
    "Panel noted the report from {org} and agreed the move to {place}.",
    "Dear Sir or Madam, I am writing to complain about the state of the\npavements on "
    "{place} which have not been repaired since {month}.",
    "Thank you for your letter of {d} {month} about {org}.\nWe will reply within twenty "
    "working days.",
    "THE LAW\n{d}. Under {act} the tribunal must consider the reason for dismissal.",
    "Discharged home from {hospital} with a package of care.",
    "Whipple procedure planned at {hospital}; pre-op on {day}.",
    "Glasgow Coma Scale 15/15 on arrival; Waterlow score {n}.",
    "Bed 6: for discharge, awaiting TTOs. Bed 7: NBM from midnight.",
    "Strategy meeting held with {org} and the police; no further action.",
    "{n} cases were heard at {court} in {month}.",
]


def _generate_clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        values = {
            "condition": rng.choice(CONDITIONS), "drug": rng.choice(DRUGS),
            "drug2": rng.choice(DRUGS), "hospital": rng.choice(HOSPITALS),
            "hospital2": rng.choice(HOSPITALS), "court": rng.choice(COURTS),
            "act": rng.choice(ACTS), "org": rng.choice(ORGS), "seat": rng.choice(SEATS),
            "school": rng.choice(SCHOOLS), "place": rng.choice(PLACES),
            "heading": rng.choice(HEADINGS), "month": rng.choice(MONTHS),
            "day": rng.choice(DAYS), "d": rng.randint(1, 28), "year": rng.randint(2019, 2027),
            "n": rng.randint(2, 400), "n2": rng.randint(2, 400),
            "amount": f"{rng.randint(50, 90_000):,}",
        }
        template = rng.choice(WORD_SENTENCES if rng.random() < 0.3 else CLEAN_TEMPLATES)
        out.append(template.format(**values))
    return out


# ---------------------------------------------------------------- frozen file


def build(n_planted: int = 2400, n_clean: int = 1200, seed: int = SEED) -> dict:
    """The corpus as a JSON-able dict (planted records with their tokens, clean records)."""
    return {
        "seed": seed,
        "planted": [{"style": p.style, "text": p.text, "tokens": p.tokens}
                    for p in _generate_planted(_lists(), n_planted, seed)],
        "clean": _generate_clean(n_clean, seed + 1),
    }


def planted(n: int = 2400) -> list[Planted]:
    """The first ``n`` frozen planted records (at most the 2,400 committed)."""
    return frozen.planted(FROZEN, Planted, n)


def clean(n: int = 1200) -> list[str]:
    """The first ``n`` frozen clean records (at most the 1,200 committed)."""
    return frozen.clean(FROZEN, n)


def main(argv: list[str] | None = None) -> int:
    return frozen.rebuild_from_code(FROZEN, build, argv,
                                    description="rebuild the frozen eighth corpus")


if __name__ == "__main__":
    raise SystemExit(main())
