//! HDF5's own API test suite (`h5_api_test`) against the connector. Each category must run to
//! its end without crashing; the pass counts are printed for the record (and compared with a
//! floor once the connector serves files).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use common::*;

#[test]
fn h5_api_test_runs_without_crashing() {
    let exe = hdf5_root().join("bin/h5_api_test");
    let dir = scratch("api_suite");
    for category in ["file", "group", "dataset", "datatype", "attribute", "link", "object", "misc"]
    {
        let out = run_no_crash(with_connector(&exe, None).arg(category).current_dir(&dir));
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert!(
            stdout.contains("Running API tests with VOL connector 'REST'"),
            "h5_api_test {category} did not start:\n{stdout}\n{stderr}"
        );
        let summary: Vec<&str> = stdout
            .lines()
            .chain(stderr.lines())
            .filter(|l| l.contains("with VOL connector 'REST'") || l.contains("doesn't support"))
            .collect();
        println!("h5_api_test {category}:\n  {}", summary.join("\n  "));
    }
}
