//! The page's own post template, learnt from the clicked post's look-alike
//! siblings. Posts on a thread repeat: the author sits at the same place in
//! every post and differs between them, a time parses at the same place in
//! every post, the permalink follows one pattern. So every field is read in
//! every sibling the snapshot holds whole, and the place (the tag/class path
//! from the post root) that most posts agree on is the template. The clicked
//! post is read through it, and a field's confidence is how many posts agree
//! on that place, zero when the value is the same in every post (a thread
//! author or date in a wrapper is not the post's).

use super::adapters::Adapter;
use super::css::Selector;
use super::detect::{same_kind, signature, Detection, Method};
use super::fields::{
    author_from, element_text, find_author_at, find_permalink_at, find_time, is_action_href, is_page_href, is_quote, name_like, time_from,
    Author, Scope,
};
use super::page::PageInfo;
use super::snapshot::Snapshot;
use super::time::{CommentTime, Precision};

/// Siblings read at most (nearest to the clicked post first).
pub const MAX_SIBLINGS: usize = 12;

/// One step of a path from a post root: tag and meaningful classes.
pub type Path = Vec<String>;

/// What one post gives, with the elements each field was read from.
#[derive(Debug, Clone, Default)]
pub struct PostRead {
    pub author: Author,
    pub author_el: Option<u32>,
    pub time: Option<CommentTime>,
    pub time_el: Option<u32>,
    pub permalink: Option<String>,
    pub permalink_el: Option<u32>,
}

/// A sibling's reading with the places of its fields, computed once (the
/// template compares them for every field).
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub author: Option<Path>,
    pub time: Option<Path>,
    pub permalink: Option<Path>,
}

fn step(s: &Snapshot, id: u32) -> String {
    let n = s.node(id);
    signature(s, id).filter(|sig| sig.contains('.')).unwrap_or_else(|| n.tag().to_string())
}

/// The path from `root` (exclusive) down to `el` (inclusive).
pub fn path_of(s: &Snapshot, root: u32, el: u32) -> Path {
    let mut p: Vec<String> = std::iter::once(el).chain(s.ancestors(el).take_while(|a| *a != root)).map(|id| step(s, id)).collect();
    p.reverse();
    p
}

/// The first element under `root` at `path`, skipping pruned subtrees.
pub fn resolve(s: &Snapshot, root: u32, path: &Path, prune: &dyn Fn(u32) -> bool) -> Option<u32> {
    if path.is_empty() {
        return Some(root);
    }
    // Depth-first over the candidates matching each step in turn.
    let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
    let mut visited = 0usize;
    while let Some((id, depth)) = stack.pop() {
        visited += 1;
        if visited > 20_000 {
            return None;
        }
        if depth == path.len() {
            return Some(id);
        }
        let want = &path[depth];
        let next: Vec<u32> =
            s.node(id).children.iter().copied().filter(|c| s.node(*c).is_element() && !prune(*c) && step(s, *c) == *want).collect();
        stack.extend(next.into_iter().rev().map(|c| (c, depth + 1)));
    }
    None
}

/// Same tag and most classes shared: posts carry state classes (original
/// poster, moderator, alternating rows) that differ between look-alikes.
fn alike(s: &Snapshot, a: u32, b: u32) -> bool {
    let (na, nb) = (s.node(a), s.node(b));
    if na.tag() != nb.tag() {
        return false;
    }
    let ca: Vec<&str> = na.classes().collect();
    let cb: Vec<&str> = nb.classes().collect();
    let shared = ca.iter().filter(|c| cb.contains(c)).count();
    let union = ca.len() + cb.len() - shared;
    shared >= 1 && shared * 3 >= union * 2
}

/// The other posts of the same kind the snapshot holds whole, nearest first.
pub fn siblings(s: &Snapshot, det: &Detection, root: u32) -> Vec<u32> {
    siblings_up_to(s, det, root, MAX_SIBLINGS)
}

