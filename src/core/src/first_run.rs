//! First run: what a fresh install shows, and what it does not switch on.
//!
//! A new install starts with no brands (nothing lights up until the manager
//! chooses what to listen for) and opens the welcome page, which offers to
//! import a brand list, create the first group, or try the demo brands.
//! Updates and browser updates open nothing.

/// The extension page to open for `runtime.onInstalled`'s `reason`, if any.
pub fn page_on_installed(reason: &str) -> Option<&'static str> {
    match reason {
        "install" => Some(WELCOME_PAGE),
        _ => None,
    }
}

/// The welcome page, relative to the extension's root.
pub const WELCOME_PAGE: &str = "welcome/welcome.html";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn only_a_fresh_install_opens_the_welcome_page() {
        for (reason, page) in [
            ("install", Some(WELCOME_PAGE)),
            ("update", None),
            ("chrome_update", None),
            ("browser_update", None),
            ("shared_module_update", None),
            ("", None),
        ] {
            assert_eq!(page_on_installed(reason), page, "{reason}");
        }
    }

    #[test]
    fn a_fresh_install_has_no_brands_and_the_demo_is_one_list_away() {
        let (first, _) = Settings::load(None);
        assert!(first.brands.groups.is_empty(), "no brand is preconfigured");
        let demo = crate::brands::BrandList::demo();
        let names: Vec<_> = demo.groups.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["Telefónica", "Orange", "ACME"]);
        assert!(demo.validate().is_ok());
    }
}
