//! The connector's effective settings: the explicit configuration (info string or C API)
//! merged with the environment and `~/.hscfg`, in this order of precedence:
//!
//! 1. the info string (`HDF5_VOL_CONNECTOR="REST endpoint=…;bucket=…"`, `H5Pset_vol`);
//! 2. HDF Group REST VOL variables: `HSDS_ENDPOINT`, `HSDS_USERNAME`, `HSDS_PASSWORD`;
//! 3. h5pyd variables: `HS_ENDPOINT`, `HS_USERNAME`, `HS_PASSWORD`, `HS_BUCKET`;
//! 4. `~/.hscfg` (`hs_endpoint`, `hs_username`, `hs_password`, `hs_bucket`);
//! 5. HSDS storage variables for direct access: `ROOT_DIR`, `BUCKET_NAME`, `AWS_S3_GATEWAY`,
//!    `AWS_REGION`; and `RESTVOL_BIN` for the service binary;
//! 6. defaults: direct access (`local`), the OS user name.

use std::path::PathBuf;

use super::config::{ConfigError, ConnectorConfig, Endpoint};

/// Resolved settings for one file access.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Settings {
    /// Where requests go.
    pub endpoint: EndpointKey,
    /// HTTP Basic user name, if any.
    pub username: Option<String>,
    /// HTTP Basic password, if any.
    pub password: Option<String>,
    /// Bucket to address (`None`: the server's default).
    pub bucket: Option<String>,
    /// Direct access: store root directory.
    pub root_dir: Option<PathBuf>,
    /// Direct access: S3-compatible gateway.
    pub aws_s3_gateway: Option<String>,
    /// Direct access: S3 region.
    pub aws_region: Option<String>,
    /// Direct access: explicit `restvol` binary.
    pub restvol_bin: Option<PathBuf>,
}

/// [`Endpoint`] in a hashable form, so sessions can be shared per endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EndpointKey {
    /// Direct access with this many data nodes (`None`: one per core).
    Local(Option<u32>),
    /// `http://` or `https://` URL.
    Http(String),
    /// Unix socket path (decoded from `http+unix://`).
    Unix(PathBuf),
}

impl Settings {
    /// Resolves settings from `explicit`, environment lookups `env` and the text of
    /// `~/.hscfg` (if any).
    pub fn resolve(
        explicit: &ConnectorConfig,
        env: &dyn Fn(&str) -> Option<String>,
        hscfg: Option<&str>,
    ) -> Result<Settings, ConfigError> {
        let cfg = hscfg.map(parse_hscfg).unwrap_or_default();
        let cfg_get = |key: &str| {
            cfg.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty())
        };
        let env_get = |key: &str| env(key).filter(|v| !v.is_empty());
        let pick = |hsds: &str, hs: &str, file: &str| {
            env_get(hsds).or_else(|| env_get(hs)).or_else(|| cfg_get(file))
        };

        let endpoint = match &explicit.endpoint {
            Some(e) => e.clone(),
            None => match pick("HSDS_ENDPOINT", "HS_ENDPOINT", "hs_endpoint") {
                Some(text) => Endpoint::parse(&text)?,
                None => Endpoint::Local { dn_count: None },
            },
        };
        let endpoint = match endpoint {
            Endpoint::Local { dn_count } => EndpointKey::Local(dn_count),
            Endpoint::Http(url) => EndpointKey::Http(url.trim_end_matches('/').to_string()),
            Endpoint::HttpUnix(url) => EndpointKey::Unix(unix_socket_path(&url)?),
        };
        let username = explicit
            .username
            .clone()
            .or_else(|| pick("HSDS_USERNAME", "HS_USERNAME", "hs_username"))
            .or_else(|| match endpoint {
                EndpointKey::Local(_) => env_get("USER").or_else(|| Some("restvol".into())),
                _ => None,
            });
        let password = explicit
            .password
            .clone()
            .or_else(|| pick("HSDS_PASSWORD", "HS_PASSWORD", "hs_password"));
        let bucket = explicit
            .bucket
            .clone()
            .or_else(|| env_get("HS_BUCKET"))
            .or_else(|| cfg_get("hs_bucket"))
            .or_else(|| env_get("BUCKET_NAME"));
        Ok(Settings {
            endpoint,
            username,
            password,
            bucket,
            root_dir: explicit.root_dir.clone().or_else(|| env_get("ROOT_DIR").map(PathBuf::from)),
            aws_s3_gateway: explicit.aws_s3_gateway.clone().or_else(|| env_get("AWS_S3_GATEWAY")),
            aws_region: explicit.aws_region.clone().or_else(|| env_get("AWS_REGION")),
            restvol_bin: explicit
                .restvol_bin
                .clone()
                .or_else(|| env_get("RESTVOL_BIN").map(PathBuf::from)),
        })
    }

    /// Resolves settings from the process environment and the user's `~/.hscfg`.
    pub fn from_environment(explicit: &ConnectorConfig) -> Result<Settings, ConfigError> {
        let hscfg = std::env::var_os("HOME")
            .map(|home| PathBuf::from(home).join(".hscfg"))
            .and_then(|path| std::fs::read_to_string(path).ok());
        Settings::resolve(explicit, &|key| std::env::var(key).ok(), hscfg.as_deref())
    }
}

