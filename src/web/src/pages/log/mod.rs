//! The log page: every capture, searchable, filterable, sortable and
//! editable in place, with export and import.
//!
//! Data: the page reads the log from the IndexedDB store into a core
//! [`LogIndex`] (fold once, query many). It does not wait for the whole log
//! (seconds at 50,000 captures): it reads the newest [`FIRST_ROWS`] (what the
//! default newest-first view shows) and paints them, then reads the rest in
//! pieces of [`CHUNK`] records, one short transaction each, folding each into
//! the index and refreshing counts and rows as it goes, with a "still
//! reading N of M" line. Copies read late are merged, not swapped in
//! ([`LogIndex::absorb`]), so an edit made meanwhile is never undone.
//! Reloads (a teammate's changes, an import) build a fresh index the same
//! way off screen and swap it in when complete. Edits and deletes go to the
//! service worker as `editCapture` (it writes through the store and tells
//! every tab), and the reply's record replaces the row in the index. An import
//! is parsed here (`escucha_core::log::import`) and merged straight into the
//! store — an export of 50,000 captures is larger than a runtime message may
//! be — then `logChanged` is sent so the service worker tells the tabs.
//!
//! The list is virtual: rows have a fixed height, only the rows in view (plus
//! a few) exist in the DOM, and a spacer gives the scroll bar its full length.
//!
//! Events are delegated: one listener per container reads the target's
//! `data-field` / `data-action` and the row's `data-id`.

use escucha_core::pages::log as model;
mod details; // wsui12 (issue 12)
mod not_synced;
mod view;

use std::cell::RefCell;
use std::rc::Rc;

use escucha_core::i18n::Key;
use escucha_core::i18n::Words;
use escucha_core::log::dates::{day_of, format_day};
use escucha_core::log::export::{to_csv, to_json, to_web_annotations};
use escucha_core::log::import::parse_import;
use escucha_core::log::query::{DateField, LogIndex, Query, QueryResult};
use escucha_core::log::{Capture, CaptureEdit, Priority, Sentiment, Status};
use escucha_core::pages::workspace::{Me, QuickView};
use escucha_core::protocol::requests::{EditCapture, GetMembers, GetSettings, LogChanged, OpenCapture};
use escucha_core::protocol::PageEvent;
use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::dom;
use crate::platform::{self, t, PlatformError};
use crate::store::{MergeSource, Store, META_COUNTS};
use crate::words;
use escucha_core::log::counts::LogCounts;
use model::{Facet, FacetValue};
use view::Ui;

/// Search-as-you-type waits this long after the last keystroke.
const SEARCH_DEBOUNCE_MS: u32 = 150;
/// How long the "deleted — undo" toast stays.
const UNDO_MS: u32 = 8_000;
/// Records written per import transaction: one transaction for a whole
/// import held every record until it committed (10.6 GB at 200,000).
const IMPORT_BATCH: usize = 2_000;
/// Records read before the first paint: a few screens of the default view.
const FIRST_ROWS: u32 = 200;
/// Records per read while loading the rest: each piece is one transaction
/// plus its decoding and folding, short enough not to hold up input.
const CHUNK: u32 = 2_500;
/// While loading, counts and rows follow at most this often: every query
/// run and facet redraw costs a layout, and 20 of them measurably slowed
/// the whole load (2.1 s instead of 1.1 s at 50,000 captures).
const REFRESH_EVERY_MS: f64 = 500.0;

