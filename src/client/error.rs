//! `ClientError`: every way a REST call can fail, and the one place that maps HTTP statuses and
//! transport failures to it.
//!
//! Each error carries the call (`GET /groups/g-…`) and the server's message, so the connector
//! can put a line such as `GET /groups/g-1: 404 not found: 404: Not Found` on the HDF5 error
//! stack. HSDS answers errors with plain text (`404: Not Found`, or a reason); restvol's server
//! answers with JSON `{"message": …}`; [`server_message`] understands both.

use std::fmt;
use std::time::Duration;

/// The longest server message kept in an error, in bytes.
const MAX_MESSAGE_LEN: usize = 500;

/// Which request failed: the HTTP method and the path (without the query string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The HTTP method, e.g. `GET`.
    pub method: String,
    /// The request path, e.g. `/groups/g-…`.
    pub path: String,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// A failed REST call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 400: malformed input, invalid id, selection or type.
    #[error("{call}: 400 bad request: {message}")]
    BadRequest {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 401: missing or wrong credentials.
    #[error("{call}: 401 unauthorized: {message}")]
    Unauthorized {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 403: the domain's ACL or the bucket policy denies the call.
    #[error("{call}: 403 forbidden: {message}")]
    Forbidden {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 404: the object, link, attribute or domain does not exist.
    #[error("{call}: 404 not found: {message}")]
    NotFound {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 409: the domain, link or attribute exists, or the change conflicts with the object.
    #[error("{call}: 409 conflict: {message}")]
    Conflict {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 410: the object was deleted.
    #[error("{call}: 410 gone: {message}")]
    Gone {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 413: the request or the response is larger than the server accepts.
    #[error("{call}: 413 too large: {message}")]
    TooLarge {
        /// The failed call.
        call: Call,
        /// The server's message.
        message: String,
    },
    /// 5xx, after the retries the policy allows.
    #[error("{call}: {status} server error after {attempts} attempt(s): {message}")]
    Server {
        /// The failed call.
        call: Call,
        /// The HTTP status (500–599).
        status: u16,
        /// How many times the request was sent.
        attempts: u32,
        /// The server's message.
        message: String,
    },
    /// Any other unexpected status (e.g. 405, 3xx).
    #[error("{call}: unexpected status {status}: {message}")]
    Status {
        /// The failed call.
        call: Call,
        /// The HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The server could not be reached (refused, reset, no such socket), after retries.
    #[error(
        "{call}: cannot reach {endpoint} after {attempts} attempt(s) in {elapsed:.1?}: {message}"
    )]
    Connect {
        /// The failed call.
        call: Call,
        /// The endpoint tried.
        endpoint: String,
        /// How many times the request was tried.
        attempts: u32,
        /// Time spent including retries.
        elapsed: Duration,
        /// The transport's description.
        message: String,
    },
    /// The request did not complete within the per-request timeout.
    #[error("{call}: timed out after {timeout:.1?}: {message}")]
    Timeout {
        /// The failed call.
        call: Call,
        /// The per-request timeout.
        timeout: Duration,
        /// The transport's description.
        message: String,
    },
    /// The server answered with something the client cannot use (bad JSON, cut-off body).
    #[error("{call}: bad response: {message}")]
    BadResponse {
        /// The failed call.
        call: Call,
        /// What is wrong.
        message: String,
    },
    /// The request could not be built (bad endpoint, path, or header value).
    #[error("invalid request or client setting: {0}")]
    Invalid(String),
}

impl ClientError {
    /// Maps an error status and its body to an error. The one place statuses become variants.
    pub fn from_status(call: Call, status: u16, body: &[u8], attempts: u32) -> Self {
        let message = server_message(status, body);
        match status {
            400 => ClientError::BadRequest { call, message },
            401 => ClientError::Unauthorized { call, message },
            403 => ClientError::Forbidden { call, message },
            404 => ClientError::NotFound { call, message },
            409 => ClientError::Conflict { call, message },
            410 => ClientError::Gone { call, message },
            413 => ClientError::TooLarge { call, message },
            500..=599 => ClientError::Server { call, status, attempts, message },
            _ => ClientError::Status { call, status, message },
        }
    }

    /// The HTTP status behind this error, if the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::BadRequest { .. } => Some(400),
            ClientError::Unauthorized { .. } => Some(401),
            ClientError::Forbidden { .. } => Some(403),
            ClientError::NotFound { .. } => Some(404),
            ClientError::Conflict { .. } => Some(409),
            ClientError::Gone { .. } => Some(410),
            ClientError::TooLarge { .. } => Some(413),
            ClientError::Server { status, .. } | ClientError::Status { status, .. } => {
                Some(*status)
            }
            ClientError::Connect { .. }
            | ClientError::Timeout { .. }
            | ClientError::BadResponse { .. }
            | ClientError::Invalid(_) => None,
        }
    }

    /// The call that failed, when there was one.
    pub fn call(&self) -> Option<&Call> {
        match self {
            ClientError::BadRequest { call, .. }
            | ClientError::Unauthorized { call, .. }
            | ClientError::Forbidden { call, .. }
            | ClientError::NotFound { call, .. }
            | ClientError::Conflict { call, .. }
            | ClientError::Gone { call, .. }
            | ClientError::TooLarge { call, .. }
            | ClientError::Server { call, .. }
            | ClientError::Status { call, .. }
            | ClientError::Connect { call, .. }
            | ClientError::Timeout { call, .. }
            | ClientError::BadResponse { call, .. } => Some(call),
            ClientError::Invalid(_) => None,
        }
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::NotFound { .. })
    }
}

/// Whether a status is worth retrying (the server may answer differently soon).
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// The server's message from an error body: the `message` field of a JSON object, else the
/// trimmed text; the bare reason phrase when the body is empty. Long messages are cut.
pub fn server_message(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let from_json = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string));
    let message = match from_json {
        Some(m) => m,
        None if text.is_empty() => reason_phrase(status).to_string(),
        None => text.to_string(),
    };
    truncate(message)
}

