//! Words at display time: the core hands over [`Words`] (a key and its
//! placeholders); here they become text in the browser's UI language, and
//! counts pick their plural form by that language's rule (one helper, the
//! core's [`count_key`]).

use escucha_core::i18n::{count_key, Arg, Key, Words};

use crate::platform::t;

/// The sentence in the user's language; placeholders that are words are worded too.
pub fn say(w: &Words) -> String {
    let args: Vec<String> = w
        .args
        .iter()
        .map(|a| match a {
            Arg::Text(s) => s.clone(),
            Arg::Words(inner) => say(inner),
        })
        .collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    t(w.key, &refs)
}

/// A stored department as the manager reads it: a default department in the
/// UI language, any other as stored.
pub fn department(stored: &str) -> String {
    match escucha_core::settings::DefaultDepartment::of(stored) {
        Some(d) => t(d.key(), &[]),
        None => stored.to_string(),
    }
}

/// The language the shown strings are in ("en", "es"): what the plural rule follows.
pub fn language() -> String {
    t(Key::OptionsLanguageCode, &[])
}

/// The key for `n` things in the shown language: `one` or `other`.
pub fn count(n: u64, one: Key, other: Key) -> Key {
    count_key(&language(), n, one, other)
}
