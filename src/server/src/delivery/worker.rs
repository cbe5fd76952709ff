//! The outbox worker: lease due rows, send, log the attempt, decide.
//!
//! At least once: a row is marked delivered only after the receiver said so,
//! in the same transaction that logs the attempt. A worker killed between
//! the receiver's 2xx and that commit leaves the row leased; the lease
//! expires (PostgreSQL) or is released at start (SQLite), and the row is
//! sent again with the same `webhook-id`, which is how receivers drop the
//! duplicate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use escucha_core::delivery::retry::{AttemptOutcome, DeliveryPolicy, Next};
use escucha_core::delivery::DeliveryState;

use super::store::Finish;
use super::{send, AttemptRow, Leased, WAKE};
use crate::storage::Storage;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub policy: DeliveryPolicy,
    /// How long a leased row is this worker's before another may take it.
    pub lease_ms: i64,
    /// How often the worker looks for due rows when nothing woke it.
    pub poll_ms: u64,
    /// Rows leased per round.
    pub batch: u32,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Let destinations reach loopback and private addresses (an explicit
    /// admin decision; the tests' receivers are on 127.0.0.1).
    pub allow_private: bool,
    /// One HTTP request or SMTP session may take this long.
    pub timeout_ms: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            policy: DeliveryPolicy::default(),
            lease_ms: 120_000,
            poll_ms: 1_000,
            batch: 32,
            concurrency: 8,
            allow_private: false,
            timeout_ms: escucha_core::sync::retry::REQUEST_TIMEOUT_MS,
        }
    }
}

fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    let _ = getrandom::getrandom(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

pub fn worker_id() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom::getrandom(&mut b);
    format!("w{}-{}", std::process::id(), b.iter().map(|x| format!("{x:02x}")).collect::<String>())
}

/// Run forever (spawn it). Errors are logged and the loop goes on.
pub async fn run(storage: Storage, config: WorkerConfig) {
    let worker = Arc::new(worker_id());
    if let Err(e) = storage.release_delivery_leases().await {
        tracing::warn!(error = %e, "releasing the delivery leases failed");
    }
    let config = Arc::new(config);
    let permits = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
    loop {
        let now = crate::now_ms();
        let leased = match storage.lease_deliveries(&worker, now, config.lease_ms, config.batch).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "leasing deliveries failed");
                vec![]
            }
        };
        let busy = !leased.is_empty();
        for row in leased {
            let permit = permits.clone().acquire_owned().await.expect("the semaphore is never closed");
            let (storage, config, worker) = (storage.clone(), config.clone(), worker.clone());
            tokio::spawn(async move {
                deliver(&storage, &config, &worker, row).await;
                drop(permit);
            });
        }
        if !busy {
            let _ = tokio::time::timeout(Duration::from_millis(config.poll_ms), WAKE.notified()).await;
        } else {
            // Let the in-flight ones finish their round before leasing more.
            let _ = tokio::time::timeout(Duration::from_millis(config.poll_ms.min(50)), WAKE.notified()).await;
        }
    }
}

/// One attempt for one leased row.
pub async fn deliver(storage: &Storage, config: &WorkerConfig, worker: &str, row: Leased) {
    let started = Instant::now();
    let at_ms = crate::now_ms();
    let outcome = match storage.destination(row.team_id, &row.destination).await {
        Ok(Some(d)) if d.enabled => send::send(&d, &row, config.allow_private, Duration::from_millis(config.timeout_ms)).await,
        Ok(_) => AttemptOutcome::Unsendable {
            detail: format!("The destination \u{201c}{}\u{201d} no longer exists or is disabled.", row.destination),
        },
        Err(e) => AttemptOutcome::Network { error: format!("database: {e}") },
    };
    let now = crate::now_ms();
    let next = config.policy.next(&outcome, row.budget_used, now, random_unit());
    let (state, next_ms, result) = match next {
        Next::Delivered => (DeliveryState::Delivered, now, "delivered"),
        Next::RetryAt(t) => (DeliveryState::Pending, t, "retry"),
        Next::Dead { .. } => (DeliveryState::Dead, now, "dead"),
    };
    let (http_status, smtp_code, error) = match &outcome {
        AttemptOutcome::Http { status, .. } => (Some(*status), None, (!(200..300).contains(status)).then(|| format!("HTTP {status}"))),
        AttemptOutcome::Smtp { code, message } => {
            (None, Some(*code), (!(200..300).contains(code)).then(|| format!("SMTP {code} {message}")))
        }
        AttemptOutcome::Network { error } => (None, None, Some(error.clone())),
        AttemptOutcome::Blocked { detail } => (None, None, Some(detail.clone())),
        AttemptOutcome::Unsendable { detail } => (None, None, Some(detail.clone())),
    };
    let log = AttemptRow {
        outbox_id: row.id.clone(),
        attempt: row.attempt,
        destination: row.destination.clone(),
        capture_id: row.capture_id.clone(),
        at_ms,
        duration_ms: started.elapsed().as_millis() as i64,
        result: result.into(),
        http_status,
        smtp_code,
        error,
    };
    tracing::info!(destination = %row.destination, id = %row.id, attempt = row.attempt, result, http = ?http_status, smtp = ?smtp_code, "delivery attempt");
    let finish = Finish { state, next_ms, log };
    if let Err(e) = storage.finish_delivery(row.team_id, worker, &finish, now).await {
        tracing::warn!(error = %e, id = %row.id, "logging a delivery attempt failed; the lease will expire and the row be sent again");
    }
}
