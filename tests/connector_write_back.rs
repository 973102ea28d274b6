//! Write-back of small writes to a dataset value the connector holds (`tests/c/write_back.c`):
//! reads see every write at once, and nothing a program or another process can observe
//! changes: only the chunks written are stored, `H5Dset_extent`, `H5Ocopy`, `H5Drefresh` and a
//! reopen see the writes before them, and after `H5Fflush` another process reads them while
//! the writer keeps the file open. The writes cost a request per changed chunk, not one each.
//! In direct access, through `restvol serve`, and against HSDS 1.0.2.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use common::*;

/// The chunk objects stored for the dataset whose JSON mentions `marker`, per dataset found.
fn chunk_objects(store: &Path, marker: &str) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut dirs = vec![store.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        let json = dir.join(".dataset.json");
        if std::fs::read_to_string(&json).is_ok_and(|text| text.contains(marker)) {
            counts.push(entries.iter().filter(|p| p.is_file() && *p != &json).count());
        }
        dirs.extend(entries.into_iter().filter(|p| p.is_dir()));
    }
    counts
}

#[test]
fn small_writes_are_written_back_in_direct_access() {
    let (dir, exe) = compiled_check("write_back", "connector_write_back_direct");
    let store = dir.join("store");
    let mut child = with_direct_access(&exe, &store)
        .args(["/writeback", "pause"])
        .env("RESTVOL_TRACE_REQUESTS", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start write_back");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 && !line.starts_with("FLUSHED") {
        printed.push_str(&line);
        line.clear();
    }
    assert!(line.starts_with("FLUSHED"), "the program stopped before its flush:\n{printed}");

    // Another process, while the writer keeps the file open: the flushed writes are there.
    let h5dump = hdf5_root().join("bin/h5dump");
    let dump = run_no_crash(
        with_direct_access(&h5dump, &store)
            .args(["-d", "/shared", "-s", "0,0", "-c", "5,5"])
            .arg("/writeback/write_back.h5"),
    );
    let dumped = text(&dump.stdout);
    for value in 1000..1005 {
        assert!(dumped.contains(&format!("{value}")), "h5dump lacks {value}:\n{dumped}");
    }

    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let mut trace = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut trace).unwrap();
    let status = child.wait().unwrap();
    printed.push_str(&rest);
    assert!(status.success() && printed.contains("OK: 0 failure(s)"), "{printed}\n{trace}");

    // 600 element writes (plus a few whole ones and the other checks'): a request per changed
    // chunk when a dataset is closed, not one per write.
    let value_writes =
        trace.lines().filter(|l| l.contains("PUT /datasets/") && l.contains("/value?")).count();
    assert!(value_writes < 60, "{value_writes} value writes:\n{trace}");
    // The sparse dataset (1024×1024 in 512×512 chunks): three chunks written, one not.
    assert_eq!(chunk_objects(&store, "1024"), vec![3]);
}

#[test]
fn small_writes_are_written_back_through_restvol_serve() {
    h5pyd::c_checks_pass_through_restvol_serve("write_back", "connector_write_back_serve", "");
}

#[test]
fn small_writes_are_written_back_against_hsds_1_0_2() {
    let (_dir, exe) = compiled_check("write_back", "connector_write_back_hsds");
    let hsds = hsds::start_hsds(false).expect("HSDS from the project's venv");
    let out = run_no_crash(hsds.connector_command(&exe, "/writeback").arg("/writeback"));
    assert_c_checks_pass(&out);
}
