//! Contacts and companies.
