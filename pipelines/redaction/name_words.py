"""The words person-name decisions are made with (English grammar, not gazetteers).

Kept apart from the decisions (:mod:`~pipelines.redaction.name_rules`) so the
lists can be read, reviewed and extended on their own. Every list here is
general English usage in complaints, FOI requests, case notes and letters:
titles, kinship and relation words, phrases that introduce a name, the
closed-class words that never are one, the head nouns of organisations and
places, and the prepositions that put a place name where a person cannot be.
"""

from __future__ import annotations

from pipelines.redaction.holdout import fold


def _words(text: str) -> list[str]:
    """The words of a list written as running text (one long list reads better so)."""
    return text.split()


# -- the words contexts are made of ----------------------------------------------

#: Words after which the next word is a person, whatever it looks like.
RELATIONS = (
    "brother", "sister", "son", "daughter", "wife", "husband", "partner", "spouse", "mother",
    "father", "mum", "mom", "dad", "mam", "parent", "uncle", "aunt", "auntie", "cousin",
    "nephew", "niece", "grandson", "granddaughter", "grandmother", "grandfather", "grandma",
    "grandad", "granddad", "nan", "nana", "grandchild", "stepson", "stepdaughter",
    "stepfather", "stepmother", "fiance", "fiancé", "fiancee", "fiancée", "boyfriend",
    "girlfriend", "ex", "child", "baby", "sibling", "twin", "in-law", "friend", "neighbour",
    "neighbor", "colleague", "flatmate", "housemate", "lodger", "landlord", "landlady",
    "tenant", "carer", "guardian", "solicitor", "barrister", "lawyer", "advocate",
    "caseworker", "interpreter", "translator", "counsellor", "mp", "councillor", "cllr",
    "officer", "constable", "pc", "dc", "ds", "di", "dci", "sgt", "sergeant", "inspector",
    "detective", "client", "patient", "pupil", "student", "employer", "employee", "manager",
    "supervisor", "boss", "teacher", "headteacher", "doctor", "nurse", "midwife",
    "consultant", "surgeon", "gp", "dentist", "social worker", "mentor", "applicant",
    "appellant", "claimant", "complainant", "requester", "victim", "witness", "suspect",
    "defendant", "offender", "detainee", "prisoner", "sponsor", "dependant", "dependent",
    "son-in-law", "daughter-in-law", "mother-in-law", "father-in-law", "brother-in-law",
    "sister-in-law", "ex-partner", "ex-wife", "ex-husband", "ex-boyfriend", "ex-girlfriend",
    "ex-fiance", "ex-fiancé", "ex-fiancee", "ex-fiancée",
    # plurals before a list of people ("siblings Ama and Kofi"), a party to the same case
    # ("co-defendant Storm"), who rang a helpline ("caller Jean said")
    "siblings", "brothers", "sisters", "sons", "daughters", "cousins", "grandchildren",
    "co-defendant", "co-defendants", "co-accused", "co-worker", "co-tenant", "caller",
)
#: Kinship and close relations, after which even a lower-case word that English has is
#: a name unless it is a function word ("my brother john", not "my brother works").
KINSHIP = (
    "brother", "sister", "son", "daughter", "wife", "husband", "partner", "spouse", "mother",
    "father", "mum", "mom", "dad", "mam", "uncle", "aunt", "auntie", "cousin", "nephew",
    "niece", "grandson", "granddaughter", "grandmother", "grandfather", "grandma", "grandad",
    "granddad", "nan", "nana", "stepson", "stepdaughter", "stepfather", "stepmother",
    "fiance", "fiancé", "fiancee", "fiancée", "boyfriend", "girlfriend", "twin", "friend",
    "neighbour", "neighbor", "son-in-law", "daughter-in-law", "mother-in-law",
    "father-in-law", "brother-in-law", "sister-in-law", "ex-partner", "ex-wife", "ex-husband",
    "ex-boyfriend", "ex-girlfriend",
)
#: Titles written before a name ("Mr O'Brien", "Cllr Patel", "Imam Abdullah").
HONORIFICS = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lady", "lord",
    "rev", "revd", "reverend", "fr", "father", "sr", "sister", "br", "brother", "imam",
    "rabbi", "sheikh", "shaykh", "pastor", "bishop", "canon", "master", "madam", "mme",
    "mlle", "herr", "frau", "senor", "señor", "senora", "señora", "dona", "doña", "don",
    "pani", "pan", "hon", "rt", "baroness", "baron", "earl", "count", "countess", "capt",
    "captain", "major", "col", "colonel", "lt", "lieutenant", "gen", "general", "cpl", "pte",
    "judge",
)
#: Phrases after which a name follows ("known as", "on behalf of", "Dear", "Regards,").
INTRODUCERS = (
    "named", "called", "known as", "aka", "a.k.a.", "alias", "name is", "name was",
    "spelt", "spelled",
    "names are", "names were", "surname is", "surname was", "forename is", "nee", "née",
    "on behalf of", "in the name of", "dear", "hi", "hello", "regards", "kind regards",
    "best regards", "warm regards", "many thanks", "thanks", "thank you", "best wishes",
    "yours sincerely", "yours faithfully", "sincerely", "faithfully", "cheers", "signed",
    "signed by", "from", "to", "cc", "attn", "attention", "approved by", "authorised by",
    "authorized by", "signed off by", "checked by", "certified by", "submitted by",
    "raised by", "requested by", "countersigned by", "prepared by", "written by",
    "reported by", "referred by", "sent by", "spoke to", "spoke with", "speaking to",
    "met with", "meeting with", "contacted", "visited", "interviewed", "arrested",
    "detained", "deported", "removed", "accompanied by", "care of", "c/o",
)
#: Of the introducers, the sign-offs: after one and a comma, a capitalised run is the
#: writer's name even when its words are English ("Thanks, Said Fellah").
SIGN_OFFS = frozenset({"regards", "kind regards", "best regards", "warm regards",
                       "many thanks", "thanks", "thank you", "best wishes", "yours sincerely",
                       "yours faithfully", "sincerely", "faithfully", "cheers", "signed"})
