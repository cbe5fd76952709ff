//! Building the options page's DOM (text only, through `crate::dom`).

use escucha_core::brands::{BrandKind, TermOptions};
use escucha_core::i18n::Key;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

use super::model::{picker_color, GroupModel};
use crate::dom::{append, el};
use crate::pages::{app_root, heading};
use crate::platform::t;

/// Line height of every textarea, in px (options.css sets the same), used to
/// scroll a line into view.
pub const LINE_HEIGHT_PX: i32 = 18;

/// Most terms listed under "Terms with their own options".
const CUSTOM_LIMIT: usize = 30;

/// The long-lived elements of the page.
pub struct Ui {
    pub root: HtmlElement,
    pub problem: HtmlElement,
    pub save: HtmlElement,
    pub dirty: HtmlElement,
    pub status: HtmlElement,
    pub summary: HtmlElement,
    pub summary_list: HtmlElement,
    pub groups: HtmlElement,
    pub add_group: HtmlElement,
    pub undo_bar: HtmlElement,
    pub undo_text: HtmlElement,
    pub undo: HtmlElement,
    pub export: HtmlElement,
    pub import_file: HtmlInputElement,
    pub json_details: HtmlElement,
    pub json: HtmlTextAreaElement,
    pub json_apply: HtmlElement,
    pub deny: HtmlTextAreaElement,
    pub disabled: HtmlElement,
    pub departments: HtmlTextAreaElement,
    /// The tags a one-click "Log" applies.
    pub defaults: DefaultsUi,
}

/// The capture-defaults widgets.
pub struct DefaultsUi {
    pub sentiment: web_sys::HtmlSelectElement,
    pub status: web_sys::HtmlSelectElement,
    pub priority: web_sys::HtmlSelectElement,
    pub department: HtmlInputElement,
    pub tags: HtmlInputElement,
}

fn choice(id: &str, options: &[(&str, String)]) -> web_sys::HtmlSelectElement {
    let s: web_sys::HtmlSelectElement = el("select", &[("id", id)], "").unchecked_into();
    for (value, text) in options {
        s.append_child(&el("option", &[("value", value)], text)).ok();
    }
    s
}

fn defaults_ui() -> (HtmlElement, DefaultsUi) {
    use escucha_core::log::{Priority, Sentiment, Status};
    let sec = section("defaults-section", &t(Key::OptionsCaptureDefaults, &[]));
    let sentiment = choice("default-sentiment", &Sentiment::ALL.map(|v| (v.as_str(), t(Key::sentiment(v), &[]))));
    let status = choice("default-status", &Status::ALL.map(|v| (v.as_str(), t(Key::status(v), &[]))));
    let priority = choice("default-priority", &Priority::ALL.map(|v| (v.as_str(), t(Key::priority(v), &[]))));
    let department: HtmlInputElement = el(
        "input",
        &[
            ("id", "default-department"),
            ("type", "text"),
            ("list", "default-department-choices"),
            ("aria-describedby", "default-department-errors"),
        ],
        "",
    )
    .unchecked_into();
    let tags: HtmlInputElement = el("input", &[("id", "default-tags"), ("type", "text")], "").unchecked_into();
    append(
        &sec,
        &[
            &el("p", &[("class", "hint")], &t(Key::OptionsCaptureDefaultsHint, &[])),
            &label("default-sentiment", &t(Key::CardSentiment, &[])),
            &sentiment,
            &label("default-status", &t(Key::CardStatus, &[])),
            &status,
            &label("default-priority", &t(Key::CardPriority, &[])),
            &priority,
            &label("default-department", &t(Key::CardDepartment, &[])),
            &department,
            &el("datalist", &[("id", "default-department-choices")], ""),
            &errors_for("default-department"),
            &label("default-tags", &t(Key::CardTags, &[])),
            &tags,
        ],
    );
    (sec, DefaultsUi { sentiment, status, priority, department, tags })
}

/// `<ul id="<id>-errors">` under a field, linked with aria-describedby.
fn errors_for(id: &str) -> HtmlElement {
    el("ul", &[("id", &format!("{id}-errors")), ("class", "field-errors")], "")
}

