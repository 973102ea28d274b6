//! Object-store backends: where a bucket's bytes live (a local directory, memory, or an
//! S3-compatible service) and the small set of byte-level operations the service needs on them.
//!
//! A [`Storage`] is the configured root; [`Storage::bucket`] gives a cheap, cloneable [`Bucket`]
//! handle. Keys are HSDS storage keys (no leading slash, see [`super::keys`]). A missing object
//! is `Ok(None)`, never an error; every failure of the backend is a [`StorageError`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

/// Errors from the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The bucket name is not `[A-Za-z0-9_.-]+` (or is `.`/`..`).
    #[error("invalid bucket name '{0}'")]
    InvalidBucket(String),
    /// The key cannot be used as an object path.
    #[error("invalid storage key '{key}': {reason}")]
    InvalidKey {
        /// The offending key.
        key: String,
        /// Why it was refused.
        reason: String,
    },
    /// The configuration cannot produce a backend.
    #[error("storage configuration: {0}")]
    Config(String),
    /// A stored JSON object does not parse.
    #[error("corrupt object '{key}': {reason}")]
    Corrupt {
        /// The key of the object.
        key: String,
        /// The parse error.
        reason: String,
    },
    /// The backend failed.
    #[error("storage backend: {0}")]
    Backend(String),
}

impl From<object_store::Error> for StorageError {
    fn from(err: object_store::Error) -> Self {
        StorageError::Backend(err.to_string())
    }
}

/// Result alias for this module.
pub type StorageResult<T> = Result<T, StorageError>;

/// Where buckets live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// POSIX directory: bucket `b` is the directory `<root>/b` (HSDS's `root_dir`).
    Directory {
        /// The root directory that holds one directory per bucket.
        root: PathBuf,
    },
    /// Process memory: ephemeral, for tests and serverless pipelines.
    Memory,
    /// An S3-compatible service (HSDS's `aws_s3_gateway`).
    S3 {
        /// Endpoint URL, e.g. `http://127.0.0.1:8014`; `None` means AWS itself.
        endpoint: Option<String>,
        /// Region name (any name for most S3-compatible servers).
        region: String,
        /// Access key id, if any.
        access_key_id: Option<String>,
        /// Secret access key, if any.
        secret_access_key: Option<String>,
    },
}

/// The configured storage root. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Storage {
    config: StorageConfig,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl Storage {
    /// Creates the storage root. A directory root must exist.
    pub fn new(config: StorageConfig) -> StorageResult<Storage> {
        if let StorageConfig::Directory { root } = &config {
            if !root.is_dir() {
                return Err(StorageError::Config(format!(
                    "root directory '{}' does not exist",
                    root.display()
                )));
            }
        }
        Ok(Storage { config, buckets: Arc::new(Mutex::new(HashMap::new())) })
    }

    /// The configuration this storage was built from.
    pub fn config(&self) -> &StorageConfig {
        &self.config
    }

    /// A handle on bucket `name`; for a directory root the bucket directory is created if
    /// missing.
    pub fn bucket(&self, name: &str) -> StorageResult<Bucket> {
        if !is_valid_bucket_name(name) {
            return Err(StorageError::InvalidBucket(name.to_string()));
        }
        let mut buckets = self
            .buckets
            .lock()
            .map_err(|_| StorageError::Backend("bucket table lock poisoned".into()))?;
        if let Some(found) = buckets.get(name) {
            return Ok(found.clone());
        }
        let store: Arc<dyn ObjectStore> = match &self.config {
            StorageConfig::Directory { root } => {
                let dir = root.join(name);
                std::fs::create_dir_all(&dir).map_err(|e| {
                    StorageError::Config(format!("cannot create bucket '{}': {e}", dir.display()))
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(&dir)?.with_automatic_cleanup(true))
            }
            StorageConfig::Memory => Arc::new(InMemory::new()),
            StorageConfig::S3 { endpoint, region, access_key_id, secret_access_key } => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(name)
                    .with_region(region)
                    .with_virtual_hosted_style_request(false);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(key) = access_key_id {
                    builder = builder.with_access_key_id(key);
                }
                if let Some(secret) = secret_access_key {
                    builder = builder.with_secret_access_key(secret);
                }
                Arc::new(builder.build()?)
            }
        };
        let bucket = Bucket { name: name.to_string(), store };
        buckets.insert(name.to_string(), bucket.clone());
        Ok(bucket)
    }
}

/// HSDS's bucket-name rule: `[A-Za-z0-9_.-]+`, and never `.` or `..`.
pub fn is_valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Size and modification time of a stored object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectInfo {
    /// The object's key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Last modification, seconds since the epoch.
    pub last_modified: f64,
}

/// What identifies one stored state of an object (its entity tag: on local disk inode, time
/// and size; on S3 the `ETag`), to tell whether another writer replaced it. An unknown version
/// (`None` inside) never equals another, so a cache holding it reloads.
#[derive(Debug, Clone, Default)]
pub struct Version(Option<String>);

