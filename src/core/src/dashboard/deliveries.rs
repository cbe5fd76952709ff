//! The dashboard's destinations and delivery log: how a delivery's state,
//! attempts and last answer are worded, who may retry it, which fields a
//! destination form shows per kind, and turning the form into the body the
//! server's `PUT /api/v1/destinations/{name}` reads (secrets left blank keep
//! the stored ones).

use serde::Deserialize;

use super::i18n::{tr, Lang, Text};
use crate::delivery::destination::SmtpSecurity;
use crate::delivery::ssrf::UrlProblem;
use crate::delivery::{DestinationKind, DestinationProblem, DestinationView, Language};

/// `GET /api/v1/destinations`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DestinationList {
    pub destinations: Vec<DestinationView>,
}

/// Who sees the destination controls and "Retry now": a role that may
/// configure the team (the server refuses the others anyway). Unlike the
/// queue's edit controls, an unknown role gets none: these are admin-only.
pub fn may_configure(role: Option<crate::workspace::role::Role>) -> bool {
    role.is_some_and(|r| r.allows(crate::workspace::role::Action::Configure))
}

/// One outbox row as the server lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryEntry {
    pub id: String,
    pub destination: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub capture_id: Option<String>,
    pub state: String,
    pub attempts: u32,
    pub next_ms: i64,
    pub created_ms: i64,
    #[serde(default)]
    pub done_ms: Option<i64>,
    #[serde(default)]
    pub last_error: Option<String>,
}

/// One logged attempt.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptEntry {
    pub outbox_id: String,
    pub attempt: u32,
    pub at_ms: i64,
    pub result: String,
    #[serde(default)]
    pub http_status: Option<u16>,
    #[serde(default)]
    pub smtp_code: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
}

/// `GET /api/v1/deliveries?…`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeliveryLog {
    pub deliveries: Vec<DeliveryEntry>,
    #[serde(default)]
    pub attempts: Vec<AttemptEntry>,
}

/// What a delivery is doing, as a person reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Queued, not tried yet.
    Waiting,
    /// Tried and refused or unreachable; another try is scheduled.
    Failing,
    Delivered,
    /// Given up (permanent refusal or the attempt limit).
    Dead,
    /// A state this dashboard does not know (a newer server).
    Unknown,
}

impl DeliveryStatus {
    pub fn of(e: &DeliveryEntry) -> DeliveryStatus {
        match e.state.as_str() {
            "pending" if e.attempts == 0 => DeliveryStatus::Waiting,
            "pending" => DeliveryStatus::Failing,
            "delivered" => DeliveryStatus::Delivered,
            "dead" => DeliveryStatus::Dead,
            _ => DeliveryStatus::Unknown,
        }
    }

    pub fn label(self) -> Text {
        match self {
            DeliveryStatus::Waiting => Text::DeliveryWaiting,
            DeliveryStatus::Failing => Text::DeliveryFailing,
            DeliveryStatus::Delivered => Text::DeliveryDelivered,
            DeliveryStatus::Dead => Text::DeliveryDead,
            DeliveryStatus::Unknown => Text::DeliveryUnknown,
        }
    }

    /// The `data-state` attribute (styles and tests read it).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Waiting => "waiting",
            DeliveryStatus::Failing => "failing",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
            DeliveryStatus::Unknown => "unknown",
        }
    }

    /// "Retry now" is offered on what failed: the server accepts it for a
    /// pending or dead row, but on one never tried it would change nothing.
    pub fn retryable(self) -> bool {
        matches!(self, DeliveryStatus::Failing | DeliveryStatus::Dead)
    }
}

/// One row of the delivery log, worded.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryLine {
    pub id: String,
    pub destination: String,
    pub status: DeliveryStatus,
    pub state: String,
    pub attempts: String,
    pub last_answer: String,
    /// When the next try is due (only while failing or waiting).
    pub next_ms: Option<i64>,
    pub created_ms: i64,
    pub can_retry: bool,
}