#: Of the introducers, those too common to force a name on an ordinary word:
#: after these, only a word that could be a name ("[NAME]", unknown, gazetteer) is one.
WEAK_INTRODUCERS = frozenset({"from", "to", "thanks", "thank you", "contacted", "visited",
                              "detained", "removed", "arrested", "deported", "interviewed",
                              "cc", "attention", "many thanks"})
#: Verbs that follow a person ("Preston said", "Jordan told us").
SPEECH_VERBS = (
    "said", "says", "told", "tells", "asked", "asks", "wrote", "writes", "rang", "phoned",
    "emailed", "called", "complained", "complains", "stated", "states", "explained",
    "claimed", "claims", "reported", "reports", "confirmed", "confirms", "advised",
    "alleged", "alleges", "replied", "insisted", "denied", "admitted", "attended",
    "arrived", "left", "visited", "requested", "requests", "applied", "appealed",
    "believes", "believed", "feels", "felt", "wants", "wanted", "thinks", "thought",
    "agreed", "refused", "died", "was born", "declared",
)
#: Words that are never names, whatever comes before them.
STOP = frozenset(fold(w) for w in (
    "I", "A", "An", "The", "This", "That", "These", "Those", "There", "Their", "They", "Them",
    "We", "Our", "You", "Your", "He", "She", "It", "Its", "His", "Her", "Him", "Me", "My",
    "In", "On", "At", "For", "And", "But", "Or", "If", "Of", "To", "From", "With", "By",
    "As", "Is", "Are", "Was", "Were", "Be", "Been", "Has", "Have", "Had", "Do", "Does", "Did",
    "Not", "No", "Yes", "All", "Any", "Some", "Please", "Thanks", "Thank", "Dear", "Re",
    "Fwd", "Subject", "Sir", "Madam", "Team", "Colleague", "Colleagues", "Hi", "Hello",
    "Regards", "Sincerely", "Faithfully", "Yours", "Kind", "Best", "Many", "Who", "What",
    "When", "Where", "Why", "How", "Which", "Also", "Then", "So", "Can", "Could", "Would",
    "Will", "Should", "May", "Might", "Must", "Shall", "Not", "Nor", "Yet", "After",
    "Before", "During", "Since", "Until", "While", "About", "Today", "Yesterday",
    "Tomorrow", "Unknown", "None", "Other", "Others", "Another", "Each", "Every", "Both",
    "Anonymous", "Name", "Names", "Surname", "Forename", "upon", "under",
))
#: Words in front of a capitalised word that make it a title or a thing, not a person.
DETERMINERS = frozenset({"the", "a", "an", "this", "these", "those", "our", "your",
                         "their", "its", "my", "his", "her", "each", "every", "any", "no",
                         "such", "same", "another",
                         "some", "all", "both", "either", "neither"})
