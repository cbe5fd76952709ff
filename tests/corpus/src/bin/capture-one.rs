//! `capture-one FILE.json POST_INDEX`: show what capture extracts for one
//! gold post of the forum corpus (a development aid for the benchmark).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let raw = std::fs::read_to_string(&args[0]).expect("read file");
    let v: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let doc = escucha_corpus::Doc::parse(v["html"].as_str().unwrap_or(""), v["url"].as_str().unwrap_or(""));
    let i: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let gold = &v["gold_standard_annotation"][i];
    println!("gold: {}", serde_json::to_string_pretty(gold).unwrap_or_default());
    let nodes: Vec<_> = doc.text_nodes().into_iter().map(|(id, t)| (id, t, escucha_core::capture::json_ld::fingerprint(t))).collect();
    let Some((node, s, e)) = escucha_corpus::fidelity::locate(&nodes, gold["post_text"]["surface_form"].as_str().unwrap_or("")) else {
        println!("not located");
        return;
    };
    let ex = doc.capture(node, s, e, escucha_corpus::fidelity::NOW_MS);
    println!("{}", serde_json::to_string_pretty(&ex).unwrap_or_default());
}
