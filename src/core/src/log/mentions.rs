//! `@member` mentions in a comment: which of the team's members a comment
//! names, so each can be notified. A mention matches a member's name folded
//! the way the log search folds text (no case, no accents), so `@ana`,
//! `@Ana` and `@Ána` all name "Ana"; a name with spaces is matched whole
//! (`@Ana María`), and the longest member name wins (`@Ana María` names
//! "Ana María", not "Ana"). An address such as `ana@example.com` is not a
//! mention: the `@` must start the text or follow a non-word character.

use super::query_api::fold;

/// The members (spelled as in `members`, each once, in `members` order)
/// that `text` mentions with `@name`.
pub fn mentioned(text: &str, members: &[String]) -> Vec<String> {
    // Longest names first, so "@Ana María" is not read as "@Ana".
    let mut folded: Vec<(usize, String)> =
        members.iter().enumerate().map(|(i, m)| (i, fold(m.trim()))).filter(|(_, f)| !f.is_empty()).collect();
    folded.sort_by(|a, b| b.1.chars().count().cmp(&a.1.chars().count()).then(a.0.cmp(&b.0)));
    let mut hit = vec![false; members.len()];
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(at, c)) in chars.iter().enumerate() {
        if c != '@' {
            continue;
        }
        if k > 0 && is_word(chars[k - 1].1) {
            continue; // an e-mail address, not a mention
        }
        let rest = &text[at + 1..];
        for (i, name) in &folded {
            if starts_with_name(rest, name) {
                hit[*i] = true;
                break;
            }
        }
    }
    members.iter().zip(hit).filter(|(_, h)| *h).map(|(m, _)| m.clone()).collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '-'
}

/// Whether `rest` begins with `name` (both compared folded) and the name
/// ends there (not "@anabel" for "ana").
fn starts_with_name(rest: &str, name: &str) -> bool {
    let want = name.chars().count();
    // Fold a prefix with as many characters as the name, and one more to see
    // where it ends. Folding can change lengths only for rare characters
    // (ligatures); those names simply need their exact letters.
    let prefix: String = rest.chars().take(want).collect();
    if fold(&prefix) != name {
        return false;
    }
    match rest.chars().nth(want) {
        None => true,
        Some(next) => !(next.is_alphanumeric() || next == '_'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mentions_name_members_folded() {
        let team = m(&["Ana", "Ana María", "bo", "José"]);
        let cases: [(&str, &[&str]); 9] = [
            ("@ana ¿lo ves?", &["Ana"]),
            ("@ÁNA, @jose: mirad", &["Ana", "José"]),
            ("pregunta a @Ana María", &["Ana María"]),
            ("@anabel no es del equipo", &[]),
            ("escribe a ana@example.com", &[]),
            ("@bo.", &["bo"]),
            ("@nadie", &[]),
            ("@bo @bo @BO", &["bo"]),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(mentioned(text, &team), m(want), "{text}");
        }
    }
}
