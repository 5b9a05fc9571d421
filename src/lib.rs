//! ghl-migrate: moves HighLevel (GoHighLevel / LeadConnector) integrations off the retired V1 API onto V2.
//!
//! Data flows one way: walk → extract → match → findings → report / plan / diff; verify consumes a plan.
//! `main.rs` only parses the command line; everything here is usable (and tested) as a library.
pub mod cli;
pub mod config;
pub mod credential;
pub mod diff;
pub mod limits;
pub mod method;
pub mod pathmatch;
pub mod plan;
pub mod program;
pub mod redact;
pub mod report;
pub mod reports;
pub mod rules;
pub mod scan;
pub mod spec;
pub mod verify;
