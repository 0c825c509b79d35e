"""Word lists the generator draws from.

Chosen so the example configuration (``config/*.yaml``) finds accounts of every stage: the
industries of both audiences, titles that match (and nearly match) the role conditions, and
form and page names that carry the interest signals ("Seeds", "Cloud", "Analytics").
"""

from __future__ import annotations

from dataclasses import dataclass

# Which solution an industry leans to: it picks form names, pages and email programs.
FOCUS_AGTECH = 0
FOCUS_SOFTWARE = 1
FOCUS_GENERAL = 2


@dataclass(frozen=True)
class Industry:
    name: str
    weight: int
    focus: int
    name_words: tuple[str, ...]
    sic_codes: tuple[str, ...]


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "Agriculture",
        10,
        FOCUS_AGTECH,
        ("Seeds", "Harvest", "Agro", "Farms", "Grain", "Crop Science", "AgriTech"),
        ("0100", "0111", "0181", "0700"),
    ),
    Industry(
        "Biotechnology",
        8,
        FOCUS_AGTECH,
        ("Bio", "Genomics", "BioSciences", "Life Sciences", "Therapeutics", "Labs"),
        ("2836", "8731"),
    ),
    Industry(
        "Software",
        14,
        FOCUS_SOFTWARE,
        ("Software", "Systems", "Cloud", "Data", "Analytics", "Apps", "Logic"),
        ("7371", "7372"),
    ),
    Industry(
        "Information Technology",
        12,
        FOCUS_SOFTWARE,
        ("IT Services", "Networks", "Digital", "Tech", "Computing", "Solutions"),
        ("7373", "7374", "7379"),
    ),
    Industry(
        "Manufacturing",
        10,
        FOCUS_GENERAL,
        ("Industries", "Manufacturing", "Machines", "Components", "Steel", "Plastics"),
        ("3559", "3499", "3089"),
    ),
    Industry("Retail", 8, FOCUS_GENERAL, ("Stores", "Retail", "Outlet", "Market", "Goods"), ("5311", "5411", "5999")),
    Industry("Healthcare", 9, FOCUS_GENERAL, ("Health", "Care", "Medical", "Clinics", "Hospitals"), ("8011", "8062")),
    Industry(
        "Financial Services",
        9,
        FOCUS_GENERAL,
        ("Capital", "Finance", "Bank", "Insurance", "Partners"),
        ("6021", "6211", "6311"),
    ),
    Industry("Education", 5, FOCUS_GENERAL, ("Learning", "Academy", "Education", "Institute"), ("8221", "8299")),
    Industry("Energy", 5, FOCUS_GENERAL, ("Energy", "Power", "Solar", "Utilities"), ("4911", "1311")),
    Industry("Telecommunications", 4, FOCUS_GENERAL, ("Telecom", "Mobile", "Communications"), ("4812", "4813")),
    Industry("Transportation", 3, FOCUS_GENERAL, ("Logistics", "Freight", "Transport"), ("4213", "4731")),
    Industry("Media", 3, FOCUS_GENERAL, ("Media", "Studios", "Publishing"), ("2711", "7812")),
)

COMPANY_PREFIXES: tuple[str, ...] = (
    "Acme",
    "Apex",
    "Blue River",
    "Brightfield",
    "Cedar",
    "Summit",
    "Northwind",
    "Evergreen",
    "Golden Valley",
    "Greenfield",
    "Harbor",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Meridian",
    "Nova",
    "Oakridge",
    "Pinnacle",
    "Prairie",
    "Quantum",
    "Redwood",
    "Riverbend",
    "Sierra",
    "Silverline",
    "Stellar",
    "Sunrise",
    "Terra",
    "Trident",
    "Union",
    "Vantage",
    "Vertex",
    "Westbrook",
    "Willow",
    "Zenith",
    "Alpine",
    "Bayview",
    "Crescent",
    "Delta",
    "Eastgate",
    "Falcon",
    "Granite",
    "Horizon",
    "Insight",
    "Jade",
    "Kestrel",
    "Lumen",
    "Müller & Söhne",
    "Société Générale des",
    "Nordstern",
    "Høgberg",
    "Café Verde",
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "Inc",
    "Inc.",
    "LLC",
    "Ltd",
    "GmbH",
    "AG",
    "SA",
    "S.A.S.",
    "Corp",
    "Corporation",
    "Group",
    "BV",
    "PLC",
    "Co.",
    "Holdings",
    "",
)
# Company names that look like spreadsheet formulas: the outputs must neutralise them.
FORMULA_COMPANY_NAMES: tuple[str, ...] = (
    '=HYPERLINK("http://x")',
    "+1 Corp",
    "@Home Inc",
    "-Minus Ltd",
)


