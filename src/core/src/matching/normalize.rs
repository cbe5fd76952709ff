//! Text folding: the one place that decides which texts are "the same".
//!
//! [`normalize`] turns page text into a folded UTF-8 byte string plus a sparse
//! [`NormText`] offset map back to the original UTF-16 offsets. The same code
//! folds terms, exclusions and regex literals, so a term and the page text it
//! should match always fold identically.
//!
//! What folding does (each step applies to text and terms alike):
//! * invisible formatting characters are dropped: soft hyphen U+00AD, zero-width
//!   space/non-joiner/joiner U+200B–U+200D, LRM/RLM U+200E/F, bidi embeddings and
//!   isolates U+202A–E and U+2066–9, word joiner and invisible operators
//!   U+2060–U+2064, combining grapheme joiner U+034F, Mongolian vowel separator
//!   U+180E and BOM U+FEFF;
//! * every run of white space (Unicode `White_Space`: space, tab, newlines,
//!   NBSP U+00A0, U+2000–U+200A, U+3000 …) becomes one ASCII space;
//! * typographic punctuation becomes ASCII: ’ ‘ ‚ ‛ ′ → `'`, “ ” „ ‟ ″ « » → `"`,
//!   ‐ ‑ ‒ – — − → `-`, ¿ → `?`, ¡ → `!` (so "L’Oréal" and "L'Oreal" are equal);
//! * case (unless the term is case-sensitive): full Unicode lowercase per
//!   character, plus the case-folding expansions ß/ẞ → "ss" and final ς → σ.
//!   "İ" lowercases to "i̇" and so folds to "i" once the dot is dropped;
//! * diacritics (unless the term is diacritic-sensitive): canonical
//!   decomposition (Unicode data from `unicode-normalization`) and removal of the
//!   combining diacritical marks U+0300–036F, U+1AB0–1AFF, U+1DC0–1DFF,
//!   U+20D0–20FF, U+FE20–FE2F. This folds Spanish (á é í ó ú ü **ñ**),
//!   Portuguese (ã õ ç), French (é è ê ë à ç), Vietnamese stacked marks (ệ ở ữ),
//!   and decomposed (NFD) input alike. Letters that carry their stroke inside
//!   the character and so have no decomposition fold by a short list:
//!   đ→d, ø→o, ł→l, ħ→h, ı→i, œ→oe, æ→ae. Marks of other scripts (Indic vowel
//!   signs, Japanese dakuten, Hebrew points …) are never dropped: they change
//!   the letter, not just its accent. Hangul and CJK are left as they are.
//!
//! ñ folds to n by default (people type "Espana", "Nino"); a
//! diacritic-sensitive term keeps them apart.

use unicode_normalization::char::{canonical_combining_class, compose, decompose_canonical};

/// The byte the caller's block separator U+001E stays as in folded text.
pub(crate) const SEP: u8 = 0x1E;

/// Which folds apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Fold {
    /// Lowercase (case-insensitive).
    pub lower: bool,
    /// Drop diacritics (diacritic-insensitive).
    pub strip: bool,
}

impl Fold {
    /// The default and most lenient fold; the automaton runs on it.
    pub const LENIENT: Fold = Fold { lower: true, strip: true };

    pub fn for_options(case_sensitive: bool, diacritic_sensitive: bool) -> Fold {
        Fold { lower: !case_sensitive, strip: !diacritic_sensitive }
    }

    /// 0 for the lenient fold, 1..=3 for the others.
    pub fn index(self) -> usize {
        (!self.lower as usize) | ((!self.strip as usize) << 1)
    }
}

/// Invisible characters pages put inside words; they are dropped.
#[inline]
pub(crate) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Combining diacritical marks that diacritic-insensitive folding removes.
#[inline]
pub(crate) fn is_diacritic(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Typographic punctuation folded to ASCII (always, in every fold).
#[inline]
fn punct_fold(c: char) -> Option<u8> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => b'\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{AB}' | '\u{BB}' => b'"',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => b'-',
        '\u{BF}' => b'?',
        '\u{A1}' => b'!',
        _ => return None,
    })
}

