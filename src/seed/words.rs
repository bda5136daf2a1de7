//! The vocabulary of the demo dataset: names, places, industries and sales words. Lists only;
//! how they are combined lives in `generate.rs`.

/// Company names are `PREFIX + ROOT + " " + SECTOR` ("Northwind Analytics"). 30 × 30 × 25
/// combinations give 22,500 distinct domains before a number has to be appended.
pub const NAME_PREFIXES: &[&str] = &[
    "North", "Blue", "Silver", "Bright", "Red", "Green", "Iron", "Summit", "Clear", "Swift",
    "Granite", "Oak", "River", "Cedar", "Golden", "Star", "Sun", "Maple", "Pine", "Harbor", "West",
    "East", "High", "Deep", "True", "Wild", "Open", "Bold", "Quiet", "Rapid",
];

pub const NAME_ROOTS: &[&str] = &[
    "wind", "stone", "field", "bridge", "gate", "peak", "wave", "line", "path", "forge", "light",
    "point", "brook", "ridge", "crest", "vale", "haven", "works", "wood", "port", "mark", "view",
    "side", "spring", "rock", "crown", "leaf", "shore", "well", "dale",
];

/// Sector words and the industry each implies, in the same order.
pub const SECTORS: &[(&str, &str)] = &[
    ("Analytics", "Software"),
    ("Software", "Software"),
    ("Systems", "Information Technology"),
    ("Networks", "Telecommunications"),
    ("Robotics", "Industrial Automation"),
    ("Logistics", "Transportation & Logistics"),
    ("Health", "Healthcare"),
    ("Bio", "Biotechnology"),
    ("Foods", "Food & Beverage"),
    ("Energy", "Energy"),
    ("Capital", "Financial Services"),
    ("Insurance", "Insurance"),
    ("Media", "Media & Entertainment"),
    ("Retail", "Retail"),
    ("Motors", "Automotive"),
    ("Labs", "Research"),
    ("Consulting", "Professional Services"),
    ("Learning", "Education"),
    ("Properties", "Real Estate"),
    ("Aerospace", "Aerospace & Defense"),
    ("Pharma", "Pharmaceuticals"),
    ("Security", "Cybersecurity"),
    ("Manufacturing", "Manufacturing"),
    ("Travel", "Hospitality & Travel"),
    ("Cloud", "Information Technology"),
];

/// A country companies are in: ISO 3166-1 alpha-2 code, weight (percent), web domain suffix,
/// the currency its deals are priced in, its legal-form suffix, and a few cities.
pub struct Country {
    pub code: &'static str,
    pub weight: u32,
    pub tld: &'static str,
    pub currency: &'static str,
    pub legal_suffix: &'static str,
    pub phone_prefix: &'static str,
    pub cities: &'static [&'static str],
}

/// Weights add up to 100. Most deals are in USD; EUR, GBP and JPY follow the company.
pub const COUNTRIES: &[Country] = &[
    Country {
        code: "US",
        weight: 52,
        tld: "com",
        currency: "USD",
        legal_suffix: "Inc.",
        phone_prefix: "+1",
        cities: &[
            "New York",
            "San Francisco",
            "Austin",
            "Chicago",
            "Boston",
            "Seattle",
            "Denver",
            "Atlanta",
        ],
    },
    Country {
        code: "CA",
        weight: 5,
        tld: "ca",
        currency: "USD",
        legal_suffix: "Inc.",
        phone_prefix: "+1",
        cities: &["Toronto", "Vancouver", "Montreal"],
    },
    Country {
        code: "GB",
        weight: 10,
        tld: "co.uk",
        currency: "GBP",
        legal_suffix: "Ltd",
        phone_prefix: "+44",
        cities: &["London", "Manchester", "Edinburgh", "Bristol"],
    },
    Country {
        code: "DE",
        weight: 8,
        tld: "de",
        currency: "EUR",
        legal_suffix: "GmbH",
        phone_prefix: "+49",
        cities: &["Berlin", "Munich", "Hamburg", "Frankfurt"],
    },
    Country {
        code: "FR",
        weight: 5,
        tld: "fr",
        currency: "EUR",
        legal_suffix: "SAS",
        phone_prefix: "+33",
        cities: &["Paris", "Lyon", "Toulouse"],
    },
    Country {
        code: "NL",
        weight: 3,
        tld: "nl",
        currency: "EUR",
        legal_suffix: "B.V.",
        phone_prefix: "+31",
        cities: &["Amsterdam", "Rotterdam", "Utrecht"],
    },
    Country {
        code: "ES",
        weight: 2,
        tld: "es",
        currency: "EUR",
        legal_suffix: "S.L.",
        phone_prefix: "+34",
        cities: &["Madrid", "Barcelona", "Valencia"],
    },
    Country {
        code: "JP",
        weight: 5,
        tld: "co.jp",
        currency: "JPY",
        legal_suffix: "K.K.",
        phone_prefix: "+81",
        cities: &["Tokyo", "Osaka", "Yokohama"],
    },
    Country {
        code: "AU",
        weight: 4,
        tld: "com.au",
        currency: "USD",
        legal_suffix: "Pty Ltd",
        phone_prefix: "+61",
        cities: &["Sydney", "Melbourne", "Brisbane"],
    },
    Country {
        code: "SG",
        weight: 2,
        tld: "sg",
        currency: "USD",
        legal_suffix: "Pte. Ltd.",
        phone_prefix: "+65",
        cities: &["Singapore"],
    },
    Country {
        code: "IN",
        weight: 2,
        tld: "in",
        currency: "USD",
        legal_suffix: "Pvt. Ltd.",
        phone_prefix: "+91",
        cities: &["Bengaluru", "Mumbai", "Pune"],
    },
    Country {
        code: "SE",
        weight: 2,
        tld: "se",
        currency: "EUR",
        legal_suffix: "AB",
        phone_prefix: "+46",
        cities: &["Stockholm", "Gothenburg"],
    },
];

