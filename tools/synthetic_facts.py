"""Seeded generator of synthetic reading-comprehension examples for the tiny test QA model.

Why: the test suite needs a QA model that gives *real* answers ("What's my name?" over
"My name is John and I live in Seattle" must say "John") without any download. A tiny
model trained from scratch on synthetic facts does that, and the same generator provides
held-out "channels" (several documents, one holding the answer) to compare retrieval mode
against reading everything.

What: facts about people, dates, places, numbers, organisations, products, teams and the
office (team-FAQ style), each with several statement phrasings and several questions, mixed
with distractor sentences and with facts of the same kind about other entities, so a model
must read the question to pick the right span. Entity pools are split: training uses one
part, held-out sets the rest (plus made-up "pseudo" words in training so the model learns
to copy names it has never seen). "John" and "Seattle" are kept in the training part so the
model-card example is covered.

Everything is pure Python and driven by `random.Random(seed)`: the same seed gives the same
examples on any machine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Split = Literal["train", "heldout"]

# --------------------------------------------------------------------------------------
# Entity pools. Every fourth item (by position) is held out, except the ones pinned to
# training below. Pools are plain text so they are easy to extend.
# --------------------------------------------------------------------------------------

_FIRST_NAMES = """
John Anna Maria James Sofia Liam Emma Noah Olivia Lucas Mia Ethan Ava Mateo Isabella
Oliver Amelia Elijah Harper Daniel Evelyn Henry Abigail Samuel Emily David Ella Joseph
Chloe Carlos Grace Ahmed Fatima Omar Layla Yusuf Amina Hassan Leila Ravi Priya Arjun
Ananya Vikram Kavya Rahul Meera Sanjay Deepa Wei Mei Jun Lian Hiroshi Yuki Kenji Sakura
Takeshi Aiko Min Jisoo Hyun Seo Dmitri Olga Ivan Natasha Sergei Irina Pavel Katya Lars
Ingrid Sven Astrid Erik Freya Nils Sigrid Pierre Claire Louis Camille Julien Margaux
Hugo Elodie Marco Giulia Luca Chiara Matteo Francesca Paolo Elena Diego Lucia Javier
Carmen Pablo Rosa Miguel Ines Tomas Beatriz Kofi Ama Kwame Efua Chidi Ngozi Tunde Zainab
Thabo Lerato Sipho Nomsa Hamid Soraya Reza Nasrin Aleksander Zofia Piotr Agnieszka Jakub
Marta Tomasz Ewa Jan Eva Petr Lenka Mikko Aino Juha Helmi Sean Siobhan Liam Aoife Connor
Niamh Patrick Maeve Rhys Cerys Owen Bethan Angus Isla Fraser Morag George Alice Arthur
Rose Edward Lily Frederick Violet Walter Hazel Ruth Frank Edith Harold Mabel Victor
Nora Felix Clara Oscar Stella Max Lena Paul Sarah Peter Laura Michael Julia Thomas Nina
Andrew Rachel Mark Hannah Simon Kate Robert Lucy Richard Megan Steven Jessica Brian
Karen Kevin Linda Jason Susan Ryan Helen Eric Diane Adam Tina Zoe Leo Ivy Kai Maya Eli
Ada Theo Iris Jude Nadia Rafael Selma Bruno Dalia Tariq Yara Emre Elif Mehmet Zeynep
Can Defne Ayaan Saanvi Kiran Aditi Nikhil Tanvi Rohan Ishaan Anika Dev Leon Marie
"""

_LAST_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson
White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott
Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Kowalski Nowak Wojcik Novak Svoboda Dvorak Horvat Kovacs Nagy Szabo Popescu
Ionescu Petrov Ivanov Smirnov Volkov Sokolov Larsen Hansen Nielsen Jensen Andersen
Johansson Lindqvist Berg Dahl Virtanen Korhonen Muller Schmidt Schneider Fischer Weber
Wagner Becker Hoffmann Richter Klein Dubois Moreau Laurent Lefebvre Bernard Rousseau
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Silva Santos Oliveira Costa
Pereira Almeida Fernandes Tanaka Suzuki Watanabe Yamamoto Nakamura Kobayashi Sato Kim
Park Choi Jung Kang Cho Chen Wang Zhang Liu Yang Huang Zhao Wu Zhou Patel Sharma Singh
Kumar Gupta Reddy Iyer Nair Mehta Joshi Khan Ahmed Ali Hussain Rahman Haddad Nasser
Mansour Farah Okafor Mensah Adeyemi Okonkwo Mbeki Dlamini Ndlovu Osei Kamau Otieno
Murphy Kelly Byrne Walsh Ryan OBrien Doyle McCarthy Fraser Campbell Stewart Morrison
Reid Hughes Evans Price Morgan Jenkins Lloyd Powell Bennett Brooks Foster Gray Hayes
Porter Reynolds Sullivan Wallace Warren Wells Fox Ford Grant Hunt Knight Lane Marsh
"""

_CITIES = """
Seattle Paris London Berlin Madrid Rome Lisbon Vienna Prague Warsaw Budapest Athens
Dublin Oslo Stockholm Helsinki Copenhagen Amsterdam Brussels Zurich Geneva Munich
Hamburg Milan Naples Barcelona Valencia Porto Lyon Marseille Edinburgh Glasgow
Manchester Liverpool Bristol Cardiff Belfast Toronto Montreal Vancouver Ottawa Calgary
Boston Chicago Denver Austin Houston Dallas Phoenix Portland Atlanta Miami Nashville
Detroit Pittsburgh Philadelphia Baltimore Cleveland Minneapolis Sacramento Tucson
Honolulu Anchorage Tokyo Osaka Kyoto Seoul Busan Beijing Shanghai Shenzhen Taipei
Singapore Bangkok Hanoi Manila Jakarta Mumbai Delhi Bangalore Chennai Kolkata Karachi
Lahore Dubai Doha Istanbul Ankara Cairo Casablanca Tunis Nairobi Lagos Accra Dakar
Johannesburg Durban Sydney Melbourne Brisbane Perth Adelaide Auckland Wellington
Santiago Lima Bogota Quito Caracas Havana Montevideo Rosario Cordoba Mendoza Recife
Krakow Gdansk Riga Tallinn Vilnius Kyiv Sofia Bucharest Belgrade Zagreb Ljubljana
Bratislava Salzburg Graz Bern Basel Antwerp Ghent Utrecht Rotterdam Leeds Sheffield
York Oxford Cambridge Aberdeen Galway Cork Bergen Aarhus Malmo Tampere Turku Seville
Bilbao Granada Florence Venice Turin Bologna Genoa Nice Bordeaux Toulouse Nantes
"""

_ORG_PREFIXES = """
Northwind Bluepeak Redwood Silverline Ironclad Brightpath Clearwater Stonebridge
Greenfield Highland Lakeside Sunrise Moonstone Starling Falcon Harbor Summit Pioneer
Evergreen Riverbend Oakridge Pinecrest Maplewood Westgate Eastwood Crescent Horizon
Keystone Lighthouse Meridian Nimbus Orion Polaris Quantum Radiant Sapphire Titan
Vertex Zenith Acme Atlas Beacon Cobalt Delta Echo Fjord Granite Helix Indigo Juniper
Kestrel Lumen Mosaic Nova Onyx Prism Quill Raven Solstice Tundra Umbra Vantage Willow
Yonder Aurora Boreal Cascade Driftwood Ember Fern Glacier Hollow Iris Jasper Kelp
Lotus Marble Nectar Opal Pebble Quartz Ridge Sierra Thistle Upland Velvet Wren Amber
Basalt Cedar Dune Elm Flint Grove Heron Ivory Jade Koi Larch Mango Nettle Olive
"""

_ORG_SUFFIXES = """
Labs Systems Analytics Logistics Foods Robotics Energy Health Media Software Bank
Insurance Airlines Motors Capital Studios Pharma Textiles Games Networks Solutions
Partners Group Industries Dynamics Works
"""

