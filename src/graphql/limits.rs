//! Limits that keep one request from costing the server too much.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult};

pub const MAX_DEPTH: usize = 15;
pub const MAX_COMPLEXITY: usize = 10_000;
pub const MAX_RECURSIVE_DEPTH: usize = 32;
pub const MAX_DIRECTIVES: usize = 50;
pub const MAX_ALIASES: usize = 30;

/// Refuses documents with more than `max` aliases: aliases multiply the work of one field
/// without adding depth or (much) complexity. Run by [`super::execution`] once parsed.
pub fn check_aliases(document: &ExecutableDocument, max: usize) -> ServerResult<()> {
    let aliases = count_aliases(document);
    if aliases > max {
        return Err(ServerError::new(
            format!("the query uses {aliases} aliases; at most {max} are allowed"),
            None,
        ));
    }
    Ok(())
}

fn count_aliases(document: &ExecutableDocument) -> usize {
    let in_operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| count_in(&op.node.selection_set.node))
        .sum();
    let in_fragments: usize = document
        .fragments
        .values()
        .map(|f| count_in(&f.node.selection_set.node))
        .sum();
    in_operations + in_fragments
}

fn count_in(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_in(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_in(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_everywhere() {
        let doc = async_graphql::parser::parse_query(
            "query { a: viewer { b: apiKey { id } } ... on Query { c: viewer { id } } ...F }
             fragment F on Query { d: viewer { id } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 4);
    }
}