/// Letters without a canonical decomposition that diacritic folding still
/// reduces to their base letter(s). Case is kept (lowercasing happens first
/// when it applies).
#[inline]
fn stroke_fold(c: char) -> Option<&'static str> {
    Some(match c {
        'đ' => "d",
        'Đ' => "D",
        'ø' => "o",
        'Ø' => "O",
        'ł' => "l",
        'Ł' => "L",
        'ħ' => "h",
        'Ħ' => "H",
        'ı' => "i",
        'œ' => "oe",
        'Œ' => "OE",
        'æ' => "ae",
        'Æ' => "AE",
        _ => return None,
    })
}

#[inline]
fn push_char(out: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

/// Fold one character that is not ASCII-special, ignorable, white space or a
/// diacritic mark (the caller handles those) and append the result.
pub(crate) fn fold_char(c: char, fold: Fold, out: &mut Vec<u8>) {
    if c.is_ascii() {
        out.push(if fold.lower { c.to_ascii_lowercase() as u8 } else { c as u8 });
        return;
    }
    if let Some(p) = punct_fold(c) {
        out.push(p);
        return;
    }
    if fold.lower {
        for l in c.to_lowercase() {
            fold_cased(l, fold, out);
        }
    } else {
        fold_cased(c, fold, out);
    }
}

#[inline]
fn fold_cased(mut c: char, fold: Fold, out: &mut Vec<u8>) {
    if fold.lower {
        match c {
            'ß' => {
                out.extend_from_slice(b"ss");
                return;
            }
            'ς' => c = 'σ',
            _ => {}
        }
    }
    if c.is_ascii() {
        out.push(c as u8);
        return;
    }
    if fold.strip {
        if let Some(s) = stroke_fold(c) {
            out.extend_from_slice(s.as_bytes());
            return;
        }
        // Below U+3000: Latin, Greek, Cyrillic, … (Hangul and CJK are left whole).
        if (c as u32) < 0x3000 {
            decompose_canonical(c, |d| {
                if is_diacritic(d) {
                } else if let Some(s) = stroke_fold(d) {
                    out.extend_from_slice(s.as_bytes());
                } else {
                    push_char(out, d);
                }
            });
            return;
        }
    }
    push_char(out, c);
}

/// One atomic piece of the original text whose folded length differs from its
/// UTF-16 length (or that folded to more than one byte). Between segments the
/// mapping is one folded byte per UTF-16 unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub n0: u32,
    pub n1: u32,
    pub u0: u32,
    pub u1: u32,
}

/// Folded text and the sparse map back to UTF-16 offsets of the original.
#[derive(Debug, Default, Clone)]
pub(crate) struct NormText {
    pub bytes: Vec<u8>,
    pub segs: Vec<Seg>,
}

impl NormText {
    /// Original UTF-16 offset where a match starting at folded byte `p` starts.
    /// Invisible characters right before it are not included; a `p` inside an
    /// expanded character maps to that character's start.
    pub fn start16(&self, p: u32) -> u32 {
        let i = self.segs.partition_point(|s| s.n0 <= p);
        if i == 0 {
            return p;
        }
        let s = self.segs[i - 1];
        if p < s.n1 {
            s.u0
        } else {
            s.u1 + (p - s.n1)
        }
    }

    /// Original UTF-16 offset where a match ending at folded byte `p` ends.
    /// Combining marks of the last character are included; invisible
    /// characters after it are not.
    pub fn end16(&self, p: u32) -> u32 {
        let i = self.segs.partition_point(|s| s.n0 < p);
        if i == 0 {
            return p;
        }
        let s = self.segs[i - 1];
        if p <= s.n1 {
            s.u1
        } else {
            s.u1 + (p - s.n1)
        }
    }
}

/// What a two-byte UTF-8 character (U+0080..U+07FF) folds to, cached.
#[derive(Clone, Copy)]
struct TwoByteEntry {
    /// 0..=4: emit `bytes[..len]`; [`ENTRY_IGNORE`], [`ENTRY_SPACE`], [`ENTRY_MARK`].
    len: u8,
    bytes: [u8; 4],
}
const ENTRY_IGNORE: u8 = 0xFF;
const ENTRY_SPACE: u8 = 0xFE;
const ENTRY_MARK: u8 = 0xFD;

/// Cached lenient folds of U+0080..U+07FF (Latin-1, Latin Extended, IPA,
/// Greek, Cyrillic, …), computed once from the same [`fold_char`] code.
pub(crate) struct FoldTable {
    entries: Box<[TwoByteEntry]>,
}

impl std::fmt::Debug for FoldTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FoldTable")
    }
}

