//! The sharded store: HSDS schema-v2 key layout (pure functions in [`keys`]) and byte/JSON I/O
//! over `object_store` backends (local directory, memory, S3) in [`backend`].

pub mod backend;
pub mod keys;

pub use backend::{
    is_valid_bucket_name, Bucket, Listing, ObjectInfo, Storage, StorageConfig, StorageError,
    StorageResult,
};
