//! `Connection`: what the connector opens files through. Resolves the endpoint (configuration,
//! then `HSDS_ENDPOINT` / `HS_ENDPOINT`, else direct access), acquires the shared local
//! service for direct access, and builds the [`BlockingClient`] with the right credentials.

use std::path::PathBuf;

use super::error::DirectError;
use super::registry::{acquire, ServiceHandle};
use super::settings::ServiceSettings;
use crate::client::{BlockingClient, ClientConfig, ClientError};
use crate::vol::config::{ConfigError, ConnectorConfig, Endpoint};

/// Why a connection could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The endpoint in the environment is malformed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The local service could not be started.
    #[error(transparent)]
    Direct(#[from] DirectError),
    /// The client could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// A client, plus the local service it talks to when in direct access. Dropping the
/// connection releases the service (it stops when the last connection goes).
#[derive(Debug)]
pub struct Connection {
    /// The REST client (declared first: dropped before the service is released).
    pub client: BlockingClient,
    /// The shared local service, for direct access.
    pub service: Option<ServiceHandle>,
}

impl Connection {
    /// Connects as `config` says, falling back to the environment read through `env`
    /// (`std::env::var(k).ok()` in the connector). `plugin_dir` is where `librestvol.so` lives.
    pub fn open(
        config: &ConnectorConfig,
        env: impl Fn(&str) -> Option<String>,
        plugin_dir: Option<PathBuf>,
    ) -> Result<Self, ConnectError> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty());
        let endpoint = match &config.endpoint {
            Some(e) => e.clone(),
            None => match env("HSDS_ENDPOINT").or_else(|| env("HS_ENDPOINT")) {
                Some(text) => Endpoint::parse(&text)?,
                None => Endpoint::Local { dn_count: None },
            },
        };
        match endpoint {
            Endpoint::Local { .. } => {
                let with_endpoint = ConnectorConfig { endpoint: Some(endpoint), ..config.clone() };
                let settings = ServiceSettings::resolve(&with_endpoint, env, plugin_dir)?;
                let service = acquire(&settings)?;
                let client = BlockingClient::new(service.info().client_config()?)?;
                Ok(Connection { client, service: Some(service) })
            }
            Endpoint::Http(url) | Endpoint::HttpUnix(url) => {
                let mut client_config = ClientConfig::new(&url)?;
                client_config.username = config
                    .username
                    .clone()
                    .or_else(|| env("HSDS_USERNAME"))
                    .or_else(|| env("HS_USERNAME"));
                client_config.password = config
                    .password
                    .clone()
                    .or_else(|| env("HSDS_PASSWORD"))
                    .or_else(|| env("HS_PASSWORD"));
                Ok(Connection { client: BlockingClient::new(client_config)?, service: None })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Target;

    #[test]
    fn remote_endpoint_from_environment_with_credentials() {
        let env = |k: &str| match k {
            "HS_ENDPOINT" => Some("http+unix://%2Ftmp%2Fx.sock".to_string()),
            "HSDS_USERNAME" => Some("u".to_string()),
            "HS_PASSWORD" => Some("p".to_string()),
            _ => None,
        };
        let c = Connection::open(&ConnectorConfig::default(), env, None).unwrap();
        assert!(c.service.is_none());
        let cfg = c.client.client().config();
        assert_eq!(cfg.target, Target::Unix { socket: "/tmp/x.sock".into() });
        assert_eq!(cfg.username.as_deref(), Some("u"));
        assert_eq!(cfg.password.as_deref(), Some("p"));
    }

    #[test]
    fn configured_endpoint_wins_and_bad_env_is_reported() {
        let config =
            ConnectorConfig::parse_info_string("endpoint=http://127.0.0.1:1;username=a").unwrap();
        let env = |k: &str| (k == "HSDS_ENDPOINT").then(|| "http://elsewhere:2".to_string());
        let c = Connection::open(&config, env, None).unwrap();
        assert_eq!(
            c.client.client().config().target,
            Target::Tcp { base: "http://127.0.0.1:1".into() }
        );
        let bad = |k: &str| (k == "HSDS_ENDPOINT").then(|| "ftp://x".to_string());
        let err = Connection::open(&ConnectorConfig::default(), bad, None).unwrap_err();
        assert!(matches!(err, ConnectError::Config(_)), "{err}");
    }

    #[test]
    fn direct_access_without_a_binary_names_the_places_tried() {
        let env = |k: &str| match k {
            "HOME" => Some(std::env::temp_dir().join("rv-conn-home").display().to_string()),
            "PATH" => Some("/nonexistent-dir".to_string()),
            _ => None,
        };
        let err = Connection::open(&ConnectorConfig::default(), env, None).unwrap_err();
        assert!(matches!(err, ConnectError::Direct(DirectError::BinaryNotFound { .. })), "{err}");
        assert!(err.to_string().contains("/nonexistent-dir/restvol"), "{err}");
    }
}
