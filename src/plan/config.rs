//! The plan's part of `ghl-migrate.yaml` (see [`crate::config`]).
pub use crate::config::{Config as PlanConfig, IntegrationConfig, Tier};
