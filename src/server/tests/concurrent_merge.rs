//! q16d: pushes of the same captures at once, on both engines. On
//! PostgreSQL a push reads and merges before it takes the team's counter
//! row, then checks that no other push wrote those ids meanwhile and merges
//! again if one did; a commit delay makes that happen here. Every capture
//! must end with each field's newest edit and every tag added, whatever
//! order the pushes took the row in.

use std::sync::Arc;

use escucha_core::log::{Capture, CaptureEdit, Priority, Stamp, Status};
use escucha_server::accounts::{Authentication, Identity};
use escucha_server::db::Db;
use escucha_server::{postgres, store, Storage};

mod common;

const PUSHERS: usize = 6;
const CAPTURES: u32 = 8;

async fn member(storage: &Storage, team: &str, name: &str) -> Identity {
    if storage.find_team(team).await.unwrap().is_none() {
        storage.create_team(team).await.unwrap();
    }
    storage.add_member(team, name).await.unwrap();
    let token = storage.issue_token(name, Some(team)).await.unwrap().secret;
    match storage.authenticate(&token).await.unwrap() {
        Authentication::Valid(who) => who,
        other => panic!("{other:?}"),
    }
}

async fn run(storage: Storage) {
    store::set_test_commit_delay(20);
    let base: Vec<Capture> = (0..CAPTURES).map(|n| common::capture_at(n, "m", 1_760_000_000_000 + i64::from(n))).collect();
    let first = member(&storage, "team", "first").await;
    storage.push(&first, base.iter().cloned().map(Ok).collect()).await.unwrap();
    let storage = Arc::new(storage);
    let mut tasks = Vec::new();
    for p in 0..PUSHERS {
        let who = member(&storage, "team", &format!("p{p}")).await;
        // Pusher p's status edit is newer the higher p is; its priority
        // edit older; each adds its own tag.
        let versions: Vec<Capture> = base
            .iter()
            .map(|c| {
                let mut c = c.clone();
                let status = CaptureEdit { status: Some(Status::ALL[p % 5]), add_tags: vec![format!("t{p}")], ..Default::default() };
                c.apply(&status, &Stamp { ms: 1_770_000_000_000 + p as i64, counter: 0, actor: format!("p{p}") }, "ana").unwrap();
                let priority = CaptureEdit { priority: Some(Priority::ALL[p % 4]), ..Default::default() };
                c.apply(&priority, &Stamp { ms: 1_769_000_000_000 - p as i64, counter: 0, actor: format!("p{p}") }, "ana").unwrap();
                c
            })
            .collect();
        let storage = storage.clone();
        tasks.push(tokio::spawn(async move {
            for chunk in versions.chunks(3) {
                storage.push(&who, chunk.iter().cloned().map(Ok).collect()).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let team_id = storage.find_team("team").await.unwrap().unwrap();
    let (stored, _, more) = storage.pull(team_id, 0, 1000).await.unwrap();
    assert!(!more);
    assert_eq!(stored.len(), CAPTURES as usize);
    for c in &stored {
        assert_eq!(c.status.value, Status::ALL[(PUSHERS - 1) % 5], "{}", c.id);
        assert_eq!(c.priority.value, Priority::ALL[0], "{}", c.id);
        let mut tags = c.tags.values();
        tags.sort();
        assert_eq!(tags, (0..PUSHERS).map(|p| format!("t{p}")).collect::<Vec<_>>(), "{}", c.id);
    }
    store::set_test_commit_delay(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_of_the_same_captures_merge_every_edit_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    run(Storage::Sqlite(Db::open(&dir.path().join("t.sqlite3")).unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushes_of_the_same_captures_merge_every_edit_postgres() {
    let Some(admin) = postgres::test_postgres_url() else { return };
    let url = postgres::scratch_database(&admin, "escucha_merge").await.unwrap();
    run(Storage::open(&url).await.unwrap()).await;
}
