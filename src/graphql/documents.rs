//! Parsed documents by their query text. A frontend sends the same few documents over and
//! over with different variables; parsing one (pest) costs more than the rest of a small
//! request's GraphQL work, so each distinct text is parsed once per process and later
//! requests start from a copy. Only parsing is skipped: validation, variables and scopes
//! are checked on every request, since they depend on the variables and the key.

use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock, Mutex};

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition};
use lru::LruCache;

/// Distinct documents kept.
const CAPACITY: usize = 512;
/// Longer texts are parsed every time: they are rare, and would make the cache's memory
/// depend on what clients send (bodies may be 256 KiB).
const MAX_CACHED_LEN: usize = 16 * 1024;

static DOCUMENTS: LazyLock<Mutex<LruCache<String, Arc<ExecutableDocument>>>> =
    LazyLock::new(|| {
        Mutex::new(LruCache::new(
            NonZeroUsize::MIN.saturating_add(CAPACITY - 1),
        ))
    });

/// The parsed document of `query`, from the cache when it was parsed before. Texts that
/// fail to parse are not kept.
pub fn parse(query: &str) -> Result<Arc<ExecutableDocument>, async_graphql::parser::Error> {
    let cacheable = query.len() <= MAX_CACHED_LEN;
    if cacheable {
        if let Some(document) = lock().get(query) {
            return Ok(document.clone());
        }
    }
    let document = Arc::new(async_graphql::parser::parse_query(query)?);
    if cacheable {
        lock().put(query.to_owned(), document.clone());
    }
    Ok(document)
}

/// The operation a request names, or its only one (the engine reports anything else).
pub fn operation<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    let mut operations = document.operations.iter();
    let found = match name {
        Some(name) => operations.find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => operations.next(),
    };
    found.map(|(_, op)| &op.node)
}

fn lock() -> std::sync::MutexGuard<'static, LruCache<String, Arc<ExecutableDocument>>> {
    DOCUMENTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_parsed_once_and_errors_are_not_kept() {
        let query = "query DocumentsTest { viewer { workspace { id } } }";
        let first = parse(query).unwrap();
        let second = parse(query).unwrap();
        assert!(Arc::ptr_eq(&first, &second), "parsed again");
        assert!(parse("{ unclosed").is_err());
        assert!(lock().peek("{ unclosed").is_none());
        let long = format!(
            "{{ viewer {{ workspace {{ id }} }} }} #{}",
            "x".repeat(MAX_CACHED_LEN)
        );
        assert!(!Arc::ptr_eq(&parse(&long).unwrap(), &parse(&long).unwrap()));
    }
}