@dataclass(frozen=True)
class Country:
    code: str
    weight: int
    spellings: tuple[str, ...]  # how CRMs and forms actually write it
    phone_prefix: str
    cities: tuple[tuple[str, str], ...]  # (city, state or region)


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        45,
        ("United States", "USA", "US", "U.S.", "United States of America", "us"),
        "+1",
        (
            ("New York", "NY"),
            ("San Francisco", "CA"),
            ("Austin", "TX"),
            ("Chicago", "IL"),
            ("Des Moines", "IA"),
            ("St. Louis", "MO"),
            ("Boston", "MA"),
            ("Seattle", "WA"),
        ),
    ),
    Country(
        "DE",
        10,
        ("Germany", "DE", "Deutschland", "germany"),
        "+49",
        (("Berlin", "BE"), ("München", "BY"), ("Hamburg", "HH"), ("Köln", "NW")),
    ),
    Country("FR", 8, ("France", "FR", "france"), "+33", (("Paris", "IDF"), ("Lyon", "ARA"), ("Toulouse", "OCC"))),
    Country(
        "GB",
        9,
        ("United Kingdom", "UK", "GB", "Great Britain", "England"),
        "+44",
        (("London", "ENG"), ("Manchester", "ENG"), ("Edinburgh", "SCT")),
    ),
    Country(
        "NL",
        4,
        ("Netherlands", "NL", "The Netherlands", "Holland"),
        "+31",
        (("Amsterdam", "NH"), ("Rotterdam", "ZH"), ("Wageningen", "GE")),
    ),
    Country("CA", 6, ("Canada", "CA"), "+1", (("Toronto", "ON"), ("Vancouver", "BC"), ("Saskatoon", "SK"))),
    Country("BR", 5, ("Brazil", "BR", "Brasil"), "+55", (("São Paulo", "SP"), ("Curitiba", "PR"))),
    Country("IN", 5, ("India", "IN"), "+91", (("Bengaluru", "KA"), ("Pune", "MH"), ("Hyderabad", "TG"))),
    Country("JP", 3, ("Japan", "JP"), "+81", (("Tokyo", "13"), ("Osaka", "27"))),
    Country("AU", 5, ("Australia", "AU"), "+61", (("Sydney", "NSW"), ("Melbourne", "VIC"), ("Perth", "WA"))),
)

# (as displayed, as used in an email address)
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    *(
        (name, name.lower())
        for name in (
            "James",
            "Mary",
            "John",
            "Patricia",
            "Robert",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Elizabeth",
            "William",
            "Barbara",
            "Richard",
            "Susan",
            "Joseph",
            "Jessica",
            "Thomas",
            "Sarah",
            "Charles",
            "Karen",
            "Daniel",
            "Nancy",
            "Matthew",
            "Lisa",
            "Anthony",
            "Betty",
            "Mark",
            "Sandra",
            "Steven",
            "Ashley",
            "Paul",
            "Emily",
            "Andrew",
            "Michelle",
            "Priya",
            "Wei",
            "Hiroshi",
            "Fatima",
            "Lukas",
            "Anna",
            "Sophie",
            "Lars",
            "Ingrid",
            "Carlos",
            "Ana",
            "Mateo",
            "Olivia",
            "Noah",
            "Emma",
            "Liam",
            "Aisha",
            "Ravi",
            "Yuki",
            "Chen",
        )
    ),
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Renée", "renee"),
    ("Søren", "soren"),
    ("François", "francois"),
    ("Björn", "bjorn"),
    ("Inês", "ines"),
)
LAST_NAMES: tuple[tuple[str, str], ...] = (
    *(
        (name, name.lower().replace("'", "").replace(" ", ""))
        for name in (
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Hernandez",
            "Lopez",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
            "Thompson",
            "White",
            "Harris",
            "Clark",
            "Lewis",
            "Walker",
            "Hall",
            "Young",
            "King",
            "Wright",
            "Scott",
            "Green",
            "Baker",
            "Nguyen",
            "Patel",
            "Kim",
            "Chen",
            "Wang",
            "Singh",
            "Kumar",
            "Schmidt",
            "Fischer",
            "Weber",
            "Dubois",
            "Laurent",
            "Rossi",
            "Jansen",
            "de Vries",
            "O'Brien",
            "Tanaka",
        )
    ),
    ("Müller", "mueller"),
    ("Gómez", "gomez"),
    ("Kowalczyk", "kowalczyk"),
    ("Østergaard", "ostergaard"),
    ("Lefèvre", "lefevre"),
    ("Şahin", "sahin"),
)

