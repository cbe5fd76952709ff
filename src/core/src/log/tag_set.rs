//! A capture's tags as an add-wins observed-remove set (OR-set).
//!
//! Tags used to be one last-writer-wins register holding the whole list, so
//! when two members added a tag at the same moment one tag was lost. Here
//! every add is a dot (the tag and the stamp of the edit that added it) and
//! a remove lists the dots it observed. A tag is present while one of its
//! dots is not removed: a remove only takes away the adds its editor had
//! seen, so a concurrent add of the same tag survives (add wins), and adds
//! and removes of different tags never interfere. The state is a function of
//! the union of all dots and tombstones ever seen, so merging is
//! commutative, associative and idempotent.
//!
//! Tags compare without case (`Factura` = `factura`); the spelling shown is
//! the earliest live add's.
//!
//! JSON: `{"adds":[{"tag":..,"stamp":..}],"removed":[..]}`. The legacy shape
//! (a register `{"value":[..],"stamp":..}`) reads as adds that all carry the
//! register's stamp, so migrating loses no tag.

use serde::{Deserialize, Serialize};

use super::stamp::{Lww, Stamp};

/// One add of a tag: the tag as written and the stamp of its edit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDot {
    pub tag: String,
    pub stamp: Stamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "TagSetWire")]
pub struct TagSet {
    /// Live adds, sorted, no duplicates, none of them in `removed`.
    adds: Vec<TagDot>,
    /// Tombstones: every add some editor removed, sorted, no duplicates.
    removed: Vec<TagDot>,
}

/// What a `tags` field may hold on the wire: this set, or a legacy register.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagSetWire {
    #[serde(default)]
    adds: Vec<TagDot>,
    #[serde(default)]
    removed: Vec<TagDot>,
    /// Legacy `Lww<Vec<String>>`.
    #[serde(default)]
    value: Option<Vec<String>>,
    #[serde(default)]
    stamp: Option<Stamp>,
}

impl From<TagSetWire> for TagSet {
    fn from(w: TagSetWire) -> TagSet {
        let mut adds = w.adds;
        if let Some(values) = w.value {
            let stamp = w.stamp.unwrap_or_default();
            adds.extend(values.into_iter().map(|tag| TagDot { tag, stamp: stamp.clone() }));
        }
        TagSet::from_parts(adds, w.removed)
    }
}

impl From<Lww<Vec<String>>> for TagSet {
    fn from(legacy: Lww<Vec<String>>) -> TagSet {
        TagSet::with_tags(&legacy.value, &legacy.stamp)
    }
}

/// The key tags compare by.
fn key(tag: &str) -> String {
    tag.trim().to_lowercase()
}