_BRANDS = """
Aero Blaze Comet Dash Flux Glide Halo Jet Krypton Lynx Mako Nexus Orbit Pulse Quasar
Rocket Spark Torque Ultra Vibe Warp Xenon Yeti Zephyr Alpha Bolt Cirrus Drift Edge
Fusion Gizmo Hyper Ion Jolt Kinetic Lumo Matrix Neon Omni Pixel Ripple Sonic Turbo
Unity Vortex Wave Zoom Atom Breeze Core Dynamo Ember Frost Gamma Hydra Icon Karma
"""

_MODELS = "X2 Pro Mini Max Plus Air Lite 3000 S 5 7 One Go Neo Prime Ultra II 9 Flex".split()

_JOBS = """
engineer accountant architect nurse teacher designer lawyer chef pilot pharmacist
dentist plumber electrician journalist photographer librarian carpenter translator
veterinarian mechanic economist biologist chemist physicist surgeon baker gardener
firefighter paramedic musician painter sculptor editor analyst consultant developer
programmer manager recruiter auditor surveyor geologist astronomer historian
therapist optician butcher florist tailor jeweler welder locksmith zookeeper barista
"""

_HOBBIES = """
hiking chess painting cycling baking fishing knitting gardening swimming climbing
running photography pottery sailing skiing surfing yoga dancing birdwatching woodworking
"""

_PET_NAMES = """
Biscuit Pepper Luna Milo Bella Charlie Coco Rocky Daisy Oreo Ginger Muffin Shadow
Pickles Noodle Waffles Mango Ziggy Hazel Bandit Buttons Clover Dusty Fudge Gizmo
Juniper Kiwi Lucky Marble Nugget Peanut Sprout Truffle Velvet Whiskers Zorro Poppy
Sunny Toffee Maple Olive Pudding Rusty Scout Tango Teddy Willow Bingo Cookie Domino
"""

_WIFI_NAMES = """
Lighthouse Basecamp Orbit Harbor Beehive Treehouse Nebula Compass Anchor Lantern Meadow
Canopy Starship Igloo Cottage Bamboo Pelican Voyager Tidepool Cobblestone Skylark
Driftwood Northstar Paperclip Sandcastle Windmill Thunderbird Moonbeam Bluebird Hideout
Kingfisher Outpost Snowflake Tortoise Waterfall Campfire Boathouse Dragonfly Firefly
Greenhouse Hummingbird Keyhole Lagoon Marigold Nutshell Overlook Quarry Riverside
"""

_TEAMS = """
platform payments data mobile design security infrastructure growth support billing
search web marketing sales finance legal research analytics onboarding checkout
identity messaging reliability localization partnerships procurement recruiting
"""

_STREETS = """
Elm Oak Maple Harbour Station Church Mill Market Bridge Park River Garden Castle King
Queen Victoria Albert Chapel Meadow Orchard Willow Cedar Spring Hill Lake Forest
Beacon Canal Dock Ferry Granary Linden Poplar Quarry Rose Tower Union Vine Wharf
"""

_STREET_TYPES = ["Street", "Road", "Avenue", "Lane", "Way", "Square"]

# (place noun, countable thing it holds)
_PLACES = [
    ("warehouse", "crates"),
    ("library", "books"),
    ("garage", "cars"),
    ("stadium", "seats"),
    ("bakery", "loaves"),
    ("school", "students"),
    ("hospital", "beds"),
    ("depot", "trucks"),
    ("museum", "paintings"),
    ("cellar", "bottles"),
    ("greenhouse", "plants"),
    ("hangar", "planes"),
    ("marina", "boats"),
    ("farm", "cows"),
    ("theatre", "seats"),
    ("orchard", "trees"),
    ("archive", "boxes"),
    ("kennel", "dogs"),
    ("aquarium", "fish"),
    ("stable", "horses"),
    ("server room", "racks"),
    ("pantry", "jars"),
    ("shed", "bikes"),
    ("gallery", "sculptures"),
    ("hotel", "rooms"),
    ("cinema", "screens"),
    ("bookshop", "novels"),
    ("zoo", "animals"),
    ("apiary", "hives"),
    ("vineyard", "barrels"),
]

_PLACE_ADJECTIVES = """
north south east west old new main small central riverside downtown upper lower
harbour hillside
""".split()

_MONTHS = (
    "January February March April May June July August September October November December"
).split()

_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday".split()

_FREQUENCIES = [
    "every 90 days",
    "every 30 days",
    "every 60 days",
    "every month",
    "every two weeks",
    "every six months",
    "once a quarter",
    "every 45 days",
    "once a year",
    "every week",
]

_DURATIONS = ["one week", "two weeks", "three weeks", "ten days", "a month", "four weeks"]

_PINNED_TRAIN = {"John", "Seattle"}


def _words(text: str) -> list[str]:
    """Unique words of a pool, in order (duplicates in the lists above are harmless)."""
    return list(dict.fromkeys(text.split()))


def _partition(items: Sequence[str], split: Split) -> list[str]:
    """Every fourth item is held out, except pinned ones (kept for the model-card example)."""
    held = [x for i, x in enumerate(items) if i % 4 == 3 and x not in _PINNED_TRAIN]
    if split == "heldout":
        return held
    held_set = set(held)
    return [x for x in items if x not in held_set]


@dataclass(frozen=True)
class Pools:
    """The entity pools one split draws from."""

    first_names: list[str]
    last_names: list[str]
    cities: list[str]
    org_prefixes: list[str]
    brands: list[str]
    pets: list[str]
    wifi: list[str]
    pseudo_rate: float  # share of made-up words mixed in (training only)


def make_pools(split: Split, pseudo_words: bool = True) -> Pools:
    """The pools of `split`; training mixes in made-up words unless `pseudo_words` is off."""
    return Pools(
        first_names=_partition(_words(_FIRST_NAMES), split),
        last_names=_partition(_words(_LAST_NAMES), split),
        cities=_partition(_words(_CITIES), split),
        org_prefixes=_partition(_words(_ORG_PREFIXES), split),
        brands=_partition(_words(_BRANDS), split),
        pets=_partition(_words(_PET_NAMES), split),
        wifi=_partition(_words(_WIFI_NAMES), split),
        pseudo_rate=0.3 if split == "train" and pseudo_words else 0.0,
    )


_ONSETS = "b c d f g h j k l m n p r s t v w z br ch dr gr kr pl sh st th tr".split()
_VOWELS = "a e i o u a e i o ai ea ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "k", "m", "nd", "rt", "st"]


def pseudo_word(rng: random.Random) -> str:
    """A pronounceable made-up capitalised word, e.g. "Torvanik": teaches copying unseen names."""
    syllables = rng.randint(2, 3)
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    return (word + rng.choice(_CODAS)).capitalize()


# --------------------------------------------------------------------------------------
# Rendering: templates with {slot} holes; we keep where each slot landed in the text.
# --------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")
Span = tuple[int, int]


def render(template: str, values: Mapping[str, str]) -> tuple[str, dict[str, Span]]:
    """Fill `template`; return the text and the (first) character span of every slot."""
    parts: list[str] = []
    spans: dict[str, Span] = {}
    position = last = 0
    for match in _SLOT.finditer(template):
        literal = template[last : match.start()]
        value = values[match.group(1)]
        parts += [literal, value]
        position += len(literal)
        spans.setdefault(match.group(1), (position, position + len(value)))
        position += len(value)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), spans


def template_slots(template: str) -> set[str]:
    return set(_SLOT.findall(template))


# --------------------------------------------------------------------------------------
# Fact kinds
# --------------------------------------------------------------------------------------

Theme = Literal["person", "org", "product", "place", "team", "office", "me"]