# A complete committee, by a person's position in their company. Position 0 holds a
# decision maker, 1-2 influencers, 3 a champion, 4 a technical buyer, 5-6 evaluators,
# 7 an end user — so "full" accounts complete both roles templates of the example config.
COMMITTEE_TITLES: tuple[tuple[str, ...], ...] = (
    (
        "CEO",
        "CFO",
        "COO",
        "VP of Sales",
        "Chief Data Officer",
        "VP Operations",
        "Founder & CEO",
        "Chief Executive Officer",
    ),
    ("Director of Operations", "Director of Sales", "Director, Product", "Director of Finance"),
    ("Sr Director Marketing", "Head of Procurement", "Head of Data", "Sr Director Engineering"),
    ("Operations Manager", "Product Manager", "Marketing Manager", "Procurement Manager"),
    ("CTO", "CIO", "IT Director", "Head of IT"),
    ("Software Engineer", "Senior Software Engineer", "Data Engineer", "Platform Engineer"),
    ("Data Architect", "Solutions Architect", "Developer", "Lead Developer"),
    ("Data Analyst", "Business Analyst", "Financial Analyst"),
)
# Anyone else: mostly staff, a few senior titles (so "partial" accounts sometimes fill up),
# near misses the rules must not match, and empty titles.
GENERAL_TITLES: dict[str, int] = {
    "Account Executive": 6,
    "Sales Representative": 6,
    "Marketing Specialist": 5,
    "Coordinator": 5,
    "Intern": 3,
    "Consultant": 4,
    "Analyst": 3,
    "Data Analyst": 3,
    "Business Analyst": 3,
    "Software Engineer": 4,
    "Developer": 3,
    "Operations Manager": 2,
    "Product Manager": 2,
    "Project Manager": 3,
    "Office Manager": 2,
    "Director of Finance": 1,
    "Director of Engineering": 1,
    "Head of Procurement": 1,
    "VP Marketing": 1,
    "Vice President Engineering": 1,
    "Assistant to the CEO": 1,
    "ceo": 1,
    "Senior Director": 1,
    "Associate": 3,
    "Customer Success Associate": 3,
    "HR Generalist": 2,
    "Accountant": 2,
    "": 6,
}
# Accounts that only ever show up with junior contacts.
JUNIOR_TITLES: dict[str, int] = {
    "Coordinator": 4,
    "Intern": 3,
    "Sales Representative": 4,
    "Associate": 4,
    "Marketing Specialist": 3,
    "Customer Success Associate": 3,
    "": 5,
}
# The plain profile's mix (see profiles.py): generic job titles of another system, fewer
# empty ones, some near misses of the example roles ("Director", "VP", "Engineer").
PLAIN_GENERAL_TITLES: dict[str, int] = {
    "Manager": 6,
    "Senior Manager": 4,
    "Director": 3,
    "Engineer": 5,
    "Senior Engineer": 3,
    "Sales Manager": 4,
    "Account Manager": 4,
    "Specialist": 4,
    "Analyst": 5,
    "Administrator": 3,
    "Team Lead": 3,
    "Consultant": 3,
    "Technician": 3,
    "Assistant": 3,
    "VP": 1,
    "President": 1,
    "Owner": 1,
    "": 2,
}
PLAIN_JUNIOR_TITLES: dict[str, int] = {
    "Assistant": 4,
    "Trainee": 3,
    "Technician": 3,
    "Clerk": 3,
    "Support Agent": 3,
    "": 2,
}
DEPARTMENTS_BY_COMMITTEE_SLOT: tuple[str, ...] = (
    "Executive",
    "Operations",
    "Marketing",
    "Operations",
    "IT",
    "Engineering",
    "Engineering",
    "Finance",
)
DEPARTMENTS: tuple[str, ...] = (
    "Sales",
    "Marketing",
    "Engineering",
    "IT",
    "Finance",
    "Operations",
    "HR",
    "Procurement",
)
LEAD_SOURCES: dict[str, int] = {
    "Website": 8,
    "Trade Show": 3,
    "Webinar": 4,
    "Paid Social": 3,
    "Partner": 2,
    "List Import": 3,
    "Sales Outreach": 2,
    "Content Syndication": 2,
    "Paid Search": 2,
    "LinkedIn Lead Gen Form": 2,
}
LEAD_STATUSES: dict[str, int] = {
    "New": 6,
    "Open": 4,
    "Working": 3,
    "Nurture": 5,
    "MQL": 2,
    "SQL": 1,
    "Disqualified": 1,
}

