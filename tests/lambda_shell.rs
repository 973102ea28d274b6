//! `restvol lambda`, the function shell: Lambda-style events on stdin, answers on stdout, an
//! in-process service over a real store that outlives the invocation (a second invocation reads
//! what the first wrote), and HSDS's answers to events it cannot read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use serde_json::{json, Value};

fn invoke(root: &std::path::Path, events: &[Value]) -> Vec<Value> {
    let mut child = Command::new(build_dir().join("restvol"))
        .args(["lambda", "--bucket_name", "fn", "--hs_username", "fn", "--hs_password", "lambda"])
        .arg("--auto_folders")
        .arg("--root_dir")
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        for event in events {
            writeln!(stdin, "{event}").unwrap();
        }
        writeln!(stdin, "{{not json").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let answers: Vec<Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), events.len() + 1, "{answers:?}");
    assert_eq!(answers.last().unwrap()["status_code"], 400);
    answers[..events.len()].to_vec()
}

#[test]
fn events_create_write_and_read_a_dataset_across_invocations() {
    let root = scratch("lambda_shell");
    let domain = json!({"domain": "/fn/data.h5"});
    let first = invoke(
        &root,
        &[
            json!({"method": "PUT", "path": "/", "params": domain, "body": null}),
            json!({"method": "GET", "path": "/", "params": domain}),
        ],
    );
    assert_eq!(first[0]["statusCode"], 201, "{first:?}");
    let info: Value = first[1]["body"].clone();
    let root_id = info["root"].as_str().expect("a root group id").to_string();
    let create = json!({"type": "H5T_STD_I32LE", "shape": [4], "value": [1, 2, 3, 4],
                        "link": {"id": root_id, "name": "x"}});
    let second = invoke(
        &root,
        &[json!({"method": "POST", "path": "/datasets", "params": domain, "body": create})],
    );
    assert_eq!(second[0]["statusCode"], 201, "{second:?}");
    let id = second[0]["body"]["id"].as_str().unwrap().to_string();
    // A later invocation (a new process) sees the values: the first one flushed them.
    let third = invoke(
        &root,
        &[
            json!({"method": "GET", "path": format!("/datasets/{id}/value"), "params": domain}),
            json!({"method": "GET", "path": format!("/datasets/{id}/value"),
                   "params": {"domain": "/fn/data.h5", "select": "[1:3]"},
                   "headers": {"accept": "application/octet-stream"}}),
            json!({"method": "GET", "path": "/datasets/d-nope", "params": domain}),
        ],
    );
    assert_eq!(third[0]["statusCode"], 200);
    assert_eq!(third[0]["body"]["value"], json!([1, 2, 3, 4]));
    // Binary answers are hex, as HSDS's function sends them.
    assert_eq!(third[1]["isBase64Encoded"], true);
    assert_eq!(third[1]["body"], "0200000003000000");
    assert!(third[2]["statusCode"].as_u64().unwrap() >= 400);
}
