//! Response times and service targets: per-capture times from the history
//! ([`times`]), the team's targets in working time ([`targets`],
//! [`calendar`]), what is due ([`due`]) and the reports ([`report`]).

pub mod calendar;
pub mod csv;
pub mod due;
pub mod form;
pub mod report;
pub mod targets;
pub mod times;

pub use calendar::Calendar;
pub use due::{due_for, due_with, Due, DueKind};
pub use report::{Breach, Figures, Report, ReportBuilder, ReportQuery};
pub use targets::{ServiceError, ServiceTargets, Target, WorkingHours};
pub use times::{times, CaptureTimes};