/// `key = value` lines of an h5pyd `.hscfg` file; `#` starts a comment.
pub fn parse_hscfg(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("").trim();
            let (key, value) = line.split_once('=')?;
            Some((key.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect()
}

/// The socket path of an `http+unix://` endpoint (percent-encoded, as h5pyd writes it, or
/// plain), decoded as the client decodes it; the path must be absolute.
pub fn unix_socket_path(url: &str) -> Result<PathBuf, ConfigError> {
    let bad = |why: &str| ConfigError::BadValue {
        key: "endpoint".into(),
        value: url.into(),
        why: why.into(),
    };
    match crate::client::Target::parse(url) {
        Ok(crate::client::Target::Unix { socket }) if socket.is_absolute() => Ok(socket),
        Ok(_) => Err(bad("http+unix:// needs an absolute socket path")),
        Err(_) => Err(bad("bad percent-encoding in the socket path")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    }

    #[test]
    fn defaults_to_direct_access_as_the_os_user() {
        let s = Settings::resolve(&ConnectorConfig::default(), &env_of(&[("USER", "ann")]), None)
            .unwrap();
        assert_eq!(s.endpoint, EndpointKey::Local(None));
        assert_eq!(s.username.as_deref(), Some("ann"));
        assert_eq!(s.password, None);
    }

    #[test]
    fn precedence_is_info_then_hsds_then_hs_then_hscfg() {
        let cfg = "hs_endpoint = http://file:1\nhs_username = fileuser # comment\nhs_bucket=b1\n";
        let env = env_of(&[("HS_ENDPOINT", "http://hs:2"), ("HSDS_USERNAME", "hsdsuser")]);
        let s = Settings::resolve(&ConnectorConfig::default(), &env, Some(cfg)).unwrap();
        assert_eq!(s.endpoint, EndpointKey::Http("http://hs:2".into()));
        assert_eq!(s.username.as_deref(), Some("hsdsuser"));
        assert_eq!(s.bucket.as_deref(), Some("b1"));
        let explicit = ConnectorConfig::parse_info_string("endpoint=local[3];bucket=x").unwrap();
        let s = Settings::resolve(&explicit, &env, Some(cfg)).unwrap();
        assert_eq!(s.endpoint, EndpointKey::Local(Some(3)));
        assert_eq!(s.bucket.as_deref(), Some("x"));
        let s = Settings::resolve(&ConnectorConfig::default(), &env_of(&[]), Some(cfg)).unwrap();
        assert_eq!(s.endpoint, EndpointKey::Http("http://file:1".into()));
        assert_eq!(s.username.as_deref(), Some("fileuser"));
    }

    #[test]
    fn unix_endpoints_decode_their_socket_path() {
        let env = env_of(&[("HSDS_ENDPOINT", "http+unix://%2Ftmp%2Fhs%2Fsn_1.sock")]);
        let s = Settings::resolve(&ConnectorConfig::default(), &env, None).unwrap();
        assert_eq!(s.endpoint, EndpointKey::Unix(PathBuf::from("/tmp/hs/sn_1.sock")));
        assert!(unix_socket_path("http+unix://relative.sock").is_err());
        assert!(unix_socket_path("http+unix://%2").is_err());
    }

    #[test]
    fn a_bad_environment_endpoint_is_a_clear_error() {
        let env = env_of(&[("HSDS_ENDPOINT", "ftp://x")]);
        let err = Settings::resolve(&ConnectorConfig::default(), &env, None).unwrap_err();
        assert!(err.to_string().contains("endpoint"), "{err}");
    }
}
