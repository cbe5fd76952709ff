//! Sending one delivery: HTTP POST (Slack, Teams, signed webhook) or SMTP.
//!
//! The SSRF guard runs here, on the addresses the host resolves to NOW, and
//! the connection goes to one of those checked addresses (never a second
//! lookup), so DNS rebinding cannot slip a private address in. HTTPS is
//! rustls with the Mozilla roots, verified against the URL's host name.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use escucha_core::delivery::destination::SmtpSecurity;
use escucha_core::delivery::retry::AttemptOutcome;
use escucha_core::delivery::ssrf::{allowed_addresses, parse_url, HttpUrl};
use escucha_core::delivery::{email, slack, teams, webhook, Destination, DestinationKind};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::rustls;

use super::Leased;

pub async fn send(d: &Destination, row: &Leased, allow_private: bool, timeout: Duration) -> AttemptOutcome {
    let message = &row.notification.message;
    let json = |v: serde_json::Value| serde_json::to_vec(&v).expect("JSON values serialize");
    let content_type = ("content-type", "application/json".to_string());
    match &d.kind {
        DestinationKind::Slack { webhook_url } => {
            post(webhook_url, vec![content_type], json(slack::render(message)), allow_private, timeout).await
        }
        DestinationKind::Teams { webhook_url } => {
            post(webhook_url, vec![content_type], json(teams::render(message)), allow_private, timeout).await
        }
        DestinationKind::Webhook { url, secret } => {
            let Some(key) = webhook::decode_secret(secret) else {
                return AttemptOutcome::Unsendable { detail: "The signing secret is not a whsec_ secret.".into() };
            };
            let now = crate::now_ms();
            let body = webhook::body(&row.notification, now);
            let mut headers = vec![content_type];
            headers.extend(webhook::headers(&key, &row.id, now, &body));
            post(url, headers, body, allow_private, timeout).await
        }
        DestinationKind::Email { smtp_host, smtp_port, security, username, password, from, to } => {
            let mail = Mail { host: smtp_host, port: *smtp_port, security: *security, username, password, from, to };
            smtp(&mail, row, allow_private, timeout).await
        }
    }
}

/// Resolve and keep only allowed addresses (all of them, or a refusal).
async fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, AttemptOutcome> {
    let addrs: Vec<SocketAddr> = match tokio::net::lookup_host((host, port)).await {
        Ok(a) => a.collect(),
        Err(e) => return Err(AttemptOutcome::Network { error: format!("DNS: {e}") }),
    };
    let ips: Vec<IpAddr> = addrs.iter().map(|a| a.ip()).collect();
    match allowed_addresses(&ips, allow_private) {
        Ok(ok) => Ok(ok.into_iter().map(|ip| SocketAddr::new(ip, port)).collect()),
        Err(refused) => Err(AttemptOutcome::Blocked {
            detail: format!("{host} resolves to {} ({:?}); private targets are not allowed on this server", refused.address, refused.range),
        }),
    }
}

