use proptest::prelude::*;

use super::*;
use crate::capture::extract::TextScope;
use crate::capture::{selector, CommentTime as FoundTime, Method, Precision};
use crate::log::ingest::{ingest_capture, next_stamp};
use crate::log::record::uuid_v7;
use crate::log::{Stamp, Tags};
use crate::sync::validate::parse_capture;

const NOW: i64 = 1_750_000_000_000;

/// Characters pages throw at us, weighted towards the troublesome ones.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
        2 => Just('\u{1E}'), // the page text's block separator
        1 => Just('\u{1F}'),
        2 => Just('\n'),
        1 => Just('\r'),
        1 => Just('\t'),
        1 => prop::char::range('\u{0}', '\u{1F}'),
        1 => prop::char::range('\u{7F}', '\u{9F}'),
        1 => prop::sample::select(vec!['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{61C}']),
        1 => prop::sample::select(vec!['é', 'ñ', '\u{301}', '中', '😀', '\u{FEFF}', '\u{AD}', '\u{200B}', '\u{2028}', '\u{FFFD}', '\u{A0}']),
        1 => any::<char>(),
    ]
}

fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Text as it reaches Rust from JavaScript after being sliced at an arbitrary
/// UTF-16 offset: a lone surrogate half becomes U+FFFD in the conversion.
fn sliced_text() -> impl Strategy<Value = String> {
    (hostile_text(80), any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(s, a, b)| {
        let units: Vec<u16> = s.encode_utf16().collect();
        if units.is_empty() {
            return s;
        }
        let (a, b) = (a.index(units.len() + 1), b.index(units.len() + 1));
        String::from_utf16_lossy(&units[a.min(b)..a.max(b)])
    })
}

fn field_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => hostile_text(60),
        1 => sliced_text(),
        1 => Just(String::new()),
        // Over every limit, cheaply: a long run plus hostile edges.
        1 => (hostile_text(8), 0usize..3_000, hostile_text(8)).prop_map(|(a, n, b)| format!("{a}{}{b}", "x\u{1E}é".repeat(n))),
    ]
    .boxed()
}

fn url_text() -> BoxedStrategy<String> {
    prop_oneof![
        2 => (field_text(), field_text()).prop_map(|(a, b)| format!("https://foro.example/t/{a}?q={b}")),
        1 => field_text().prop_map(|a| format!("HTTP://{a}")),
        1 => field_text().prop_map(|a| format!(" https://x.example/{a}#\u{202E}p ")),
        1 => field_text(),
        1 => Just("javascript:alert(1)".to_string()),
        1 => (0usize..6_000).prop_map(|n| format!("https://x.example/{}", "a".repeat(n))),
    ]
    .boxed()
}

prop_compose! {
    fn extraction()(
        comment in field_text(), author in prop::option::of(field_text()), author_url in prop::option::of(url_text()),
        time in prop::option::of((field_text(), field_text())), permalink in prop::option::of(url_text()),
        platform in prop::option::of(field_text()), page_url in url_text(), canonical in prop::option::of(url_text()),
        title in prop::option::of(field_text()), site in prop::option::of(field_text()), lang in prop::option::of(field_text()),
        truncated in any::<bool>(), original_length in any::<u32>(), passage in any::<bool>(),
    ) -> Extraction {
        Extraction {
            comment_text: comment,
            text_scope: if passage { TextScope::Passage } else { TextScope::Post },
            truncated,
            original_length,
            author_name: author,
            author_url,
            time: time.map(|(original, utc)| FoundTime { original, utc, epoch_ms: 0, zone: Zone::Assumed, precision: Precision::Minute }),
            permalink,
            platform,
            method: Method::Repetition,
            page_url,
            canonical_url: canonical,
            title,
            site_name: site,
            lang,
            quote: Default::default(),
            position: Default::default(),
        }
    }
}

