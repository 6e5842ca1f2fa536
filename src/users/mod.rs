//! Users and site roles: the administrators' user table, create/edit/suspend/delete, role
//! assignment, CSV import and export. Rules live in `service`, SQL in `store`.

#[cfg(feature = "ssr")]
pub mod announce;
#[cfg(feature = "ssr")]
pub mod custom_field_service;
#[cfg(feature = "ssr")]
pub mod custom_field_store;
pub mod custom_fields;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
mod import_profile;
pub mod model;
pub mod model_import;
pub mod pages;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod profile_service;
#[cfg(feature = "ssr")]
pub mod profile_store;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