/// The last answer: the newest attempt's status code and error, else the
/// row's last error, else nothing.
pub fn last_answer(lang: Lang, e: &DeliveryEntry, attempts: &[AttemptEntry]) -> String {
    let last = attempts.iter().filter(|a| a.outbox_id == e.id).max_by_key(|a| (a.attempt, a.at_ms));
    let mut parts = vec![];
    if let Some(a) = last {
        if let Some(s) = a.http_status {
            parts.push(tr(lang, Text::DeliveryHttp, &[&s.to_string()]));
        }
        if let Some(s) = a.smtp_code {
            parts.push(tr(lang, Text::DeliverySmtp, &[&s.to_string()]));
        }
        if let Some(err) = a.error.as_deref().filter(|s| !s.is_empty()) {
            parts.push(err.to_string());
        }
    }
    if parts.is_empty() {
        if let Some(err) = e.last_error.as_deref().filter(|s| !s.is_empty()) {
            parts.push(err.to_string());
        }
    }
    parts.join(" · ")
}

/// The log's rows, newest first; `admin` decides whether "Retry now" shows.
pub fn delivery_lines(lang: Lang, log: &DeliveryLog, admin: bool) -> Vec<DeliveryLine> {
    let mut rows: Vec<&DeliveryEntry> = log.deliveries.iter().collect();
    rows.sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then_with(|| a.id.cmp(&b.id)));
    rows.into_iter()
        .map(|e| {
            let status = DeliveryStatus::of(e);
            DeliveryLine {
                id: e.id.clone(),
                destination: e.destination.clone(),
                status,
                state: status.label().get(lang).to_string(),
                attempts: e.attempts.to_string(),
                last_answer: last_answer(lang, e, &log.attempts),
                next_ms: matches!(status, DeliveryStatus::Waiting | DeliveryStatus::Failing).then_some(e.next_ms),
                created_ms: e.created_ms,
                can_retry: admin && status.retryable(),
            }
        })
        .collect()
}

/// The deliveries query for a capture or a destination (one of them).
pub fn log_path(capture: Option<&str>, destination: Option<&str>) -> String {
    let enc = crate::workspace::members::path_segment;
    match (capture, destination) {
        (Some(c), _) => format!("/api/v1/deliveries?capture={}", enc(c)),
        (None, Some(d)) => format!("/api/v1/deliveries?destination={}", enc(d)),
        (None, None) => "/api/v1/deliveries".into(),
    }
}

pub fn destination_path(name: &str) -> String {
    format!("/api/v1/destinations/{}", crate::workspace::members::path_segment(name))
}

pub fn retry_path(id: &str) -> String {
    format!("/api/v1/deliveries/{}/retry", crate::workspace::members::path_segment(id))
}

/// A field of the destination form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    WebhookUrl,
    SmtpHost,
    SmtpPort,
    Security,
    Username,
    Password,
    From,
    To,
    Url,
    Secret,
}

impl FormField {
    pub const ALL: [FormField; 10] = [
        FormField::WebhookUrl,
        FormField::SmtpHost,
        FormField::SmtpPort,
        FormField::Security,
        FormField::Username,
        FormField::Password,
        FormField::From,
        FormField::To,
        FormField::Url,
        FormField::Secret,
    ];

    /// The input's id suffix and the server's field name.
    pub fn key(self) -> &'static str {
        match self {
            FormField::WebhookUrl => "webhookUrl",
            FormField::SmtpHost => "smtpHost",
            FormField::SmtpPort => "smtpPort",
            FormField::Security => "security",
            FormField::Username => "username",
            FormField::Password => "password",
            FormField::From => "from",
            FormField::To => "to",
            FormField::Url => "url",
            FormField::Secret => "secret",
        }
    }

    pub fn label(self) -> Text {
        match self {
            FormField::WebhookUrl => Text::DestWebhookUrl,
            FormField::SmtpHost => Text::DestSmtpHost,
            FormField::SmtpPort => Text::DestSmtpPort,
            FormField::Security => Text::DestSecurity,
            FormField::Username => Text::DestUsername,
            FormField::Password => Text::DestPassword,
            FormField::From => Text::DestFrom,
            FormField::To => Text::DestTo,
            FormField::Url => Text::DestUrl,
            FormField::Secret => Text::DestSecret,
        }
    }

    /// Write-only: the form never shows the value; blank keeps the stored one.
    pub fn is_secret(self) -> bool {
        matches!(self, FormField::WebhookUrl | FormField::Password | FormField::Secret)
    }
}

pub const KINDS: [&str; 4] = ["slack", "teams", "email", "webhook"];

pub fn kind_label(kind: &str) -> Text {
    match kind {
        "slack" => Text::DestKindSlack,
        "teams" => Text::DestKindTeams,
        "email" => Text::DestKindEmail,
        _ => Text::DestKindWebhook,
    }
}

