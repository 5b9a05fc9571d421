//! `scan`: the inventory of V1 calls, base URLs and keys.
pub mod finding;
pub mod lang;
pub mod lexer;
pub mod method;
pub mod url;
pub mod lines;
pub mod secrets;
pub mod rust_syn;
pub mod names;
