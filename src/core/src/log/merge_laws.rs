//! Property tests: the add-wins tag set, the comment thread and the history
//! merge like a join semilattice (commutative, associative, idempotent), so
//! replicas converge whatever order copies arrive in and however often.

use proptest::prelude::*;

use super::history::{Event, EventField, History};
use super::stamp::{Lww, Stamp};
use super::tag_set::TagSet;
use super::thread::{Comment, Thread};

fn stamp() -> impl Strategy<Value = Stamp> {
    (0..6i64, 0..3u32, prop::sample::select(vec!["a", "b", "c"])).prop_map(|(ms, counter, actor)| Stamp {
        ms: 1_750_000_000_000 + ms,
        counter,
        actor: actor.into(),
    })
}

fn tag_set() -> impl Strategy<Value = TagSet> {
    let op = (any::<bool>(), prop::sample::select(vec!["factura", "Factura", "urgente", "envío"]), stamp());
    prop::collection::vec(op, 0..8).prop_map(|ops| {
        let mut s = TagSet::default();
        for (add, tag, st) in ops {
            if add {
                s.add(tag, &st);
            } else {
                s.remove(tag);
            }
        }
        s
    })
}

fn comment() -> impl Strategy<Value = Comment> {
    (0..4u8, prop::sample::select(vec!["ana", "bo"]), 0..3i64, stamp(), "[a-c]{0,3}", stamp(), any::<bool>()).prop_map(
        |(id, author, ms, ts, text, ds, deleted)| Comment {
            id: format!("c{id}"),
            author: author.into(),
            created_ms: ms,
            text: Lww::new(text, ts),
            deleted: Lww::new(deleted, ds),
        },
    )
}

fn thread() -> impl Strategy<Value = Thread> {
    prop::collection::vec(comment(), 0..5).prop_map(Thread::from)
}

fn history() -> impl Strategy<Value = History> {
    let event = (0..4u8, prop::sample::select(vec!["ana", "bo"]), 0..3i64, 0..2usize, "[a-b]{0,2}").prop_map(|(id, m, ms, f, to)| Event {
        id: format!("e{id}"),
        member: m.into(),
        ms,
        field: EventField::ALL[f],
        from: String::new(),
        to,
    });
    prop::collection::vec(event, 0..5).prop_map(History::from)
}

macro_rules! laws {
    ($name:ident, $ty:ty, $strategy:expr) => {
        proptest! {
            #[test]
            fn $name(a in $strategy, b in $strategy, c in $strategy) {
                let join = |x: &$ty, y: &$ty| { let mut z = Clone::clone(x); z.merge(y); z };
                prop_assert_eq!(join(&a, &b), join(&b, &a), "commutative");
                prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)), "associative");
                prop_assert_eq!(join(&a, &a), a.clone(), "idempotent");
                // And the wire keeps the state.
                let back: $ty = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
                prop_assert_eq!(a, back);
            }
        }
    };
}

laws!(tag_sets_form_a_semilattice, TagSet, tag_set());
laws!(threads_form_a_semilattice, Thread, thread());
laws!(histories_form_a_semilattice, History, history());

/// verify13: a confirmed reply (or none) as a register.
fn verified_response() -> impl Strategy<Value = Lww<Option<super::verified::VerifiedResponse>>> {
    use crate::capture::reply::Evidence;
    let reply = (prop::sample::select(vec!["Acme_Support", "AcmeCare"]), 0..3i64, prop::sample::select(vec!["ana", "bo"])).prop_map(
        |(handle, at, by)| super::verified::VerifiedResponse {
            handle: handle.into(),
            author_url: None,
            time: Some(super::record::CommentTime {
                utc: Some(format!("2024-03-05T10:3{at}:00Z")),
                original: String::new(),
                zone_assumed: false,
            }),
            permalink: Some(format!("https://forum.example/t/1#p{at}")),
            evidence: Evidence::QuoteReference,
            confirmed_by: by.into(),
        },
    );
    (prop::option::of(reply), stamp()).prop_map(|(v, st)| Lww::new(v, st))
}

laws!(verified_responses_form_a_semilattice, Lww<Option<super::verified::VerifiedResponse>>, verified_response());

proptest! {
    /// Add wins: a tag added in one copy and removed in a copy that never
    /// saw that add is present after merging, in either order.
    #[test]
    fn an_unseen_add_survives_a_remove(base in tag_set(), s in stamp()) {
        let mut adder = base.clone();
        let fresh = Stamp { ms: s.ms + 10, ..s };
        adder.add("nueva", &fresh);
        let mut remover = base;
        remover.remove("nueva");
        let (mut x, mut y) = (adder.clone(), remover.clone());
        x.merge(&remover);
        y.merge(&adder);
        prop_assert!(x.contains("nueva") && y.contains("nueva"));
    }
}
