//! The program model: parse candidate source files with tree-sitter, extract language-neutral facts
//! ([`facts`]), and solve values across files to find every V1 request site ([`solve`]).
pub mod facts;
pub mod lang;
pub mod parse;
pub mod solve;