impl TagSet {
    /// A set holding `tags` (blank ones dropped), all added by `stamp`.
    pub fn with_tags(tags: &[String], stamp: &Stamp) -> TagSet {
        let adds = tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).map(|t| TagDot { tag: t.to_string(), stamp: stamp.clone() });
        TagSet::from_parts(adds.collect(), Vec::new())
    }

    /// The canonical set from any adds and tombstones (sorted, deduplicated,
    /// removed adds dropped): equal states compare equal.
    fn from_parts(mut adds: Vec<TagDot>, mut removed: Vec<TagDot>) -> TagSet {
        removed.sort();
        removed.dedup();
        adds.sort();
        adds.dedup();
        adds.retain(|d| removed.binary_search(d).is_err());
        TagSet { adds, removed }
    }

    /// The present tags, one spelling each (the earliest live add's),
    /// sorted without case.
    pub fn values(&self) -> Vec<String> {
        let mut first: Vec<(&TagDot, String)> = Vec::new();
        for d in &self.adds {
            let k = key(&d.tag);
            match first.iter_mut().find(|(_, fk)| *fk == k) {
                Some(slot) if (&d.stamp, &d.tag) < (&slot.0.stamp, &slot.0.tag) => slot.0 = d,
                Some(_) => {}
                None => first.push((d, k)),
            }
        }
        first.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.tag.cmp(&b.0.tag)));
        first.into_iter().map(|(d, _)| d.tag.clone()).collect()
    }

    /// Whether `tag` is present (without case).
    pub fn contains(&self, tag: &str) -> bool {
        let k = key(tag);
        self.adds.iter().any(|d| key(&d.tag) == k)
    }

    /// Add `tag` with the edit's stamp (a new dot even if already present,
    /// so a concurrent remove of the old dots does not take it away).
    pub fn add(&mut self, tag: &str, stamp: &Stamp) {
        let tag = tag.trim();
        if tag.is_empty() {
            return;
        }
        let dot = TagDot { tag: tag.to_string(), stamp: stamp.clone() };
        if self.removed.binary_search(&dot).is_ok() {
            return;
        }
        if let Err(at) = self.adds.binary_search(&dot) {
            self.adds.insert(at, dot);
        }
    }

    /// Remove `tag` (without case): every add of it seen so far.
    pub fn remove(&mut self, tag: &str) {
        let k = key(tag);
        let (gone, keep): (Vec<TagDot>, Vec<TagDot>) = std::mem::take(&mut self.adds).into_iter().partition(|d| key(&d.tag) == k);
        self.adds = keep;
        self.removed.extend(gone);
        self.removed.sort();
        self.removed.dedup();
    }

    /// Make the present tags exactly `wanted` (compared without case):
    /// adds what is missing, removes what is not wanted. Returns whether
    /// anything changed.
    pub fn set_exactly(&mut self, wanted: &[String], stamp: &Stamp) -> bool {
        let wanted_keys: Vec<String> = wanted.iter().map(|t| key(t)).filter(|k| !k.is_empty()).collect();
        let mut changed = false;
        for v in self.values() {
            if !wanted_keys.contains(&key(&v)) {
                self.remove(&v);
                changed = true;
            }
        }
        for t in wanted {
            if !t.trim().is_empty() && !self.contains(t) {
                self.add(t, stamp);
                changed = true;
            }
        }
        changed
    }

    /// Merge another copy: union of adds and tombstones.
    pub fn merge(&mut self, other: &TagSet) {
        if self == other {
            return;
        }
        let adds = self.adds.iter().chain(&other.adds).cloned().collect();
        let removed = self.removed.iter().chain(&other.removed).cloned().collect();
        *self = TagSet::from_parts(adds, removed);
    }

    /// Every dot, live or removed (each carries a stamp to validate).
    pub fn dots(&self) -> impl Iterator<Item = &TagDot> {
        self.adds.iter().chain(&self.removed)
    }

    /// The live adds.
    pub fn live(&self) -> &[TagDot] {
        &self.adds
    }

    /// How many dots the set holds (live and removed): what bounds its size.
    pub fn len_dots(&self) -> usize {
        self.adds.len() + self.removed.len()
    }

    /// The latest stamp of any add or remove-observed add.
    pub fn last_stamp(&self) -> Option<&Stamp> {
        self.dots().map(|d| &d.stamp).max()
    }

    /// Rewrite every dot's tag with `f` (the sanitizer's cleaning), keeping
    /// stamps, and restore the canonical form.
    pub fn map_tags(&self, f: impl Fn(&str) -> String) -> TagSet {
        let m = |d: &TagDot| TagDot { tag: f(&d.tag), stamp: d.stamp.clone() };
        let adds = self.adds.iter().map(m).filter(|d| !d.tag.trim().is_empty()).collect();
        let removed = self.removed.iter().map(m).collect();
        TagSet::from_parts(adds, removed)
    }

    /// Rewrite every dot's stamp with `f` (the sanitizer's repair of
    /// blank actors), keeping tags.
    pub fn map_stamps(&self, f: impl Fn(&Stamp) -> Stamp) -> TagSet {
        let m = |d: &TagDot| TagDot { tag: d.tag.clone(), stamp: f(&d.stamp) };
        TagSet::from_parts(self.adds.iter().map(m).collect(), self.removed.iter().map(m).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn concurrent_add_and_remove_of_different_tags_both_survive() {
        let base = TagSet::with_tags(&v(&["factura", "movil"]), &st(1, "a"));
        let mut ana = base.clone();
        ana.add("urgente", &st(5, "ana"));
        let mut bo = base.clone();
        bo.remove("movil");
        let (mut x, mut y) = (ana.clone(), bo.clone());
        x.merge(&bo);
        y.merge(&ana);
        assert_eq!(x, y);
        assert_eq!(x.values(), v(&["factura", "urgente"]));
    }

    #[test]
    fn a_concurrent_add_wins_over_a_remove_that_did_not_see_it() {
        let base = TagSet::with_tags(&v(&["factura"]), &st(1, "a"));
        let mut ana = base.clone();
        ana.add("Factura", &st(5, "ana"));
        let mut bo = base.clone();
        bo.remove("factura");
        ana.merge(&bo);
        assert_eq!(ana.values(), v(&["Factura"]));
    }

    #[test]
    fn legacy_registers_read_as_adds_with_their_stamp() {
        let json = r#"{"value":["Factura","urgente"],"stamp":{"ms":7,"counter":1,"actor":"dev"}}"#;
        let set: TagSet = serde_json::from_str(json).unwrap();
        assert_eq!(set.values(), v(&["Factura", "urgente"]));
        assert!(set.dots().all(|d| d.stamp == Stamp { ms: 7, counter: 1, actor: "dev".into() }));
        let back: TagSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
        assert_eq!(back, set);
    }

    #[test]
    fn set_exactly_adds_and_removes_without_case() {
        let mut s = TagSet::with_tags(&v(&["a", "B"]), &st(1, "x"));
        assert!(s.set_exactly(&v(&["b", "c", " "]), &st(2, "x")));
        assert_eq!(s.values(), v(&["B", "c"]));
        assert!(!s.set_exactly(&v(&["C", "b"]), &st(3, "x")));
    }
}