#: Words that stand before a person more than before a thing ("met John", "told Rose").
PERSON_PREVS = frozenset({"to", "with", "met", "meet", "meeting", "told", "tell", "asked",
                          "ask", "and", "by", "called", "contacted", "visited", "emailed",
                          "phoned", "rang", "against", "thank", "thanked", "informed", "helped",
                          "supported", "represent", "represented", "represents", "accompanied",
                          "married", "divorced", "son", "daughter", "wife", "husband", "whom",
                          "nor", "sister", "brother", "friend", "named", "about",
                          "mentioning", "whether", "between", "for", "regarding",
                          "concerning", "behalf"})
#: Lower-case words inside the names of things ("Department for Education").
TITLE_JOINERS = frozenset({"for", "of", "and", "or", "&", "on", "under", "upon", "than",
                           "via", "at", "in", "into", "de", "du", "la", "le", "von", "van"})
#: Name particles written in lower case inside a name ("Ludwig van Beethoven").
PARTICLES = ("van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos",
             "das", "la", "le", "bin", "ibn", "binti", "bint", "al", "el", "ap", "ab", "ni",
             "nic", "ní", "ó", "ua", "mac", "y", "ter", "te", "ten", "zu", "st")
#: Particles that are not English words: inside or in front of a name whatever is around.
FOREIGN_PARTICLES = frozenset({"von", "der", "de", "del", "della", "di", "da", "du",
                               "dos", "das", "la", "le", "bin", "ibn", "binti", "bint", "al",
                               "el", "ap", "ab", "ni", "nic", "ní", "ó", "ua", "ter", "te",
                               "zu", "op", "het", "des", "degli"})

FOLDED_PARTICLES = frozenset(fold(p) for p in PARTICLES)
#: Context words (lower case) after which a lower-case word may be a name (see KINSHIP).
STRONG_RELATIONS = frozenset(KINSHIP) | frozenset(h for h in HONORIFICS if h not in (
    "master", "general", "major", "count", "don", "pan", "lady", "lord", "canon", "captain",
    "brother", "sister", "father", "hon", "rt", "gen", "sir", "madam"))
FOLDED_HONORIFICS = frozenset(fold(h) for h in HONORIFICS)
FOLDED_RELATIONS = frozenset(fold(r) for r in RELATIONS)
SPEECH = frozenset(SPEECH_VERBS)
#: Placeholders other scrubbing wrote ("[EMAIL]"): never candidate names.
PLACEHOLDER_WORDS = frozenset({"NAME", "EMAIL", "PHONE", "NINO", "POSTCODE", "GWF_REF",
                               "PASSPORT", "DATE_OF_BIRTH", "IP", "CARD", "VEHICLE_REG"})

