//! Searching, filtering and sorting the capture log.
//!
//! [`LogIndex`] owns the records and, per record, what a query needs ready:
//! the record's searchable fields folded once (same folding as brand
//! matching: case, accents, typographic punctuation, white space) and its
//! facet values interned to small integers. A query then never re-folds a
//! record: search-as-you-type over 50,000 captures is a `memmem` per record
//! plus integer compares (see `examples/bench_log.rs` for the figures).
//!
//! Facet counts follow the usual faceted-search rule: each facet counts the
//! records that pass every *other* filter, so the filter UI can show what
//! choosing another value would give. Tombstoned records are never counted
//! nor returned.

use std::collections::HashMap;

use memchr::memmem;
use serde::{Deserialize, Serialize};

use super::dates::parse_rfc3339;
use super::record::{Capture, Priority, Sentiment, Status};
use crate::matching::normalize::{normalize, Fold, FoldTable, NormText};

/// Separates fields in a record's folded text so a search word never spans two.
const FIELD_SEP: u8 = 0x1E;

/// Which time a date range or date sort uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DateField {
    /// When the capture was made.
    #[default]
    Created,
    /// When the comment was written (records without a known time fall outside any range).
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortKey {
    #[default]
    Created,
    CommentTime,
    Modified,
    Brand,
    Site,
    Author,
    Member,
    Sentiment,
    Department,
    Status,
    Priority,
}

/// One log query. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Query {
    /// Words that must all appear (case- and accent-insensitive) in the
    /// comment, author, page title, site, brand, term, quote, tags, note,
    /// department or member.
    pub text: String,
    pub brands: Vec<String>,
    pub sentiments: Vec<Sentiment>,
    /// `None` in the list selects records without a department.
    pub departments: Vec<Option<String>>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub sites: Vec<String>,
    /// Who captured it (`created_by`).
    pub members: Vec<String>,
    /// Who owns it; `None` in the list selects unassigned records.
    pub assignees: Vec<Option<String>>,
    pub date_field: DateField,
    /// Inclusive lower bound, ms since the epoch.
    pub from_ms: Option<i64>,
    /// Exclusive upper bound, ms since the epoch.
    pub to_ms: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
}

/// How many live records each facet value would give (see module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Facets {
    pub brands: Vec<(String, u32)>,
    pub sentiments: Vec<(Sentiment, u32)>,
    /// `None`: no department.
    pub departments: Vec<(Option<String>, u32)>,
    pub statuses: Vec<(Status, u32)>,
    pub priorities: Vec<(Priority, u32)>,
    pub sites: Vec<(String, u32)>,
    pub members: Vec<(String, u32)>,
    /// `None`: unassigned.
    pub assignees: Vec<(Option<String>, u32)>,
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryResult {
    /// Positions into [`LogIndex::captures`], in the requested order.
    pub rows: Vec<u32>,
    /// Live (not deleted) records in the whole log.
    pub live: u32,
    pub facets: Facets,
}

/// Interned strings: facet values become small integers.
#[derive(Debug, Default, Clone)]
struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }
    /// Rank of each id in case- and accent-insensitive alphabetical order.
    fn ranks(&self, table: &FoldTable) -> Vec<u32> {
        let folded: Vec<Vec<u8>> = self.names.iter().map(|n| fold(n, table)).collect();
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|&a, &b| folded[a as usize].cmp(&folded[b as usize]).then(self.names[a as usize].cmp(&self.names[b as usize])));
        let mut rank = vec![0; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i as usize] = r as u32;
        }
        rank
    }
}

/// What a query needs of one record, precomputed.
#[derive(Debug, Clone)]
struct Entry {
    live: bool,
    brand: u32,
    site: u32,
    member: u32,
    author: u32,
    /// 0 = no department; otherwise interned id + 1.
    department: u32,
    /// 0 = unassigned; otherwise interned id + 1.
    assignee: u32,
    sentiment: Sentiment,
    status: Status,
    priority: Priority,
    created_ms: i64,
    comment_ms: Option<i64>,
    modified_ms: i64,
    /// Searchable fields, folded, separated by [`FIELD_SEP`].
    text: Box<[u8]>,
}

