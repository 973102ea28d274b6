//! `ClientConfig` and `Target`: where the client sends requests (TCP URL or Unix socket), the
//! credentials, timeouts, retry policy and concurrency bound.

use std::path::PathBuf;
use std::time::Duration;

use super::error::ClientError;
use super::retry::RetryPolicy;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A TCP server; `base` is `http(s)://host:port` without a trailing `/`.
    Tcp {
        /// Scheme, host and port.
        base: String,
    },
    /// A server on a Unix socket.
    Unix {
        /// The socket file.
        socket: PathBuf,
    },
}

impl Target {
    /// Parses `http://host:port`, `https://…`, `http+unix://%2Fpath%2Fsn_1.sock` (URL-encoded,
    /// as h5pyd writes it), `http+unix:///path/sn_1.sock`, or a plain absolute socket path.
    pub fn parse(endpoint: &str) -> Result<Self, ClientError> {
        let endpoint = endpoint.trim();
        if let Some(rest) = endpoint.strip_prefix("http+unix://") {
            let encoded = if rest.starts_with('/') {
                rest.trim_end_matches('/')
            } else {
                rest.split('/').next().unwrap_or_default()
            };
            let socket = percent_decode(encoded).ok_or_else(|| {
                ClientError::Invalid(format!("bad URL encoding in endpoint '{endpoint}'"))
            })?;
            if socket.is_empty() {
                return Err(ClientError::Invalid(format!("no socket path in '{endpoint}'")));
            }
            return Ok(Target::Unix { socket: PathBuf::from(socket) });
        }
        if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
            return Ok(Target::Tcp { base: endpoint.trim_end_matches('/').to_string() });
        }
        if endpoint.starts_with('/') {
            return Ok(Target::Unix { socket: PathBuf::from(endpoint) });
        }
        Err(ClientError::Invalid(format!(
            "endpoint '{endpoint}' is not http://, https://, http+unix:// or a socket path"
        )))
    }

    /// The URL prefix requests are built on (`http://localhost` for Unix sockets).
    pub fn base_url(&self) -> &str {
        match self {
            Target::Tcp { base } => base,
            Target::Unix { .. } => "http://localhost",
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Tcp { base } => f.write_str(base),
            Target::Unix { socket } => write!(f, "unix socket {}", socket.display()),
        }
    }
}

/// Decodes `%XX` escapes; `None` on a malformed escape or non-UTF-8 result.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Everything the client needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Where requests go.
    pub target: Target,
    /// User name for HTTP Basic auth (`None`: no `Authorization` header).
    pub username: Option<String>,
    /// Password for HTTP Basic auth.
    pub password: Option<String>,
    /// Time limit of one attempt, from connecting to the end of the body.
    pub request_timeout: Duration,
    /// Time limit for opening a connection.
    pub connect_timeout: Duration,
    /// Retries on 500/502/503/504 and connection errors.
    pub retry: RetryPolicy,
    /// How many requests [`super::RestClient::send_all`] keeps in flight.
    pub max_concurrency: usize,
    /// Write one line per request (method, path, query, status, time) to stderr.
    pub trace: bool,
}

impl ClientConfig {
    /// Defaults for `endpoint`: no credentials, 120 s per request, 5 s to connect, the default
    /// retry policy, 8 concurrent requests.
    pub fn new(endpoint: &str) -> Result<Self, ClientError> {
        Ok(ClientConfig {
            target: Target::parse(endpoint)?,
            username: None,
            password: None,
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            max_concurrency: 8,
            trace: false,
        })
    }

    /// Sets HTTP Basic credentials.
    pub fn with_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        assert_eq!(
            Target::parse("http://127.0.0.1:5101/").unwrap(),
            Target::Tcp { base: "http://127.0.0.1:5101".into() }
        );
        let unix = Target::Unix { socket: PathBuf::from("/tmp/hs/sn_1.sock") };
        assert_eq!(Target::parse("http+unix://%2Ftmp%2Fhs%2Fsn_1.sock").unwrap(), unix);
        assert_eq!(Target::parse("http+unix://%2ftmp%2fhs%2fsn_1.sock/about").unwrap(), unix);
        assert_eq!(Target::parse("http+unix:///tmp/hs/sn_1.sock").unwrap(), unix);
        assert_eq!(Target::parse("/tmp/hs/sn_1.sock").unwrap(), unix);
        assert_eq!(unix.base_url(), "http://localhost");
        for bad in ["ftp://x", "http+unix://%2", "http+unix://", "relative.sock"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
