//! `restvol lambda`: the function shell. Each invocation is a Lambda-style event (reference
//! §3.4: `{method, path, params, headers, body}` or API Gateway 2.0) read from standard input,
//! one JSON object per line; each answer is printed as one line of JSON
//! (`{isBase64Encoded, statusCode, headers, body}`, as HSDS's function answers). The service
//! runs in process (no sockets), on the storage the flags and environment configure, and is
//! flushed before the command exits, so every acknowledged write is durable.
//!
//! Events without an `Authorization` header run as the function's own user (`--hs_username`,
//! `--hs_password`), as HSDS's function does with its name and `lambda`.

use std::io::BufRead;

use base64::Engine as _;
use serde_json::{json, Value};

use super::config::Config;
use super::event::{request_from_event, response_to_event};
use super::serve::{build_service, ServeError};

/// The answer HSDS's function gives to an event it cannot read.
fn invalid_event(message: &str) -> Value {
    json!({ "status_code": 400, "error": message })
}

/// Runs the shell with the arguments after `lambda`, events from `input`, answers to `output`.
///
/// # Errors
/// Configuration and storage errors (bad events are answered, not errors).
pub async fn run(
    args: &[String],
    input: impl BufRead,
    mut output: impl std::io::Write,
) -> Result<(), ServeError> {
    let config = Config::load(args)?;
    let sn = build_service(&config)?;
    let user = config.get("hs_username");
    let password = config.string("hs_password", "lambda");
    let identity = user.map(|user| {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {token}")
    });
    for line in input.lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<Value>(&line) {
            Err(err) => invalid_event(&format!("event is not JSON: {err}")),
            Ok(event) => match request_from_event(&event) {
                Err(err) => invalid_event(&err.message),
                Ok(mut request) => {
                    if let Some(identity) = &identity {
                        request.headers.entry("authorization".into()).or_insert(identity.clone());
                    }
                    response_to_event(&sn.handle(request).await.collected().await)
                }
            },
        };
        if writeln!(output, "{answer}").and_then(|()| output.flush()).is_err() {
            break;
        }
    }
    if let Err(err) = sn.dn.flush().await {
        eprintln!("restvol lambda: flush failed: {err}");
    }
    Ok(())
}

/// Entry point for the binary: events from stdin, answers to stdout; returns the exit code.
pub fn main_lambda(args: &[String]) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("restvol lambda: cannot start the runtime: {err}");
            return 1;
        }
    };
    let stdin = std::io::stdin();
    match runtime.block_on(run(args, stdin.lock(), std::io::stdout())) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("restvol lambda: {err}");
            2
        }
    }
}
