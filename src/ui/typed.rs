//! What people type (or a password manager fills in) before the page's script has loaded survives
//! hydration. Hydrating a `bind:value` sets the input's value from its signal, which starts
//! empty, so without this a fast typist or a password manager on a slow connection would see the
//! fields wiped and send an empty form. Written once here rather than in every form: before a
//! page hydrates, `remember` notes every control whose value differs from the one the server
//! rendered; once it has hydrated, `restore` puts those values back and fires the events the
//! bindings listen to, so the signals hold them too.

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use wasm_bindgen::JsCast;
    use web_sys::{
        Element, Event, EventInit, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
    };

    enum Typed {
        Value(String),
        Checked(bool),
    }

    thread_local! {
        static TYPED: RefCell<Vec<(Element, Typed)>> = const { RefCell::new(Vec::new()) };
    }

    fn typed(el: &Element) -> Option<Typed> {
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            return match input.type_().as_str() {
                // A file input keeps its files (hydration does not touch them); buttons have no input.
                "file" | "hidden" | "submit" | "button" | "reset" | "image" => None,
                "checkbox" | "radio" => (input.checked() != input.default_checked())
                    .then(|| Typed::Checked(input.checked())),
                _ => (input.value() != input.default_value()).then(|| Typed::Value(input.value())),
            };
        }
        if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
            // A default that cannot be read counts as changed: keeping a value is the safe side.
            let changed = area.default_value().map_or(true, |d| d != area.value());
            return changed.then(|| Typed::Value(area.value()));
        }
        if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            let options = select.options();
            let changed = (0..options.length())
                .filter_map(|i| options.item(i))
                .filter_map(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                .any(|o| o.selected() != o.default_selected());
            return changed.then(|| Typed::Value(select.value()));
        }
        None
    }

    pub fn remember() {
        let Ok(controls) =
            leptos::prelude::document().query_selector_all("input, textarea, select")
        else {
            return;
        };
        TYPED.with_borrow_mut(|list| {
            for node in (0..controls.length()).filter_map(|i| controls.item(i)) {
                let Ok(el) = node.dyn_into::<Element>() else {
                    continue;
                };
                if list.iter().any(|(seen, _)| seen.is_same_node(Some(&el))) {
                    continue;
                }
                if let Some(value) = typed(&el) {
                    list.push((el, value));
                }
            }
        });
    }

    fn fire(el: &Element, name: &str) {
        let init = EventInit::new();
        init.set_bubbles(true);
        if let Ok(event) = Event::new_with_event_init_dict(name, &init) {
            let _ = el.dispatch_event(&event);
        }
    }

    pub fn restore() {
        for (el, value) in TYPED.with_borrow_mut(std::mem::take) {
            // A control the page no longer shows (hydration replaced it) is gone for good.
            if !el.is_connected() {
                continue;
            }
            match value {
                Typed::Checked(checked) => {
                    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                        input.set_checked(checked);
                        fire(&el, "change");
                    }
                }
                Typed::Value(value) => {
                    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                        input.set_value(&value);
                    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
                        area.set_value(&value);
                    } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
                        select.set_value(&value);
                        fire(&el, "change");
                        continue;
                    }
                    fire(&el, "input");
                }
            }
        }
    }
}

/// Notes what has been typed into the server-rendered page (call before hydrating it).
pub fn remember() {
    #[cfg(feature = "hydrate")]
    browser::remember();
}

/// Puts back what `remember` noted (call once the page has hydrated).
pub fn restore() {
    #[cfg(feature = "hydrate")]
    browser::restore();
}