/// The log, indexed for queries. Keep one per page and [`LogIndex::upsert`]
/// records as they change: only the changed record is re-folded.
#[derive(Debug)]
pub struct LogIndex {
    captures: Vec<Capture>,
    entries: Vec<Entry>,
    by_id: HashMap<String, u32>,
    brands: Interner,
    sites: Interner,
    members: Interner,
    authors: Interner,
    departments: Interner,
    assignees: Interner,
    table: FoldTable,
    scratch: NormText,
}

/// Fold text the way brand matching does (lenient: no case, no accents).
fn fold(s: &str, table: &FoldTable) -> Vec<u8> {
    let mut nt = NormText::default();
    normalize(s, Fold::LENIENT, Some(table), &mut nt);
    nt.bytes
}

impl LogIndex {
    pub fn new(captures: Vec<Capture>) -> LogIndex {
        let mut index = LogIndex {
            captures: Vec::with_capacity(captures.len()),
            entries: Vec::with_capacity(captures.len()),
            by_id: HashMap::with_capacity(captures.len()),
            brands: Interner::default(),
            sites: Interner::default(),
            members: Interner::default(),
            authors: Interner::default(),
            departments: Interner::default(),
            assignees: Interner::default(),
            table: FoldTable::new(Fold::LENIENT),
            scratch: NormText::default(),
        };
        for c in captures {
            index.upsert(c);
        }
        index
    }

    pub fn captures(&self) -> &[Capture] {
        &self.captures
    }

