//! Hostile pages: huge comments, absurd nesting, missing fields, script
//! links and markup in text. Capture must stay bounded and honest.

use escucha_core::capture::snapshot::{MAX_ANCESTORS, MAX_NODE_TEXT_BYTES};
use escucha_core::capture::text::MAX_COMMENT_BYTES;
use escucha_core::capture::{Method, Snapshot};
use escucha_corpus::Doc;

const NOW: i64 = 1_718_452_800_000;

#[test]
fn a_one_megabyte_comment_is_cut_with_a_marker() {
    let body = "Acme ".to_string() + &"lorem ipsum ".repeat(90_000); // ~1 MB
    let html = format!(
        r#"<html><body><article class="comment" role="article"><a href="/u/x" class="author">x</a><time datetime="2020-01-01T00:00:00Z">1 Jan</time><div class="comment-content">{body}</div></article></body></html>"#
    );
    let doc = Doc::parse(&html, "https://example.com/t/1");
    let (node, s, e) = doc.find("Acme").expect("mention");
    let snap = doc.snapshot(node, s, e);
    assert!(snap.bounded);
    assert!(snap.nodes.iter().all(|n| n.text.len() <= MAX_NODE_TEXT_BYTES));
    let ex = doc.capture(node, s, e, NOW);
    assert!(ex.truncated);
    assert!(ex.comment_text.len() <= MAX_COMMENT_BYTES + 200);
    assert_eq!(ex.original_length as usize, body.encode_utf16().count());
    assert!(
        ex.comment_text.ends_with(&format!("the comment is {} characters long]", body.encode_utf16().count())),
        "{}",
        &ex.comment_text[ex.comment_text.len() - 80..]
    );
    assert!(ex.comment_text.starts_with("Acme lorem ipsum"));
    assert_eq!(ex.author_name.as_deref(), Some("x"));
}

#[test]
fn a_mention_deep_in_a_huge_text_keeps_its_surroundings() {
    let body = "lorem ipsum ".repeat(90_000) + "Acme rocks";
    let html = format!("<html><body><div class=\"post\"><p>{body}</p></div></body></html>");
    let doc = Doc::parse(&html, "https://example.com/t/1");
    let ex = doc.capture_text("Acme", NOW);
    assert_eq!(ex.quote.exact, "Acme");
    assert_eq!(ex.quote.suffix, " rocks");
    assert_eq!(ex.position.start as usize, body.len() - "Acme rocks".len());
}

#[test]
fn comments_nested_five_hundred_deep_stay_bounded() {
    let mut html = String::from("<html><body>");
    for i in 0..500 {
        html.push_str(&format!(
            "<div class=\"comment\" id=\"c{i}\"><span class=\"author\">user{i}</span><div class=\"comment-text\">reply {i}"
        ));
    }
    html.push_str(" Acme at the bottom");
    for _ in 0..500 {
        html.push_str("</div></div>");
    }
    html.push_str("</body></html>");
    let doc = Doc::parse(&html, "https://example.com/t/1");
    let (node, s, e) = doc.find("Acme").expect("mention");
    let snap = doc.snapshot(node, s, e);
    // Never more ancestors than the budget, and it survives a JSON round trip
    // (serde would overflow on a recursive tree; the arena is flat).
    assert!(snap.nodes.len() <= MAX_ANCESTORS * 3 + 10, "{} nodes", snap.nodes.len());
    assert!(snap.bounded);
    let json = serde_json::to_string(&snap).expect("serialize");
    let back: Snapshot = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(back, snap);
    let ex = doc.capture(node, s, e, NOW);
    assert!(ex.comment_text.contains("Acme at the bottom"));
}

#[test]
fn a_page_without_author_or_time_says_none() {
    let html = "<html><head><title>Notes</title></head><body><div><p>Some text about Acme and nothing else.</p><p>More text.</p></div></body></html>";
    let doc = Doc::parse(html, "https://example.com/notes");
    let ex = doc.capture_text("Acme", NOW);
    assert_eq!(ex.method, Method::Block);
    assert_eq!((ex.author_name, ex.author_url, ex.time, ex.permalink, ex.platform), (None, None, None, None, None));
    assert_eq!(ex.comment_text, "Some text about Acme and nothing else.");
    assert_eq!(ex.title.as_deref(), Some("Notes"));
}

#[test]
fn javascript_links_are_never_permalinks_or_profiles() {
    let html = r#"<html><body>
      <li class="comment" id="comment-1"><div class="comment-author vcard"><b class="fn"><a href="javascript:alert(1)" class="url">Mallory</a></b></div>
      <div class="comment-metadata"><a href=" JaVaScRiPt:alert(2)"><time datetime="2020-01-01T00:00:00Z">Jan 1</time></a></div>
      <div class="comment-content"><p>Acme is great</p></div><a href="data:text/html,x" rel="bookmark">link</a></li>
      <li class="comment" id="comment-2"><div class="comment-content"><p>other</p></div></li></body></html>"#;
    let doc = Doc::parse(html, "https://blog.example.com/post");
    let ex = doc.capture_text("Acme", NOW);
    assert_eq!(ex.platform.as_deref(), Some("wordpress"));
    assert_eq!(ex.author_name.as_deref(), Some("Mallory"));
    assert_eq!(ex.author_url, None);
    for url in [&ex.permalink, &ex.author_url].into_iter().flatten() {
        assert!(url.starts_with("https://") || url.starts_with("http://"), "{url}");
    }
    // The only safe permalink left is the comment's own anchor.
    assert_eq!(ex.permalink.as_deref(), Some("https://blog.example.com/post#comment-1"));
}

#[test]
fn html_in_text_stays_plain_text() {
    let html = r#"<html><body><div class="comment" role="comment"><span class="author">eve</span>
      <div class="comment-body">Acme &lt;img src=x onerror=alert(1)&gt; &lt;script&gt;bad()&lt;/script&gt;</div></div></body></html>"#;
    let doc = Doc::parse(html, "https://example.com/");
    let ex = doc.capture_text("Acme", NOW);
    assert_eq!(ex.comment_text, "Acme <img src=x onerror=alert(1)> <script>bad()</script>");
    assert_eq!(ex.author_name.as_deref(), Some("eve"));
    // Serialized, it is a JSON string: a consumer that sets textContent shows it verbatim.
    let json = serde_json::to_value(&ex).expect("json");
    assert_eq!(json["commentText"], "Acme <img src=x onerror=alert(1)> <script>bad()</script>");
}
