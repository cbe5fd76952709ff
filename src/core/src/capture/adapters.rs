//! Named platforms: where each one puts the comment root, body, author,
//! time and permalink. One table row per platform, in the CSS subset of
//! `css.rs`; modelled on each platform's current and older public markup.
//! An adapter applies when its root selector matches an ancestor of the
//! mention and either the page says which software it runs (host or
//! `<meta name=generator>`) or a `confirm` element sits inside that root.

use super::page::PageInfo;
use super::url::host;

#[derive(Debug)]
pub struct Adapter {
    pub name: &'static str,
    /// Host suffixes that identify the platform outright.
    pub hosts: &'static [&'static str],
    /// Lower-case substrings of `<meta name=generator>`.
    pub generator: &'static [&'static str],
    /// The comment root, nearest ancestor first.
    pub root: &'static str,
    /// Present inside a root of this platform.
    pub confirm: &'static str,
    pub body: &'static str,
    pub author: &'static str,
    pub time: &'static str,
    pub permalink: &'static str,
    /// A root attribute holding the permalink (Reddit).
    pub permalink_attr: Option<&'static str>,
}

impl Adapter {
    pub fn hinted(&self, page: &PageInfo) -> bool {
        let host_hit = host(&page.url).is_some_and(|h| self.hosts.iter().any(|s| h == *s || h.ends_with(&format!(".{s}"))));
        let generator = page.generator.as_deref().unwrap_or("").to_ascii_lowercase();
        host_hit || self.generator.iter().any(|g| generator.contains(g))
    }
}