/// `<tag class=…>children</tag>`.
fn wrap(tag: &str, class: &str, children: &[&Element]) -> HtmlElement {
    append(el(tag, &[("class", class)], ""), children)
}

fn label(for_id: &str, text: &str) -> HtmlElement {
    el("label", &[("for", for_id)], text)
}

fn textarea(id: &str, field: Option<&str>, rows: &str) -> HtmlTextAreaElement {
    let describedby = format!("{id}-errors");
    let mut attrs = vec![("id", id), ("rows", rows), ("spellcheck", "false"), ("aria-describedby", &describedby)];
    if let Some(f) = field {
        attrs.push(("data-field", f));
    }
    el("textarea", &attrs, "").unchecked_into()
}

fn section(id: &str, title: &str) -> HtmlElement {
    let s = el("section", &[("id", id), ("aria-labelledby", &format!("{id}-title"))], "");
    s.append_child(&el("h2", &[("id", &format!("{id}-title"))], title)).expect("append");
    s
}

pub fn build() -> Ui {
    let root = app_root();
    let problem = el("p", &[("id", "settings-problem"), ("class", "problem"), ("role", "alert"), ("hidden", "")], "");

    // Toolbar: save, unsaved indicator, status.
    let save = el(
        "button",
        &[("id", "save"), ("type", "button"), ("class", "primary"), ("aria-keyshortcuts", "Control+S Meta+S")],
        &t(Key::OptionsSave, &[]),
    );
    let dirty = el("span", &[("id", "dirty"), ("class", "dirty"), ("hidden", "")], &t(Key::OptionsUnsaved, &[]));
    let status = el("p", &[("id", "save-status"), ("role", "status")], "");
    let hint = el("span", &[("class", "muted small")], &t(Key::OptionsShortcutHint, &[]));
    let toolbar = wrap("div", "toolbar", &[&save, &dirty, &hint]);
    let summary = el("div", &[("id", "error-summary"), ("class", "problem"), ("hidden", "")], "");
    let summary_list = el("ul", &[("id", "error-summary-list")], "");
    append(&summary, &[&el("h2", &[], &t(Key::OptionsProblemsHeading, &[])), &summary_list]);
    let bar = wrap("div", "savebar", &[&toolbar, &status, &summary]);

    // Brands.
    let brands = section("brands-section", &t(Key::OptionsBrands, &[]));
    let groups = el("div", &[("id", "brands"), ("aria-describedby", "brands-errors")], "");
    let add_group = el("button", &[("id", "add-group"), ("type", "button")], &t(Key::OptionsAddGroup, &[]));
    let undo_text = el("span", &[], "");
    let undo = el("button", &[("id", "undo-delete"), ("type", "button")], &t(Key::OptionsUndo, &[]));
    let undo_bar = append(el("p", &[("id", "undo-bar"), ("class", "undo-bar"), ("hidden", "")], ""), &[&undo_text, &undo]);
    append(
        &brands,
        &[&el("p", &[("class", "muted small")], &t(Key::OptionsGroupsHint, &[])), &errors_for("brands"), &groups, &undo_bar, &add_group],
    );

    // Import / export.
    let io = section("import-export", &t(Key::OptionsImportExport, &[]));
    let export = el("button", &[("id", "export"), ("type", "button")], &t(Key::OptionsExport, &[]));
    let import_file: HtmlInputElement = el(
        "input",
        &[("id", "import-file"), ("type", "file"), ("accept", ".json,application/json"), ("aria-describedby", "import-file-errors")],
        "",
    )
    .unchecked_into();
    let import_row =
        append(el("div", &[("class", "row")], ""), &[&export, &label("import-file", &t(Key::OptionsImportFile, &[])), &import_file]);
    let json_details = el("details", &[("id", "json-view")], "");
    let json = textarea("brands-json", None, "16");
    let json_apply = el("button", &[("id", "brands-json-apply"), ("type", "button")], &t(Key::OptionsJsonApply, &[]));
    append(
        &json_details,
        &[
            &el("summary", &[], &t(Key::OptionsJsonShow, &[])),
            &label("brands-json", &t(Key::OptionsJsonLabel, &[])),
            &json,
            &errors_for("brands-json"),
            &json_apply,
        ],
    );
    append(&io, &[&import_row, &errors_for("import-file"), &json_details]);

    // Sites.
    let sites = section("sites", &t(Key::OptionsSites, &[]));
    let deny = textarea("deny", None, "5");
    let disabled = el("ul", &[("id", "disabled-sites"), ("class", "plain"), ("aria-labelledby", "disabled-sites-title")], "");
    append(
        &sites,
        &[
            &label("deny", &t(Key::OptionsDenyLabel, &[])),
            &deny,
            &errors_for("deny"),
            &el("h3", &[("id", "disabled-sites-title")], &t(Key::OptionsDisabledSites, &[])),
            &disabled,
        ],
    );

    // Departments.
    let deps = section("departments-section", &t(Key::OptionsDepartments, &[]));
    let departments = textarea("departments", None, "6");
    append(&deps, &[&label("departments", &t(Key::OptionsDepartmentsLabel, &[])), &departments, &errors_for("departments")]);

    let (defaults_section, defaults) = defaults_ui();
    append(&root, &[&heading(&t(Key::OptionsTitle, &[])), &problem, &bar, &brands, &io, &sites, &deps, &defaults_section]);
    Ui {
        root,
        problem,
        save,
        dirty,
        status,
        summary,
        summary_list,
        groups,
        add_group,
        undo_bar,
        undo_text,
        undo,
        export,
        import_file,
        json_details,
        json,
        json_apply,
        deny,
        disabled,
        departments,
        defaults,
    }
}

