//! Accepting connections with bounds: a cap on open connections (kept below
//! the process's open-file limit), a deadline for each request head, a
//! deadline for each request body (see [`crate::guard`]) and an idle timeout
//! (no byte either way). Without them a few thousand half-open sockets from
//! one client used up every file descriptor and the server stopped answering.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

use crate::guard::ClientAddr;

/// Open files kept for everything that is not a client connection: the
/// database and its WAL, logs, the static files being served.
pub const RESERVED_FILES: u64 = 256;

/// Bounds on connections; the defaults are the binary's. (The body's
/// deadline is a request guard: [`crate::guard::Guards::body_timeout`].)
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Most client connections open at once; more are accepted and closed at once.
    pub max_connections: usize,
    /// The whole request head (line and headers) must arrive within this;
    /// also how long a kept-alive connection may wait for its next request.
    pub header_timeout: Duration,
    /// A connection with no byte read or written for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits { max_connections: 8192, header_timeout: Duration::from_secs(10), idle_timeout: Duration::from_secs(60) }
    }
}

/// The open-file limit after raising the soft limit to the hard one
/// (`(soft, hard)`); unchanged on platforms without `setrlimit`.
pub fn raise_open_file_limit() -> io::Result<(u64, u64)> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return Err(io::Error::last_os_error());
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            // SAFETY: as above.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        // rlim_t is u64 on Linux but not on every Unix.
        #[allow(clippy::unnecessary_cast)]
        Ok((lim.rlim_cur as u64, lim.rlim_max as u64))
    }
    #[cfg(not(unix))]
    {
        Ok((u64::MAX, u64::MAX))
    }
}

/// The connection cap actually used: what was asked, but never so close to
/// the open-file limit that accepting would fail for want of descriptors
/// (at least half of a small limit stays free).
pub fn connection_cap(requested: usize, open_files: u64) -> usize {
    let room = open_files.saturating_sub(RESERVED_FILES).max(open_files / 2);
    requested.min(usize::try_from(room).unwrap_or(usize::MAX)).max(1)
}

/// What happened to connections while serving (for logs and tests).
#[derive(Debug, Default)]
pub struct ConnectionCounts {
    pub accepted: AtomicU64,
    /// Closed at once because the cap was reached.
    pub refused: AtomicU64,
    /// Closed because no byte moved for the idle timeout.
    pub idle_closed: AtomicU64,
}

/// Serve `router` on `listener` until `shutdown` completes, then let the
/// requests in flight finish (connections idle at that point are closed).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    counts: Arc<ConnectionCounts>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of descriptors (or a connection reset before accept):
                // keep serving the connections we have and try again shortly.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        };
        counts.accepted.fetch_add(1, Ordering::Relaxed);
        let router = router.clone();
        let limits = limits.clone();
        let counts = counts.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            serve_one(stream, remote, router, &limits, &counts, stop).await;
            drop(slot);
        });
    }
    let _ = stop_tx.send(true);
    // Wait for the connections still open to finish their requests.
    let _ = slots.acquire_many(limits.max_connections as u32).await;
    Ok(())
}

async fn serve_one(
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    limits: &ConnectionLimits,
    counts: &ConnectionCounts,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched { inner: stream, activity: activity.clone(), replacement: None });
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ClientAddr(remote.ip()));
        router.clone().oneshot(req.map(axum::body::Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let conn = builder.serve_connection(io, service);
    let mut conn = std::pin::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            _ = activity.idle_for(limits.idle_timeout) => {
                counts.idle_closed.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }
}

/// When a byte last moved on a connection.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity { start: Instant::now(), last_ms: AtomicU64::new(0) }
    }

    fn touch(&self) {
        self.last_ms.store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// Completes once nothing has moved for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let last = self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let deadline = last + limit;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline.into()).await;
        }
    }
}

