//! `ServiceSettings`: what the local service is started with (binary search, DN count, store,
//! user, start-up timeout), resolved from the connector configuration and the environment.
//! Equal settings share one service (see `registry`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::discovery::BinarySearch;
use super::error::DirectError;
use crate::vol::config::{ConnectorConfig, Endpoint};

/// The bucket used when none is configured.
pub const DEFAULT_BUCKET: &str = "restvol";
/// How long to wait for the service to answer, by default.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the service keeps its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Store {
    /// A local directory: objects live in `<root_dir>/<bucket>/`.
    Directory {
        /// The store root (`ROOT_DIR`).
        root_dir: PathBuf,
        /// The bucket (`BUCKET_NAME`).
        bucket: String,
    },
    /// An S3-compatible object store.
    S3 {
        /// The gateway URL (`AWS_S3_GATEWAY`).
        gateway: String,
        /// The bucket (`BUCKET_NAME`).
        bucket: String,
        /// `AWS_REGION`.
        region: Option<String>,
        /// `AWS_ACCESS_KEY_ID`.
        access_key_id: Option<String>,
        /// `AWS_SECRET_ACCESS_KEY`.
        secret_access_key: Option<String>,
    },
}

impl Store {
    /// The bucket name.
    pub fn bucket(&self) -> &str {
        match self {
            Store::Directory { bucket, .. } | Store::S3 { bucket, .. } => bucket,
        }
    }
}

/// Everything needed to start one local service.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceSettings {
    /// Where to look for the `restvol` binary.
    pub binary: BinarySearchKey,
    /// Number of data nodes (`--count`).
    pub dn_count: u32,
    /// The store.
    pub store: Store,
    /// User name the connector authenticates as (the service's admin user).
    pub username: String,
    /// Extra environment variables for the service (e.g. a log level).
    pub extra_env: Vec<(String, String)>,
    /// How long to wait for `GET /about` to answer.
    pub ready_timeout: Duration,
}

/// [`BinarySearch`] in a hashable form (the registry keys services by settings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BinarySearchKey {
    /// See [`BinarySearch::configured`].
    pub configured: Option<PathBuf>,
    /// See [`BinarySearch::env`].
    pub env: Option<PathBuf>,
    /// See [`BinarySearch::plugin_dir`].
    pub plugin_dir: Option<PathBuf>,
    /// See [`BinarySearch::path_var`].
    pub path_var: Option<String>,
}

impl From<BinarySearch> for BinarySearchKey {
    fn from(s: BinarySearch) -> Self {
        BinarySearchKey {
            configured: s.configured,
            env: s.env,
            plugin_dir: s.plugin_dir,
            path_var: s.path_var.map(|p| p.to_string_lossy().into_owned()),
        }
    }
}

impl From<&BinarySearchKey> for BinarySearch {
    fn from(k: &BinarySearchKey) -> Self {
        BinarySearch {
            configured: k.configured.clone(),
            env: k.env.clone(),
            plugin_dir: k.plugin_dir.clone(),
            path_var: k.path_var.clone().map(Into::into),
        }
    }
}

impl ServiceSettings {
    /// Settings for a given binary and store, with defaults for the rest (DN count = cores,
    /// OS user, 10 s ready timeout).
    pub fn new(binary: BinarySearch, store: Store) -> Self {
        ServiceSettings {
            binary: binary.into(),
            dn_count: default_dn_count(),
            store,
            username: os_user(|k| std::env::var(k).ok()),
            extra_env: Vec::new(),
            ready_timeout: DEFAULT_READY_TIMEOUT,
        }
    }

    /// Resolves settings from the connector configuration, falling back to the environment
    /// (`RESTVOL_BIN`, `ROOT_DIR`, `BUCKET_NAME`, `AWS_S3_GATEWAY`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `HSDS_USERNAME`/`HS_USERNAME`, then
    /// `USER`/`LOGNAME`). With neither a root dir nor a gateway, the default store
    /// ([`default_root_dir`], bucket `restvol`) is used. `plugin_dir` is where
    /// `librestvol.so` lives.
    pub fn resolve(
        config: &ConnectorConfig,
        env: impl Fn(&str) -> Option<String>,
        plugin_dir: Option<PathBuf>,
    ) -> Result<Self, DirectError> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        let dn_count = match config.endpoint {
            Some(Endpoint::Local { dn_count: Some(n) }) => n,
            _ => default_dn_count(),
        };
        let bucket = config.bucket.clone().or_else(|| env("BUCKET_NAME"));
        let root_dir = config.root_dir.clone().or_else(|| env("ROOT_DIR").map(PathBuf::from));
        let gateway = config.aws_s3_gateway.clone().or_else(|| env("AWS_S3_GATEWAY"));
        let store = match (root_dir, gateway) {
            (Some(root_dir), _) => Store::Directory {
                root_dir,
                bucket: bucket.unwrap_or_else(|| DEFAULT_BUCKET.to_string()),
            },
            (None, Some(gateway)) => Store::S3 {
                gateway,
                bucket: bucket.ok_or_else(|| {
                    DirectError::Settings(
                        "an S3 store needs a bucket (bucket / BUCKET_NAME)".into(),
                    )
                })?,
                region: config.aws_region.clone().or_else(|| env("AWS_REGION")),
                access_key_id: env("AWS_ACCESS_KEY_ID"),
                secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
            },
            (None, None) => Store::Directory {
                root_dir: default_root_dir(env("XDG_DATA_HOME"), env("HOME")).ok_or_else(|| {
                    DirectError::Settings(
                        "no root_dir, no S3 gateway, and neither XDG_DATA_HOME nor HOME is set"
                            .into(),
                    )
                })?,
                bucket: bucket.unwrap_or_else(|| DEFAULT_BUCKET.to_string()),
            },
        };
        let username = config
            .username
            .clone()
            .or_else(|| env("HSDS_USERNAME"))
            .or_else(|| env("HS_USERNAME"))
            .unwrap_or_else(|| os_user(env));
        let binary = BinarySearch {
            configured: config.restvol_bin.clone(),
            env: env("RESTVOL_BIN").map(PathBuf::from),
            plugin_dir,
            path_var: env("PATH").map(Into::into),
        };
        Ok(ServiceSettings {
            binary: binary.into(),
            dn_count,
            store,
            username,
            extra_env: Vec::new(),
            ready_timeout: DEFAULT_READY_TIMEOUT,
        })
    }

    /// Creates `<root_dir>/<bucket>` for a directory store if it is missing.
    pub fn prepare_store(&self) -> Result<(), DirectError> {
        if let Store::Directory { root_dir, bucket } = &self.store {
            let dir = root_dir.join(bucket);
            std::fs::create_dir_all(&dir).map_err(|e| {
                DirectError::Settings(format!("cannot create the store {}: {e}", dir.display()))
            })?;
        }
        Ok(())
    }
}

