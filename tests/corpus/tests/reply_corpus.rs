//! The verified response on the real threads of `../shared/corpus/forums`
//! (needs it; skips without it unless `ESCUCHA_REQUIRE_CORPUS=1`): prints
//! precision and recall (see `escucha_corpus::reply_bench`) and fails when
//! either drops below what was measured, less one point.

use escucha_corpus::{corpus_dir, reply_bench};

/// Measured when the verified response was added (issue 13): 49 correct of
/// 65 returned, 151 gold pairs (see README, *Verified response*).
const PRECISION: f64 = 0.754;
const RECALL: f64 = 0.325;

#[test]
fn verified_response_on_real_threads() {
    let Some(dir) = corpus_dir() else { return };
    let report = reply_bench::run(&dir.join("forums")).expect("corpus threads");
    report.print();
    assert!(report.gold_pairs > 0, "no quote pairs found in the gold");
    assert!(report.precision() >= PRECISION - 0.01, "precision {:.4} < {PRECISION}", report.precision());
    assert!(report.recall() >= RECALL - 0.01, "recall {:.4} < {RECALL}", report.recall());
}
