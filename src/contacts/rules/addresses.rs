//! E-mail addresses and company domains: the shape of the one, the normalisation of the other.

use super::{DOMAIN_MAX, EMAIL_MAX, WEBSITE_MAX};
use crate::error::AppError;
use crate::validate;

/// An e-mail address of a plausible shape (`local@domain.tld`), trimmed; blank is none.
/// Deliverability is not this function's business, only obvious typos.
pub fn email(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(email) = validate::optional_text(field, value, EMAIL_MAX)? else {
        return Ok(None);
    };
    let bad = || {
        AppError::bad_input(
            field,
            format!("{email:?} is not an e-mail address like name@example.com"),
        )
    };
    let (local, domain) = email.rsplit_once('@').ok_or_else(bad)?;
    let well_formed = !local.is_empty()
        && local.chars().count() <= 64
        && !local.contains('@')
        // RFC 5322's dot-atom: no dot at either end of the local part, never two in a row.
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if well_formed {
        Ok(Some(email))
    } else {
        Err(bad())
    }
}

/// A company's domain, normalised so one company has one spelling: lower case, without
/// scheme, credentials, "www.", port, path, query or trailing dot.
/// `https://www.Acme.com:443/about` → `acme.com`. Blank is none.
pub fn domain(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(raw) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    // A whole URL may be pasted as a domain, so the raw input may be as long as a website.
    if raw.chars().count() > WEBSITE_MAX {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {WEBSITE_MAX} characters"),
        ));
    }
    normalize_domain(raw).map(Some).ok_or_else(|| {
        AppError::bad_input(
            field,
            format!("{raw:?} is not a domain like example.com (internationalised domains in their xn-- form)"),
        )
    })
}

fn normalize_domain(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let mut host = lower.as_str();
    if let Some((_, rest)) = host.split_once("://") {
        host = rest;
    }
    host = host.trim_start_matches('/');
    if let Some(end) = host.find(['/', '?', '#']) {
        host = &host[..end];
    }
    if let Some((_, after_credentials)) = host.rsplit_once('@') {
        host = after_credentials;
    }
    if let Some((name, port)) = host.rsplit_once(':') {
        if port.is_empty() || port.chars().all(|c| c.is_ascii_digit()) {
            host = name;
        }
    }
    host = host.trim_end_matches('.');
    if let Some(rest) = host.strip_prefix("www.") {
        if rest.contains('.') {
            host = rest;
        }
    }
    let valid = host.len() <= DOMAIN_MAX
        && host.contains('.')
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        // A top-level domain is never all digits: that would be an IP address.
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()));
    valid.then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of<T: std::fmt::Debug>(result: Result<T, AppError>) -> Option<String> {
        result.err().and_then(|e| e.field().map(str::to_owned))
    }

    #[test]
    fn plausible_emails_pass_and_typos_do_not() {
        for ok in [
            "ada@example.com",
            " Ada.L+crm@Mail.Example.co.uk ",
            "x@b.io",
        ] {
            assert!(email("input.email", Some(ok)).is_ok(), "{ok}");
        }
        assert_eq!(
            email("input.email", Some(" Ada@Example.com "))
                .ok()
                .flatten()
                .as_deref(),
            Some("Ada@Example.com")
        );
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada @example.com",
            "ada@example..com",
            "ada@-example.com",
            "<ada@example.com>",
            ".ada@example.com",
            "ada.@example.com",
            "ada..l@example.com",
        ] {
            assert_eq!(
                field_of(email("input.email", Some(bad))).as_deref(),
                Some("input.email"),
                "{bad}"
            );
        }
        assert_eq!(email("input.email", Some("  ")).ok(), Some(None));
        let long = format!("{}@example.com", "a".repeat(400));
        assert!(email("input.email", Some(&long)).is_err());
    }

    #[test]
    fn domains_are_normalised() {
        let norm = |raw: &str| domain("input.domain", Some(raw)).ok().flatten();
        for raw in [
            "acme.com",
            "ACME.com",
            "https://www.Acme.com/about",
            "http://acme.com:8080/x?y=1#z",
            "www.acme.com.",
            "//acme.com",
            "https://user:pw@acme.com/",
            "acme.com/",
        ] {
            assert_eq!(norm(raw).as_deref(), Some("acme.com"), "{raw}");
        }
        assert_eq!(norm("shop.acme.co.uk").as_deref(), Some("shop.acme.co.uk"));
        // "www." is only dropped when a domain remains.
        assert_eq!(norm("www.com").as_deref(), Some("www.com"));
        assert_eq!(domain("input.domain", Some(" ")).ok(), Some(None));
        for bad in [
            "acme",
            "acme..com",
            "-acme.com",
            "ac me.com",
            "bücher.de",
            "10.0.0.1",
            "https://",
        ] {
            assert_eq!(
                field_of(domain("input.domain", Some(bad))).as_deref(),
                Some("input.domain"),
                "{bad}"
            );
        }
        let long = format!("{}.com", "a.".repeat(200));
        assert!(domain("input.domain", Some(&long)).is_err());
    }
}