/// ASCII only, so e-mail local parts are plain `first.last`. 60 × 60 = 3,600 names, a number
/// coprime with the stride `generate.rs` walks them with.
pub const FIRST_NAMES: &[&str] = &[
    "Ava", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sophia", "Lucas", "Mia", "Ethan",
    "Isabella", "Leo", "Amelia", "Oliver", "Harper", "Elijah", "Evelyn", "James", "Aria",
    "Benjamin", "Chloe", "Henry", "Layla", "Samuel", "Nora", "Daniel", "Zoe", "Jack", "Grace",
    "Aiden", "Hannah", "Wei", "Priya", "Kenji", "Yuki", "Arjun", "Fatima", "Omar", "Ingrid",
    "Lars", "Sofia", "Marco", "Chiara", "Pierre", "Camille", "Hans", "Lena", "Diego", "Lucia",
    "Tomas", "Aisha", "Kwame", "Nia", "Raj", "Anika", "Felix", "Clara", "Hugo", "Elena", "Max",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Martinez",
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
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Adams",
    "Baker",
    "Chen",
    "Wang",
    "Kim",
    "Patel",
    "Singh",
    "Tanaka",
    "Sato",
    "Suzuki",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Dubois",
    "Laurent",
    "Bernard",
    "Rossi",
    "Bianchi",
    "Jansen",
    "DeVries",
    "Johansson",
    "Lindberg",
    "Novak",
    "Kowalski",
    "Fernandez",
    "Romero",
    "Silva",
    "Costa",
    "Murphy",
    "Kelly",
    "Walsh",
];

pub const JOB_TITLES: &[&str] = &[
    "Chief Executive Officer",
    "Chief Financial Officer",
    "Chief Technology Officer",
    "VP of Sales",
    "VP of Engineering",
    "VP of Operations",
    "Head of Procurement",
    "Head of IT",
    "Director of Marketing",
    "Director of Finance",
    "Engineering Manager",
    "Operations Manager",
    "IT Manager",
    "Procurement Specialist",
    "Solutions Architect",
    "Product Manager",
    "Data Analyst",
    "Legal Counsel",
];

/// The sales team: owners of companies, contacts and deals.
pub const OWNERS: &[&str] = &[
    "ava.chen",
    "marcus.reed",
    "sofia.alvarez",
    "daniel.okafor",
    "emma.larsen",
    "kenji.mori",
    "priya.raman",
    "lucas.weber",
    "grace.obrien",
    "tomas.novak",
    "hannah.schulz",
    "omar.haddad",
];

/// Contact lifecycle stages with weights (percent).
pub const LIFECYCLE_STAGES: &[(&str, u32)] = &[
    ("subscriber", 5),
    ("lead", 30),
    ("mql", 15),
    ("sql", 15),
    ("opportunity", 20),
    ("customer", 13),
    ("other", 2),
];

pub const COMPANY_SIZES: &[&str] = &["1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+"];

pub const ICP_TIERS: &[&str] = &["Tier 1", "Tier 2", "Tier 3"];

/// What a new-business deal sells.
pub const PRODUCTS: &[&str] = &[
    "Platform license",
    "Enterprise plan",
    "Team plan",
    "Analytics add-on",
    "Premium support",
    "Onboarding package",
    "Data migration",
    "Security add-on",
    "API access",
    "Pilot",
];

