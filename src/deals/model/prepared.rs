//! Statements PostgreSQL keeps prepared, for the screens' hot paths.
//!
//! diesel caches a statement per connection only when it knows the text cannot hide a value:
//! `sql_query` and `sql::<T>()` are parsed and planned anew on every call (two round trips
//! and a plan each time). [`Prepared`] is a hand-written statement whose text is fixed by the
//! code, so diesel keeps it prepared under that text. [`Limited`] puts a page's `LIMIT` in the
//! text rather than in a parameter: PostgreSQL plans a `LIMIT $n` statement again on every
//! execution (a generic plan must assume a tenth of the table), while with the number written
//! out it plans once per connection and reuses the plan. The page sizes are few (1 to 101), so
//! the texts are few too.

use std::marker::PhantomData;

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};
use diesel::QueryResult;

/// A bind of a [`Prepared`] statement.
trait Bind: Send + Sync {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Typed<ST, T>(T, PhantomData<fn() -> ST>);

impl<ST, T> Bind for Typed<ST, T>
where
    Pg: HasSqlType<ST>,
    T: ToSql<ST, Pg> + Send + Sync,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, T>(&self.0)
    }
}

/// A hand-written statement (`$1`, `$2`, … name its binds, in the order of [`Prepared::bind`];
/// a placeholder may appear more than once) that diesel keeps prepared per connection, keyed
/// by its text. Its rows load like `sql_query`'s (`QueryableByName`). The text must come from
/// the code, never from input: it is the cache key.
pub struct Prepared<'a> {
    sql: String,
    binds: Vec<Box<dyn Bind + 'a>>,
}

impl<'a> Prepared<'a> {
    pub fn new(sql: impl Into<String>) -> Self {
        Prepared {
            sql: sql.into(),
            binds: Vec::new(),
        }
    }

    /// Adds the next bind, as `$n` where n is its position.
    pub fn bind<ST: 'a, T>(mut self, value: T) -> Self
    where
        Pg: HasSqlType<ST>,
        T: ToSql<ST, Pg> + Send + Sync + 'a,
    {
        self.binds
            .push(Box::new(Typed::<ST, T>(value, PhantomData)));
        self
    }
}

impl QueryFragment<Pg> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.sql.as_str();
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - at - 1);
            let n: usize = rest[at + 1..at + 1 + digits].parse().map_err(|_| {
                diesel::result::Error::QueryBuilderError("a `$` without a bind number".into())
            })?;
            let bind = n
                .checked_sub(1)
                .and_then(|i| self.binds.get(i))
                .ok_or_else(|| {
                    diesel::result::Error::QueryBuilderError(format!("no bind ${n}").into())
                })?;
            bind.push(&mut out)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

/// Keyed by its text (no static id), so every text is a statement of its own.
impl QueryId for Prepared<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Prepared<'_> {
    type SqlType = Untyped;
}

/// `query LIMIT n`, with n in the text (see the module's note).
pub struct Limited<Q> {
    query: Q,
    limit: i64,
}

impl<Q> Limited<Q> {
    pub fn new(query: Q, limit: i64) -> Self {
        Limited { query, limit }
    }
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Limited<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(&format!(" LIMIT {}", self.limit));
        Ok(())
    }
}

impl<Q> QueryId for Limited<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Limited<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use diesel::pg::Pg;
    use diesel::sql_types::{BigInt, Uuid as SqlUuid};

    use super::*;

    #[test]
    fn binds_follow_their_numbers_and_the_text_stays_cacheable() {
        let id = uuid::Uuid::nil();
        let query = Prepared::new("SELECT $1 WHERE a = $2 AND ($2 IS NULL OR b < $2) LIMIT 3")
            .bind::<SqlUuid, _>(id)
            .bind::<BigInt, _>(7_i64);
        let sql = diesel::debug_query::<Pg, _>(&query).to_string();
        assert!(
            sql.starts_with("SELECT $1 WHERE a = $2 AND ($3 IS NULL OR b < $4) LIMIT 3"),
            "{sql}"
        );
        assert!(query.is_safe_to_cache_prepared(&Pg).unwrap());
        let limited = Limited::new(Prepared::new("SELECT 1"), 101);
        assert!(diesel::debug_query::<Pg, _>(&limited)
            .to_string()
            .starts_with("SELECT 1 LIMIT 101"));
        assert!(limited.is_safe_to_cache_prepared(&Pg).unwrap());
    }
}