#: The last word of an organisation's name ("Orbis Catering", "Pennine Lettings Ltd"):
#: the capitalised words in front of it name the organisation, not a person.
ORG_HEADS = frozenset(fold(w) for w in (
    "Ltd", "Limited", "PLC", "LLP", "LLC", "Inc", "Incorporated", "Corp", "Corporation", "Co",
    "Company", "Companies", "Group", "Holdings", "Partners", "Partnership", "Associates",
    "Association", "Trust", "Foundation", "Charity", "Society", "Council", "Councils",
    "Agency", "Agencies", "Authority", "Bureau", "Board", "Committee", "Commission",
    "Department", "Directorate", "Ministry", "Office", "Offices", "Service", "Services",
    "Solutions", "Systems", "Technologies", "Technology", "Tech", "Software", "Digital",
    "Media", "Communications", "Consulting", "Consultancy", "Consultants", "Advisory",
    "Facilities", "Security", "Catering", "Cleaning", "Cleaners", "Transport", "Logistics",
    "Haulage", "Couriers", "Travel", "Tours", "Taxis", "Cars", "Coaches", "Buses", "Rail",
    "Railways", "Airways", "Airlines", "Aviation", "Shipping", "Lettings", "Estates",
    "Property", "Properties", "Homes", "Housing", "Developments", "Construction",
    "Builders", "Building", "Contractors", "Engineering", "Engineers", "Electrical",
    "Plumbing", "Roofing", "Scaffolding", "Joinery", "Maintenance", "Management", "Care",
    "Healthcare", "Health", "Medical", "Dental", "Pharmacy", "Pharmaceuticals", "Clinic",
    "Clinics", "Practice", "Surgery", "Hospital", "Hospitals", "Hospice", "Nursing",
    "Legal", "Solicitors", "Chambers", "Accountants", "Accountancy", "Insurance",
    "Finance", "Financial", "Capital", "Investments", "Bank", "Banking", "Credit", "Energy",
    "Water", "Utilities", "Telecom", "Telecoms", "Networks", "Mobile", "Supplies",
    "Supply", "Wholesale", "Retail", "Stores", "Store", "Shop", "Shops", "Market",
    "Markets", "Foods", "Food", "Bakery", "Brewery", "Restaurant", "Restaurants", "Cafe",
    "Café", "Hotel", "Hotels", "Print", "Printing", "Printers", "Design", "Designs",
    "Translations", "Translation", "Translators", "Interpreting", "Interpreters",
    "Recruitment", "Staffing", "Training", "Education", "Learning", "Academy", "Academies",
    "School", "Schools", "Primary", "Infants", "Juniors", "College", "University",
    "Institute", "Centre", "Center",
    "Centres", "Library", "Museum", "Gallery", "Theatre", "Mosque", "Temple",
    "Synagogue", "Gurdwara", "Cathedral", "Club", "League", "Federation",
    "Union", "Alliance", "Network", "Forum", "Project", "Programme", "Initiative",
    "Fund", "Scheme", "Police", "Constabulary", "Fire", "Rescue", "Ambulance", "Prison",
    "Court", "Tribunal", "Inquiry", "Inquest", "Review", "Act", "Regulations",
    "Order", "Rules", "Code", "Strategy", "Plan", "Policy", "Report", "Team", "Unit",
    "Division", "Branch", "Section", "Unit", "Works", "Industries", "International",
    "Global", "Worldwide", "UK", "Europe", "Laboratories", "Labs", "Research", "Studios",
    "Productions", "Publishing", "Press", "News", "Radio", "Television", "Motors",
    "Garage", "Autos", "Farms", "Farm", "Nurseries", "Nursery", "Gardens", "Landscapes",
    "Environmental", "Recycling", "Waste", "Removals", "Storage", "Trading", "Traders",
    "Imports", "Exports", "Enterprises", "Ventures", "Collective", "Cooperative",
    "Co-operative", "Mutual", "Ombudsman", "Inspectorate", "Registry", "Executive",
    "Parliament", "Assembly", "Government", "Cabinet", "Treasury",
))
#: Words after which a capitalised word goes on to name a thing ("University of Leeds").
ORG_LEADS = frozenset(fold(w) for w in (
    "University", "College", "School", "Academy", "Institute", "Department", "Ministry",
    "Office", "Bank", "Church", "Friends", "Society", "Association", "Federation", "Museum",
    "Port", "Borough", "City", "County", "Council", "Royal", "Court", "House", "Board",
    "Commissioner", "Secretary", "Minister", "Director", "Head", "Chief", "Bishop",
))
#: The last word of a place's name ("Marikina City", "Water Eaton Road").
PLACE_HEADS = frozenset(fold(w) for w in (
    "City", "Town", "Village", "County", "Borough", "District", "Region", "Province",
    "Republic", "Island", "Islands", "Isle", "Isles", "Valley", "Harbour", "River", "Lake",
    "Loch", "Street", "Road", "Rd", "Avenue", "Ave", "Drive", "Crescent", "Square",
    "Terrace", "Gardens", "Parade", "Mews", "Wharf", "Quay", "Docks", "Station", "Airport",
    "Terminal", "Junction", "Magna", "Parva", "Close", "Way", "Lane", "Row", "Grove", "Walk",
    "Place", "Rise", "Estate", "Tower", "Towers", "Wing", "Buildings", "Yard", "Circus",
    "Embankment",
))
#: The last word of a site's or a building's name ("Westgate House", "Abbey Fields"):
#: it ends a thing's name in a run, but unlike the heads above it says nothing about a
#: word standing alone before a verb ("Jack House said").
SITE_HEADS = frozenset(fold(w) for w in (
    "House", "Lodge", "Fields", "Depot", "Pavilion", "Stadium", "Arena", "Exchange",
    "Annexe", "Annex", "Cottages", "Barracks", "Campus", "Precinct", "Reservoir", "Marina",
    "Cemetery", "Crematorium", "Baths", "Lido", "Allotments", "Hall", "Park", "Green",
    "Common", "Heath", "Bridge", "Moor", "Wood", "Woods", "Hill", "High",
))
#: Place heads that are also common surnames ("Sarah Hall", "Min-jun Park", "Aga Hill
#: complained"): they end a place's name only after an allowed term ("Lewisham Park").
SURNAME_HEADS = frozenset(fold(w) for w in (
    "Hall", "Park", "Green", "Common", "Heath", "Bridge", "Moor", "Wood", "Woods", "Hill",
    "High",
))
#: The last word of an event's or a law's name ("Burns Night", "Glastonbury Festival",
#: "Clare's Law"): the capitalised words in front of it name the event, not a person.
EVENT_HEADS = frozenset(fold(w) for w in (
    "Day", "Night", "Week", "Month", "Festival", "Carnival", "Games", "Marathon", "Prize",
    "Awards", "Lecture", "Trophy", "Fringe", "Memorial", "Parade", "Exhibition",
    "Conference", "Law",
))
#: Capitalised words that make the capitalised words after them a thing's name, as
#: storms, operations, ships and mountains are named ("Storm Isha", "Operation
#: Midland", "HMS Belfast", "Mount Kenya"; not "Glen" nor "Lake": first names); after
#: a relation or a title the run is a person still ("her daughter Storm Adeyemi").
THING_LEADS = frozenset(fold(w) for w in (
    "Storm", "Hurricane", "Typhoon", "Cyclone", "Tropical", "Operation", "Op", "Exercise",
    "Project", "Programme", "HMS", "HMY", "HMT", "RMS", "MV", "RRS", "USS",
    "Mount", "Mt", "Loch", "Lough", "Cape", "Fort",
))
#: Styles of monarchs, nobles and saints, after which schools, hospitals, pubs and
#: colleges are named ("King Edward VI College", "Lady Margaret School"): inside such
#: a thing's name they are no title of a person ("Mr", "Dr" and "Mrs" still are).
EPONYM_STYLES = frozenset(fold(w) for w in (
    "Sir", "Dame", "Lady", "Lord", "King", "Queen", "Prince", "Princess", "Duke",
    "Duchess", "Earl", "Countess", "Marquis", "Marquess", "Bishop", "Archbishop",
    "Cardinal", "Pope", "Saint", "St", "Ste", "Abbot", "Canon",
))
#: Religious and public festivals: dates, like months, unless a person word says so
#: ("Celebrations for Easter", "over Ramadan"; "Eid", "Holi" are also names).
FESTIVALS = frozenset({
    "christmas", "easter", "ramadan", "eid", "diwali", "deepavali", "vaisakhi", "baisakhi",
    "hanukkah", "chanukah", "passover", "pesach", "whitsun", "pentecost", "advent", "lent",
    "halloween", "hogmanay", "navratri", "holi", "purim", "sukkot", "shavuot", "muharram",
    "ashura", "michaelmas", "candlemas", "epiphany", "samhain", "beltane", "yuletide",
})
#: Lower-case nouns after which the capitalised word in front names a condition, a
#: test or an effect after the person who described it ("Down syndrome", "Crohn's
#: disease", "Bell's palsy", "Hodgkin lymphoma"), not a person in the text.
EPONYM_NOUNS = frozenset({
    "syndrome", "disease", "palsy", "lymphoma", "sarcoma", "disorder", "dystrophy",
    "ataxia", "chorea", "dementia", "anaemia", "anemia", "phenomenon", "effect",
    "principle", "scale", "score", "test", "tumour", "tumor", "ulcer", "fracture",
    "reflex", "sign", "manoeuvre", "maneuver", "procedure", "theorem", "equation",
})
#: Words in front of a place name that make it a place ("in Dalton", "flights to Oran").
LOCATIVE = frozenset({
    "in", "at", "near", "via", "around", "outside", "inside", "across", "towards",
    "toward", "into", "through", "throughout", "within", "beyond", "opposite", "nearby",
    "visit", "visited", "visiting", "visits", "travel", "travelled", "traveled",
    "travelling", "flew", "flights", "flight", "moved", "relocated", "born", "based",
    "lives", "lived", "living", "resident", "residents", "left", "arrived", "returned",
    "returning", "deported", "removed", "sent", "transferred", "routes", "route", "reach",
    "reached", "north", "south", "east", "west", "northern", "southern",
    "eastern", "western", "central", "greater", "outer", "inner", "rural", "urban",
})
#: Words before "to" or "from" that make the next word a place ("flights to Oran").
MOTION = frozenset({
    "flights", "flight", "fly", "flew", "flying", "travel", "travelled", "traveled",
    "travelling", "trip", "trips", "journey", "journeys", "visit", "visits", "moved", "move",
    "moving", "relocated", "returned", "return", "returning", "went", "go", "going", "came",
    "come", "coming", "removed", "removal", "removals", "deported", "deportation", "sent",
    "transferred", "transfer", "route", "routes", "road", "rail", "train", "trains", "bus",
    "ferry", "ferries", "drove", "driven", "driving", "walked", "way", "arrived", "arrivals",
    "departures", "migrated", "migration", "fled", "escaped", "imports", "exports",
    "services", "buses", "coaches", "trams", "links", "connections", "deliveries",
})
#: Nouns before "of" that make the next word a place ("the port of Dover").
PLACE_OF = frozenset({"port", "city", "town", "village", "borough", "county", "area",
                      "region", "district", "province", "state", "republic", "island",
                      "isle", "coast", "outskirts", "centre", "center", "suburbs", "north",
                      "south", "east", "west", "people", "mayor", "government", "bay",
                      "university", "kingdom", "residents", "resident", "citizens",
                      "outside", "heart", "streets", "edge", "parts",
                      "part", "rest", "population", "council", "diocese", "archbishop",
                      # peers' titles name places ("the Marquis of Granby", "Earl of Derby")
                      "duke", "duchess", "marquis", "marquess", "earl", "countess",
                      "viscount", "baron", "baroness", "bishop"})
