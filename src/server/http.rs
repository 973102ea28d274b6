//! The HTTP/1.1 shell: serves an [`HttpHandler`] (the [`ServiceNode`], or a data node's
//! internal API) with hyper on TCP and/or a Unix socket, converting hyper requests to
//! [`ApiRequest`]s (body capped at the handler's request limit → 413) and [`ApiResponse`]s back.
//! Stops accepting when the shutdown signal fires.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::Frame;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;

use super::api::{ApiRequest, ApiResponse, Method, ResponseBody};
use super::body_stream::BodyStream;
use super::error::ApiError;
use super::router::percent_decode;
use super::service::ServiceNode;

/// Something that answers [`ApiRequest`]s over HTTP.
pub trait HttpHandler: Send + Sync + 'static {
    /// The largest request body accepted (larger ones get 413 before they are read).
    fn max_request_size(&self) -> u64;

    /// Answers one request; failures are error responses.
    fn handle(&self, req: ApiRequest) -> impl Future<Output = ApiResponse> + Send;
}

impl HttpHandler for ServiceNode {
    fn max_request_size(&self) -> u64 {
        self.settings.max_request_size
    }

    fn handle(&self, req: ApiRequest) -> impl Future<Output = ApiResponse> + Send {
        ServiceNode::handle(self, req)
    }
}

/// Decodes a query string (`a=1&b=x%20y`, `+` as space) into a map; the last value wins.
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(&key.replace('+', " ")), percent_decode(&value.replace('+', " ")))
        })
        .collect()
}

async fn to_api_request(req: hyper::Request<Incoming>, limit: u64) -> Result<ApiRequest, ApiError> {
    let method = Method::parse(req.method().as_str())
        .ok_or_else(|| ApiError::new(405, format!("method {} not allowed", req.method())))?;
    let path = req.uri().path().to_string();
    let params = req.uri().query().map(parse_query).unwrap_or_default();
    let mut headers = BTreeMap::new();
    for (name, value) in req.headers() {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_ascii_lowercase(), value.to_string());
        }
    }
    if let Some(length) = headers.get("content-length").and_then(|l| l.parse::<u64>().ok()) {
        if length > limit {
            return Err(ApiError::too_large(format!(
                "request body of {length} bytes exceeds max_request_size {limit}"
            )));
        }
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let body = Limited::new(req.into_body(), limit)
        .collect()
        .await
        .map_err(|err| {
            if err.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
                ApiError::too_large("request body exceeds max_request_size")
            } else {
                ApiError::bad_request(format!("cannot read request body: {err}"))
            }
        })?
        .to_bytes();
    Ok(ApiRequest { method, path, params, headers, body, user: None })
}

/// The body hyper sends: whole, or piece by piece (an error drops the connection).
type HttpBody = BoxBody<Bytes, std::io::Error>;

fn streamed_body(stream: &BodyStream) -> HttpBody {
    let Some(receiver) = stream.take() else {
        return Full::new(Bytes::new()).map_err(|never| match never {}).boxed();
    };
    let pieces = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let piece = receiver.recv().await?;
        let frame = piece.map(Frame::data).map_err(|err| std::io::Error::other(err.message));
        Some((frame, receiver))
    });
    StreamBody::new(pieces).boxed()
}

fn to_hyper_response(response: ApiResponse) -> hyper::Response<HttpBody> {
    let mut builder = hyper::Response::builder().status(response.status);
    let typed = response.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    if let (Some(kind), false) = (response.content_type(), typed) {
        builder = builder.header("Content-Type", kind);
    }
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let body = match &response.body {
        ResponseBody::Stream(stream) => {
            if let Some(length) = stream.length() {
                builder = builder.header("Content-Length", length);
            }
            streamed_body(stream)
        }
        _ => Full::new(response.body_bytes()).map_err(|never| match never {}).boxed(),
    };
    builder.body(body).unwrap_or_else(|_| {
        let fallback = Full::new(Bytes::from_static(b"{\"message\":\"bad response\"}"));
        let mut fallback = hyper::Response::new(fallback.map_err(|never| match never {}).boxed());
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

async fn serve_one<H: HttpHandler>(
    handler: Arc<H>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<HttpBody>, Infallible> {
    let limit = handler.max_request_size();
    let response = match to_api_request(req, limit).await {
        Ok(api) => handler.handle(api).await,
        Err(err) => err.into(),
    };
    Ok(to_hyper_response(response))
}

fn spawn_connection<H, S>(handler: Arc<H>, stream: S, mut shutdown: watch::Receiver<bool>)
where
    H: HttpHandler,
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let service = service_fn(move |req| serve_one(handler.clone(), req));
        let conn =
            http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => {}
            _ = shutdown.changed() => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
    });
}

/// Serves on a bound TCP listener until `shutdown` turns true.
pub async fn serve_tcp<H: HttpHandler>(
    sn: Arc<H>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    let _ = stream.set_nodelay(true);
                    spawn_connection(sn.clone(), stream, shutdown.clone());
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// Serves on a bound Unix listener until `shutdown` turns true.
pub async fn serve_unix<H: HttpHandler>(
    sn: Arc<H>,
    listener: UnixListener,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    spawn_connection(sn.clone(), stream, shutdown.clone());
                }
            }
            _ = shutdown.changed() => break,
        }
    }
}

/// Binds a Unix socket at `path`, removing a stale socket file first.
///
/// # Errors
/// I/O errors from removing or binding.
pub fn bind_unix(path: &Path) -> std::io::Result<UnixListener> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    UnixListener::bind(path)
}

/// The `http+unix://` URL of a socket path (path percent-encoded).
pub fn unix_url(path: &Path) -> String {
    let text = path.display().to_string();
    let mut out = String::from("http+unix://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode() {
        let q = parse_query("domain=%2Fhome%2Fu%2Ff.h5&select=[0:2]&flag&x=a+b");
        assert_eq!(q["domain"], "/home/u/f.h5");
        assert_eq!(q["select"], "[0:2]");
        assert_eq!(q["flag"], "");
        assert_eq!(q["x"], "a b");
    }

    #[test]
    fn unix_urls_are_encoded() {
        assert_eq!(unix_url(Path::new("/tmp/hs/sn_1.sock")), "http+unix://%2Ftmp%2Fhs%2Fsn_1.sock");
    }
}
