//! The team-log sync protocol (v1), shared by the server and the extension's
//! sync client: the wire types ([`api`]), what the server accepts
//! ([`validate`]) and when a client tries again ([`retry`]).
//!
//! The contract is written down in `docs/sync-api.openapi.yaml`.

pub mod api;
pub mod retry;
pub mod validate;

pub use api::{ApiError, ErrorBody, ErrorCode, ItemResult, ItemStatus, Me, PullResponse, PushRequest, PushResponse};