struct State {
    index: LogIndex,
    query: Query,
    result: QueryResult,
    /// Values behind each facet control's options.
    facet_values: Vec<(Facet, Vec<FacetValue>)>,
    departments: Vec<String>,
    /// This browser's member name ("In your log" vs "Logged by ana").
    member: String,
    /// wsui12: the member's department, the team's names, the quick view
    /// chosen, and the comment open for editing in the details panel.
    my_department: Option<String>,
    members: Vec<String>,
    view: Option<QuickView>,
    editing: Option<String>,
    /// Positions of the rows currently in the DOM.
    shown: Vec<u32>,
    /// Bumped by every load: a load that is no longer the latest stops.
    load_generation: u32,
    /// The first load has read the whole log.
    loaded: bool,
    /// When the page started (`performance.now()`), for the load figures.
    started_ms: f64,
    search_timer: Option<Timeout>,
    toast_timer: Option<Timeout>,
    /// `logChanged` echoes still to come for our own edits (skip reloading).
    own_echoes: u32,
    reload_timer: Option<Timeout>,
    /// Queries run, for tests and the benchmark to wait on.
    runs: u32,
}

struct App {
    ui: Ui,
    state: RefCell<State>,
    date_format: js_sys::Function,
    number_format: js_sys::Function,
}

pub async fn start() -> Result<(), PlatformError> {
    let t0 = now();
    let doc = dom::document();
    if let Some(html) = doc.document_element() {
        html.set_attribute("lang", &t(Key::OptionsLanguageCode, &[])).ok();
    }
    doc.set_title(&t(Key::LogTitle, &[]));
    let ui = view::build();

    let (departments, member, my_department) = match platform::send(&GetSettings {}).await {
        Ok(reply) => (reply.settings.departments, reply.settings.sync.member, reply.settings.sync.department),
        Err(_) => (Vec::new(), String::new(), None),
    };
    let members = platform::send(&GetMembers {}).await.map(|m| m.members).unwrap_or_default();
    crate::pages::due_lines::load().await; // sla13
                                           // The popup's chips and mentions link here: `?view=mine`, `?capture=ID`.
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let view = model::view_from_search(&search);
    let open_capture =
        search.trim_start_matches('?').split('&').find_map(|kv| kv.strip_prefix("capture=")).map(String::from).filter(|s| !s.is_empty());
    let (store, newest) = match first_rows().await {
        Ok(c) => c,
        Err(e) => {
            ui.count.set_text_content(Some(&t(Key::LogLoadFailed, &[&e])));
            return Ok(());
        }
    };
    let t_read = now();
    let complete = newest.len() < FIRST_ROWS as usize;
    let index = LogIndex::new(newest);

    let app = Rc::new(App {
        ui,
        state: RefCell::new(State {
            index,
            query: Query { descending: true, ..Default::default() },
            result: QueryResult::default(),
            facet_values: Vec::new(),
            departments,
            member,
            my_department,
            members,
            view,
            editing: None,
            shown: Vec::new(),
            load_generation: 0,
            loaded: false,
            started_ms: t0,
            search_timer: None,
            toast_timer: None,
            own_echoes: 0,
            reload_timer: None,
            runs: 0,
        }),
        date_format: intl_date_format(),
        number_format: intl_number_format(),
    });
    wire(&app)?;
    not_synced::refresh_soon(&Rc::new(app.ui.not_synced.clone()));
    app.run_query();
    if let Some(id) = open_capture {
        // A capture older than the first rows: read it by id.
        if app.state.borrow().index.get(&id).is_none() {
            if let Ok(Some(c)) = store.get(&id).await {
                app.state.borrow_mut().index.absorb(c);
            }
        }
        app.show_details(&id);
        details::focus(&app.ui);
    }
    // Figures for the benchmark and tests: the first rows are in the DOM.
    let body = doc.body().expect("body");
    for (k, v) in [("data-first-read-ms", t_read - t0), ("data-first-rows-ms", now() - t0)] {
        body.set_attribute(k, &format!("{v:.1}")).ok();
    }
    body.set_attribute("data-first-rows", "true").ok();
    if complete {
        app.finished_loading();
    } else {
        let expected = store.meta::<LogCounts>(META_COUNTS).await.ok().flatten().map(|c| c.stored);
        let a = app.clone();
        wasm_bindgen_futures::spawn_local(async move { a.load_rest(store, expected).await });
    }
    Ok(())
}

