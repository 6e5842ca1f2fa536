//! `window.API` (SCORM 1.2) and `window.API_1484_11` (SCORM 2004): the API object a SCO finds
//! in its parent frames. Each function answers as `session.rs` says; what the SCO sets goes to
//! the server in numbered batches (on commit, on finish, and every ten seconds), is kept in local storage until the server
//! has it (a reload or a crash restores it), and when the page goes away the session is finished
//! with a `keepalive` request, so closing the tab loses nothing.

use super::model::{ScoLaunch, Version};
use super::session::{Batch, Session};
use crate::ui::storage::local_storage;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// How often pending changes are sent without the SCO asking.
const EVERY_MS: i32 = 10_000;

struct Shared {
    item_id: i64,
    sco: String,
    session: RefCell<Session>,
    /// Called whenever the server has kept a batch, with whether it finished the session (the
    /// item may be done now, and sequencing may open other parts).
    on_saved: Box<dyn Fn(bool)>,
    /// Called with the navigation a SCORM 2004 SCO asked for as it ended (`adl.nav.request`).
    on_navigate: Box<dyn Fn(String)>,
    is_valid: IsValid,
}

/// Whether a navigation request would succeed now (`adl.nav.request_valid.*`); `None`: the
/// server's rules decide, so "unknown".
pub type IsValid = Box<dyn Fn(&str) -> Option<bool>>;

impl Shared {
    fn key(&self) -> String {
        format!("lyceum-scorm-{}-{}", self.item_id, self.sco)
    }

    /// Keeps what the server does not have yet on this device.
    fn keep_unsaved(&self) {
        let unsaved = self.session.borrow().unsaved();
        if let Some(storage) = local_storage() {
            let _ = if unsaved.is_empty() {
                storage.remove_item(&self.key())
            } else {
                storage.set_item(
                    &self.key(),
                    &serde_json::to_string(&unsaved).unwrap_or_default(),
                )
            };
        }
    }

    fn kept(&self) -> BTreeMap<String, String> {
        local_storage()
            .and_then(|s| s.get_item(&self.key()).ok().flatten())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }
}

/// The request that sends a batch (`keepalive`: it outlives the page).
fn request(shared: &Shared, batch: &Batch, keepalive: bool) -> Result<web_sys::Request, JsValue> {
    let body = serde_json::json!({
        "item_id": shared.item_id,
        "sco": shared.sco,
        "sequence": batch.sequence,
        "changes": batch.changes,
        "finish": batch.finish,
    });
    let headers = web_sys::Headers::new()?;
    headers.set("Content-Type", "application/json")?;
    headers.set("Accept", "application/json")?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body.to_string()));
    // RequestInit is a plain dictionary; this web-sys has no setter for `keepalive`.
    js_sys::Reflect::set(
        &init,
        &JsValue::from_str("keepalive"),
        &JsValue::from_bool(keepalive),
    )?;
    web_sys::Request::new_with_str_and_init("/api/scorm/commit", &init)
}

/// Sends the next batch, if one is owed and none is on its way.
fn flush(shared: &Rc<Shared>, keepalive: bool) {
    let Some(batch) = shared.session.borrow_mut().take_batch(keepalive) else {
        return;
    };
    shared.keep_unsaved();
    let Some(window) = web_sys::window() else {
        shared.session.borrow_mut().sent(batch.sequence, false);
        return;
    };
    let promise = match request(shared, &batch, keepalive) {
        Ok(req) => window.fetch_with_request(&req),
        Err(_) => {
            shared.session.borrow_mut().sent(batch.sequence, false);
            return;
        }
    };
    let shared = Rc::clone(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let status = wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<web_sys::Response>().ok())
            .map(|r| r.status());
        // Kept (2xx) or refused for good (4xx: sending it again would not help); anything else
        // (offline, 5xx, 503 busy) is sent again with the next batch.
        let reached = status.is_some_and(|s| (200..500).contains(&s));
        if let Some(s) = status.filter(|s| (400..500).contains(s)) {
            leptos::logging::warn!("the server refused a SCORM commit ({s})");
        }
        shared.session.borrow_mut().sent(batch.sequence, reached);
        shared.keep_unsaved();
        if reached {
            (shared.on_saved)(batch.finish);
        }
        if reached && shared.session.borrow().owes() {
            flush(&shared, false);
        }
    });
}

/// The API object installed for one SCO, until `uninstall`.
pub struct Runtime {
    shared: Rc<Shared>,
    /// `API` or `API_1484_11`.
    global: &'static str,
    interval: i32,
    tick: Closure<dyn Fn()>,
    on_pagehide: Closure<dyn Fn()>,
    functions: Vec<Closure<dyn Fn(JsValue, JsValue) -> JsValue>>,
}

/// An API function: the session's state and up to two arguments.
type Function = Box<dyn Fn(&Rc<Shared>, JsValue, JsValue) -> JsValue>;

fn text(value: &JsValue) -> String {
    // As JavaScript would make it a string: packages pass numbers (`LMSSetValue(
    // "cmi.core.lesson_location", 3)`) and leave out the "" of `LMSInitialize()`.
    if let Some(text) = value.as_string() {
        text
    } else if let Some(number) = value.as_f64() {
        number.to_string()
    } else if let Some(flag) = value.as_bool() {
        flag.to_string()
    } else {
        String::new()
    }
}

fn boolean(ok: bool) -> JsValue {
    JsValue::from_str(if ok { "true" } else { "false" })
}

