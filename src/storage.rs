//! The sharded store: HSDS schema-v2 key layout (pure functions in [`keys`]) and, as the service
//! grows, typed JSON/chunk I/O over `object_store` backends (local directory, memory, S3).

pub mod keys;
