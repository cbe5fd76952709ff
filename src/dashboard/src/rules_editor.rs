//! The routing rules editor (rules13): the ordered rule list of the team
//! configuration. Admins edit it inside the configuration form (add,
//! remove, move up/down, conditions and actions) and it is saved with the
//! rest of the document, checked by the one validation whose problems the
//! form lists in the admin's language; they also re-run the rules on
//! existing captures (a dry count first). Members and viewers see the same
//! list read-only in its own section. What the fields mean is
//! `escucha_core::routing::form`; every value is set as text.

use std::cell::RefCell;

use escucha_core::dashboard::i18n::{department_label, priority_label, sentiment_label, tr, Lang, Text};
use escucha_core::log::{Priority, Sentiment};
use escucha_core::routing::form::{kind_label, move_rule, ConditionRow, RuleForm, ROW_KINDS};
use escucha_core::routing::Rule;
use escucha_core::sync::api::Me;
use escucha_core::team_config::VersionedConfig;
use escucha_core::workspace::role::Action;
use escucha_ui::dom::{append_child as append, by_id, clear, el, set_hidden, set_text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use crate::api::request;

#[derive(Default)]
struct Editor {
    forms: Vec<RuleForm>,
    /// The list being shown: `rules-list` (admins) or `rules-view` (read-only).
    editable: bool,
    lang: Lang,
    token: Option<String>,
    /// The departments of the document shown (read-only view).
    departments: Vec<String>,
}

thread_local! {
    static EDITOR: RefCell<Editor> = RefCell::new(Editor::default());
}

fn list_id(editable: bool) -> &'static str {
    if editable {
        "rules-list"
    } else {
        "rules-view"
    }
}

/// The rules as edited (what the configuration form saves). A JSON row that
/// does not read becomes an empty condition, which the validation refuses,
/// and its own problem is said under the list: nothing wrong is saved.
pub fn rules() -> Vec<Rule> {
    read_dom();
    let (forms, lang) = EDITOR.with(|e| (e.borrow().forms.clone(), e.borrow().lang));
    let mut said = vec![];
    let rules = forms
        .iter()
        .enumerate()
        .map(|(i, f)| match f.read(i) {
            Ok(r) => r,
            Err(p) => {
                said.push(p.text(lang));
                let mut blank = f.clone();
                blank.rows.clear();
                blank.read(i).expect("no rows, nothing to misread")
            }
        })
        .collect();
    set_text("rules-note", &said.join(" "));
    rules
}

/// Show a loaded document's rules in the admin's editor.
pub fn show(rules: &[Rule]) {
    EDITOR.with(|e| {
        let mut e = e.borrow_mut();
        e.forms = rules.iter().map(RuleForm::of).collect();
        e.editable = true;
    });
    set_text("rules-note", "");
    draw();
}

/// After sign-in: admins edit inside the configuration form (loaded by it);
/// everyone else gets the read-only list.
pub fn signed_in(token: &str, me: &Me, lang: Lang) {
    let admin = me.role.is_some_and(|r| r.allows(Action::Configure));
    EDITOR.with(|e| *e.borrow_mut() = Editor { editable: admin, lang, token: Some(token.to_string()), ..Editor::default() });
    set_hidden("rules", admin);
    if admin {
        return;
    }
    let token = token.to_string();
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(doc) = request::<VersionedConfig>("GET", "/api/v1/config", Some(&token), None).await {
            EDITOR.with(|e| {
                let mut e = e.borrow_mut();
                e.forms = doc.config.rules.iter().map(RuleForm::of).collect();
                e.departments = doc.config.departments.clone();
            });
        }
        draw();
    });
}

pub fn hide() {
    EDITOR.with(|e| *e.borrow_mut() = Editor::default());
    set_hidden("rules", true);
    for id in ["rules-list", "rules-view"] {
        clear(&by_id::<Element>(id));
    }
    set_text("rules-note", "");
}