pub fn find<T: JsCast>(root: &Element, selector: &str) -> Option<T> {
    root.query_selector(selector).ok().flatten().and_then(|e| e.dyn_into().ok())
}

fn legend_text(i: usize, name: &str) -> String {
    if name.trim().is_empty() {
        t(Key::OptionsUnnamedGroup, &[&(i + 1).to_string()])
    } else {
        name.to_string()
    }
}

pub fn update_legend(fieldset: &Element, i: usize, name: &str) {
    if let Some(span) = find::<Element>(fieldset, "legend .group-title") {
        span.set_text_content(Some(&legend_text(i, name)));
    }
}

/// One brand group's fieldset. Ids are `group-<i>-<field>`.
pub fn group(i: usize, n: usize, gm: &GroupModel) -> HtmlElement {
    let g = &gm.group;
    let id = |f: &str| format!("group-{i}-{f}");
    let fs = el("fieldset", &[("class", "group"), ("data-index", &i.to_string())], "");

    let legend = el("legend", &[], "");
    let title = el("span", &[("class", "group-title")], &legend_text(i, &g.name));
    legend.append_child(&title).expect("append");

    // Name, kind, colour, enabled, actions.
    let name_id = id("name");
    let name: HtmlInputElement =
        el("input", &[("id", &name_id), ("type", "text"), ("data-field", "name"), ("aria-describedby", &format!("{name_id}-errors"))], "")
            .unchecked_into();
    name.set_value(&g.name);

    let kind_id = id("kind");
    let kind: HtmlSelectElement = el("select", &[("id", &kind_id), ("data-field", "kind")], "").unchecked_into();
    for (value, key) in [("own", Key::OptionsKindOwn), ("product", Key::OptionsKindProduct), ("competitor", Key::OptionsKindCompetitor)] {
        kind.append_child(&el("option", &[("value", value)], &t(key, &[]))).expect("append");
    }
    kind.set_value(match g.kind {
        BrandKind::Own => "own",
        BrandKind::Product => "product",
        BrandKind::Competitor => "competitor",
    });

    let color_id = id("color");
    let hex_id = id("color-hex");
    let picker: HtmlInputElement = el("input", &[("id", &color_id), ("type", "color"), ("data-field", "color")], "").unchecked_into();
    picker.set_value(&picker_color(&g.color).unwrap_or_else(|| "#000000".into()));
    let hex: HtmlInputElement = el(
        "input",
        &[
            ("id", &hex_id),
            ("type", "text"),
            ("class", "hex"),
            ("data-field", "color-hex"),
            ("size", "8"),
            ("spellcheck", "false"),
            ("aria-label", &t(Key::OptionsGroupColorHex, &[])),
            ("aria-describedby", &format!("{hex_id}-errors")),
        ],
        "",
    )
    .unchecked_into();
    hex.set_value(&g.color);

    let enabled_id = id("enabled");
    let enabled: HtmlInputElement =
        el("input", &[("id", &enabled_id), ("type", "checkbox"), ("data-field", "enabled")], "").unchecked_into();
    enabled.set_checked(g.enabled);

    let button = |action: &str, symbol: &str, key: Key, disabled: bool| {
        let label = t(key, &[]);
        let b = el(
            "button",
            &[("id", &id(action)), ("type", "button"), ("data-action", action), ("aria-label", &label), ("title", &label)],
            symbol,
        );
        if disabled {
            b.set_attribute("disabled", "").ok();
        }
        b
    };
    let actions = append(
        el("span", &[("class", "group-actions")], ""),
        &[
            &button("up", "↑", Key::OptionsMoveUp, i == 0),
            &button("down", "↓", Key::OptionsMoveDown, i + 1 >= n),
            &button("delete", "✕", Key::OptionsDeleteGroup, false),
        ],
    );

    let row = append(
        el("div", &[("class", "row")], ""),
        &[
            &wrap("span", "field", &[&label(&name_id, &t(Key::OptionsGroupName, &[])), &name]),
            &wrap("span", "field", &[&label(&kind_id, &t(Key::OptionsGroupKind, &[])), &kind]),
            &wrap("span", "field", &[&label(&color_id, &t(Key::OptionsGroupColor, &[])), &picker, &hex]),
            &wrap("span", "field check", &[&enabled, &label(&enabled_id, &t(Key::OptionsGroupEnabled, &[]))]),
            &actions,
        ],
    );

    // Terms: bulk textarea, count, options of the caret's term, custom list.
    let terms_id = id("terms");
    let terms = textarea(&terms_id, Some("terms"), "8");
    terms.set_value(&gm.terms_text());
    let count = el("span", &[("class", "count muted")], "");
    let terms_label = wrap("div", "label-row", &[&label(&terms_id, &t(Key::OptionsGroupTerms, &[])), &count]);

    let opts = el("div", &[("class", "term-options"), ("role", "group"), ("aria-labelledby", &id("opt-label"))], "");
    opts.append_child(&el("p", &[("id", &id("opt-label")), ("class", "term-options-label")], "")).expect("append");
    for (opt, key) in [
        ("case", Key::OptionsOptCase),
        ("diacritics", Key::OptionsOptDiacritics),
        ("word", Key::OptionsOptWholeWord),
        ("regex", Key::OptionsOptRegex),
    ] {
        let cid = id(&format!("opt-{opt}"));
        let cb = el("input", &[("id", &cid), ("type", "checkbox"), ("data-field", "opt"), ("data-opt", opt)], "");
        opts.append_child(&wrap("span", "field check", &[&cb, &label(&cid, &t(key, &[]))])).expect("append");
    }
    let custom = el("div", &[("class", "custom-terms")], "");
    append(&custom, &[&el("span", &[("class", "muted")], &t(Key::OptionsCustomTerms, &[])), &el("ul", &[("class", "plain")], "")]);
    let terms_col = append(el("div", &[("class", "col")], ""), &[&terms_label, &terms, &errors_for(&terms_id), &opts, &custom]);

    let excl_id = id("exclusions");
    let excl = textarea(&excl_id, Some("exclusions"), "4");
    excl.set_value(&gm.exclusions_text());
    let excl_col =
        append(el("div", &[("class", "col")], ""), &[&label(&excl_id, &t(Key::OptionsGroupExclusions, &[])), &excl, &errors_for(&excl_id)]);

    append(&fs, &[&legend, &row, &errors_for(&name_id), &errors_for(&hex_id), &wrap("div", "cols", &[&terms_col, &excl_col])]);
    update_terms_info(&fs, i, gm);
    fs
}

