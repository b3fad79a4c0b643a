"""A seventh evaluation corpus: Home Office-style text, frozen before it was first scored.

The first six corpora are local-government and NHS writing with mostly
English, European and South Asian names. fivestar will be measured on
extracts nobody here has seen; a Home Office extract is the likeliest, so
this corpus writes what its free text would hold, in forms the others lack.
It was written in session 12 before any scrubber change of that session and
**generated and committed (``corpus_seventh.json.gz``) before it was first
scored**; its first figure is the honest blind figure for the scrubber of that
day (the README gives it). Rules added after reading its leaks make it one
more tuned corpus: the README says when that happened.

* **Names**, held-out only (:func:`pipelines.redaction.holdout.held_out`, on
  every part), so no detector list holds them:

  - transliterated names written for this corpus (Arabic with its spelling
    variants, Somali in both English and Somali orthography, Eritrean and
    Ethiopian, Kurdish, Albanian, Tamil, Vietnamese with and without
    diacritics, Chinese pinyin);
  - Ukrainian names from Faker's ``uk_UA`` provider romanised by the
    Ukrainian national table of 2010 (the one in Ukrainian passports:
    "Hryhorii", where the detectors' ``anyascii`` writes "Grigoriy");
  - Romanian names from Faker's ``ro_RO`` provider, with their diacritics;
  - given names and surnames that are English words (Hope, Grace, Frank,
    Young, Hill, Wood...), held out like the rest.
* **Writers**: immigration case notes, asylum interview records with
  speaker labels, police custody and intelligence logs in capitals, e-mail
  threads (From/To/Cc/Re:, signatures), caseworker chat in lower case,
  detention-centre logs, lists of household members, NRM referrals, appeal
  determinations, data-matching and PNC-style records, visa sponsorship notes.
* **Forms**: family name first in capitals ("HAILE Tesfay"), "Surname,
  First", "J. Smith", "J Smith", "Smith J", names split by "/" or a line
  break, possessives (straight and curly apostrophes), names in quotes,
  aliases ("aka", "also spelt"), names beside places and organisations,
  relation word then name at a sentence start ("Son Liban attends..."),
  speaker labels ("Hagos: ..."), "Re: Grace", lower case, ALL CAPS.
* **Clean text** with hard negatives: places (UK, countries of origin,
  removal centres), organisations, legislation and immigration rules,
  months and days, products and apps, capitalised and ALL CAPS headings,
  e-mail headers and speaker labels without people, nationalities and
  languages, and the English words the names above are, used as words
  ("Hope remains", "a grace period", "young people", "a frank discussion").

Rebuild (same seed, same file, given the same Faker version):
``python -m benchmarks.names.corpus_seventh --build``.
"""

from __future__ import annotations

import importlib.metadata
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.names import frozen
from pipelines.redaction.holdout import held_out

HERE = Path(__file__).parent
FROZEN = HERE / "corpus_seventh.json.gz"
SEED = 7007


@dataclass
class Planted:
    style: str
    text: str
    tokens: list[tuple[str, str, str]] = field(default_factory=list)


# ---------------------------------------------------------------- name sources