impl Version {
    fn of(meta: &object_store::ObjectMeta) -> Version {
        Version(meta.e_tag.clone())
    }

    /// Whether both are known and the same.
    pub fn same_as(&self, other: &Version) -> bool {
        matches!((&self.0, &other.0), (Some(a), Some(b)) if a == b)
    }
}

/// One level of a delimited listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// Objects directly under the prefix.
    pub objects: Vec<ObjectInfo>,
    /// Sub-"folders" (keys with a further `/`), each ending in `/`.
    pub prefixes: Vec<String>,
}

/// One bucket of a [`Storage`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Bucket {
    name: String,
    store: Arc<dyn ObjectStore>,
}

fn store_path(key: &str) -> StorageResult<StorePath> {
    if key.is_empty() || key.starts_with('/') {
        return Err(StorageError::InvalidKey {
            key: key.to_string(),
            reason: "keys are relative and non-empty".into(),
        });
    }
    StorePath::parse(key)
        .map_err(|e| StorageError::InvalidKey { key: key.to_string(), reason: e.to_string() })
}

fn is_not_found(err: &object_store::Error) -> bool {
    matches!(err, object_store::Error::NotFound { .. })
}

fn info_of(meta: &object_store::ObjectMeta) -> ObjectInfo {
    let millis = meta.last_modified.timestamp_millis();
    ObjectInfo {
        key: meta.location.to_string(),
        size: meta.size,
        last_modified: millis as f64 / 1000.0,
    }
}

