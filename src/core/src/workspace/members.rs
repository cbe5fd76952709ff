//! The member requests of sync API v1 (`POST /api/v1/members`, `PUT
//! /api/v1/members/{name}/role`) as the server accepts them, and the rule for
//! member and team names the admin CLI shares.

use serde_json::Value;

use crate::log::validate::{validate_name, Kind};
use crate::sync::api::{NewMember, RoleChange};
use crate::sync::validate::parse_strict;
use crate::workspace::role::{Action, Role};

/// A team or member name by the one name rule ([`validate_name`]), worded
/// for the admin (`what` is "team" or "member").
pub fn check_name(what: &str, name: &str) -> Result<(), String> {
    // Spaces around a name make two names that look the same.
    if !name.trim().is_empty() && name.trim() != name {
        return Err(format!("The {what} name \u{201c}{name}\u{201d} starts or ends with a space."));
    }
    validate_name(name).map_err(|kind| {
        let why = match kind {
            Kind::Empty => "is empty".to_string(),
            Kind::TooLong { chars, max } => format!("has {chars} characters; at most {max}"),
            Kind::ControlCharacter { code, .. } => format!("contains a control character or line break (U+{code:04X})"),
            Kind::BidiControl { code, .. } => {
                format!("contains a bidirectional control character (U+{code:04X}) that would make it read as something else")
            }
            other => format!("{other:?}"),
        };
        format!("The {what} name \u{201c}{}\u{201d} {why}.", name.escape_debug())
    })
}

/// `POST /api/v1/members`: `{"name", "role"?}`, unknown fields refused.
pub fn parse_new_member(value: &Value) -> Result<NewMember, String> {
    if !value.is_object() {
        return Err("the body must be a JSON object: {\"name\": …, \"role\": …}".into());
    }
    let new: NewMember = parse_strict(value)?;
    check_name("member", &new.name).map_err(|e| format!("name: {e}"))?;
    Ok(new)
}

/// `PUT /api/v1/members/{name}/role`: `{"role"}`.
pub fn parse_role_change(value: &Value) -> Result<RoleChange, String> {
    if !value.is_object() {
        return Err("the body must be a JSON object: {\"role\": \"admin\" | \"member\" | \"viewer\"}".into());
    }
    parse_strict(value)
}

/// Whether the dashboard shows the member controls to `role` (`None`: a
/// server older than roles, so nothing is offered). The server decides
/// anyway; this only spares the others controls that would be refused.
pub fn can_manage(role: Option<Role>) -> bool {
    role.is_some_and(|r| r.allows(Action::ManageMembers))
}

/// `PUT /api/v1/members/{name}/role`.
pub fn role_path(name: &str) -> String {
    format!("/api/v1/members/{}/role", path_segment(name))
}

/// `POST /api/v1/members/{name}/tokens`.
pub fn tokens_path(name: &str) -> String {
    format!("/api/v1/members/{}/tokens", path_segment(name))
}

/// A name as one path segment: everything but letters, digits, `-`, `_` and
/// `~` escaped (dots too, or a browser would resolve "." and ".."), so
/// "a/b", "..", "?" or "ñ" reach the server as the name itself.
pub(crate) fn path_segment(name: &str) -> String {
    name.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_admins_get_member_controls_and_names_stay_one_segment() {
        let cases = [(Some(Role::Admin), true), (Some(Role::Member), false), (Some(Role::Viewer), false), (None, false)];
        for (role, want) in cases {
            assert_eq!(can_manage(role), want, "{role:?}");
        }
        assert_eq!(role_path("Ana María"), "/api/v1/members/Ana%20Mar%C3%ADa/role");
        assert_eq!(tokens_path("a/b?c"), "/api/v1/members/a%2Fb%3Fc/tokens");
        assert_eq!(tokens_path(".."), "/api/v1/members/%2E%2E/tokens");
    }

    #[test]
    fn member_requests_are_checked_field_by_field() {
        let ok = parse_new_member(&json!({"name": "Ana", "role": "viewer"})).unwrap();
        assert_eq!((ok.name.as_str(), ok.role), ("Ana", Some(Role::Viewer)));
        assert_eq!(parse_new_member(&json!({"name": "Bo"})).unwrap().role, None);
        let refused = [
            (json!({"name": "Ana", "role": "owner"}), "role: unknown variant `owner`"),
            (json!({"name": "Ana", "rol": "admin"}), "unknown field `rol`"),
            (json!({"name": ""}), "name: The member name \u{201c}\u{201d} is empty."),
            (json!({"name": "a\nb"}), "control character"),
            (json!({"name": " Ana"}), "starts or ends with a space"),
            (json!({"name": "ana\u{202e}x"}), "bidirectional"),
            (json!({"role": "admin"}), "missing field `name`"),
            (json!(["Ana"]), "must be a JSON object"),
        ];
        for (body, want) in refused {
            let err = parse_new_member(&body).unwrap_err();
            assert!(err.contains(want), "{body}: {err:?} lacks {want:?}");
        }
        assert_eq!(parse_role_change(&json!({"role": "admin"})).unwrap().role, Role::Admin);
        for (body, want) in [
            (json!({"role": "Admin"}), "unknown variant `Admin`"),
            (json!({}), "missing field `role`"),
            (json!({"role": "admin", "x": 1}), "unknown field `x`"),
            (json!("admin"), "must be a JSON object"),
        ] {
            let err = parse_role_change(&body).unwrap_err();
            assert!(err.contains(want), "{body}: {err:?} lacks {want:?}");
        }
    }
}