/// [`siblings`], at most `max` of them (the verified response reads a thread's posts).
pub fn siblings_up_to(s: &Snapshot, det: &Detection, root: u32, max: usize) -> Vec<u32> {
    if det.method == Method::Block {
        return Vec::new();
    }
    let root_sig = super::detect::shape(s, root);
    let alt = det.root_alt.map(Selector::parse);
    let depth = s.ancestors(root).count();
    let kind = |id: u32| match (&alt, det.method) {
        (Some(sel), Method::Adapter) => sel.matches(s, id, None),
        // Look-alike posts sit at the post's depth (a post's own parts may
        // look alike too).
        // (The tag is compared first: every other element is ruled out
        // without building its signature.)
        (_, Method::Repetition) => {
            root_sig.is_some()
                && s.node(id).tag() == s.node(root).tag()
                && (super::detect::shape(s, id) == root_sig || alike(s, root, id))
                && s.ancestors(id).count() == depth
        }
        _ => same_kind(s, det, &root_sig, id),
    };
    let mut found: Vec<u32> = (0..s.nodes.len() as u32)
        .filter(|id| {
            *id != root && s.node(*id).is_element() && !s.node(*id).elided && !s.contains(*id, root) && !s.contains(root, *id) && kind(*id)
        })
        .collect();
    // A post whose subtree was cut at the shallow rim cannot be read.
    found.retain(|id| !s.node(*id).children.is_empty());
    found.sort_by_key(|id| (*id as i64 - root as i64).abs());
    found.truncate(max);
    found
}

/// A block's shape with its first element child's: rows of a table share
/// the tag, their cells tell header rows from body rows.
fn row_shape(s: &Snapshot, id: u32) -> Option<String> {
    let own = super::detect::shape(s, id)?;
    let first = s.node(id).children.iter().copied().find(|c| s.node(*c).is_element()).and_then(|c| super::detect::shape(s, c));
    Some(format!("{own}/{}", first.unwrap_or_default()))
}

/// Posts split over two sibling blocks, a header (author, time) and then
/// the body, repeated down the thread (table layouts). Returns the clicked
/// post's header and body, and the other posts' headers.
pub fn split_post(s: &Snapshot, stop: Option<u32>) -> Option<(u32, u32, Vec<u32>)> {
    for b in s.ancestors(s.mention_node) {
        if Some(b) == stop || matches!(s.node(b).tag(), "body" | "html") {
            return None;
        }
        let parent = s.node(b).parent?;
        let Some(kb) = row_shape(s, b) else { continue };
        let kids: Vec<u32> = s.node(parent).children.iter().copied().filter(|c| s.node(*c).is_element()).collect();
        let prev = |c: u32| kids.iter().position(|k| *k == c).and_then(|i| i.checked_sub(1)).map(|i| kids[i]);
        let bodies: Vec<u32> = kids.iter().copied().filter(|c| row_shape(s, *c).as_deref() == Some(kb.as_str())).collect();
        if bodies.len() < 3 {
            continue;
        }
        let Some(header) = prev(b) else { continue };
        // A header is a line or two (author, date, number), not a post.
        let short = |h: u32| super::fields::element_text(s, h, 600).chars().count() <= 300;
        let Some(kh) = row_shape(s, header).filter(|k| *k != kb && short(header)) else { continue };
        let headers: Vec<u32> =
            bodies.iter().filter_map(|c| prev(*c)).filter(|h| row_shape(s, *h).as_deref() == Some(kh.as_str())).collect();
        // Nearly every body follows a header of one shape.
        if headers.len() * 4 < bodies.len() * 3 || headers.iter().any(|h| s.node(*h).elided) {
            continue;
        }
        let others: Vec<u32> = headers.into_iter().filter(|h| *h != header).take(MAX_SIBLINGS).collect();
        return Some((header, b, others));
    }
    None
}

/// Classes that mark a short text as something other than a name.
const NOT_NAME_CLASSES: &[&str] =
    &["date", "time", "title", "rank", "badge", "count", "number", "stat", "label", "btn", "button", "level", "role", "group", "location"];

/// The short name-like leaf texts of a post, outside its body and before
/// its first sentence-long text, in document order, with their places:
/// where a plain-text author name (no profile link) sits. A leaf holds
/// text only; paragraphs, list items and headings are content, not names.
pub fn name_places(s: &Snapshot, root: u32, prune: &dyn Fn(u32) -> bool, now_ms: i64, lang: Option<&str>) -> Vec<(Path, u32, String)> {
    let mut out = Vec::new();
    for id in s.descendants(root, prune) {
        let n = s.node(id);
        if !n.is_element() {
            if super::page::collapse(&n.text).chars().count() >= 40 {
                break;
            }
            continue;
        }
        if id == root
            || matches!(
                n.tag(),
                "p" | "li"
                    | "h1"
                    | "h2"
                    | "h3"
                    | "h4"
                    | "h5"
                    | "h6"
                    | "blockquote"
                    | "pre"
                    | "code"
                    | "button"
                    | "option"
                    | "script"
                    | "style"
                    | "label"
            )
            || n.children.iter().any(|c| s.node(*c).is_element() && s.node(*c).tag() != "br")
            || n.attr("href").is_some_and(|h| is_action_href(h) || h.starts_with('#') || h.starts_with("javascript"))
            || n.classes().any(|c| {
                let c = c.to_ascii_lowercase();
                NOT_NAME_CLASSES.iter().any(|w| c.contains(w))
            })
        {
            continue;
        }
        let text = element_text(s, id, 128);
        if name_like(&text, now_ms, lang) {
            out.push((path_of(s, root, id), id, text));
        }
        if out.len() >= 8 {
            break;
        }
    }
    out
}

