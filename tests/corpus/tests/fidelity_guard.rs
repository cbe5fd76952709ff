//! Regression guard for the capture fidelity benchmark: fails if any field's
//! accuracy over the forum corpus drops below the level reached when this
//! guard was set (minus a small margin). Figures: `make bench-capture`.

use std::path::PathBuf;

/// (field, floor): measured 83.5 / 62.4 / 61.9 / 59.9 %, minus 2.5 points.
const FLOORS: [(&str, f64); 4] = [("text", 0.81), ("author", 0.599), ("time", 0.594), ("permalink", 0.574)];

#[test]
fn capture_fidelity_does_not_regress() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/forums");
    let report = escucha_corpus::fidelity::run(&dir).unwrap_or_else(|e| panic!("the forum corpus must be at {}: {e}", dir.display()));
    report.print();
    assert_eq!(report.files, 58, "the corpus has 58 threads");
    assert!(report.total.posts >= 700, "gold posts: {}", report.total.posts);
    let t = &report.total;
    for (field, floor) in FLOORS {
        let score = match field {
            "text" => &t.text,
            "author" => &t.author,
            "time" => &t.time,
            _ => &t.permalink,
        };
        assert!(score.accuracy() >= floor, "{field} accuracy {:.3} fell below {floor}", score.accuracy());
    }
}
