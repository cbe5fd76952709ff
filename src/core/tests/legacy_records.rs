//! Records written before the team workspace (issue 12) migrate on read
//! without losing a tag or a note: a record as the extension stored it and
//! the team log kept it (one JSON document per capture), and an export
//! file (`escucha-log` version 1). The JSON below is the exact shape the
//! previous serializer wrote.

use escucha_core::log::import::parse_import;
use escucha_core::log::validate::validate_pushed;
use escucha_core::log::{Capture, Stamp};

const NOW: i64 = 1_750_000_000_000;

/// A record as version 1 wrote it: `tags` and `note` registers.
fn legacy(id: &str, tags: &str, note: &str, note_actor: &str, note_ms: i64) -> String {
    format!(
        r#"{{"id":"{id}","createdMs":1749990000000,"createdBy":"ana",
        "context":{{"value":{{"pageUrl":"https://foro.example/t/1","pageTitle":"Foro","site":"foro.example","lang":"es",
            "commentText":"Movistar me cobró dos veces","commentLength":null,"authorName":"José","authorUrl":null,
            "commentTime":null,"permalink":"https://foro.example/t/1#p3","brand":"Telefónica","term":"Movistar",
            "quote":{{"exact":"Movistar","prefix":"","suffix":" me cobró"}},"position":{{"start":0,"end":8}},"platform":null}},
            "stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}},
        "sentiment":{{"value":"negative","stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}},
        "department":{{"value":"Facturación","stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}},
        "status":{{"value":"needsResponse","stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}},
        "priority":{{"value":"high","stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}},
        "tags":{{"value":{tags},"stamp":{{"ms":1749990001000,"counter":2,"actor":"dev-a"}}}},
        "note":{{"value":"{note}","stamp":{{"ms":{note_ms},"counter":0,"actor":"{note_actor}"}}}},
        "deleted":{{"value":false,"stamp":{{"ms":1749990000000,"counter":0,"actor":"dev-a"}}}}}}"#
    )
}

const ID: &str = "01890a5d-ac96-774b-bcce-b302099a8057";

#[test]
fn a_stored_record_keeps_every_tag_and_its_note_as_a_comment() {
    let json = legacy(ID, r#"["Factura","urgente","envío"]"#, "Llamar mañana\\nal cliente", "dev-a", 1_749_990_002_000);
    let c: Capture = serde_json::from_str(&json).unwrap();
    assert_eq!(c.tags.values(), ["envío", "Factura", "urgente"]);
    assert!(c.tags.live().iter().all(|d| d.stamp == Stamp { ms: 1_749_990_001_000, counter: 2, actor: "dev-a".into() }));
    let comments = c.comments.visible();
    assert_eq!(comments.len(), 1);
    let k = comments[0];
    // A device's stamp names no member: the capture's author wrote it.
    assert_eq!((k.author.as_str(), k.created_ms, k.text.value.as_str()), ("ana", 1_749_990_002_000, "Llamar mañana\nal cliente"));
    assert_eq!(c.assignee.value, None);
    assert_eq!(c.claim.value, None);
    assert!(c.history.is_empty());
    // What migrated is a valid record the team log accepts, and the new
    // shape reads back as itself.
    assert_eq!(validate_pushed(&c, NOW), Ok(()));
    let again: Capture = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(again, c);
}

#[test]
fn every_replica_migrates_the_same_note_into_the_same_comment() {
    let json = legacy(ID, r#"["x"]"#, "hecho", "member:bo", 1_749_990_003_000);
    let (a, b): (Capture, Capture) = (serde_json::from_str(&json).unwrap(), serde_json::from_str(&json).unwrap());
    assert_eq!(a, b);
    // The team log's own edits are stamped `member:<name>`: that member wrote it.
    assert_eq!(a.comments.visible()[0].author, "bo");
    let mut merged = a.clone();
    merged.merge(&b);
    assert_eq!(merged.comments.len(), 1, "one note, one comment, however many replicas migrate it");
}

#[test]
fn two_copies_with_different_legacy_notes_keep_both() {
    // Before issue 12 the later note replaced the earlier one; migrating two
    // replicas that each hold one keeps both (nothing is lost).
    let old: Capture = serde_json::from_str(&legacy(ID, "[]", "primera", "dev-a", 1_749_990_002_000)).unwrap();
    let new: Capture = serde_json::from_str(&legacy(ID, "[]", "segunda", "dev-b", 1_749_990_004_000)).unwrap();
    let (mut x, mut y) = (old.clone(), new.clone());
    x.merge(&new);
    y.merge(&old);
    assert_eq!(x, y);
    assert_eq!(x.comments_text(), "primera\nsegunda");
}

#[test]
fn an_empty_note_makes_no_comment_and_empty_tags_no_dots() {
    let c: Capture = serde_json::from_str(&legacy(ID, "[]", "", "dev-a", 1_749_990_002_000)).unwrap();
    assert!(c.comments.is_empty());
    assert_eq!(c.tags.len_dots(), 0);
    assert_eq!(validate_pushed(&c, NOW), Ok(()));
}

#[test]
fn a_version_1_export_file_imports_with_its_tags_and_notes() {
    let file = format!(
        r#"{{"format":"escucha-log","version":1,"exportedAt":"2025-06-15T12:00:00.000Z","count":2,"captures":[{},{}]}}"#,
        legacy(ID, r#"["Factura","urgente"]"#, "Llamar", "dev-a", 1_749_990_002_000),
        legacy("01890a5d-ac96-774b-bcce-b302099a8058", r#"["queja"]"#, "", "dev-a", 1_749_990_002_000),
    );
    let batch = parse_import(&file, NOW).unwrap();
    assert!(batch.rejected.is_empty(), "{:?}", batch.rejected);
    assert_eq!(batch.records.len(), 2);
    let by_id = |id: &str| batch.records.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by_id(ID).tags.values(), ["Factura", "urgente"]);
    assert_eq!(by_id(ID).comments_text(), "Llamar");
    assert_eq!(by_id("01890a5d-ac96-774b-bcce-b302099a8058").tags.values(), ["queja"]);
}