impl FoldTable {
    pub fn new(fold: Fold) -> FoldTable {
        let mut entries = Vec::with_capacity(0x800);
        let mut buf = Vec::with_capacity(8);
        for cp in 0u32..0x800 {
            let e = match char::from_u32(cp) {
                Some(c) if cp >= 0x80 => {
                    if is_ignorable(c) {
                        TwoByteEntry { len: ENTRY_IGNORE, bytes: [0; 4] }
                    } else if c.is_whitespace() {
                        TwoByteEntry { len: ENTRY_SPACE, bytes: [0; 4] }
                    } else if is_diacritic(c) {
                        TwoByteEntry { len: ENTRY_MARK, bytes: [0; 4] }
                    } else {
                        buf.clear();
                        fold_char(c, fold, &mut buf);
                        if buf.len() <= 4 {
                            let mut bytes = [0; 4];
                            bytes[..buf.len()].copy_from_slice(&buf);
                            TwoByteEntry { len: buf.len() as u8, bytes }
                        } else {
                            // Never happens for this range; fall back to the slow path.
                            TwoByteEntry { len: ENTRY_MARK - 1, bytes: [0; 4] }
                        }
                    }
                }
                _ => TwoByteEntry { len: 0, bytes: [0; 4] },
            };
            entries.push(e);
        }
        FoldTable { entries: entries.into_boxed_slice() }
    }
}

/// SWAR helpers over 8 ASCII bytes.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// 0x80 in each byte of `w` (all bytes < 0x80) equal to `b`.
#[inline(always)]
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * b as u64);
    !(((x & !HI).wrapping_add(!HI)) | x) & HI
}

/// ASCII lowercase of 8 bytes, all < 0x80.
#[inline(always)]
fn lower8(w: u64) -> u64 {
    let ge_a = w.wrapping_add(LO * 0x3F); // bit 7 set where byte >= 'A'
    let gt_z = w.wrapping_add(LO * 0x25); // bit 7 set where byte > 'Z'
    let upper = ge_a & !gt_z & HI;
    w | (upper >> 2)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing a combining mark could attach to.
    None,
    /// The last folded byte is a one-byte, one-unit character (no segment).
    LastByte,
    /// The last character was emitted at folded `n0` / UTF-16 `u0`.
    At(u32, u32),
}

struct Builder<'a> {
    /// Output buffer; its length is a high-water mark, `o` is the real end.
    /// Bytes past `o` are stale and never read.
    buf: Vec<u8>,
    o: usize,
    segs: &'a mut Vec<Seg>,
    /// UTF-16 offset minus folded offset after the last segment.
    delta: i64,
}

impl Builder<'_> {
    #[inline]
    fn n(&self) -> u32 {
        self.o as u32
    }
    #[inline]
    fn u(&self) -> u32 {
        (self.o as i64 + self.delta) as u32
    }
    /// Make room for `k` more bytes.
    #[inline(always)]
    fn room(&mut self, k: usize) {
        if self.o + k > self.buf.len() {
            let n = (self.buf.len() * 2).max(self.o + k + 64);
            self.buf.resize(n, 0);
        }
    }
    #[inline(always)]
    fn put1(&mut self, x: u8) {
        self.room(1);
        self.buf[self.o] = x;
        self.o += 1;
    }
    #[inline]
    fn put(&mut self, xs: &[u8]) {
        self.room(xs.len());
        self.buf[self.o..self.o + xs.len()].copy_from_slice(xs);
        self.o += xs.len();
    }

    /// Record that folded `n0..now` came from UTF-16 `u0..u1`.
    #[inline]
    fn seg(&mut self, n0: u32, u0: u32, u1: u32) {
        let n1 = self.n();
        if n1 - n0 == u1 - u0 && n1 - n0 <= 1 {
            return;
        }
        if n0 == n1 {
            if let Some(last) = self.segs.last_mut() {
                if last.n0 == n0 && last.n1 == n0 && last.u1 == u0 {
                    last.u1 = u1;
                    self.delta = u1 as i64 - n1 as i64;
                    return;
                }
            }
        }
        self.segs.push(Seg { n0, n1, u0, u1 });
        self.delta = u1 as i64 - n1 as i64;
    }

    /// Extend the character that starts at `n0`/`u0` (and ends at the current
    /// folded end) to also cover `extra` more UTF-16 units of the original.
    fn extend_last(&mut self, n0: u32, u0: u32, extra: u32) {
        let n1 = self.n();
        let u1 = self.u() + extra;
        if let Some(last) = self.segs.last_mut() {
            if last.n0 == n0 && last.n1 == n1 && last.n1 > last.n0 {
                last.u1 = u1;
                self.delta = u1 as i64 - n1 as i64;
                return;
            }
        }
        self.segs.push(Seg { n0, n1, u0, u1 });
        self.delta = u1 as i64 - n1 as i64;
    }
}