#: Nouns for groups of people that start sentences before a speech verb ("Staff said").
COLLECTIVES = frozenset({
    "staff", "officers", "police", "people", "everyone", "everybody", "nobody", "someone",
    "somebody", "anyone", "residents", "users", "applicants", "customers", "clients",
    "members", "managers", "colleagues", "officials", "ministers", "workers", "volunteers",
    "parents", "children", "neighbours", "witnesses", "doctors", "nurses", "teachers",
    "inspectors", "investigators", "caseworkers", "callers", "requesters", "complainants",
    "detainees", "prisoners", "guards", "security", "management", "government", "claimants",
    "families", "family", "locals", "protesters", "journalists", "reporters", "students",
    "pupils", "patients", "tenants", "landlords", "employers", "employees", "agents",
    "contractors", "suppliers", "they", "we", "he", "she", "it", "who", "which", "this",
    "that", "nothing", "none", "one", "both", "all", "many", "some", "several", "most",
})

#: Nouns numbered by a letter ("annex B", "table C", "grade D"): the letter is no initial.
ENUMERATORS = frozenset({
    "annex", "appendix", "table", "section", "part", "schedule", "grade", "class", "band",
    "plan", "option", "type", "form", "category", "level", "tier", "zone", "block", "unit",
    "wing", "ward", "floor", "room", "gate", "terminal", "phase", "stage", "group", "item",
    "figure", "chart", "page", "paragraph", "clause", "article", "volume", "series", "route",
})