/// The default store root: `$XDG_DATA_HOME/restvol`, else `$HOME/.local/share/restvol`.
pub fn default_root_dir(xdg_data_home: Option<String>, home: Option<String>) -> Option<PathBuf> {
    let xdg = xdg_data_home.map(PathBuf::from).filter(|p| p.is_absolute());
    match (xdg, home) {
        (Some(data), _) => Some(data.join("restvol")),
        (None, Some(home)) => Some(Path::new(&home).join(".local/share/restvol")),
        (None, None) => None,
    }
}

/// The number of cores (at least 1).
pub fn default_dn_count() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1))
}

/// The OS user from `USER` or `LOGNAME`, else `restvol`.
fn os_user(env: impl Fn(&str) -> Option<String>) -> String {
    env("USER").or_else(|| env("LOGNAME")).unwrap_or_else(|| "restvol".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn default_store_under_xdg_data_home_or_home() {
        let s = ServiceSettings::resolve(
            &ConnectorConfig::default(),
            env_of(&[("HOME", "/home/al"), ("USER", "al")]),
            None,
        )
        .unwrap();
        assert_eq!(
            s.store,
            Store::Directory {
                root_dir: "/home/al/.local/share/restvol".into(),
                bucket: "restvol".into()
            }
        );
        assert_eq!(s.username, "al");
        assert_eq!(s.dn_count, default_dn_count());
        let s = ServiceSettings::resolve(
            &ConnectorConfig::default(),
            env_of(&[("HOME", "/home/al"), ("XDG_DATA_HOME", "/data/x")]),
            None,
        )
        .unwrap();
        assert_eq!(s.store.bucket(), "restvol");
        assert!(
            matches!(&s.store, Store::Directory { root_dir, .. } if root_dir == Path::new("/data/x/restvol"))
        );
        assert!(ServiceSettings::resolve(&ConnectorConfig::default(), env_of(&[]), None).is_err());
    }

    #[test]
    fn config_beats_environment() {
        let config = ConnectorConfig::parse_info_string(
            "endpoint=local[3];root_dir=/r;bucket=b;username=cfg;restvol_bin=/opt/restvol",
        )
        .unwrap();
        let env = env_of(&[
            ("ROOT_DIR", "/env"),
            ("BUCKET_NAME", "envb"),
            ("HSDS_USERNAME", "envu"),
            ("RESTVOL_BIN", "/env/restvol"),
            ("PATH", "/usr/bin"),
        ]);
        let s = ServiceSettings::resolve(&config, env, Some("/lib/x".into())).unwrap();
        assert_eq!(s.dn_count, 3);
        assert_eq!(s.store, Store::Directory { root_dir: "/r".into(), bucket: "b".into() });
        assert_eq!(s.username, "cfg");
        assert_eq!(s.binary.configured.as_deref(), Some(Path::new("/opt/restvol")));
        assert_eq!(s.binary.env.as_deref(), Some(Path::new("/env/restvol")));
        assert_eq!(s.binary.plugin_dir.as_deref(), Some(Path::new("/lib/x")));
        assert_eq!(s.binary.path_var.as_deref(), Some("/usr/bin"));
    }

    #[test]
    fn s3_store_from_environment() {
        let env = env_of(&[
            ("AWS_S3_GATEWAY", "http://127.0.0.1:8014"),
            ("BUCKET_NAME", "bk"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "K"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
            ("HS_USERNAME", "hs"),
        ]);
        let s = ServiceSettings::resolve(&ConnectorConfig::default(), env, None).unwrap();
        assert_eq!(
            s.store,
            Store::S3 {
                gateway: "http://127.0.0.1:8014".into(),
                bucket: "bk".into(),
                region: Some("us-east-1".into()),
                access_key_id: Some("K".into()),
                secret_access_key: Some("S".into()),
            }
        );
        assert_eq!(s.username, "hs");
        let no_bucket = env_of(&[("AWS_S3_GATEWAY", "http://x")]);
        let err = ServiceSettings::resolve(&ConnectorConfig::default(), no_bucket, None);
        assert!(matches!(err, Err(DirectError::Settings(_))));
    }
}
