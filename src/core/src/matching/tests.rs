//! Matcher tests. Most are rows of (groups, text, expected): the expected text
//! is the input with every mention wrapped in ⟦ ⟧, rebuilt from the UTF-16
//! offsets the matcher returns, so a wrong offset shows as a misplaced bracket.

use super::*;
use crate::brands::{BrandGroup, BrandKind, Term, TermOptions};

/// A term from a spec: prefixes `[cs]` case-sensitive, `[ds]`
/// diacritic-sensitive, `[sub]` not whole-word, `[re]` regex; a leading `!`
/// makes it an exclusion of the group.
fn group(i: usize, specs: &[&str]) -> BrandGroup {
    let mut terms = Vec::new();
    let mut exclusions = Vec::new();
    for spec in specs {
        if let Some(x) = spec.strip_prefix('!') {
            exclusions.push(x.to_string());
            continue;
        }
        let mut s = *spec;
        let mut o = TermOptions::default();
        loop {
            if let Some(r) = s.strip_prefix("[cs]") {
                o.case_sensitive = true;
                s = r;
            } else if let Some(r) = s.strip_prefix("[ds]") {
                o.diacritic_sensitive = true;
                s = r;
            } else if let Some(r) = s.strip_prefix("[sub]") {
                o.whole_word = false;
                s = r;
            } else if let Some(r) = s.strip_prefix("[re]") {
                o.regex = true;
                s = r;
            } else {
                break;
            }
        }
        terms.push(Term { text: s.to_string(), options: o });
    }
    BrandGroup {
        id: format!("g{i}"),
        name: format!("Group {i}"),
        kind: BrandKind::Own,
        color: "#f90".into(),
        enabled: true,
        terms,
        exclusions,
    }
}

fn list(groups: &[&[&str]]) -> BrandList {
    BrandList { version: 1, groups: groups.iter().enumerate().map(|(i, g)| group(i, g)).collect() }
}

/// Check the invariants every result must hold, then render with ⟦ ⟧.
fn render(text: &str, found: &[Mention]) -> String {
    let u: Vec<u16> = text.encode_utf16().collect();
    let mut out = String::new();
    let mut at = 0usize;
    for m in found {
        let (s, e) = (m.start as usize, m.end as usize);
        assert!(s >= at && s < e && e <= u.len(), "unsorted/overlapping/out of range: {found:?} in {text:?}");
        out.push_str(&String::from_utf16(&u[at..s]).expect("start splits a surrogate pair"));
        out.push('⟦');
        out.push_str(&String::from_utf16(&u[s..e]).expect("end splits a surrogate pair"));
        out.push('⟧');
        at = e;
    }
    out.push_str(&String::from_utf16(&u[at..]).unwrap());
    out
}

fn run(groups: &[&[&str]], text: &str) -> String {
    let m = Matcher::new(&list(groups)).unwrap_or_else(|e| panic!("{e}"));
    render(text, &m.find(text))
}