#: Months and weekdays: dates when nothing says person ("on 28 April", "June 2024").
CALENDAR = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
})

#: Job titles and roles that follow a name after a comma or a line break ("[NAME], Caseworker").
ROLES = frozenset(fold(w) for w in (
    "Caseworker", "Officer", "Manager", "Director", "Head", "Chief", "Lead", "Leader",
    "Adviser", "Advisor", "Assistant", "Administrator", "Secretary", "Clerk", "Analyst",
    "Statistician", "Coordinator", "Co-ordinator", "Consultant", "Specialist",
    "Supervisor", "Inspector", "Investigator", "Executive", "Minister", "Chair",
    "Chairman", "Chairwoman", "Chairperson", "President", "Treasurer", "Commissioner",
    "Deputy", "Senior", "Principal", "Team", "Unit", "Directorate", "Department",
    "Section", "Branch", "Division", "Office", "Correspondence", "Customer", "Services",
    "Enquiries", "Complaints", "Casework", "Operations", "Solicitor", "Barrister",
    "Counsel", "Interpreter", "Translator", "Volunteer", "Partner", "Associate",
    "Engineer", "Developer", "Designer", "Editor", "Reporter", "Doctor", "Nurse",
    "Councillor", "Constable", "Sergeant", "Detective", "Superintendent", "Governor",
    "Registrar", "Agent", "Representative", "Owner", "Controller", "Auditor",
    "Accountant", "Architect", "Surveyor", "Planner", "Teacher", "Headteacher", "Tutor",
))
#: Closed-class words, auxiliaries and the commonest verbs and adverbs: never part of
#: a name written in lower case ("then [NAME] said", "told [NAME] to").
FUNCTION_WORDS = frozenset(_words("""
a an the this that these those some any no every each all both either neither few many
much more most other another such what which who whom whose where when why how whether
i me my mine we us our ours you your yours he him his she her hers it its they them their
theirs myself yourself himself herself itself ourselves themselves one ones someone anyone
everyone nobody somebody anybody everybody something anything nothing everything
and or but nor so yet for if then than because though although while whilst unless until
till since as once after before when whenever wherever also too very just only even still
already again ever never always often sometimes usually soon now today yesterday tomorrow
here there thus hence however therefore meanwhile otherwise instead indeed perhaps maybe
about above across after against along amid among amongst around at before behind below
beneath beside besides between beyond by despite down during except for from in inside
into like near of off on onto out outside over past per plus regarding round since than
through throughout till to toward towards under underneath unlike until up upon via with
within without re cc
is am are was were be been being has have had having do does did doing done will would
shall should can could may might must ought need dare used
not no yes ok okay please thanks thank sorry dear regards sincerely faithfully
said says say saying told tells tell telling asked asks ask asking wrote writes write
writing rang phoned emailed called calls call calling spoke speaks speak speaking
replied replies reply answered answers answer stated states state explained explains
claimed claims claim reported reports report confirmed confirms confirm advised advises
alleged alleges insisted denied denies admitted admits attended attends attend arrived
arrives arrive left leaves leave visited visits visit requested requests request applied
applies apply appealed appeals appeal believes believed feels felt wants wanted want
thinks thought agreed agrees refused refuses died dies was born went goes go going came
comes come coming got gets get getting gave gives give given took takes take taken made
makes make making saw sees see seen met meets meet knew knows know known paid pays pay
sent sends send received receives receive failed fails remains remained remain lives
lived live works worked work helped helps help needs needed wait waited waiting waits
signed sign checked check booked book moved move stayed stay started start finished
returned return joined join became become seems seemed looked looks found find kept keep
brought bring held hold let lets put run ran set sat stood tried tries try used uses use
"""))
#: Words that start a line of a case note and are not part of the name after them
#: ("Met [NAME]", "Called [NAME]").
NOTE_VERBS = frozenset({
    "met", "called", "visited", "spoke", "rang", "emailed", "phoned", "told", "asked",
    "saw", "interviewed", "contacted", "informed", "advised", "left", "sent", "wrote",
    "emailing", "calling", "meeting", "client", "patient", "applicant", "appellant",
    "claimant", "complainant", "requester", "subject", "interview", "call", "telephone",
    "phone", "visit", "letter", "email", "note", "notes", "referral", "review", "complaint",
    "request", "case", "re", "attn", "attention", "cc", "from", "to", "for", "with",
    "about", "regarding", "concerning", "against", "by", "per", "thanks", "update",
    "reminder", "chased", "escalated", "referred", "signposted", "supported", "helped",
    "accompanied", "escorted", "detained", "arrested", "released", "removed", "deported",
})
#: Labels of a roll or a form, after which the first word is a person whatever it is
#: ("Present: Inga, …", "Apologies: Nine", "Cc: Viola", "Next of kin: Hogan").
#: Not a speaker's label ("Caller:", "Witness:"): speech follows those.
ROLL_LABELS = frozenset({
    "present", "apologies", "attendees", "attending", "attendance", "absent", "invitees",
    "cc", "bcc", "informant", "interviewee", "interviewer", "note-taker", "notetaker",
    "minute-taker", "kin", "signatories", "reviewer", "assessor", "keyworker",
    # the person fields of case records and forms ("Name: STONE, Rose", "Dependants:",
    # "Key contact: Moon", "Visitor: ...")
    "name", "alias", "aka", "dependants", "children", "visitor", "visitors", "contact",
    "sponsor", "members", "claim", "householder", "detainee",
    # a form's name fields ("Surname: OGUNLEYE", "Forename(s): Adebayo") and a case
    # record's people ("Child: Hope", "Adopters: Rose and Mark Field")
    "surname", "surnames", "forename", "forenames", "forename(s)", "names", "child",
    "adopters", "adopter", "mother", "father", "parent", "parents", "carer", "carers",
    "person", "persons",
})
#: Nouns for the role a person has, before a comma and the person ("the receptionist,
#: Gan, was rude"; "the premises licence holder, Bahadur, did not attend"), besides the
#: relations and job titles above.
ROLE_NOUNS = frozenset({
    "receptionist", "reviewer", "holder", "assessor", "worker", "keyworker", "driver",
    "caller", "chair", "chairperson", "owner", "keeper", "investigator", "inspector",
    "therapist", "psychologist", "psychiatrist", "paramedic", "pharmacist", "practitioner",
    "guard", "warden", "porter", "cleaner", "caretaker", "steward", "organiser", "presenter",
    "author", "writer", "sender", "respondent", "resident", "member", "trustee",
    "director", "headteacher", "head", "principal", "clerk", "secretary", "assistant",
    "adviser", "advisor", "officer", "manager", "supervisor", "coordinator", "co-ordinator",
    "representative", "registrar", "coroner", "magistrate", "judge", "chairman",
    "chairwoman", "complainant", "applicant", "appellant", "claimant", "tenant", "occupant",
    "licensee", "proprietor", "landlord", "landlady", "councillor", "caseworker",
    "interviewer", "interviewee", "informant", "deceased", "child", "pupil", "student",
    "patient", "client", "witness", "victim", "suspect", "defendant", "accused",
})
#: Participles that follow "was" or "is" after a person, not a place ("Kamal was placed
#: in temporary accommodation"; "Dalton was flooded" is a place).
PERSON_PARTICIPLES = frozenset({
    "placed", "excluded", "arrested", "detained", "interviewed", "born", "admitted",
    "discharged", "told", "advised", "seen", "assessed", "referred", "sentenced", "charged",
    "released", "evicted", "suspended", "dismissed", "married", "diagnosed", "injured",
    "bullied", "threatened", "asked", "informed", "offered", "cautioned", "convicted",
    "acquitted", "bailed", "remanded", "questioned", "employed", "appointed", "promoted",
    "accompanied", "represented", "invited", "registered", "adopted", "fostered",
    "supported", "visited", "contacted", "called", "phoned", "emailed", "sent", "given",
    "granted", "refused", "awarded", "fined", "banned", "barred", "warned", "reprimanded",
    "disciplined", "found", "heard", "reported", "missing", "absent", "present",
    "unhappy", "upset", "angry", "rude", "late",
})
#: Verbs of an action written in note form after its owner ("Action: Var Kamal to write
#: to the landowner").
ACTION_VERBS = frozenset({
    "write", "send", "call", "phone", "ring", "email", "contact", "arrange", "check",
    "chase", "review", "provide", "confirm", "circulate", "draft", "prepare", "update",
    "speak", "meet", "visit", "attend", "book", "follow", "liaise", "investigate", "report",
    "share", "obtain", "seek", "ask", "inform", "forward", "complete", "organise",
    "organize", "discuss", "look", "find", "raise", "escalate", "respond", "reply", "invite",
    "agree", "consider", "present", "bring", "collect", "submit", "sign", "source",
    "keep", "lead", "monitor", "support", "take", "chair", "record", "refer", "notify",
    "advise", "assist", "ensure", "return", "allocate", "explore", "request",
})
#: Nouns for a person that start a sentence with no name ("Man was arrested", "Mother
#: was upset"): the participle rule leaves them.
PERSON_NOUNS = frozenset({
    "man", "woman", "men", "women", "boy", "girl", "boys", "girls", "person", "persons",
    "lady", "gentleman", "youth", "youths", "male", "female", "individual", "customer",
    "visitor", "passenger", "occupier", "household", "everyone", "someone", "nobody",
})