    pub fn len(&self) -> usize {
        self.captures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.captures.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Capture> {
        self.by_id.get(id).map(|&i| &self.captures[i as usize])
    }

    pub fn position(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    /// Add a record, or replace the stored copy of the same id (the caller
    /// has already merged it; the store is the source of truth).
    pub fn upsert(&mut self, capture: Capture) {
        let entry = self.entry(&capture);
        match self.by_id.get(&capture.id) {
            Some(&i) => {
                self.captures[i as usize] = capture;
                self.entries[i as usize] = entry;
            }
            None => {
                self.by_id.insert(capture.id.clone(), self.captures.len() as u32);
                self.captures.push(capture);
                self.entries.push(entry);
            }
        }
    }

    /// Add a copy read from the store while this index may already hold a
    /// newer one (a page reading the log in pieces while the manager edits):
    /// the two copies are merged, so a stale read never undoes an edit.
    pub fn absorb(&mut self, capture: Capture) {
        match self.get(&capture.id) {
            None => self.upsert(capture),
            Some(held) if *held == capture => {}
            Some(held) => {
                let mut merged = held.clone();
                merged.merge(&capture);
                self.upsert(merged);
            }
        }
    }

    fn entry(&mut self, c: &Capture) -> Entry {
        let ctx = &c.context.value;
        let mut text = Vec::with_capacity(ctx.comment_text.len() + 64);
        let tags = c.tags.values().join(" ");
        let comments = c.comments_text();
        let fields: [&str; 11] = [
            &ctx.comment_text,
            ctx.author_name.as_deref().unwrap_or(""),
            &ctx.page_title,
            &ctx.site,
            &ctx.brand,
            &ctx.term,
            &ctx.quote.exact,
            &tags,
            &comments,
            c.department.value.as_deref().unwrap_or(""),
            &c.created_by,
        ];
        for f in fields {
            if f.is_empty() {
                continue;
            }
            normalize(f, Fold::LENIENT, Some(&self.table), &mut self.scratch);
            text.extend_from_slice(&self.scratch.bytes);
            text.push(FIELD_SEP);
        }
        Entry {
            live: !c.deleted.value,
            brand: self.brands.id(&ctx.brand),
            site: self.sites.id(&ctx.site),
            member: self.members.id(&c.created_by),
            author: self.authors.id(ctx.author_name.as_deref().unwrap_or("")),
            department: c.department.value.as_deref().map_or(0, |d| self.departments.id(d) + 1),
            assignee: c.assignee.value.as_deref().map_or(0, |a| self.assignees.id(a) + 1),
            sentiment: c.sentiment.value,
            status: c.status.value,
            priority: c.priority.value,
            created_ms: c.created_ms,
            comment_ms: ctx.comment_time.as_ref().and_then(|t| t.utc.as_deref()).and_then(parse_rfc3339),
            modified_ms: c.last_stamp().ms,
            text: text.into_boxed_slice(),
        }
    }

    /// Run a query: matching rows in order, and facet counts.
    pub fn run(&self, q: &Query) -> QueryResult {
        // Resolve facet filters to interned ids once. A value the log has
        // never seen matches nothing (an empty set, not "any").
        let ids = |names: &[String], interner: &Interner| -> Option<Vec<u32>> {
            (!names.is_empty()).then(|| names.iter().filter_map(|n| interner.get(n)).collect())
        };
        let brands = ids(&q.brands, &self.brands);
        let sites = ids(&q.sites, &self.sites);
        let members = ids(&q.members, &self.members);
        let departments: Option<Vec<u32>> = (!q.departments.is_empty()).then(|| {
            q.departments
                .iter()
                .filter_map(|d| match d {
                    None => Some(0),
                    Some(d) => self.departments.get(d).map(|i| i + 1),
                })
                .collect()
        });
        let assignees: Option<Vec<u32>> = (!q.assignees.is_empty()).then(|| {
            q.assignees
                .iter()
                .filter_map(|a| match a {
                    None => Some(0),
                    Some(a) => self.assignees.get(a).map(|i| i + 1),
                })
                .collect()
        });

        let words: Vec<Vec<u8>> = fold(&q.text.replace(FIELD_SEP as char, " "), &self.table)
            .split(|&b| b == b' ')
            .filter(|w| !w.is_empty())
            .map(<[u8]>::to_vec)
            .collect();
        let finders: Vec<memmem::Finder> = words.iter().map(memmem::Finder::new).collect();

        let mut brand_n = vec![0u32; self.brands.names.len()];
        let mut site_n = vec![0u32; self.sites.names.len()];
        let mut member_n = vec![0u32; self.members.names.len()];
        let mut dept_n = vec![0u32; self.departments.names.len() + 1];
        let mut assignee_n = vec![0u32; self.assignees.names.len() + 1];
        let mut sent_n = [0u32; 4];
        let mut status_n = [0u32; 5];
        let mut prio_n = [0u32; 4];
        let mut rows = Vec::new();
        let mut live = 0u32;

        fn allows<T: PartialEq>(set: &Option<Vec<T>>, v: &T) -> bool {
            set.as_ref().is_none_or(|s| s.contains(v))
        }
        fn allows_list<T: PartialEq>(set: &[T], v: &T) -> bool {
            set.is_empty() || set.contains(v)
        }

        for (i, e) in self.entries.iter().enumerate() {
            if !e.live {
                continue;
            }
            live += 1;
            if q.from_ms.is_some() || q.to_ms.is_some() {
                let t = match q.date_field {
                    DateField::Created => Some(e.created_ms),
                    DateField::Comment => e.comment_ms,
                };
                let Some(t) = t else { continue };
                if q.from_ms.is_some_and(|f| t < f) || q.to_ms.is_some_and(|to| t >= to) {
                    continue;
                }
            }
            if !finders.iter().all(|f| f.find(&e.text).is_some()) {
                continue;
            }
            // Which facet filters this record fails, as bits.
            let fails = (!allows(&brands, &e.brand) as u8)
                | (!allows_list(&q.sentiments, &e.sentiment) as u8) << 1
                | (!allows(&departments, &e.department) as u8) << 2
                | (!allows_list(&q.statuses, &e.status) as u8) << 3
                | (!allows_list(&q.priorities, &e.priority) as u8) << 4
                | (!allows(&sites, &e.site) as u8) << 5
                | (!allows(&members, &e.member) as u8) << 6
                | (!allows(&assignees, &e.assignee) as u8) << 7;
            if fails.count_ones() > 1 {
                continue;
            }
            // Count a facet when the record passes every other filter.
            let counts = |bit: u8| fails & !(1 << bit) == 0;
            if counts(0) {
                brand_n[e.brand as usize] += 1;
            }
            if counts(1) {
                sent_n[e.sentiment as usize] += 1;
            }
            if counts(2) {
                dept_n[e.department as usize] += 1;
            }
            if counts(3) {
                status_n[e.status as usize] += 1;
            }
            if counts(4) {
                prio_n[e.priority as usize] += 1;
            }
            if counts(5) {
                site_n[e.site as usize] += 1;
            }
            if counts(6) {
                member_n[e.member as usize] += 1;
            }
            if counts(7) {
                assignee_n[e.assignee as usize] += 1;
            }
            if fails == 0 {
                rows.push(i as u32);
            }
        }

        self.sort(&mut rows, q.sort, q.descending);

        let named = |interner: &Interner, n: &[u32]| -> Vec<(String, u32)> {
            let mut v: Vec<(String, u32)> = interner.names.iter().zip(n).filter(|(_, &k)| k > 0).map(|(s, &k)| (s.clone(), k)).collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let mut departments_out: Vec<(Option<String>, u32)> = dept_n
            .iter()
            .enumerate()
            .filter(|(_, &k)| k > 0)
            .map(|(i, &k)| (if i == 0 { None } else { Some(self.departments.names[i - 1].clone()) }, k))
            .collect();
        departments_out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut assignees_out: Vec<(Option<String>, u32)> = assignee_n
            .iter()
            .enumerate()
            .filter(|(_, &k)| k > 0)
            .map(|(i, &k)| (if i == 0 { None } else { Some(self.assignees.names[i - 1].clone()) }, k))
            .collect();
        assignees_out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let facets = Facets {
            brands: named(&self.brands, &brand_n),
            sentiments: Sentiment::ALL.iter().map(|&s| (s, sent_n[s as usize])).collect(),
            departments: departments_out,
            statuses: Status::ALL.iter().map(|&s| (s, status_n[s as usize])).collect(),
            priorities: Priority::ALL.iter().map(|&p| (p, prio_n[p as usize])).collect(),
            sites: named(&self.sites, &site_n),
            members: named(&self.members, &member_n),
            assignees: assignees_out,
        };
        QueryResult { rows, live, facets }
    }

    /// Sort positions by `key`; ties by creation time then id, so the order is
    /// stable across runs whatever the direction.
    fn sort(&self, rows: &mut [u32], key: SortKey, descending: bool) {
        let ranks = |interner: &Interner| interner.ranks(&self.table);
        let e = &self.entries;
        let primary: Vec<i64> = match key {
            SortKey::Created => Vec::new(),
            SortKey::CommentTime => e.iter().map(|e| e.comment_ms.unwrap_or(i64::MIN)).collect(),
            SortKey::Modified => e.iter().map(|e| e.modified_ms).collect(),
            SortKey::Brand => {
                let r = ranks(&self.brands);
                e.iter().map(|e| r[e.brand as usize] as i64).collect()
            }
            SortKey::Site => {
                let r = ranks(&self.sites);
                e.iter().map(|e| r[e.site as usize] as i64).collect()
            }
            SortKey::Author => {
                let r = ranks(&self.authors);
                e.iter().map(|e| r[e.author as usize] as i64).collect()
            }
            SortKey::Member => {
                let r = ranks(&self.members);
                e.iter().map(|e| r[e.member as usize] as i64).collect()
            }
            SortKey::Department => {
                // Records without a department sort last (ascending).
                let r = ranks(&self.departments);
                e.iter().map(|e| if e.department == 0 { i64::MAX } else { r[e.department as usize - 1] as i64 }).collect()
            }
            SortKey::Sentiment => e.iter().map(|e| e.sentiment as i64).collect(),
            SortKey::Status => e.iter().map(|e| e.status as i64).collect(),
            SortKey::Priority => e.iter().map(|e| e.priority as i64).collect(),
        };
        let caps = &self.captures;
        let cmp = |a: &u32, b: &u32| {
            let (a, b) = (*a as usize, *b as usize);
            let p = if primary.is_empty() { std::cmp::Ordering::Equal } else { primary[a].cmp(&primary[b]) };
            p.then(e[a].created_ms.cmp(&e[b].created_ms)).then_with(|| caps[a].id.cmp(&caps[b].id))
        };
        if descending {
            rows.sort_unstable_by(|a, b| cmp(b, a));
        } else {
            rows.sort_unstable_by(cmp);
        }
    }
}

/// The slow way, kept for the benchmark's comparison and as a test oracle:
/// fold every record's fields again for each query.
pub fn naive_text_matches(captures: &[Capture], text: &str) -> Vec<u32> {
    let table = FoldTable::new(Fold::LENIENT);
    let words: Vec<Vec<u8>> = fold(text, &table).split(|&b| b == b' ').filter(|w| !w.is_empty()).map(<[u8]>::to_vec).collect();
    captures
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.deleted.value)
        .filter(|(_, c)| {
            let ctx = &c.context.value;
            let fields = [
                ctx.comment_text.as_str(),
                ctx.author_name.as_deref().unwrap_or(""),
                &ctx.page_title,
                &ctx.site,
                &ctx.brand,
                &ctx.term,
                &ctx.quote.exact,
                &c.tags.values().join(" "),
                &c.comments_text(),
                c.department.value.as_deref().unwrap_or(""),
                &c.created_by,
            ]
            .map(|f| fold(f, &table));
            words.iter().all(|w| fields.iter().any(|f| memmem::find(f, w).is_some()))
        })
        .map(|(i, _)| i as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::record::{CaptureContext, CommentTime, Tags};
    use crate::log::stamp::Stamp;
    use crate::log::CaptureEdit;

    fn cap(n: u8, brand: &str, site: &str, text: &str, author: &str, ms: i64) -> Capture {
        let ctx = CaptureContext {
            page_url: format!("https://{site}/t/{n}"),
            site: site.into(),
            comment_text: text.into(),
            author_name: Some(author.into()),
            brand: brand.into(),
            term: brand.into(),
            comment_time: Some(CommentTime { utc: Some(format!("2024-05-{:02}T10:00:00Z", n)), ..Default::default() }),
            ..Default::default()
        };
        let id = format!("0190{n:04x}-0000-7000-8000-000000000000");
        Capture::new(
            id,
            ctx,
            &Tags::default(),
            if n.is_multiple_of(2) { "ana" } else { "luis" },
            Stamp { ms, counter: 0, actor: "a".into() },
        )
    }

    fn edit(c: &mut Capture, e: CaptureEdit) {
        let s = Stamp::next(c.last_stamp(), c.last_stamp().ms + 1000, "a");
        c.apply(&e, &s, "ana").unwrap();
    }

    #[test]
    fn absorbing_a_stale_copy_keeps_the_newer_edit() {
        let first = cap(1, "Telefónica", "foro.example", "Movistar", "José", 100);
        let mut edited = first.clone();
        edit(&mut edited, CaptureEdit { add_comment: Some("llamar".into()), ..Default::default() });
        let mut deleted_elsewhere = first.clone();
        edit(&mut deleted_elsewhere, CaptureEdit { deleted: Some(true), ..Default::default() });
        let other = cap(2, "Iberia", "x.example", "Iberia", "Ana", 200);

        let mut index = LogIndex::new(vec![edited.clone()]);
        // Cases: (copy absorbed, note held after, deleted after, records held).
        let cases = [
            (first.clone(), "llamar", false, 1),
            (edited.clone(), "llamar", false, 1),
            (deleted_elsewhere, "llamar", true, 1),
            (other, "llamar", true, 2),
        ];
        for (copy, note, deleted, len) in cases {
            index.absorb(copy);
            let held = index.get(&first.id).unwrap();
            assert_eq!((held.comments_text().as_str(), held.deleted.value, index.len()), (note, deleted, len));
        }
        // The merged copy is what queries see.
        assert_eq!(index.run(&Query::default()).live, 1);
    }

    fn sample() -> LogIndex {
        let mut v = vec![
            cap(1, "Telefónica", "foro.example", "Movistar me cobró DOS veces", "José Pérez", 100),
            cap(2, "Telefónica", "x.example", "La atención de Movistar fue excelente", "Ana", 200),
            cap(3, "Iberia", "foro.example", "Iberia perdió mi maleta en Barajas", "Nuño", 300),
            cap(4, "Iberia", "news.example", "<img src=x onerror=alert(1)> ¿Qué pasó con el vuelo?", "<b>evil</b>", 400),
            cap(5, "Zara", "x.example", "Zara's return policy is great", "Émile", 500),
        ];
        edit(
            &mut v[0],
            CaptureEdit {
                sentiment: Some(Sentiment::Negative),
                status: Some(Status::NeedsResponse),
                department: Some(Some("Facturación".into())),
                add_comment: Some("Llamar al cliente".into()),
                ..Default::default()
            },
        );
        edit(
            &mut v[2],
            CaptureEdit {
                sentiment: Some(Sentiment::Negative),
                status: Some(Status::Escalated),
                tags: Some(vec!["equipaje".into()]),
                ..Default::default()
            },
        );
        edit(&mut v[1], CaptureEdit { sentiment: Some(Sentiment::Positive), ..Default::default() });
        let mut gone = cap(6, "Zara", "x.example", "deleted comment about Zara", "X", 600);
        edit(&mut gone, CaptureEdit { deleted: Some(true), ..Default::default() });
        v.push(gone);
        LogIndex::new(v)
    }

    fn ids(index: &LogIndex, q: &Query) -> Vec<u8> {
        index.run(q).rows.iter().map(|&r| u8::from_str_radix(&index.captures()[r as usize].id[4..8], 16).unwrap()).collect()
    }

    #[test]
    fn text_search_ignores_case_accents_and_field_boundaries() {
        let index = sample();
        let cases: &[(&str, &[u8])] = &[
            ("", &[1, 2, 3, 4, 5]),
            ("movistar", &[1, 2]),
            ("COBRO", &[1]),
            ("cobró dos", &[1]),
            ("jose perez", &[1]),
            ("nuno", &[3]),
            ("facturacion", &[1]),
            ("llamar", &[1]),
            ("EQUIPAJE", &[3]),
            ("emile", &[5]),
            ("zara’s", &[5]),
            ("onerror", &[4]),
            ("<b>", &[4]),
            ("¿que", &[4]),
            ("ana", &[2, 4]), // author Ana; member "ana" on even ids
            ("deleted", &[]),
            ("movistar iberia", &[]),
            ("  ", &[1, 2, 3, 4, 5]),
        ];
        for (text, want) in cases {
            let q = Query { text: text.to_string(), ..Default::default() };
            assert_eq!(ids(&index, &q), *want, "{text:?}");
            let naive: Vec<u32> = naive_text_matches(index.captures(), text);
            assert_eq!(naive, index.run(&q).rows, "naive oracle for {text:?}");
        }
    }

    #[test]
    fn filters_combine_and_unknown_values_match_nothing() {
        let index = sample();
        let q = |f: fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            ids(&index, &q)
        };
        assert_eq!(q(|q| q.brands = vec!["Telefónica".into()]), [1, 2]);
        assert_eq!(q(|q| q.brands = vec!["Telefónica".into(), "Zara".into()]), [1, 2, 5]);
        assert_eq!(q(|q| q.brands = vec!["Nobody".into()]), Vec::<u8>::new());
        assert_eq!(q(|q| q.sentiments = vec![Sentiment::Negative]), [1, 3]);
        assert_eq!(q(|q| q.departments = vec![Some("Facturación".into())]), [1]);
        assert_eq!(q(|q| q.departments = vec![None]), [2, 3, 4, 5]);
        assert_eq!(q(|q| q.statuses = vec![Status::New]), [2, 4, 5]);
        assert_eq!(q(|q| q.sites = vec!["foro.example".into()]), [1, 3]);
        assert_eq!(q(|q| q.members = vec!["ana".into()]), [2, 4]);
        assert_eq!(
            q(|q| {
                q.sites = vec!["x.example".into()];
                q.sentiments = vec![Sentiment::Positive]
            }),
            [2]
        );
        // Date ranges: inclusive start, exclusive end; by capture or comment time.
        assert_eq!(
            q(|q| {
                q.from_ms = Some(200);
                q.to_ms = Some(400)
            }),
            [2, 3]
        );
        let may = |d: u32| crate::log::dates::parse_rfc3339(&format!("2024-05-{d:02}T00:00:00Z"));
        let index2 = &index;
        let mut qc = Query { date_field: DateField::Comment, from_ms: may(2), to_ms: may(4), ..Default::default() };
        assert_eq!(ids(index2, &qc), [2, 3]);
        qc.to_ms = None;
        assert_eq!(ids(index2, &qc), [2, 3, 4, 5]);
    }

    #[test]
    fn facets_count_what_other_filters_allow() {
        let index = sample();
        let q = Query { brands: vec!["Telefónica".into()], sentiments: vec![Sentiment::Negative], ..Default::default() };
        let r = index.run(&q);
        assert_eq!(r.live, 5);
        assert_eq!(r.rows.len(), 1);
        // Brands are counted among negative records; sentiments among Telefónica records.
        assert_eq!(r.facets.brands, vec![("Iberia".to_string(), 1), ("Telefónica".to_string(), 1)]);
        let sent: HashMap<_, _> = r.facets.sentiments.iter().cloned().collect();
        assert_eq!((sent[&Sentiment::Negative], sent[&Sentiment::Positive], sent[&Sentiment::Neutral]), (1, 1, 0));
        // Other facets count the rows that pass everything.
        assert_eq!(r.facets.sites, vec![("foro.example".to_string(), 1)]);
        assert_eq!(r.facets.departments, vec![(Some("Facturación".to_string()), 1)]);
        // Tombstones are never counted.
        let all = index.run(&Query::default());
        assert_eq!(all.facets.brands.iter().find(|b| b.0 == "Zara").unwrap().1, 1);
    }

    #[test]
    fn sorts_by_each_key_with_stable_ties() {
        let index = sample();
        let sorted = |sort: SortKey, descending: bool| ids(&index, &Query { sort, descending, ..Default::default() });
        assert_eq!(sorted(SortKey::Created, false), [1, 2, 3, 4, 5]);
        assert_eq!(sorted(SortKey::Created, true), [5, 4, 3, 2, 1]);
        assert_eq!(sorted(SortKey::Brand, false), [3, 4, 1, 2, 5]);
        assert_eq!(sorted(SortKey::Author, false), [4, 2, 5, 1, 3]); // "<b>evil</b>", Ana, Émile, José, Nuño
        assert_eq!(sorted(SortKey::Sentiment, false), [2, 4, 5, 1, 3]);
        assert_eq!(sorted(SortKey::Status, true), [3, 1, 5, 4, 2]);
        assert_eq!(sorted(SortKey::Department, false), [1, 2, 3, 4, 5]);
        assert_eq!(sorted(SortKey::CommentTime, true), [5, 4, 3, 2, 1]);
        assert_eq!(sorted(SortKey::Modified, true)[..3], [3, 2, 1]);
    }

    #[test]
    fn upsert_refolds_only_the_changed_record() {
        let mut index = sample();
        let mut c = index.get(&index.captures()[1].id.clone()).unwrap().clone();
        edit(&mut c, CaptureEdit { add_comment: Some("Devolver la llamada mañana".into()), ..Default::default() });
        index.upsert(c.clone());
        assert_eq!(ids(&index, &Query { text: "manana".into(), ..Default::default() }), [2]);
        edit(&mut c, CaptureEdit { deleted: Some(true), ..Default::default() });
        index.upsert(c);
        assert_eq!(ids(&index, &Query { text: "manana".into(), ..Default::default() }), Vec::<u8>::new());
        assert_eq!(index.run(&Query::default()).live, 4);
        assert_eq!(index.len(), 6);
    }
}
