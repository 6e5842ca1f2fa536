//! The shell data every page shares (who is signed in, the site's name): loaded once by `<App/>`
//! and read by any page with `use_shell`. It lives here, with `get_shell`, so that pages of any
//! area can read it without importing the app that routes to them.

use super::server::{ShellInfo, get_shell};
use crate::error::AppError;
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct ShellResource(Resource<Result<ShellInfo, AppError>>);

/// Loads the shell data (blocking: every page's first render needs it) for everything under the
/// caller.
pub fn provide_shell() {
    let shell = Resource::new_blocking(|| (), |_| get_shell());
    provide_context(ShellResource(shell));
}

pub fn use_shell() -> Resource<Result<ShellInfo, AppError>> {
    expect_context::<ShellResource>().0
}