@dataclass(frozen=True)
class Kind:
    """One kind of fact: how it is stated, how it is asked, and how its values are drawn.

    `subject` names the slot the fact is about (a world holds at most one fact of a kind per
    subject, so forward questions are never ambiguous); "" means a one-off fact such as the
    office wifi name. Questions are (answer slot, template) pairs; a question is used only
    if the chosen statement mentions every slot it needs.
    """

    name: str
    theme: Theme
    subject: str
    statements: tuple[str, ...]
    questions: tuple[tuple[str, str], ...]
    slots: Mapping[str, str]  # slot -> value generator name (see World.value)


def _k(
    name: str,
    theme: Theme,
    subject: str,
    slots: dict[str, str],
    statements: list[str],
    questions: list[tuple[str, str]],
) -> Kind:
    return Kind(name, theme, subject, tuple(statements), tuple(questions), slots)


KINDS: list[Kind] = [
    # ---- people ----
    _k(
        "residence",
        "person",
        "name",
        {"name": "person", "city": "city", "years": "years"},
        [
            "{name} lives in {city}.",
            "{name} is based in {city}.",
            "{name} has lived in {city} for {years}.",
            "These days {name} lives in {city}.",
            "{name} recently moved to {city}.",
            "{name} currently lives in {city} with two flatmates.",
            "{name} rents a small flat in {city}.",
            "{name} lives and works in {city}.",
        ],
        [
            ("city", "Where does {name} live?"),
            ("city", "Which city does {name} live in?"),
            ("city", "Where is {name} based?"),
            ("city", "What city is {name} living in?"),
            ("city", "In which city does {name} live?"),
            ("city", "Where does {name} live these days?"),
            ("name", "Who lives in {city}?"),
            ("name", "Which person is based in {city}?"),
            ("years", "How long has {name} lived in {city}?"),
        ],
    ),
    _k(
        "birthdate",
        "person",
        "name",
        {"name": "person", "date": "date"},
        [
            "{name} was born on {date}.",
            "{name}'s date of birth is {date}.",
            "The birth date of {name} is {date}.",
            "{name} came into the world on {date}.",
            "According to the records, {name} was born on {date}.",
        ],
        [
            ("date", "When was {name} born?"),
            ("date", "What is {name}'s date of birth?"),
            ("date", "On what date was {name} born?"),
            ("date", "What's {name}'s birth date?"),
            ("date", "When is {name}'s date of birth?"),
        ],
    ),
    _k(
        "birthplace",
        "person",
        "name",
        {"name": "person", "city": "city"},
        [
            "{name} was born in {city}.",
            "{name} is originally from {city}.",
            "{name} grew up in {city}.",
            "{name} comes from {city}.",
        ],
        [
            ("city", "Where was {name} born?"),
            ("city", "Where is {name} from?"),
            ("city", "Where did {name} grow up?"),
            ("city", "Which city does {name} come from?"),
            ("name", "Who was born in {city}?"),
        ],
    ),
    _k(
        "employer",
        "person",
        "name",
        {"name": "person", "org": "org", "year": "year"},
        [
            "{name} works at {org}.",
            "{name} works for {org}.",
            "{name} is employed by {org}.",
            "{name} joined {org} in {year}.",
            "{name} has worked at {org} since {year}.",
        ],
        [
            ("org", "Where does {name} work?"),
            ("org", "Which company does {name} work for?"),
            ("org", "Who employs {name}?"),
            ("org", "What company is {name} at?"),
            ("year", "When did {name} join {org}?"),
            ("year", "Since when has {name} worked at {org}?"),
        ],
    ),
    _k(
        "job",
        "person",
        "name",
        {"name": "person", "job": "job", "art": "article"},
        [
            "{name} works as {art} {job}.",
            "{name} is {art} {job}.",
            "By profession, {name} is {art} {job}.",
            "{name} has been {art} {job} for many years.",
            "{name} trained as {art} {job}.",
        ],
        [
            ("job", "What does {name} do?"),
            ("job", "What is {name}'s job?"),
            ("job", "What is {name}'s profession?"),
            ("job", "What does {name} do for a living?"),
            ("job", "What is {name}'s occupation?"),
        ],
    ),
    _k(
        "age",
        "person",
        "name",
        {"name": "person", "age": "age"},
        [
            "{name} is {age} years old.",
            "{name} turned {age} last month.",
            "{name} is {age}.",
            "{name}, who is {age} years old, joined the choir last spring.",
        ],
        [
            ("age", "How old is {name}?"),
            ("age", "What is {name}'s age?"),
            ("age", "What age is {name}?"),
        ],
    ),
    _k(
        "email",
        "person",
        "name",
        {"name": "person", "email": "email"},
        [
            "{name}'s email address is {email}.",
            "You can reach {name} at {email}.",
            "{name} can be contacted at {email}.",
        ],
        [
            ("email", "What is {name}'s email address?"),
            ("email", "What's {name}'s email?"),
            ("email", "How can I reach {name}?"),
            ("email", "How do I contact {name}?"),
        ],
    ),
    _k(
        "pet",
        "person",
        "name",
        {"name": "person", "pet": "pet", "animal": "animal"},
        [
            "{name} has {animal} called {pet}.",
            "{name}'s {animal_bare} is named {pet}.",
            "{name} owns {animal} named {pet}.",
        ],
        [
            ("pet", "What is {name}'s pet called?"),
            ("pet", "What is the name of {name}'s pet?"),
            ("pet", "What did {name} name the pet?"),
        ],
    ),
    _k(
        "hobby",
        "person",
        "name",
        {"name": "person", "hobby": "hobby"},
        [
            "{name} loves {hobby}.",
            "In the evenings {name} enjoys {hobby}.",
            "{name}'s favourite hobby is {hobby}.",
        ],
        [
            ("hobby", "What is {name}'s hobby?"),
            ("hobby", "What does {name} enjoy?"),
            ("hobby", "What does {name} do in free time?"),
        ],
    ),
    # ---- organisations ----
    _k(
        "founded",
        "org",
        "org",
        {"org": "org", "year": "year"},
        [
            "{org} was founded in {year}.",
            "{org} was established in {year}.",
            "{org} has been in business since {year}.",
        ],
        [
            ("year", "When was {org} founded?"),
            ("year", "In what year was {org} established?"),
            ("year", "What year was {org} founded?"),
        ],
    ),
    _k(
        "founder",
        "org",
        "org",
        # No year here: it would compete with the "founded" kind's year for the same org.
        {"org": "org", "name": "person"},
        [
            "{org} was founded by {name}.",
            "{name} founded {org}.",
            "{name} started {org} in a garage.",
            "{org} was started by {name}.",
        ],
        [
            ("name", "Who founded {org}?"),
            ("name", "Who started {org}?"),
            ("name", "Who is the founder of {org}?"),
            ("org", "Which company did {name} found?"),
        ],
    ),
    _k(
        "headquarters",
        "org",
        "org",
        {"org": "org", "city": "city"},
        [
            "{org} is headquartered in {city}.",
            "The headquarters of {org} are in {city}.",
            "{org} has its main office in {city}.",
        ],
        [
            ("city", "Where is {org} headquartered?"),
            ("city", "Where are {org}'s headquarters?"),
            ("city", "In which city is {org} based?"),
            ("city", "Where is the main office of {org}?"),
        ],
    ),
    _k(
        "headcount",
        "org",
        "org",
        {"org": "org", "n": "count"},
        [
            "{org} employs {n} people.",
            "{org} has {n} employees.",
            "There are {n} people working at {org}.",
        ],
        [
            ("n", "How many people does {org} employ?"),
            ("n", "How many employees does {org} have?"),
            ("n", "What is the headcount of {org}?"),
        ],
    ),
    _k(
        "ceo",
        "org",
        "org",
        {"org": "org", "name": "person"},
        [
            "The CEO of {org} is {name}.",
            "{name} is the chief executive of {org}.",
            "{name} runs {org} as its CEO.",
        ],
        [
            ("name", "Who is the CEO of {org}?"),
            ("name", "Who runs {org}?"),
            ("name", "Who is the chief executive of {org}?"),
        ],
    ),
    # ---- products ----
    _k(
        "price",
        "product",
        "product",
        {"product": "product", "price": "price"},
        [
            "The {product} costs {price}.",
            "The {product} sells for {price}.",
            "You can buy the {product} for {price}.",
            "The price of the {product} is {price}.",
        ],
        [
            ("price", "How much does the {product} cost?"),
            ("price", "What is the price of the {product}?"),
            ("price", "How much is the {product}?"),
        ],
    ),
    _k(
        "release",
        "product",
        "product",
        {"product": "product", "when": "month_year"},
        [
            "The {product} was released in {when}.",
            "The {product} launched in {when}.",
            "The {product} first went on sale in {when}.",
        ],
        [
            ("when", "When was the {product} released?"),
            ("when", "When did the {product} launch?"),
            ("when", "When did the {product} go on sale?"),
        ],
    ),
    _k(
        "maker",
        "product",
        "product",
        {"product": "product", "org": "org"},
        [
            "The {product} is made by {org}.",
            "{org} manufactures the {product}.",
            "The {product} is produced by {org}.",
        ],
        [
            ("org", "Who makes the {product}?"),
            ("org", "Which company manufactures the {product}?"),
            ("org", "Who produces the {product}?"),
        ],
    ),
    _k(
        "weight",
        "product",
        "product",
        {"product": "product", "weight": "weight"},
        [
            "The {product} weighs {weight}.",
            "The {product} has a weight of {weight}.",
        ],
        [
            ("weight", "How much does the {product} weigh?"),
            ("weight", "What is the weight of the {product}?"),
            ("weight", "How heavy is the {product}?"),
        ],
    ),
    # ---- places and quantities ----
    _k(
        "capacity",
        "place",
        "place",
        {"place": "place", "n": "count", "items": "items"},
        [
            "The {place} holds {n} {items}.",
            "There are {n} {items} in the {place}.",
            "The {place} has room for {n} {items}.",
            "The {place} contains {n} {items}.",
            "At the moment the {place} stores {n} {items}.",
        ],
        [
            ("n", "How many {items} does the {place} hold?"),
            ("n", "How many {items} are in the {place}?"),
            ("n", "How many {items} can the {place} hold?"),
            ("n", "What is the number of {items} in the {place}?"),
            ("n", "How many {items} does the {place} have?"),
        ],
    ),
    _k(
        "location",
        "place",
        "place",
        {"place": "place", "address": "address"},
        [
            "The {place} is on {address}.",
            "You will find the {place} at {address}.",
            "The {place} is located at {address}.",
        ],
        [
            ("address", "Where is the {place}?"),
            ("address", "What is the address of the {place}?"),
            ("address", "Where can I find the {place}?"),
        ],
    ),
    _k(
        "opening",
        "place",
        "place",
        {"place": "place", "time": "time"},
        [
            "The {place} opens at {time}.",
            "The {place} opens its doors at {time} every day.",
        ],
        [
            ("time", "When does the {place} open?"),
            ("time", "What time does the {place} open?"),
        ],
    ),
    # ---- teams ----
    _k(
        "standup",
        "team",
        "team",
        {"team": "team", "time": "time"},
        [
            "The {team} team's standup is at {time}.",
            "The {team} team holds its daily standup at {time}.",
            "Standup for the {team} team starts at {time}.",
        ],
        [
            ("time", "When is the {team} team's standup?"),
            ("time", "What time is the {team} standup?"),
            ("time", "What time does the {team} team have standup?"),
        ],
    ),
    _k(
        "manager",
        "team",
        "team",
        {"team": "team", "name": "person"},
        [
            "{name} manages the {team} team.",
            "The {team} team is led by {name}.",
            "The manager of the {team} team is {name}.",
        ],
        [
            ("name", "Who manages the {team} team?"),
            ("name", "Who leads the {team} team?"),
            ("name", "Who is the manager of the {team} team?"),
            ("team", "Which team does {name} manage?"),
        ],
    ),
    _k(
        "oncall",
        "team",
        "team",
        {"team": "team", "name": "person"},
        [
            "{name} is on call for the {team} team this week.",
            "This week the {team} on-call engineer is {name}.",
        ],
        [
            ("name", "Who is on call for the {team} team?"),
            ("name", "Who is on call for {team} this week?"),
            ("name", "Who is the {team} on-call engineer?"),
        ],
    ),
    _k(
        "channel",
        "team",
        "team",
        {"team": "team", "chan": "channel"},
        [
            "The {team} team's Slack channel is {chan}.",
            "Questions for the {team} team go to {chan}.",
        ],
        [
            ("chan", "What is the {team} team's channel?"),
            ("chan", "Where do I ask the {team} team questions?"),
            ("chan", "Which Slack channel does the {team} team use?"),
        ],
    ),
    _k(
        "team_deploys",
        "team",
        "team",
        {"team": "team", "days": "weekdays"},
        [
            "The {team} team deploys on {days}.",
            "Releases from the {team} team go out on {days}.",
        ],
        [
            ("days", "When does the {team} team deploy?"),
            ("days", "What day does the {team} team release?"),
        ],
    ),
    # ---- office / team FAQ (one of each per world) ----
    _k(
        "vpn",
        "office",
        "",
        {"freq": "frequency"},
        [
            "The VPN password rotates {freq}.",
            "VPN passwords are rotated {freq}.",
            "You need to change your VPN password {freq}.",
        ],
        [
            ("freq", "How often does the VPN password rotate?"),
            ("freq", "How often do I need to change my VPN password?"),
            ("freq", "When does the VPN password change?"),
        ],
    ),
    _k(
        "deploys",
        "office",
        "",
        {"days": "weekdays"},
        [
            "Deploys happen on {days}.",
            "We deploy to production on {days}.",
            "Production releases go out on {days}.",
        ],
        [
            ("days", "When do deploys happen?"),
            ("days", "What day do we deploy?"),
            ("days", "When do we deploy to production?"),
            ("days", "Which day are deploys?"),
        ],
    ),
    _k(
        "wifi",
        "office",
        "",
        {"wifi": "wifi"},
        [
            "The office wifi network is called {wifi}.",
            "Our office wifi is named {wifi}.",
            "In the office, connect to the wifi network {wifi}.",
        ],
        [
            ("wifi", "What is the office wifi called?"),
            ("wifi", "What's the name of the office wifi?"),
            ("wifi", "Which wifi network should I join in the office?"),
            ("wifi", "What is the wifi network called?"),
        ],
    ),
    _k(
        "guest_wifi",
        "office",
        "",
        {"password": "password"},
        [
            "The guest wifi password is {password}.",
            "Visitors can use the guest wifi with the password {password}.",
        ],
        [
            ("password", "What is the guest wifi password?"),
            ("password", "What's the password for the guest wifi?"),
        ],
    ),
    _k(
        "lunch",
        "office",
        "",
        {"time": "time"},
        [
            "Lunch is served at {time}.",
            "The kitchen serves lunch at {time}.",
        ],
        [
            ("time", "When is lunch?"),
            ("time", "What time is lunch served?"),
        ],
    ),
    _k(
        "office_address",
        "office",
        "",
        {"address": "address"},
        [
            "The office is at {address}.",
            "Our office address is {address}.",
        ],
        [
            ("address", "Where is the office?"),
            ("address", "What is the office address?"),
        ],
    ),
    _k(
        "expenses",
        "office",
        "",
        {"day": "day_of_month"},
        [
            "Expense reports are due on {day}.",
            "Please submit expense reports by {day}.",
        ],
        [
            ("day", "When are expense reports due?"),
            ("day", "What is the deadline for expense reports?"),
        ],
    ),
    _k(
        "it_help",
        "office",
        "",
        {"email": "support_email"},
        [
            "For IT help, email {email}.",
            "IT support can be reached at {email}.",
        ],
        [
            ("email", "How do I contact IT?"),
            ("email", "What is the IT support email?"),
        ],
    ),
    _k(
        "all_hands",
        "office",
        "",
        {"day": "weekday", "time": "time"},
        [
            "The all-hands meeting is every {day} at {time}.",
            "All-hands happens on {day} at {time}.",
        ],
        [
            ("time", "What time is the all-hands?"),
            ("day", "Which day is the all-hands meeting?"),
        ],
    ),
    _k(
        "budget",
        "office",
        "",
        {"year": "year", "money": "money"},
        [
            "The team budget for {year} is {money}.",
            "For {year}, the team has a budget of {money}.",
        ],
        [
            ("money", "What is the team budget for {year}?"),
            ("money", "How much budget does the team have for {year}?"),
        ],
    ),
    _k(
        "sprint",
        "office",
        "",
        {"duration": "duration"},
        [
            "Each sprint lasts {duration}.",
            "Our sprints are {duration} long.",
        ],
        [
            ("duration", "How long is a sprint?"),
            ("duration", "How long does a sprint last?"),
        ],
    ),
    _k(
        "parking",
        "office",
        "",
        {"name": "person"},
        [
            "Parking spots are assigned by {name}.",
            "Ask {name} if you need a parking spot.",
        ],
        [
            ("name", "Who assigns parking spots?"),
            ("name", "Who do I ask for a parking spot?"),
        ],
    ),
    # ---- the writer ("I") ----
    _k(
        "me_intro",
        "me",
        "",
        {"name": "person", "city": "city"},
        [
            "My name is {name} and I live in {city}",
            "My name is {name} and I live in {city}.",
            "Hi, I'm {name} and I live in {city}.",
            "I am {name}. I live in {city}.",
            "My name is {name}. I'm based in {city}.",
            "Hello! My name is {name}, and I live in {city}.",
            "I'm {name}, and I live in {city}.",
        ],
        [
            ("name", "What's my name?"),
            ("name", "What is my name?"),
            ("name", "Who am I?"),
            ("city", "Where do I live?"),
            ("city", "Which city do I live in?"),
            ("city", "Where am I based?"),
        ],
    ),
    _k(
        "me_job",
        "me",
        "",
        {"org": "org", "job": "job", "art": "article"},
        [
            "I work at {org} as {art} {job}.",
            "I am {art} {job} at {org}.",
        ],
        [
            ("org", "Where do I work?"),
            ("job", "What do I do?"),
            ("job", "What is my job?"),
        ],
    ),
    _k(
        "me_age",
        "me",
        "",
        {"age": "age"},
        [
            "I am {age} years old.",
            "I just turned {age}.",
        ],
        [
            ("age", "How old am I?"),
            ("age", "What is my age?"),
        ],
    ),
    _k(
        "me_birth",
        "me",
        "",
        {"date": "date"},
        [
            "I was born on {date}.",
            "My date of birth is {date}.",
        ],
        [
            ("date", "When was I born?"),
            ("date", "What is my date of birth?"),
        ],
    ),
]

