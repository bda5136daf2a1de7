//! Domain: contacts (people) and companies (organisations).