/// Read the author, time and permalink of one post (adapter selectors first,
/// then the generic finders).
pub fn read_post(scope: &Scope, adapter: Option<&Adapter>) -> PostRead {
    let s = scope.s;
    let mut r = PostRead::default();
    if let Some(a) = adapter {
        // The first candidate with a name; else the first with a link
        // (avatar links carry the profile URL but no name).
        let candidates: Vec<(Author, u32)> =
            a.author.split(',').flat_map(|alt| scope.all_matches(alt.trim())).take(16).map(|el| (author_from(scope, el), el)).collect();
        if let Some((named, el)) = candidates.iter().find(|(c, _)| c.name.is_some()) {
            r.author = named.clone();
            r.author_el = Some(*el);
            if r.author.url.is_none() {
                r.author.url = candidates.iter().find_map(|(c, _)| c.url.clone());
            }
        } else if let Some((linked, el)) = candidates.into_iter().find(|(c, _)| c.url.is_some()) {
            r.author = linked;
            r.author_el = Some(el);
        }
        if let Some(el) = first_of(scope, a.time) {
            if let Some(t) = time_from(scope, el) {
                r.time = Some(t);
                r.time_el = Some(el);
            }
        }
        if let Some(el) = first_of(scope, a.permalink) {
            r.permalink = s
                .node(el)
                .attr("href")
                .or_else(|| s.node(el).attr("content"))
                .filter(|h| !is_action_href(h) && !is_page_href(h))
                .and_then(|h| scope.resolve(h));
            r.permalink_el = r.permalink.as_ref().map(|_| el);
        }
        if r.permalink.is_none() {
            r.permalink = a.permalink_attr.and_then(|attr| s.node(scope.root).attr(attr)).and_then(|h| scope.resolve(h));
            r.permalink_el = r.permalink.as_ref().map(|_| scope.root);
        }
    }
    if r.author.name.is_none() && r.author.url.is_none() {
        if let Some((a, el)) = find_author_at(scope) {
            r.author = a;
            r.author_el = Some(el);
        }
    }
    if r.time.is_none() {
        if let Some((t, el)) = find_time(scope) {
            r.time = Some(t);
            r.time_el = Some(el);
        }
    }
    if r.permalink.is_none() {
        if let Some((u, el)) = find_permalink_at(scope, r.time_el) {
            r.permalink = Some(u);
            r.permalink_el = Some(el);
        }
    }
    r
}

/// The first field element matching an adapter selector list, trying its
/// alternatives in the order written.
pub fn first_of(scope: &Scope, list: &str) -> Option<u32> {
    list.split(',').map(str::trim).filter(|a| !a.is_empty()).find_map(|alt| scope.first_match(alt))
}

/// How the clicked post's fields compare with its siblings'.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Agreement {
    /// Posts read, the clicked one included.
    pub posts: usize,
    /// Posts with this field at the clicked post's place.
    pub at_place: usize,
    /// Distinct values among all posts with the field (0 if only this one has it).
    pub distinct: usize,
}

impl Agreement {
    /// Confidence from template evidence; `None` without siblings to compare.
    pub fn confidence(&self) -> Option<f32> {
        if self.posts <= 1 || self.at_place == 0 {
            return None;
        }
        if self.distinct == 1 {
            // The same value in every post is the thread's, not the post's.
            return Some(0.05);
        }
        let share = self.at_place as f32 / self.posts as f32;
        Some((0.3 + 0.65 * share).min(1.0))
    }
}

/// The template context: the clicked post and the siblings read with the
/// same rules.
pub struct Template<'a> {
    pub s: &'a Snapshot,
    pub page: &'a PageInfo,
    pub now_ms: i64,
    pub root: u32,
    pub siblings: Vec<u32>,
    pub reads: Vec<PostRead>,
    pub sibling_bodies: Vec<Option<u32>>,
    pub places: Vec<Places>,
}