KINDS_BY_NAME = {kind.name: kind for kind in KINDS}

# How often each theme is the target of a question (office/me facts are few per world).
_THEME_WEIGHTS: dict[Theme, float] = {
    "person": 0.26,
    "org": 0.12,
    "product": 0.1,
    "place": 0.12,
    "team": 0.12,
    "office": 0.12,
    "me": 0.16,
}

# Filler sentences: no askable fact, but plenty of look-alike words (dates, numbers, names).
_STATIC_FILLERS = [
    "The weather was mild for most of the week.",
    "Everyone enjoyed the quarterly offsite.",
    "The meeting ran long because of a question about the roadmap.",
    "Please keep the kitchen tidy and label your food.",
    "The new coffee machine finally arrived.",
    "Remember to lock the door when you leave.",
    "Several people asked for more plants in the office.",
    "The coffee in the kitchen is free for everyone.",
    "Most of the team prefers written updates to long calls.",
    "There was a short power cut on Thursday afternoon.",
    "The printer on the second floor jams a lot.",
    "Feedback on the new layout has been positive.",
    "Nobody remembers who ordered the giant whiteboard.",
    "The documentation is kept in the shared drive.",
    "A few desks near the window are still free.",
    "It rained heavily during the first week of the project.",
    "The move to the new building went smoothly.",
    "Most questions were answered during the demo.",
    "The cafe around the corner does a good lunch deal.",
    "This page is updated whenever something changes.",
    "If something here is wrong, please tell the owner of this page.",
    "The old wiki is read-only now.",
    "Bikes can be left in the courtyard.",
    "The lift is sometimes slow in the morning.",
    "Training sessions are recorded and shared afterwards.",
    "The garden behind the building is open to everyone.",
    "Snacks are restocked on Monday mornings.",
    "The team celebrated the launch with pizza.",
    "Some of the older laptops will be replaced soon.",
    "The history of the town goes back several centuries.",
    "The river floods every few years after heavy rain.",
    "Local farmers sell vegetables at the weekend market.",
    "The museum was renovated after the storm.",
    "Tickets for the concert sold out quickly.",
    "The bridge was repainted in a bright shade of green.",
    "Visitors often get lost in the narrow streets.",
    "The report was long but easy to read.",
    "Nobody objected to the proposal.",
    "The numbers in the spreadsheet were checked twice.",
    "Everyone agreed to revisit the plan next month.",
]

