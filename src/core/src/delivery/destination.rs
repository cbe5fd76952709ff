//! A destination: where a department's notifications go. Secrets (webhook
//! URLs, the SMTP password, the signing secret) are write-only: the server
//! stores them, and every view a client receives ([`DestinationView`]) says
//! only whether one is set.

use serde::{Deserialize, Serialize};

use super::ssrf::{parse_url, UrlProblem};
use super::webhook::decode_secret;

/// The language a destination's messages are written in (its department's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Es,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
        }
    }
}

/// How mail leaves for the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS at all: only for a relay on the same machine or a test.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum DestinationKind {
    /// Slack incoming webhook; the URL is the secret.
    Slack {
        #[serde(default)]
        webhook_url: String,
    },
    /// Microsoft Teams workflow ("When a Teams webhook request is received");
    /// the URL is the secret.
    Teams {
        #[serde(default)]
        webhook_url: String,
    },
    Email {
        smtp_host: String,
        smtp_port: u16,
        #[serde(default)]
        security: SmtpSecurity,
        #[serde(default)]
        username: String,
        /// Secret.
        #[serde(default)]
        password: String,
        from: String,
        to: Vec<String>,
    },
    /// Any HTTPS endpoint, signed per Standard Webhooks.
    Webhook {
        url: String,
        /// Secret: `whsec_` + base64 of 24 to 64 random bytes.
        #[serde(default)]
        secret: String,
    },
}

impl DestinationKind {
    pub fn name(&self) -> &'static str {
        match self {
            DestinationKind::Slack { .. } => "slack",
            DestinationKind::Teams { .. } => "teams",
            DestinationKind::Email { .. } => "email",
            DestinationKind::Webhook { .. } => "webhook",
        }
    }

    /// The URL an HTTP channel posts to (none for email).
    pub fn url(&self) -> Option<&str> {
        match self {
            DestinationKind::Slack { webhook_url } | DestinationKind::Teams { webhook_url } => Some(webhook_url),
            DestinationKind::Webhook { url, .. } => Some(url),
            DestinationKind::Email { .. } => None,
        }
    }
}

/// A destination as stored on the server, secrets included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Destination {
    /// Unique in the team; what rules' "send to" names.
    pub name: String,
    /// The department whose routed captures it receives; `None`: only
    /// notifications that name it.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub language: Language,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(flatten)]
    pub kind: DestinationKind,
}

fn yes() -> bool {
    true
}

/// What a client may see of a destination: everything but the secrets,
/// with whether each is set, and the host a URL points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationView {
    pub name: String,
    pub department: Option<String>,
    pub language: Language,
    pub enabled: bool,
    pub kind: String,
    /// The host of the URL posted to (Slack/Teams URLs are secret, their
    /// host is not), or the SMTP host.
    pub host: String,
    /// The generic webhook's URL (not a secret), or empty.
    #[serde(default)]
    pub url: String,
    pub secret_set: bool,
    #[serde(default)]
    pub smtp_port: u16,
    #[serde(default)]
    pub security: Option<SmtpSecurity>,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: Vec<String>,
}

/// Why a destination cannot be saved. Data, not words: the dashboard words
/// them in the admin's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "code")]
pub enum DestinationProblem {
    NameEmpty,
    NameTooLong {
        max: usize,
    },
    UnknownDepartment {
        department: String,
    },
    /// A Slack/Teams URL or webhook secret is needed and none is stored.
    SecretMissing {
        field: String,
    },
    BadUrl {
        field: String,
        problem: UrlProblem,
    },
    BadSecret,
    BadEmail {
        address: String,
    },
    NoRecipients,
    BadSmtp,
}

impl DestinationProblem {
    /// English, for logs and API messages (the dashboard has its own words).
    pub fn english(&self) -> String {
        match self {
            DestinationProblem::NameEmpty => "A destination needs a name.".into(),
            DestinationProblem::NameTooLong { max } => format!("A destination's name has at most {max} characters."),
            DestinationProblem::UnknownDepartment { department } => {
                format!("\u{201c}{department}\u{201d} is not one of the team's departments.")
            }
            DestinationProblem::SecretMissing { field } => format!("{field} is required."),
            DestinationProblem::BadUrl { field, problem } => format!("{field} is not a usable URL: {problem:?}."),
            DestinationProblem::BadSecret => "The signing secret must be whsec_ followed by base64 of 24 to 64 bytes.".into(),
            DestinationProblem::BadEmail { address } => format!("\u{201c}{address}\u{201d} is not an email address."),
            DestinationProblem::NoRecipients => "An email destination needs at least one recipient.".into(),
            DestinationProblem::BadSmtp => "The SMTP server needs a host and a port.".into(),
        }
    }
}

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_RECIPIENTS: usize = 20;