/// The page text the content script sees (block separators between blocks)
/// and a mention at arbitrary UTF-16 offsets in it.
fn page_and_mention() -> impl Strategy<Value = (String, u32, u32)> {
    (prop::collection::vec(field_text(), 1..6), any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(blocks, a, b)| {
        let text = blocks.join("\u{1E}");
        let n = text.encode_utf16().count() + 1;
        let (a, b) = (a.index(n) as u32, b.index(n) as u32);
        (text, a.min(b), a.max(b))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    /// Whatever the page gave, the capture the core builds passes the one
    /// validation and the server's parse, or (only when the page itself has
    /// no web address) is refused before it is stored.
    #[test]
    fn every_capture_built_from_a_page_is_accepted_by_the_team_log(
        x in extraction(), (page, start, end) in page_and_mention(), brand in field_text(), term in field_text(),
        member in field_text(), random in any::<[u8; 10]>(), note in field_text(), tags in prop::collection::vec(field_text(), 0..4),
        department in prop::option::of(field_text()),
    ) {
        let (quote, position) = selector::describe(&page, start, end);
        let quote = TextQuote { exact: quote.exact, prefix: quote.prefix, suffix: quote.suffix };
        let ctx = from_extraction(x, &brand, &term, quote, Some(TextPosition { start: position.start, end: position.end }));
        prop_assert_eq!(sanitize_context(ctx.clone()), ctx.clone(), "cleaning is idempotent");
        let stamp = next_stamp(&Stamp::default(), None, NOW, "dev-a");
        let wanted = Tags { note: note.chars().take(crate::log::record::MAX_NOTE_CHARS).collect(), tags, department, ..Tags::default() };
        let id = uuid_v7(NOW, random);
        match ingest_capture(None, ctx.clone(), Some(&wanted), &Tags::default(), &member, id, stamp) {
            Ok(done) => {
                prop_assert_eq!(validate_capture(&done.record, NOW), Ok(()));
                let json = serde_json::to_value(&done.record).unwrap();
                prop_assert!(parse_capture(&json, NOW).is_ok(), "{:?}", parse_capture(&json, NOW));
            }
            Err(why) => {
                // Only a page that is not a web page, or tags the manager made too long.
                let tag_problem = why.contains("tag") || why.contains("Tag");
                prop_assert!(page_url_problem(&ctx).is_some() || tag_problem, "refused a page capture: {}", why);
            }
        }
    }

    /// A record quarantined for page text is repaired by the same cleaning.
    #[test]
    fn records_with_page_text_problems_are_repaired(prefix in field_text(), author in field_text(), comment in field_text()) {
        let ctx = CaptureContext {
            page_url: "https://foro.example/t/1".into(),
            comment_text: comment,
            author_name: Some(author),
            quote: TextQuote { exact: "Movistar".into(), prefix, suffix: "\u{1E}fin".into() },
            ..Default::default()
        };
        let c = Capture::new(uuid_v7(NOW, [7; 10]), ctx, &Tags::default(), "ana", Stamp { ms: NOW, counter: 0, actor: "dev-a".into() });
        match repair(&c, NOW) {
            Repair::Repaired(fixed) => {
                prop_assert_eq!(validate_capture(&fixed, NOW), Ok(()));
                prop_assert_eq!(fixed.last_stamp(), c.last_stamp(), "no new stamp");
                prop_assert_eq!(repair(&fixed, NOW), Repair::Valid);
            }
            Repair::Valid => prop_assert_eq!(validate_capture(&c, NOW), Ok(())),
            Repair::NeedsManager(e) => prop_assert!(false, "page text needed the manager: {}", e),
        }
    }
}

#[test]
fn the_demo_page_captures_are_fixed() {
    // What the demo forum gave: a quote whose prefix crosses the block separator.
    let page = "Foro\u{1E}ana_m · hace 2 horas\u{1E}Movistar me cobró dos veces.\nOtra línea";
    let at = page.find("Movistar").unwrap();
    let s = page[..at].encode_utf16().count() as u32;
    let (q, p) = selector::describe(page, s, s + 8);
    assert!(q.prefix.contains('\u{1E}'), "the raw selector carries the separator");
    let ctx = sanitize_context(CaptureContext {
        page_url: "http://127.0.0.1:8787/demo/forum.html".into(),
        quote: TextQuote { exact: q.exact, prefix: q.prefix, suffix: q.suffix },
        position: Some(TextPosition { start: p.start, end: p.end }),
        ..Default::default()
    });
    assert_eq!(ctx.quote.prefix, "Foro ana_m · hace 2 horas ");
    assert_eq!(ctx.quote.suffix, " me cobró dos veces. Otra línea");
}

#[test]
fn fields_are_cleaned_table() {
    let cases: [(&str, String, &str); 6] = [
        ("one line", one_line("  ana\u{1E}\n m\u{202E}oc\t ", 500), "ana moc"),
        ("cut at a char", one_line(&"é".repeat(600), 500), &"é".repeat(500)),
        ("free text", free_text("a\u{1E}b\u{0}c\r\nd\u{85}", 100), "a\nbc\r\nd"),
        ("link spaces", web_url(" https://x.example/a b\u{202E}c ").unwrap(), "https://x.example/a%20bc"),
        ("link nbsp", web_url("https://x.example/a\u{A0}b").unwrap(), "https://x.example/a%C2%A0b"),
        ("upper scheme", web_url("HTTPS://X.example").unwrap(), "HTTPS://X.example"),
    ];
    for (what, got, want) in cases {
        assert_eq!(got, want, "{what}");
    }
    for bad in ["javascript:alert(1)", "https://", "https:///x", "ftp://x.example", ""] {
        assert_eq!(web_url(bad), None, "{bad}");
    }
    assert_eq!(web_url(&format!("https://x.example/{}", "a".repeat(MAX_URL_CHARS))), None, "a cut link is a wrong link");
    let long_page = format!("https://x.example/p?{}#{}", "q".repeat(MAX_URL_CHARS), "f".repeat(10));
    assert_eq!(page_url(&long_page), "https://x.example/p");
}

#[test]
fn a_megabyte_comment_is_cut_and_its_length_kept() {
    let comment = format!("{}\u{1E}fin", "texto de relleno ".repeat(62_000));
    let n = comment.chars().count();
    let ctx = sanitize_context(CaptureContext { page_url: "https://x.example/".into(), comment_text: comment, ..Default::default() });
    assert_eq!(ctx.comment_text.chars().count(), MAX_COMMENT_CHARS);
    assert_eq!(ctx.comment_length, Some(n as u32));
}

#[test]
fn repair_decisions_table() {
    let base = || {
        let ctx = CaptureContext { page_url: "https://foro.example/t/1".into(), comment_text: "hola".into(), ..Default::default() };
        Capture::new(uuid_v7(NOW, [1; 10]), ctx, &Tags::default(), "ana", Stamp { ms: NOW, counter: 0, actor: "dev-a".into() })
    };
    type Breaker = fn(&mut Capture);
    let cases: Vec<(&str, Breaker, &str)> = vec![
        ("fine", |_| {}, "valid"),
        ("separator in prefix", |c| c.context.value.quote.prefix = "a\u{1E}b".into(), "repaired"),
        ("newline in author", |c| c.context.value.author_name = Some("ana\nbo".into()), "repaired"),
        ("bidi in permalink", |c| c.context.value.permalink = Some("https://x.example/\u{202E}p".into()), "repaired"),
        ("long comment", |c| c.context.value.comment_text = "x".repeat(MAX_COMMENT_CHARS + 9), "repaired"),
        ("control in tag", |c| crate::log::validate::fixture::tags(c, vec!["a\u{7}b".into()]), "repaired"),
        ("long note", |c| crate::log::validate::fixture::comment(c, &"n".repeat(crate::log::record::MAX_NOTE_CHARS + 1)), "manager"),
        ("bad id", |c| c.id = "x".into(), "manager"),
        ("future stamp", |c| c.status.stamp.ms = NOW + 3 * 86_400_000, "manager"),
        ("not a web page", |c| c.context.value.page_url = "file:///x".into(), "manager"),
    ];
    for (what, breaker, want) in cases {
        let mut c = base();
        breaker(&mut c);
        let got = match repair(&c, NOW) {
            Repair::Valid => "valid",
            Repair::Repaired(_) => "repaired",
            Repair::NeedsManager(_) => "manager",
        };
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn a_cleaned_quote_still_picks_its_own_occurrence_on_revisit() {
    // Two posts start with the same word; the capture of the second keeps
    // its context (separator cleaned to a space) and finds it again.
    let page = "Foro\u{1E}ana · hace 2 horas\u{1E}Movistar me cobró\u{1E}bo · ayer\u{1E}Movistar me cobró";
    let second = page.rfind("Movistar").unwrap();
    let s = page[..second].encode_utf16().count() as u32;
    let (q, _) = selector::describe(page, s, s + 8);
    let ctx = sanitize_context(CaptureContext {
        page_url: "https://x.example/".into(),
        quote: TextQuote { exact: q.exact, prefix: q.prefix, suffix: q.suffix },
        ..Default::default()
    });
    assert!(!ctx.quote.prefix.contains('\u{1E}'));
    let stored = selector::TextQuoteSelector { exact: ctx.quote.exact, prefix: ctx.quote.prefix, suffix: ctx.quote.suffix };
    // No position hint: only the prefix can tell the two apart.
    assert_eq!(selector::anchor(page, &stored, None).map(|r| r.start), Some(s));
}