pub fn set_lang(lang: Lang) {
    read_dom();
    EDITOR.with(|e| e.borrow_mut().lang = lang);
    if EDITOR.with(|e| e.borrow().token.is_some()) {
        draw();
    }
}

fn input(class: &str, value: &str, editable: bool, label: &str) -> Element {
    let i: HtmlInputElement = el("input", &[("class", class), ("aria-label", label), ("spellcheck", "false")], "").unchecked_into();
    i.set_value(value);
    i.set_disabled(!editable);
    i.into()
}

fn checkbox(class: &str, checked: bool, editable: bool, label: &str) -> Element {
    let i: HtmlInputElement = el("input", &[("type", "checkbox"), ("class", class)], "").unchecked_into();
    i.set_checked(checked);
    i.set_disabled(!editable);
    let l = el("label", &[], "");
    append(&l, &i);
    append(&l, &el("span", &[], label));
    l.into()
}

fn choice(class: &str, options: &[(String, String)], chosen: &str, editable: bool, label: &str) -> Element {
    let s: HtmlSelectElement = el("select", &[("class", class), ("aria-label", label)], "").unchecked_into();
    for (value, text) in options {
        append(&s, &el("option", &[("value", value)], text));
    }
    // A stored value the menu lacks stays choosable (validation says why it is wrong).
    if !options.iter().any(|(v, _)| v == chosen) {
        append(&s, &el("option", &[("value", chosen)], chosen));
    }
    s.set_value(chosen);
    s.set_disabled(!editable);
    s.into()
}

fn button(action: &str, rule: usize, row: Option<usize>, text: &str) -> Element {
    let row = row.map(|r| r.to_string()).unwrap_or_default();
    el("button", &[("type", "button"), ("data-action", action), ("data-rule", &rule.to_string()), ("data-row", &row)], text).into()
}

/// The departments to offer: as typed in the configuration form (admins),
/// or the document's (read-only).
fn departments(editable: bool) -> Vec<String> {
    if editable {
        by_id::<HtmlTextAreaElement>("config-departments")
            .value()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    } else {
        EDITOR.with(|e| e.borrow().departments.clone())
    }
}

