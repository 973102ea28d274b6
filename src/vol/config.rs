//! Connector configuration and its info string.
//!
//! HDF5 hands a connector its configuration as an *info string*, the text after the connector
//! name in `HDF5_VOL_CONNECTOR="REST endpoint=local;root_dir=/data;bucket=b"` (or in
//! `H5Pset_vol`/`--vol-info`). The string is a list of `key=value` pairs separated by `;`. HDF5
//! cuts the environment variable at the first blank after the name, so the string holds no
//! spaces. Keys are case-insensitive; a key may appear once. Settings given here override the
//! environment (`HSDS_ENDPOINT`, `ROOT_DIR`, ...), which later layers resolve.

use std::fmt;
use std::path::PathBuf;

/// Where the connector sends its requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Direct access: local SN/DN subprocesses; `dn_count` from `local[N]`, else the core count.
    Local { dn_count: Option<u32> },
    /// A remote HSDS-compatible server over TCP (`http://` or `https://`).
    Http(String),
    /// A remote server on a Unix socket (`http+unix://%2Fpath%2Fsn_1.sock` or a plain path).
    HttpUnix(String),
}

impl Endpoint {
    /// Parses `local`, `local[N]`, `http://…`, `https://…` or `http+unix://…`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let bad = |why: &str| ConfigError::BadValue {
            key: "endpoint".into(),
            value: text.into(),
            why: why.into(),
        };
        if text == "local" {
            return Ok(Endpoint::Local { dn_count: None });
        }
        if let Some(rest) = text.strip_prefix("local[") {
            let digits = rest.strip_suffix(']').ok_or_else(|| bad("expected local[N]"))?;
            let n: u32 = digits.parse().map_err(|_| bad("N in local[N] must be a whole number"))?;
            if n == 0 || n > 256 {
                return Err(bad("N in local[N] must be between 1 and 256"));
            }
            return Ok(Endpoint::Local { dn_count: Some(n) });
        }
        if text.starts_with("http+unix://") {
            return Ok(Endpoint::HttpUnix(text.into()));
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(Endpoint::Http(text.into()));
        }
        Err(bad("use local, local[N], http://host:port, https://… or http+unix://…"))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Local { dn_count: None } => f.write_str("local"),
            Endpoint::Local { dn_count: Some(n) } => write!(f, "local[{n}]"),
            Endpoint::Http(url) | Endpoint::HttpUnix(url) => f.write_str(url),
        }
    }
}

/// A problem with the info string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A `;`-separated item has no `=`.
    #[error("info string item '{0}' is not of the form key=value")]
    NotKeyValue(String),
    /// The key is not one restvol knows.
    #[error("unknown info string key '{key}' (known keys: {known})")]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The list of valid keys.
        known: String,
    },
    /// The same key appears twice.
    #[error("info string key '{0}' is given more than once")]
    DuplicateKey(String),
    /// The value is empty or malformed.
    #[error("info string key '{key}' has a bad value '{value}': {why}")]
    BadValue {
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

/// Connector settings given explicitly (info string or C API). Unset fields fall back to the
/// environment when the connector resolves its configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorConfig {
    /// Service endpoint (`HSDS_ENDPOINT`).
    pub endpoint: Option<Endpoint>,
    /// User name for HTTP Basic auth (`HSDS_USERNAME`).
    pub username: Option<String>,
    /// Password for HTTP Basic auth (`HSDS_PASSWORD`).
    pub password: Option<String>,
    /// Local store root directory for direct access (`ROOT_DIR`).
    pub root_dir: Option<PathBuf>,
    /// Bucket inside the store (`BUCKET_NAME`).
    pub bucket: Option<String>,
    /// S3-compatible gateway URL for direct access (`AWS_S3_GATEWAY`).
    pub aws_s3_gateway: Option<String>,
    /// S3 region (`AWS_REGION`).
    pub aws_region: Option<String>,
    /// Path of the `restvol` binary used for direct access (`RESTVOL_BIN`).
    pub restvol_bin: Option<PathBuf>,
}

/// The keys in canonical order, as written by [`ConnectorConfig::to_info_string`].
const KEYS: [&str; 8] = [
    "endpoint",
    "username",
    "password",
    "root_dir",
    "bucket",
    "aws_s3_gateway",
    "aws_region",
    "restvol_bin",
];