#[test]
fn matching_table() {
    type Row = (&'static [&'static [&'static str]], &'static str, &'static str);
    let rows: &[Row] = &[
        // Spanish, diacritics both ways, case.
        (&[&["Telefónica"]], "Llamé a Telefonica ayer", "Llamé a ⟦Telefonica⟧ ayer"),
        (&[&["Telefonica"]], "Llamé a Telefónica ayer", "Llamé a ⟦Telefónica⟧ ayer"),
        (&[&["Telefónica"]], "TELEFÓNICA, telefónica y TeLeFoNiCa.", "⟦TELEFÓNICA⟧, ⟦telefónica⟧ y ⟦TeLeFoNiCa⟧."),
        (&[&["Movistar"]], "¿Movistar? ¡MOVISTAR! «movistar»", "¿⟦Movistar⟧? ¡⟦MOVISTAR⟧! «⟦movistar⟧»"),
        // Decomposed (NFD) text and terms.
        (&[&["Telefónica"]], "Llame\u{301} a Telefo\u{301}nica", "Llame\u{301} a ⟦Telefo\u{301}nica⟧"),
        (&[&["Telefo\u{301}nica"]], "Llamé a Telefónica", "Llamé a ⟦Telefónica⟧"),
        // Portuguese, French, Vietnamese.
        (&[&["Telefónica"]], "A Telefônica é a dona da Vivo.", "A ⟦Telefônica⟧ é a dona da Vivo."),
        (&[&["Acao"], &["Coração"]], "Ação no CORACAO", "⟦Ação⟧ no ⟦CORACAO⟧"),
        (
            &[&["Carrefour"], &["Leclerc"]],
            "J'ai acheté chez Carrefour, pas chez Leclerc.",
            "J'ai acheté chez ⟦Carrefour⟧, pas chez ⟦Leclerc⟧.",
        ),
        (&[&["oeuvre"], &["Élysée"]], "Une Œuvre près de l'Elysee", "Une ⟦Œuvre⟧ près de l'⟦Elysee⟧"),
        (&[&["Viettel"], &["Da Nang"]], "Tôi dùng Viettel ở Đà Nẵng", "Tôi dùng ⟦Viettel⟧ ở ⟦Đà Nẵng⟧"),
        (&[&["Việt"]], "Tiếng Vie\u{323}\u{302}t, tieng Viet", "Tiếng ⟦Vie\u{323}\u{302}t⟧, tieng ⟦Viet⟧"),
        (&[&["Việt"]], "Vie\u{302}\u{323}t (marks out of canonical order)", "⟦Vie\u{302}\u{323}t⟧ (marks out of canonical order)"),
        // Invisible characters inside words are ignored; outside, not highlighted.
        (&[&["Telefónica"]], "Tele\u{AD}fónica es", "⟦Tele\u{AD}fónica⟧ es"),
        (
            &[&["Movistar"]],
            "Movi\u{200D}star y Movi\u{200B}\u{200C}star\u{FEFF}",
            "⟦Movi\u{200D}star⟧ y ⟦Movi\u{200B}\u{200C}star⟧\u{FEFF}",
        ),
        (&[&["Movistar"]], "\u{200B}Movistar\u{2060}.", "\u{200B}⟦Movistar⟧\u{2060}."),
        // White space runs.
        (
            &[&["El Corte Inglés"]],
            "En El Corte\u{A0}Inglés y en el\u{A0}\n corte   ingles",
            "En ⟦El Corte\u{A0}Inglés⟧ y en ⟦el\u{A0}\n corte   ingles⟧",
        ),
        (&[&["ACME Corp"]], "ACME\u{A0}\n Corp\tACME \u{200B} Corp", "⟦ACME\u{A0}\n Corp⟧\t⟦ACME \u{200B} Corp⟧"),
        // Whole words.
        (&[&["Zara"]], "Zara no está en Zaragoza", "⟦Zara⟧ no está en Zaragoza"),
        (
            &[&["Zara"]],
            "Zara2 Zaraç ñZara 中Zara Zara\u{93F} xZara Zara_ (Zara)",
            "Zara2 Zaraç ñZara 中Zara Zara\u{93F} xZara ⟦Zara⟧_ (⟦Zara⟧)",
        ),
        (&[&["McDonald"], &["L'Oréal"]], "McDonald's y l’Oréal", "⟦McDonald⟧'s y ⟦l’Oréal⟧"),
        (
            &[&["Movistar"]],
            "#Movistar @movistar_es \"Movistar\" 'Movistar' 😀Movistar😀",
            "#⟦Movistar⟧ @⟦movistar⟧_es \"⟦Movistar⟧\" '⟦Movistar⟧' 😀⟦Movistar⟧😀",
        ),
        (&[&["C++"], &["C#"]], "Uso C++ y C#, no Cx", "Uso ⟦C++⟧ y ⟦C#⟧, no Cx"),
        (&[&["[sub]Zara"]], "Zaragoza y Zara", "⟦Zara⟧goza y ⟦Zara⟧"),
        (&[&["[sub]fónica"]], "Telefonica", "Tele⟦fonica⟧"),
        // ñ folds to n by default; diacritic-sensitive keeps them apart.
        (&[&["Niño"]], "Niño, Nino, NIÑO, Nin\u{303}o", "⟦Niño⟧, ⟦Nino⟧, ⟦NIÑO⟧, ⟦Nin\u{303}o⟧"),
        (&[&["[ds]Niño"]], "Niño, Nino, NIÑO, Nin\u{303}o", "⟦Niño⟧, Nino, ⟦NIÑO⟧, ⟦Nin\u{303}o⟧"),
        (&[&["[ds]Telefónica"]], "Telefónica y Telefonica", "⟦Telefónica⟧ y Telefonica"),
        // Case-sensitive override.
        (&[&["[cs]ONCE"]], "La ONCE vende cupones; once personas; Once", "La ⟦ONCE⟧ vende cupones; once personas; Once"),
        (&[&["[cs][ds]ÑU"]], "ÑU, ñu, NU, N\u{303}U", "⟦ÑU⟧, ñu, NU, ⟦N\u{303}U⟧"),
        (&[&["once"], &["[cs]ONCE"]], "ONCE y once", "⟦ONCE⟧ y ⟦once⟧"),
        // Length-changing case and folds.
        (&[&["Straße"]], "STRASSE, Strasse y Straße", "⟦STRASSE⟧, ⟦Strasse⟧ y ⟦Straße⟧"),
        (&[&["istanbul"]], "İSTANBUL", "⟦İSTANBUL⟧"),
        (&[&["Ελλάδα"]], "ΕΛΛΑΔΑ", "⟦ΕΛΛΑΔΑ⟧"),
        // Longest match wins, across groups; leftmost first.
        (&[&["ACME Corp", "Acme"]], "Compré en ACME Corp. y en Acme", "Compré en ⟦ACME Corp⟧. y en ⟦Acme⟧"),
        (&[&["Acme"], &["ACME Corp"]], "Acme Corp", "⟦Acme Corp⟧"),
        (&[&["ACME Corp", "Acme"]], "Acme Corporation", "⟦Acme⟧ Corporation"),
        (&[&["Banco Santander"], &["Santander Consumer"]], "Banco Santander Consumer", "⟦Banco Santander⟧ Consumer"),
        // Blocks: no match across the separator, which is a boundary.
        (&[&["ACME Corp"]], "ACME\u{1E}Corp", "ACME\u{1E}Corp"),
        (&[&["Acme"]], "ACME\u{1E}Corp\u{1E}acme", "⟦ACME⟧\u{1E}Corp\u{1E}⟦acme⟧"),
        // Exclusions.
        (&[&["Orange", "!Orange County"]], "Orange County, Orange y orange county", "Orange County, ⟦Orange⟧ y orange county"),
        (&[&["Orange", "!Orange County"]], "ORANGE\u{A0}COUNTY Orange Countyside", "ORANGE\u{A0}COUNTY ⟦Orange⟧ Countyside"),
        (&[&["Orange"], &["County", "!Orange County"]], "Orange County; County", "⟦Orange⟧ County; ⟦County⟧"),
        // Astral-plane characters before a match.
        (&[&["Movistar"]], "😀🇪🇸 𝔸 Movistar 😀", "😀🇪🇸 𝔸 ⟦Movistar⟧ 😀"),
        // Regex terms.
        (&[&[r"[re]telef[oó]nica\d*"]], "Telefonica2024 y TELEFÓNICA", "⟦Telefonica2024⟧ y ⟦TELEFÓNICA⟧"),
        (&[&["[re]acme"]], "acmex acme", "acmex ⟦acme⟧"),
        (&[&["[re]acme corp|acme"]], "Acme Corporation, ACME corp", "⟦Acme⟧ Corporation, ⟦ACME corp⟧"),
        (&[&["[re][cs]ON[A-Z]E"]], "ONCE once OnCe", "⟦ONCE⟧ once OnCe"),
        (&[&["[re][ds]niño"]], "Niño nino Nin\u{303}o", "⟦Niño⟧ nino ⟦Nin\u{303}o⟧"),
        (&[&["[re]^orange"]], "orange y orange\u{1E}Orange", "⟦orange⟧ y orange\u{1E}⟦Orange⟧"),
        (&[&["[re][sub]fon"]], "Telefónica", "Tele⟦fón⟧ica"),
        (&[&["[re]acme.corp"]], "acme\u{1E}corp", "acme\u{1E}corp"),
    ];
    for (groups, text, want) in rows {
        assert_eq!(run(groups, text), *want, "groups {groups:?}");
    }
}

#[test]
fn group_and_term_indices() {
    let mut l = list(&[&["Acme"], &["Movistar", "ACME Corp"]]);
    l.groups.insert(0, group(9, &["Zara"]));
    l.groups[0].enabled = false;
    let m = Matcher::new(&l).unwrap();
    assert_eq!(m.group_count(), 3);
    let found = m.find("Zara, ACME Corp, acme, movistar");
    let got: Vec<(u32, u32)> = found.iter().map(|m| (m.group, m.term)).collect();
    assert_eq!(got, [(2, 1), (1, 0), (2, 0)], "disabled group 0 is skipped but indices stay");
}

#[test]
fn utf16_offsets_are_exact() {
    let text = "😀🇪🇸 a\u{1D538} Movistar é\u{301}Acme";
    let m = Matcher::new(&list(&[&["Movistar"], &["[sub]acme"]])).unwrap();
    let found = m.find(text);
    let u: Vec<u16> = text.encode_utf16().collect();
    let start = "😀🇪🇸 a\u{1D538} ".encode_utf16().count() as u32;
    assert_eq!((found[0].start, found[0].end), (start, start + 8));
    assert_eq!(String::from_utf16(&u[found[1].start as usize..found[1].end as usize]).unwrap(), "Acme");
    assert_eq!(found[1].end as usize, u.len());
}

#[test]
fn empty_and_disabled() {
    let mut l = list(&[&["Acme"]]);
    l.groups[0].enabled = false;
    let m = Matcher::new(&l).unwrap();
    assert!(m.is_empty());
    assert!(m.find("Acme").is_empty());
    let l = list(&[&["!Acme"]]);
    assert!(Matcher::new(&l).unwrap().is_empty(), "exclusions alone match nothing");
    let m = Matcher::new(&list(&[&["Acme"]])).unwrap();
    assert!(!m.is_empty());
    assert!(m.find("").is_empty());
    assert!(Matcher::new(&list(&[&["  "]])).is_err(), "new() validates");
}

#[test]
fn scratch_reuse_gives_the_same_answers() {
    let m = Matcher::new(&list(&[&["Telefónica", "[cs]ONCE", "[re][ds]niño"], &["Acme", "!Acme Inc"]])).unwrap();
    let texts = ["😀 Telefónica ONCE niño Acme Inc acme", "", "Telefonica\u{1E}once Niño", "ACME acme Acme Inc. 😀😀😀 Tele\u{AD}fonica"];
    let mut scratch = Scratch::default();
    let mut out = vec![Mention { start: 9, end: 9, group: 9, term: 9 }];
    for _ in 0..2 {
        for t in texts {
            m.find_into(t, &mut scratch, &mut out);
            assert_eq!(out, m.find(t), "{t:?}");
        }
    }
}

#[test]
fn regex_matches_are_capped_per_block() {
    let m = Matcher::new(&list(&[&["[re]x"]])).unwrap();
    let block = "x ".repeat(1000);
    assert_eq!(m.find(&block).len(), MAX_REGEX_MATCHES_PER_BLOCK);
    let two = format!("{block}\u{1E}{block}");
    assert_eq!(m.find(&two).len(), 2 * MAX_REGEX_MATCHES_PER_BLOCK);
    // Literal terms are not capped.
    let m = Matcher::new(&list(&[&["x"]])).unwrap();
    assert_eq!(m.find(&block).len(), 1000);
}

/// `(a+)+$` is the classic catastrophic-backtracking pattern; with a
/// backtracking engine this test would not finish. regex-lite is linear.
#[test]
fn pathological_regex_is_linear() {
    let m = Matcher::new(&list(&[&["[re][sub](a+)+$"]])).unwrap();
    let text = format!("{}b", "a".repeat(50_000));
    assert!(m.find(&text).is_empty());
    let text = "a".repeat(50_000);
    let found = m.find(&text);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].start, found[0].end), (0, 50_000));
}