_DYNAMIC_FILLERS = [
    "{name} visited {city} last summer.",
    "{name} would love to move to {city} someday.",
    "{name} spoke at a conference in {city}.",
    "{name} thinks {city} has the best food.",
    "{name} once met the mayor of {city}.",
    "The quarterly review took place on {date}.",
    "The contract was signed on {date}.",
    "Last year the team shipped {n} features.",
    "The survey received {n} responses.",
    "About {n} people attended the summer party.",
    "The building was renovated in {year}.",
    "{org} opened a small office in {city} in {year}.",
    "{name} recommended {org} to a friend.",
    "{name} is reading a book about {hobby}.",
    "The bus to {city} leaves at {time}.",
    "The {product} was reviewed in a magazine.",
    "{name} and {name2} had lunch together on {weekday}.",
    "The old {place} was closed in {year}.",
]


@dataclass(frozen=True)
class Fact:
    kind: Kind
    text: str
    spans: dict[str, Span]
    values: dict[str, str]
    template: str


@dataclass
class World:
    """The entities and facts of one context or channel, kept consistent.

    Subjects are unique per kind, person first names are unique, and values are drawn
    fresh where the pool allows, so that every question asked has exactly one answer.
    """

    rng: random.Random
    pools: Pools
    facts: list[Fact] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=dict)
    subjects: set[tuple[str, str]] = field(default_factory=set)

    # ---- value generators ----
    def value(self, generator: str) -> str | None:
        return getattr(self, "_gen_" + generator)()

    def _fresh(self, key: str, draw: Callable[[], str], tries: int = 30) -> str | None:
        used = self.used.setdefault(key, set())
        for _ in range(tries):
            candidate = draw()
            if candidate not in used:
                used.add(candidate)
                return candidate
        return None

    def _pooled(self, pool: list[str]) -> str:
        if self.pools.pseudo_rate and self.rng.random() < self.pools.pseudo_rate:
            return pseudo_word(self.rng)
        return self.rng.choice(pool)

    def _gen_person(self) -> str | None:
        first = self._fresh("first_name", lambda: self._pooled(self.pools.first_names))
        if first is None:
            return None
        if self.rng.random() < 0.55:
            return f"{first} {self._pooled(self.pools.last_names)}"
        return first

    def _gen_city(self) -> str:
        city = self._fresh("city", lambda: self._pooled(self.pools.cities))
        return city or self._pooled(self.pools.cities)

    def _gen_org(self) -> str | None:
        def draw() -> str:
            prefix = self._pooled(self.pools.org_prefixes)
            return f"{prefix} {self.rng.choice(_words(_ORG_SUFFIXES))}"

        return self._fresh("org", draw)

    def _gen_product(self) -> str | None:
        return self._fresh(
            "product", lambda: f"{self._pooled(self.pools.brands)} {self.rng.choice(_MODELS)}"
        )

    def _gen_place(self) -> str | None:
        # Same-noun places with different adjectives make "which warehouse?" matter.
        noun, _ = self.rng.choice(_PLACES)
        return self._fresh("place", lambda: f"{self.rng.choice(_PLACE_ADJECTIVES)} {noun}")

    def _gen_team(self) -> str | None:
        return self._fresh("team", lambda: self.rng.choice(_words(_TEAMS)))

    def _gen_years(self) -> str:
        n = self.rng.randint(2, 30)
        return f"{n} years" if self.rng.random() < 0.7 else f"{_number_word(n)} years"

    def _gen_date(self) -> str:
        day, month = self.rng.randint(1, 28), self.rng.choice(_MONTHS)
        year = self.rng.randint(1940, 2015)
        style = self.rng.random()
        if style < 0.5:
            return f"{day} {month} {year}"
        if style < 0.85:
            return f"{month} {day}, {year}"
        return f"{_ordinal(day)} {month} {year}"

    def _gen_year(self) -> str:
        return str(self.rng.randint(1950, 2024))

    def _gen_month_year(self) -> str:
        return f"{self.rng.choice(_MONTHS)} {self.rng.randint(1995, 2024)}"

    def _gen_job(self) -> str:
        return self.rng.choice(_words(_JOBS))

    def _gen_article(self) -> str:
        return ""  # filled in by `_fix_articles`, which knows the noun

    def _gen_age(self) -> str:
        return str(self.rng.randint(18, 92))

    def _gen_email(self) -> str:
        user = pseudo_word(self.rng).lower() if self.rng.random() < 0.5 else self._email_user()
        domain = self.rng.choice(["example.com", "mail.com", "corp.example.org", "work.io"])
        return f"{user}@{domain}"

    def _email_user(self) -> str:
        first = self.rng.choice(self.pools.first_names).lower()
        return f"{first}.{self.rng.choice(self.pools.last_names).lower()}"

    def _gen_pet(self) -> str:
        return self._pooled(self.pools.pets)

    def _gen_animal(self) -> str:
        return ""  # filled in by `_fix_articles`

    def _gen_hobby(self) -> str:
        return self.rng.choice(_words(_HOBBIES))

    def _gen_count(self) -> str:
        n = self.rng.choice(
            [self.rng.randint(2, 99), self.rng.randint(100, 999), self.rng.randint(1000, 20000)]
        )
        return f"{n:,}" if n >= 1000 and self.rng.random() < 0.5 else str(n)

    def _gen_items(self) -> str:
        return ""  # depends on the place; see `_fix_articles`

    def _gen_price(self) -> str:
        amount = self.rng.choice([self.rng.randint(5, 99), self.rng.randint(100, 2500)])
        style = self.rng.random()
        if style < 0.5:
            return f"${amount:,}"
        if style < 0.7:
            return f"${amount}.99"
        if style < 0.85:
            return f"€{amount}"
        return f"{amount} dollars"

    def _gen_weight(self) -> str:
        if self.rng.random() < 0.5:
            return f"{self.rng.randint(1, 9)}.{self.rng.randint(1, 9)} kg"
        return f"{self.rng.randint(80, 950)} grams"

    def _gen_address(self) -> str:
        street = self.rng.choice(_words(_STREETS)) + " " + self.rng.choice(_STREET_TYPES)
        return f"{self.rng.randint(1, 250)} {street}"

    def _gen_time(self) -> str:
        hour, minute = self.rng.randint(7, 17), self.rng.choice([0, 15, 30, 45])
        style = self.rng.random()
        if style < 0.4:
            return f"{hour}:{minute:02d}"
        twelve = hour if hour <= 12 else hour - 12
        suffix = "am" if hour < 12 else "pm"
        if minute == 0 and style < 0.7:
            return f"{twelve} {suffix}"
        return f"{twelve}:{minute:02d} {suffix}"

    def _gen_channel(self) -> str:
        suffix = self.rng.choice(["help", "dev", "ops", "chat", "alerts", "questions"])
        return f"#{self.rng.choice(_words(_TEAMS))}-{suffix}"

    def _gen_weekdays(self) -> str:
        first, second = self.rng.sample(_WEEKDAYS, 2)
        return f"{first}s" if self.rng.random() < 0.7 else f"{first}s and {second}s"

    def _gen_weekday(self) -> str:
        return self.rng.choice(_WEEKDAYS)

    def _gen_frequency(self) -> str:
        return self.rng.choice(_FREQUENCIES)

    def _gen_wifi(self) -> str:
        name = self._pooled(self.pools.wifi)
        return name if self.rng.random() < 0.75 else f"{name}-{self.rng.randint(2, 99)}"

    def _gen_password(self) -> str:
        return f"{self._pooled(self.pools.wifi).lower()}{self.rng.randint(10, 999)}"

    def _gen_day_of_month(self) -> str:
        return f"the {_ordinal(self.rng.randint(1, 28))} of each month"

    def _gen_support_email(self) -> str:
        return self.rng.choice(["it-help", "helpdesk", "support", "it"]) + "@example.com"

    def _gen_money(self) -> str:
        return f"${self.rng.randint(5, 500) * 1000:,}"

    def _gen_duration(self) -> str:
        return self.rng.choice(_DURATIONS)

    # ---- entities and facts ----
    def entity(self, generator: str, reuse: float) -> str | None:
        """An existing entity of this type (with probability `reuse`) or a new one."""
        known = self.entities.setdefault(generator, [])
        if known and self.rng.random() < reuse:
            return self.rng.choice(known)
        new = self.value(generator)
        if new is not None:
            known.append(new)
        return new

    def add(self, kind: Kind, subject: str | None = None) -> Fact | None:
        """Add one fact of `kind` (about `subject`, or a drawn one); None if not possible."""
        values: dict[str, str] = {}
        for slot, generator in kind.slots.items():
            if slot == kind.subject and subject is not None:
                values[slot] = subject
            elif generator in ("person", "org", "product", "place", "team"):
                # Non-subject entity slots (a founder, a manager) may reuse known entities;
                # the writer ("I") never does, or "Where does X live?" could get two answers.
                reuse = 0.0 if slot == kind.subject or kind.theme == "me" else 0.3
                drawn = self.entity(generator, reuse)
                if drawn is None:
                    return None
                values[slot] = drawn
            else:
                drawn = self.value(generator)
                if drawn is None:
                    return None
                values[slot] = drawn
        key = (kind.name, values.get(kind.subject, ""))
        if key in self.subjects:
            return None
        _fix_articles(values)
        template = self.rng.choice(kind.statements)
        text, spans = render(template, values)
        fact = Fact(kind, text, spans, values, template)
        self.subjects.add(key)
        self.facts.append(fact)
        return fact

    def filler(self) -> str:
        """A distractor sentence not used before in this world."""
        used = self.used.setdefault("filler", set())
        sentence = self._filler()
        for _ in range(5):
            if sentence not in used:
                break
            sentence = self._filler()
        used.add(sentence)
        return sentence

    def _filler(self) -> str:
        """Static chatter, or a sentence with look-alike names, dates and numbers."""
        if self.rng.random() < 0.45:
            return self.rng.choice(_STATIC_FILLERS)
        template = self.rng.choice(_DYNAMIC_FILLERS)
        values = {
            "name": self.entity("person", 0.6) or "Someone",
            "name2": self.entity("person", 0.6) or "a colleague",
            "city": self._pooled(self.pools.cities),
            "date": self._gen_date(),
            "n": self._gen_count(),
            "year": self._gen_year(),
            "org": self.entity("org", 0.6) or "a local firm",
            "hobby": self._gen_hobby(),
            "time": self._gen_time(),
            "product": self.entity("product", 0.6) or "new gadget",
            "weekday": self._gen_weekday(),
            "place": self.entity("place", 0.6) or "warehouse",
        }
        return render(template, values)[0]

    def question_for(self, fact: Fact) -> tuple[str, str, Span] | None:
        """A question whose only answer is a slot of `fact`: (question, answer, span)."""
        present = template_slots(fact.template)
        options = []
        for answer_slot, question in fact.kind.questions:
            needed = template_slots(question)
            if answer_slot in present and needed <= present and self._unique(fact, needed):
                options.append((answer_slot, question))
        if not options:
            return None
        answer_slot, question = self.rng.choice(options)
        text = render(question, fact.values)[0]
        return _vary_question(self.rng, text), fact.values[answer_slot], fact.spans[answer_slot]

    def _unique(self, fact: Fact, slots: set[str]) -> bool:
        """No other fact of the same kind matches the question's slots."""
        same = [
            f
            for f in self.facts
            if f.kind is fact.kind and all(f.values.get(s) == fact.values[s] for s in slots)
        ]
        return len(same) == 1