/// A socket that records activity on every byte read or written, and puts
/// a JSON body on the few errors hyper answers by itself (a request line or
/// headers it cannot parse or hold: 400, 414, 431), which never reach the
/// router and would otherwise go out with an empty body.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
    /// The JSON error being written in place of hyper's, and how much is out.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Watched {
    /// Write what is left of a replacement; `Ready(Ok)` once it is all out.
    fn drive_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, sent)) = &mut self.replacement {
            if *sent == bytes.len() {
                self.replacement = None;
                break;
            }
            match Pin::new(&mut self.inner).poll_write(cx, &bytes[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *sent += n;
                    self.activity.touch();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// The JSON response to send instead of `head`, when `head` is an error
/// hyper wrote by itself: every response the router makes carries
/// `x-content-type-options` (see [`crate::guard`]); hyper's own do not.
pub fn replace_bare_error(head: &[u8]) -> Option<Vec<u8>> {
    let status: u16 = std::str::from_utf8(head.get(..12)?.strip_prefix(b"HTTP/1.1 ")?).ok()?.parse().ok()?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = head[..end].to_ascii_lowercase();
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if status < 400 || has(b"x-content-type-options") || !has(b"content-length: 0") {
        return None;
    }
    let status = axum::http::StatusCode::from_u16(status).ok()?;
    let message = match status.as_u16() {
        400 => "The request is not well-formed HTTP/1.1.",
        414 => "The request target (path and query) is far too long.",
        431 => "The request headers are far too large, or too many.",
        _ => "The request could not be read.",
    };
    let body = serde_json::to_vec(&escucha_core::sync::api::ErrorBody {
        error: escucha_core::sync::api::ApiError::new(crate::guard::code_for(status), message),
    })
    .ok()?;
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\
         content-security-policy: {}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len(),
        crate::guard::CONTENT_SECURITY_POLICY
    )
    .into_bytes();
    out.extend_from_slice(&body);
    Some(out)
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(res, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        res
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.replacement.is_some() {
            // After a replaced error hyper only closes; drop anything else.
            return self.drive_replacement(cx).map_ok(|()| buf.len());
        }
        if buf.starts_with(b"HTTP/1.1 4") || buf.starts_with(b"HTTP/1.1 5") {
            if let Some(json) = replace_bare_error(buf) {
                self.replacement = Some((json, 0));
                return self.drive_replacement(cx).map_ok(|()| buf.len());
            }
        }
        let res = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let first = bufs.iter().find(|b| !b.is_empty()).map(|b| &b[..]).unwrap_or(&[]);
        if self.replacement.is_some() || replace_bare_error(first).is_some() {
            // Rare (an error hyper wrote itself): take the plain path above.
            return self.poll_write(cx, first);
        }
        let res = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.drive_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.drive_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_stays_below_the_open_file_limit() {
        let cases = [
            // (asked, open files, used)
            (8192, 1_048_576, 8192),
            (8192, 20_000, 8192),
            (8192, 4096, 4096 - RESERVED_FILES as usize),
            (8192, 1024, 1024 - RESERVED_FILES as usize),
            (8192, 300, 150),
            (100, 1024, 100),
            (0, 1024, 1),
        ];
        for (asked, files, want) in cases {
            assert_eq!(connection_cap(asked, files), want, "{asked} asked, {files} files");
        }
    }

    #[test]
    fn only_errors_hyper_wrote_itself_are_replaced() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let json = String::from_utf8(replace_bare_error(bare).unwrap()).unwrap();
        assert!(json.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"), "{json}");
        let body: serde_json::Value = serde_json::from_str(json.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "headers_too_large");
        let ours = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nx-content-type-options: nosniff\r\n\r\n";
        let fine = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n";
        for head in [&ours[..], &fine[..], &with_body[..], b"HTTP/1.1 4", b"{\"items\":[]}"] {
            assert_eq!(replace_bare_error(head), None, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_one() {
        let (soft, hard) = raise_open_file_limit().unwrap();
        assert_eq!(soft, hard);
    }
}
