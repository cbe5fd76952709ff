//! Model-based sync test (issue 12, "No lost concurrent edits").
//!
//! Three members edit copies of one capture on their own devices while a
//! team log (the same merge the server runs) receives pushes and serves
//! pulls in a random interleaving: tags added and removed, comments posted,
//! edited and deleted by their authors, assignments, claims and status
//! changes. A separate, deliberately naive model tracks what each operation
//! must leave behind (which tag adds each device had seen when it removed a
//! tag, which comments were posted and deleted, which write was last). After
//! everyone syncs: every copy is equal (convergence), every tag added and
//! not removed by an edit that saw that add is present (add wins), every
//! comment posted survives with its author, deleted only if its author
//! deleted it, the assignee is the last write, and every status change is in
//! the history. Replays (pushing the same copy twice) are part of the mix.

use std::collections::{BTreeMap, BTreeSet};

use escucha_core::log::{Capture, CaptureContext, CaptureEdit, CommentEdit, EventField, Stamp, Status, Tags};
use proptest::prelude::*;

const MEMBERS: [&str; 3] = ["ana", "bo", "cris"];
const TAGS: [&str; 4] = ["factura", "urgente", "Factura", "envío"];

#[derive(Debug, Clone)]
enum Op {
    AddTag(usize, usize),
    RemoveTag(usize, usize),
    Comment(usize),
    EditComment(usize, usize),
    DeleteComment(usize, usize),
    Assign(usize, Option<usize>),
    Claim(usize),
    Release(usize),
    SetStatus(usize, usize),
    Push(usize),
    Pull(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0..3usize;
    prop_oneof![
        (r.clone(), 0..TAGS.len()).prop_map(|(r, t)| Op::AddTag(r, t)),
        (r.clone(), 0..TAGS.len()).prop_map(|(r, t)| Op::RemoveTag(r, t)),
        r.clone().prop_map(Op::Comment),
        (r.clone(), 0..6usize).prop_map(|(r, i)| Op::EditComment(r, i)),
        (r.clone(), 0..6usize).prop_map(|(r, i)| Op::DeleteComment(r, i)),
        (r.clone(), proptest::option::of(0..3usize)).prop_map(|(r, a)| Op::Assign(r, a)),
        r.clone().prop_map(Op::Claim),
        r.clone().prop_map(Op::Release),
        (r.clone(), 0..5usize).prop_map(|(r, s)| Op::SetStatus(r, s)),
        r.clone().prop_map(Op::Push),
        r.clone().prop_map(Op::Push),
        r.clone().prop_map(Op::Pull),
        r.prop_map(Op::Pull),
    ]
}

const T0: i64 = 1_750_000_000_000;

fn base() -> Capture {
    let ctx =
        CaptureContext { page_url: "https://foro.example/t/1".into(), comment_text: "me cobraron dos veces".into(), ..Default::default() };
    let stamp = Stamp { ms: T0, counter: 0, actor: "dev-ana".into() };
    Capture::new("01890a5d-ac96-774b-bcce-b302099a8057".into(), ctx, &Tags::default(), "ana", stamp)
}

fn key(tag: &str) -> String {
    tag.to_lowercase()
}

/// What the model knows: add operations (by number) each device has seen.
#[derive(Default, Clone)]
struct Seen {
    adds: BTreeSet<usize>,
    comments: BTreeSet<String>,
}

struct World {
    devices: Vec<Capture>,
    server: Capture,
    seen: Vec<Seen>,
    server_seen: Seen,
    clock: i64,
    /// add op number → folded tag.
    adds: BTreeMap<usize, String>,
    /// add ops some remove observed.
    removed: BTreeSet<usize>,
    /// comment id → (author, deleted by its author).
    comments: BTreeMap<String, (String, bool)>,
    /// The latest assignment written: (stamp, value).
    last_assign: Option<(Stamp, Option<String>)>,
    /// Status changes that changed the device's value: (member, from, to).
    status_changes: Vec<(String, String, String)>,
}

impl World {
    fn new() -> World {
        let c = base();
        World {
            devices: vec![c.clone(); 3],
            server: c,
            seen: vec![Seen::default(); 3],
            server_seen: Seen::default(),
            clock: T0,
            adds: BTreeMap::new(),
            removed: BTreeSet::new(),
            comments: BTreeMap::new(),
            last_assign: None,
            status_changes: Vec::new(),
        }
    }

