"""Evaluation set of the patient search: registered spellings, the ways people type them, and
names that must not be taken for them. Used by test_search_eval.py (recall@10, false matches).

Names are those met at PASS units: West and Central African, Maghrebi, Middle Eastern, Afghan,
South Asian, Eastern European, Roma, Ukrainian, Vietnamese, Chinese, Latin American. Each
registered person is one line: "LAST NAME | First name | birth year | alias; alias".

Typed spellings come from two sources:
- REALISTIC: variants seen at reception desks (transcription by ear, another script, a
  particle joined or split), written by hand;
- generated from every registered name, one per error class (exact, first and last names
  swapped, a doubled consonant dropped, ou/u, ph/f, y/i, ck/k, a vowel swapped: one error in
  each word at once, name with the year of birth, file number, IPP).
"""

import random
import re
from dataclasses import dataclass

REGISTERED = """
DIALLO | Mamadou | 1988 |
DIALLO | Fatoumata Binta | 1992 |
BARRY | Alpha Oumar | 1985 |
SOW | Aissatou | 1990 | Aïssata Sow
BAH | Thierno Souleymane | 1979 |
CAMARA | Sekou | 1983 |
CONDÉ | Mariama | 1995 |
KEITA | Moussa | 1976 |
TRAORÉ | Aminata | 1989 |
COULIBALY | Drissa | 1981 |
KONATÉ | Mahamadou | 1993 |
OUATTARA | Abdoulaye | 1974 |
TOURÉ | Oumou | 1987 |
SISSOKO | Hawa | 1996 |
N'DIAYE | Cheikh Tidiane | 1982 |
MBAYE | Ndeye Fatou | 1991 |
FALL | Babacar | 1970 |
DIOP | Khadidiatou | 1994 | Khady Diop
NIANG | Ousmane | 1986 |
SYLLA | Ibrahima | 1999 |
KOUASSI | Kouadio Serge | 1980 |
YAO | Affoué Christelle | 1997 |
OKAFOR | Chukwuemeka | 1984 |
ADEYEMI | Oluwaseun | 1990 |
MENSAH | Kwabena | 1978 |
NKOUNKOU | Grâce | 1993 |
MBEMBA | Jean-Pierre | 1969 |
KABONGO | Ngalula | 1988 |
TSHIBANDA | Mukendi | 1975 |
NGUEMA | Rodrigue | 1992 |
TCHOUMI | Arlette | 1987 |
HAILE | Tesfaye | 1983 |
GEBREMEDHIN | Selam | 1995 |
ABDI | Hodan | 1998 |
MOHAMED ALI | Abdirahman | 1991 |
BENALI | Mohammed | 1980 | Momo
EL AMRANI | Youssef | 1986 |
BENSAÏD | Khadija | 1972 |
BOUZID | Rachid | 1965 |
AIT OUFELLA | Samir | 1977 |
HADDAD | Karim | 1970 |
BELKACEM | Farida | 1968 |
ABDELKADER | Nadia | 1989 |
BOUMEDIENE | Lakhdar | 1958 |
CHERIF | Fatima Zohra | 1994 |
TRABELSI | Mehdi | 1990 |
BEN SALAH | Amira | 1993 |
OUERTANI | Hichem | 1985 |
EL MANSOURI | Hassan | 1979 |
LAHLOU | Zineb | 1996 |
AL HUSSEIN | Ahmad | 1984 | أحمد الحسين
KHALIL | Rania | 1992 |
HADDAD | Georges | 1961 |
NASSER | Omar | 1975 |
ABOU ZEID | Layla | 1999 |
AL-ASSAD | Mahmoud | 1983 |
KARIMI | Zahra | 1997 |
AHMADZAI | Gul Agha | 1988 |
NOORI | Sayed Jawad | 2001 |
HAKIMI | Mohammad Nabi | 1994 |
RAHIMI | Farzana | 2003 |
POPAL | Abdul Wahid | 1990 |
YUSUFZAI | Shahid | 1986 |
KHAN | Imran | 1982 |
HOSSAIN | Mohammed Shafiq | 1980 |
RAHMAN | Shirin | 1993 |
CHOWDHURY | Tanvir | 1989 |
SINGH | Gurpreet | 1984 |
SELVARAJAH | Tharshan | 1992 |
PATEL | Nilesh | 1976 |
POPESCU | Ioana | 1995 |
IONESCU | Gheorghe | 1962 |
STOICA | Mihaela | 1990 |
DUMITRU | Costel | 1973 |
LĂCĂTUȘ | Florin | 1985 |
CIOABĂ | Rupa | 1992 |
STANESCU | Marius | 1987 |
RAICEVIC | Dragan | 1971 |
BERISHA | Arben | 1983 | Berisha Arbër
HOXHA | Blerina | 1998 |
KOWALCZYK | Agnieszka | 1979 |
WOJCIECHOWSKI | Krzysztof | 1966 |
PETRENKO | Olena | 1984 | Петренко Олена
KOVALENKO | Oleksandr | 1977 | Коваленко Олександр
SHEVCHENKO | Iryna | 1995 |
TKACHENKO | Mykola | 1969 |
BONDARENKO | Yulia | 1990 |
IVANOV | Dmitri | 1981 | Иванов Дмитрий
KUZNETSOVA | Tatiana | 1974 |
GRIGORYAN | Armen | 1980 |
BERIDZE | Giorgi | 1987 |
NGUYỄN | Văn Minh | 1982 |
TRẦN | Thị Hoa | 1990 |
PHẠM | Đức Anh | 1996 |
LÊ | Thu Trang | 1988 |
WANG | Xiaoming | 1985 | 王小明
ZHANG | Li | 1979 |
CHEN | Mei Ling | 1992 |
LIU | Jianguo | 1970 |
DA SILVA | Maria José | 1983 |
DOS SANTOS | Ana Paula | 1991 |
DE OLIVEIRA | Francisco | 1977 |
GONZÁLEZ | Luis Alberto | 1986 |
MARTÍNEZ PÉREZ | Carmen | 1994 |
O'NEILL | Siobhan | 1989 |
DJALO | Braima | 1997 |
SANGARÉ | Adama | 1985 |
DIABATÉ | Kadiatou | 2000 |
FOFANA | Issiaka | 1993 |
DOUMBIA | Seydou | 1984 |
SAKHO | Mamadou Lamine | 1979 |
HUSSEIN | Abdullahi | 1995 |
MUSA | Yusuf | 1992 |
ELMI | Ayan | 2002 |
KHODJA | Yacine | 1991 |
MEDJDOUB | Sofiane | 1988 |
ZERROUKI | Leila | 1980 |
"""

