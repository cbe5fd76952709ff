//! The change feed under concurrency, on both engines: many pushers and
//! pullers on two teams, each push waiting a random time before it commits
//! (holding its change numbers). Every puller must see every committed
//! capture exactly once. With a plain sequence or auto-increment, push B can
//! take number 8 after push A took 7 and commit first; a puller at cursor 8
//! then never sees 7. The per-team counter row makes that impossible.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use escucha_core::log::Capture;
use escucha_server::accounts::{Authentication, Identity};
use escucha_server::{postgres, store, Db, Storage};

mod common;

const TEAMS: usize = 2;
const PUSHERS_PER_TEAM: usize = 4;
const PULLERS_PER_TEAM: usize = 3;
const BATCHES: usize = 15;
const PER_BATCH: usize = 4;
const DELAY_MS: u64 = 15;

fn capture(n: u32) -> Capture {
    common::capture_at(n, "m", 1_760_000_000_000 + i64::from(n))
}

/// A member of `team` (created if new) as the storage layer knows them.
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
    store::set_test_commit_delay(DELAY_MS);
    let mut pushers = Vec::new();
    for t in 0..TEAMS {
        for p in 0..PUSHERS_PER_TEAM {
            pushers.push((t, member(&storage, &format!("team{t}"), &format!("pusher{p}")).await));
        }
    }
    let team_ids: Vec<i64> = {
        let mut ids = Vec::new();
        for t in 0..TEAMS {
            ids.push(storage.find_team(&format!("team{t}")).await.unwrap().unwrap());
        }
        ids
    };
    let done = Arc::new(AtomicBool::new(false));
    let mut pullers = Vec::new();
    for (t, &team_id) in team_ids.iter().enumerate() {
        for _ in 0..PULLERS_PER_TEAM {
            let (storage, done) = (storage.clone(), done.clone());
            pullers.push((
                t,
                tokio::spawn(async move {
                    let mut cursor = 0u64;
                    let mut seen: Vec<String> = Vec::new();
                    let mut pulls = 0;
                    loop {
                        // Read `done` before pulling: once every push has
                        // committed, one more complete drain sees them all.
                        let finished = done.load(Ordering::SeqCst);
                        loop {
                            let (items, next, more) = storage.pull(team_id, cursor, 7).await.unwrap();
                            pulls += 1;
                            seen.extend(items.into_iter().map(|c| c.id));
                            cursor = next;
                            if !more {
                                break;
                            }
                        }
                        if finished {
                            return (seen, pulls);
                        }
                        tokio::task::yield_now().await;
                    }
                }),
            ));
        }
    }
    let mut tasks = Vec::new();
    for (i, (t, who)) in pushers.into_iter().enumerate() {
        let storage = storage.clone();
        tasks.push(tokio::spawn(async move {
            let mut committed = Vec::new();
            for b in 0..BATCHES {
                let batch: Vec<Capture> = (0..PER_BATCH).map(|k| capture((i * BATCHES * PER_BATCH + b * PER_BATCH + k) as u32)).collect();
                let results = storage.push(&who, batch.iter().cloned().map(Ok).collect()).await.unwrap();
                assert_eq!(results.len(), PER_BATCH);
                committed.extend(batch.into_iter().map(|c| c.id));
            }
            (t, committed)
        }));
    }
    let mut expected: HashMap<usize, HashSet<String>> = HashMap::new();
    for task in tasks {
        let (t, ids) = task.await.unwrap();
        expected.entry(t).or_default().extend(ids);
    }
    done.store(true, Ordering::SeqCst);
    for (t, puller) in pullers {
        let (seen, pulls) = puller.await.unwrap();
        let unique: HashSet<&String> = seen.iter().collect();
        let want = &expected[&t];
        println!(
            "{} team{t} puller: {} pulls, {} captures seen, {} distinct, {} committed",
            storage.engine(),
            pulls,
            seen.len(),
            unique.len(),
            want.len()
        );
        assert_eq!(seen.len(), unique.len(), "a capture was seen twice");
        assert_eq!(unique.len(), want.len(), "a committed capture was never seen");
        assert!(seen.iter().all(|id| want.contains(id)), "a capture from another team");
    }
    assert_eq!(storage.capture_rows().await.unwrap() as usize, TEAMS * PUSHERS_PER_TEAM * BATCHES * PER_BATCH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_puller_sees_every_committed_change_once_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    run(Storage::Sqlite(Db::open(&dir.path().join("t.sqlite3")).unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_puller_sees_every_committed_change_once_postgres() {
    let Some(admin) = postgres::test_postgres_url() else { return };
    let url = postgres::scratch_database(&admin, "escucha_feed").await.unwrap();
    run(Storage::open(&url).await.unwrap()).await;
}