impl Bucket {
    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads a whole object; `None` if it does not exist.
    pub async fn get(&self, key: &str) -> StorageResult<Option<Bytes>> {
        let path = store_path(key)?;
        match self.store.get(&path).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Reads a whole object and its [`Version`]; `None` if it does not exist.
    pub async fn get_versioned(&self, key: &str) -> StorageResult<Option<(Bytes, Version)>> {
        let path = store_path(key)?;
        match self.store.get(&path).await {
            Ok(found) => {
                let version = Version::of(&found.meta);
                Ok(Some((found.bytes().await?, version)))
            }
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// The [`Version`] of an object now; `None` if it does not exist.
    pub async fn version(&self, key: &str) -> StorageResult<Option<Version>> {
        let path = store_path(key)?;
        match self.store.head(&path).await {
            Ok(meta) => Ok(Some(Version::of(&meta))),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// As [`Bucket::put`], returning the [`Version`] written when the backend tells it.
    pub async fn put_versioned(&self, key: &str, data: Bytes) -> StorageResult<Version> {
        let path = store_path(key)?;
        let written = self.store.put(&path, PutPayload::from(data)).await?;
        Ok(Version(written.e_tag))
    }

    /// Reads `range` of an object; `None` if it does not exist. A range past the end is
    /// truncated by the backend.
    pub async fn get_range(&self, key: &str, range: Range<u64>) -> StorageResult<Option<Bytes>> {
        let path = store_path(key)?;
        match self.store.get_range(&path, range).await {
            Ok(found) => Ok(Some(found)),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Size and modification time, `None` if missing.
    pub async fn head(&self, key: &str) -> StorageResult<Option<ObjectInfo>> {
        let path = store_path(key)?;
        match self.store.head(&path).await {
            Ok(meta) => Ok(Some(info_of(&meta))),
            Err(err) if is_not_found(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Writes (replaces) an object atomically.
    pub async fn put(&self, key: &str, data: Bytes) -> StorageResult<()> {
        let path = store_path(key)?;
        self.store.put(&path, PutPayload::from(data)).await?;
        Ok(())
    }

    /// Writes an object only if no object has that key; `Ok(false)` if one already exists.
    pub async fn put_if_absent(&self, key: &str, data: Bytes) -> StorageResult<bool> {
        let path = store_path(key)?;
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&path, PutPayload::from(data), options).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Deletes an object; deleting a missing object is not an error.
    pub async fn delete(&self, key: &str) -> StorageResult<()> {
        let path = store_path(key)?;
        match self.store.delete(&path).await {
            Ok(()) => Ok(()),
            Err(err) if is_not_found(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Every object whose key starts with the folder `prefix` (recursively).
    pub async fn list_all(&self, prefix: &str) -> StorageResult<Vec<ObjectInfo>> {
        use futures_util::TryStreamExt;
        let path = if prefix.is_empty() { None } else { Some(store_path(prefix)?) };
        let metas: Vec<object_store::ObjectMeta> =
            self.store.list(path.as_ref()).try_collect().await?;
        Ok(metas.iter().map(info_of).collect())
    }

    /// One level under the folder `prefix` (`""` for the bucket's top).
    pub async fn list(&self, prefix: &str) -> StorageResult<Listing> {
        let path = if prefix.is_empty() { None } else { Some(store_path(prefix)?) };
        let result = self.store.list_with_delimiter(path.as_ref()).await?;
        Ok(Listing {
            objects: result.objects.iter().map(info_of).collect(),
            prefixes: result.common_prefixes.iter().map(|p| format!("{p}/")).collect(),
        })
    }

    /// Deletes every object under the folder `prefix`; returns how many were deleted.
    pub async fn delete_prefix(&self, prefix: &str) -> StorageResult<usize> {
        let objects = self.list_all(prefix).await?;
        for object in &objects {
            self.delete(&object.key).await?;
        }
        Ok(objects.len())
    }

    /// Reads a JSON object; `None` if missing, [`StorageError::Corrupt`] if it does not parse.
    pub async fn get_json(&self, key: &str) -> StorageResult<Option<serde_json::Value>> {
        match self.get(key).await? {
            None => Ok(None),
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| StorageError::Corrupt { key: key.to_string(), reason: e.to_string() }),
        }
    }

    /// Writes a JSON object (compact, as HSDS does).
    pub async fn put_json(&self, key: &str, value: &serde_json::Value) -> StorageResult<()> {
        self.put_json_versioned(key, value).await.map(|_| ())
    }

    /// As [`Bucket::put_json`], returning the [`Version`] written when the backend tells it.
    pub async fn put_json_versioned(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> StorageResult<Version> {
        let text = serde_json::to_vec(value)
            .map_err(|e| StorageError::Backend(format!("cannot encode '{key}': {e}")))?;
        self.put_versioned(key, Bytes::from(text)).await
    }

    /// Writes a JSON object only if the key is free; `Ok(false)` if it already exists.
    pub async fn put_json_if_absent(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> StorageResult<bool> {
        let text = serde_json::to_vec(value)
            .map_err(|e| StorageError::Backend(format!("cannot encode '{key}': {e}")))?;
        self.put_if_absent(key, Bytes::from(text)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    fn exercise(bucket: Bucket) {
        runtime().block_on(async {
            assert_eq!(bucket.get("a/b/.group.json").await.unwrap(), None);
            bucket.put_json("a/b/.group.json", &serde_json::json!({"x": 1})).await.unwrap();
            let back = bucket.get_json("a/b/.group.json").await.unwrap().unwrap();
            assert_eq!(back["x"], 1);
            assert!(!bucket.put_if_absent("a/b/.group.json", Bytes::from("{}")).await.unwrap());
            assert!(bucket.put_if_absent("a/c", Bytes::from_static(b"0123456789")).await.unwrap());
            let part = bucket.get_range("a/c", 2..5).await.unwrap().unwrap();
            assert_eq!(&part[..], b"234");
            let level = bucket.list("a/").await.unwrap();
            assert_eq!(level.prefixes, vec!["a/b/".to_string()]);
            assert_eq!(level.objects.len(), 1);
            assert_eq!(bucket.list_all("a/").await.unwrap().len(), 2);
            bucket.put("bad", Bytes::from_static(b"{not json")).await.unwrap();
            assert!(matches!(bucket.get_json("bad").await, Err(StorageError::Corrupt { .. })));
            assert_eq!(bucket.delete_prefix("a/").await.unwrap(), 2);
            bucket.delete("a/c").await.unwrap();
            assert!(bucket.head("a/c").await.unwrap().is_none());

            // Versions: known, the same from put, get and head, different after a rewrite.
            let written = bucket.put_versioned("v", Bytes::from_static(b"one")).await.unwrap();
            let (_, read) = bucket.get_versioned("v").await.unwrap().unwrap();
            let now = bucket.version("v").await.unwrap().unwrap();
            assert!(written.same_as(&read) && read.same_as(&now), "{written:?} {read:?} {now:?}");
            let rewritten = bucket.put_versioned("v", Bytes::from_static(b"two!")).await.unwrap();
            assert!(!rewritten.same_as(&written));
            assert!(bucket.version("v").await.unwrap().unwrap().same_as(&rewritten));
            assert!(!Version::default().same_as(&Version::default()), "unknown is never same");
            bucket.delete("v").await.unwrap();
            assert!(bucket.version("v").await.unwrap().is_none());
        });
    }

    #[test]
    fn memory_bucket_round_trips() {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        exercise(storage.bucket("hsdstest").unwrap());
    }

    #[test]
    fn directory_bucket_round_trips_and_uses_hsds_paths() {
        let root = std::env::temp_dir().join(format!("restvol-backend-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        let storage = Storage::new(StorageConfig::Directory { root: root.clone() }).unwrap();
        let bucket = storage.bucket("hsdstest").unwrap();
        runtime().block_on(async {
            bucket.put_json("home/u/f.h5/.domain.json", &serde_json::json!({})).await.unwrap();
        });
        assert!(root.join("hsdstest/home/u/f.h5/.domain.json").is_file());
        exercise(bucket);
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn refuses_bad_names() {
        let storage = Storage::new(StorageConfig::Memory).unwrap();
        assert!(matches!(storage.bucket(".."), Err(StorageError::InvalidBucket(_))));
        assert!(matches!(storage.bucket("a/b"), Err(StorageError::InvalidBucket(_))));
        let bucket = storage.bucket("ok").unwrap();
        runtime().block_on(async {
            assert!(bucket.get("/abs").await.is_err());
            assert!(bucket.get("a/../b").await.is_err());
        });
    }
}
