//! The set-based SQL that generates the dataset: one statement per table, each an
//! `INSERT … SELECT … FROM generate_series(…)`. Every generated value is a hash of
//! (seeded salt, row number), so a row's content does not depend on evaluation order,
//! parallelism or batch boundaries; the word lists travel once, in the `seed_params` row.
//!
//! Only numbers made here (salts, sizes, offsets), formatted UUIDs and our own constant words
//! (quoted by [`lit`]) are spliced into the SQL text; no user input is.
//!
//! This file holds the conventions every statement shares — hashing, picking from a list,
//! UUIDv7s ([`Generator`]'s private helpers) and the word lists — and the small tables
//! (pipelines, stages, tags). Each family of bulk tables is a child module using them:
//! `customers` (companies, contacts), `deals` (deals and their history, contacts and tags),
//! `leads` (leads and their history), `followups` (conversions, activities, tasks), `billing`
//! (invoices, payments and their ledger postings for won deals).

use uuid::Uuid;

mod billing;
mod customers;
mod deals;
mod followups;
mod leads;

use super::plan::{self, Purpose, Salts, Sizes, PIPELINES};
use super::words;

/// A SQL string literal of one of our constants.
pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn text_array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(lit).collect();
    format!("ARRAY[{}]::text[]", items.join(", "))
}

/// A constant SQL array and its length. Spliced into each statement, it is folded into one
/// in-memory constant at plan time; a table column would be de-TOASTed on every row instead.
pub struct List {
    sql: String,
    len: usize,
}

impl List {
    fn text<'a>(items: impl IntoIterator<Item = &'a str>) -> List {
        let items: Vec<&str> = items.into_iter().collect();
        List {
            len: items.len(),
            sql: format!("({})", text_array(items)),
        }
    }

    fn int(items: impl IntoIterator<Item = i32>) -> List {
        let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
        List {
            len: items.len(),
            sql: format!("(ARRAY[{}]::int[])", items.join(",")),
        }
    }

    /// The element at the 1-based SQL integer expression `index`.
    fn at(&self, index: &str) -> String {
        format!("{}[{index}]", self.sql)
    }
}

/// Every word list and weighted table the statements pick from.
struct Lists {
    owners: List,
    first_names: List,
    last_names: List,
    job_titles: List,
    name_prefixes: List,
    name_roots: List,
    sector_words: List,
    sector_industries: List,
    country_codes: List,
    country_tlds: List,
    country_currencies: List,
    country_suffixes: List,
    country_phones: List,
    country_slots: List,
    cities: List,
    city_start: List,
    city_count: List,
    lifecycle_slots: List,
    company_sizes: List,
    icp_tiers: List,
    company_tags: List,
    contact_tags: List,
    products: List,
    partnerships: List,
    sources: List,
    roles: List,
    lost_reasons: List,
    period_slots: List,
    placement_slots: List,
    priorities: List,
}

