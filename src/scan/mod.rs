//! `scan`: the inventory of V1 calls, base URLs and keys.
pub mod finding;
pub mod lang;
pub mod lexer;
pub mod method;
pub mod url;
