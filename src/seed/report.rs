//! What a seed run reports: the rows and time per table, and the phases of the load, as the
//! CLI prints them.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use uuid::Uuid;

use super::Checks;

/// Rows written to one table and how long that took.
#[derive(Debug, Clone)]
pub struct TableCount {
    pub table: &'static str,
    pub rows: u64,
    pub took: Duration,
}

/// What a seed run wrote.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub workspace_id: Uuid,
    pub seed: u64,
    pub as_of: NaiveDate,
    pub tables: Vec<TableCount>,
    /// Generating and inserting, in one transaction.
    pub load: Duration,
    /// How the database's trigger-kept rules were held.
    pub checks: Checks,
    /// Checking them over the whole workspace (part of `load`; zero under [`Checks::Triggers`]).
    pub verify: Duration,
    /// Building the lookup indexes after the load on a fresh database (part of `load`;
    /// `None` when they were kept live, see `indexes.rs`).
    pub indexes: Option<Duration>,
    /// `VACUUM (ANALYZE)` of the filled tables, after the commit.
    pub analyze: Duration,
    pub elapsed: Duration,
}

impl SeedReport {
    /// Rows written to `table` (0 for a table the seed does not fill).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows)
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "seeded workspace {} (seed {}, as of {}):",
            self.workspace_id, self.seed, self.as_of
        )?;
        for t in &self.tables {
            writeln!(
                f,
                "  {:<14} {:>9} rows  {:>7.2} s",
                t.table,
                t.rows,
                t.took.as_secs_f64()
            )?;
        }
        writeln!(f, "  load {:.2} s", self.load.as_secs_f64())?;
        if self.checks == Checks::Verified {
            writeln!(
                f,
                "  verify (the triggers' rules, checked once) {:.2} s",
                self.verify.as_secs_f64()
            )?;
        }
        if let Some(indexes) = self.indexes {
            writeln!(
                f,
                "  indexes (built after the load) {:.2} s",
                indexes.as_secs_f64()
            )?;
        }
        writeln!(f, "  vacuum+analyze {:.2} s", self.analyze.as_secs_f64())?;
        write!(f, "seed_seconds={:.2}", self.elapsed.as_secs_f64())
    }
}