fn describe(o: &TermOptions) -> String {
    let d = TermOptions::default();
    let mut parts = vec![];
    if o.regex {
        parts.push(t(Key::OptionsOptRegex, &[]));
    }
    if o.case_sensitive != d.case_sensitive {
        parts.push(t(Key::OptionsOptCase, &[]));
    }
    if o.diacritic_sensitive != d.diacritic_sensitive {
        parts.push(t(Key::OptionsOptDiacritics, &[]));
    }
    if o.whole_word != d.whole_word {
        parts.push(format!("¬ {}", t(Key::OptionsOptWholeWord, &[])));
    }
    parts.join(", ")
}

/// Refresh the term count, the options panel and the custom-options list.
pub fn update_terms_info(fs: &Element, i: usize, gm: &GroupModel) {
    if let Some(count) = find::<Element>(fs, ".count") {
        count.set_text_content(Some(&t(Key::OptionsTermCount, &[&gm.group.terms.len().to_string()])));
    }
    update_term_options(fs, i, gm);
    let Some(custom) = find::<HtmlElement>(fs, ".custom-terms") else { return };
    let Some(list) = find::<Element>(&custom, "ul") else { return };
    list.set_text_content(None);
    let special: Vec<(usize, &escucha_core::brands::Term)> =
        gm.group.terms.iter().enumerate().filter(|(_, t)| t.options != TermOptions::default()).collect();
    for (ti, term) in special.iter().take(CUSTOM_LIMIT) {
        let line = gm.term_lines.get(*ti).copied().unwrap_or(*ti as u32 + 1).to_string();
        let b = el(
            "button",
            &[("type", "button"), ("class", "linklike"), ("data-action", "goto-term"), ("data-line", &line)],
            &super::errors::short(&term.text),
        );
        let li = append(el("li", &[], ""), &[&b, &el("span", &[("class", "muted")], &format!(" — {}", describe(&term.options)))]);
        list.append_child(&li).ok();
    }
    if special.len() > CUSTOM_LIMIT {
        list.append_child(&el(
            "li",
            &[("class", "muted")],
            &t(Key::OptionsCustomTermsMore, &[&(special.len() - CUSTOM_LIMIT).to_string()]),
        ))
        .ok();
    }
    if special.is_empty() {
        custom.set_attribute("hidden", "").ok();
    } else {
        custom.remove_attribute("hidden").ok();
    }
}

