//! The options page's models: the brand editor's state ([`editor`]) and the
//! page's problems as words ([`problems`]).

pub mod editor;
pub mod problems;
