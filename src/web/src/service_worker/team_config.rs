//! The team configuration in this browser: fetched from the team log at
//! worker start and at every sync run (`If-None-Match`: an unchanged document
//! costs a 304), stored, and merged with the member's own additions into the
//! settings every tab runs (decided in `escucha_core::team_config`). A new
//! version reaches open tabs the way an options change does
//! (`SettingsChanged`), without a reload. When the server cannot be reached
//! the stored document keeps applying.

use escucha_core::protocol::requests::SettingsChanged;
use escucha_core::protocol::ProtocolError;
use escucha_core::settings::{Settings, SyncMode};
use escucha_core::team_config::{self as core, PersonalTerm, StoredConfig, TeamConfigState, VersionedConfig};

use crate::platform;

/// `storage.local` key of the last team document ([`StoredConfig`], JSON).
pub const TEAM_CONFIG_KEY: &str = "teamConfig";
/// `storage.local` key of the member's extra terms (JSON list).
pub const PERSONAL_TERMS_KEY: &str = "personalTerms";

/// The stored document, if it is the one of the team log this browser syncs with now.
pub async fn applying(local: &Settings) -> Option<StoredConfig> {
    let stored: StoredConfig = serde_json::from_str(&platform::storage_get(TEAM_CONFIG_KEY).await.ok()??).ok()?;
    (server_of(local)? == stored.server).then_some(stored)
}

/// The team log's API base for the settings' endpoint (a team log only).
fn server_of(local: &Settings) -> Option<String> {
    if local.sync.mode != SyncMode::TeamLog {
        return None;
    }
    escucha_core::sync::client::parse_endpoint(&local.sync.endpoint, SyncMode::TeamLog).ok().map(|e| e.api(""))
}

pub async fn personal_terms() -> Vec<PersonalTerm> {
    let stored = platform::storage_get(PERSONAL_TERMS_KEY).await.ok().flatten();
    stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default()
}

/// The settings this browser runs (see `escucha_core::team_config::effective`).
pub async fn effective(local: Settings) -> Settings {
    let Some(stored) = applying(&local).await else { return local };
    core::effective(&local, Some(&stored.doc.config), &personal_terms().await).settings
}

/// verify13: the team's own accounts, from the team document that applies.
pub async fn team_accounts() -> escucha_core::team_accounts::TeamAccounts {
    let Ok((local, _)) = super::load_settings().await else { return Default::default() };
    applying(&local).await.map(|s| s.doc.config.team_accounts).unwrap_or_default()
}

/// What the options page shows.
pub async fn state(local: &Settings) -> TeamConfigState {
    let active = applying(local).await;
    let personal_terms = personal_terms().await;
    let personal = active.as_ref().map(|a| core::effective(local, Some(&a.doc.config), &personal_terms).personal).unwrap_or_default();
    let policy = platform::managed_policy().await;
    TeamConfigState { active, personal_terms, personal, disabled_sites: local.sites.disabled_sites.clone(), policy }
}

pub async fn save_personal_terms(terms: &[PersonalTerm]) -> Result<(), ProtocolError> {
    let json = serde_json::to_string(terms).map_err(|e| ProtocolError::Internal { detail: e.to_string() })?;
    platform::storage_set(&[(PERSONAL_TERMS_KEY, &json)]).await.map_err(super::storage)?;
    super::broadcast(&SettingsChanged {}).await;
    Ok(())
}

/// Ask the team log for its document; store and apply a new version. Any
/// failure (offline, 404 before the first save, an invalid document) keeps
/// what is stored: a wrong configuration is worse than the last one.
pub async fn refresh() {
    let Some((endpoint, token)) = super::sync::team_log_access(SyncMode::TeamLog).await else { return };
    let server = endpoint.api("");
    let stored: Option<StoredConfig> =
        platform::storage_get(TEAM_CONFIG_KEY).await.ok().flatten().and_then(|s| serde_json::from_str(&s).ok());
    let known = stored.filter(|s| s.server == server).map(|s| core::etag(s.doc.version));
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("Accept", "application/json"), ("Authorization", bearer.as_str())];
    if let Some(tag) = &known {
        headers.push(("If-None-Match", tag.as_str()));
    }
    let answer =
        platform::fetch("GET", &endpoint.api("config"), &headers, None, escucha_core::sync::client::REQUEST_TIMEOUT_MS as u32).await;
    let Ok(r) = answer else { return };
    if r.status != 200 {
        return;
    }
    let Ok(doc) = serde_json::from_str::<VersionedConfig>(&r.body) else {
        web_sys::console::warn_1(&"Escucha: the team configuration is not readable; keeping the last one.".into());
        return;
    };
    if core::validate(&doc.config).is_err() {
        web_sys::console::warn_1(&"Escucha: the team configuration does not validate; keeping the last one.".into());
        return;
    }
    let Ok(json) = serde_json::to_string(&StoredConfig { server, doc }) else { return };
    if platform::storage_set(&[(TEAM_CONFIG_KEY, &json)]).await.is_ok() {
        // Open tabs ask again for their page's config and re-highlight.
        super::broadcast(&SettingsChanged {}).await;
    }
}
