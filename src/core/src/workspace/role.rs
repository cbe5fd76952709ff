//! A member's role in a team and the actions it allows.
//!
//! The server checks [`Role::allows`] on every route; the dashboard and the
//! extension read the same table to hide controls a role cannot use (hiding
//! is a courtesy, the server's refusal is the rule).

use serde::{Deserialize, Serialize};

/// A member's role. New members are [`Role::Member`]; members that existed
/// before roles did became [`Role::Admin`], so no one lost what they could do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// Configuration, members and tokens, plus everything a member does.
    Admin,
    /// Capture, edit and comment.
    Member,
    /// Read only (a department head, say).
    Viewer,
}

/// Something a request does to a team's log or directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// Pull, query, export, list members.
    Read,
    /// Push new captures.
    Capture,
    /// Change captures (status, assignee, tags, ...).
    Edit,
    /// Post, edit or delete one's own comments.
    Comment,
    /// Change the team configuration.
    Configure,
    /// Add members, change roles, issue tokens.
    ManageMembers,
    /// Replace one's own token.
    RotateOwnToken,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Member, Role::Viewer];

    /// The default for members added without a role.
    pub const DEFAULT: Role = Role::Member;

    /// Whether this role may do `action`.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Admin => true,
            Role::Member => matches!(action, Read | Capture | Edit | Comment | RotateOwnToken),
            Role::Viewer => matches!(action, Read | RotateOwnToken),
        }
    }

    /// The name stored in the database, typed in the CLI and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// A stored or typed name (exact, lower case).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    pub const ALL: [Action; 7] =
        [Action::Read, Action::Capture, Action::Edit, Action::Comment, Action::Configure, Action::ManageMembers, Action::RotateOwnToken];

    /// The wire name (as in JSON), for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Capture => "capture",
            Action::Edit => "edit",
            Action::Comment => "comment",
            Action::Configure => "configure",
            Action::ManageMembers => "manageMembers",
            Action::RotateOwnToken => "rotateOwnToken",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_allows_exactly_its_actions() {
        use Action::*;
        // (action, admin, member, viewer)
        let table = [
            (Read, true, true, true),
            (Capture, true, true, false),
            (Edit, true, true, false),
            (Comment, true, true, false),
            (Configure, true, false, false),
            (ManageMembers, true, false, false),
            (RotateOwnToken, true, true, true),
        ];
        assert_eq!(table.len(), Action::ALL.len(), "every action is in the table");
        for (action, admin, member, viewer) in table {
            assert_eq!(Role::Admin.allows(action), admin, "admin {action:?}");
            assert_eq!(Role::Member.allows(action), member, "member {action:?}");
            assert_eq!(Role::Viewer.allows(action), viewer, "viewer {action:?}");
        }
    }

    #[test]
    fn names_round_trip_on_the_wire_and_as_text() {
        for role in Role::ALL {
            assert_eq!(serde_json::to_value(role).unwrap(), serde_json::json!(role.as_str()));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for action in Action::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), serde_json::json!(action.as_str()));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(Role::parse(""), None);
        assert_eq!(Role::DEFAULT, Role::Member);
    }
}
