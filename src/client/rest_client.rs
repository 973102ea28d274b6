//! `RestClient`: the async HDF REST client. Sends a [`Request`] over TCP or a Unix socket with
//! HTTP Basic auth and pooled connections, retries 500/502/503/504 and connection errors with
//! exponential backoff, maps failures to [`ClientError`], and runs many requests concurrently.

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::config::{ClientConfig, Target};
use super::error::{is_retryable_status, Call, ClientError};
use super::request::{Body, Method, Request, Response, JSON, OCTET_STREAM};

/// Writes `restvol: GET /path?query -> 200 (1.234 ms)` to stderr; a write error is ignored.
fn trace_line(request: &Request, outcome: &Attempt, elapsed: Duration) {
    use std::io::Write as _;
    let query: Vec<String> =
        request.query_pairs().iter().map(|(key, value)| format!("{key}={value}")).collect();
    let status = match outcome {
        Ok((status, _, _)) => status.to_string(),
        Err(e) => format!("error: {}", chain(e)),
    };
    let _ = writeln!(
        std::io::stderr().lock(),
        "restvol: {} {}?{} -> {} ({:.3} ms)",
        request.method.as_str(),
        request.path,
        query.join("&"),
        status,
        elapsed.as_secs_f64() * 1000.0
    );
}

/// An async client for one endpoint. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
}

/// What one attempt produced: an HTTP answer of any status, or a transport failure.
type Attempt = Result<(u16, Option<String>, Bytes), reqwest::Error>;