_PLACE_ITEMS = dict(_PLACES)
_ANIMALS = ["dog", "cat", "parrot", "rabbit", "hamster", "tortoise", "goldfish", "horse"]


def _fix_articles(values: dict[str, str]) -> None:
    """Fill slots whose text depends on another slot (a/an, the place's items, the animal)."""
    if "job" in values:
        values["art"] = _article(values["job"])
    if "place" in values and "items" in values:
        values["items"] = _PLACE_ITEMS[values["place"].split(" ", 1)[1]]
    if "animal" in values:
        # Deterministic per pet name so the world stays seed-stable.
        animal = _ANIMALS[sum(map(ord, values["pet"])) % len(_ANIMALS)]
        values["animal"] = f"{_article(animal)} {animal}"
        values["animal_bare"] = animal


def _article(noun: str) -> str:
    return "an" if noun[0].lower() in "aeiou" else "a"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def _number_word(n: int) -> str:
    return _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)


_QUESTION_PREFIXES = ["Quick question: ", "Hi! ", "Hey, ", "Does anyone know: ", "@qabot "]


def _vary_question(rng: random.Random, question: str) -> str:
    """Slack-style variation: a greeting, a lower-case first letter, a missing '?'."""
    if rng.random() < 0.1:
        question = rng.choice(_QUESTION_PREFIXES) + question
    elif rng.random() < 0.15:
        question = question[0].lower() + question[1:]
    if rng.random() < 0.15:
        question = question.rstrip("?")
    return question


