//! Domain: routing — who gets a new lead or deal nobody owns. A workspace orders its rules;
//! the first whose conditions all hold assigns the record to one owner or to the next owner
//! of a round-robin rotation kept in the database. Rules and their checks in `rules`, the
//! row and the rotation's SQL in `model`, the operations in `ops`, rule events in `events`.
//! Leads and deals call [`ops::owner_for`] when they create an unowned record and implement
//! [`ops::Routable`] for `routeUnassigned`.

pub mod events;
pub mod model;
pub mod ops;
pub mod rules;
