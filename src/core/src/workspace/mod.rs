//! The team workspace: who may do what in a team's log (issue 12).

pub mod members;
pub mod role;
