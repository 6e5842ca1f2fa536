//! Sends a plain multipart form from script and reads the JSON answer, so the page stays (with
//! whatever is typed elsewhere on it). Before the script loads the same form posts on its own.

#[cfg(feature = "hydrate")]
pub async fn send_form<T: serde::de::DeserializeOwned>(
    form: &web_sys::HtmlFormElement,
) -> Result<T, crate::error::AppError> {
    use crate::error::AppError;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |cause: wasm_bindgen::JsValue| {
        leptos::logging::warn!("upload failed: {cause:?}");
        AppError::invalid(
            "file",
            "The upload did not reach the server. Check the connection and try again.",
        )
    };
    let data = web_sys::FormData::new_with_form(form).map_err(failed)?;
    let headers = web_sys::Headers::new().map_err(failed)?;
    headers.set("Accept", "application/json").map_err(failed)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&data);
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&form.action(), &init).map_err(failed)?;
    let window = web_sys::window().ok_or_else(|| failed("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| failed(e.to_string().into()))
    } else {
        // Our handler answers JSON; what comes before it (body limit, overload) answers text.
        Err(serde_json::from_str(&text).unwrap_or_else(|_| {
            AppError::invalid(
                "file",
                match response.status() {
                    413 => "This file is too large to upload.".to_string(),
                    503 => "The server is busy. Try again in a minute.".to_string(),
                    status => format!("The upload failed (status {status}). Try again."),
                },
            )
        }))
    }
}
