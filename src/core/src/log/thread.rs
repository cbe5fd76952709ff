//! A capture's thread of internal comments: what the team says about a
//! capture among itself (the old single `note` became its first comment).
//!
//! The thread is an add-wins map keyed by comment id: two members commenting
//! at once both keep their comment, whatever order the copies merge in. A
//! comment's author and time never change; its text and its deletion are
//! last-writer-wins registers that only its author may set (enforced where
//! edits are applied, [`super::record::Capture::apply`]). A deleted comment
//! stays as a tombstone so the delete syncs.
//!
//! JSON: a list of comments in (createdMs, id) order.

use serde::{Deserialize, Serialize};

use super::stamp::{Lww, Stamp};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Derived from the posting edit's stamp (see [`comment_id`]).
    pub id: String,
    /// The member who posted it; the only one who may edit or delete it.
    pub author: String,
    /// When it was posted (ms since the epoch, UTC).
    pub created_ms: i64,
    pub text: Lww<String>,
    pub deleted: Lww<bool>,
}

impl Comment {
    /// A new comment posted by `author` with `stamp`.
    pub fn new(id: String, author: &str, text: String, stamp: &Stamp) -> Comment {
        Comment {
            id,
            author: author.to_string(),
            created_ms: stamp.ms,
            text: Lww::new(text, stamp.clone()),
            deleted: Lww::new(false, stamp.clone()),
        }
    }

    /// Merge another copy of the same comment (same id).
    fn merge(&mut self, other: &Comment) {
        // Author and time are immutable, but a hostile or buggy copy may
        // disagree: keep the smaller (time, author) so merge stays commutative.
        if (other.created_ms, &other.author) < (self.created_ms, &self.author) {
            self.created_ms = other.created_ms;
            self.author = other.author.clone();
        }
        self.text.merge(&other.text);
        self.deleted.merge(&other.deleted);
    }

    /// The latest stamp in the comment.
    pub fn last_stamp(&self) -> &Stamp {
        std::cmp::max(&self.text.stamp, &self.deleted.stamp)
    }
}

/// The id of the comment posted with `stamp`: the same stamp always gives
/// the same id (a replayed edit does not post twice), and different stamps
/// give different ids. A UUIDv7 of the stamp's time.
pub fn comment_id(stamp: &Stamp) -> String {
    super::record::derived_uuid(stamp.ms, &["comment", &stamp.counter.to_string(), &stamp.actor])
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "Vec<Comment>", into = "Vec<Comment>")]
pub struct Thread {
    /// Sorted by (created_ms, id), one entry per id.
    comments: Vec<Comment>,
}

impl From<Vec<Comment>> for Thread {
    fn from(list: Vec<Comment>) -> Thread {
        let mut t = Thread::default();
        for c in list {
            t.insert(c);
        }
        t
    }
}

impl From<Thread> for Vec<Comment> {
    fn from(t: Thread) -> Vec<Comment> {
        t.comments
    }
}

impl Thread {
    /// Add a comment, or merge it into the one with its id.
    pub fn insert(&mut self, c: Comment) {
        if let Some(at) = self.comments.iter().position(|x| x.id == c.id) {
            let mut merged = self.comments.remove(at);
            merged.merge(&c);
            self.place(merged);
        } else {
            self.place(c);
        }
    }

    fn place(&mut self, c: Comment) {
        let at = self.comments.partition_point(|x| (x.created_ms, &x.id) < (c.created_ms, &c.id));
        self.comments.insert(at, c);
    }

    /// Merge another copy of the thread: every comment of both, each merged.
    pub fn merge(&mut self, other: &Thread) {
        if self == other {
            return;
        }
        for c in &other.comments {
            self.insert(c.clone());
        }
    }

    /// The comments not deleted, in (created_ms, id) order.
    pub fn visible(&self) -> Vec<&Comment> {
        self.comments.iter().filter(|c| !c.deleted.value).collect()
    }

    /// Every comment, deleted ones included.
    pub fn all(&self) -> &[Comment] {
        &self.comments
    }

    pub fn get(&self, id: &str) -> Option<&Comment> {
        self.comments.iter().find(|c| c.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Comment> {
        self.comments.iter_mut().find(|c| c.id == id)
    }

    pub fn len(&self) -> usize {
        self.comments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.comments.is_empty()
    }

    /// The latest stamp in any comment.
    pub fn last_stamp(&self) -> Option<&Stamp> {
        self.comments.iter().map(|c| c.last_stamp()).max()
    }

    /// Rewrite every comment with `f` (the sanitizer), keeping the order rules.
    pub fn map(&self, f: impl Fn(&Comment) -> Comment) -> Thread {
        self.comments.iter().map(f).collect::<Vec<_>>().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(ms: i64, actor: &str) -> Stamp {
        Stamp { ms, counter: 0, actor: actor.into() }
    }

    #[test]
    fn two_members_commenting_at_once_keep_both() {
        let mut a = Thread::default();
        a.insert(Comment::new(comment_id(&st(5, "dev-a")), "ana", "yo llamo".into(), &st(5, "dev-a")));
        let mut b = Thread::default();
        b.insert(Comment::new(comment_id(&st(5, "dev-b")), "bo", "ya respondí".into(), &st(5, "dev-b")));
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.visible().len(), 2);
        ab.merge(&ba);
        assert_eq!(ab.len(), 2, "re-delivery adds nothing");
    }

    #[test]
    fn ids_follow_the_stamp() {
        assert_eq!(comment_id(&st(1_750_000_000_000, "a")), comment_id(&st(1_750_000_000_000, "a")));
        assert_ne!(comment_id(&st(1_750_000_000_000, "a")), comment_id(&st(1_750_000_000_000, "b")));
        assert!(super::super::record::is_uuid(&comment_id(&st(1_750_000_000_000, "a"))));
    }
}