impl<'a> Template<'a> {
    pub fn learn(
        s: &'a Snapshot,
        page: &'a PageInfo,
        now_ms: i64,
        det: &Detection,
        body_path: Option<&Path>,
        nested: &dyn Fn(u32) -> bool,
    ) -> Template<'a> {
        let siblings = siblings(s, det, det.root);
        Template::over(s, page, now_ms, det.root, siblings, det.adapter, body_path, nested)
    }

    /// The template over explicit sibling roots (see [`split_post`]).
    #[allow(clippy::too_many_arguments)]
    pub fn over(
        s: &'a Snapshot,
        page: &'a PageInfo,
        now_ms: i64,
        root: u32,
        siblings: Vec<u32>,
        adapter: Option<&Adapter>,
        body_path: Option<&Path>,
        nested: &dyn Fn(u32) -> bool,
    ) -> Template<'a> {
        let mut reads = Vec::with_capacity(siblings.len());
        let mut sibling_bodies = Vec::with_capacity(siblings.len());
        for &sib in &siblings {
            let body = body_path.and_then(|p| resolve(s, sib, p, &|id| nested(id) || is_quote(s, id)));
            let scope = Scope { s, root: sib, body, nested, page, now_ms };
            reads.push(read_post(&scope, adapter));
            sibling_bodies.push(body);
        }
        let places = reads
            .iter()
            .zip(&siblings)
            .map(|(r, sib)| Places {
                author: r.author_el.map(|e| path_of(s, *sib, e)),
                time: r.time_el.map(|e| path_of(s, *sib, e)),
                permalink: r.permalink_el.map(|e| path_of(s, *sib, e)),
            })
            .collect();
        Template { s, page, now_ms, root, siblings, reads, sibling_bodies, places }
    }

    fn agreement<K: PartialEq>(&self, mine: Option<(&Path, K)>, theirs: impl Fn(&PostRead, &Places) -> Option<(Path, K)>) -> Agreement {
        let Some((path, value)) = mine else { return Agreement { posts: 1 + self.siblings.len(), ..Default::default() } };
        let mut at_place = 1;
        // Values compared across every post that has the field, wherever
        // it was read: one value everywhere is the thread's.
        let mut distinct: Vec<K> = vec![value];
        let mut found = 1;
        for (read, places) in self.reads.iter().zip(&self.places) {
            if let Some((p, v)) = theirs(read, places) {
                found += 1;
                if p == *path {
                    at_place += 1;
                }
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
            }
        }
        let distinct = if found >= 2 { distinct.len() } else { 0 };
        Agreement { posts: 1 + self.siblings.len(), at_place, distinct }
    }

    /// The place most siblings read a field at, with its count.
    fn majority(&self, place_of: impl Fn(&Places) -> Option<Path>) -> Option<(Path, usize)> {
        let mut counts: Vec<(Path, usize)> = Vec::new();
        for places in &self.places {
            if let Some(p) = place_of(places) {
                match counts.iter_mut().find(|(q, _)| *q == p) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((p, 1)),
                }
            }
        }
        counts.into_iter().max_by_key(|(_, c)| *c)
    }

    /// The clicked post's element at the place more than half the posts
    /// read a field at (two at least), when its own reading sits elsewhere,
    /// at a place no sibling shares: where to read that field again.
    fn agreed_place(&self, mine: Option<u32>, place_of: impl Fn(&Places) -> Option<&Path>, prune: &dyn Fn(u32) -> bool) -> Option<u32> {
        let (place, count) = self.majority(|q| place_of(q).cloned())?;
        let my_place = mine.map(|e| path_of(self.s, self.root, e));
        let agreed = count >= 2 && count * 2 > self.siblings.len();
        if my_place.as_ref() == Some(&place) || !agreed || self.shared(my_place.as_ref(), &place_of) {
            return None;
        }
        resolve(self.s, self.root, &place, prune)
    }

    /// True if some sibling read the field at `place` too.
    fn shared(&self, place: Option<&Path>, place_of: impl Fn(&Places) -> Option<&Path>) -> bool {
        place.is_some_and(|p| self.places.iter().any(|q| place_of(q) == Some(p)))
    }

    /// Re-read the clicked post's fields at the places its siblings agree on,
    /// when the clicked post's own reading sits elsewhere, and score each.
    pub fn apply(&self, scope: &Scope, mine: &mut PostRead) -> [Option<f32>; 3] {
        let s = self.s;
        let prune = |id: u32| Some(id) == scope.body.filter(|b| *b != scope.root) || (scope.nested)(id) || is_quote(s, id);
        let author_key = |a: &Author| a.name.as_deref().map(str::to_lowercase).or_else(|| a.url.clone());
        if let Some(el) = self.agreed_place(mine.author_el, |q| q.author.as_ref(), &prune) {
            let a = author_from(scope, el);
            if a.name.is_some() || a.url.is_some() {
                mine.author = a;
                mine.author_el = Some(el);
            }
        }
        if let Some(el) = self.agreed_place(mine.time_el, |q| q.time.as_ref(), &prune) {
            if let Some(t) = time_from(scope, el) {
                mine.time = Some(t);
                mine.time_el = Some(el);
            }
        }
        let a_place = mine.author_el.map(|e| path_of(s, self.root, e));
        let author = self.agreement(a_place.as_ref().zip(author_key(&mine.author)), |r, q| q.author.clone().zip(author_key(&r.author)));
        let t_place = mine.time_el.map(|e| path_of(s, self.root, e));
        let mut time = self.agreement(t_place.as_ref().zip(mine.time.as_ref().map(|t| t.utc.clone())), |r, q| {
            q.time.clone().zip(r.time.as_ref().map(|t| t.utc.clone()))
        });
        // Many posts share a day: one date everywhere only says the thread's
        // when it names a minute.
        if time.distinct == 1 && mine.time.as_ref().is_some_and(|t| t.precision >= Precision::Day) {
            time.distinct = 2;
        }
        let p_place = mine.permalink_el.map(|e| path_of(s, self.root, e));
        let link = self.agreement(p_place.as_ref().zip(mine.permalink.clone()), |r, q| q.permalink.clone().zip(r.permalink.clone()));
        let mut author_score = author.confidence();
        if mine.author.name.is_none() && mine.author.url.is_none() {
            if let Some((a, el, score)) = self.plain_name(scope, &prune) {
                mine.author = a;
                mine.author_el = Some(el);
                author_score = Some(score);
            }
        }
        [author_score, time.confidence(), link.confidence()]
    }

    /// A plain-text author, read at the template's name place: the place
    /// where the most posts (at least three quarters of them) hold a short
    /// name-like text, earliest in the post on a tie, with values that
    /// differ between posts (one value everywhere is a label, not who wrote
    /// each post). The clicked post is read there or not at all.
    fn plain_name(&self, scope: &Scope, prune: &dyn Fn(u32) -> bool) -> Option<(Author, u32, f32)> {
        let s = self.s;
        let posts = 1 + self.siblings.len();
        if posts < 3 {
            return None;
        }
        let lang = self.page.lang.as_deref();
        let mut all = vec![name_places(s, self.root, prune, self.now_ms, lang)];
        if all[0].is_empty() {
            return None;
        }
        for (sib, body) in self.siblings.iter().zip(&self.sibling_bodies) {
            let prune = |id: u32| Some(id) == body.filter(|b| b != sib) || (scope.nested)(id) || is_quote(s, id);
            all.push(name_places(s, *sib, &prune, self.now_ms, lang));
        }
        // Per place: posts holding it, the sum of its rank in them, values.
        let mut places: Vec<(&Path, usize, usize, Vec<String>)> = Vec::new();
        for list in &all {
            let mut seen: Vec<&Path> = Vec::new();
            for (rank, (path, _, text)) in list.iter().enumerate() {
                if seen.contains(&path) {
                    continue;
                }
                seen.push(path);
                let value = text.to_lowercase();
                match places.iter_mut().find(|(p, ..)| *p == path) {
                    Some((_, count, ranks, values)) => {
                        *count += 1;
                        *ranks += rank;
                        if !values.contains(&value) {
                            values.push(value);
                        }
                    }
                    None => places.push((path, 1, rank, vec![value])),
                }
            }
        }
        let (path, count, ..) = places
            .into_iter()
            .filter(|(_, count, _, values)| count * 4 >= posts * 3 && values.len() >= 2)
            .min_by(|a, b| b.1.cmp(&a.1).then((a.2 * b.1).cmp(&(b.2 * a.1))))?;
        let (_, el, text) = all[0].iter().find(|(p, ..)| p == path)?;
        let share = count as f32 / posts as f32;
        Some((Author { name: Some(super::page::collapse(text)), url: None }, *el, 0.3 + 0.65 * share))
    }
}