impl RestClient {
    /// Builds a client (no connection is opened yet).
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none());
        if let Target::Unix { socket } = &config.target {
            builder = builder.no_proxy().unix_socket(socket.clone());
        }
        let http = builder.build().map_err(|e| {
            ClientError::Invalid(format!("cannot build HTTP client: {}", chain(&e)))
        })?;
        Ok(RestClient { http, config: Arc::new(config) })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends one request, retrying as the policy allows. A 2xx answer is `Ok`; anything else
    /// is the matching [`ClientError`].
    pub async fn send(&self, request: &Request) -> Result<Response, ClientError> {
        let call = request.call();
        let url = self.url(request)?;
        let (body, content_type) = match &request.body {
            Body::None => (None, None),
            Body::Json(value) => {
                let bytes = serde_json::to_vec(value).map_err(|e| {
                    ClientError::Invalid(format!("{call}: cannot encode JSON body: {e}"))
                })?;
                (Some(Bytes::from(bytes)), Some(JSON))
            }
            Body::Binary(bytes) => (Some(bytes.clone()), Some(OCTET_STREAM)),
        };
        let accept = if request.binary_response { OCTET_STREAM } else { JSON };
        let policy = self.config.retry;
        let start = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let outcome = self.attempt(request, &url, body.clone(), content_type, accept).await;
            let retry = match &outcome {
                Ok((status, _, _)) => is_retryable_status(*status),
                Err(e) => is_connection_error(e),
            };
            if retry {
                if let Some(wait) = policy.next_wait(attempts, start.elapsed()) {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if self.config.trace {
                trace_line(request, &outcome, start.elapsed());
            }
            return match outcome {
                Ok((status, content_type, body)) if (200..300).contains(&status) => {
                    Ok(Response { call, status, content_type, body })
                }
                Ok((status, _, body)) => {
                    Err(ClientError::from_status(call, status, &body, attempts))
                }
                Err(e) => Err(self.transport_error(request, call, &e, attempts, start.elapsed())),
            };
        }
    }

    /// Sends every request with at most `max_concurrency` in flight; results come back in the
    /// order of `requests`.
    pub async fn send_all(&self, requests: &[Request]) -> Vec<Result<Response, ClientError>> {
        let limit = self.config.max_concurrency.max(1);
        // Collect the futures first: a lazy `map` closure inside the stream would make the
        // future not `Send` (a higher-ranked lifetime limitation).
        let pending: Vec<_> = requests.iter().map(|r| self.send(r)).collect();
        stream::iter(pending).buffered(limit).collect().await
    }

    /// Sends a request and parses the JSON answer (an empty body gives `null`).
    pub async fn send_json(&self, request: &Request) -> Result<Value, ClientError> {
        self.send(request).await?.json()
    }

    /// Sends a request and returns the raw answer body.
    pub async fn send_bytes(&self, request: &Request) -> Result<Bytes, ClientError> {
        Ok(self.send(request).await?.body)
    }

    /// `GET path` in `domain`, JSON answer.
    pub async fn get_json(&self, path: &str, domain: Option<&str>) -> Result<Value, ClientError> {
        self.send_json(&with_domain(Request::get(path), domain)).await
    }

    /// `PUT path` in `domain` with a JSON body, JSON answer.
    pub async fn put_json(
        &self,
        path: &str,
        domain: Option<&str>,
        body: Value,
    ) -> Result<Value, ClientError> {
        self.send_json(&with_domain(Request::put(path), domain).json(body)).await
    }

    /// `POST path` in `domain` with a JSON body, JSON answer.
    pub async fn post_json(
        &self,
        path: &str,
        domain: Option<&str>,
        body: Value,
    ) -> Result<Value, ClientError> {
        self.send_json(&with_domain(Request::post(path), domain).json(body)).await
    }

    /// `DELETE path` in `domain`, JSON answer.
    pub async fn delete(&self, path: &str, domain: Option<&str>) -> Result<Value, ClientError> {
        self.send_json(&with_domain(Request::delete(path), domain)).await
    }

    /// `GET path` in `domain` with extra query parameters, binary answer.
    pub async fn get_binary(
        &self,
        path: &str,
        domain: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<Bytes, ClientError> {
        let request = with_query(with_domain(Request::get(path), domain), query).accept_binary();
        self.send_bytes(&request).await
    }

    /// `PUT path` in `domain` with extra query parameters and a binary body, JSON answer.
    pub async fn put_binary(
        &self,
        path: &str,
        domain: Option<&str>,
        query: &[(&str, &str)],
        data: Bytes,
    ) -> Result<Value, ClientError> {
        let request = with_query(with_domain(Request::put(path), domain), query).binary(data);
        self.send_json(&request).await
    }

    /// `POST path` in `domain` with a JSON body, binary answer (e.g. point selections).
    pub async fn post_json_for_binary(
        &self,
        path: &str,
        domain: Option<&str>,
        body: Value,
    ) -> Result<Bytes, ClientError> {
        let request = with_domain(Request::post(path), domain).json(body).accept_binary();
        self.send_bytes(&request).await
    }

    fn url(&self, request: &Request) -> Result<reqwest::Url, ClientError> {
        if !request.path.starts_with('/') {
            return Err(ClientError::Invalid(format!(
                "{}: the path must start with '/'",
                request.call()
            )));
        }
        let text = format!("{}{}", self.config.target.base_url(), request.path);
        let mut url = reqwest::Url::parse(&text).map_err(|e| {
            ClientError::Invalid(format!("{}: bad URL '{text}': {e}", request.call()))
        })?;
        let pairs = request.query_pairs();
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(url)
    }

    async fn attempt(
        &self,
        request: &Request,
        url: &reqwest::Url,
        body: Option<Bytes>,
        content_type: Option<&'static str>,
        accept: &'static str,
    ) -> Attempt {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        };
        let mut builder =
            self.http.request(method, url.clone()).header(ACCEPT, HeaderValue::from_static(accept));
        if let Some(timeout) = request.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(user) = &self.config.username {
            builder = builder.basic_auth(user, self.config.password.as_ref());
        }
        if let Some(body) = body {
            if let Some(ct) = content_type {
                builder = builder.header(CONTENT_TYPE, HeaderValue::from_static(ct));
            }
            builder = builder.body(body);
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let content_type =
            response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = response.bytes().await?;
        Ok((status, content_type, body))
    }

    /// Maps a transport failure to an error. With the status mapping in
    /// [`ClientError::from_status`], the only place failures become variants.
    fn transport_error(
        &self,
        request: &Request,
        call: Call,
        e: &reqwest::Error,
        attempts: u32,
        elapsed: Duration,
    ) -> ClientError {
        let message = chain(e);
        if e.is_timeout() {
            let timeout = request.timeout.unwrap_or(self.config.request_timeout);
            ClientError::Timeout { call, timeout, message }
        } else if e.is_builder() {
            ClientError::Invalid(format!("{call}: {message}"))
        } else if e.is_connect() || e.is_request() {
            ClientError::Connect {
                call,
                endpoint: self.config.target.to_string(),
                attempts,
                elapsed,
                message,
            }
        } else {
            ClientError::BadResponse { call, message }
        }
    }
}

/// A failure to reach the server or to keep the connection, worth retrying. Timeouts are not
/// retried: the server may still be working on the request.
fn is_connection_error(e: &reqwest::Error) -> bool {
    !e.is_timeout() && !e.is_builder() && (e.is_connect() || e.is_request() || e.is_body())
}

/// The error and its sources, joined with `: ` (reqwest's own text omits the cause, e.g.
/// "Connection refused").
fn chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn with_domain(request: Request, domain: Option<&str>) -> Request {
    match domain {
        Some(d) => request.domain(d),
        None => request,
    }
}

fn with_query(mut request: Request, query: &[(&str, &str)]) -> Request {
    request.query.extend(query.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encodes_domain_and_params() {
        let client = RestClient::new(ClientConfig::new("http://127.0.0.1:1").unwrap()).unwrap();
        let r = Request::get("/groups/g-1/links").domain("/home/u/a b.h5").param("Limit", "5");
        let url = client.url(&r).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:1/groups/g-1/links?domain=%2Fhome%2Fu%2Fa+b.h5&Limit=5"
        );
        assert!(client.url(&Request::get("groups")).is_err());
        let unix = RestClient::new(ClientConfig::new("/tmp/x.sock").unwrap()).unwrap();
        assert_eq!(unix.url(&Request::get("/about")).unwrap().as_str(), "http://localhost/about");
    }
}