/// Puts the API object in place for this SCO (before its page loads); `on_saved` runs when the
/// server has kept a batch, `on_navigate` when a 2004 SCO ends asking to go somewhere,
/// `is_valid` when it asks whether a request would succeed.
pub fn install(
    item_id: i64,
    launch: &ScoLaunch,
    on_saved: Box<dyn Fn(bool)>,
    on_navigate: Box<dyn Fn(String)>,
    is_valid: IsValid,
) -> Result<Runtime, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let shared = Rc::new(Shared {
        item_id,
        sco: launch.sco.clone(),
        session: RefCell::new(Session::new(launch)),
        on_saved,
        on_navigate,
        is_valid,
    });
    let kept = shared.kept();
    shared.session.borrow_mut().restore(kept);

    let api = js_sys::Object::new();
    let mut functions = Vec::new();
    let mut define = |name: &str, f: Function| {
        let shared = Rc::clone(&shared);
        let closure =
            Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |a, b| f(&shared, a, b));
        let set = js_sys::Reflect::set(&api, &JsValue::from_str(name), closure.as_ref());
        functions.push(closure);
        set.map(|_| ())
    };
    // The same functions under each version's names.
    let v2004 = matches!(launch.version, Version::Scorm2004(_));
    let name = |v12: &'static str, v2004_name: &'static str| if v2004 { v2004_name } else { v12 };
    define(
        name("LMSInitialize", "Initialize"),
        Box::new(|s, a, _| boolean(s.session.borrow_mut().initialize(&text(&a)))),
    )?;
    define(
        name("LMSFinish", "Terminate"),
        Box::new(|s, a, _| {
            let ok = s.session.borrow_mut().finish(&text(&a));
            if ok {
                flush(s, true);
                let request = s.session.borrow().navigation();
                if let Some(request) = request {
                    (s.on_navigate)(request);
                }
            }
            boolean(ok)
        }),
    )?;
    define(
        name("LMSGetValue", "GetValue"),
        Box::new(|s, a, _| {
            let element = text(&a);
            let value = s.session.borrow_mut().get(&element);
            // The data model answers "unknown"; the player knows where flow and choice lead.
            let known = (value == "unknown")
                .then(|| super::session::asked_request(&element))
                .flatten()
                .and_then(|request| (s.is_valid)(&request));
            JsValue::from_str(&known.map_or(value, |ok| ok.to_string()))
        }),
    )?;
    define(
        name("LMSSetValue", "SetValue"),
        Box::new(|s, a, b| {
            let ok = s.session.borrow_mut().set(&text(&a), &text(&b));
            if ok {
                s.keep_unsaved();
            }
            boolean(ok)
        }),
    )?;
    define(
        name("LMSCommit", "Commit"),
        Box::new(|s, a, _| {
            let ok = s.session.borrow_mut().commit(&text(&a));
            if ok {
                flush(s, false);
            }
            boolean(ok)
        }),
    )?;
    define(
        name("LMSGetLastError", "GetLastError"),
        Box::new(|s, _, _| JsValue::from_str(&s.session.borrow().last_error().to_string())),
    )?;
    define(
        name("LMSGetErrorString", "GetErrorString"),
        Box::new(|s, a, _| JsValue::from_str(&s.session.borrow().error_string(&text(&a)))),
    )?;
    define(
        name("LMSGetDiagnostic", "GetDiagnostic"),
        Box::new(|s, a, _| JsValue::from_str(&s.session.borrow().diagnostic(&text(&a)))),
    )?;
    let global = if v2004 { "API_1484_11" } else { "API" };
    if v2004 {
        js_sys::Reflect::set(
            &api,
            &JsValue::from_str("version"),
            &JsValue::from_str("1.0"),
        )?;
    }
    js_sys::Reflect::set(&window, &JsValue::from_str(global), &api)?;

    let ticking = Rc::clone(&shared);
    let tick = Closure::<dyn Fn()>::new(move || flush(&ticking, false));
    let interval = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        EVERY_MS,
    )?;
    let leaving = Rc::clone(&shared);
    let on_pagehide = Closure::<dyn Fn()>::new(move || {
        leaving.session.borrow_mut().leaving();
        leaving.keep_unsaved();
        flush(&leaving, true);
    });
    window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref())?;
    // Anything a closed tab could not send goes now.
    flush(&shared, false);
    Ok(Runtime {
        shared,
        global,
        interval,
        tick,
        on_pagehide,
        functions,
    })
}

impl Runtime {
    /// The learner leaves this SCO (another part, another page): the session ends and what is
    /// owed is sent; the API object goes. Whether a batch is still on its way (`on_saved`
    /// will follow).
    pub fn uninstall(self) -> bool {
        self.shared.session.borrow_mut().leaving();
        self.shared.keep_unsaved();
        flush(&self.shared, true);
        let on_its_way = self.shared.session.borrow().owes();
        if let Some(window) = web_sys::window() {
            window.clear_interval_with_handle(self.interval);
            let _ = window.remove_event_listener_with_callback(
                "pagehide",
                self.on_pagehide.as_ref().unchecked_ref(),
            );
            let _ = js_sys::Reflect::delete_property(&window, &JsValue::from_str(self.global));
        }
        drop(self.tick);
        // A SCO that kept a reference may still call in while it unloads: its calls must find
        // the (finished) session, not a freed closure.
        for function in self.functions {
            function.forget();
        }
        on_its_way
    }
}
