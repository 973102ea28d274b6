//! Transport-neutral request and response types: [`ApiRequest`] and [`ApiResponse`]. They do not
//! depend on hyper, so the same handlers serve HTTP, Unix sockets and Lambda-style events.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::Value;

use super::body_stream::BodyStream;
use super::error::ApiError;

/// The MIME type of binary bodies.
pub const OCTET_STREAM: &str = "application/octet-stream";
/// The MIME type of JSON bodies.
pub const JSON_TYPE: &str = "application/json";

/// HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET (also used for HEAD).
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS (CORS preflight).
    Options,
}

impl Method {
    /// Parses a method name (case-insensitive); `None` for methods the API does not serve.
    pub fn parse(name: &str) -> Option<Method> {
        match name.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" => Some(Method::Get),
            "PUT" => Some(Method::Put),
            "POST" => Some(Method::Post),
            "DELETE" => Some(Method::Delete),
            "OPTIONS" => Some(Method::Options),
            _ => None,
        }
    }
}

/// One API request, independent of how it arrived.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// The method.
    pub method: Method,
    /// The path, percent-decoded, without the query string (e.g. `/groups/g-…/links/a`).
    pub path: String,
    /// Query parameters, percent-decoded; the last occurrence wins.
    pub params: BTreeMap<String, String>,
    /// Headers with lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The body bytes.
    pub body: Bytes,
    /// The authenticated user name, filled in by the service after checking credentials.
    pub user: Option<String>,
}

impl ApiRequest {
    /// A request with no params, headers or body.
    pub fn new(method: Method, path: &str) -> ApiRequest {
        ApiRequest {
            method,
            path: path.to_string(),
            params: BTreeMap::new(),
            headers: BTreeMap::new(),
            body: Bytes::new(),
            user: None,
        }
    }

    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// A boolean parameter as HSDS reads them: absent, empty, `0` or `false` are false.
    pub fn flag(&self, name: &str) -> bool {
        match self.param(name) {
            None => false,
            Some(value) => !matches!(value, "0" | "" | "false" | "False"),
        }
    }

    /// Whether the client asked for a binary response (`Accept: application/octet-stream`).
    pub fn wants_binary(&self) -> bool {
        self.header("accept").is_some_and(|accept| accept.contains(OCTET_STREAM))
    }

    /// Whether the body is binary (`Content-Type: application/octet-stream`).
    ///
    /// # Errors
    /// 400 for a content type that is neither JSON nor binary.
    pub fn body_is_binary(&self) -> Result<bool, ApiError> {
        match self.header("content-type") {
            None => Ok(false),
            Some(kind) if kind.starts_with(OCTET_STREAM) => Ok(true),
            Some(kind)
                if kind.starts_with(JSON_TYPE)
                    || kind.starts_with("text/")
                    || kind.starts_with("application/x-www-form-urlencoded") =>
            {
                Ok(false)
            }
            Some(kind) => Err(ApiError::bad_request(format!("unknown content type: {kind}"))),
        }
    }

    /// The body parsed as JSON; an empty body reads as `null`.
    ///
    /// # Errors
    /// 400 for a body that is not valid JSON.
    pub fn json(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(value),
            Err(err) => quote_non_finite(&self.body)
                .and_then(|fixed| serde_json::from_slice(&fixed).ok())
                .ok_or_else(|| ApiError::bad_request(format!("body is not valid JSON: {err}"))),
        }
    }

    /// The body as a JSON object; an empty body reads as `{}`.
    ///
    /// # Errors
    /// 400 for invalid JSON or a body that is not an object.
    pub fn json_object(&self) -> Result<serde_json::Map<String, Value>, ApiError> {
        match self.json()? {
            Value::Null => Ok(serde_json::Map::new()),
            Value::Object(map) => Ok(map),
            other => Err(ApiError::bad_request(format!("body must be a JSON object, got {other}"))),
        }
    }
}