/// Fold `text` into `out` (replaced). `table` must have been built for the
/// same `fold` (it is an optional cache).
pub(crate) fn normalize(text: &str, fold: Fold, table: Option<&FoldTable>, out: &mut NormText) {
    if fold.lower {
        normalize_impl::<true>(text, fold, table, out)
    } else {
        normalize_impl::<false>(text, fold, table, out)
    }
}

fn normalize_impl<const LOWER: bool>(text: &str, fold: Fold, table: Option<&FoldTable>, out: &mut NormText) {
    out.segs.clear();
    // Reuse the previous buffer without clearing it: only growth is zeroed.
    let mut buf = std::mem::take(&mut out.bytes);
    if buf.len() < text.len() + 64 {
        buf.resize(text.len() + 64, 0);
    }
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut b = Builder { buf, o: 0, segs: &mut out.segs, delta: 0 };
    let mut tmp: Vec<u8> = Vec::new();
    let mut i = 0usize;
    let mut prev_ws = false;
    let mut prev = Prev::None;

    while i < len {
        // Fast path, 8 bytes at a time: copy (lowercased) every byte before the
        // first one that needs care: non-ASCII, a control character (tab,
        // newline, the block separator …) or the second space of a pair.
        // The fast loop writes at most one byte per input byte it consumes,
        // so one room check covers it and `o` can live in a register.
        b.room(len - i + 8);
        let mut o = b.o;
        let buf = &mut b.buf[..];
        while i + 8 <= len {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap());
            // Borrows only run upwards, so the lowest flagged byte is exact.
            let ctrl = w.wrapping_sub(LO * 0x20) & !w & HI;
            let sp = eq_mask(w, b' ');
            let dbl = sp & ((sp << 8) | ((prev_ws as u64) << 7));
            let bad = (w & HI) | ctrl | dbl;
            // Carries from non-ASCII bytes only corrupt bytes above them,
            // which are not kept (the write past `keep` is overwritten later).
            let lw = if LOWER { lower8(w) } else { w };
            buf[o..o + 8].copy_from_slice(&lw.to_le_bytes());
            if bad == 0 {
                // A real branch (not a select): the next load's address then
                // doesn't wait for this word's contents.
                o += 8;
                i += 8;
                prev_ws = (w >> 56) as u8 == b' ';
                prev = if prev_ws { Prev::None } else { Prev::LastByte };
                continue;
            }
            let keep = (bad.trailing_zeros() / 8) as usize;
            if keep > 0 {
                o += keep;
                prev_ws = bytes[i + keep - 1] == b' ';
                prev = if prev_ws { Prev::None } else { Prev::LastByte };
                i += keep;
            }
            // The commonest stop in Latin-script text: a two-byte letter that
            // folds to one byte (á, ñ, ç …). Handle it without leaving.
            if let Some(t) = table {
                let c0 = bytes[i];
                if (0xC2..0xE0).contains(&c0) {
                    let e = t.entries[(((c0 & 0x1F) as usize) << 6) | (bytes[i + 1] & 0x3F) as usize];
                    if e.len == 1 {
                        buf[o] = e.bytes[0];
                        o += 1;
                        prev_ws = false;
                        prev = Prev::LastByte;
                        i += 2;
                        continue;
                    }
                }
            }
            break;
        }
        b.o = o;
        if i >= len {
            break;
        }

        let c0 = bytes[i];
        if c0 < 0x80 {
            i += 1;
            match c0 {
                b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0x1C | 0x1D | 0x1F => {
                    if prev_ws {
                        let (n, u) = (b.n(), b.u());
                        b.seg(n, u, u + 1);
                    } else {
                        b.put1(b' ');
                        prev_ws = true;
                    }
                    prev = Prev::None;
                }
                SEP => {
                    b.put1(SEP);
                    prev_ws = false;
                    prev = Prev::None;
                }
                _ => {
                    b.put1(if LOWER { c0.to_ascii_lowercase() } else { c0 });
                    prev_ws = false;
                    prev = Prev::LastByte;
                }
            }
            continue;
        }

        // Non-ASCII character.
        let clen = if c0 >= 0xF0 {
            4
        } else if c0 >= 0xE0 {
            3
        } else {
            2
        };
        let units = if clen == 4 { 2 } else { 1 };

        // Cached two-byte characters.
        if clen == 2 {
            if let Some(t) = table {
                let cp = (((c0 & 0x1F) as usize) << 6) | (bytes[i + 1] & 0x3F) as usize;
                let e = t.entries[cp];
                if e.len == 1 {
                    i += 2;
                    b.put1(e.bytes[0]);
                    prev_ws = false;
                    prev = Prev::LastByte;
                    continue;
                }
                if e.len <= 4 {
                    i += 2;
                    let (n0, u0) = (b.n(), b.u());
                    b.put(&e.bytes[..e.len as usize]);
                    b.seg(n0, u0, u0 + 1);
                    prev_ws = false;
                    prev = if e.len == 0 { Prev::None } else { Prev::At(n0, u0) };
                    continue;
                }
            }
        }

        let c = text[i..i + clen].chars().next().unwrap();
        i += clen;
        if is_ignorable(c) {
            let (n, u) = (b.n(), b.u());
            b.seg(n, u, u + units);
            // Keep prev_ws: "a \u{200B} b" is still one space. A mark after an
            // invisible character has nothing to attach to.
            prev = Prev::None;
            continue;
        }
        if c.is_whitespace() {
            if prev_ws {
                let (n, u) = (b.n(), b.u());
                b.seg(n, u, u + units);
            } else {
                let (n0, u0) = (b.n(), b.u());
                b.put1(b' ');
                b.seg(n0, u0, u0 + units);
                prev_ws = true;
            }
            prev = Prev::None;
            continue;
        }
        if is_diacritic(c) {
            if fold.strip {
                match prev {
                    Prev::None => {
                        let (n, u) = (b.n(), b.u());
                        b.seg(n, u, u + units);
                    }
                    Prev::LastByte => {
                        let (n, u) = (b.n() - 1, b.u() - 1);
                        b.extend_last(n, u, units);
                        prev = Prev::At(n, u);
                    }
                    Prev::At(n0, u0) => b.extend_last(n0, u0, units),
                }
                continue;
            }
            // Diacritic-sensitive: compose with the previous character (NFC).
            let base_at = match prev {
                Prev::None => None,
                Prev::LastByte => Some((b.n() - 1, b.u() - 1)),
                Prev::At(n0, u0) => Some((n0, u0)),
            };
            if let Some((n0, u0)) = base_at {
                let base = std::str::from_utf8(&b.buf[n0 as usize..b.o]).ok().and_then(|s| {
                    let mut it = s.chars();
                    let ch = it.next();
                    if it.next().is_none() {
                        ch
                    } else {
                        None
                    }
                });
                if let Some(k) = base.and_then(|bc| compose(bc, c)) {
                    let u1 = b.u() + units;
                    if let Some(last) = b.segs.last() {
                        if last.n0 == n0 && last.n1 > last.n0 {
                            b.segs.pop();
                        }
                    }
                    b.o = n0 as usize;
                    b.delta = u0 as i64 - n0 as i64;
                    let mut kb = [0u8; 4];
                    b.put(k.encode_utf8(&mut kb).as_bytes());
                    // Always a segment (k is non-ASCII), so a later mark finds it.
                    b.seg(n0, u0, u1);
                    prev = Prev::At(n0, u0);
                    prev_ws = false;
                    continue;
                }
            }
            let (n0, u0) = (b.n(), b.u());
            let mut cb = [0u8; 4];
            b.put(c.encode_utf8(&mut cb).as_bytes());
            b.seg(n0, u0, u0 + units);
            prev_ws = false;
            prev = Prev::None;
            continue;
        }
        let (n0, u0) = (b.n(), b.u());
        tmp.clear();
        fold_char(c, fold, &mut tmp);
        b.put(&tmp);
        b.seg(n0, u0, u0 + units);
        prev_ws = false;
        let n1 = b.n();
        prev = if n1 == n0 {
            Prev::None
        } else if n1 - n0 == 1 && units == 1 {
            Prev::LastByte
        } else {
            Prev::At(n0, u0)
        };
    }
    let Builder { mut buf, o, .. } = b;
    buf.truncate(o);
    out.bytes = buf;
}