impl Lists {
    fn new() -> Lists {
        let countries = words::COUNTRIES;
        let mut city_start = Vec::new();
        let mut next = 1;
        for country in countries {
            city_start.push(next);
            next += country.cities.len() as i32;
        }
        let weights: Vec<u32> = countries.iter().map(|c| c.weight).collect();
        let sectors = words::SECTORS;
        Lists {
            owners: List::text(words::OWNERS.iter().copied()),
            first_names: List::text(words::FIRST_NAMES.iter().copied()),
            last_names: List::text(words::LAST_NAMES.iter().copied()),
            job_titles: List::text(words::JOB_TITLES.iter().copied()),
            name_prefixes: List::text(words::NAME_PREFIXES.iter().copied()),
            name_roots: List::text(words::NAME_ROOTS.iter().copied()),
            sector_words: List::text(sectors.iter().map(|(w, _)| *w)),
            sector_industries: List::text(sectors.iter().map(|(_, i)| *i)),
            country_codes: List::text(countries.iter().map(|c| c.code)),
            country_tlds: List::text(countries.iter().map(|c| c.tld)),
            country_currencies: List::text(countries.iter().map(|c| c.currency)),
            country_suffixes: List::text(countries.iter().map(|c| c.legal_suffix)),
            country_phones: List::text(countries.iter().map(|c| c.phone_prefix)),
            country_slots: List::int(plan::slots(&weights)),
            cities: List::text(countries.iter().flat_map(|c| c.cities.iter().copied())),
            city_start: List::int(city_start),
            city_count: List::int(countries.iter().map(|c| c.cities.len() as i32)),
            lifecycle_slots: List::text(
                words::LIFECYCLE_STAGES
                    .iter()
                    .flat_map(|(name, w)| std::iter::repeat_n(*name, *w as usize)),
            ),
            company_sizes: List::text(words::COMPANY_SIZES.iter().copied()),
            icp_tiers: List::text(words::ICP_TIERS.iter().copied()),
            company_tags: List::text(words::COMPANY_TAGS.iter().copied()),
            contact_tags: List::text(words::CONTACT_TAGS.iter().copied()),
            products: List::text(words::PRODUCTS.iter().copied()),
            partnerships: List::text(words::PARTNERSHIPS.iter().copied()),
            sources: List::text(words::LEAD_SOURCES.iter().copied()),
            roles: List::text(words::DEAL_ROLES.iter().copied()),
            lost_reasons: List::text(words::LOST_REASONS.iter().copied()),
            period_slots: List::text(
                words::VALUE_PERIODS
                    .iter()
                    .flat_map(|(name, w)| std::iter::repeat_n(*name, *w as usize)),
            ),
            placement_slots: List::int(plan::placement_slots()),
            priorities: List::text(["low", "medium", "high"]),
        }
    }
}

/// Builds the statements of one run.
pub struct Generator {
    salts: Salts,
    sizes: Sizes,
    lists: Lists,
}

impl Generator {
    pub fn new(salts: Salts, sizes: Sizes) -> Generator {
        Generator {
            salts,
            sizes,
            lists: Lists::new(),
        }
    }

    /// A 64-bit hash of `key` (an SQL integer expression) in the stream of `purpose`.
    fn hash(&self, purpose: Purpose, key: &str) -> String {
        format!(
            "hashint8extended(({key})::int8, {})",
            self.salts.content(purpose)
        )
    }

    /// A uniform float8 in [0, 1): the hash's top 53 non-sign bits.
    fn unit(&self, purpose: Purpose, key: &str) -> String {
        format!(
            "(((({}) & 9223372036854775807) >> 10)::float8 / 9007199254740992.0)",
            self.hash(purpose, key)
        )
    }

    /// A uniform int8 in [0, n).
    fn below(&self, purpose: Purpose, key: &str, n: &str) -> String {
        format!(
            "((({}) & 9223372036854775807) % ({n}))",
            self.hash(purpose, key)
        )
    }

    /// A uniform element of `list`.
    fn pick(&self, purpose: Purpose, key: &str, list: &List) -> String {
        let index = self.below(purpose, key, &list.len.to_string());
        list.at(&format!("1 + ({index})::int"))
    }

    /// A UUIDv7 for the time `at`: 48 bits of Unix milliseconds, version and variant, and 74
    /// bits hashed from `key` with this run's id salts (which include the workspace).
    fn uuid7(&self, purpose: Purpose, at: &str, key: &str) -> String {
        let (a, b) = self.salts.id(purpose);
        let ha = format!("hashint8extended(({key})::int8, {a})");
        let hb = format!("hashint8extended(({key})::int8, {b})");
        format!(
            "(lpad(to_hex(floor(extract(epoch FROM {at}) * 1000)::int8), 12, '0') \
             || '7' || lpad(to_hex(({ha}) & 4095), 3, '0') \
             || to_hex(8 | ((({ha}) >> 12) & 3)) \
             || lpad(to_hex((({ha}) >> 14) & 4095), 3, '0') \
             || lpad(to_hex(({hb}) & 281474976710655), 12, '0'))::uuid"
        )
    }