/// Python's `json` writes non-finite floats as bare `NaN`, `Infinity` and `-Infinity` (h5pyd
/// sends them, HSDS accepts them). Rewrites those tokens outside strings as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"`; `None` when there is nothing to rewrite.
pub fn quote_non_finite(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + 16);
    let mut in_string = false;
    let mut escaped = false;
    let mut changed = false;
    let mut i = 0;
    while i < body.len() {
        let byte = body[i];
        if in_string {
            out.push(byte);
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if byte == b'"' {
            in_string = true;
            out.push(byte);
            i += 1;
            continue;
        }
        let rest = &body[i..];
        let token =
            [&b"-Infinity"[..], b"Infinity", b"NaN"].into_iter().find(|t| rest.starts_with(t));
        match token {
            Some(token) => {
                out.push(b'"');
                out.extend_from_slice(token);
                out.push(b'"');
                i += token.len();
                changed = true;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// The body of a response.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// A JSON document.
    Json(Value),
    /// Raw bytes (`application/octet-stream`).
    Binary(Bytes),
    /// Raw bytes sent as they are produced (`application/octet-stream`).
    Stream(BodyStream),
}

/// One API response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// HTTP status code.
    pub status: u16,
    /// The body.
    pub body: ResponseBody,
    /// Extra headers (name, value); `Content-Type` is derived from the body.
    pub headers: Vec<(String, String)>,
}

impl ApiResponse {
    /// A JSON response with `status`.
    pub fn json(status: u16, value: Value) -> ApiResponse {
        ApiResponse { status, body: ResponseBody::Json(value), headers: Vec::new() }
    }

    /// A 200 JSON response.
    pub fn ok(value: Value) -> ApiResponse {
        ApiResponse::json(200, value)
    }

    /// A 201 JSON response.
    pub fn created(value: Value) -> ApiResponse {
        ApiResponse::json(201, value)
    }

    /// A binary 200 response.
    pub fn binary(bytes: Bytes) -> ApiResponse {
        ApiResponse { status: 200, body: ResponseBody::Binary(bytes), headers: Vec::new() }
    }

    /// A binary 200 response sent piece by piece.
    pub fn streamed(stream: BodyStream) -> ApiResponse {
        ApiResponse { status: 200, body: ResponseBody::Stream(stream), headers: Vec::new() }
    }

    /// The same response with a streamed body gathered into a binary one (for callers that
    /// need the whole body, such as the Lambda shell); a failed stream becomes its error.
    pub async fn collected(self) -> ApiResponse {
        match &self.body {
            ResponseBody::Stream(stream) => match stream.collect().await {
                Ok(bytes) => ApiResponse { body: ResponseBody::Binary(bytes), ..self },
                Err(err) => err.into(),
            },
            _ => self,
        }
    }

    /// A response without a body.
    pub fn empty(status: u16) -> ApiResponse {
        ApiResponse { status, body: ResponseBody::Empty, headers: Vec::new() }
    }

    /// The `Content-Type` of the body, if any.
    pub fn content_type(&self) -> Option<&'static str> {
        match self.body {
            ResponseBody::Empty => None,
            ResponseBody::Json(_) => Some(JSON_TYPE),
            ResponseBody::Binary(_) | ResponseBody::Stream(_) => Some(OCTET_STREAM),
        }
    }

    /// The body as bytes (JSON serialized; empty for a streamed body — see
    /// [`Self::collected`]).
    pub fn body_bytes(&self) -> Bytes {
        match &self.body {
            ResponseBody::Empty | ResponseBody::Stream(_) => Bytes::new(),
            ResponseBody::Json(value) => Bytes::from(value.to_string()),
            ResponseBody::Binary(bytes) => bytes.clone(),
        }
    }
}

impl From<ApiError> for ApiResponse {
    fn from(error: ApiError) -> ApiResponse {
        ApiResponse::json(error.status, error.to_json_body())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn flags_follow_hsds() {
        let mut req = ApiRequest::new(Method::Get, "/");
        assert!(!req.flag("verbose"));
        req.params.insert("verbose".into(), "0".into());
        assert!(!req.flag("verbose"));
        req.params.insert("verbose".into(), "1".into());
        assert!(req.flag("verbose"));
        req.params.insert("verbose".into(), "true".into());
        assert!(req.flag("verbose"));
    }

    #[test]
    fn content_negotiation() {
        let mut req = ApiRequest::new(Method::Put, "/");
        assert!(!req.body_is_binary().unwrap());
        req.headers.insert("content-type".into(), OCTET_STREAM.into());
        assert!(req.body_is_binary().unwrap());
        req.headers.insert("content-type".into(), "image/png".into());
        assert_eq!(req.body_is_binary().unwrap_err().status, 400);
        req.headers.insert("accept".into(), OCTET_STREAM.into());
        assert!(req.wants_binary());
    }

    #[test]
    fn json_bodies() {
        let mut req = ApiRequest::new(Method::Post, "/");
        assert!(req.json_object().unwrap().is_empty());
        req.body = Bytes::from_static(b"{bad");
        assert_eq!(req.json().unwrap_err().status, 400);
        req.body = Bytes::from_static(b"[1]");
        assert_eq!(req.json_object().unwrap_err().status, 400);
    }

    #[test]
    fn non_finite_numbers_are_read() {
        let mut req = ApiRequest::new(Method::Put, "/");
        req.body = Bytes::from_static(br#"{"value": [NaN, -Infinity, "NaN \" Infinity"]}"#);
        assert_eq!(
            req.json().unwrap(),
            serde_json::json!({"value": ["NaN", "-Infinity", "NaN \" Infinity"]})
        );
        assert_eq!(quote_non_finite(b"[1, 2]"), None);
    }

    #[test]
    fn errors_become_json_responses() {
        let response = ApiResponse::from(ApiError::not_found("no such group"));
        assert_eq!(response.status, 404);
        assert_eq!(response.body_bytes(), Bytes::from(r#"{"message":"no such group"}"#));
    }
}