/// Show the options of the selected term (the caret's line), or a hint.
pub fn update_term_options(fs: &Element, _i: usize, gm: &GroupModel) {
    let term = gm.selected.and_then(|ti| gm.group.terms.get(ti));
    if let Some(p) = find::<Element>(fs, ".term-options-label") {
        let text = match term {
            Some(term) => t(Key::OptionsTermOptionsFor, &[&super::errors::short(&term.text)]),
            None => t(Key::OptionsTermOptionsNone, &[]),
        };
        p.set_text_content(Some(&text));
    }
    let Ok(boxes) = fs.query_selector_all("input[data-field=opt]") else { return };
    for k in 0..boxes.length() {
        let Some(cb) = boxes.get(k).and_then(|n| n.dyn_into::<HtmlInputElement>().ok()) else { continue };
        match term {
            Some(term) => {
                let o = term.options;
                cb.set_disabled(false);
                cb.set_checked(match cb.get_attribute("data-opt").as_deref() {
                    Some("case") => o.case_sensitive,
                    Some("diacritics") => o.diacritic_sensitive,
                    Some("word") => o.whole_word,
                    Some("regex") => o.regex,
                    _ => false,
                });
            }
            None => {
                cb.set_disabled(true);
                cb.set_checked(false);
            }
        }
    }
}
