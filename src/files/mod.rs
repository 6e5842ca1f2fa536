//! Uploaded files: streamed to storage with a size limit and content sniffing, stored under random
//! names (a folder under the data dir, or an S3 bucket), served with HTTP range requests (videos
//! seek) to the people what the file belongs to allows (`service::authorize_file`: one rule).

pub mod handlers;
pub mod service;
pub mod sniff;
pub mod storage;
pub mod store;
