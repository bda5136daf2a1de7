//! The shape of the demo dataset, decided in Rust before any SQL runs: pipeline and stage
//! templates, row counts, the seeded salts every generated value derives from, and weighted
//! choices expanded into lookup slots. Pure, unit-tested without a database.

use super::words;

/// A stage of a pipeline template. `share` is the percentage of the pipeline's deals that sit
/// in it now: early stages hold more than late ones.
pub struct StageTemplate {
    pub name: &'static str,
    pub key: &'static str,
    /// Percent, 0..=100.
    pub probability: u32,
    pub kind: &'static str,
    pub color: &'static str,
    pub rotting_days: Option<i32>,
    pub share: u32,
}

pub struct PipelineTemplate {
    pub name: &'static str,
    /// Percent of all deals.
    pub share: u32,
    /// Open stages first, then exactly one WON and one LOST stage, like `default_stages`.
    pub stages: &'static [StageTemplate],
}

const fn open(
    name: &'static str,
    key: &'static str,
    probability: u32,
    color: &'static str,
    rotting_days: i32,
    share: u32,
) -> StageTemplate {
    StageTemplate {
        name,
        key,
        probability,
        kind: "open",
        color,
        rotting_days: Some(rotting_days),
        share,
    }
}

const fn won(name: &'static str, key: &'static str, share: u32) -> StageTemplate {
    StageTemplate {
        name,
        key,
        probability: 100,
        kind: "won",
        color: "#30a46c",
        rotting_days: None,
        share,
    }
}

const fn lost(name: &'static str, key: &'static str, share: u32) -> StageTemplate {
    StageTemplate {
        name,
        key,
        probability: 0,
        kind: "lost",
        color: "#e5484d",
        rotting_days: None,
        share,
    }
}

/// The first pipeline is the workspace's default.
pub const PIPELINES: &[PipelineTemplate] = &[
    PipelineTemplate {
        name: "New Business",
        share: 70,
        stages: &[
            open("Lead in", "lead-in", 10, "#8e8c99", 14, 24),
            open("Qualified", "qualified", 20, "#0090ff", 14, 17),
            open("Discovery", "discovery", 35, "#6e56cf", 21, 12),
            open("Proposal sent", "proposal-sent", 50, "#d6409f", 21, 9),
            open("Negotiation", "negotiation", 75, "#f76b15", 30, 6),
            won("Closed won", "won", 13),
            lost("Closed lost", "lost", 19),
        ],
    },
    PipelineTemplate {
        name: "Renewals",
        share: 20,
        stages: &[
            open("Upcoming", "upcoming", 60, "#8e8c99", 30, 30),
            open("In review", "in-review", 75, "#0090ff", 21, 18),
            open("Contract sent", "contract-sent", 90, "#6e56cf", 14, 10),
            won("Renewed", "renewed", 32),
            lost("Churned", "churned", 10),
        ],
    },
    PipelineTemplate {
        name: "Partnerships",
        share: 10,
        stages: &[
            open("Prospect", "prospect", 10, "#8e8c99", 30, 30),
            open("Intro call", "intro-call", 25, "#0090ff", 21, 20),
            open("Evaluation", "evaluation", 40, "#6e56cf", 30, 14),
            open(
                "Agreement drafting",
                "agreement-drafting",
                70,
                "#d6409f",
                30,
                8,
            ),
            won("Signed", "signed", 12),
            lost("Declined", "declined", 16),
        ],
    },
];

/// Company names walk their combinations with this stride; contact names too. A prime that
/// divides neither combination count, so every walk is a permutation (checked below).
pub const NAME_STRIDE: u64 = 7919;

/// The largest dataset the command accepts.
pub const MAX_DEALS: u32 = 5_000_000;

/// splitmix64: a tiny, well-mixed PRNG step; enough to derive independent salts from a seed.
pub fn splitmix64(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many of each row a dataset of `deals` deals gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub deals: i64,
    pub companies: i64,
    pub contacts: i64,
    /// As many leads as contacts: about 30 % of them were converted (each into one of the
    /// contacts), the rest are still being worked or were disqualified.
    pub leads: i64,
    pub converted_leads: i64,
}

impl Sizes {
    /// About one company per ten deals and one contact per two, at least one of each, so every
    /// company has contacts (`contacts >= companies`).
    pub fn for_deals(deals: u32) -> Sizes {
        let deals = i64::from(deals);
        let contacts = ((deals + 1) / 2).max(1);
        Sizes {
            deals,
            companies: ((deals + 9) / 10).max(1),
            contacts,
            leads: contacts,
            converted_leads: contacts * 3 / 10,
        }
    }
}

/// Expands weights into a lookup table: index `i` appears `weights[i]` times, so a uniform
/// pick from the table is a weighted pick of an index.
pub fn slots(weights: &[u32]) -> Vec<i32> {
    weights
        .iter()
        .enumerate()
        .flat_map(|(i, &w)| std::iter::repeat_n(i as i32, w as usize))
        .collect()
}