/// The fields a kind's form shows, in order.
pub fn fields_for(kind: &str) -> &'static [FormField] {
    match kind {
        "slack" | "teams" => &[FormField::WebhookUrl],
        "email" => &[
            FormField::SmtpHost,
            FormField::SmtpPort,
            FormField::Security,
            FormField::Username,
            FormField::Password,
            FormField::From,
            FormField::To,
        ],
        "webhook" => &[FormField::Url, FormField::Secret],
        _ => &[],
    }
}

/// What the admin typed. Field values by [`FormField::key`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DestinationForm {
    pub name: String,
    pub kind: String,
    pub department: String,
    pub language: String,
    pub enabled: bool,
    pub fields: Vec<(FormField, String)>,
}

/// A form problem found before asking the server (the server checks the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    UnknownKind,
    BadPort,
    Destination(DestinationProblem),
}

impl DestinationForm {
    fn get(&self, f: FormField) -> String {
        self.fields.iter().find(|(k, _)| *k == f).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    /// The PUT body. Secrets left blank stay blank, which the server reads
    /// as "keep the stored one".
    pub fn to_body(&self) -> Result<serde_json::Value, Vec<FormProblem>> {
        let mut problems = vec![];
        let name = self.name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            problems.push(FormProblem::Destination(DestinationProblem::NameEmpty));
        } else if name.chars().count() > crate::delivery::destination::MAX_NAME_CHARS {
            problems.push(FormProblem::Destination(DestinationProblem::NameTooLong { max: crate::delivery::destination::MAX_NAME_CHARS }));
        }
        let kind = match self.kind.as_str() {
            "slack" => Some(DestinationKind::Slack { webhook_url: self.get(FormField::WebhookUrl) }),
            "teams" => Some(DestinationKind::Teams { webhook_url: self.get(FormField::WebhookUrl) }),
            "webhook" => Some(DestinationKind::Webhook { url: self.get(FormField::Url), secret: self.get(FormField::Secret) }),
            "email" => {
                let port = self.get(FormField::SmtpPort);
                let smtp_port = match port.parse::<u16>() {
                    Ok(p) if p > 0 => p,
                    _ => {
                        problems.push(FormProblem::BadPort);
                        0
                    }
                };
                let security = match self.get(FormField::Security).as_str() {
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    _ => SmtpSecurity::Starttls,
                };
                let to: Vec<String> =
                    self.get(FormField::To).split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
                Some(DestinationKind::Email {
                    smtp_host: self.get(FormField::SmtpHost),
                    smtp_port,
                    security,
                    username: self.get(FormField::Username),
                    password: self.get(FormField::Password),
                    from: self.get(FormField::From),
                    to,
                })
            }
            _ => {
                problems.push(FormProblem::UnknownKind);
                None
            }
        };
        let Some(kind) = kind else { return Err(problems) };
        if !problems.is_empty() {
            return Err(problems);
        }
        let department = Some(self.department.trim().to_string()).filter(|d| !d.is_empty());
        let language = if self.language == "es" { Language::Es } else { Language::En };
        let d = crate::delivery::Destination { name: name.to_string(), department, language, enabled: self.enabled, kind };
        Ok(serde_json::to_value(&d).expect("a destination serializes"))
    }
}

/// A destination's fields as the edit form starts (secrets blank).
pub fn form_values(v: &DestinationView) -> Vec<(FormField, String)> {
    let security = match v.security {
        Some(SmtpSecurity::Tls) => "tls",
        Some(SmtpSecurity::None) => "none",
        _ => "starttls",
    };
    let port = if v.smtp_port == 0 { String::new() } else { v.smtp_port.to_string() };
    vec![
        (FormField::SmtpHost, if v.kind == "email" { v.host.clone() } else { String::new() }),
        (FormField::SmtpPort, port),
        (FormField::Security, security.into()),
        (FormField::Username, v.username.clone()),
        (FormField::From, v.from.clone()),
        (FormField::To, v.to.join(", ")),
        (FormField::Url, v.url.clone()),
    ]
}

fn field_label(lang: Lang, field: &str) -> String {
    FormField::ALL.iter().find(|f| f.key() == field).map(|f| f.label().get(lang).to_string()).unwrap_or_else(|| field.to_string())
}

/// A problem in the admin's language.
pub fn problem_text(lang: Lang, p: &FormProblem) -> String {
    match p {
        FormProblem::UnknownKind => Text::DestProblemKind.get(lang).into(),
        FormProblem::BadPort => Text::DestProblemPort.get(lang).into(),
        FormProblem::Destination(d) => destination_problem_text(lang, d),
    }
}

