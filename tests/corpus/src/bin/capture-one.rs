//! `capture-one FILE.json POST_INDEX`: show what capture extracts, with its
//! confidences, at the first, middle and last word of one gold post of the
//! forum corpus (a development aid for the benchmark).
use std::collections::HashMap;

use escucha_corpus::fidelity::{post_nodes, NOW_MS};
use escucha_corpus::mention::{words, Fingerprinted, PageText, Placement};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let raw = std::fs::read_to_string(&args[0]).expect("read file");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let doc = escucha_corpus::Doc::parse(v["html"].as_str().unwrap_or(""), v["url"].as_str().unwrap_or(""));
    let i: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let gold = &v["gold_standard_annotation"][i];
    println!("gold: {}", serde_json::to_string_pretty(gold).unwrap_or_default());
    let text = PageText::new(&doc);
    let rendering = Fingerprinted::new(v["text"].as_str().unwrap_or(""));
    let post = &gold["post_text"];
    let found = post_nodes(
        &text,
        &rendering,
        post["surface_form"].as_str().unwrap_or(""),
        post["start"].as_u64().unwrap_or(0) as u32,
        post["end"].as_u64().unwrap_or(0) as u32,
        &mut HashMap::new(),
    );
    let post_words: Vec<(usize, (u32, u32))> =
        found.nodes.iter().flat_map(|&n| words(text.nodes[n].1).into_iter().map(move |w| (n, w.utf16))).collect();
    if post_words.is_empty() {
        println!("not located");
        return;
    }
    for placement in Placement::ALL {
        let (n, (s, e)) = placement.pick(&post_words).expect("words");
        let (ex, conf) = doc.capture_scored(text.nodes[n].0, s, e, NOW_MS);
        println!("== {placement:?}: {conf:?}\n{}", serde_json::to_string_pretty(&ex).unwrap_or_default());
    }
}