OPPORTUNITY_ROLES: dict[str, int] = {
    "Economic Buyer": 5,
    "Influencer": 5,
    "Champion": 4,
    "Technical Buyer": 4,
    "Evaluator": 4,
    "Decision Maker": 2,
    "Other": 2,
}
# (stage, probability, is closed, is won)
OPPORTUNITY_STAGES: tuple[tuple[str, int, bool, bool], ...] = (
    ("Prospecting", 10, False, False),
    ("Qualification", 20, False, False),
    ("Needs Analysis", 30, False, False),
    ("Proposal", 60, False, False),
    ("Negotiation", 80, False, False),
    ("Closed Won", 100, True, True),
    ("Closed Lost", 0, True, False),
)
OPPORTUNITY_STAGE_WEIGHTS: tuple[int, ...] = (5, 5, 4, 3, 2, 3, 3)
OPPORTUNITY_TYPES: dict[str, int] = {"New Business": 6, "Existing Business": 3, "Renewal": 2}
PRODUCTS_BY_FOCUS: tuple[tuple[str, ...], ...] = (
    ("AI Driven Seeds", "Seed Analytics", "Crop Yield Suite"),
    ("Cloud Analytics Platform", "Data Warehouse", "Analytics Add-on"),
    ("Cloud Analytics Platform", "AI Driven Seeds", "Support Plan"),
)

# Activity vocabulary, per company focus (agtech, software, general).
FORMS_BY_FOCUS: tuple[tuple[str, ...], ...] = (
    (
        "AI Seeds Whitepaper",
        "AI Driven Seeds Demo Request",
        "Seed Yield Webinar Registration",
        "Contact Us",
        "Newsletter Signup",
    ),
    (
        "Cloud Analytics Demo Request",
        "Cloud Migration Checklist",
        "Analytics Platform Trial",
        "Contact Us",
        "Newsletter Signup",
    ),
    ("Contact Us", "Newsletter Signup", "Pricing Request", "Cloud Analytics Demo Request", "AI Seeds Whitepaper"),
)
PAGES_BY_FOCUS: tuple[tuple[str, ...], ...] = (
    ("/seeds", "/seeds/ai-driven-seeds", "/solutions/agriculture", "/pricing", "/", "/blog/precision-farming"),
    (
        "/cloud-analytics",
        "/products/analytics-platform",
        "/cloud/pricing",
        "/docs/getting-started",
        "/",
        "/blog/data-mesh",
    ),
    ("/", "/pricing", "/about", "/blog/b2b-trends", "/careers", "/contact"),
)
EMAILS_BY_FOCUS: tuple[tuple[str, ...], ...] = (
    ("Seeds Newsletter - Issue 12", "AI Seeds Nurture 1", "AI Seeds Nurture 2", "Harvest Webinar Invite"),
    ("Cloud Analytics Nurture 1", "Cloud Analytics Nurture 2", "Analytics Product Update", "Data Summit Invite"),
    ("Monthly Newsletter", "Product Update", "Event Invite", "Customer Stories"),
)
LINKS: tuple[str, ...] = (
    "https://www.example.com/seeds",
    "https://www.example.com/cloud-analytics",
    "https://www.example.com/pricing",
    "https://www.example.com/webinar",
)
INTERESTING_MOMENTS: tuple[str, ...] = (
    "Web: Visited pricing page",
    "Milestone: Requested demo",
    "Email: Replied to nurture",
    "Web: Viewed case study",
)
PROGRAM_STATUSES: tuple[str, ...] = (
    "AI Seeds Nurture: Member -> Engaged",
    "Cloud Analytics Webinar: Invited -> Registered",
    "Cloud Analytics Webinar: Registered -> Attended",
    "Newsletter: Member -> Engaged",
)
USER_AGENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
)