# Hand-written variants: (registered last name, registered first name, typed, error class).
REALISTIC = [
    ("DIALLO", "Mamadou", "Mamadu Dialo", "ou/u+double"),
    ("DIALLO", "Mamadou", "dyallo mamadou", "y/i"),
    ("DIALLO", "Fatoumata Binta", "Fatimata Diallo", "vowel"),
    ("DIALLO", "Fatoumata Binta", "Fatumata Binta Dialo", "ou/u+double"),
    ("BARRY", "Alpha Oumar", "Alfa Umar Bari", "ph/f+ou/u+y/i"),
    ("BARRY", "Alpha Oumar", "Alpha Omar Barry", "vowel"),
    ("SOW", "Aissatou", "Aïssata Sow", "alias"),
    ("SOW", "Aissatou", "Aisatu So", "ou/u+double"),
    ("BAH", "Thierno Souleymane", "Tierno Sulaymane Ba", "th/t+ou/u"),
    ("BAH", "Thierno Souleymane", "Souleimane Bah", "y/i"),
    ("CAMARA", "Sekou", "Kamara Sékou", "c/k"),
    ("CAMARA", "Sekou", "Sekou Camarra", "double"),
    ("CONDÉ", "Mariama", "Konde Mariama", "c/k"),
    ("KEITA", "Moussa", "Musa Keita", "ou/u"),
    ("KEITA", "Moussa", "Moussa Keyta", "y/i"),
    ("TRAORÉ", "Aminata", "Aminata Traore", "accent"),
    ("TRAORÉ", "Aminata", "Traorre Aminatta", "double"),
    ("COULIBALY", "Drissa", "Kulibali Drisa", "ou/u+y/i+double"),
    ("COULIBALY", "Drissa", "Koulibaly Idrissa", "c/k+prefix"),
    ("KONATÉ", "Mahamadou", "Mahamadu Konate", "ou/u"),
    ("KONATÉ", "Mahamadou", "Mohamadou Konaté", "vowel"),
    ("OUATTARA", "Abdoulaye", "Wattara Abdoulaye", "w/ou"),
    ("OUATTARA", "Abdoulaye", "Abdulaye Ouatara", "ou/u+double"),
    ("TOURÉ", "Oumou", "Toure Umu", "ou/u"),
    ("SISSOKO", "Hawa", "Sisoko Awa", "double+h"),
    ("N'DIAYE", "Cheikh Tidiane", "Ndiaye Cheikh", "joined"),
    ("N'DIAYE", "Cheikh Tidiane", "N Diaye Sheikh Tidjane", "sh/ch+dj"),
    ("N'DIAYE", "Cheikh Tidiane", "Cheikh Tidiane Diaye Ndiaye", "split"),
    ("MBAYE", "Ndeye Fatou", "M'Baye Ndeye", "split"),
    ("MBAYE", "Ndeye Fatou", "Ndèye Fatu Mbaye", "ou/u"),
    ("FALL", "Babacar", "Babakar Fal", "c/k+double"),
    ("DIOP", "Khadidiatou", "Kadidiatu Diop", "kh/k+ou/u"),
    ("DIOP", "Khadidiatou", "Khady Diop", "alias"),
    ("NIANG", "Ousmane", "Usman Niang", "ou/u"),
    ("SYLLA", "Ibrahima", "Sila Ibrahima", "y/i+double"),
    ("SYLLA", "Ibrahima", "Ibrahim Sylla", "final vowel"),
    ("KOUASSI", "Kouadio Serge", "Kwassi Kouadio", "w/ou"),
    ("YAO", "Affoué Christelle", "Afoue Yao", "double"),
    ("OKAFOR", "Chukwuemeka", "Chukuemeka Okafor", "w/u"),
    ("OKAFOR", "Chukwuemeka", "Okafo Chukwuemeka", "letter dropped"),
    ("ADEYEMI", "Oluwaseun", "Oluseun Adeyemi", "letters dropped"),
    ("ADEYEMI", "Oluwaseun", "Adeyemy Oluwasen", "y/i+letter dropped"),
    ("MENSAH", "Kwabena", "Kouabena Mensa", "w/ou+h"),
    ("NKOUNKOU", "Grâce", "Nkunku Grace", "ou/u"),
    ("MBEMBA", "Jean-Pierre", "Jean Pierre Mbemba", "hyphen"),
    ("MBEMBA", "Jean-Pierre", "Jeanpierre Mbemba", "joined"),
    ("KABONGO", "Ngalula", "Kabongo Ngalulla", "double"),
    ("TSHIBANDA", "Mukendi", "Tchibanda Moukendi", "sh/ch+ou/u"),
    ("TSHIBANDA", "Mukendi", "Shibanda Mukendi", "sh/ch"),
    ("NGUEMA", "Rodrigue", "Nguema Rodrigues", "letter added"),
    ("TCHOUMI", "Arlette", "Tchumi Arlete", "ou/u+double"),
    ("HAILE", "Tesfaye", "Haile Tesfay", "final vowel"),
    ("GEBREMEDHIN", "Selam", "Gebremedin Selam", "h"),
    ("GEBREMEDHIN", "Selam", "Gebre Medhin Selam", "split"),
    ("ABDI", "Hodan", "Hodan Abdi", "swap"),
    ("MOHAMED ALI", "Abdirahman", "Abdirahman Mohamedali", "joined"),
    ("MOHAMED ALI", "Abdirahman", "Abdurahman Mohammed Ali", "vowel+double"),
    ("BENALI", "Mohammed", "Mohamed Ben Ali", "split+double"),
    ("BENALI", "Mohammed", "Muhammad Benali", "ou/u+vowel"),
    ("BENALI", "Mohammed", "Momo Benali", "alias"),
    ("EL AMRANI", "Youssef", "Elamrani Youssef", "joined"),
    ("EL AMRANI", "Youssef", "Yousef El-Amrani", "double+hyphen"),
    ("EL AMRANI", "Youssef", "Yusuf Elamrani", "ou/u+vowel+joined"),
    ("BENSAÏD", "Khadija", "Ben Said Kadija", "split+kh/k"),
    ("BENSAÏD", "Khadija", "Khadidja Bensaid", "dj/j"),
    ("BOUZID", "Rachid", "Buzid Rashid", "ou/u+sh/ch"),
    ("AIT OUFELLA", "Samir", "Aitoufella Samir", "joined"),
    ("AIT OUFELLA", "Samir", "Ait-Oufela Samir", "hyphen+double"),
    ("HADDAD", "Karim", "Karim Hadad", "double"),
    ("BELKACEM", "Farida", "Belkassem Farida", "c/s"),
    ("ABDELKADER", "Nadia", "Abdel Kader Nadia", "split"),
    ("ABDELKADER", "Nadia", "Abdelqader Nadia", "q/k"),
    ("BOUMEDIENE", "Lakhdar", "Boumediene Lakdar", "kh/k"),
    ("CHERIF", "Fatima Zohra", "Sherif Fatma Zohra", "sh/ch+vowel dropped"),
    ("TRABELSI", "Mehdi", "Trabelssi Mahdi", "double+vowel"),
    ("BEN SALAH", "Amira", "Bensalah Amira", "joined"),
    ("BEN SALAH", "Amira", "Ben Saleh Amira", "vowel"),
    ("OUERTANI", "Hichem", "Wertani Hicham", "w/ou+vowel"),
    ("EL MANSOURI", "Hassan", "Elmansouri Hasan", "joined+double"),
    ("EL MANSOURI", "Hassan", "El Mansuri Hassan", "ou/u"),
    ("LAHLOU", "Zineb", "Lahlu Zaynab", "ou/u+y/i+vowel"),
    ("AL HUSSEIN", "Ahmad", "أحمد الحسين", "arabic script"),
    ("AL HUSSEIN", "Ahmad", "Alhussein Ahmed", "joined+vowel"),
    ("AL HUSSEIN", "Ahmad", "Al Houssein Ahmad", "ou/u"),
    ("KHALIL", "Rania", "Kalil Rania", "kh/k"),
    ("HADDAD", "Georges", "Georges Hadad", "double"),
    ("NASSER", "Omar", "Nasser Oumar", "ou/u"),
    ("ABOU ZEID", "Layla", "Abouzeid Leila", "joined+y/i"),
    ("ABOU ZEID", "Layla", "Abu Zeid Laila", "ou/u+y/i"),
    ("AL-ASSAD", "Mahmoud", "Alassad Mahmud", "joined+ou/u"),
    ("KARIMI", "Zahra", "Zahra Karimy", "y/i"),
    ("AHMADZAI", "Gul Agha", "Ahmadzay Gulagha", "y/i+joined"),
    ("NOORI", "Sayed Jawad", "Nouri Sayed Javad", "oo/ou+w/v"),
    ("NOORI", "Sayed Jawad", "Nuri Saied Jawad", "vowel+y/i"),
    ("HAKIMI", "Mohammad Nabi", "Hakimi Mohamad Nabi", "double"),
    ("RAHIMI", "Farzana", "Rahimi Pharzana", "ph/f"),
    ("POPAL", "Abdul Wahid", "Popal Abdulwahid", "joined"),
    ("POPAL", "Abdul Wahid", "Abdoul Ouahid Popal", "ou/u+w/ou"),
    ("YUSUFZAI", "Shahid", "Yousoufzai Chahid", "ou/u+sh/ch"),
    ("KHAN", "Imran", "Imran Kan", "kh/k"),
    ("HOSSAIN", "Mohammed Shafiq", "Hossain Mohamed Shafik", "double+q/k"),
    ("HOSSAIN", "Mohammed Shafiq", "Hussain Shafiq", "vowel"),
    ("RAHMAN", "Shirin", "Rahman Chirine", "sh/ch+final e"),
    ("CHOWDHURY", "Tanvir", "Chowdhuri Tanvir", "y/i"),
    ("CHOWDHURY", "Tanvir", "Choudhury Tanvir", "w/u"),
    ("SINGH", "Gurpreet", "Sing Gurpreet", "letter dropped"),
    ("SELVARAJAH", "Tharshan", "Selvaraja Tarshan", "h+th/t"),
    ("POPESCU", "Ioana", "Ioana Popesku", "c/k"),
    ("IONESCU", "Gheorghe", "Ionescu Georghe", "gh/g"),
    ("IONESCU", "Gheorghe", "Ionesco Gheorghe", "vowel"),
    ("STOICA", "Mihaela", "Stoika Mihaella", "c/k+double"),
    ("LĂCĂTUȘ", "Florin", "Lacatus Florin", "diacritics"),
    ("CIOABĂ", "Rupa", "Cioaba Roupa", "ou/u"),
    ("RAICEVIC", "Dragan", "Raičević Dragan", "diacritics"),
    ("RAICEVIC", "Dragan", "Raicevitch Dragan", "tch/c"),
    ("BERISHA", "Arben", "Berisha Arbër", "alias"),
    ("BERISHA", "Arben", "Berischa Arben", "sch/sh"),
    ("HOXHA", "Blerina", "Hodja Blerina", "x/dj"),
    ("KOWALCZYK", "Agnieszka", "Kowalczik Agnieszka", "y/i"),
    ("WOJCIECHOWSKI", "Krzysztof", "Wojciechowski Kristof", "letters dropped"),
    ("PETRENKO", "Olena", "Петренко Олена", "cyrillic"),
    ("PETRENKO", "Olena", "Petrenko Elena", "vowel"),
    ("KOVALENKO", "Oleksandr", "Коваленко", "cyrillic"),
    ("KOVALENKO", "Oleksandr", "Kowalenko Olexandr", "w/v+x/ks"),
    ("KOVALENKO", "Oleksandr", "Kovalenko Aleksandr", "vowel"),
    ("SHEVCHENKO", "Iryna", "Chevtchenko Irina", "sh/ch+tch+y/i"),
    ("SHEVCHENKO", "Iryna", "Шевченко Ірина", "cyrillic"),
    ("TKACHENKO", "Mykola", "Tkatchenko Mikola", "tch+y/i"),
    ("BONDARENKO", "Yulia", "Bondarenko Ioulia", "y/i+ou/u"),
    ("IVANOV", "Dmitri", "Иванов Дмитрий", "cyrillic"),
    ("IVANOV", "Dmitri", "Ivanoff Dmitry", "y/i+ff/v"),
    ("KUZNETSOVA", "Tatiana", "Kouznetsova Tatyana", "ou/u+y/i"),
    ("GRIGORYAN", "Armen", "Grigorian Armen", "y/i"),
    ("BERIDZE", "Giorgi", "Beridze Georgi", "vowel"),
    ("NGUYỄN", "Văn Minh", "Nguyen Van Minh", "diacritics"),
    ("NGUYỄN", "Văn Minh", "Nguyen Vanminh", "joined"),
    ("TRẦN", "Thị Hoa", "Tran Thi Hoa", "diacritics"),
    ("PHẠM", "Đức Anh", "Pham Duc Anh", "diacritics"),
    ("PHẠM", "Đức Anh", "Fam Duc Anh", "ph/f"),
    ("LÊ", "Thu Trang", "Le Thutrang", "joined"),
    ("WANG", "Xiaoming", "王小明", "chinese script"),
    ("WANG", "Xiaoming", "Wang Xiao Ming", "split"),
    ("ZHANG", "Li", "Li Zhang", "swap"),
    ("CHEN", "Mei Ling", "Chen Meiling", "joined"),
    ("LIU", "Jianguo", "Liu Jian Guo", "split"),
    ("DA SILVA", "Maria José", "Dasilva Maria", "joined"),
    ("DA SILVA", "Maria José", "Maria Jose Da Silva", "swap"),
    ("DOS SANTOS", "Ana Paula", "Dossantos Ana Paula", "joined"),
    ("DOS SANTOS", "Ana Paula", "Ana-Paula Dos Santos", "hyphen+swap"),
    ("DE OLIVEIRA", "Francisco", "Deoliveira Francisco", "joined"),
    ("DE OLIVEIRA", "Francisco", "De Oliveira Fransisco", "c/s"),
    ("GONZÁLEZ", "Luis Alberto", "Gonzales Luis", "z/s"),
    ("MARTÍNEZ PÉREZ", "Carmen", "Martinez-Perez Carmen", "hyphen"),
    ("MARTÍNEZ PÉREZ", "Carmen", "Martinezperez Carmen", "joined"),
    ("O'NEILL", "Siobhan", "Oneill Siobhan", "apostrophe"),
    ("O'NEILL", "Siobhan", "O Neil Siobhan", "apostrophe+double"),
    ("DJALO", "Braima", "Jalo Braima", "dj/j"),
    ("DJALO", "Braima", "Djalo Brahima", "h"),
    ("SANGARÉ", "Adama", "Sangare Addama", "double"),
    ("DIABATÉ", "Kadiatou", "Diabate Khadiatou", "kh/k"),
    ("FOFANA", "Issiaka", "Fofana Isiaka", "double"),
    ("DOUMBIA", "Seydou", "Dumbia Seidou", "ou/u+y/i"),
    ("SAKHO", "Mamadou Lamine", "Sacko Mamadou Lamine", "kh/ck"),
    ("HUSSEIN", "Abdullahi", "Houssein Abdoulahi", "ou/u+double"),
    ("HUSSEIN", "Abdullahi", "Husein Abdullahi", "double"),
    ("MUSA", "Yusuf", "Moussa Youssouf", "ou/u+double"),
    ("ELMI", "Ayan", "Elmi Ayaan", "double vowel"),
    ("KHODJA", "Yacine", "Khoja Yassine", "dj/j+c/s"),
    ("MEDJDOUB", "Sofiane", "Medjdoub Sophiane", "ph/f"),
    ("ZERROUKI", "Leila", "Zerouki Leyla", "double+y/i"),
]

