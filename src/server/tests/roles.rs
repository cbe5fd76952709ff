//! Issue 12's roles on the real binary and both engines: every route × every
//! role → the status the role table implies; the member routes (add, role,
//! tokens, rotating one's own token) and the admin CLI that does the same.

use serde_json::{json, Value};

#[macro_use]
mod common;
use common::*;

/// Add `name` to team "t" (created if new) with `role`; a fresh token.
fn member_as(ws: &Workspace, name: &str, role: &str) -> String {
    let _ = ws.admin_raw(&["team", "create", "t"]);
    ws.admin(&["member", "add", "--team", "t", "--role", role, name]);
    token(ws, name)
}

fn token(ws: &Workspace, name: &str) -> String {
    ws.admin(&["token", "issue", "--member", name, "--team", "t"]).lines().last().unwrap().trim().to_string()
}

const ROLES: [&str; 3] = ["admin", "member", "viewer"];

both_engines! {
fn every_route_answers_each_role_as_the_role_table_says(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let tokens: Vec<String> = ROLES.iter().map(|r| member_as(&ws, &format!("{r}-1"), r)).collect();
    // A second token each, to rotate without losing the first.
    let spare: Vec<String> = ROLES.iter().map(|r| token(&ws, &format!("{r}-1"))).collect();
    member_as(&ws, "target", "member");
    let server = ws.start(&[]);
    let first = capture(1, "admin-1");
    server.push(&tokens[0], std::slice::from_ref(&first));
    let edit_path = format!("/api/v1/captures/{}/edit", first.id);

    // (method, path, body, expected status for admin, member, viewer, the action a refusal names)
    type Row<'a> = (&'a str, String, Option<Value>, [u16; 3], &'a str);
    let table: Vec<Row> = vec![
        ("GET", "/api/v1/me".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/pull".into(), None, [200, 200, 200], ""),
        ("POST", "/api/v1/push".into(), Some(json!({"items": []})), [200, 200, 403], "capture"),
        ("POST", edit_path.clone(), Some(json!({"status": "responded"})), [200, 200, 403], "edit"),
        ("GET", "/api/v1/export.csv".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/export.json".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/captures".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/facets".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/aggregates".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/page-captures?url=https%3A%2F%2Fexample.com%2Fa".into(), None, [200, 200, 200], ""),
        ("GET", "/api/v1/members".into(), None, [200, 200, 200], ""),
        ("POST", "/api/v1/members".into(), Some(json!({"name": "NEW"})), [201, 403, 403], "manageMembers"),
        ("PUT", "/api/v1/members/target/role".into(), Some(json!({"role": "member"})), [200, 403, 403], "manageMembers"),
        ("POST", "/api/v1/members/target/tokens".into(), None, [201, 403, 403], "manageMembers"),
        // queue12: a bulk change is an edit; saved views are every role's own.
        ("POST", "/api/v1/captures/bulk-edit".into(), Some(json!({"ids": [first.id], "edit": {"status": "escalated"}})), [200, 200, 403], "edit"),
        ("GET", "/api/v1/views".into(), None, [200, 200, 200], ""),
        ("POST", "/api/v1/views".into(), Some(json!({"name": "mine", "filters": {}})), [200, 200, 200], ""),
        ("DELETE", "/api/v1/views/mine".into(), None, [200, 200, 200], ""),
        // config12: every role reads the team configuration (none saved yet: 404);
        // only an admin may save it (without If-Match the admin gets 428).
        ("GET", "/api/v1/config".into(), None, [404, 404, 404], ""),
        ("PUT", "/api/v1/config".into(), Some(json!({"config": {}})), [428, 403, 403], "configure"),
        // outbox13: destinations are admins' (disabled here, so the test send
        // is refused with 409 and nothing leaves 127.0.0.1); every role reads
        // the delivery log; "retry now" is admins'.
        ("GET", "/api/v1/destinations".into(), None, [200, 403, 403], "configure"),
        ("PUT", "/api/v1/destinations/PR%20Slack".into(), Some(json!({"kind": "slack", "department": "PR", "enabled": false, "webhookUrl": "https://hooks.slack.com/services/T0/B0/x"})), [201, 403, 403], "configure"),
        ("POST", "/api/v1/destinations/PR%20Slack/test".into(), None, [409, 403, 403], "configure"),
        ("DELETE", "/api/v1/destinations/PR%20Slack".into(), None, [204, 403, 403], "configure"),
        ("GET", "/api/v1/deliveries".into(), None, [200, 200, 200], ""),
        ("POST", "/api/v1/deliveries/msg_none/retry".into(), None, [404, 403, 403], "configure"),
        // rules13: re-running the routing rules is an admin's (a dry run too).
        ("POST", "/api/v1/rules/rerun".into(), Some(json!({"dryRun": true})), [200, 403, 403], "configure"),
        // sla13
        ("GET", "/api/v1/reports".into(), None, [200, 200, 200], ""),
    ];
    assert_eq!(table.len() + 2, escucha_server::API_ROUTES.len(), "a row per API route (healthz and me/token are checked below)");
    for (method, path, body, want, action) in &table {
        for (i, role) in ROLES.iter().enumerate() {
            // Names must differ per caller for the add to succeed each time.
            let body = body.as_ref().map(|b| b.to_string().replace("NEW", &format!("new-by-{role}")));
            let r = server.send(method, path, Some(&tokens[i]), &[], body);
            assert_eq!(r.status, want[i], "{method} {path} as {role}: {}", r.body);
            if r.status == 403 {
                let v = r.json();
                assert_eq!(v["error"]["code"], "role_forbidden", "{method} {path} as {role}");
                assert_eq!(v["error"]["roleRefusal"], json!({"role": role, "action": action}), "{method} {path} as {role}");
            }
        }
    }
    // Rotating one's own token: every role may; the presented token is
    // revoked and the new one works, with the same role.
    for (i, role) in ROLES.iter().enumerate() {
        let r = server.send("POST", "/api/v1/me/token", Some(&spare[i]), &[], None);
        assert_eq!(r.status, 201, "rotate as {role}: {}", r.body);
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
        let new = r.json()["token"].as_str().unwrap().to_string();
        assert_eq!(server.get("/api/v1/me", &spare[i]).code(), "forbidden", "the rotated token is revoked");
        let me = server.get("/api/v1/me", &new).json();
        assert_eq!((me["member"].as_str().unwrap(), me["role"].as_str().unwrap()), (format!("{role}-1").as_str(), *role));
        // The other token of the same member is untouched.
        assert_eq!(server.get("/api/v1/me", &tokens[i]).status, 200);
    }
    // Health needs no token at all.
    assert_eq!(server.send("GET", "/healthz", None, &[], None).status, 200);
}

fn the_admin_manages_members_and_the_team_keeps_an_admin(e) {
    let Some(ws) = Workspace::new(e) else { return };
    let ada = member_as(&ws, "ada", "admin");
    let mo = member_as(&ws, "mo", "member");
    let server = ws.start(&[]);
    let send = |token: &str, method: &str, path: &str, body: Value| server.send(method, path, Some(token), &[], Some(body.to_string()));

    // New members default to "member"; the list shows names and roles, sorted.
    let r = send(&ada, "POST", "/api/v1/members", json!({"name": "Vera", "role": "viewer"}));
    assert_eq!((r.status, r.json()), (201, json!({"name": "Vera", "role": "viewer"})));
    assert_eq!(send(&ada, "POST", "/api/v1/members", json!({"name": "bo"})).json(), json!({"name": "bo", "role": "member"}));
    let list = server.get("/api/v1/members", &mo).json();
    assert_eq!(
        list,
        json!({"members": [
            {"name": "Vera", "role": "viewer"}, {"name": "ada", "role": "admin"},
            {"name": "bo", "role": "member"}, {"name": "mo", "role": "member"}]})
    );

    // Refusals, each with its code.
    let cases = [
        (json!({"name": "bo"}), "POST", "/api/v1/members", 409, "conflict"),
        (json!({"name": "x", "role": "owner"}), "POST", "/api/v1/members", 400, "bad_request"),
        (json!({"name": " x"}), "POST", "/api/v1/members", 400, "bad_request"),
        (json!({"role": "admin"}), "PUT", "/api/v1/members/nobody/role", 404, "not_found"),
        (json!({"role": "boss"}), "PUT", "/api/v1/members/bo/role", 400, "bad_request"),
        // ada is the only admin: she cannot step down.
        (json!({"role": "member"}), "PUT", "/api/v1/members/ada/role", 409, "last_admin"),
    ];
    for (body, method, path, status, code) in cases {
        let r = send(&ada, method, path, body.clone());
        assert_eq!((r.status, r.code()), (status, code.to_string()), "{method} {path} {body}: {}", r.body);
    }
    assert_eq!(server.send("POST", "/api/v1/members/nobody/tokens", Some(&ada), &[], None).code(), "not_found");

    // A token issued for Vera is shown once and is hers, a viewer's.
    let r = server.send("POST", "/api/v1/members/Vera/tokens", Some(&ada), &[], None);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
    let issued = r.json();
    assert_eq!((issued["member"].as_str(), issued["team"].as_str()), (Some("Vera"), Some("t")));
    let vera = issued["token"].as_str().unwrap().to_string();
    assert_eq!(server.get("/api/v1/me", &vera).json()["role"], "viewer");
    assert_eq!(server.push_raw(&vera, &[capture(1, "Vera")]).code(), "role_forbidden");

    // Promote mo, then ada may step down; mo is now the one who can't.
    assert_eq!(send(&ada, "PUT", "/api/v1/members/mo/role", json!({"role": "admin"})).json(), json!({"name": "mo", "role": "admin"}));
    assert_eq!(send(&ada, "PUT", "/api/v1/members/ada/role", json!({"role": "viewer"})).status, 200);
    // Roles are read per request: ada's own token lost the admin routes at once.
    assert_eq!(send(&ada, "POST", "/api/v1/members", json!({"name": "z"})).code(), "role_forbidden");
    assert_eq!(send(&mo, "PUT", "/api/v1/members/mo/role", json!({"role": "member"})).code(), "last_admin");
    // A viewer promoted to member captures.
    assert_eq!(send(&mo, "PUT", "/api/v1/members/Vera/role", json!({"role": "member"})).status, 200);
    assert_eq!(server.push_raw(&vera, &[capture(2, "Vera")]).status, 200);
    // Members of another team are not in this list, nor reachable by name.
    let other = ws.member("other", "olga");
    assert_eq!(server.get("/api/v1/members", &other).json()["members"].as_array().unwrap().len(), 1);
    assert_eq!(send(&mo, "PUT", "/api/v1/members/olga/role", json!({"role": "viewer"})).code(), "not_found");
}

fn the_admin_cli_adds_members_with_roles_and_changes_them(e) {
    let Some(ws) = Workspace::new(e) else { return };
    ws.admin(&["team", "create", "t"]);
    ws.admin(&["team", "create", "u"]);
    assert!(ws.admin(&["member", "add", "--team", "t", "--role", "admin", "ana"]).contains("as admin"));
    assert!(ws.admin(&["member", "add", "--team", "t", "bo"]).contains("as member"), "member is the default role");
    ws.admin(&["member", "add", "--team", "u", "--role", "viewer", "bo"]);
    let list = ws.admin(&["member", "list"]);
    let rows: Vec<Vec<&str>> = list.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows, vec![vec!["t", "ana", "admin"], vec!["t", "bo", "member"], vec!["u", "bo", "viewer"]], "{list}");
    assert_eq!(ws.admin(&["member", "list", "--team", "u"]).lines().count(), 2);

    assert!(ws.admin(&["member", "role", "--team", "t", "bo", "viewer"]).contains("now viewer"));
    let refusals: [(&[&str], &str); 6] = [
        (&["member", "role", "bo", "admin"], "several teams (t, u)"),
        (&["member", "role", "ana", "member"], "only admin"),
        (&["member", "role", "zed", "admin"], "No member named"),
        (&["member", "add", "--team", "t", "--role", "owner", "cy"], "not a role"),
        (&["member", "add", "--team", "t", "ana"], "already has a member"),
        (&["member", "list", "--team", "nope"], "No team named"),
    ];
    for (args, want) in refusals {
        let out = ws.admin_raw(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{args:?}: {err}");
    }
    let list = ws.admin(&["member", "list", "--team", "t"]);
    assert!(list.contains("ana") && list.lines().any(|l| l.contains("bo") && l.ends_with("viewer")), "{list}");
}
}
