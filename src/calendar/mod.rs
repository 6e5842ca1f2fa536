//! The calendar: `/calendar` (a month, as a grid and as a list) and each person's private
//! iCalendar feed (`handlers`, `ics`). Its dates come from the areas that keep them: item kinds
//! through the registry's `dated` hook, mandatory training from `compliance`.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod ics;
pub mod model;
pub mod pages;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