#[test]
fn five_thousand_terms() {
    let mut terms: Vec<String> = (0..5_000).map(|i| format!("Marca{i} Línea")).collect();
    terms.push("Telefónica".into());
    let specs: Vec<&str> = terms.iter().map(|s| s.as_str()).collect();
    let m = Matcher::new(&list(&[&specs])).unwrap();
    let text = "Hablé de marca42 linea, de MARCA4999 LÍNEA y de Telefonica; Marca5000 Línea no existe y marca1 líneas tampoco.";
    assert_eq!(
        render(text, &m.find(text)),
        "Hablé de ⟦marca42 linea⟧, de ⟦MARCA4999 LÍNEA⟧ y de ⟦Telefonica⟧; Marca5000 Línea no existe y marca1 líneas tampoco."
    );
    let found = m.find(text);
    assert_eq!(found.iter().map(|f| f.term).collect::<Vec<_>>(), [42, 4999, 5000]);
}

/// Pseudo-random texts mixing everything the folds handle: every result must
/// be sorted, non-overlapping, whole-word, and fold back to its term.
#[test]
fn random_texts_keep_invariants() {
    let pieces = [
        "acme",
        "ACME",
        "Acmé",
        "Ac\u{AD}me",
        "corp",
        "Corp",
        " ",
        "  ",
        "\u{A0}",
        "\n",
        "\u{1E}",
        "x",
        "ñ",
        "😀",
        "\u{301}",
        "\u{200B}",
        "Telefónica",
        "telefo\u{301}nica",
        ".",
        ",",
        "'",
        "İ",
        "ß",
        "東",
        "2",
    ];
    let specs = ["Acme", "ACME Corp", "Telefónica", "[sub]corp", "[ds]Acmé"];
    let l = list(&[&specs[..3], &specs[3..]]);
    let m = Matcher::new(&l).unwrap();
    // The same matcher without the leftmost "spotter" must agree exactly.
    let mut plain = Matcher::new(&l).unwrap();
    plain.spotter = None;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut total = 0;
    for _ in 0..400 {
        let mut text = String::new();
        for _ in 0..30 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let found = m.find(&text);
        assert_eq!(found, plain.find(&text), "{text:?}");
        let u: Vec<u16> = text.encode_utf16().collect();
        let mut last = 0;
        for f in &found {
            assert!(f.start >= last && f.end > f.start, "{text:?} {found:?}");
            last = f.end;
            let slice = String::from_utf16(&u[f.start as usize..f.end as usize]).unwrap();
            assert!(!slice.contains('\u{1E}'), "{text:?}: {slice:?} spans blocks");
            let t = &l.groups[f.group as usize].terms[f.term as usize];
            let fold = Fold::for_options(t.options.case_sensitive, t.options.diacritic_sensitive);
            assert_eq!(strict_folded(&slice, fold), strict_folded(&t.text, fold), "{text:?}: {slice:?} vs {:?}", t.text);
            assert!(!slice.starts_with([' ', '\u{200B}', '\u{AD}']) && !slice.ends_with([' ', '\u{200B}']), "{slice:?}");
        }
        total += found.len();
    }
    assert!(total > 100, "the generator should produce matches ({total})");
}
