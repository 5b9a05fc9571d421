//! `scan`: the inventory of V1 calls, base URLs and keys.
pub mod lang;
pub mod lexer;