_W = str.split
#: {origin: (given names, family names)}, written for this corpus; only held-out ones are used.
HAND: dict[str, tuple[list[str], list[str]]] = {
    "arabic": (_W(
        "Mohammed Muhammad Mohamed Mohamad Ahmed Ahmad Mahmoud Mahmud Mustafa Moustafa "
        "Abdullah Abdallah Abdelrahman Abdulrahman Abdelaziz Abdulaziz Khaled Khalid Walid "
        "Waleed Yousef Youssef Yusuf Ibrahim Ebrahim Ismail Ismael Hussein Hussain Hassan "
        "Hasan Omar Umar Othman Uthman Osama Usama Tariq Tarek Samir Sameer Nabil Nabeel "
        "Karim Kareem Rami Ramy Fadi Fady Hani Hany Ziad Ziyad Bilal Hamza Hamzah Anas Amr "
        "Amro Basel Basil Majed Majid Sami Fatima Fatimah Aisha Aysha Ayesha Khadija "
        "Khadijah Mariam Maryam Zainab Zaynab Noor Nour Huda Hoda Amal Amira Ameera Rania "
        "Ranya Layla Leila Laila Yasmin Yasmeen Samira Sameera Hanan Reem Dalia Dalya Ghada "
        "Iman Eman Asma Asmaa Wafa Hala Lina Lana Salma Sana Sanaa Jamila Jameela Nadia "
        "Nadya Mona Muna Rasha Rawan Dina Doaa Duaa Shaimaa Heba Hiba Qusai Qais Luay Louay "
        "Muayad Muhannad Mohannad Nizar Ghassan Haitham Haytham Jihad Marwan Raed Raid "
        "Saif Sayf Thaer Wissam Wesam Yazan Zaid Zayd"), _W(
        "Al-Masri Al-Ahmad Al-Hassan Abdelkader Abdulkadir Haddad Khoury Khouri Nasser Nasr "
        "Saleh Salih Mansour Mansur Hamdan Hamdi Darwish Darweesh Qasim Kassem Qassem "
        "Suleiman Sulaiman Shaaban Shaban Zaher Zahir Jaber Jabir Barakat Hijazi Hejazi "
        "Obeid Ubaid Awad Aouad Rasheed Al-Rashidi Al-Shammari Al-Otaibi Al-Qahtani "
        "Al-Zahrani Al-Ghamdi Al-Harbi Al-Mutairi Al-Dosari Al-Anazi Bakri Tamimi "
        "Al-Tamimi Khatib Al-Khatib Sabbagh Najjar Al-Najjar Hamoud Hammoud Fakhoury Issa "
        "Eissa Khalil Halabi Shami Al-Shami Homsi Idlibi Dabbagh Attar Al-Attar Sa'ad "
        "Fayad Fayyad Ghanem Ghanim Nassar Sarraf Jundi El-Sayed Elsayed Abu-Zeid Abuzaid "
        "Al-Jubouri Al-Dulaimi Al-Obaidi Al-Saadi Al-Hashimi Al-Azzawi Al-Rubaie Al-Janabi "
        "Al-Khafaji Al-Musawi Al-Timimi Al-Bayati Kubba Chalabi Allawi Mahdi Sadr Hakim")),
    "somali": (_W(
        "Abdirahman Abdirahim Abdirashid Abdiaziz Abdikarim Abdiqani Abdullahi Abdinasir "
        "Abdiwali Mohamud Mahamed Maxamed Cabdi Abdi Faarax Farah Axmed Cali Xasan Yuusuf "
        "Liban Guled Warsame Osman Cismaan Hodan Hibaaq Hibo Faadumo Fadumo Sahra Saynab "
        "Ifrah Ayaan Amran Idil Ilhaan Ilhan Filsan Nimco Nimo Sagal Shukri Ubah Ruqiya "
        "Xaliimo Halima Khadra Deeqa Hawa Istar Qamar Sucaad Suad Yasmiin Bashir Burhan "
        "Dahir Daahir Jama Jaamac Mukhtar Muktar Nuur Siciid Shire Yonis Yoonis Bile "
        "Mowlid Mawlid Hamse Xamse Sakariye Zakariye Ilyaas Ayanle Abshir Sharmarke "
        "Najma Kowsar Kawsar Muno Samsam Zamzam Ladan Luul Hinda Hamdia Ikran Ikraan"), _W(
        "Warsame Jama Hersi Xirsi Egal Ige Gedi Geedi Mohamud Cumar Dualeh Ducaale Aden "
        "Aadan Adan Elmi Cilmi Isse Ciise Hirsi Samatar Shirdon Mursal Guleid Barre Bare "
        "Kahin Kaahin Awale Cawaale Roble Rooble Jibril Jibriil Xuseen Gelle Geelle Madar "
        "Maxamuud Afrah Dirie Diiriye Abokor Haji Xaaji Bulhan Qalib Galaal Gaas Wehliye "
        "Weheliye Yabarow Hashi Xaashi Guray Gurey Tarabi Magan Mataan Nageye Omaar "
        "Sheekh Qorane Waberi Ugaas Fiqi Dhuux Ileeye Hussen Gaal Gaab Salaad Calasow")),
    "eritrean": (_W(
        "Tesfay Tesfaye Tesfamariam Tesfamichael Tekle Teklu Tekleab Tewelde Tewolde Yonas "
        "Yohannes Yohanes Dawit Semere Senait Selam Selamawit Saba Hiwet Haben Hagos Habtom "
        "Habte Berhane Berhe Mebrahtu Mebrat Mehari Merhawi Mussie Fikre Filmon Filimon "
        "Ghebre Gebre Gebremedhin Ghirmay Girmay Kidane Kibrom Kiflom Kifle Medhanie "
        "Medhane Negassi Negasi Okbay Okbazghi Robel Ruta Segen Simret Winta Wintana "
        "Yordanos Yodit Zewdi Zewditu Aster Almaz Abeba Feven Freweini Luwam Meron Mihret "
        "Nardos Rahel Rigbe Tsega Tsehaye Tsige Weyni Yemane Zerai Zeray Amanuel Efrem "
        "Ermias Goitom Isaias Aklilu Asmerom Biniam Biniyam Eyob Awet Aron Filmona Helen "
        "Senai Sennait Temesghen Temesgen Tedros Teklit Yafet Yirgalem Zemichael"), _W(
        "Ghebremedhin Ghebreyesus Gebreyesus Haile Hailemariam Weldemichael Woldemichael "
        "Wolde Welde Asfaha Abraha Negash Tsegay Tsegaye Araya Zerezghi Zeresenay Measho "
        "Mesfin Okbamichael Habtemariam Andemariam Andebrhan Fessehaye Fesseha Ghirmai "
        "Ghebrehiwet Teclemariam Teklemariam Sium Siyoum Estifanos Kahsay Kahsai "
        "Gebrehiwet Ghebru Ghebrezgiabher Woldu Weldu Gebrekidan Tesfagiorgis Tesfazghi "
        "Mengesha Mengistu Abreha Bahta Berhanu Gebremariam Ghebrekidan Kiflemariam "
        "Tecle Tekeste Tewoldebrhan Weldeab Woldegiorgis Yemanu Zemuy Ogbamichael")),
    "kurdish": (_W(
        "Azad Aram Ararat Baran Bakhtiar Bakhtyar Botan Dilshad Dilan Diyar Dara Delal "
        "Hawre Hemin Hiwa Hozan Kawa Karwan Kamaran Rebwar Rebin Rezan Rojin Rojda Ronahi "
        "Rizgar Saman Sardar Serhad Shirwan Shorsh Sirwan Soran Zana Zanyar Zilan Zhilwan "
        "Zryan Avin Avan Bahar Berivan Berfin Dilnya Gulistan Helin Jiyan Lavin Nareen "
        "Narin Nasrin Nishtiman Parwin Payam Shilan Shno Sozan Taban Viyan Zhina Jina "
        "Zhiwar Hardi Hevi Nawzad Nechirvan Peshawa Pshtiwan Aso Ako Barzan Dler Dlawar "
        "Farhad Hoshyar Kosrat Mahabad Nihad Omed Pola Rawand Sherko Tavga Yad Hogr Harem "
        "Darun Kochar Lawen Rahel Sakar Srwa Trifa"), _W(
        "Barzani Talabani Ahmadi Amedi Barwari Berwari Dosky Doski Duhoki Hawrami Hewrami "
        "Jaff Kakai Kurdi Mizuri Mohammadi Qadir Qaradaghi Rekani Rozhbayani Sindi Shwani "
        "Sorani Zebari Zangana Zangane Mahmoudi Hamawandi Herki Baban Bradosti Surchi "
        "Khoshnaw Harki Mangur Piran Rasul Rasoul Kakl Abdulla Hama Qadri Sharafkandi "
        "Hassanpour Karimi Rahimi Moradi Azizi Amini Naseri Soltani Zandi Bahrami "
        "Shexani Goyani Sheikhani Balisani Pishdari Jalali Bapir Mamand Xoshnaw Dizayee")),
    "albanian": (_W(
        "Arben Arjan Ardian Artan Arber Agron Albion Altin Alban Andi Armend Astrit Bajram "
        "Bekim Besnik Blerim Burim Dardan Dritan Edon Endrit Enver Erion Ervin Fatmir "
        "Festim Fisnik Florian Genc Gentian Granit Ilir Kastriot Klodian Leka Lirim Lulzim "
        "Mergim Naim Nderim Petrit Qemal Redon Rilind Shkelzen Skender Sokol Taulant Valon "
        "Vullnet Ylli Xhevdet Xhemal Adelina Albana Alketa Anila Ardita Arjola Besa Blerta "
        "Bora Drita Dorina Elira Elona Entela Erjona Fatjona Flutura Gentiana Ilirjana "
        "Jonida Klea Kaltrina Lindita Liridona Majlinda Mimoza Njomza Rozafa Teuta "
        "Valbona Vjosa Xhensila Zamira Ermal Erald Klajdi Kristi Mikel Olsi Renato"), _W(
        "Hoxha Krasniqi Gashi Berisha Shala Morina Kelmendi Bytyqi Hasani Rexhepi Ahmeti "
        "Shehu Thaci Kryeziu Dervishi Osmani Sadiku Kastrati Rama Meta Basha Dushku Gjoka "
        "Marku Nikolla Prifti Kola Lleshi Gjoni Doda Hysa Haxhiu Xhafa Zeqiri Ymeri "
        "Qerimi Behrami Halili Imeri Jashari Kadriu Limani Mehmeti Nuhiu Pajaziti Qorri "
        "Rrahmani Sejdiu Tahiri Ukaj Veseli Xhaferi Zogaj Bajrami Cela Dedaj Elezi "
        "Fejzullahu Gjonaj Hajdari Ismaili Kurti Luma Musliu Paloka Rugova Syla Cani "
        "Dibra Gjika Hoti Kapllani Lika Mema Ndreu Pllumi Shkreli Tafa Vata Zhupa")),
    "tamil": (_W(
        "Arun Arumugam Balasubramaniam Chandran Dinesh Elango Ganesan Gopal Ilango "
        "Jeyakumar Jeyaseelan Kandasamy Kannan Karthik Karthikeyan Kumaran Mahendran "
        "Manikandan Murugan Muthu Nadarajah Nagarajan Prabhakaran Rajendran Ramasamy "
        "Sathish Selvam Senthil Sivakumar Sivanesan Sundaram Suresh Thangaraj Thavarajah "
        "Thiru Thirumal Vasanthan Velu Vignesh Yogarajah Abirami Anandhi Bhavani "
        "Gayathri Ilakkiya Janani Kalaivani Kavitha Kayal Lakshmi Malar Meenakshi Nila "
        "Nithya Padma Revathi Sangeetha Selvi Shanthi Sumathi Tamilselvi Thenmozhi Vani "
        "Vasuki Yalini Tharshini Kajan Kirushanth Mathushan Pirashanth Sajeevan Thanushan "
        "Vithushan Jathusan Niroshan Kobika Mathumitha Thuvaraka Kirushika Sinthuja"), _W(
        "Pillai Sivapalan Thiruchelvam Kanagaratnam Sivakumaran Ratnam Ratnasingham "
        "Balakrishnan Subramaniam Ponnambalam Selvarajah Rajaratnam Thambiah Arulampalam "
        "Mahalingam Sinnathamby Kandiah Velupillai Yogalingam Jeyarajah Srikanthan "
        "Sriskandarajah Thevarajah Paramanathan Kathirgamanathan Navaratnam Kumarasamy "
        "Muthusamy Shanmugam Murugesu Sellathurai Sivanathan Vythilingam Ganeshalingam "
        "Loganathan Mylvaganam Rasiah Thurairajah Anandarajah Jegatheesan Kirubakaran "
        "Pathmanathan Premakumar Raveendran Satkunanathan Tharmalingam Uthayakumar "
        "Vigneswaran Nagendran Puvanendran Sivarajah Thillainathan Yogeswaran")),
    "vietnamese": (_W(
        "Anh Bảo Bình Chi Cường Dũng Đức Đạt Giang Hải Hạnh Hiếu Hoa Hoàng Hùng Hương "
        "Huy Khánh Khoa Lan Linh Long Mai Minh Nam Ngọc Nhung Phong Phương Quân Quang Sơn "
        "Tâm Thanh Thảo Thu Thủy Tiến Trang Trung Tuấn Tùng Việt Vinh Vy Xuân Yến Hậu "
        "Lộc Phúc Thắng Toàn Trí Tú Uyên Vân Duyên Hằng Loan Nga Oanh Quỳnh Thơm"), _W(
        "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh "
        "Trịnh Trương Lâm Lương Tạ Cao Quách Thái Vương Kiều Tăng Châu Đoàn Lại Mạc "
        "Nghiêm Phùng Tiêu Tôn Triệu Ưng Khúc Giáp Hà Lục Mẫn Ninh Tô Văn Viên")),
    "chinese": (_W(
        "Wei Fang Xiuying Min Jing Qiang Lei Jun Yong Yan Jie Juan Tao Ming Chao Xiulan "
        "Xia Ping Gang Guiying Hua Hui Jian Jianhua Jianguo Jianjun Haiyan Hongmei "
        "Xiaoming Xiaohong Xiaoyan Yuying Zhiqiang Zhiwei Zihan Zixuan Yuxuan Haoran "
        "Yichen Ruoxi Yutong Xinyi Muchen Shuang Ting Dan Hao Kai Peng Rui Tian Xin Zhen "
        "Yuhang Zeyu Haoyu Junjie Wenjing Lihua Guoqiang Dongmei Chunhua Qiuyue Meiling"), _W(
        "Wang Zhang Liu Chen Yang Huang Zhao Zhou Sun Zhu Guo Gao Luo Zheng Liang Xie "
        "Song Tang Han Feng Deng Cao Zeng Xiao Tian Dong Yuan Pan Jiang Cai Cheng Su Ding "
        "Ren Shen Yao Cui Zhong Tan Liao Qiu Xia Shi Hou Bai Qin Mao Hao Kong Shao Meng "
        "Duan Lei Qian Yin Qiao Lai Gong Wen Xue Zou Xiong Jia Fu Kang Xing Hong Jin")),
}
#: Names that are English words: a surname and a given name in one list.
ENGLISH_WORDS = _W(
    "Rose Hope Mark Bill Grace Joy Frank Young Brown Hill Wood Faith Daisy Holly Ivy Lily "
    "Violet Amber Ruby Pearl Jade Dawn Summer Autumn April June Iris Heather Fern Hazel "
    "Olive Poppy Robin Jack Will Pat Rob Sue Ray Dean Drew Gene Grant Lance Miles Rich "
    "Sandy Wade Chase Clay Cliff Dale Glen Heath Hunter Mason Piper Price Reed Rusty Sterling "
    "Sunny Wolf Bell Bishop Baker Black Carpenter Cook Green White Fisher Fox Hall King "
    "Lamb Little Long Moon Marsh Mills Nash Page Parsons Pool Rice Rivers Shepherd Short "
    "Small Stone Swan Temple Turner Walker Ward Wells West Wise Woods Field Ford Lane Bird "
    "Bush Church Cross Day Frost Gold Hart Hunt Knight Lord Mann Noble Park Penny Savage "
    "Sharp Sweet Bond Banks Booth Brook Bull Cole Crane Dove Drake Duke Finch Fish Flower "
    "Gates Hardy Hawk Hood House Key Law Leach Nightingale Peacock Pike Post Proud "
    "Rainbow Reader Root Salt Sand Seed Silver Snow Spring Steel Strong Tower Tree Vale "
    "Wall Waters Weaver Wheeler Winter Wren Major Mercy Patience Honor Sky Storm River "
    "Forest Ocean Star Happy Blessing Precious Marvel Gift Goodness Comfort Lucky Guy")