/// The store and its newest records.
async fn first_rows() -> Result<(Store, Vec<Capture>), String> {
    let store = Store::open().await.map_err(|e| load_failure(&e))?;
    let newest = store.newest(FIRST_ROWS).await.map_err(|e| load_failure(&e))?;
    Ok((store, newest))
}

/// Read the whole log in pieces, handing each to `take`; `false` from
/// `take` stops early. Between pieces the page's other work runs.
async fn read_in_chunks(store: &Store, mut take: impl FnMut(Vec<Capture>) -> bool) -> Result<(), String> {
    let mut after: Option<String> = None;
    loop {
        let piece = store.chunk(after.as_deref(), CHUNK).await.map_err(|e| load_failure(&e))?;
        let last = piece.len() < CHUNK as usize;
        after = piece.last().map(|c| c.id.clone()).or(after);
        // Each read is a separate IndexedDB request: input and painting
        // run while it is pending.
        if !take(piece) || last {
            return Ok(());
        }
    }
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn intl_date_format() -> js_sys::Function {
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"dateStyle".into(), &"medium".into()).ok();
    js_sys::Reflect::set(&opts, &"timeStyle".into(), &"short".into()).ok();
    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &opts).format()
}

fn intl_number_format() -> js_sys::Function {
    js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).format()
}

/// Minutes east of UTC, for the user's calendar days.
fn tz_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

impl App {
    fn fmt_count(&self, n: u32) -> String {
        self.number_format.call1(&JsValue::NULL, &n.into()).ok().and_then(|v| v.as_string()).unwrap_or_else(|| n.to_string())
    }

    fn fmt_date(&self, ms: i64) -> String {
        let d = js_sys::Date::new(&(ms as f64).into());
        self.date_format.call1(&JsValue::NULL, &d).ok().and_then(|v| v.as_string()).unwrap_or_default()
    }

    /// Read the controls into the query, run it, redraw.
    fn run_query(self: &Rc<Self>) {
        self.refresh(true);
    }

    /// Run the query again; with `rerender` false, rows already in the DOM
    /// are kept when the same ones are still in view (more of the log
    /// arrived below them), so a half-typed note is not thrown away.
    fn refresh(self: &Rc<Self>, rerender: bool) {
        let started = now();
        {
            let mut st = self.state.borrow_mut();
            let ui = &self.ui;
            let mut q = std::mem::take(&mut st.query);
            q.text = ui.search.value();
            for (facet, select) in &ui.facets {
                let values = st.facet_values.iter().find(|(f, _)| f == facet).map(|(_, v)| v.as_slice()).unwrap_or(&[]);
                let chosen = select.value().parse::<usize>().ok().and_then(|i| values.get(i));
                model::set_facet(&mut q, *facet, chosen);
            }
            let field = if ui.date_field.value() == "comment" { DateField::Comment } else { DateField::Created };
            model::set_dates(&mut q, field, &ui.date_from.value(), &ui.date_to.value(), tz_offset_min());
            if let Some((key, _)) = ui.sort.value().parse::<usize>().ok().and_then(|i| model::SORTS.get(i)) {
                q.sort = *key;
            }
            q.descending = ui.descending.checked();
            st.result = st.index.run(&q);
            st.query = q;
            // wsui12: the quick view keeps its share of the query's rows.
            let me = Me { member: &st.member, department: st.my_department.as_deref() };
            let (rows, counts) = model::apply_quick_view(st.index.captures(), &st.result.rows, st.view, &me);
            st.result.rows = rows;
            view::render_views(ui, &counts, st.view, &|n| self.fmt_count(n));
            let selected: Vec<(Facet, Option<FacetValue>)> = Facet::ALL.iter().map(|f| (*f, model::selected(&st.query, *f))).collect();
            st.facet_values = view::render_facets(ui, &st.result.facets, &selected, &|n| self.fmt_count(n));
            let shown = self.fmt_count(st.result.rows.len() as u32);
            let total = self.fmt_count(st.result.live);
            ui.count.set_text_content(Some(&if st.result.live == 0 {
                // Nothing logged at all: say how captures get here.
                t(Key::LogNothingYet, &[])
            } else if st.result.rows.is_empty() && st.result.live > 0 {
                t(Key::LogEmpty, &[])
            } else {
                t(words::count(st.result.live as u64, Key::LogCountOne, Key::LogCountOther), &[&shown, &total])
            }));
            ui.spacer.style().set_property("height", &format!("{}px", st.result.rows.len() as f64 * model::ROW_HEIGHT)).ok();
        }
        self.render_window(rerender);
        let mut st = self.state.borrow_mut();
        st.runs += 1;
        let body = dom::document().body().expect("body");
        body.set_attribute("data-query-ms", &format!("{:.2}", now() - started)).ok();
        body.set_attribute("data-query-runs", &st.runs.to_string()).ok();
        body.set_attribute("data-rows", &st.result.rows.len().to_string()).ok();
    }

