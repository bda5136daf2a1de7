//! What serves every domain alike: GraphQL over HTTP and over WebSocket, the write path,
//! migrations and schema.rs, the command line, health and metrics, GraphiQL, the seed.

mod cli;
mod cursors;
mod graphiql;
mod http_spec;
mod migrations;
mod ops;
mod response_spec;
mod seed;
mod write_path;
mod ws;