/// Fold a term or exclusion for the automaton: the folded text with the
/// block separator treated as a space, trimmed. Empty means "nothing visible".
pub(crate) fn fold_term(text: &str, fold: Fold) -> String {
    let cleaned: String;
    let text = if text.contains('\u{1E}') {
        cleaned = text.replace('\u{1E}', " ");
        &cleaned
    } else {
        text
    };
    let mut nt = NormText::default();
    normalize(text, fold, None, &mut nt);
    let s = String::from_utf8(nt.bytes).expect("folding keeps UTF-8");
    s.trim_matches(' ').to_string()
}

/// NFD of `s`: canonical decomposition, then canonical reordering (each run
/// of combining marks stably sorted by combining class), so composed,
/// decomposed and differently-ordered input compare equal. Done by hand from
/// the crate's per-character functions: its `nfd()` iterator costs ~110 KB of
/// wasm, these ~45 KB.
fn decomposed(s: &str, out: &mut Vec<char>) {
    out.clear();
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            decompose_canonical(c, |d| out.push(d));
        }
    }
    let mut i = 0;
    while i < out.len() {
        if canonical_combining_class(out[i]) != 0 {
            let start = i;
            while i < out.len() && canonical_combining_class(out[i]) != 0 {
                i += 1;
            }
            out[start..i].sort_by_key(|&c| canonical_combining_class(c));
        } else {
            i += 1;
        }
    }
}