    /// Render the rows in view, if they changed (or `force`).
    fn render_window(&self, force: bool) {
        let mut st = self.state.borrow_mut();
        let total = st.result.rows.len() as u32;
        let range = model::visible_range(self.ui.viewport.scroll_top() as f64, self.ui.viewport.client_height() as f64, total);
        let mut shown: Vec<u32> = Vec::with_capacity((range.1 - range.0) as usize * 2);
        for i in range.0..range.1 {
            shown.extend([i, st.result.rows[i as usize]]);
        }
        if !force && shown == st.shown {
            return;
        }
        st.shown = shown;
        let date = |ms: i64| self.fmt_date(ms);
        let f = view::RowFormat { date: &date, departments: &st.departments, member: &st.member, members: &st.members };
        let rows: Vec<HtmlElement> =
            (range.0..range.1).map(|i| view::row(&st.index.captures()[st.result.rows[i as usize] as usize], i, &f)).collect();
        view::render_rows(&self.ui, &rows);
    }

    fn say(&self, text: &str) {
        self.ui.status.set_text_content(Some(text));
        self.ui.problems.set_text_content(None);
    }

    /// Send an edit through the service worker; the stored record comes back.
    async fn edit(self: &Rc<Self>, id: &str, edit: CaptureEdit) -> bool {
        let reply = platform::send(&EditCapture { id: id.to_string(), edit }).await;
        match reply {
            Ok(escucha_core::protocol::requests::Logged { capture }) => {
                let id = capture.id.clone();
                {
                    let mut st = self.state.borrow_mut();
                    st.own_echoes += 1;
                    st.index.upsert(capture);
                    st.editing = None;
                }
                self.run_query();
                if details::shown_id(&self.ui).as_deref() == Some(id.as_str()) {
                    self.show_details(&id);
                }
                true
            }
            Err(e) => {
                self.say(&t(Key::LogSaveFailed, &[&platform::error_text(&e)]));
                self.run_query(); // put the control back to the stored value
                false
            }
        }
    }

    async fn delete(self: &Rc<Self>, id: String) {
        if !self.edit(&id, CaptureEdit { deleted: Some(true), ..Default::default() }).await {
            return;
        }
        let toast = &self.ui.toast;
        toast.set_text_content(None);
        let undo =
            dom::el("button", &[("type", "button"), ("data-action", "undo"), ("data-id", &id), ("id", "undo")], &t(Key::LogUndo, &[]));
        dom::append(toast, &[&dom::el("span", &[], &t(Key::LogDeleted, &[])), &undo]);
        toast.remove_attribute("hidden").ok();
        let hide = toast.clone();
        self.state.borrow_mut().toast_timer = Some(Timeout::new(UNDO_MS, move || {
            hide.set_attribute("hidden", "").ok();
        }));
    }

