//! The sharded store: HSDS schema-v2 key layout (pure functions) and typed JSON/chunk I/O over
//! `object_store` backends (local directory, memory, S3-compatible).
