//! sla13: the service targets' boxes in the Team configuration form (time
//! zone, working hours, targets). What the text means is
//! `escucha_core::service::form`; the one validation words its problems.

use escucha_core::service::form::ServiceForm;
use escucha_ui::dom::by_id;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};

pub fn read() -> ServiceForm {
    ServiceForm {
        time_zone: by_id::<HtmlInputElement>("config-service-tz").value(),
        hours: by_id::<HtmlTextAreaElement>("config-service-hours").value(),
        targets: by_id::<HtmlTextAreaElement>("config-service-targets").value(),
    }
}

pub fn put(form: &ServiceForm) {
    by_id::<HtmlInputElement>("config-service-tz").set_value(&form.time_zone);
    by_id::<HtmlTextAreaElement>("config-service-hours").set_value(&form.hours);
    by_id::<HtmlTextAreaElement>("config-service-targets").set_value(&form.targets);
}