# --------------------------------------------------------------------------------------
# Single-context examples
# --------------------------------------------------------------------------------------


def _pick_kind(rng: random.Random, themes: Mapping[Theme, float] = _THEME_WEIGHTS) -> Kind:
    theme = rng.choices(list(themes), weights=list(themes.values()))[0]
    return rng.choice([k for k in KINDS if k.theme == theme])


def _add_distractor_fact(world: World, target: Fact) -> None:
    """A fact the question must not be confused with: same kind about someone else, or
    another kind about the same subject, or anything."""
    roll = world.rng.random()
    if roll < 0.4 and target.kind.subject:
        world.add(target.kind)
    elif roll < 0.7 and target.kind.subject:
        siblings = [k for k in KINDS if k.theme == target.kind.theme and k is not target.kind]
        world.add(world.rng.choice(siblings), target.values[target.kind.subject])
    else:
        world.add(_pick_kind(world.rng))


def _layout(rng: random.Random, sentences: list[str], paragraph_size: int) -> tuple[str, list[int]]:
    """Join sentences into paragraphs; return the text and each sentence's start offset."""
    text_parts: list[str] = []
    starts: list[int] = []
    position = 0
    for i, sentence in enumerate(sentences):
        if i:
            sep = "\n\n" if i % paragraph_size == 0 else " "
            text_parts.append(sep)
            position += len(sep)
        starts.append(position)
        text_parts.append(sentence)
        position += len(sentence)
    return "".join(text_parts), starts