pub fn destination_problem_text(lang: Lang, p: &DestinationProblem) -> String {
    match p {
        DestinationProblem::NameEmpty => Text::DestProblemName.get(lang).into(),
        DestinationProblem::NameTooLong { max } => tr(lang, Text::DestProblemNameLong, &[&max.to_string()]),
        DestinationProblem::UnknownDepartment { department } => tr(lang, Text::DestProblemDepartment, &[department]),
        DestinationProblem::SecretMissing { field } => tr(lang, Text::DestProblemRequired, &[&field_label(lang, field)]),
        DestinationProblem::BadUrl { field, problem } => {
            let why = match problem {
                UrlProblem::Scheme => Text::DestUrlScheme,
                UrlProblem::NoHost => Text::DestUrlHost,
                UrlProblem::Credentials => Text::DestUrlCredentials,
                UrlProblem::Port => Text::DestUrlPort,
                UrlProblem::Characters => Text::DestUrlCharacters,
            };
            tr(lang, Text::DestProblemUrl, &[&field_label(lang, field), why.get(lang)])
        }
        DestinationProblem::BadSecret => Text::DestProblemSecret.get(lang).into(),
        DestinationProblem::BadEmail { address } => tr(lang, Text::DestProblemEmail, &[address]),
        DestinationProblem::NoRecipients => Text::DestProblemRecipients.get(lang).into(),
        DestinationProblem::BadSmtp => Text::DestProblemSmtp.get(lang).into(),
    }
}

/// The problems a refused PUT carries (`error.problems`), if any.
pub fn problems_in(body: &str) -> Vec<DestinationProblem> {
    #[derive(Deserialize)]
    struct Inner {
        #[serde(default)]
        problems: Vec<DestinationProblem>,
    }
    #[derive(Deserialize)]
    struct Outer {
        error: Inner,
    }
    serde_json::from_str::<Outer>(body).map(|o| o.error.problems).unwrap_or_default()
}