fn truncate(mut message: String) -> String {
    if message.len() > MAX_MESSAGE_LEN {
        let mut end = MAX_MESSAGE_LEN;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "(no message)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call {
        Call { method: "GET".into(), path: "/groups/g-1".into() }
    }

    #[test]
    fn statuses_map_to_variants() {
        type Check = fn(&ClientError) -> bool;
        let cases: [(u16, Check); 8] = [
            (400, |e| matches!(e, ClientError::BadRequest { .. })),
            (401, |e| matches!(e, ClientError::Unauthorized { .. })),
            (403, |e| matches!(e, ClientError::Forbidden { .. })),
            (404, |e| matches!(e, ClientError::NotFound { .. })),
            (409, |e| matches!(e, ClientError::Conflict { .. })),
            (410, |e| matches!(e, ClientError::Gone { .. })),
            (413, |e| matches!(e, ClientError::TooLarge { .. })),
            (503, |e| matches!(e, ClientError::Server { status: 503, .. })),
        ];
        for (status, check) in cases {
            let err = ClientError::from_status(call(), status, b"", 1);
            assert!(check(&err), "{status} -> {err:?}");
            assert_eq!(err.status(), Some(status));
        }
        let err = ClientError::from_status(call(), 405, b"", 1);
        assert!(matches!(err, ClientError::Status { status: 405, .. }));
    }

    #[test]
    fn message_from_text_or_json() {
        assert_eq!(server_message(404, b"404: Not Found"), "404: Not Found");
        assert_eq!(server_message(409, br#"{"message": "link exists"}"#), "link exists");
        assert_eq!(server_message(404, b""), "Not Found");
        assert_eq!(server_message(400, br#"{"other": 1}"#), r#"{"other": 1}"#);
        let long = vec![b'x'; 2000];
        assert!(server_message(500, &long).len() < 520);
    }

    #[test]
    fn display_names_the_call() {
        let err = ClientError::from_status(call(), 404, b"404: Not Found", 1);
        assert_eq!(err.to_string(), "GET /groups/g-1: 404 not found: 404: Not Found");
        assert_eq!(err.call(), Some(&call()));
        assert!(err.is_not_found());
    }

    #[test]
    fn retryable_statuses() {
        for s in [500, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 400, 404, 409, 501, 505] {
            assert!(!is_retryable_status(s));
        }
    }
}