    async fn undo(self: &Rc<Self>, id: String) {
        self.ui.toast.set_attribute("hidden", "").ok();
        self.state.borrow_mut().toast_timer = None;
        self.edit(&id, CaptureEdit { deleted: Some(false), ..Default::default() }).await;
    }

    /// A row control changed: turn it into a [`CaptureEdit`].
    fn field_changed(self: &Rc<Self>, target: &Element) {
        let Some(field) = target.get_attribute("data-field") else { return };
        // A row's control, or the details panel's (both carry the capture's id).
        let Some(id) = target.closest("[data-id]").ok().flatten().and_then(|r| r.get_attribute("data-id")) else { return };
        let value = if let Some(s) = target.dyn_ref::<HtmlSelectElement>() {
            s.value()
        } else if let Some(i) = target.dyn_ref::<HtmlInputElement>() {
            i.value()
        } else {
            return;
        };
        let edit = match field.as_str() {
            "sentiment" => CaptureEdit { sentiment: Sentiment::ALL.into_iter().find(|s| s.as_str() == value), ..Default::default() },
            "status" => CaptureEdit { status: Status::ALL.into_iter().find(|s| s.as_str() == value), ..Default::default() },
            "priority" => CaptureEdit { priority: Priority::ALL.into_iter().find(|s| s.as_str() == value), ..Default::default() },
            "department" => CaptureEdit { department: Some(Some(value).filter(|v| !v.is_empty())), ..Default::default() },
            "tags" => CaptureEdit { tags: Some(model::parse_tags(&value)), ..Default::default() },
            // wsui12: the row's box posts a new comment when it says something new.
            "note" => {
                let latest = self.state.borrow().index.get(&id).map(view::latest_comment).unwrap_or_default();
                if value.trim().is_empty() || value.trim() == latest.trim() {
                    return;
                }
                CaptureEdit { add_comment: Some(value.trim().to_string()), ..Default::default() }
            }
            "assignee" => CaptureEdit { assignee: Some(Some(value).filter(|v| !v.trim().is_empty())), ..Default::default() },
            _ => return,
        };
        let app = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            app.edit(&id, edit).await;
        });
    }

    /// Open (or redraw) the details panel of capture `id`.
    fn show_details(&self, id: &str) {
        let st = self.state.borrow();
        let Some(c) = st.index.get(id) else { return details::close(&self.ui) };
        let date = |ms: i64| self.fmt_date(ms);
        details::render(&self.ui, c, &st.member, &st.members, st.editing.as_deref(), &date);
    }

    /// A click in the details panel or on a quick view.
    fn workspace_action(self: &Rc<Self>, action: &str, button: &Element) {
        let comment = button.get_attribute("data-comment").unwrap_or_default();
        let shown = details::shown_id(&self.ui);
        let post = |edit: CaptureEdit| {
            let Some(id) = shown.clone() else { return };
            let app = self.clone();
            wasm_bindgen_futures::spawn_local(async move {
                app.edit(&id, edit).await;
            });
        };
        match action {
            "view" => {
                self.state.borrow_mut().view = button.get_attribute("data-view").as_deref().and_then(QuickView::parse);
                self.run_query();
            }
            "details" => {
                if let Some(id) = button.closest(".row").ok().flatten().and_then(|r| r.get_attribute("data-id")) {
                    self.state.borrow_mut().editing = None;
                    self.show_details(&id);
                    details::focus(&self.ui);
                }
            }
            "close-details" => details::close(&self.ui),
            "comment-add" => {
                let text = details::text_of(&self.ui, "comment-new");
                if !text.trim().is_empty() {
                    post(CaptureEdit { add_comment: Some(text.trim().to_string()), ..Default::default() });
                }
            }
            "comment-edit" => {
                self.state.borrow_mut().editing = Some(comment);
                if let Some(id) = shown {
                    self.show_details(&id);
                }
            }
            "comment-save" => {
                let text = details::text_of(&self.ui, "comment-edit-text");
                if !text.trim().is_empty() {
                    let edit = escucha_core::log::CommentEdit { id: comment, text: text.trim().to_string() };
                    post(CaptureEdit { edit_comment: Some(edit), ..Default::default() });
                }
            }
            "comment-delete" => post(CaptureEdit { delete_comment: Some(comment), ..Default::default() }),
            _ => {}
        }
    }

    fn visible_captures(&self) -> Vec<Capture> {
        let st = self.state.borrow();
        st.result.rows.iter().map(|&i| st.index.captures()[i as usize].clone()).collect()
    }

    /// Export what the filters show, as a file download.
    fn export(&self, kind: &str) {
        let captures = self.visible_captures();
        let now_ms = js_sys::Date::now() as i64;
        let today = format_day(day_of(now_ms, tz_offset_min()));
        let (text, mime, ext) = match kind {
            "export-csv" => (to_csv(&captures), "text/csv;charset=utf-8", "csv"),
            "export-json" => (to_json(&captures, now_ms), "application/json", "json"),
            _ => (to_web_annotations(&captures, now_ms), "application/ld+json", "jsonld"),
        };
        match dom::download(&model::export_file_name(&today, ext), mime, &text) {
            Ok(()) => {
                let n = captures.len() as u64;
                self.say(&t(words::count(n, Key::LogExportedOne, Key::LogExportedOther), &[&self.fmt_count(n as u32)]))
            }
            Err(e) => self.say(&platform::describe_js_error(&e)),
        }
    }

    async fn import(self: &Rc<Self>, file: web_sys::File) {
        let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(v) => v.as_string().unwrap_or_default(),
            Err(e) => return self.say(&t(Key::LogImportFailed, &[&platform::describe_js_error(&e)])),
        };
        let parsed = parse_import(&text, js_sys::Date::now() as i64);
        drop(text); // hundreds of MB at 200,000 records: not kept through the writes
        let mut batch = match parsed {
            Ok(b) => b,
            Err(e) => return self.say(&t(Key::LogImportFailed, &[&words::say(&e.words())])),
        };
        let store = match Store::open().await {
            Ok(s) => s,
            Err(e) => return self.say(&t(Key::LogImportFailed, &[&platform::error_text(&e)])),
        };
        let records = std::mem::take(&mut batch.records);
        let body = dom::document().body().expect("body");
        let progress = |done: usize, total: usize| {
            let text = t(Key::LogImportProgress, &[&self.fmt_count(done as u32), &self.fmt_count(total as u32)]);
            self.ui.progress.set_text_content(Some(&text));
            self.ui.progress.remove_attribute("hidden").ok();
            // Tests and the benchmark follow the import by these.
            body.set_attribute("data-import-done", &done.to_string()).ok();
            body.set_attribute("data-import-total", &total.to_string()).ok();
        };
        progress(0, records.len());
        let result = store.merge_in_batches(records, MergeSource::Import, IMPORT_BATCH, progress).await;
        self.ui.progress.set_attribute("hidden", "").ok();
        let counts = match result {
            Ok(c) => c,
            Err(e) => return self.say(&t(Key::LogImportFailed, &[&platform::error_text(&e)])),
        };
        // Tabs repaint what they show; our own copy reloads below.
        let _ = platform::send(&LogChanged {}).await;
        self.reload().await;
        let counted = |n: u32, one, other| Words::new(words::count(n as u64, one, other)).text(self.fmt_count(n));
        let rejected = batch.rejected.len() as u32;
        self.say(&words::say(
            &Words::new(Key::LogImportedCounts)
                .word(counted(counts.added, Key::CountNewOne, Key::CountNewOther))
                .word(counted(counts.merged, Key::CountMergedOne, Key::CountMergedOther))
                .word(counted(rejected, Key::CountRefusedOne, Key::CountRefusedOther)),
        ));
        for r in batch.rejected.iter().take(100) {
            self.ui.problems.append_child(&dom::el("li", &[], &words::say(&r.words()))).ok();
        }
    }

    /// The rest of the log after the first rows: each piece goes into the
    /// index the page shows, and the view follows.
    async fn load_rest(self: &Rc<Self>, store: Store, expected: Option<u32>) {
        let generation = self.state.borrow().load_generation;
        self.show_progress(expected);
        let mut refreshed = now();
        let result = read_in_chunks(&store, |piece| {
            if self.state.borrow().load_generation != generation {
                return false; // a reload took over
            }
            {
                let mut st = self.state.borrow_mut();
                for c in piece {
                    st.index.absorb(c);
                }
            }
            if now() - refreshed >= REFRESH_EVERY_MS {
                self.refresh(false);
                self.show_progress(expected);
                refreshed = now();
            }
            true
        })
        .await;
        if let Err(e) = result {
            self.ui.progress.set_attribute("hidden", "").ok();
            return self.say(&t(Key::LogLoadFailed, &[&e]));
        }
        if self.state.borrow().load_generation == generation {
            self.refresh(false);
            self.finished_loading();
        }
    }

    fn show_progress(&self, expected: Option<u32>) {
        let loaded = self.fmt_count(self.state.borrow().index.len() as u32);
        let text = match expected {
            Some(m) => {
                let total = m.max(self.state.borrow().index.len() as u32);
                t(words::count(total as u64, Key::LogLoadingProgressOne, Key::LogLoadingProgressOther), &[&loaded, &self.fmt_count(total)])
            }
            None => t(Key::LogLoadingSoFar, &[&loaded]),
        };
        self.ui.progress.set_text_content(Some(&text));
        self.ui.progress.remove_attribute("hidden").ok();
        let body = dom::document().body().expect("body");
        body.set_attribute("data-loaded", &self.state.borrow().index.len().to_string()).ok();
    }

    /// The whole log is in the index: say so (tests and the benchmark wait on `data-ready`).
    fn finished_loading(&self) {
        self.ui.progress.set_attribute("hidden", "").ok();
        let mut st = self.state.borrow_mut();
        let body = dom::document().body().expect("body");
        body.set_attribute("data-loaded", &st.index.len().to_string()).ok();
        if !st.loaded {
            st.loaded = true;
            body.set_attribute("data-load-total-ms", &format!("{:.1}", now() - st.started_ms)).ok();
            body.set_attribute("data-ready", "true").ok();
        }
    }

    /// Read the whole log again (after an import or a teammate's changes)
    /// into a fresh index, and show it once complete.
    async fn reload(self: &Rc<Self>) {
        let generation = {
            let mut st = self.state.borrow_mut();
            st.load_generation += 1;
            st.load_generation
        };
        let store = match Store::open().await {
            Ok(s) => s,
            Err(e) => return self.say(&t(Key::LogLoadFailed, &[&load_failure(&e)])),
        };
        let mut fresh = LogIndex::new(Vec::new());
        let current = || self.state.borrow().load_generation == generation;
        let result = read_in_chunks(&store, |piece| {
            for c in piece {
                fresh.absorb(c);
            }
            current()
        })
        .await;
        if let Err(e) = result {
            return self.say(&t(Key::LogLoadFailed, &[&e]));
        }
        if !current() {
            return;
        }
        {
            let mut st = self.state.borrow_mut();
            // What this page already knew (its own edits' replies included)
            // merges in: a piece read before an edit committed cannot undo it.
            for c in st.index.captures() {
                if fresh.get(&c.id) != Some(c) {
                    fresh.absorb(c.clone());
                }
            }
            st.index = fresh;
        }
        self.run_query();
        if let Some(id) = details::shown_id(&self.ui) {
            self.show_details(&id);
        }
        self.finished_loading();
    }

    fn log_changed(self: &Rc<Self>) {
        let mut st = self.state.borrow_mut();
        if st.own_echoes > 0 {
            // Our own edit, already applied from the reply.
            st.own_echoes -= 1;
            return;
        }
        let app = self.clone();
        st.reload_timer = Some(Timeout::new(300, move || {
            wasm_bindgen_futures::spawn_local(async move { app.reload().await });
        }));
    }
}