# A typed name that must not bring up this registered person: another person, close in writing.
NEGATIVE = [
    ("DIALLO", "Mamadou", "Diallo Mariama"),
    ("DIALLO", "Mamadou", "Diaby Mamadou"),
    ("DIALLO", "Fatoumata Binta", "Diallo Aminata"),
    ("SOW", "Aissatou", "Sow Oumou"),
    ("CAMARA", "Sekou", "Camara Seydou"),
    ("KEITA", "Moussa", "Keita Mariam"),
    ("KEITA", "Moussa", "Kone Moussa"),
    ("TRAORÉ", "Aminata", "Touré Aminata"),
    ("KONATÉ", "Mahamadou", "Konaté Awa"),
    ("TOURÉ", "Oumou", "Traoré Oumou"),
    ("TOURÉ", "Oumou", "Touré Ousmane"),
    ("FALL", "Babacar", "Fall Ndeye"),
    ("DIOP", "Khadidiatou", "Diop Abdou"),
    ("NIANG", "Ousmane", "Ndiang Omar"),
    ("SYLLA", "Ibrahima", "Sylla Fatoumata"),
    ("OKAFOR", "Chukwuemeka", "Okonkwo Chinedu"),
    ("MENSAH", "Kwabena", "Mensah Akosua"),
    ("BENALI", "Mohammed", "Benali Farid"),
    ("BENALI", "Mohammed", "Bensalem Mohammed"),
    ("EL AMRANI", "Youssef", "El Amrani Fatima"),
    ("HADDAD", "Karim", "Haddad Rania"),
    ("HADDAD", "Karim", "Hamdi Karim"),
    ("BELKACEM", "Farida", "Belkacem Nordine"),
    ("EL MANSOURI", "Hassan", "El Mansouri Hussein"),
    ("KHALIL", "Rania", "Khalil Tarek"),
    ("NASSER", "Omar", "Nasser Amal"),
    ("KARIMI", "Zahra", "Karimi Ahmad"),
    ("KHAN", "Imran", "Khan Ayesha"),
    ("SINGH", "Gurpreet", "Singh Harjit"),
    ("POPESCU", "Ioana", "Popescu Andrei"),
    ("POPESCU", "Ioana", "Popovici Ioana"),
    ("IONESCU", "Gheorghe", "Ionescu Elena"),
    ("PETRENKO", "Olena", "Petrenko Oleh"),
    ("PETRENKO", "Olena", "Pavlenko Olena"),
    ("KOVALENKO", "Oleksandr", "Kovalchuk Oleksandr"),
    ("IVANOV", "Dmitri", "Ivanova Natalia"),
    ("IVANOV", "Dmitri", "Иванова Наталья"),
    ("NGUYỄN", "Văn Minh", "Nguyen Thi Lan"),
    ("NGUYỄN", "Văn Minh", "Nguyen Van Nam"),
    ("TRẦN", "Thị Hoa", "Tran Van Long"),
    ("WANG", "Xiaoming", "Wang Fang"),
    ("ZHANG", "Li", "Zhang Wei"),
    ("CHEN", "Mei Ling", "Chen Jie"),
    ("DA SILVA", "Maria José", "Da Costa Maria"),
    ("DOS SANTOS", "Ana Paula", "Dos Santos Pedro"),
    ("GONZÁLEZ", "Luis Alberto", "Gonzalez Rosa"),
    ("HUSSEIN", "Abdullahi", "Hassan Abdullahi"),
    ("MUSA", "Yusuf", "Musa Amina"),
    ("AL HUSSEIN", "Ahmad", "محمد الحسن"),
    ("WANG", "Xiaoming", "李小龙"),
    ("SISSOKO", "Hawa", "Sissoko Bakary"),
    ("SANGARÉ", "Adama", "Sangaré Fanta"),
]


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    birth_year: int
    aliases: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.last_name, self.first_name)