#: Who speaks in a transcript or an interview record, by role ("Officer:", "Q:"): a line
#: that starts so makes the text a transcript, where the other speaker labels are people.
SPEAKER_ROLES = frozenset({
    "officer", "interpreter", "applicant", "appellant", "caller", "adviser", "advisor",
    "interviewer", "interviewee", "witness", "judge", "counsel", "q", "a", "claimant",
    "respondent", "chair", "clerk", "operator", "agent", "customer", "solicitor",
    "detainee", "presenting officer", "representative", "rep", "translator", "victim",
    "suspect", "dp", "complainant", "patient", "parent", "pupil", "child", "resident",
    "tenant", "staff", "nurse", "doctor", "gp", "social worker", "caseworker", "manager",
})
#: Labels a line starts with that are no speaker ("Subject:", "Note:", "Outcome:").
LINE_LABELS = frozenset({
    "subject", "sent", "date", "time", "re", "fw", "fwd", "cc", "bcc", "to", "from", "note",
    "notes", "action", "actions", "outcome", "summary", "location", "venue", "ref",
    "reference", "answer", "question", "response", "decision", "reason", "reasons",
    "comment", "comments", "update", "result", "status", "priority", "category", "type",
    "tel", "phone", "email", "mobile", "fax", "address", "nationality", "dob", "age",
    "gender", "sex", "language", "alias", "aka", "name", "names", "attachments", "end",
    "start", "interpreter", "break", "pause", "recording", "transcript", "interview",
    "present", "apologies", "agenda", "item", "minutes", "background", "request",
    "observation", "observations", "intel", "source", "grading", "risk", "warning",
    "caution", "ps", "nb", "important", "urgent", "attention", "attn", "dependants",
    "children", "household", "members", "named", "sponsor",
})
