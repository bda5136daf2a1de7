//! Migrations and the hand-kept `src/db/schema.rs`: every migration reverts cleanly and
//! re-applies to the identical schema, and schema.rs describes exactly the tables and
//! columns the migrations create (what `diesel print-schema` would print).

use std::collections::{BTreeMap, BTreeSet};

use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;

use crate::support::cluster::{create_test_database, drop_test_database};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The schema as PostgreSQL describes it: columns, constraints, indexes, triggers,
/// functions and extensions of the public schema, one sorted line each.
async fn catalog(url: &str) -> Vec<String> {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    let rows: Vec<Line> = diesel::sql_query(
        "SELECT line FROM (
           SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name,
                         udt_name, is_nullable, column_default) AS line
             FROM information_schema.columns WHERE table_schema = 'public'
           UNION ALL
           SELECT format('constraint %s %s %s', conrelid::regclass, conname,
                         pg_get_constraintdef(oid))
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace
           UNION ALL
           SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
           UNION ALL
           SELECT format('trigger %s', pg_get_triggerdef(oid)) FROM pg_trigger
            WHERE NOT tgisinternal
           UNION ALL
           SELECT format('function %s', pg_get_functiondef(p.oid)) FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
             LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
            WHERE n.nspname = 'public' AND d.objid IS NULL
           UNION ALL
           SELECT format('extension %s', extname) FROM pg_extension
         ) catalog ORDER BY line",
    )
    .load(&mut conn)
    .await
    .expect("read the catalog");
    rows.into_iter().map(|row| row.line).collect()
}

/// Runs the synchronous migration harness on `url`, off the async workers.
async fn with_harness<T: Send + 'static>(
    url: &str,
    run: impl FnOnce(&mut diesel_async::AsyncMigrationHarness<AsyncPgConnection>) -> T + Send + 'static,
) -> T {
    let conn = AsyncPgConnection::establish(url).await.expect("connect");
    tokio::task::spawn_blocking(move || {
        let mut harness = diesel_async::AsyncMigrationHarness::new(conn);
        run(&mut harness)
    })
    .await
    .expect("harness thread")
}

#[tokio::test(flavor = "multi_thread")]
async fn every_migration_reverts_and_reapplies_to_the_same_schema() {
    let (name, url) = create_test_database().await;
    let migrated = catalog(&url).await;
    assert!(
        migrated
            .iter()
            .any(|l| l.starts_with("column deals.amount ")),
        "the template is migrated"
    );

    let reverted = with_harness(&url, |h| {
        h.revert_all_migrations(dealgraph::db::MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|e| e.to_string())
    })
    .await
    .expect("revert every migration");
    assert!(reverted > 10, "reverted {reverted} migrations");
    let leftovers: Vec<String> = catalog(&url)
        .await
        .into_iter()
        .filter(|line| {
            !line.contains("__diesel_schema_migrations") && !line.starts_with("extension plpgsql")
        })
        .collect();
    assert!(
        leftovers.is_empty(),
        "left behind by down.sql: {leftovers:#?}"
    );

    with_harness(&url, |h| {
        h.run_pending_migrations(dealgraph::db::MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|e| e.to_string())
    })
    .await
    .expect("re-apply every migration");
    assert_eq!(
        catalog(&url).await,
        migrated,
        "up, down, up changed the schema"
    );
    drop_test_database(name);
}

/// schema.rs's tables as `table → column → diesel type`.
fn declared_schema() -> BTreeMap<String, BTreeMap<String, String>> {
    let source = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/src/db/schema.rs"));
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, BTreeMap<String, String>)> = None;
    for line in source.lines().map(str::trim) {
        if let Some((table, _)) = line.split_once(" (") {
            if line.ends_with('{') && !table.contains(' ') {
                current = Some((table.to_owned(), BTreeMap::new()));
                continue;
            }
        }
        if let Some((_, columns)) = current.as_mut() {
            if let Some((column, ty)) = line.trim_end_matches(',').split_once(" -> ") {
                columns.insert(column.to_owned(), ty.to_owned());
            } else if line == "}" {
                let (table, columns) = current.take().expect("a table");
                tables.insert(table, columns);
            }
        }
    }
    tables
}

/// The diesel type `diesel print-schema` writes for a PostgreSQL column.
fn diesel_type(udt: &str, nullable: bool) -> String {
    let base = match udt {
        "uuid" => "Uuid",
        "text" => "Text",
        "bytea" => "Bytea",
        "bool" => "Bool",
        "int4" => "Int4",
        "int8" => "Int8",
        "numeric" => "Numeric",
        "jsonb" => "Jsonb",
        "timestamptz" => "Timestamptz",
        "date" => "Date",
        "bpchar" => "Bpchar",
        "_text" => "Array<Nullable<Text>>",
        other => other,
    };
    if nullable {
        format!("Nullable<{base}>")
    } else {
        base.to_owned()
    }
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_rs_matches_the_migrated_database() {
    let (name, url) = create_test_database().await;
    let mut conn = AsyncPgConnection::establish(&url).await.expect("connect");
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text
           FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let mut actual: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for c in columns {
        actual.entry(c.table_name).or_default().insert(
            c.column_name,
            diesel_type(&c.udt_name, c.is_nullable == "YES"),
        );
    }
    let declared = declared_schema();
    let mut differences = Vec::new();
    let tables: BTreeSet<&String> = declared.keys().chain(actual.keys()).collect();
    for table in tables {
        let (ours, theirs) = (declared.get(table), actual.get(table));
        let columns: BTreeSet<&String> = ours
            .into_iter()
            .chain(theirs)
            .flat_map(|columns| columns.keys())
            .collect();
        for column in columns {
            let wrote = ours.and_then(|c| c.get(column));
            let is = theirs.and_then(|c| c.get(column));
            if wrote != is {
                differences.push(format!(
                    "{table}.{column}: schema.rs {wrote:?}, database {is:?}"
                ));
            }
        }
    }
    assert!(
        !actual.is_empty() && differences.is_empty(),
        "src/db/schema.rs is out of date with migrations/ (regenerate with `diesel print-schema`):\n{}",
        differences.join("\n")
    );
    drop(conn);
    drop_test_database(name);
}
