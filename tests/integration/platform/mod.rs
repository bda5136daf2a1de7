//! What serves every domain alike: GraphQL over HTTP and over WebSocket, the write path,
//! migrations and schema.rs, the command line, health and metrics, GraphiQL, the /admin
//! board, the seed.

mod admin;
mod admin_api;
mod cli;
mod crash;
mod cursors;
mod graphiql;
mod http_spec;
mod input_fuzz;
mod managed;
mod migrations;
mod ops;
mod overload;
mod response_spec;
mod seed;
mod strict_input;
mod transport;
mod write_path;
mod ws;