    fn stamp(&mut self, r: usize) -> Stamp {
        // Clocks are close but not equal: every third edit happens in the
        // same millisecond as the previous one (ties break by actor).
        self.clock += if self.clock % 3 == 0 { 0 } else { 1 };
        let s = Stamp::next(self.devices[r].last_stamp(), self.clock, &format!("dev-{}", MEMBERS[r]));
        self.clock = self.clock.max(s.ms) + 1;
        s
    }

    fn edit(&mut self, r: usize, e: CaptureEdit) -> Result<Stamp, String> {
        let s = self.stamp(r);
        self.devices[r].apply(&e, &s, MEMBERS[r]).map_err(|x| x.to_string())?;
        Ok(s)
    }

    fn run(&mut self, n: usize, op: &Op) {
        match *op {
            Op::AddTag(r, t) => {
                if self.edit(r, CaptureEdit { add_tags: vec![TAGS[t].into()], ..Default::default() }).is_ok() {
                    self.adds.insert(n, key(TAGS[t]));
                    self.seen[r].adds.insert(n);
                }
            }
            Op::RemoveTag(r, t) => {
                self.edit(r, CaptureEdit { remove_tags: vec![TAGS[t].into()], ..Default::default() }).unwrap();
                let k = key(TAGS[t]);
                let observed: Vec<usize> = self.seen[r].adds.iter().copied().filter(|a| self.adds[a] == k).collect();
                self.removed.extend(observed);
            }
            Op::Comment(r) => {
                let s =
                    self.edit(r, CaptureEdit { add_comment: Some(format!("nota {n} de {}", MEMBERS[r])), ..Default::default() }).unwrap();
                let id = escucha_core::log::thread::comment_id(&s);
                self.comments.insert(id.clone(), (MEMBERS[r].to_string(), false));
                self.seen[r].comments.insert(id);
            }
            Op::EditComment(r, i) | Op::DeleteComment(r, i) => {
                let Some(id) = self.seen[r].comments.iter().nth(i).cloned() else { return };
                let delete = matches!(op, Op::DeleteComment(..));
                let e = if delete {
                    CaptureEdit { delete_comment: Some(id.clone()), ..Default::default() }
                } else {
                    CaptureEdit { edit_comment: Some(CommentEdit { id: id.clone(), text: format!("editada {n}") }), ..Default::default() }
                };
                let author = self.comments[&id].0.clone();
                let already_deleted = self.devices[r].comments.get(&id).is_some_and(|c| c.deleted.value);
                match self.edit(r, e) {
                    Ok(_) => {
                        assert_eq!(author, MEMBERS[r], "only the author may change a comment");
                        if delete {
                            self.comments.get_mut(&id).unwrap().1 = true;
                        }
                    }
                    Err(_) => assert!(author != MEMBERS[r] || already_deleted, "the author's own change was refused"),
                }
            }
            Op::Assign(r, a) => {
                let value = a.map(|a| MEMBERS[a].to_string());
                let s = self.edit(r, CaptureEdit { assignee: Some(value.clone()), ..Default::default() }).unwrap();
                if self.last_assign.as_ref().is_none_or(|(last, _)| s > *last) {
                    self.last_assign = Some((s, value));
                }
            }
            Op::Claim(r) => {
                let until = self.clock + 15 * 60_000;
                let claim = escucha_core::log::Claim { member: MEMBERS[r].into(), until_ms: until };
                self.edit(r, CaptureEdit { claim: Some(Some(claim)), ..Default::default() }).unwrap();
            }
            Op::Release(r) => {
                self.edit(r, CaptureEdit { claim: Some(None), ..Default::default() }).unwrap();
            }
            Op::SetStatus(r, s) => {
                let to = Status::ALL[s];
                let from = self.devices[r].status.value;
                self.edit(r, CaptureEdit { status: Some(to), ..Default::default() }).unwrap();
                if from != to {
                    self.status_changes.push((MEMBERS[r].into(), from.as_str().into(), to.as_str().into()));
                }
            }
            Op::Push(r) => {
                self.server.merge(&self.devices[r]);
                let s = self.seen[r].clone();
                self.server_seen.adds.extend(s.adds);
                self.server_seen.comments.extend(s.comments);
            }
            Op::Pull(r) => {
                self.devices[r].merge(&self.server);
                let s = self.server_seen.clone();
                self.seen[r].adds.extend(s.adds);
                self.seen[r].comments.extend(s.comments);
            }
        }
    }