fn listen(target: &web_sys::EventTarget, kind: &str, f: impl Fn(Event) + 'static) -> Result<(), PlatformError> {
    let cb = Closure::<dyn Fn(Event)>::new(f);
    target.add_event_listener_with_callback(kind, cb.as_ref().unchecked_ref())?;
    cb.forget(); // lives as long as the page
    Ok(())
}

fn target_element(e: &Event) -> Option<Element> {
    e.target().and_then(|t| t.dyn_into::<Element>().ok())
}

fn wire(app: &Rc<App>) -> Result<(), PlatformError> {
    let ui = &app.ui;
    // Typing: debounced; Enter or leaving the box: at once.
    let a = app.clone();
    listen(&ui.search, "input", move |_| {
        let b = a.clone();
        a.state.borrow_mut().search_timer = Some(Timeout::new(SEARCH_DEBOUNCE_MS, move || b.run_query()));
    })?;
    let a = app.clone();
    listen(&ui.search, "change", move |_| {
        a.state.borrow_mut().search_timer = None;
        a.run_query();
    })?;
    let a = app.clone();
    listen(&ui.toolbar, "change", move |e| {
        if target_element(&e).is_some_and(|t| t.id() != "search") {
            a.run_query();
        }
    })?;
    let a = app.clone();
    listen(&ui.viewport, "scroll", move |_| a.render_window(false))?;
    let a = app.clone();
    listen(&web_sys::window().expect("window"), "resize", move |_| a.render_window(false))?;
    for target in [ui.spacer.clone(), ui.details.clone()] {
        let a = app.clone();
        listen(&target, "change", move |e| {
            if let Some(t) = target_element(&e) {
                a.field_changed(&t);
            }
        })?;
    }
    let a = app.clone();
    let click = move |e: Event| {
        let Some(button) = target_element(&e).and_then(|t| t.closest("[data-action]").ok().flatten()) else { return };
        let action = button.get_attribute("data-action").unwrap_or_default();
        let row_id = button.closest(".row").ok().flatten().and_then(|r| r.get_attribute("data-id"));
        let id = row_id.or_else(|| button.get_attribute("data-id")).unwrap_or_default();
        let app = a.clone();
        match action.as_str() {
            "delete" => wasm_bindgen_futures::spawn_local(async move { app.delete(id).await }),
            "undo" => wasm_bindgen_futures::spawn_local(async move { app.undo(id).await }),
            "open" => wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = platform::send(&OpenCapture { id }).await {
                    app.say(&platform::error_text(&e));
                }
            }),
            "import" => app.ui.import_input.click(),
            "export-csv" | "export-json" | "export-jsonld" => app.export(&action),
            other => app.workspace_action(other, &button),
        }
    };
    let click = Rc::new(click);
    for target in [ui.spacer.clone(), ui.actions.clone(), ui.toast.clone(), ui.views.clone(), ui.details.clone()] {
        let c = click.clone();
        listen(&target, "click", move |e| c(e))?;
    }
    let a = app.clone();
    listen(&ui.import_input, "change", move |_| {
        let Some(file) = a.ui.import_input.files().and_then(|f| f.get(0)) else { return };
        a.ui.import_input.set_value("");
        let app = a.clone();
        wasm_bindgen_futures::spawn_local(async move { app.import(file).await });
    })?;
    let a = app.clone();
    platform::on_event(move |event| match event {
        PageEvent::LogChanged(_) => {
            a.log_changed();
            not_synced::refresh_soon(&Rc::new(a.ui.not_synced.clone()));
        }
    })?;
    Ok(())
}

/// What follows "could not load": the store's own account of a read
/// failure, or the error's words.
fn load_failure(e: &escucha_core::protocol::ProtocolError) -> String {
    e.detail().map_or_else(|| platform::error_text(e), str::to_string)
}