#: Ukrainian national romanisation (Cabinet of Ministers resolution 55, 2010).
_KMU = dict(zip(
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'’",
    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m",
     "n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia",
     "", ""], strict=True))
_KMU_FIRST = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}


def romanise_uk(word: str) -> str:
    """A Ukrainian word in the passport romanisation ("Григорій" -> "Hryhorii")."""
    low = word.lower().replace("зг", "зґх")  # "zgh", kept apart from "zh"
    out = []
    for i, ch in enumerate(low):
        if ch == "ґ" and i and low[i - 1] == "з" and low[i + 1:i + 2] == "х":
            out.append("g")
            continue
        if ch == "х" and i and low[i - 1] == "ґ":
            out.append("h")
            continue
        out.append(_KMU_FIRST[ch] if i == 0 and ch in _KMU_FIRST else _KMU.get(ch, ch))
    text = "".join(out)
    return "-".join(p.capitalize() for p in text.split("-"))


def _ok(name: str) -> bool:
    """A usable planted name: letters (an apostrophe or hyphen inside), 3+ letters, every part
    held out."""
    return (len(re.sub(r"\W", "", name)) >= 3
            and bool(re.fullmatch(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", name))
            and all(held_out(p) for p in re.split(r"-", name)))


def _lists() -> dict[str, dict[str, list[str]]]:
    """{origin: {"first": [...], "last": [...]}} of held-out names."""
    import faker.providers.person.ro_RO as ro
    import faker.providers.person.uk_UA as uk

    out = {o: {"first": sorted({n for n in f if _ok(n)}), "last": sorted({n for n in s if _ok(n)})}
           for o, (f, s) in HAND.items()}
    words = sorted({n for n in ENGLISH_WORDS if _ok(n)})
    out["english word"] = {"first": words, "last": words}
    out["ukrainian"] = {
        "first": sorted({romanise_uk(n) for n in uk.Provider.first_names
                         if _ok(romanise_uk(n))}),
        "last": sorted({romanise_uk(n) for n in uk.Provider.last_names
                        if _ok(romanise_uk(n))}),
    }
    out["romanian"] = {"first": sorted({n for n in ro.Provider.first_names if _ok(n)}),
                       "last": sorted({n for n in ro.Provider.last_names if _ok(n)})}
    return out


#: origins and how often each is drawn
ORIGINS = {"arabic": 14, "somali": 12, "eritrean": 12, "kurdish": 10, "albanian": 10,
           "tamil": 8, "vietnamese": 8, "chinese": 8, "ukrainian": 8, "romanian": 6,
           "english word": 14}


# ---------------------------------------------------------------- planted text

#: {A}, {B}: a person in a drawn form; {G}: a given name alone; {L}: a family name alone;
#: {C}: a name in capitals; lower-case slots ({a}, {g}) are written in lower case.
STYLES: dict[str, list[str]] = {
    "immigration case note": [
        "Applicant {A} claims his uncle {B} arranged the journey via Libya.",
        "Spoke to {A} at reporting centre. Says cousin {G} now in Birmingham.",
        "Son {G} attends St Anne's primary; wife {G} is pregnant.",
        "Sponsor: {A} (brother). Relationship not evidenced.",
        "{A}'s solicitor has lodged further submissions under paragraph 353.",
        "The applicant states that {A} of Croydon let him stay in return for work.",
        "Wife {G} and daughter {G} remain in Hargeisa.",
        "Mother, {A}, was detained at the border in 2019.",
    ],
    "asylum interview": [
        "Officer: What is your full name?\n{G}: My name is {A}.",
        "Interpreter: He says {A} paid the agent.\nOfficer: How much?",
        "Q12. Who is {G}?\nA. He is my brother's friend from Asmara.",
        "{L}: I was taken to the camp with {A}.\nOfficer: When was this?",
        "Officer: Do you know {A}?\nApplicant: Yes, she lived next door.",
        "Q: Who travelled with you?\nA: {A}, {B} and my sister {G}.",
    ],
    "custody log": [
        "DP {C} BOOKED IN AT 02:14. BROTHER {C} INFORMED.",
        "02:40 DP REQUESTED SOLICITOR. {C} FROM DUTY SCHEME CONTACTED.",
        "Detained person: {F}. Arresting officer PC {L}.",
        "INTEL: {C} SEEN IN COMPANY OF {C} NEAR DOVER DOCKS.",
        "Appropriate adult {A} attended 09:15.",
    ],
    "e-mail": [
        "From: {S}\nSent: 14 March\nTo: Asylum Casework\nSubject: Re: {G}",
        "Re: {A}\n\nHi {G},\nPlease see the attached bundle.\nThanks\n{G}",
        "Cc: {A}; {B}\nSubject: removal directions",
        "Thanks,\n{G}\n\n{A} | Senior Caseworker | Asylum Operations",
        "Hi all, {A} has asked to move the review to Thursday. Regards, {G}",
        "FW: {S} - further submissions",
    ],
    "caseworker chat": [
        "{a} says the brp still hasnt arrived",
        "can someone call {a} back, she rang twice",
        "spoke to {g} - her son {g} is in hospital",
        "pls add {a} to the list for tuesday",
        "{g}'s appeal is listed for the 14th",
    ],
    "detention log": [
        "Room 12: {A} refused food at lunch.",
        "Welfare check on {A} by Officer {L} at 23:00.",
        "Visitor for {A}: {B} (cousin), 14:00 to 15:00.",
        "Healthcare saw {A} about the chest pains.",
    ],
    "household list": [
        "Household members: {G} (father), {G} (mother), {G}, {G} and {G}.",
        "Dependants:\n- {A}\n- {B}\n- {G}",
        "Children: {G}, 9; {G}, 6; {G}, 2.",
        "Named on the claim: {A}, {B}.",
    ],
    "NRM referral": [
        "Potential victim {A} was recruited by a man known as \"{G}\".",
        "The exploiter, {A}, took her passport in Bucharest.",
        "First responder notes that {A} worked at a car wash run by {B}.",
        "She called him '{G}' but believes his real name is {A}.",
    ],
    "appeal determination": [
        "The appellant, {A}, is a national of Eritrea.",
        "I heard evidence from the appellant's sister, {A}.",
        "Mr {L} gave evidence with the assistance of a Tigrinya interpreter.",
        "I do not accept that {A} is the appellant's father.",
        "Judge {L} adjourned the hearing.",
    ],
    "matching record": [
        "Subject {F} (aka {A}) matched on fingerprints to a 2021 Eurodac hit.",
        "Name: {R}\nNationality: Albanian",
        "Alias: {A} / {B}",
        "Spelling variant {G} also recorded (also spelt {G}).",
        "Record shows {I} at the same address.",
    ],
    "sponsorship": [
        "Sponsor licence holder {A} of Kings Road Care Ltd employs {B} as a carer.",
        "Key contact: {A}, HR Manager. Authorising officer: {B}.",
        "{A}, director of Sunrise Kitchens, was interviewed with {B}.",
    ],
}
#: (form, weight) for {A}/{B}
FORMS: list[tuple[str, float]] = [
    ("full", 30), ("FAMILY First", 10), ("Family, First", 8), ("initial family", 6),
    ("initial. family", 6), ("family initial", 5), ("title family", 8), ("caps", 6),
    ("slash", 3), ("line break", 3), ("given", 8), ("family", 5), ("quoted", 2),
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "PC", "DC", "Sgt", "Officer", "Judge", "Cllr"]


def _draw(rng: random.Random, lists: dict) -> dict:
    origin = rng.choices(list(ORIGINS), list(ORIGINS.values()))[0]
    pool = lists[origin]
    return {"origin": origin, "first": rng.choice(pool["first"]),
            "last": rng.choice(pool["last"])}


def _render(rng: random.Random, form: str, p: dict) -> tuple[str, list[str]]:
    first, last = p["first"], p["last"]
    if form == "full":
        # family-first origins are often written so in UK records too
        if p["origin"] in ("vietnamese", "chinese") and rng.random() < 0.5:
            return f"{last} {first}", [last, first]
        return f"{first} {last}", [first, last]
    if form == "FAMILY First":
        return f"{last.upper()} {first}", [last.upper(), first]
    if form == "Family, First":
        return f"{last}, {first}", [last, first]
    if form == "initial family":
        return f"{first[0]} {last}", [last]
    if form == "initial. family":
        return f"{first[0]}. {last}", [last]
    if form == "family initial":
        return f"{last} {first[0]}", [last]
    if form == "title family":
        return f"{rng.choice(TITLES)} {last}", [last]
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "slash":
        return f"{first}/{last}", [first, last]
    if form == "line break":
        return f"{first}\n{last}", [first, last]
    if form == "given":
        return first, [first]
    if form == "family":
        return last, [last]
    if form == "quoted":
        return f"\u201c{first} {last}\u201d", [first, last]
    raise ValueError(form)


def _parts(tokens: list[str]) -> list[str]:
    """Hyphenated names count as their parts of three letters or more ("Al-Masri" -> "Masri")."""
    return [part for t in tokens for part in t.split("-") if len(part) >= 3]


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
        while (m := re.search(r"\{([ABGLCFSRIag])\}", text)) is not None:
            slot = m.group(1)
            p = _draw(rng, lists)
            if slot in ("G", "g"):
                shown, toks, form = p["first"], [p["first"]], "given"
            elif slot == "L":
                shown, toks, form = p["last"], [p["last"]], "family"
            elif slot == "C":
                shown, toks = _render(rng, "caps", p)
                form = "caps"
            elif slot == "F":
                shown, toks = _render(rng, "FAMILY First", p)
                form = "FAMILY First"
            elif slot == "S":
                # an e-mail display name: "Family, First" or "First Family"
                form = rng.choice(["Family, First", "full"])
                shown, toks = _render(rng, form, p)
            elif slot == "R":
                form = "FAMILY, First"
                shown, toks = f"{p['last'].upper()}, {p['first']}", [p["last"].upper(),
                                                                     p["first"]]
            elif slot == "I":
                form = "initials list"
                q = _draw(rng, lists)
                shown = f"{p['first'][0]}. {p['last']} and {q['first'][0]} {q['last']}"
                toks = [p["last"]]
                rec.tokens += [(t, q["origin"], form) for t in _parts([q["last"]])]
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
        rec.text = text
        out.append(rec)
    return out


# ---------------------------------------------------------------- clean text

PLACES = ["Croydon", "Lunar House", "Heathrow Terminal 4", "Dover", "Folkestone", "Calais",
          "Dunkirk", "Tirana", "Asmara", "Khartoum", "Mogadishu", "Hargeisa", "Erbil",
          "Sulaymaniyah", "Kabul", "Jaffna", "Colombo", "Hanoi", "Ho Chi Minh City", "Fujian",
          "Kharkiv", "Lviv", "Bucharest", "Constanta", "Napier Barracks", "Manston",
          "Brook House", "Yarl's Wood", "Harmondsworth", "Colnbrook", "Dungavel",
          "Wethersfield", "Glasgow", "Liverpool", "Cardiff", "Belfast", "Stockton-on-Tees",
          "Middlesbrough", "Rochdale", "Peterborough", "Luton", "Kent", "Addis Ababa",
          "Tripoli", "Libya", "Sudan", "Eritrea", "Ethiopia", "Somaliland", "Iraq", "Iran",
          "Albania", "Kosovo", "Vietnam", "Sri Lanka", "Ukraine", "Romania", "Turkey",
          "Bulgaria", "the Channel", "the Mediterranean", "Lampedusa", "Rwanda"]
ORGS = ["Migrant Help", "the Refugee Council", "the British Red Cross", "Serco", "Mears",
        "Clearsprings Ready Homes", "Barnardo's", "the IOM", "UNHCR", "Kent Police",
        "the Metropolitan Police", "Immigration Enforcement", "HM Passport Office",
        "Border Force", "UK Visas and Immigration", "the Home Office", "the NCA",
        "the Single Competent Authority", "the First-tier Tribunal", "the Upper Tribunal",
        "Bail for Immigration Detainees", "the Salvation Army", "Citizens Advice",
        "Medical Justice", "the Helen Bamber Foundation", "Freedom from Torture",
        "HM Prison and Probation Service", "Interpol", "Europol", "the CPS",
        "Kings Road Care Ltd", "Sunrise Kitchens", "the Local Government Association"]
LAWS = ["section 55 of the Borders, Citizenship and Immigration Act 2009",
        "the Illegal Migration Act 2023", "the Nationality and Borders Act 2022",
        "the Immigration Act 1971", "Appendix FM", "paragraph 353 of the Immigration Rules",
        "Article 8 ECHR", "Article 3 ECHR", "the Modern Slavery Act 2015",
        "the Refugee Convention", "section 95 support", "section 4 support",
        "the Dublin III Regulation", "the Adults at Risk policy", "Rule 35",
        "the Equality Act 2010", "the Data Protection Act 2018", "PACE Code C"]
PRODUCTS = ["WhatsApp", "Facebook Messenger", "Telegram", "Viber", "TikTok", "Instagram",
            "an iPhone 13", "a Samsung Galaxy", "a Ford Transit", "a Vauxhall Corsa",
            "a Toyota Prius", "Google Maps", "Western Union", "MoneyGram", "PayPal",
            "Microsoft Teams", "Zoom", "Atlas", "CID", "Casework Information Database",
            "the Aspen card", "a BRP", "an eVisa", "Home Office Biometrics"]
LANGS = ["Tigrinya", "Amharic", "Sorani", "Kurmanji", "Arabic", "Somali", "Albanian",
         "Vietnamese", "Mandarin", "Cantonese", "Tamil", "Ukrainian", "Romanian", "Pashto",
         "Dari", "Farsi", "Oromo", "Urdu"]
NATS = ["Eritrean", "Sudanese", "Somali", "Iraqi", "Iranian", "Kurdish", "Albanian",
        "Vietnamese", "Chinese", "Sri Lankan", "Ukrainian", "Romanian", "Syrian", "Afghan",
        "Ethiopian", "Libyan", "Egyptian", "Turkish", "Kosovan"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HEADINGS = ["CASE SUMMARY", "Risk Assessment", "NEXT STEPS", "Background", "Credibility",
            "Vulnerability Factors", "ACTION REQUIRED", "Decision", "Reasons For Refusal",
            "Safeguarding Concerns", "Travel History", "Medical Evidence",
            "Country Guidance", "Removal Directions"]
#: the English words the names above are, used as words
WORD_SENTENCES = [
    "Hope remains that the backlog will clear by {month}.",
    "A grace period of {n} days applies to late payments.",
    "Young people in hotels were moved to foster placements.",
    "Brown envelopes with the decision letters were posted on {day}.",
    "Frank discussions were held with the provider about standards.",
    "Mark the file as closed once the BRP is returned.",
    "Bill payments for the hotel rose by {n}%.",
    "Rose by {n}% on the previous quarter, according to the dashboard.",
    "Will the interpreter be available on {day}?",
    "Wood and metal items are not allowed in the visits hall.",
    "Hill walking was offered as an activity at Wethersfield.",
    "Grant funding of £{amount} was agreed with {org}.",
    "Faith groups in {place} offered English classes.",
    "Summer arrivals by small boat were higher than in {month}.",
    "Joy and relief were reported by families after the decision.",
    "Price increases hit the Aspen card allowance in {month}.",
    "Park and ride is available near the reporting centre.",
    "Snow closed the roads around {place} on {day}.",
    "Spring and autumn intakes are planned for the English course.",
    "Gold command met at 06:00; silver and bronze reported at 07:30.",
    "Little progress was made before {month}.",
    "Long delays at {place} were put down to staffing.",
    "Major incident declared at {place}; stood down by 14:00.",
    "Mercy Ships and other charities offered help.",
    "Green and amber cases are reviewed weekly; red cases daily.",
    "White vans were seen near the lorry park at {place}.",
    "Banks must check immigration status before opening an account.",
    "Rich evidence from {org} supported the claim.",
    "Reader feedback on the guidance was positive.",
    "Stone walls around the site were repaired in {month}.",
]
CLEAN_TEMPLATES = [
    "Asylum claim lodged at {place}. Screening interview booked for {day} {d} {month}.",
    "Referred to {org} under {law}.",
    "{org} officers at {place} seized {n} kg of cannabis from {product}.",
    "Application refused under {law}; right of appeal to {org}.",
    "Interview conducted in {lang} by telephone interpreter.",
    "The claimant is an {nat_an} national who travelled through {place} and {place2}.",
    "{heading}\n- Claimed nationality: {nat}\n- Language: {lang}\n- Route: {place}, {place2}",
    "{heading}: refer to {org} by {day}.",
    "Contact was made over {product} and later by phone.",
    "Payment of £{amount} was sent via {product} to {place}.",
    "From: Asylum Casework Team\nSent: {d} {month}\nTo: Legal Services\nSubject: Re: {heading}",
    "Cc: Detention Engagement Team; Removals Casework\nSubject: RE: {heading} - {place}",
    "Officer: Please confirm your address.\nInterpreter: He says he lives in {place}.",
    "Q: How did you travel?\nA: By lorry from {place} to {place2}, then by boat.",
    "NO FURTHER ACTION. FILE CLOSED {d} {month_up}.",
    "SUBJECT DETAINED AT {place_up} UNDER {law_up}.",
    "ok will check {product} tomorrow and update the file",
    "thanks all, {org} confirmed the move for {day}",
    "Case transferred to the {place} hub on {d} {month} {year}.",
    "Country guidance for {place} was updated in {month} {year}.",
    "{nat} and {nat2} nationals made up {pct}% of small boat arrivals in {month}.",
    "Accommodation provider {org} reported a fire alarm at the {place} hotel.",
    "The decision was served at {place} with a copy to {org}.",
    "Rule 35 report received from healthcare at {place}.",
    "Reporting event at {place} missed on {day}; {org} notified.",
    "Age assessment by {place} council disputed; referred to {org}.",
    "{heading}\nThe claimant fears the authorities in {place}.",
    "Bail granted by {org} with reporting conditions at {place}.",
]


def _generate_clean(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        nat = rng.choice(NATS)
        place, law, month = rng.choice(PLACES), rng.choice(LAWS), rng.choice(MONTHS)
        values = {
            "place": place, "place2": rng.choice(PLACES), "org": rng.choice(ORGS),
            "law": law, "product": rng.choice(PRODUCTS), "lang": rng.choice(LANGS),
            "nat": nat, "nat2": rng.choice(NATS),
            "nat_an": nat, "heading": rng.choice(HEADINGS), "month": month,
            "day": rng.choice(DAYS), "d": rng.randint(1, 28), "year": rng.randint(2019, 2027),
            "n": rng.randint(2, 400), "pct": rng.randint(2, 60),
            "amount": f"{rng.randint(50, 90_000):,}", "month_up": month.upper(),
            "place_up": place.upper(), "law_up": law.upper(),
        }
        template = rng.choice(WORD_SENTENCES if rng.random() < 0.3 else CLEAN_TEMPLATES)
        text = template.format(**values)
        if "{nat_an}" in template and nat[0] not in "AEIOU":
            text = text.replace(f"an {nat}", f"a {nat}")
        out.append(text)
    return out


# ---------------------------------------------------------------- frozen file


def build(n_planted: int = 2400, n_clean: int = 1200, seed: int = SEED) -> dict:
    """The corpus as a JSON-able dict (planted records with their tokens, clean records)."""
    lists = _lists()
    return {
        "seed": seed,
        "sources": {"faker": importlib.metadata.version("faker")},
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
    return frozen.rebuild_from_code(FROZEN, build, argv,
                                    description="rebuild the frozen seventh corpus")


if __name__ == "__main__":
    raise SystemExit(main())