    /// The one-row table of parameters: `$1` is the workspace, `$2` the day the dataset is
    /// anchored to (every generated time is before its midnight, UTC).
    pub fn params(&self) -> &'static str {
        "CREATE TEMP TABLE seed_params ON COMMIT DROP AS SELECT
             $1::uuid AS workspace_id,
             $2::date AS as_of_date,
             ($2::date)::timestamp AT TIME ZONE 'UTC' AS as_of"
    }

    /// The pipelines and stages, as a temp table `seed_stage` (one row per stage, with its
    /// pipeline's columns) from which both real tables are filled.
    pub fn stages(&self, pipeline_ids: &[Uuid], stage_ids: &[Vec<Uuid>]) -> String {
        let mut rows = Vec::new();
        for (p, (pipeline, pipeline_id)) in PIPELINES.iter().zip(pipeline_ids).enumerate() {
            let open_count = pipeline.stages.iter().filter(|s| s.kind == "open").count();
            let ids = stage_ids.get(p).map(Vec::as_slice).unwrap_or_default();
            for (s, (stage, stage_id)) in pipeline.stages.iter().zip(ids).enumerate() {
                rows.push(format!(
                    "({p}, {s}, {slot}, '{pipeline_id}'::uuid, {pipeline_name}, {default}, \
                     '{stage_id}'::uuid, {name}, {key}, {probability}::numeric / 100, {kind}, \
                     {color}, {rotting}::int, {open_count})",
                    slot = p * 100 + s,
                    pipeline_name = lit(pipeline.name),
                    default = p == 0,
                    name = lit(stage.name),
                    key = lit(stage.key),
                    probability = stage.probability,
                    kind = lit(stage.kind),
                    color = lit(stage.color),
                    rotting = stage
                        .rotting_days
                        .map_or_else(|| "NULL".to_owned(), |d| d.to_string()),
                ));
            }
        }
        format!(
            "CREATE TEMP TABLE seed_stage ON COMMIT DROP AS
             SELECT * FROM (VALUES {}) AS s(pidx, pos, slot, pipeline_id, pipeline_name,
                 is_default, id, name, key, probability, kind, color, rotting_days, open_count)",
            rows.join(",\n")
        )
    }

    pub fn insert_pipelines(&self) -> &'static str {
        "INSERT INTO pipelines (workspace_id, id, name, is_default, created_at, updated_at)
         SELECT DISTINCT ON (s.pidx) p.workspace_id, s.pipeline_id, s.pipeline_name, s.is_default,
                p.as_of - interval '400 days', p.as_of - interval '400 days'
         FROM seed_stage s CROSS JOIN seed_params p
         ORDER BY s.pidx"
    }

    pub fn insert_stages(&self) -> &'static str {
        "INSERT INTO stages (workspace_id, id, pipeline_id, name, key, position, probability,
                             kind, color, rotting_days, created_at, updated_at)
         SELECT p.workspace_id, s.id, s.pipeline_id, s.name, s.key, s.pos, s.probability,
                s.kind, s.color, s.rotting_days,
                p.as_of - interval '400 days', p.as_of - interval '400 days'
         FROM seed_stage s CROSS JOIN seed_params p
         ORDER BY s.pidx, s.pos"
    }

    /// The deal tags, as a temp table `seed_tag` (with each tag's chance) and the real rows.
    pub fn tags(&self, tag_ids: &[Uuid]) -> String {
        let rows: Vec<String> = words::DEAL_TAGS
            .iter()
            .zip(tag_ids)
            .enumerate()
            .map(|(i, ((name, color, chance), id))| {
                format!(
                    "({i}, '{id}'::uuid, {}, {}, {chance})",
                    lit(name),
                    lit(color)
                )
            })
            .collect();
        format!(
            "CREATE TEMP TABLE seed_tag ON COMMIT DROP AS
             SELECT * FROM (VALUES {}) AS t(idx, id, name, color, chance)",
            rows.join(", ")
        )
    }

    pub fn insert_tags(&self) -> &'static str {
        "INSERT INTO deal_tags (workspace_id, id, name, color, created_at)
         SELECT p.workspace_id, t.id, t.name, t.color, p.as_of - interval '400 days'
         FROM seed_tag t CROSS JOIN seed_params p
         ORDER BY t.idx"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn literals_are_quoted() {
        assert_eq!(lit("O'Brien"), "'O''Brien'");
        assert_eq!(text_array(["a", "b"]), "ARRAY['a', 'b']::text[]");
    }

    #[test]
    fn company_domains_are_distinct_words() {
        let mut seen = HashSet::new();
        for prefix in words::NAME_PREFIXES {
            for root in words::NAME_ROOTS {
                for (sector, _) in words::SECTORS {
                    assert!(seen.insert(format!("{prefix}{root}{sector}").to_lowercase()));
                }
            }
        }
    }
}
