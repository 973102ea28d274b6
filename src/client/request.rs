//! `Request` and `Response`: one REST call as the caller describes it (method, path, domain,
//! bucket, query parameters, body, whether binary data is wanted) and the answer it gets.

use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{Call, ClientError};

/// `Content-Type` / `Accept` value for binary bodies.
pub const OCTET_STREAM: &str = "application/octet-stream";
/// `Content-Type` / `Accept` value for JSON bodies.
pub const JSON: &str = "application/json";

/// The HTTP methods the HDF REST API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

/// A request body.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A JSON document, sent as `application/json`.
    Json(Value),
    /// Raw bytes, sent as `application/octet-stream`.
    Binary(Bytes),
}

/// One REST call. Build with [`Request::new`] or the per-method shortcuts and the builder
/// methods, e.g. `Request::get("/groups/g-1").domain("/home/u/f.h5").param("Limit", "10")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The path, starting with `/` (e.g. `/datasets/d-…/value`).
    pub path: String,
    /// The domain, sent as the `domain` query parameter.
    pub domain: Option<String>,
    /// The bucket, sent as the `bucket` query parameter.
    pub bucket: Option<String>,
    /// Further query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// Ask for a binary answer (`Accept: application/octet-stream`) instead of JSON.
    pub binary_response: bool,
    /// Time limit of one attempt for this request, instead of the client's.
    pub timeout: Option<Duration>,
}

impl Request {
    /// A request with no domain, parameters or body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            domain: None,
            bucket: None,
            query: Vec::new(),
            body: Body::None,
            binary_response: false,
            timeout: None,
        }
    }

    /// A `GET` request.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// A `PUT` request.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::Put, path)
    }

    /// A `POST` request.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::Post, path)
    }

    /// A `DELETE` request.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Sets the domain (`?domain=`).
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets the bucket (`?bucket=`).
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// Adds a query parameter.
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets a JSON body.
    pub fn json(mut self, value: Value) -> Self {
        self.body = Body::Json(value);
        self
    }

    /// Sets a binary body.
    pub fn binary(mut self, bytes: impl Into<Bytes>) -> Self {
        self.body = Body::Binary(bytes.into());
        self
    }

    /// Asks for a binary answer.
    pub fn accept_binary(mut self) -> Self {
        self.binary_response = true;
        self
    }

    /// Sets this request's time limit per attempt (e.g. longer for a large transfer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The method and path, for error messages.
    pub fn call(&self) -> Call {
        Call { method: self.method.as_str().to_string(), path: self.path.clone() }
    }

    /// All query parameters in the order sent: `domain`, `bucket`, then the rest.
    pub fn query_pairs(&self) -> Vec<(&str, &str)> {
        let mut pairs = Vec::with_capacity(self.query.len() + 2);
        if let Some(d) = &self.domain {
            pairs.push(("domain", d.as_str()));
        }
        if let Some(b) = &self.bucket {
            pairs.push(("bucket", b.as_str()));
        }
        pairs.extend(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        pairs
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The call that produced it.
    pub call: Call,
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// Whether the body is binary (`application/octet-stream`).
    pub fn is_binary(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| t.starts_with(OCTET_STREAM))
    }

    /// Parses the body as JSON into `T`; an empty body parses as `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        let body: &[u8] =
            if self.body.iter().all(u8::is_ascii_whitespace) { b"null" } else { &self.body };
        serde_json::from_slice(body).map_err(|e| ClientError::BadResponse {
            call: self.call.clone(),
            message: format!("invalid JSON ({e}) in a {}-byte body", self.body.len()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builder_and_query_order() {
        let r = Request::get("/groups/g-1")
            .param("Limit", "10")
            .bucket("b")
            .domain("/home/u/f.h5")
            .accept_binary();
        assert_eq!(
            r.query_pairs(),
            vec![("domain", "/home/u/f.h5"), ("bucket", "b"), ("Limit", "10")]
        );
        assert!(r.binary_response);
        assert_eq!(r.call().to_string(), "GET /groups/g-1");
    }

    #[test]
    fn response_json() {
        let call = Request::get("/").call();
        let ok = Response {
            call: call.clone(),
            status: 200,
            content_type: Some("application/json; charset=utf-8".into()),
            body: Bytes::from_static(br#"{"root": "g-1"}"#),
        };
        assert_eq!(ok.json::<Value>().unwrap(), json!({"root": "g-1"}));
        assert!(!ok.is_binary());
        let empty = Response { body: Bytes::new(), ..ok.clone() };
        assert_eq!(empty.json::<Value>().unwrap(), Value::Null);
        let bad = Response { body: Bytes::from_static(b"{"), ..ok };
        assert!(matches!(bad.json::<Value>(), Err(ClientError::BadResponse { .. })));
    }
}
