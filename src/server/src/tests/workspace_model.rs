//! Issue 12's data model on the team log, on both engines: the edit route
//! names the editing member (comment author, history), assignment is a
//! query filter and a facet, and a record in the pre-workspace shape (a
//! `note` register) pushed by an older extension is stored migrated.

use escucha_core::log::query_api::{CapturePage, FacetCounts};
use escucha_core::log::EventField;

use super::*;

both_engines! {
async fn edits_name_the_member_and_assignees_filter_and_count(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let (a, b) = (capture(1, "x"), capture(2, "x"));
    h.push(&ana, &[a.clone(), b.clone()]).await;
    let body = r#"{"assignee":"bo","status":"responded","addComment":"lo llevo yo, @bo","addTags":["factura"]}"#;
    let (status, _, v) = h.post(&format!("/api/v1/captures/{}/edit", a.id), &ana, body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let stored = h.pull(&ana, "").await.items.into_iter().find(|c| c.id == a.id).unwrap();
    assert_eq!(stored.assignee.value.as_deref(), Some("bo"));
    assert_eq!(stored.tags.values(), ["factura"]);
    let k = stored.comments.visible();
    assert_eq!((k.len(), k[0].author.as_str(), k[0].text.value.as_str()), (1, "ana", "lo llevo yo, @bo"));
    let events: Vec<(EventField, &str)> = stored.history.events().iter().map(|e| (e.field, e.member.as_str())).collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.contains(&(EventField::Assignee, "ana")) && events.contains(&(EventField::Status, "ana")));
    // Someone else's comment: refused with 400, nothing written.
    let bo = h.member("t", "bo").await;
    let del = format!(r#"{{"deleteComment":"{}"}}"#, k[0].id);
    let (status, _, _) = h.post(&format!("/api/v1/captures/{}/edit", a.id), &bo, del).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The filter and the facet, on the projection.
    let (status, _, v) = h.get("/api/v1/captures?assignee=bo", Some(&ana)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let page: CapturePage = serde_json::from_value(v).unwrap();
    assert_eq!(page.items.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [a.id.as_str()]);
    let (_, _, v) = h.get("/api/v1/captures?assignee=", Some(&ana)).await;
    let page: CapturePage = serde_json::from_value(v).unwrap();
    assert_eq!(page.items.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [b.id.as_str()], "unassigned");
    let (_, _, v) = h.get("/api/v1/facets?assignee=bo", Some(&ana)).await;
    let f: FacetCounts = serde_json::from_value(v).unwrap();
    assert_eq!(f.total, 1);
    assert_eq!(f.facets.assignees, vec![(None, 1), (Some("bo".to_string()), 1)], "each facet counts under the other filters");
    // Unassigning with null.
    let (status, _, _) = h.post(&format!("/api/v1/captures/{}/edit", a.id), &ana, r#"{"assignee":null}"#).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, v) = h.get("/api/v1/captures?assignee=", Some(&ana)).await;
    let page: CapturePage = serde_json::from_value(v).unwrap();
    assert_eq!(page.items.len(), 2);
}
}

both_engines! {
async fn a_pre_workspace_record_is_stored_migrated(e) {
    let Some(h) = harness(e).await else { return };
    let ana = h.member("t", "ana").await;
    let c = capture(3, "dev-a");
    // The shape an extension from before issue 12 pushes: no comments,
    // assignee, claim or history; `tags` and `note` as registers.
    let mut old = serde_json::to_value(&c).unwrap();
    let obj = old.as_object_mut().unwrap();
    for k in ["comments", "assignee", "claim", "history"] {
        obj.remove(k);
    }
    let stamp = serde_json::to_value(&c.status.stamp).unwrap();
    obj.insert("tags".into(), json!({ "value": ["Factura", "urgente"], "stamp": stamp }));
    obj.insert("note".into(), json!({ "value": "llamar mañana", "stamp": stamp }));
    let (status, _, v) = h.post("/api/v1/push", &ana, serde_json::to_vec(&json!({ "items": [old] })).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let pulled = h.pull(&ana, "").await.items;
    assert_eq!(pulled[0].tags.values(), ["Factura", "urgente"]);
    assert_eq!(pulled[0].comments_text(), "llamar mañana");
}
}
