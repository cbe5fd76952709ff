use super::requests::*;
use super::*;
use crate::log::{CaptureContext, CaptureEdit};
use crate::settings::{Settings, SyncMode};

const ID: &str = "abcdefghijklmnop";

fn sender(id: Option<&str>, url: Option<&str>, tab: Option<i32>) -> SenderInfo {
    SenderInfo { extension_id: id.map(str::to_owned), url: url.map(str::to_owned), tab_id: tab, frame_id: tab.map(|_| 0) }
}

/// The service worker's whole decision: who sent it, then whether that
/// context's enum holds it.
fn authorize(message: &serde_json::Value, who: &SenderInfo) -> Result<Context, ProtocolError> {
    let own = crate::sender::OwnExtension::new(ID, &format!("chrome-extension://{ID}/")).expect("a valid base URL");
    let context = crate::sender::authorize_sender(who, &own)?;
    Incoming::parse(context, message.clone())?;
    Ok(context)
}

#[derive(Debug, PartialEq)]
enum Want {
    Ok(Context),
    Err(ErrorCode),
}

#[test]
fn authorization_table() {
    let popup = sender(Some(ID), Some(&format!("chrome-extension://{ID}/popup/popup.html")), None);
    let options_in_tab = sender(Some(ID), Some(&format!("chrome-extension://{ID}/options/options.html")), Some(3));
    let content = sender(Some(ID), Some("https://forum.example/t/1"), Some(3));
    let other_ext = sender(Some("zzzz"), Some("chrome-extension://zzzz/x.html"), None);
    let look_alike = sender(Some(ID), Some(&format!("chrome-extension://{ID}evil/x.html")), Some(3));
    let no_tab_web = sender(Some(ID), Some("https://forum.example/"), None);
    let firefox_page = sender(Some(ID), Some(&format!("moz-extension://{ID}/popup/popup.html")), None);
    let anonymous = sender(None, None, None);

    use Context::*;
    let ping = to_wire(&Ping {});
    let get_settings = to_wire(&GetSettings {});
    let settings = to_wire(&SaveSettings { settings: Settings::default() });
    let hello = to_wire(&ContentHello { url: "https://forum.example/t/1".into() });
    let open =
        to_wire(&OpenMatcher { url: "https://forum.example/t/1".into(), ancestors: vec![Some("https://forum.example/".into()), None] });
    let redeem = to_wire(&MatcherHello { ticket: "0".repeat(32) });
    let matcher_frame = sender(Some(ID), Some(&format!("chrome-extension://{ID}/matcher/matcher.html#t")), Some(3));
    let open_capture = to_wire(&OpenCapture { id: "01900000-0000-7000-8000-000000000001".into() });
    let save_token = to_wire(&SaveSyncToken { token: "secret".into() });
    let test_conn = to_wire(&TestConnection { mode: SyncMode::TeamLog, endpoint: "https://x.example".into(), token: None });
    let discard = to_wire(&DiscardCapture { id: "x".into() });
    let retry = to_wire(&RetryCapture { id: "x".into() });
    let log_changed = to_wire(&LogChanged {});
    let sync_state = to_wire(&GetSyncState {});
    let sync_now = to_wire(&SyncNow {});
    let open_card_frame = to_wire(&OpenCardFrame {});
    let card_frame = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html#0123")), Some(3));
    let card_no_tab = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html")), None);
    let card_lookalike = sender(Some(ID), Some(&format!("chrome-extension://{ID}/card/card.html.evil/x")), Some(3));
    let log = to_wire(&LogCapture { context: CaptureContext::default(), tags: None });
    let edit = to_wire(&EditCapture { id: "x".into(), edit: CaptureEdit::default() });
    let card_log = to_wire(&CardLog { ticket: "0".repeat(32), context: CaptureContext::default(), tags: None });
    let card_hello = to_wire(&CardHello { ticket: "0".repeat(32) });
    let page_captures = to_wire(&GetPageCaptures { url: "https://forum.example/t/1".into() });
    let bench = to_wire(&BenchScan {});
    let cs = ContentScript { tab_id: 3, frame_id: 0 };
    let cases: Vec<(&str, &serde_json::Value, &SenderInfo, Want)> = vec![
        ("popup pings", &ping, &popup, Want::Ok(ExtensionPage)),
        ("popup reads settings", &get_settings, &popup, Want::Ok(ExtensionPage)),
        ("options page opened in a tab is still ours", &settings, &options_in_tab, Want::Ok(ExtensionPage)),
        // Firefox serves pages from a per-install UUID, never from runtime.id: a
        // moz-extension URL whose host is the id is nobody's page (sender.rs has
        // the Firefox table with the real shape).
        ("moz-extension on the id is not ours", &get_settings, &firefox_page, Want::Err(ErrorCode::UnknownSender)),
        ("content says hello", &hello, &content, Want::Ok(cs)),
        ("content may not read settings", &get_settings, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may open a matcher frame", &open, &content, Want::Ok(cs)),
        ("content may not redeem a matcher ticket", &redeem, &content, Want::Err(ErrorCode::Forbidden)),
        // Was heard as any extension page; now its own context, which may only redeem.
        ("the matcher frame (an extension page in a tab) redeems", &redeem, &matcher_frame, Want::Ok(MatcherFrame { tab_id: 3 })),
        ("the matcher frame may not read settings", &get_settings, &matcher_frame, Want::Err(ErrorCode::Forbidden)),
        ("an extension page outside a tab may not redeem", &redeem, &popup, Want::Err(ErrorCode::Forbidden)),
        ("content may not write settings", &settings, &content, Want::Err(ErrorCode::Forbidden)),
        ("another extension", &ping, &other_ext, Want::Err(ErrorCode::UnknownSender)),
        ("no extension id", &ping, &anonymous, Want::Err(ErrorCode::UnknownSender)),
        ("id-prefix look-alike origin is a content script", &get_settings, &look_alike, Want::Err(ErrorCode::Forbidden)),
        ("web url without a tab", &ping, &no_tab_web, Want::Err(ErrorCode::UnknownSender)),
        ("log page opens a capture", &open_capture, &options_in_tab, Want::Ok(ExtensionPage)),
        ("a page may not open tabs through us", &open_capture, &content, Want::Err(ErrorCode::Forbidden)),
        ("a page may not fake a log change", &log_changed, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not read sync state", &sync_state, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not discard captures", &discard, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not retry captures", &retry, &content, Want::Err(ErrorCode::Forbidden)),
        ("the log page discards a capture", &discard, &options_in_tab, Want::Ok(ExtensionPage)),
        ("content may not set the token", &save_token, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not test a connection", &test_conn, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not force a sync", &sync_now, &content, Want::Err(ErrorCode::Forbidden)),
        ("options page sets the token", &save_token, &options_in_tab, Want::Ok(ExtensionPage)),
        ("popup syncs now", &sync_now, &popup, Want::Ok(ExtensionPage)),
        ("content may open a card frame", &open_card_frame, &content, Want::Ok(cs)),
        ("content may no longer log: the card frame does", &log, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may no longer edit", &edit, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not log as the card", &card_log, &content, Want::Err(ErrorCode::Forbidden)),
        ("content may not claim a card ticket", &card_hello, &content, Want::Err(ErrorCode::Forbidden)),
        ("the card frame claims its ticket", &card_hello, &card_frame, Want::Ok(CardFrame { tab_id: 3 })),
        ("the card frame logs with its ticket", &card_log, &card_frame, Want::Ok(CardFrame { tab_id: 3 })),
        ("the card frame reads its page's captures", &page_captures, &card_frame, Want::Ok(CardFrame { tab_id: 3 })),
        ("the card frame may not log without a ticket", &log, &card_frame, Want::Err(ErrorCode::Forbidden)),
        ("the card frame may not read settings", &get_settings, &card_frame, Want::Err(ErrorCode::Forbidden)),
        ("the card frame may not open tabs", &open_capture, &card_frame, Want::Err(ErrorCode::Forbidden)),
        ("card.html outside a tab is an extension page", &get_settings, &card_no_tab, Want::Ok(ExtensionPage)),
        ("a look-alike path is not the card frame", &get_settings, &card_lookalike, Want::Ok(ExtensionPage)),
        ("benchmarks go to content scripts, never the worker", &bench, &popup, Want::Err(ErrorCode::Forbidden)),
    ];
    for (name, msg, who, want) in cases {
        let got = match authorize(msg, who) {
            Ok(c) => Want::Ok(c),
            Err(e) => Want::Err(e.code()),
        };
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn requests_travel_as_tagged_json_and_parse_back() {
    assert_eq!(serde_json::to_string(&to_wire(&Ping {})).unwrap(), r#"{"type":"ping"}"#);
    let found = MentionsFound { url: "u".into(), count: 2 };
    assert_eq!(to_wire(&found), serde_json::json!({"type": "mentionsFound", "url": "u", "count": 2}));
    let cs = Context::ContentScript { tab_id: 1, frame_id: 0 };
    let parsed = Incoming::parse(cs, to_wire(&found)).unwrap();
    assert_eq!(parsed, Incoming::Content { tab_id: 1, frame_id: 0, request: ContentRequest::MentionsFound(found) });
    let page = PageRequest::from_wire(to_wire(&GetSettings {})).unwrap();
    assert_eq!(page, PageRequest::GetSettings(GetSettings {}));
    assert_eq!(page.name(), "getSettings");
}

#[test]
fn unknown_or_malformed_messages_are_rejected_with_data() {
    let cases = [
        (serde_json::json!({"type": "deleteEverything"}), ErrorCode::BadMessage),
        (serde_json::json!({"kind": "ping"}), ErrorCode::BadMessage),
        (serde_json::json!("not an object"), ErrorCode::BadMessage),
        (serde_json::json!({"type": "mentionsFound", "url": "u"}), ErrorCode::BadMessage),
        (serde_json::json!({"type": "getSettings"}), ErrorCode::Forbidden),
    ];
    for (bad, want) in cases {
        let err = ContentRequest::from_wire(bad.clone()).unwrap_err();
        assert_eq!(err.code(), want, "{bad}");
    }
    let e = ContentRequest::from_wire(serde_json::json!({"type": "getSettings"})).unwrap_err();
    assert_eq!(e, ProtocolError::Forbidden { request: "getSettings".into() });
}

#[test]
fn answers_travel_as_ok_or_error_with_data() {
    let ok: Answer<SiteToggled> = Ok(SiteToggled { enabled: false }).into();
    assert_eq!(serde_json::to_value(&ok).unwrap(), serde_json::json!({"type": "ok", "enabled": false}));
    let done: Answer<Done> = Answer::Ok(Done {});
    assert_eq!(serde_json::to_value(&done).unwrap(), serde_json::json!({"type": "ok"}));
    let err: Answer<Done> = Answer::Error(ProtocolError::Forbidden { request: "getSettings".into() });
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json, serde_json::json!({"type": "error", "code": "forbidden", "request": "getSettings"}));
    assert_eq!(serde_json::from_value::<Answer<Done>>(json).unwrap(), err);
    let unit = serde_json::to_value(Answer::<Done>::Error(ProtocolError::StaleTicket)).unwrap();
    assert_eq!(unit, serde_json::json!({"type": "error", "code": "stale_ticket"}));
    // A reply of the wrong shape does not parse as the request's reply type.
    let wrong = serde_json::json!({"type": "ok", "ticket": "t"});
    assert!(serde_json::from_value::<Answer<SiteToggled>>(wrong).is_err());
    let status = serde_json::json!({"type": "ok", "total": 3});
    assert_eq!(serde_json::from_value::<Answer<LogStatus>>(status).unwrap(), Answer::Ok(LogStatus { total: 3, ..Default::default() }));
}

#[test]
fn every_error_has_words_in_the_tables() {
    use crate::i18n::Arg;
    use crate::log::store_error::{StoreAction, StoreFailure};
    use ProtocolError::*;
    let s = || "x".to_string();
    for e in [
        BadMessage { detail: s() },
        UnknownSender,
        Forbidden { request: s() },
        StaleTicket,
        OtherPage { page: s(), cited: s() },
        NoAnswer { detail: s() },
        BadReply { request: s(), detail: s() },
    ] {
        let w = e.words();
        assert!(crate::i18n::Key::ALL.contains(&w.key), "{e:?}");
        assert!(w.args.iter().all(|a| *a == Arg::Text("x".into())), "{e:?} {w:?}");
    }
    // Every variant, including ones added later, has words.
    use strum::IntoEnumIterator;
    for e in ProtocolError::iter() {
        assert!(crate::i18n::Key::ALL.contains(&e.words().key), "{e:?}");
    }
    // A storage failure travels as data and is worded where it is shown.
    let full = Storage { failure: StoreFailure::Full, action: StoreAction::Capture };
    let json = serde_json::to_value(Answer::<Done>::Error(full.clone())).unwrap();
    assert_eq!(json, serde_json::json!({"type": "error", "code": "storage", "failure": {"kind": "full"}, "action": "capture"}));
    assert_eq!(serde_json::from_value::<Answer<Done>>(json).unwrap(), Answer::Error(full.clone()));
    let w = full.words();
    assert_eq!(w.key, crate::i18n::Key::StoreFull);
    assert!(matches!(&w.args[0], Arg::Words(n) if n.key == crate::i18n::Key::StoreNotSavedCapture), "{w:?}");
    let busy = Storage { failure: StoreFailure::Unavailable("UnknownError".into()), action: StoreAction::Edit };
    let json = serde_json::to_value(&busy).unwrap();
    assert_eq!(json["failure"], serde_json::json!({"kind": "unavailable", "detail": "UnknownError"}));
    assert_eq!(busy.detail(), Some("UnknownError"));
}

#[test]
fn content_config_never_carries_settings() {
    // What a content script gets is built from the brand list alone; its
    // JSON must not contain the sync section of settings.
    let reply = ContentConfig {
        enabled: true,
        reason: None,
        brands: BrandList::default(),
        departments: vec!["PR".into()],
        defaults: Tags::default(),
    };
    let json = serde_json::to_string(&reply).unwrap();
    assert!(!json.contains("token") && !json.contains("endpoint"), "{json}");
}

/// "Test connection" answers with data; the options page words it in the
/// manager's language (both tables hold the keys: `i18n`'s tests).
#[test]
fn connection_reports_travel_as_data_and_are_worded_where_shown() {
    use crate::i18n::{Arg, Key};
    use crate::sync::client::Problem;
    let cases: Vec<(ConnectionReport, serde_json::Value, bool, &str, Key)> = vec![
        (
            ConnectionReport::TeamLog { team: "Atención".into(), member: "ana".into() },
            serde_json::json!({"result": "teamLog", "team": "Atención", "member": "ana"}),
            true,
            "ok",
            Key::OptionsSyncTestOk,
        ),
        (ConnectionReport::Webhook, serde_json::json!({"result": "webhook"}), true, "ok", Key::OptionsSyncWebhookOk),
        (
            ConnectionReport::Failed(Problem::Unauthorized),
            serde_json::json!({"result": "failed", "code": "unauthorized"}),
            false,
            "unauthorized",
            Key::SyncProblemUnauthorized,
        ),
        (
            ConnectionReport::Failed(Problem::Timeout { seconds: 20 }),
            serde_json::json!({"result": "failed", "code": "timeout", "seconds": 20}),
            false,
            "timeout",
            Key::SyncProblemTimeout,
        ),
    ];
    for (report, wire, ok, code, key) in cases {
        let answer = serde_json::to_value(Answer::Ok(report.clone())).unwrap();
        let mut want = wire.clone();
        want.as_object_mut().unwrap().insert("type".into(), "ok".into());
        assert_eq!(answer, want, "{report:?}");
        let back: Answer<ConnectionReport> = serde_json::from_value(answer).unwrap();
        assert_eq!(back, Answer::Ok(report.clone()));
        assert_eq!((report.ok(), report.code(), report.words().key), (ok, code, key), "{report:?}");
    }
    let team = ConnectionReport::TeamLog { team: "Atención".into(), member: "ana".into() }.words();
    assert_eq!(team.args, vec![Arg::Text("Atención".into()), Arg::Text("ana".into())], "names shown as they are");
}