/// Canonical form used to verify per-term overrides and to detect duplicate
/// terms: decomposed (see [`decomposed`]), invisible characters dropped,
/// white space collapsed and trimmed, then `fold`.
pub(crate) fn strict_fold(s: &str, fold: Fold, out: &mut String) {
    out.clear();
    let mut buf: Vec<u8> = std::mem::take(out).into_bytes();
    let mut chars = Vec::with_capacity(s.len());
    decomposed(s, &mut chars);
    let mut pending_space = false;
    for &c in &chars {
        if is_ignorable(c) {
            continue;
        }
        if c.is_whitespace() || c == '\u{1E}' || ('\u{1C}'..='\u{1F}').contains(&c) {
            pending_space = !buf.is_empty();
            continue;
        }
        if pending_space {
            buf.push(b' ');
            pending_space = false;
        }
        if is_diacritic(c) {
            if !fold.strip {
                push_char(&mut buf, c);
            }
            continue;
        }
        fold_char(c, fold, &mut buf);
    }
    *out = String::from_utf8(buf).expect("folding keeps UTF-8");
}

/// Convenience wrapper around [`strict_fold`].
pub(crate) fn strict_folded(s: &str, fold: Fold) -> String {
    let mut out = String::new();
    strict_fold(s, fold, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str, fold: Fold) -> NormText {
        let mut nt = NormText::default();
        let t = FoldTable::new(Fold::LENIENT);
        normalize(s, fold, if fold == Fold::LENIENT { Some(&t) } else { None }, &mut nt);
        // The table is only a cache: the slow path must agree with it.
        let mut slow = NormText::default();
        normalize(s, fold, None, &mut slow);
        assert_eq!(slow.bytes, nt.bytes, "{s:?}");
        assert_eq!(slow.segs, nt.segs, "{s:?}");
        nt
    }

    fn folded(s: &str) -> String {
        String::from_utf8(norm(s, Fold::LENIENT).bytes).unwrap()
    }

    #[test]
    fn lenient_fold_table() {
        let cases: &[(&str, &str)] = &[
            ("Telefónica", "telefonica"),
            ("Telefo\u{301}nica", "telefonica"),
            ("TELEFÓNICA", "telefonica"),
            ("Tele\u{AD}fó\u{200B}ni\u{200D}ca\u{FEFF}", "telefonica"),
            ("España Niño", "espana nino"),
            ("Ação Coração", "acao coracao"),
            ("Œuvre Élève être", "oeuvre eleve etre"),
            ("Tiếng Việt ở Đà Nẵng", "tieng viet o da nang"),
            ("Straße STRASSE", "strasse strasse"),
            ("İstanbul", "istanbul"),
            ("ΟΔΟΣ", "οδοσ"),
            ("a \u{A0}\n\t b", "a b"),
            ("a\u{3000}\u{2009}b", "a b"),
            ("L’Oréal «hola» ¿qué? ¡sí! a–b", "l'oreal \"hola\" ?que? !si! a-b"),
            ("a\u{1E}b", "a\u{1E}b"),
            ("Hello World, this is a longer ASCII sentence", "hello world, this is a longer ascii sentence"),
            ("HELLO  WORLD  AGAIN  AND  AGAIN", "hello world again and again"),
            ("ñ\u{303}", "n"),
            ("東京 한국어", "東京 한국어"),
        ];
        for (input, want) in cases {
            assert_eq!(&folded(input), want, "input {input:?}");
        }
    }

    #[test]
    fn sensitive_folds_keep_what_they_should() {
        let f = |s: &str, fold: Fold| String::from_utf8(norm(s, fold).bytes).unwrap();
        let case_sens = Fold { lower: false, strip: true };
        let diac_sens = Fold { lower: true, strip: false };
        assert_eq!(f("ONCE Telefónica", case_sens), "ONCE Telefonica");
        assert_eq!(f("ONCE Telefónica", diac_sens), "once telefónica");
        // Decomposed input is composed when diacritics are kept.
        assert_eq!(f("Telefo\u{301}nica Nin\u{303}o", diac_sens), "telefónica niño");
        assert_eq!(f("vie\u{323}\u{302}t", diac_sens), "việt");
    }

    /// Every folded offset that starts or ends a character maps to the
    /// matching original offset, checked against a slow reference.
    #[test]
    fn offsets_map_back_exactly() {
        let text = "¡Hola!  😀 Tele\u{AD}fónica\u{A0}\u{A0}y Nin\u{303}o, ß ẞ İ œ 東京\u{200B}x e\u{301}\u{302} fin";
        let nt = norm(text, Fold::LENIENT);
        let s = std::str::from_utf8(&nt.bytes).unwrap();
        // "telefonica" in folded text → original "Tele\u{AD}fónica".
        let p = s.find("telefonica").unwrap() as u32;
        let u: Vec<u16> = text.encode_utf16().collect();
        let (a, b) = (nt.start16(p), nt.end16(p + "telefonica".len() as u32));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "Tele\u{AD}fónica");
        let p = s.find("nino").unwrap() as u32;
        let (a, b) = (nt.start16(p), nt.end16(p + 4));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "Nin\u{303}o");
        let p = s.find("ss ss").unwrap() as u32;
        let (a, b) = (nt.start16(p), nt.end16(p + 5));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "ß ẞ");
        // A match ending inside "ss" (from ß) still covers the whole ß.
        let (a, b) = (nt.start16(p), nt.end16(p + 1));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "ß");
        let p = s.find("x e fin").unwrap() as u32;
        let (a, b) = (nt.start16(p), nt.end16(p + 3));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "x e\u{301}\u{302}");
        let p = s.find("東京").unwrap() as u32;
        let (a, b) = (nt.start16(p), nt.end16(p + 6));
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "東京");
        assert_eq!(nt.end16(nt.bytes.len() as u32) as usize, u.len());
    }

    #[test]
    fn strict_fold_compares_nfc_and_nfd() {
        let d = Fold { lower: true, strip: false };
        assert_eq!(strict_folded("Niño", d), strict_folded("Nin\u{303}o", d));
        assert_ne!(strict_folded("Niño", d), strict_folded("Nino", d));
        assert_eq!(strict_folded("Việt", d), strict_folded("Vie\u{302}\u{323}t", d));
        assert_eq!(strict_folded("Việt", d), strict_folded("Vie\u{323}\u{302}t", d));
        assert_ne!(strict_folded("Việt", d), strict_folded("Viêt", d));
        // Two marks of the same class keep their order (they are not equivalent).
        assert_ne!(strict_folded("e\u{301}\u{300}", d), strict_folded("e\u{300}\u{301}", d));
        assert_eq!(strict_folded("  El\u{A0}Corte \n Inglés ", Fold::LENIENT), "el corte ingles");
    }

    #[test]
    fn swar_helpers() {
        let w = u64::from_le_bytes(*b"AZaz@[`{");
        assert_eq!(&lower8(w).to_le_bytes(), b"azaz@[`{");
        let w = u64::from_le_bytes(*b"a b  c d");
        assert_eq!(eq_mask(w, b' '), 0x0080_0080_8000_8000);
    }
}