/// The weighted table of where a deal sits now, as `pipeline * 100 + stage position`: the
/// pipeline's share times the stage's share (10,000 slots).
pub fn placement_slots() -> Vec<i32> {
    PIPELINES
        .iter()
        .enumerate()
        .flat_map(|(p, pipeline)| {
            pipeline
                .stages
                .iter()
                .enumerate()
                .flat_map(move |(s, stage)| {
                    std::iter::repeat_n(
                        (p * 100 + s) as i32,
                        (pipeline.share * stage.share) as usize,
                    )
                })
        })
        .collect()
}

/// The salts of one run. Content salts depend on the seed only, so a seed gives the same
/// dataset in any workspace; id salts also mix in the workspace, so seeding the same seed
/// twice never collides on a primary key.
#[derive(Debug, Clone, Copy)]
pub struct Salts {
    seed: u64,
    ids: u64,
}

impl Salts {
    pub fn new(seed: u64, workspace_id: uuid::Uuid) -> Salts {
        let (high, low) = workspace_id.as_u64_pair();
        Salts {
            seed,
            ids: splitmix64(seed ^ splitmix64(high ^ splitmix64(low))),
        }
    }

    /// The salt of one kind of content value ("deal amount", "contact title" …).
    pub fn content(&self, purpose: Purpose) -> i64 {
        splitmix64(self.seed ^ splitmix64(purpose as u64)) as i64
    }

    /// The salts (two, for 74 random bits) of one kind of id.
    pub fn id(&self, purpose: Purpose) -> (i64, i64) {
        let base = splitmix64(self.ids ^ splitmix64(purpose as u64));
        (base as i64, splitmix64(base) as i64)
    }

    /// An offset into a permutation of `n` items.
    pub fn offset(&self, purpose: Purpose, n: u64) -> u64 {
        splitmix64(self.seed ^ splitmix64(purpose as u64 | 1 << 32)) % n.max(1)
    }
}

/// What a random value is for: each purpose draws from its own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    CompanyId = 1,
    CompanyName,
    CompanyCountry,
    CompanyCity,
    CompanyAge,
    CompanyAge2,
    CompanySize,
    CompanyTier,
    CompanyTarget,
    CompanyOwner,
    CompanyTags,
    CompanyFounded,
    CompanyLegal,
    ContactId,
    ContactName,
    ContactTitle,
    ContactPhone,
    ContactPhone2,
    ContactLifecycle,
    ContactScore,
    ContactOwner,
    ContactOwnerPick,
    ContactTags,
    ContactActivity,
    ContactAge,
    ContactUpdated,
    DealId,
    DealPlacement,
    DealCompany,
    DealAge,
    DealStart,
    DealLostAfter,
    DealSpan,
    DealStep,
    DealUpdated,
    DealCurrency,
    DealAmount,
    DealCents,
    DealProduct,
    DealProbability,
    DealProbability2,
    DealCloseDate,
    DealNoCloseDate,
    DealLostReason,
    DealPeriod,
    DealOwner,
    DealOwnerPick,
    DealSource,
    DealSeats,
    DealPriority,
    DealDescription,
    DealLinks,
    DealContactOffset,
    DealRole,
    DealTag,
    StageChangeId,
    LeadId,
    LeadName,
    LeadStatus,
    LeadSource,
    LeadScore,
    LeadOwner,
    LeadOwnerPick,
    LeadTags,
    LeadAge,
    LeadStep,
    LeadCompany,
    LeadFreeMail,
    LeadTitle,
    LeadReason,
    LeadCountry,
    LeadStatusChangeId,
    LeadConversionId,
    DealActivities,
    DealActivityAt,
    DealActivityId,
    LeadActivities,
    LeadActivityAt,
    LeadActivityId,
    ActivityKind,
    ActivitySubject,
    TaskId,
    TaskTitle,
    TaskStatus,
    TaskDue,
    InvoiceId,
    InvoiceLineId,
    InvoiceEntryId,
    InvoicePaid,
    InvoicePayDelay,
    PaymentId,
    PaymentEntryId,
    JournalLineId,
}

/// Checks that a permutation walk with `NAME_STRIDE` visits every combination once.
#[cfg(test)]
pub fn stride_is_permutation(n: u64) -> bool {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    gcd(NAME_STRIDE, n) == 1
}

/// Combinations of company names before a number is appended to the domain.
pub fn company_name_space() -> u64 {
    (words::NAME_PREFIXES.len() * words::NAME_ROOTS.len() * words::SECTORS.len()) as u64
}