async fn connect(addrs: &[SocketAddr]) -> Result<TcpStream, AttemptOutcome> {
    let mut last = String::from("no address");
    for a in addrs {
        match TcpStream::connect(a).await {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("connect {a}: {e}"),
        }
    }
    Err(AttemptOutcome::Network { error: last })
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("ring supports the default protocol versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

/// POST `body` to `url`; the response's status and `Retry-After`.
pub async fn post(
    url: &str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    allow_private: bool,
    timeout: Duration,
) -> AttemptOutcome {
    let u = match parse_url(url) {
        Ok(u) => u,
        Err(p) => return AttemptOutcome::Unsendable { detail: format!("The URL is not usable ({p:?}).") },
    };
    match tokio::time::timeout(timeout, post_parsed(&u, headers, body, allow_private)).await {
        Ok(outcome) => outcome,
        Err(_) => AttemptOutcome::Network { error: format!("timed out after {} ms", timeout.as_millis()) },
    }
}

async fn post_parsed(u: &HttpUrl, headers: Vec<(&'static str, String)>, body: Vec<u8>, allow_private: bool) -> AttemptOutcome {
    let addrs = match resolve(&u.host, u.port, allow_private).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let tcp = match connect(&addrs).await {
        Ok(s) => s,
        Err(o) => return o,
    };
    let host_header = if (u.https && u.port == 443) || (!u.https && u.port == 80) {
        if u.host.contains(':') {
            format!("[{}]", u.host)
        } else {
            u.host.clone()
        }
    } else if u.host.contains(':') {
        format!("[{}]:{}", u.host, u.port)
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let mut req = hyper::Request::post(&u.path)
        .header("host", host_header)
        .header("user-agent", concat!("Escucha/", env!("CARGO_PKG_VERSION")))
        .header("content-length", body.len().to_string());
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let req = match req.body(Full::new(Bytes::from(body))) {
        Ok(r) => r,
        Err(e) => return AttemptOutcome::Unsendable { detail: format!("request: {e}") },
    };
    if u.https {
        let name = match rustls::pki_types::ServerName::try_from(u.host.clone()) {
            Ok(n) => n,
            Err(e) => return AttemptOutcome::Unsendable { detail: format!("TLS name: {e}") },
        };
        match tokio_rustls::TlsConnector::from(tls_config()).connect(name, tcp).await {
            Ok(tls) => exchange(TokioIo::new(tls), req).await,
            Err(e) => AttemptOutcome::Network { error: format!("TLS: {e}") },
        }
    } else {
        exchange(TokioIo::new(tcp), req).await
    }
}

async fn exchange<IO>(io: IO, req: hyper::Request<Full<Bytes>>) -> AttemptOutcome
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(io).await {
        Ok(x) => x,
        Err(e) => return AttemptOutcome::Network { error: format!("HTTP: {e}") },
    };
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let res = match sender.send_request(req).await {
        Ok(r) => r,
        Err(e) => return AttemptOutcome::Network { error: format!("HTTP: {e}") },
    };
    let status = res.status().as_u16();
    let retry_after = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    // Drain a bounded body so the receiver sees a complete exchange; its
    // content does not matter (the status decides).
    let _ = http_body_util::Limited::new(res.into_body(), 64 * 1024).collect().await;
    AttemptOutcome::Http { status, retry_after }
}

struct Mail<'a> {
    host: &'a str,
    port: u16,
    security: SmtpSecurity,
    username: &'a str,
    password: &'a str,
    from: &'a str,
    to: &'a [String],
}

async fn smtp(m: &Mail<'_>, row: &Leased, allow_private: bool, timeout: Duration) -> AttemptOutcome {
    use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

    let message = &row.notification.message;
    let mailbox = |a: &str| a.parse::<Mailbox>().map_err(|e| AttemptOutcome::Unsendable { detail: format!("address {a}: {e}") });
    let mut builder = lettre::Message::builder().subject(email::subject(message)).message_id(Some(format!("<{}@escucha>", row.id)));
    match mailbox(m.from) {
        Ok(f) => builder = builder.from(f),
        Err(o) => return o,
    }
    for to in m.to {
        match mailbox(to) {
            Ok(t) => builder = builder.to(t),
            Err(o) => return o,
        }
    }
    let body = MultiPart::alternative()
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email::text(message)))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email::html(message)));
    let mail = match builder.header(IdempotencyHeader(row.id.clone())).multipart(body) {
        Ok(x) => x,
        Err(e) => return AttemptOutcome::Unsendable { detail: format!("email: {e}") },
    };
    // Connect to the checked address; TLS still verifies the host's name.
    let addrs = match resolve(m.host, m.port, allow_private).await {
        Ok(a) => a,
        Err(o) => return o,
    };
    let Some(addr) = addrs.first() else { return AttemptOutcome::Network { error: "no address".into() } };
    let tls = |wrapper: bool| match TlsParameters::new(m.host.to_string()) {
        Ok(p) => Ok(if wrapper { Tls::Wrapper(p) } else { Tls::Required(p) }),
        Err(e) => Err(AttemptOutcome::Unsendable { detail: format!("TLS: {e}") }),
    };
    let tls = match m.security {
        SmtpSecurity::Starttls => tls(false),
        SmtpSecurity::Tls => tls(true),
        SmtpSecurity::None => Ok(Tls::None),
    };
    let tls = match tls {
        Ok(t) => t,
        Err(o) => return o,
    };
    let mut transport =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string()).port(m.port).tls(tls).timeout(Some(timeout));
    if !m.username.is_empty() {
        transport = transport.credentials(Credentials::new(m.username.to_string(), m.password.to_string()));
    }
    let transport = transport.build();
    match tokio::time::timeout(timeout, transport.send(mail)).await {
        Err(_) => AttemptOutcome::Network { error: format!("SMTP timed out after {} ms", timeout.as_millis()) },
        Ok(Ok(response)) => AttemptOutcome::Smtp {
            code: response.code().to_string().parse().unwrap_or(250),
            message: response.message().collect::<Vec<_>>().join(" "),
        },
        Ok(Err(e)) => match e.status() {
            Some(code) => AttemptOutcome::Smtp {
                code: code.to_string().parse().unwrap_or(if e.is_permanent() { 550 } else { 451 }),
                message: e.to_string(),
            },
            None => AttemptOutcome::Network { error: format!("SMTP: {e}") },
        },
    }
}

/// `Idempotency-Key` on the email: the outbox id, the same on every attempt
/// (receivers and tests dedupe by it; `Message-ID` carries it too).
#[derive(Clone)]
struct IdempotencyHeader(String);

impl lettre::message::header::Header for IdempotencyHeader {
    fn name() -> lettre::message::header::HeaderName {
        lettre::message::header::HeaderName::new_from_ascii_str("Idempotency-Key")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(IdempotencyHeader(s.to_string()))
    }
    fn display(&self) -> lettre::message::header::HeaderValue {
        lettre::message::header::HeaderValue::new(Self::name(), self.0.clone())
    }
}
