#![allow(clippy::unwrap_used)]
//! schema.graphql must be what the code exports. No database needed.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let exported = dealgraph::graphql::sdl();
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == exported,
        "schema.graphql is out of date with the code. Regenerate it with:\n\n    cargo run -q -- print-schema > schema.graphql\n"
    );
}