pub const ADAPTERS: &[Adapter] = &[
    Adapter {
        name: "stackexchange",
        hosts: &["stackoverflow.com", "stackexchange.com", "superuser.com", "serverfault.com", "askubuntu.com", "mathoverflow.net"],
        generator: &[],
        root: "li.comment, div.answer, div.question, div#question",
        confirm: ".js-post-body, .comment-copy, .post-signature",
        body: ".comment-copy, .js-post-body, .s-prose, .post-text",
        author: "a.comment-user, .post-signature.owner .user-details a, .post-signature.owner [itemprop=author], .post-signature .user-details a, .post-signature .user-details",
        time: ".comment-date .relativetime-clean, .comment-date span, .post-signature.owner .relativetime, .post-signature.owner .user-action-time span, .post-signature .relativetime, time[itemprop=dateCreated]",
        permalink: "a.comment-link, a.js-share-link, .post-menu a[itemprop=url], a[title*=ermalink]",
        permalink_attr: None,
    },
    Adapter {
        name: "reddit",
        hosts: &["reddit.com"],
        generator: &[],
        root: "shreddit-comment, shreddit-post, div.thing.comment, div.thing[data-type=comment], div.thing.link, div.Comment, div[data-testid=comment]",
        confirm: "div.md, .usertext-body, div[slot=comment], div[slot=text-body]",
        body: "div[slot=comment], div[slot=text-body], .usertext-body .md, .md, div[data-testid=comment]",
        author: "a.author, a[href*=/user/]",
        time: "time[datetime], faceplate-timeago",
        permalink: "a.bylink, a[data-event-action=permalink], a[href*=/comment/], a[href*=/comments/]",
        permalink_attr: Some("permalink"),
    },
    Adapter {
        name: "hackernews",
        hosts: &["news.ycombinator.com"],
        generator: &[],
        root: "tr.athing.comtr, tr.athing",
        confirm: ".comhead, .commtext",
        body: ".commtext, .comment",
        author: "a.hnuser",
        time: "span.age",
        permalink: "span.age a",
        permalink_attr: None,
    },
    Adapter {
        name: "youtube",
        hosts: &["youtube.com"],
        generator: &[],
        root: "ytd-comment-view-model, ytd-comment-renderer",
        confirm: "#content-text, #author-text",
        body: "#content-text, #content",
        author: "#author-text, a#author-text",
        time: "#published-time-text a, #published-time-text, .published-time-text",
        permalink: "#published-time-text a, .published-time-text a",
        permalink_attr: None,
    },
    Adapter {
        name: "disqus",
        hosts: &["disqus.com"],
        generator: &[],
        root: "li.post, div.post",
        confirm: "[data-role=message], .post-message",
        body: "[data-role=message], .post-message",
        author: ".post-byline .author a, .post-byline .author, span.author a",
        time: "a.time-ago, [data-role=relative-time]",
        permalink: "a.time-ago, [data-role=relative-time]",
        permalink_attr: None,
    },
    Adapter {
        name: "discourse",
        hosts: &[],
        generator: &["discourse"],
        root: "article[data-post-id], div.topic-post, div.crawler-post, div[itemtype*=DiscussionForumPosting]",
        confirm: ".cooked, .crawler-post-meta, [itemprop=articleBody], [itemprop=text]",
        body: ".cooked, div.post[itemprop=text], div.post[itemprop=articleBody], div.post",
        author: ".names .username a, .names a, .creator [itemprop=name], .creator a, span.creator, [itemprop=author]",
        time: ".post-date [data-time], a.post-date, .crawler-post-infos time, time[itemprop=datePublished], .relative-date",
        permalink: "a.post-date, .post-info a.post-date, meta[itemprop=url]",
        permalink_attr: None,
    },
    Adapter {
        name: "xenforo",
        hosts: &[],
        generator: &["xenforo"],
        root: "article.message--post, article.message, li.message, div.message[data-author]",
        confirm: ".message-body, .messageText, .bbWrapper, .messageContent",
        body: ".message-body .bbWrapper, .message-body, .messageText, .message-content",
        author: ".message-name a.username, .message-name .username, .message-name, .messageUserInfo a.username, a.username, .username",
        time: ".message-attribution-main time, .message-attribution time, time.u-dt, .DateTime, .datePermalink",
        permalink: ".message-attribution-main a, .message-attribution a[href*=post], a.datePermalink, a[href*=/posts/], a[href*=/post-]",
        permalink_attr: None,
    },
    Adapter {
        name: "phpbb",
        hosts: &[],
        generator: &["phpbb"],
        root: "div.post[id^=p], div.post, table.tablebg",
        confirm: ".postbody, dl.postprofile, .postprofile",
        body: ".postbody .content, div.content, .postbody",
        author: "dl.postprofile dt a.username, dl.postprofile dt a.username-coloured, .postprofile dt a, p.author a.username, p.author strong a, .author strong, a.username",
        time: "p.author time, .author time, time[datetime], p.author",
        permalink: "p.author a[href*=#p], h3 a[href*=#p], .postbody h3 a, a[href*=viewtopic.php?p=]",
        permalink_attr: None,
    },
    Adapter {
        name: "vbulletin",
        hosts: &[],
        generator: &["vbulletin"],
        root: "li.postcontainer, li.postbit, li.postbitlegacy, li.b-post, div.postcontainer, div[id^=edit], table[id^=post]",
        confirm: "[id^=post_message_], .postcontent, .b-post__body, .postbody, .js-post__content-text",
        body: "[id^=post_message_], blockquote.postcontent, .postcontent, .js-post__content-text, .b-post__body, .postrow",
        author: "a.username, .username_container a, a.bigusername, .b-post__author a, .author a, [itemprop=author]",
        time: "span.postdate, .postdate, .date, time[itemprop=dateCreated], .b-post__timestamp, td.thead",
        permalink: "a.postcounter, a[id^=postcount], a[name^=post], .b-post__count, a[href*=showpost], a[href*=#post]",
        permalink_attr: None,
    },
    Adapter {
        name: "wordpress",
        hosts: &["wordpress.com"],
        generator: &["wordpress"],
        root: "li.comment, article.comment, div.comment[id^=comment-], li[id^=comment-], div[id^=div-comment-], article[id^=div-comment-]",
        confirm: ".comment-content, .comment-body, .comment-author, .comment-meta",
        body: ".comment-content, .comment-text, .comment-body > p, .comment-entry",
        author: ".comment-author .fn, .comment-author cite, .comment-author, cite.fn, .fn",
        time: ".comment-metadata time, .comment-meta time, time[datetime], .comment-meta a, .comment-metadata a, .comment-date",
        permalink: ".comment-metadata a, .comment-meta a, a[href*=#comment-]",
        permalink_attr: None,
    },
    Adapter {
        name: "blogger",
        hosts: &["blogspot.com", "blogger.com"],
        generator: &["blogger"],
        root: "li.comment, div.comment-thread li, dl#comments-block dt, div.comment",
        confirm: ".comment-content, .comment-header, .comment-body",
        body: ".comment-content, p.comment-content, .comment-body",
        author: "cite.user a, cite.user, .comment-header .user a, .comment-author a, .comment-author",
        time: "span.datetime a, .datetime a, .comment-timestamp a, .datetime",
        permalink: "span.datetime a, .datetime a, .comment-timestamp a, a[href*=showComment]",
        permalink_attr: None,
    },
];