pub const PARTNERSHIPS: &[&str] = &[
    "Reseller agreement",
    "Referral partnership",
    "Technology integration",
    "Co-marketing",
    "Distribution agreement",
];

pub const LEAD_SOURCES: &[&str] = &[
    "Inbound",
    "Outbound",
    "Referral",
    "Partner",
    "Event",
    "Webinar",
    "Paid search",
];

/// Roles of contacts on a deal; the first is the main contact's.
pub const DEAL_ROLES: &[&str] = &[
    "Champion",
    "Decision maker",
    "Economic buyer",
    "Technical evaluator",
    "Influencer",
    "Legal",
    "Procurement",
];

pub const LOST_REASONS: &[&str] = &[
    "Price too high",
    "Went with a competitor",
    "No budget this year",
    "No decision: the buyer went dark",
    "Timing: revisit next year",
    "Missing features",
    "Building it in-house",
];

/// Deal tags: name, colour, and the chance (percent) that a deal carries it.
pub const DEAL_TAGS: &[(&str, &str, u32)] = &[
    ("Hot", "#e5484d", 12),
    ("Enterprise", "#6e56cf", 15),
    ("SMB", "#30a46c", 20),
    ("Upsell", "#0090ff", 8),
    ("Competitive", "#f76b15", 10),
    ("Champion identified", "#12a594", 9),
    ("Needs legal review", "#ad7f58", 6),
    ("Referral", "#d6409f", 5),
    ("Strategic", "#3e63dd", 4),
    ("Q4 push", "#ffc53d", 7),
];

/// How deals are billed, with weights (percent).
pub const VALUE_PERIODS: &[(&str, u32)] = &[
    ("one_time", 55),
    ("annual", 30),
    ("monthly", 10),
    ("quarterly", 5),
];

pub const COMPANY_TAGS: &[&str] = &["prospect", "customer", "partner", "churned", "strategic"];

pub const CONTACT_TAGS: &[&str] = &["newsletter", "webinar", "event", "vip", "do-not-call"];

/// Where leads come from (the `leads.source` values), with weights (percent).
pub const LEAD_CHANNELS: &[(&str, u32)] = &[
    ("website", 35),
    ("campaign", 20),
    ("referral", 15),
    ("import", 10),
    ("manual", 10),
    ("api", 6),
    ("other", 3),
    ("mcp", 1),
];

/// A lead's status now, after `new`, for leads that were not converted, with weights (percent).
pub const OPEN_LEAD_STATUSES: &[(&str, u32)] = &[
    ("new", 25),
    ("working", 30),
    ("qualified", 20),
    ("disqualified", 25),
];

pub const LEAD_TAGS: &[&str] = &["webinar", "trial", "pricing-page", "event", "ebook"];

pub const DISQUALIFY_REASONS: &[&str] = &[
    "No budget",
    "Not the decision maker",
    "Student or job seeker",
    "Competitor research",
    "Outside our market",
    "Unresponsive after five attempts",
];

/// Personal mailbox providers: about a fifth of leads write from one. A few of the domains
/// conversion treats as free mail (`leads::rules::conversion::is_free_mail`, checked in
/// `plan`'s tests), so a converted seed lead never names a company after its mailbox.
pub const FREE_MAIL_DOMAINS: &[&str] = &["gmail.com", "outlook.com", "yahoo.com", "proton.me"];

/// Logged activities: type, weight (percent) and what such an activity is usually about.
pub const ACTIVITY_KINDS: &[(&str, u32, &[&str])] = &[
    (
        "call",
        35,
        &[
            "Discovery call",
            "Pricing call",
            "Check-in call",
            "Left a voicemail",
        ],
    ),
    (
        "email",
        30,
        &[
            "Sent the proposal",
            "Follow-up e-mail",
            "Shared a case study",
            "Sent the contract",
        ],
    ),
    (
        "meeting",
        15,
        &[
            "Product demo",
            "On-site workshop",
            "Kick-off meeting",
            "Security review",
        ],
    ),
    (
        "note",
        20,
        &[
            "Budget confirmed",
            "Champion changing teams",
            "Competitor in the picture",
            "Wants a pilot first",
        ],
    ),
];

/// What open deals' follow-up tasks say.
pub const TASK_TITLES: &[&str] = &[
    "Follow up on the proposal",
    "Schedule the demo",
    "Send pricing",
    "Confirm the decision date",
    "Get the security questionnaire back",
    "Introduce the solutions engineer",
];