impl ConnectorConfig {
    /// Parses an info string such as `endpoint=local[2];root_dir=/data;bucket=hsdstest`.
    /// Blank items (`a=1;;b=2`, a trailing `;`) are ignored; an empty string gives defaults.
    pub fn parse_info_string(text: &str) -> Result<Self, ConfigError> {
        let mut config = ConnectorConfig::default();
        let mut seen: Vec<String> = Vec::new();
        for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) =
                item.split_once('=').ok_or_else(|| ConfigError::NotKeyValue(item.into()))?;
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            if !KEYS.contains(&key.as_str()) {
                return Err(ConfigError::UnknownKey { key, known: KEYS.join(", ") });
            }
            if seen.contains(&key) {
                return Err(ConfigError::DuplicateKey(key));
            }
            if value.is_empty() {
                return Err(ConfigError::BadValue {
                    key,
                    value: value.into(),
                    why: "empty value".into(),
                });
            }
            config.set(&key, value)?;
            seen.push(key);
        }
        Ok(config)
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let text = Some(value.to_string());
        match key {
            "endpoint" => self.endpoint = Some(Endpoint::parse(value)?),
            "username" => self.username = text,
            "password" => self.password = text,
            "root_dir" => self.root_dir = Some(PathBuf::from(value)),
            "bucket" => {
                if !is_valid_bucket_name(value) {
                    return Err(ConfigError::BadValue {
                        key: key.into(),
                        value: value.into(),
                        why: "bucket names use only letters, digits, '_', '.' and '-'".into(),
                    });
                }
                self.bucket = text;
            }
            "aws_s3_gateway" => self.aws_s3_gateway = text,
            "aws_region" => self.aws_region = text,
            "restvol_bin" => self.restvol_bin = Some(PathBuf::from(value)),
            _ => {}
        }
        Ok(())
    }

    /// Writes the canonical info string: known keys in a fixed order, unset keys left out.
    /// [`ConnectorConfig::parse_info_string`] of the result gives back an equal value.
    pub fn to_info_string(&self) -> String {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let values = [
            self.endpoint.as_ref().map(Endpoint::to_string),
            self.username.clone(),
            self.password.clone(),
            path(&self.root_dir),
            self.bucket.clone(),
            self.aws_s3_gateway.clone(),
            self.aws_region.clone(),
            path(&self.restvol_bin),
        ];
        KEYS.iter()
            .zip(values)
            .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// HSDS's bucket name rule, `[a-zA-Z0-9_.-]+`, minus `.` and `..`, which would name the store
/// root or its parent as a directory.
pub fn is_valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_string_gives_defaults() {
        assert_eq!(ConnectorConfig::parse_info_string("").unwrap(), ConnectorConfig::default());
        assert_eq!(ConnectorConfig::parse_info_string(" ; ;").unwrap(), ConnectorConfig::default());
    }

    #[test]
    fn parses_every_key() {
        let c = ConnectorConfig::parse_info_string(
            "endpoint=local[3];username=alice;password=s3cr=t;root_dir=/data;bucket=hsdstest;\
             aws_s3_gateway=http://127.0.0.1:8014;aws_region=us-east-1;restvol_bin=/opt/restvol",
        )
        .unwrap();
        assert_eq!(c.endpoint, Some(Endpoint::Local { dn_count: Some(3) }));
        assert_eq!(c.username.as_deref(), Some("alice"));
        assert_eq!(c.password.as_deref(), Some("s3cr=t"), "only the first '=' splits");
        assert_eq!(c.root_dir, Some(PathBuf::from("/data")));
        assert_eq!(c.bucket.as_deref(), Some("hsdstest"));
        assert_eq!(c.aws_s3_gateway.as_deref(), Some("http://127.0.0.1:8014"));
        assert_eq!(c.aws_region.as_deref(), Some("us-east-1"));
        assert_eq!(c.restvol_bin, Some(PathBuf::from("/opt/restvol")));
    }

    #[test]
    fn keys_are_case_insensitive_and_trimmed() {
        let c = ConnectorConfig::parse_info_string(" Endpoint = local ;BUCKET=b1;").unwrap();
        assert_eq!(c.endpoint, Some(Endpoint::Local { dn_count: None }));
        assert_eq!(c.bucket.as_deref(), Some("b1"));
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:5101").unwrap(),
            Endpoint::Http("http://127.0.0.1:5101".into())
        );
        assert_eq!(
            Endpoint::parse("http+unix://%2Ftmp%2Fsn.sock").unwrap(),
            Endpoint::HttpUnix("http+unix://%2Ftmp%2Fsn.sock".into())
        );
        for bad in ["local[0]", "local[x]", "local[2", "ftp://x", "LOCAL", "local[999]"] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |s: &str| ConnectorConfig::parse_info_string(s).unwrap_err();
        assert_eq!(err("endpoint"), ConfigError::NotKeyValue("endpoint".into()));
        assert!(
            matches!(err("colour=blue"), ConfigError::UnknownKey { key, .. } if key == "colour")
        );
        assert_eq!(err("bucket=a;bucket=b"), ConfigError::DuplicateKey("bucket".into()));
        assert!(matches!(err("username="), ConfigError::BadValue { key, .. } if key == "username"));
        assert!(matches!(err("bucket=a/b"), ConfigError::BadValue { key, .. } if key == "bucket"));
        assert!(
            matches!(err("endpoint=nowhere"), ConfigError::BadValue { key, .. } if key == "endpoint")
        );
        let msg = err("colour=blue").to_string();
        assert!(msg.contains("colour") && msg.contains("endpoint"), "{msg}");
    }

    #[test]
    fn canonical_string_round_trips() {
        let text = "bucket=b;endpoint=http://h:5101;root_dir=/r;password=p";
        let c = ConnectorConfig::parse_info_string(text).unwrap();
        let canonical = c.to_info_string();
        assert_eq!(canonical, "endpoint=http://h:5101;password=p;root_dir=/r;bucket=b");
        assert_eq!(ConnectorConfig::parse_info_string(&canonical).unwrap(), c);
        assert_eq!(ConnectorConfig::default().to_info_string(), "");
    }

    #[test]
    fn bucket_rule() {
        assert!(is_valid_bucket_name("hsds.test_1-a"));
        assert!(!is_valid_bucket_name(""));
        assert!(!is_valid_bucket_name("a b"));
        assert!(!is_valid_bucket_name("../x"));
        assert!(!is_valid_bucket_name(".."));
        assert!(!is_valid_bucket_name("."));
    }
}