/// A plausible address: one `@`, something on each side, no spaces,
/// controls or header punctuation (the SMTP client checks it again).
pub fn is_email(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !a.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"' | '\\'))
        && !domain.contains('@')
}

impl Destination {
    /// The secrets a client sent empty keep their stored value, so an admin
    /// edits a destination without ever seeing (or retyping) its secrets.
    pub fn keep_secrets_from(&mut self, stored: &Destination) {
        match (&mut self.kind, &stored.kind) {
            (DestinationKind::Slack { webhook_url: new }, DestinationKind::Slack { webhook_url: old })
            | (DestinationKind::Teams { webhook_url: new }, DestinationKind::Teams { webhook_url: old })
                if new.is_empty() =>
            {
                *new = old.clone()
            }
            (DestinationKind::Email { password: new, .. }, DestinationKind::Email { password: old, .. }) if new.is_empty() => {
                *new = old.clone()
            }
            (DestinationKind::Webhook { secret: new, .. }, DestinationKind::Webhook { secret: old, .. }) if new.is_empty() => {
                *new = old.clone()
            }
            _ => {}
        }
    }

    /// Every problem, in field order; `departments` are the team's.
    pub fn validate(&self, departments: &[String]) -> Result<(), Vec<DestinationProblem>> {
        let mut problems = vec![];
        let name = self.name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            problems.push(DestinationProblem::NameEmpty);
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(DestinationProblem::NameTooLong { max: MAX_NAME_CHARS });
        }
        if let Some(d) = &self.department {
            if !departments.iter().any(|x| x == d) {
                problems.push(DestinationProblem::UnknownDepartment { department: d.clone() });
            }
        }
        let mut url = |field: &str, u: &str, secret: bool| {
            if u.is_empty() && secret {
                problems.push(DestinationProblem::SecretMissing { field: field.into() });
            } else if let Err(problem) = parse_url(u) {
                problems.push(DestinationProblem::BadUrl { field: field.into(), problem });
            }
        };
        match &self.kind {
            DestinationKind::Slack { webhook_url } | DestinationKind::Teams { webhook_url } => url("webhookUrl", webhook_url, true),
            DestinationKind::Webhook { url: u, secret } => {
                url("url", u, false);
                if secret.is_empty() {
                    problems.push(DestinationProblem::SecretMissing { field: "secret".into() });
                } else if decode_secret(secret).is_none() {
                    problems.push(DestinationProblem::BadSecret);
                }
            }
            DestinationKind::Email { smtp_host, smtp_port, from, to, .. } => {
                if smtp_host.trim().is_empty() || *smtp_port == 0 || smtp_host.chars().any(|c| c.is_whitespace() || c == '/') {
                    problems.push(DestinationProblem::BadSmtp);
                }
                for a in std::iter::once(from).chain(to.iter()) {
                    if !is_email(a) {
                        problems.push(DestinationProblem::BadEmail { address: a.clone() });
                    }
                }
                if to.is_empty() || to.len() > MAX_RECIPIENTS {
                    problems.push(DestinationProblem::NoRecipients);
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The view clients get: no secret leaves the server.
    pub fn view(&self) -> DestinationView {
        let host_of = |u: &str| parse_url(u).map(|p| p.host).unwrap_or_default();
        let mut v = DestinationView {
            name: self.name.clone(),
            department: self.department.clone(),
            language: self.language,
            enabled: self.enabled,
            kind: self.kind.name().into(),
            host: String::new(),
            url: String::new(),
            secret_set: false,
            smtp_port: 0,
            security: None,
            username: String::new(),
            from: String::new(),
            to: vec![],
        };
        match &self.kind {
            DestinationKind::Slack { webhook_url } | DestinationKind::Teams { webhook_url } => {
                v.host = host_of(webhook_url);
                v.secret_set = !webhook_url.is_empty();
            }
            DestinationKind::Webhook { url, secret } => {
                v.host = host_of(url);
                v.url = url.clone();
                v.secret_set = !secret.is_empty();
            }
            DestinationKind::Email { smtp_host, smtp_port, security, username, password, from, to } => {
                v.host = smtp_host.clone();
                v.smtp_port = *smtp_port;
                v.security = Some(*security);
                v.username = username.clone();
                v.secret_set = !password.is_empty();
                v.from = from.clone();
                v.to = to.clone();
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn slack(url: &str) -> Destination {
        Destination {
            name: "Logistics Slack".into(),
            department: Some("Logistics".into()),
            language: Language::Es,
            enabled: true,
            kind: DestinationKind::Slack { webhook_url: url.into() },
        }
    }

    #[test]
    fn views_never_carry_secrets() {
        let url = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX";
        let v = serde_json::to_string(&slack(url).view()).unwrap();
        assert!(!v.contains("XXXXSECRET"), "{v}");
        assert!(v.contains("\"host\":\"hooks.slack.com\"") && v.contains("\"secretSet\":true"), "{v}");
        let mail = Destination {
            kind: DestinationKind::Email {
                smtp_host: "smtp.example.com".into(),
                smtp_port: 587,
                security: SmtpSecurity::Starttls,
                username: "bot".into(),
                password: "hunter2-SECRET".into(),
                from: "bot@example.com".into(),
                to: vec!["logistics@example.com".into()],
            },
            ..slack("")
        };
        let v = serde_json::to_string(&mail.view()).unwrap();
        assert!(!v.contains("hunter2"), "{v}");
        let hook =
            Destination { kind: DestinationKind::Webhook { url: "https://h.example/in".into(), secret: SECRET.into() }, ..slack("") };
        let v = serde_json::to_string(&hook.view()).unwrap();
        assert!(!v.contains("MfKQ9r8"), "{v}");
    }

    #[test]
    fn an_empty_secret_keeps_the_stored_one() {
        let stored = slack("https://hooks.slack.com/services/T/B/SECRET");
        let mut edit = slack("");
        edit.language = Language::En;
        edit.keep_secrets_from(&stored);
        assert_eq!(edit.kind, stored.kind);
        let mut replaced = slack("https://hooks.slack.com/services/T/B/NEW");
        replaced.keep_secrets_from(&stored);
        assert_eq!(replaced.kind.url(), Some("https://hooks.slack.com/services/T/B/NEW"));
    }

    #[test]
    fn validation_names_each_problem() {
        let deps = vec!["Logistics".to_string()];
        assert_eq!(slack("https://hooks.slack.com/x").validate(&deps), Ok(()));
        let mut bad = slack("");
        bad.name = " ".into();
        bad.department = Some("Nope".into());
        assert_eq!(
            bad.validate(&deps).unwrap_err(),
            vec![
                DestinationProblem::NameEmpty,
                DestinationProblem::UnknownDepartment { department: "Nope".into() },
                DestinationProblem::SecretMissing { field: "webhookUrl".into() },
            ]
        );
        let hook = Destination { kind: DestinationKind::Webhook { url: "ftp://x".into(), secret: "whsec_short".into() }, ..slack("") };
        let problems = hook.validate(&deps).unwrap_err();
        assert!(matches!(problems[0], DestinationProblem::BadUrl { .. }), "{problems:?}");
        assert_eq!(problems[1], DestinationProblem::BadSecret);
        let mail = Destination {
            kind: DestinationKind::Email {
                smtp_host: "smtp.example.com".into(),
                smtp_port: 587,
                security: SmtpSecurity::Starttls,
                username: String::new(),
                password: String::new(),
                from: "bot@example.com".into(),
                to: vec!["a@b".into(), "x@example.com\r\nBcc: evil@example.com".into()],
            },
            ..slack("")
        };
        let problems = mail.validate(&deps).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn destinations_read_and_write_as_json() {
        let json = r#"{"name":"Hook","department":null,"kind":"webhook","url":"https://h.example/in","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#;
        let d: Destination = serde_json::from_str(json).unwrap();
        assert!(d.enabled);
        assert_eq!(d.language, Language::En);
        assert_eq!(serde_json::from_str::<Destination>(&serde_json::to_string(&d).unwrap()).unwrap(), d);
    }
}