def _one_example(rng: random.Random, pools: Pools, unanswerable: bool = False) -> dict | None:
    world = World(rng, pools)
    target = world.add(_pick_kind(rng))
    if target is None:
        return None
    size = rng.random()
    n_facts = 0 if size < 0.1 else rng.randint(1, 6) if size < 0.7 else rng.randint(7, 22)
    for _ in range(n_facts):
        _add_distractor_fact(world, target)
    asked = world.question_for(target)
    if asked is None:
        return None
    question, answer, (span_start, _) = asked
    n_fillers = 0 if n_facts == 0 else rng.randint(0, max(1, n_facts // 2 + 1))
    facts = [f for f in world.facts if not (unanswerable and f is target)]
    if unanswerable and not facts:
        n_fillers = rng.randint(1, 3)
    pieces: list[str | Fact] = [*facts, *(world.filler() for _ in range(n_fillers))]
    rng.shuffle(pieces)
    sentences = [p.text if isinstance(p, Fact) else p for p in pieces]
    context, starts = _layout(rng, sentences, paragraph_size=rng.randint(3, 7))
    if unanswerable:
        # SQuAD 2.0's convention: no answer text, and the reader should point at [CLS].
        return {"question": question, "context": context, "answer_text": "", "answer_start": -1}
    target_index = next(i for i, piece in enumerate(pieces) if piece is target)
    answer_start = starts[target_index] + span_start
    return {
        "question": question,
        "context": context,
        "answer_text": answer,
        "answer_start": answer_start,
    }


def generate_examples(
    n: int,
    seed: int,
    split: Split = "train",
    pseudo_words: bool = True,
    no_answer_share: float = 0.0,
) -> list[dict]:
    """`n` examples {question, context, answer_text, answer_start} drawn from `split` pools.

    `pseudo_words=False` leaves out the made-up names (for a tokenizer corpus: their
    syllables would crowd real words out of the vocabulary). `no_answer_share` of the
    examples (SQuAD 2.0 style) ask about a fact their context leaves out, while keeping
    the other facts about the same subject and of the same kind; they have
    `answer_text == ""` and `answer_start == -1`. At 0 the stream is exactly as before.
    """
    rng = random.Random(seed)
    pools = make_pools(split, pseudo_words)
    examples: list[dict] = []
    while len(examples) < n:
        unanswerable = no_answer_share > 0 and rng.random() < no_answer_share
        example = _one_example(rng, pools, unanswerable)
        if example is not None:
            examples.append(example)
    return examples


# --------------------------------------------------------------------------------------
# Channels: several documents, exactly one of which answers the question
# --------------------------------------------------------------------------------------

_DOC_THEMES: dict[Theme, float] = {
    "person": 0.35,
    "org": 0.15,
    "product": 0.12,
    "place": 0.12,
    "team": 0.14,
    "office": 0.08,
    "me": 0.04,
}


def _theme_kinds(theme: Theme) -> list[Kind]:
    return [k for k in KINDS if k.theme == theme]


def _document_facts(world: World, theme: Theme) -> tuple[list[Fact], str]:
    """Facts for one document about one or two subjects of `theme`, and a title."""
    rng = world.rng
    kinds = _theme_kinds(theme)
    facts: list[Fact] = []
    if theme in ("office", "me"):
        for kind in rng.sample(kinds, k=min(len(kinds), rng.randint(2, 6))):
            fact = world.add(kind)
            if fact:
                facts.append(fact)
        return facts, "Office FAQ" if theme == "office" else "About me"
    subjects: list[str] = []
    for _ in range(1 if rng.random() < 0.7 else 2):
        subject = world.entity(kinds[0].slots[kinds[0].subject], reuse=0.0)
        if subject is None:
            break
        subjects.append(subject)
        for kind in rng.sample(kinds, k=rng.randint(2, min(len(kinds), 5))):
            fact = world.add(kind, subject)
            if fact:
                facts.append(fact)
    titles = {
        "person": "Profile: {s}",
        "org": "{s} company overview",
        "product": "{s} spec sheet",
        "place": "Notes on the {s}",
        "team": "The {s} team handbook",
    }
    title = titles[theme].format(s=" and ".join(subjects)) if subjects else "Notes"
    return facts, title


def _document(world: World, theme: Theme, doc_id: str) -> tuple[dict, list[tuple[Fact, int]]]:
    """One document of 50-300 words: facts plus fillers; also where each fact starts."""
    rng = world.rng
    facts, title = _document_facts(world, theme)
    target_words = rng.randint(50, 300)
    pieces: list[str | Fact] = list(facts)
    words = sum(len(f.text.split()) for f in facts)
    while words < target_words:
        sentence = world.filler()
        if words + len(sentence.split()) > 300:
            break
        pieces.append(sentence)
        words += len(sentence.split())
    rng.shuffle(pieces)
    sentences = [p.text if isinstance(p, Fact) else p for p in pieces]
    text, starts = _layout(rng, sentences, paragraph_size=rng.randint(3, 7))
    placed = [(p, starts[i]) for i, p in enumerate(pieces) if isinstance(p, Fact)]
    return {"id": doc_id, "title": title, "text": text}, placed


def _one_channel(rng: random.Random, pools: Pools, docs: tuple[int, int]) -> dict | None:
    world = World(rng, pools)
    documents: list[dict] = []
    placed: list[tuple[str, Fact, int]] = []
    for i in range(rng.randint(*docs)):
        theme = rng.choices(list(_DOC_THEMES), weights=list(_DOC_THEMES.values()))[0]
        document, facts = _document(world, theme, f"doc-{i + 1:02d}")
        if not facts:
            continue
        documents.append(document)
        placed += [(document["id"], fact, start) for fact, start in facts]
    rng.shuffle(placed)
    for doc_id, fact, start in placed:
        asked = world.question_for(fact)
        if asked is not None:
            question, answer, (span_start, _) = asked
            return {
                "documents": documents,
                "question": question,
                "answer_text": answer,
                "document_id": doc_id,
                "answer_start": start + span_start,
            }
    return None


def generate_channels(
    n: int, seed: int, docs_per_channel: tuple[int, int] = (5, 20), split: Split = "heldout"
) -> list[dict]:
    """`n` channels {documents, question, answer_text, document_id, answer_start}.

    Exactly one document states the answer (`answer_start` is its offset in that
    document's text); the others are about other entities of the same world, so retrieval
    has real competition. Defaults to the held-out pools.
    """
    rng = random.Random(seed)
    pools = make_pools(split)
    channels: list[dict] = []
    while len(channels) < n:
        channel = _one_channel(rng, pools, docs_per_channel)
        if channel is not None and len(channel["documents"]) >= docs_per_channel[0]:
            channels.append(channel)
    return channels


# --------------------------------------------------------------------------------------
# Channels whose documents do not hold the asked fact (for abstention benchmarks)
# --------------------------------------------------------------------------------------


def _near_miss_question(world: World, placed: list[tuple[str, Fact, int]]) -> str | None:
    """A question about a subject the channel does describe, asking a fact it does not
    state ("When was Ann born?" next to Ann's profile, which gives her city and job)."""
    rng = world.rng
    for _, fact, _ in rng.sample(placed, k=len(placed)):
        subject = fact.values.get(fact.kind.subject, "") if fact.kind.subject else ""
        missing = [
            k
            for k in _theme_kinds(fact.kind.theme)
            if (k.name, subject) not in world.subjects and (bool(k.subject) == bool(subject))
        ]
        if not missing:
            continue
        ghost = world.add(rng.choice(missing), subject or None)
        if ghost is None:
            continue
        asked = world.question_for(ghost)
        world.facts.remove(ghost)  # asked about, never written down
        if asked is not None:
            return asked[0]
    return None


def generate_unanswerable_channels(
    n: int, seed: int, docs_per_channel: tuple[int, int] = (7, 9), split: Split = "heldout"
) -> list[dict]:
    """`n` channels {documents, question, kind} whose documents do not answer the question.

    Two kinds alternate: "near-miss" asks about a subject the channel describes, for a fact
    no document states (it shares the subject's name and the fact's words with the
    documents), and "removed" is an answerable channel with its answering document taken
    out. Answers are `answer_text == ""`.
    """
    rng = random.Random(seed)
    pools = make_pools(split)
    channels: list[dict] = []
    while len(channels) < n:
        world = World(rng, pools)
        documents: list[dict] = []
        placed: list[tuple[str, Fact, int]] = []
        for i in range(rng.randint(*docs_per_channel)):
            theme = rng.choices(list(_DOC_THEMES), weights=list(_DOC_THEMES.values()))[0]
            document, facts = _document(world, theme, f"doc-{i + 1:02d}")
            if facts:
                documents.append(document)
                placed += [(document["id"], fact, start) for fact, start in facts]
        if len(documents) < docs_per_channel[0] or not placed:
            continue
        if len(channels) % 2 == 0:
            question = _near_miss_question(world, placed)
            kind = "near-miss"
        else:
            doc_id, fact, _ = rng.choice(placed)
            asked = world.question_for(fact)
            question = asked[0] if asked else None
            documents = [d for d in documents if d["id"] != doc_id]
            kind = "removed"
        if question is not None:
            channels.append(
                {"documents": documents, "question": question, "answer_text": "", "kind": kind}
            )
    return channels


# --------------------------------------------------------------------------------------
# FAQ documents: asked in other words, or asked about what they do not cover
# --------------------------------------------------------------------------------------


def generate_faq_cases(n: int, seed: int, split: Split = "heldout") -> list[dict]:
    """`n` cases {faq, question, answer_text}: an FAQ document written as "Q: … A: …"
    entries (4-10 facts of one world), and a question that either asks one entry's fact
    in other words (`answer_text` is the entry's answer) or asks the same kind of fact
    about a subject the FAQ does not cover (`answer_text == ""`), alternately."""
    rng = random.Random(seed)
    pools = make_pools(split)
    cases: list[dict] = []
    while len(cases) < n:
        world = World(rng, pools)
        entries: list[tuple[Fact, str, str, str]] = []  # fact, answer slot, stored q, answer
        for _ in range(rng.randint(4, 10)):
            fact = world.add(_pick_kind(rng))
            if fact is None:
                continue
            first_slot = fact.kind.questions[0][0]
            slot, stored = rng.choice([(s, q) for s, q in fact.kind.questions if s == first_slot])
            entries.append((fact, slot, render(stored, fact.values)[0], fact.values[slot]))
        if not entries:
            continue
        faq = "\n\n".join(f"Q: {q}\nA: {a}" for _, _, q, a in entries)
        fact, slot, stored, answer = rng.choice(entries)
        if len(cases) % 2 == 0:
            others = [q for s, q in fact.kind.questions if s == slot]
            asked = render(rng.choice(others), fact.values)[0]
            asked = _vary_question(rng, asked)
            cases.append({"faq": faq, "question": asked, "answer_text": answer})
            continue
        ghost = world.add(fact.kind)  # the same kind of fact about someone else
        if ghost is None:
            continue
        world.facts.remove(ghost)
        template = next(q for s, q in fact.kind.questions if s == slot)
        asked = render(template, ghost.values)[0]
        cases.append({"faq": faq, "question": _vary_question(rng, asked), "answer_text": ""})
    return cases
