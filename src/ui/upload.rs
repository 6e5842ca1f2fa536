//! Sends a plain multipart form from script and reads the JSON answer, so the page stays (with
//! whatever is typed elsewhere on it). Before the script loads the same form posts on its own.

#[cfg(feature = "hydrate")]
pub async fn send_form<T: serde::de::DeserializeOwned>(
    form: &web_sys::HtmlFormElement,
) -> Result<T, crate::error::AppError> {
    use crate::error::AppError;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = || {
        AppError::invalid(
            "file",
            "The upload did not reach the server. Check the connection and try again.",
        )
    };
    let data = web_sys::FormData::new_with_form(form).map_err(|_| failed())?;
    let headers = web_sys::Headers::new().map_err(|_| failed())?;
    headers
        .set("Accept", "application/json")
        .map_err(|_| failed())?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&data);
    init.set_headers(&headers);
    let request =
        web_sys::Request::new_with_str_and_init(&form.action(), &init).map_err(|_| failed())?;
    let window = web_sys::window().ok_or_else(failed)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| failed())?
        .dyn_into()
        .map_err(|_| failed())?;
    let text = JsFuture::from(response.text().map_err(|_| failed())?)
        .await
        .map_err(|_| failed())?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|_| failed())
    } else {
        Err(serde_json::from_str(&text).unwrap_or(AppError::Internal))
    }
}