fn draw() {
    let (forms, editable, lang) = EDITOR.with(|e| {
        let e = e.borrow();
        (e.forms.clone(), e.editable, e.lang)
    });
    let list: Element = by_id(list_id(editable));
    clear(&list);
    if forms.is_empty() {
        append(&list, &el("li", &[("class", "hint")], Text::RulesNone.get(lang)));
    }
    let no_change = Text::RuleNoChange.get(lang).to_string();
    let mut dep_options = vec![(String::new(), no_change.clone())];
    dep_options.extend(departments(editable).into_iter().map(|d| (d.clone(), department_label(lang, &d))));
    let mut prio_options = vec![(String::new(), no_change)];
    prio_options.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), priority_label(lang, *p).to_string())));
    let sentiments: Vec<(String, String)> =
        Sentiment::ALL.iter().map(|s| (s.as_str().to_string(), sentiment_label(lang, *s).to_string())).collect();
    let priorities: Vec<(String, String)> =
        Priority::ALL.iter().map(|p| (p.as_str().to_string(), priority_label(lang, *p).to_string())).collect();
    let kinds: Vec<(String, String)> = ROW_KINDS.iter().map(|k| (k.to_string(), kind_label(lang, k).to_string())).collect();
    for (i, f) in forms.iter().enumerate() {
        let li = el("li", &[("class", "rule"), ("data-rule", &i.to_string())], "");
        let head = el("div", &[("class", "rule-head")], "");
        append(&head, &el("strong", &[], &tr(lang, Text::RuleNumber, &[&(i + 1).to_string()])));
        append(&head, &input("rule-name", &f.name, editable, Text::RuleName.get(lang)));
        append(&head, &checkbox("rule-enabled", f.enabled, editable, Text::RuleEnabled.get(lang)));
        append(&head, &checkbox("rule-stop", f.stop, editable, Text::RuleStop.get(lang)));
        if editable {
            append(&head, &button("up", i, None, Text::RuleUp.get(lang)));
            append(&head, &button("down", i, None, Text::RuleDown.get(lang)));
            append(&head, &button("remove", i, None, Text::RuleRemove.get(lang)));
        }
        append(&li, &head);
        let mode = vec![
            ("all".to_string(), Text::RuleMatchAll.get(lang).to_string()),
            ("any".to_string(), Text::RuleMatchAny.get(lang).to_string()),
        ];
        append(&li, &choice("rule-any", &mode, if f.any { "any" } else { "all" }, editable, Text::RuleMatchAll.get(lang)));
        let rows = el("ul", &[("class", "rule-rows")], "");
        for (r, row) in f.rows.iter().enumerate() {
            let item = el("li", &[("class", "rule-row"), ("data-row", &r.to_string())], "");
            append(&item, &checkbox("row-not", row.negate, editable, Text::RuleNot.get(lang)));
            append(&item, &choice("row-kind", &kinds, &row.kind, editable, Text::RuleKindWords.get(lang)));
            let label = kind_label(lang, &row.kind);
            let value = match row.kind.as_str() {
                "sentiment" => choice("row-value", &sentiments, &row.value, editable, label),
                "priority" => choice("row-value", &priorities, &row.value, editable, label),
                _ => input("row-value", &row.value, editable, label),
            };
            append(&item, &value);
            if editable {
                append(&item, &button("remove-row", i, Some(r), Text::RuleRemoveCondition.get(lang)));
            }
            append(&rows, &item);
        }
        append(&li, &rows);
        if editable {
            append(&li, &button("add-row", i, None, Text::RuleAddCondition.get(lang)));
        }
        let then = el("fieldset", &[("class", "rule-then")], "");
        append(&then, &el("legend", &[], Text::RuleThen.get(lang)));
        let labelled = |text: &str, control: Element| -> Element {
            let l = el("label", &[], "");
            append(&l, &el("span", &[], text));
            append(&l, &control);
            l.into()
        };
        append(
            &then,
            &labelled(
                Text::Department.get(lang),
                choice("rule-department", &dep_options, &f.department, editable, Text::Department.get(lang)),
            ),
        );
        append(&then, &labelled(Text::RuleAssignee.get(lang), input("rule-assignee", &f.assignee, editable, Text::RuleAssignee.get(lang))));
        append(
            &then,
            &labelled(Text::Priority.get(lang), choice("rule-priority", &prio_options, &f.priority, editable, Text::Priority.get(lang))),
        );
        append(&then, &labelled(Text::RuleTags.get(lang), input("rule-tags", &f.tags, editable, Text::RuleTags.get(lang))));
        append(&then, &labelled(Text::RuleSendTo.get(lang), input("rule-send", &f.send_to, editable, Text::RuleSendTo.get(lang))));
        append(&li, &then);
        append(&list, &li);
    }
}