def registered() -> list[Person]:
    people = []
    for line in REGISTERED.strip().splitlines():
        last, first, year, aliases = (part.strip() for part in line.split("|"))
        people.append(Person(last, first, int(year), tuple(a.strip() for a in aliases.split(";") if a.strip())))
    return people


# One typing error of each class, applied to a word (lower case, accents removed); None when
# the class does not apply to that word.
def _drop_double(word):
    match = re.search(r"([bcdfghjklmnpqrstvwxz])\1", word)
    return word[: match.start()] + word[match.start() + 1 :] if match else None


def _ou_u(word):
    if "ou" in word:
        return word.replace("ou", "u", 1)
    match = re.search(r"(?<![oq])u", word)
    return word[: match.start()] + "ou" + word[match.end() :] if match else None


def _ph_f(word):
    if "ph" in word:
        return word.replace("ph", "f", 1)
    return word.replace("f", "ph", 1) if "f" in word else None


def _y_i(word):
    if "y" in word:
        return word.replace("y", "i", 1)
    match = re.search(r"(?<=.)i", word)
    return word[: match.start()] + "y" + word[match.end() :] if match else None


def _ck_k(word):
    if "ck" in word:
        return word.replace("ck", "k", 1)
    match = re.search(r"(?<=.)k", word)
    return word[: match.start()] + "ck" + word[match.end() :] if match else None