/// Combinations of contact names; a company's contacts take distinct ones.
pub fn contact_name_space() -> u64 {
    (words::FIRST_NAMES.len() * words::LAST_NAMES.len()) as u64
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn templates_are_valid_pipelines() {
        assert!((2..=3).contains(&PIPELINES.len()));
        assert_eq!(PIPELINES.iter().map(|p| p.share).sum::<u32>(), 100);
        for pipeline in PIPELINES {
            assert!(
                (5..=7).contains(&pipeline.stages.len()),
                "{}",
                pipeline.name
            );
            assert_eq!(pipeline.stages.iter().map(|s| s.share).sum::<u32>(), 100);
            let kinds: Vec<_> = pipeline.stages.iter().map(|s| s.kind).collect();
            let open = kinds.iter().take_while(|k| **k == "open").count();
            assert!(open >= 2, "{}", pipeline.name);
            assert_eq!(&kinds[open..], ["won", "lost"], "{}", pipeline.name);
            let keys: HashSet<_> = pipeline.stages.iter().map(|s| s.key).collect();
            assert_eq!(keys.len(), pipeline.stages.len());
            // Early stages hold more deals than later open ones.
            let shares: Vec<_> = pipeline.stages[..open].iter().map(|s| s.share).collect();
            assert!(shares.windows(2).all(|w| w[0] >= w[1]), "{}", pipeline.name);
            for stage in pipeline.stages {
                assert!(stage.probability <= 100);
                let valid = crate::validate::probability(
                    "p",
                    &(bigdecimal::BigDecimal::from(stage.probability) / 100),
                );
                assert!(valid.is_ok());
            }
        }
    }

    #[test]
    fn placement_covers_every_stage_by_weight() {
        let slots = placement_slots();
        assert_eq!(slots.len(), 10_000);
        let first = PIPELINES[0].share * PIPELINES[0].stages[0].share;
        assert_eq!(slots.iter().filter(|&&s| s == 0).count(), first as usize);
    }

    #[test]
    fn weights_expand_into_slots() {
        assert_eq!(slots(&[2, 0, 1]), vec![0, 0, 2]);
        let countries: u32 = words::COUNTRIES.iter().map(|c| c.weight).sum();
        assert_eq!(countries, 100);
        let lifecycle: u32 = words::LIFECYCLE_STAGES.iter().map(|(_, w)| w).sum();
        assert_eq!(lifecycle, 100);
        let periods: u32 = words::VALUE_PERIODS.iter().map(|(_, w)| w).sum();
        assert_eq!(periods, 100);
    }

    #[test]
    fn name_walks_are_permutations() {
        assert!(stride_is_permutation(company_name_space()));
        assert!(stride_is_permutation(contact_name_space()));
    }

    #[test]
    fn words_fit_the_schema() {
        for c in words::COUNTRIES {
            assert!(
                isocountry::CountryCode::for_alpha2(c.code).is_ok(),
                "{}",
                c.code
            );
            assert!(crate::money::currency("c", c.currency).is_ok());
            assert!(!c.cities.is_empty());
        }
        let names: Vec<&str> = words::FIRST_NAMES
            .iter()
            .chain(words::LAST_NAMES)
            .copied()
            .collect();
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_alphabetic())));
        let owners: HashSet<_> = words::OWNERS.iter().collect();
        assert_eq!(owners.len(), words::OWNERS.len());
        assert!(words::DEAL_ROLES.len() >= 5);
    }

    #[test]
    fn seed_mailboxes_are_free_mail_to_conversion() {
        for domain in words::FREE_MAIL_DOMAINS {
            assert!(
                crate::leads::rules::conversion::is_free_mail(domain),
                "{domain}"
            );
        }
    }

    #[test]
    fn sizes_scale_with_deals() {
        assert_eq!(
            Sizes::for_deals(100_000),
            Sizes {
                deals: 100_000,
                companies: 10_000,
                contacts: 50_000,
                leads: 50_000,
                converted_leads: 15_000,
            }
        );
        let tiny = Sizes::for_deals(1);
        assert!(tiny.companies == 1 && tiny.contacts == 1);
        for n in [1, 2, 9, 11, 499, 500, 501] {
            let s = Sizes::for_deals(n);
            assert!(s.contacts >= s.companies);
            // At most a handful of contacts per company, far below the name space.
            assert!(s.contacts / s.companies < 8);
            // Each converted lead became a distinct contact.
            assert!(s.converted_leads <= s.contacts && s.converted_leads <= s.leads);
        }
    }

    #[test]
    fn salts_depend_on_seed_and_ids_on_workspace() {
        let a = uuid::Uuid::from_u128(1);
        let b = uuid::Uuid::from_u128(2);
        assert_eq!(
            Salts::new(7, a).content(Purpose::DealAmount),
            Salts::new(7, b).content(Purpose::DealAmount)
        );
        assert_ne!(
            Salts::new(7, a).content(Purpose::DealAmount),
            Salts::new(8, a).content(Purpose::DealAmount)
        );
        assert_ne!(
            Salts::new(7, a).id(Purpose::DealId),
            Salts::new(7, b).id(Purpose::DealId)
        );
    }
}
