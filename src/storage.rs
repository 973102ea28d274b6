//! The sharded store: HSDS schema-v2 key layout (pure functions in [`keys`]), byte/JSON I/O
//! over `object_store` backends (local directory, memory, S3) in [`backend`], and the chunk
//! filter pipeline HSDS applies to chunk objects in [`chunk_codec`].

pub mod backend;
pub mod chunk_codec;
pub mod keys;

pub use backend::{
    is_valid_bucket_name, Bucket, Listing, ObjectInfo, Storage, StorageConfig, StorageError,
    StorageResult,
};
pub use chunk_codec::{ChunkCodec, ChunkCodecError};