    fn sync_all(&mut self) {
        for r in 0..3 {
            self.run(usize::MAX, &Op::Push(r));
        }
        for r in 0..3 {
            self.run(usize::MAX, &Op::Pull(r));
        }
    }
}

fn check(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut w = World::new();
    for (n, op) in ops.iter().enumerate() {
        w.run(n, op);
    }
    w.sync_all();
    // Convergence: every device holds exactly the team log's copy.
    for d in &w.devices {
        prop_assert_eq!(d, &w.server);
    }
    let c = &w.server;
    // Tags: present iff some add of it was not observed by a remove.
    let want: BTreeSet<String> = w.adds.iter().filter(|(n, _)| !w.removed.contains(n)).map(|(_, k)| k.clone()).collect();
    let got: BTreeSet<String> = c.tags.values().iter().map(|t| key(t)).collect();
    prop_assert_eq!(&got, &want, "tags");
    // Comments: every one posted survives with its author; deleted only by it.
    prop_assert_eq!(c.comments.len(), w.comments.len());
    for (id, (author, deleted)) in &w.comments {
        let k = c.comments.get(id);
        prop_assert!(k.is_some(), "comment {} lost", id);
        let k = k.unwrap();
        prop_assert_eq!(&k.author, author);
        prop_assert_eq!(k.deleted.value, *deleted);
    }
    // Assignee: the last write wins.
    prop_assert_eq!(&c.assignee.value, &w.last_assign.map(|(_, v)| v).unwrap_or(None));
    // History: every status change made is an event (member, from → to).
    let events: Vec<(String, String, String)> = c
        .history
        .events()
        .iter()
        .filter(|e| e.field == EventField::Status)
        .map(|e| (e.member.clone(), e.from.clone(), e.to.clone()))
        .collect();
    prop_assert_eq!(events.len(), w.status_changes.len());
    for change in &w.status_changes {
        prop_assert!(events.contains(change), "status change {:?} missing", change);
    }
    // What the team log accepts: the converged record is valid.
    prop_assert_eq!(escucha_core::log::validate::validate_pushed(c, w.clock), Ok(()));
    // And it survives the wire.
    let back: Capture = serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap();
    prop_assert_eq!(&back, c);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn concurrent_edits_converge_and_lose_nothing(ops in proptest::collection::vec(op(), 1..60)) {
        check(&ops)?;
    }
}

/// The issue's own scenario, spelled out: two members add different tags
/// and comment at once while a third removes a tag it had seen.
#[test]
fn two_members_adding_tags_and_commenting_at_once_keep_both() {
    let ops = [
        Op::AddTag(0, 0),
        Op::Push(0),
        Op::Pull(1),
        Op::Pull(2),
        Op::AddTag(0, 1),
        Op::AddTag(1, 3),
        Op::RemoveTag(2, 0),
        Op::Comment(0),
        Op::Comment(1),
        Op::Push(1),
        Op::Push(2),
        Op::Push(0),
    ];
    check(&ops).unwrap();
    let mut w = World::new();
    for (n, op) in ops.iter().enumerate() {
        w.run(n, op);
    }
    w.sync_all();
    assert_eq!(w.server.tags.values(), vec!["envío".to_string(), "urgente".to_string()]);
    assert_eq!(w.server.comments.visible().len(), 2);
}
