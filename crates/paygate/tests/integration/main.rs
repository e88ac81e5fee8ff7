//! HTTP tests of paygate: the real server on a loopback port, SQLite and PostgreSQL. Folders
//! mirror the routes.

mod anvil;
mod bitcoind;
mod chains;
mod cli;
mod harness;
mod routes;
mod tron_node;