_OTHER_VOWEL = {"a": "e", "e": "a", "i": "e", "o": "u", "u": "o"}


def _vowel_swap(word):
    # One vowel replaced inside a word of 5 letters or more; in shorter words a vowel makes
    # another name (Kane / Kone, Sall / Sell) and is evaluated as a negative instead.
    if len(word) < 5:
        return None
    positions = [i for i, c in enumerate(word) if c in _OTHER_VOWEL and 0 < i < len(word) - 1]
    if not positions:
        return None
    i = positions[len(positions) // 2]
    return word[:i] + _OTHER_VOWEL[word[i]] + word[i + 1 :]


ERRORS = {
    "double dropped": _drop_double,
    "ou/u": _ou_u,
    "ph/f": _ph_f,
    "y/i": _y_i,
    "ck/k": _ck_k,
    "vowel swapped": _vowel_swap,
}


def _plain(text: str) -> str:
    from pass_unit.lib.text import normalize

    return normalize(text)


def generated(people: list[Person]) -> list[tuple[Person, str, str]]:
    """(person, typed, class): exact, swapped, name + year, and two-word misspellings in which
    every word carries an error when the class applies (else the next class that does)."""
    pairs = []
    rng = random.Random(9)
    for person in people:
        full = f"{person.last_name} {person.first_name}"
        pairs.append((person, full, "exact"))
        pairs.append((person, f"{person.first_name} {person.last_name}", "swapped"))
        pairs.append((person, f"{person.last_name} {person.birth_year}", "name + year"))
        words = _plain(full).split()
        classes = list(ERRORS)
        rng.shuffle(classes)
        typed, used = [], set()
        for word in words:
            for name in classes:
                changed = ERRORS[name](word)
                if changed:
                    typed.append(changed)
                    used.add(name)
                    classes.remove(name)
                    classes.append(name)
                    break
            else:
                typed.append(word)
        if used:
            if rng.random() < 0.5:
                typed.reverse()
            pairs.append((person, " ".join(typed), "+".join(sorted(used))))
    return pairs