/// A destination's "secret" cell: set or not, never the value.
pub fn secret_text(lang: Lang, v: &DestinationView) -> &'static str {
    if v.secret_set {
        Text::DestSecretSet.get(lang)
    } else {
        Text::DestSecretNotSet.get(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, state: &str, attempts: u32, created: i64) -> DeliveryEntry {
        DeliveryEntry {
            id: id.into(),
            destination: "logistics".into(),
            kind: "capture".into(),
            capture_id: Some("c1".into()),
            state: state.into(),
            attempts,
            next_ms: 5_000,
            created_ms: created,
            done_ms: None,
            last_error: None,
        }
    }

    #[test]
    fn states_are_worded_and_only_failed_rows_offer_retry_to_admins() {
        let cases = [
            ("pending", 0, DeliveryStatus::Waiting, false),
            ("pending", 2, DeliveryStatus::Failing, true),
            ("delivered", 1, DeliveryStatus::Delivered, false),
            ("dead", 8, DeliveryStatus::Dead, true),
            ("paused", 1, DeliveryStatus::Unknown, false),
        ];
        for (state, attempts, want, retry) in cases {
            let log = DeliveryLog { deliveries: vec![entry("m", state, attempts, 1)], attempts: vec![] };
            let admin = &delivery_lines(Lang::En, &log, true)[0];
            assert_eq!(admin.status, want, "{state} {attempts}");
            assert_eq!(admin.can_retry, retry, "{state} {attempts}");
            assert!(!delivery_lines(Lang::En, &log, false)[0].can_retry, "a non-admin never gets retry");
        }
        let log = DeliveryLog { deliveries: vec![entry("m", "dead", 8, 1)], attempts: vec![] };
        assert_eq!(delivery_lines(Lang::Es, &log, true)[0].state, "Abandonada");
        assert_eq!(delivery_lines(Lang::En, &log, true)[0].next_ms, None);
    }

    #[test]
    fn the_last_answer_is_the_newest_attempt_of_that_row() {
        let a = |id: &str, n: u32, http: Option<u16>, err: Option<&str>| AttemptEntry {
            outbox_id: id.into(),
            attempt: n,
            at_ms: n as i64,
            result: "retry".into(),
            http_status: http,
            smtp_code: None,
            error: err.map(String::from),
        };
        let log = DeliveryLog {
            deliveries: vec![entry("m1", "pending", 2, 1), entry("m2", "pending", 1, 2)],
            attempts: vec![a("m1", 1, None, Some("connection refused")), a("m1", 2, Some(500), None), a("m2", 1, Some(429), None)],
        };
        let lines = delivery_lines(Lang::Es, &log, true);
        assert_eq!(lines[0].id, "m2", "newest first");
        assert_eq!(lines[0].last_answer, "HTTP 429");
        assert_eq!(lines[1].last_answer, "HTTP 500");
        let mut e = entry("m3", "dead", 1, 3);
        e.last_error = Some("refused".into());
        assert_eq!(last_answer(Lang::En, &e, &[]), "refused");
    }

    #[test]
    fn each_kind_shows_its_fields_and_secrets_are_write_only() {
        assert_eq!(fields_for("slack"), &[FormField::WebhookUrl]);
        assert_eq!(fields_for("teams"), &[FormField::WebhookUrl]);
        assert_eq!(fields_for("webhook"), &[FormField::Url, FormField::Secret]);
        assert_eq!(fields_for("email").len(), 7);
        assert!(fields_for("email").contains(&FormField::Password));
        let secrets: Vec<_> = FormField::ALL.iter().filter(|f| f.is_secret()).collect();
        assert_eq!(secrets, [&FormField::WebhookUrl, &FormField::Password, &FormField::Secret]);
    }

    #[test]
    fn the_form_becomes_the_body_the_server_reads() {
        let form = DestinationForm {
            name: " logistics ".into(),
            kind: "email".into(),
            department: "Logistics".into(),
            language: "es".into(),
            enabled: true,
            fields: vec![
                (FormField::SmtpHost, "mail.example.com".into()),
                (FormField::SmtpPort, "587".into()),
                (FormField::From, "escucha@example.com".into()),
                (FormField::To, "a@example.com, b@example.com".into()),
                (FormField::Password, "".into()),
            ],
        };
        let body = form.to_body().unwrap();
        let d: crate::delivery::Destination = serde_json::from_value(body).unwrap();
        assert_eq!(d.name, "logistics");
        assert_eq!(d.language, Language::Es);
        assert_eq!(d.department.as_deref(), Some("Logistics"));
        match d.kind {
            DestinationKind::Email { smtp_port, to, password, .. } => {
                assert_eq!(smtp_port, 587);
                assert_eq!(to, ["a@example.com", "b@example.com"]);
                assert_eq!(password, "", "blank keeps the stored password");
            }
            other => panic!("{other:?}"),
        }
        let bad = DestinationForm { kind: "email".into(), fields: vec![(FormField::SmtpPort, "x".into())], ..form.clone() };
        assert_eq!(bad.to_body().unwrap_err(), [FormProblem::BadPort]);
        let nameless = DestinationForm { name: " ".into(), kind: "pager".into(), ..Default::default() };
        assert_eq!(nameless.to_body().unwrap_err(), [FormProblem::Destination(DestinationProblem::NameEmpty), FormProblem::UnknownKind]);
    }

    #[test]
    fn server_problems_are_worded_in_the_admins_language() {
        let body = r#"{"error":{"code":"bad_request","message":"x","problems":[{"code":"secretMissing","field":"webhookUrl"},{"code":"badUrl","field":"url","problem":"scheme"}]}}"#;
        let ps = problems_in(body);
        assert_eq!(ps.len(), 2);
        assert_eq!(destination_problem_text(Lang::En, &ps[0]), "Webhook URL is required.");
        assert_eq!(destination_problem_text(Lang::Es, &ps[0]), "URL del webhook: obligatorio.");
        assert!(destination_problem_text(Lang::Es, &ps[1]).contains("http"));
        assert!(problems_in("not json").is_empty());
    }

    #[test]
    fn only_a_role_that_configures_gets_the_controls() {
        use crate::workspace::role::Role;
        assert!(may_configure(Some(Role::Admin)));
        assert!(!may_configure(Some(Role::Viewer)));
        assert!(!may_configure(None));
    }

    #[test]
    fn paths_are_encoded() {
        assert_eq!(log_path(Some("a b"), None), "/api/v1/deliveries?capture=a%20b");
        assert_eq!(log_path(None, Some("x/y")), "/api/v1/deliveries?destination=x%2Fy");
        assert_eq!(destination_path("Slack ops"), "/api/v1/destinations/Slack%20ops");
        assert_eq!(retry_path("msg_1"), "/api/v1/deliveries/msg_1/retry");
    }
}
