//! Lambda-style events ↔ [`ApiRequest`]/[`ApiResponse`] (reference §3.4), so the same handlers
//! serve a function invocation. Accepts the simple form `{method, path, params, headers, body}`
//! and API Gateway 2.0 (`requestContext.http.method/path`, `queryStringParameters`); answers
//! `{"isBase64Encoded", "statusCode", "headers": "<JSON text>", "body"}` as HSDS's function does
//! (binary bodies as hex with `isBase64Encoded: true`; non-2xx bodies `{"statusCode": N}`).

use std::collections::BTreeMap;

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::api::{ApiRequest, ApiResponse, Method, ResponseBody};
use super::error::{ApiError, ApiResult};

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    let Some(Value::Object(map)) = value else { return BTreeMap::new() };
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// Reads an event into a request.
///
/// # Errors
/// 400 for a missing method or path, a body on GET/DELETE, or bad base64.
pub fn request_from_event(event: &Value) -> ApiResult<ApiRequest> {
    let http = event.get("requestContext").and_then(|c| c.get("http"));
    let field = |name: &str| {
        event.get(name).or_else(|| http.and_then(|h| h.get(name))).and_then(Value::as_str)
    };
    let method = field("method")
        .and_then(Method::parse)
        .ok_or_else(|| ApiError::bad_request("event needs a known 'method'"))?;
    let path = field("path").ok_or_else(|| ApiError::bad_request("event needs a 'path'"))?;
    let mut req = ApiRequest::new(method, path);
    req.params = string_map(event.get("params").or_else(|| event.get("queryStringParameters")));
    req.headers = string_map(event.get("headers"))
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let body = match event.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(text))
            if event.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) =>
        {
            Bytes::from(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| ApiError::bad_request("event body is not valid base64"))?,
            )
        }
        Some(Value::String(text)) => Bytes::from(text.clone()),
        Some(other) => Bytes::from(other.to_string()),
    };
    if !body.is_empty() && !matches!(method, Method::Put | Method::Post) {
        return Err(ApiError::bad_request("a body is only allowed with PUT and POST"));
    }
    req.body = body;
    Ok(req)
}

/// Writes a response as the function's result (gather a streamed body first with
/// [`ApiResponse::collected`]).
pub fn response_to_event(response: &ApiResponse) -> Value {
    let mut headers = Map::new();
    if let Some(kind) = response.content_type() {
        headers.insert("Content-Type".into(), json!(kind));
    }
    for (name, value) in &response.headers {
        headers.insert(name.clone(), json!(value));
    }
    let ok = (200..300).contains(&response.status);
    // JSON written as text (value responses, so NaN survives) is JSON to the caller too.
    let json_text = response
        .headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("content-type") && value.contains("json"));
    let (binary, body) = match (&response.body, ok) {
        (_, false) => (false, json!(json!({"statusCode": response.status}).to_string())),
        (ResponseBody::Binary(bytes), true) if json_text => {
            let text = String::from_utf8_lossy(bytes);
            (false, serde_json::from_str(&text).unwrap_or_else(|_| Value::from(text.as_ref())))
        }
        (ResponseBody::Binary(bytes), true) => {
            (true, json!(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
        }
        (ResponseBody::Json(value), true) => (false, value.clone()),
        (ResponseBody::Empty, true) => (false, json!({})),
        (ResponseBody::Stream(_), true) => {
            (false, json!({"message": "streamed body not gathered (ApiResponse::collected)"}))
        }
    };
    json!({
        "isBase64Encoded": binary,
        "statusCode": response.status,
        "headers": Value::Object(headers).to_string(),
        "body": body,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn simple_and_gateway_events() {
        let event = json!({"method": "PUT", "path": "/groups", "params": {"domain": "/a/b", "Limit": 5},
                           "headers": {"Accept": "application/json"}, "body": {"link": {}}});
        let req = request_from_event(&event).unwrap();
        assert_eq!(req.method, Method::Put);
        assert_eq!(req.param("Limit"), Some("5"));
        assert_eq!(req.header("accept"), Some("application/json"));
        assert_eq!(req.json().unwrap(), json!({"link": {}}));
        let gateway = json!({"requestContext": {"http": {"method": "GET", "path": "/about"}},
                             "queryStringParameters": {"domain": "/x/y"}});
        let req = request_from_event(&gateway).unwrap();
        assert_eq!(
            (req.method, req.path.as_str(), req.param("domain")),
            (Method::Get, "/about", Some("/x/y"))
        );
        assert_eq!(request_from_event(&json!({"path": "/"})).unwrap_err().status, 400);
        let get_with_body = json!({"method": "GET", "path": "/", "body": "x"});
        assert_eq!(request_from_event(&get_with_body).unwrap_err().status, 400);
    }

    #[test]
    fn responses() {
        let ok = response_to_event(&ApiResponse::ok(json!({"a": 1})));
        assert_eq!(ok["body"], json!({"a": 1}));
        assert_eq!(ok["statusCode"], 200);
        let bin = response_to_event(&ApiResponse::binary(Bytes::from_static(&[1, 255])));
        assert_eq!(
            (bin["body"].as_str(), bin["isBase64Encoded"].as_bool()),
            (Some("01ff"), Some(true))
        );
        let err = response_to_event(&ApiError::not_found("x").into());
        assert_eq!(err["body"], json!("{\"statusCode\":404}"));
    }
}
