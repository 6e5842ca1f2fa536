//! Uploaded files: streamed to storage with a size limit and content sniffing, stored under random
//! names (a folder under the data dir, or an S3 bucket), served with HTTP range requests (videos
//! seek) to the people what the file belongs to allows (`service::authorize_file`: one rule).

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod model;
#[cfg(feature = "ssr")]
pub mod records;
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sniff;
#[cfg(feature = "ssr")]
pub mod storage;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod zip_out;