fn value_of(scope: &Element, selector: &str) -> String {
    let Ok(Some(e)) = scope.query_selector(selector) else { return String::new() };
    if let Some(i) = e.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(s) = e.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

fn checked(scope: &Element, selector: &str) -> bool {
    scope.query_selector(selector).ok().flatten().and_then(|e| e.dyn_into::<HtmlInputElement>().ok()).is_some_and(|i| i.checked())
}

/// The editor's widgets back into its forms (admins only; a read-only list
/// never changes).
fn read_dom() {
    let editable = EDITOR.with(|e| e.borrow().editable);
    if !editable {
        return;
    }
    let list: Element = by_id(list_id(true));
    let Ok(items) = list.query_selector_all(":scope > li.rule") else { return };
    let mut forms = vec![];
    for i in 0..items.length() {
        let Some(li) = items.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let mut rows = vec![];
        if let Ok(row_items) = li.query_selector_all("li.rule-row") {
            for r in 0..row_items.length() {
                let Some(row) = row_items.get(r).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                rows.push(ConditionRow {
                    kind: value_of(&row, ".row-kind"),
                    value: value_of(&row, ".row-value"),
                    negate: checked(&row, ".row-not"),
                });
            }
        }
        forms.push(RuleForm {
            name: value_of(&li, ".rule-name"),
            enabled: checked(&li, ".rule-enabled"),
            stop: checked(&li, ".rule-stop"),
            any: value_of(&li, ".rule-any") == "any",
            rows,
            department: value_of(&li, ".rule-department"),
            assignee: value_of(&li, ".rule-assignee"),
            priority: value_of(&li, ".rule-priority"),
            tags: value_of(&li, ".rule-tags"),
            send_to: value_of(&li, ".rule-send"),
        });
    }
    EDITOR.with(|e| e.borrow_mut().forms = forms);
}

/// A button in the list: change the forms, then draw them again.
fn on_click(event: Event) {
    let Some(b) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let Some(action) = b.get_attribute("data-action") else { return };
    let rule: usize = b.get_attribute("data-rule").and_then(|v| v.parse().ok()).unwrap_or(usize::MAX);
    let row: Option<usize> = b.get_attribute("data-row").and_then(|v| v.parse().ok());
    read_dom();
    EDITOR.with(|e| {
        let forms = &mut e.borrow_mut().forms;
        match action.as_str() {
            "up" => move_rule(forms, rule, true),
            "down" => move_rule(forms, rule, false),
            "remove" if rule < forms.len() => {
                forms.remove(rule);
            }
            "add-row" if rule < forms.len() => forms[rule].rows.push(ConditionRow { kind: "words".into(), ..ConditionRow::default() }),
            "remove-row" => {
                if let (Some(f), Some(r)) = (forms.get_mut(rule), row) {
                    if r < f.rows.len() {
                        f.rows.remove(r);
                    }
                }
            }
            _ => {}
        }
    });
    draw();
}

fn rerun(dry_run: bool) {
    read_dom();
    let (token, lang) = EDITOR.with(|e| (e.borrow().token.clone(), e.borrow().lang));
    let Some(token) = token else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let body = serde_json::json!({ "dryRun": dry_run }).to_string();
        let text = match request::<escucha_core::routing::RerunReport>("POST", "/api/v1/rules/rerun", Some(&token), Some(body)).await {
            Ok(r) if r.dry_run => {
                tr(lang, Text::RulesRerunWould, &[&r.changed.to_string(), &r.examined.to_string(), &r.version.to_string()])
            }
            Ok(r) => tr(lang, Text::RulesRerunDone, &[&r.changed.to_string(), &r.examined.to_string()]),
            Err(f) => tr(lang, Text::ConfigFailed, &[&f.message(lang)]),
        };
        set_text("rules-note", &text);
    });
}

fn on<F: FnMut(Event) + 'static>(id: &str, event: &str, f: F) {
    let cb = Closure::<dyn FnMut(Event)>::new(f);
    by_id::<Element>(id).add_event_listener_with_callback(event, cb.as_ref().unchecked_ref()).expect("listener");
    cb.forget();
}

/// Listeners, once at start.
pub fn wire() {
    on("rules-list", "click", on_click);
    // Another kind of condition takes another kind of value: draw it again.
    on("rules-list", "change", |e| {
        if e.target().and_then(|t| t.dyn_into::<Element>().ok()).is_some_and(|t| t.class_name() == "row-kind") {
            read_dom();
            draw();
        }
    });
    on("rules-add", "click", |_| {
        read_dom();
        EDITOR.with(|e| e.borrow_mut().forms.push(RuleForm::blank()));
        draw();
    });
    on("rules-rerun-dry", "click", |_| rerun(true));
    on("rules-rerun", "click", |_| rerun(false));
    // The department menus offer the departments as typed.
    on("config-departments", "change", |_| {
        read_dom();
        draw();
    });
}
