//! Tool parity on a corpus (issue 6 §1): `tests/c/corpus.c` writes each case twice, natively to
//! a `.h5` file and through restvol (direct access) to a domain, and HDF5's own tools must see
//! the same file:
//!
//! - `h5dump` of the domain (`--vol-name=REST`) equals `h5dump` of the native file. Normalised:
//!   the file name, on the `HDF5 "…" {` line and where h5dump prints it in front of the path of
//!   a referenced object (`DATASET "file.h5/targets/grid"`), since the two files have different
//!   names by construction.
//! - `h5ls -r -v` of both. Normalised: the `Opened "…" with … driver.` line (file name; restvol
//!   uses no virtual file driver), `Location:` values and the token in `shared-…` (native file
//!   addresses versus HSDS object ids), `Modified:` lines (wall-clock times; native files made
//!   with the default properties print none), `Storage:` lines (allocated bytes are a property
//!   of the native file format's chunk allocation and compression, which an HSDS store does
//!   not have). Compound member offsets and sizes match: restvol keeps the application's
//!   memory layout of every compound.
//! - `h5diff` between the native file (`--vol-name-1=native`) and the domain
//!   (`--vol-name-2=REST`) exits 0 and prints what `h5diff` prints between the native file and
//!   a byte copy of it (h5diff reports empty datasets as "not comparable" even then).
//!
//! Cases that still differ are listed in [`KNOWN_DIFFERENCES`]; the test asserts they still
//! differ, so the list stays honest.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail by panicking

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// (case, tool) pairs that are known to differ, each with the reason.
const KNOWN_DIFFERENCES: &[(&str, Tool, &str)] = &[];

/// The tools compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tool {
    Dump,
    Ls,
    Diff,
}

const STORE_DIR: &str = "/corpus";

struct Corpus {
    dir: PathBuf,
    exe: PathBuf,
    store: PathBuf,
}

impl Corpus {
    fn new() -> Corpus {
        let dir = scratch("tool_parity");
        let exe = dir.join("corpus");
        compile_c(&repo().join("tests/c/corpus.c"), &exe, &["-Wall", "-Werror"]);
        let store = dir.join("store");
        Corpus { dir, exe, store }
    }

    fn cases(&self) -> Vec<String> {
        let out = run_no_crash(Command::new(&self.exe).arg("--list"));
        text(&out.stdout).lines().map(str::to_string).collect()
    }

    /// A command for an HDF5 tool or the corpus program with the connector's settings.
    fn restvol(&self, program: &Path) -> Command {
        let mut cmd = with_direct_access(program, &self.store);
        cmd.current_dir(&self.dir);
        cmd
    }

    fn native(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.dir).env_remove("HDF5_VOL_CONNECTOR");
        cmd
    }

    /// Writes `case` natively (`<case>.h5` in the scratch directory) and through restvol
    /// (`/corpus/<case>.h5`); returns (native file name, domain).
    fn write(&self, case: &str) -> (String, String) {
        let file = format!("{case}.h5");
        let domain = format!("{STORE_DIR}/{case}.h5");
        for (mut cmd, target) in
            [(self.native(&self.exe), &file), (self.restvol(&self.exe), &domain)]
        {
            let out = run_no_crash(cmd.args([case, target.as_str()]));
            assert!(
                out.status.success(),
                "corpus {case} {target} failed:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            );
        }
        (file, domain)
    }

    fn tool(&self, name: &str) -> PathBuf {
        hdf5_root().join("bin").join(name)
    }

    /// The native and restvol outputs of `tool`, normalised.
    fn outputs(&self, tool: Tool, file: &str, domain: &str) -> (String, String) {
        match tool {
            Tool::Dump => {
                let native = run_no_crash(self.native(&self.tool("h5dump")).arg(file));
                let rest = run_no_crash(
                    self.restvol(&self.tool("h5dump")).arg("--vol-name=REST").arg(domain),
                );
                (normalise_dump(&output(&native), file), normalise_dump(&output(&rest), domain))
            }
            Tool::Ls => {
                let native = run_no_crash(self.native(&self.tool("h5ls")).args(["-r", "-v", file]));
                let rest = run_no_crash(self.restvol(&self.tool("h5ls")).args([
                    "-r",
                    "-v",
                    "--vol-name=REST",
                    domain,
                ]));
                (normalise_ls(&output(&native)), normalise_ls(&output(&rest)))
            }
            Tool::Diff => {
                let copy = format!("{file}.copy.h5");
                std::fs::copy(self.dir.join(file), self.dir.join(&copy)).unwrap();
                let native = run_no_crash(self.native(&self.tool("h5diff")).args([file, &copy]));
                let rest = run_no_crash(self.restvol(&self.tool("h5diff")).args([
                    "--vol-name-1=native",
                    "--vol-name-2=REST",
                    file,
                    domain,
                ]));
                let status = |out: &std::process::Output| format!("exit {:?}\n", out.status.code());
                (status(&native) + &output(&native), status(&rest) + &output(&rest))
            }
        }
    }
}

/// stdout, then stderr if there is any.
fn output(out: &std::process::Output) -> String {
    let mut all = text(&out.stdout);
    if !out.stderr.is_empty() {
        all.push_str("--- stderr\n");
        all.push_str(&text(&out.stderr));
    }
    all
}

fn normalise_dump(dump: &str, name: &str) -> String {
    dump.replace(&format!("HDF5 \"{name}\" {{"), "HDF5 \"FILE\" {")
        .replace(&format!("\"{name}/"), "\"FILE/")
}

fn normalise_ls(listing: &str) -> String {
    let mut out = String::new();
    for line in listing.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("Opened \"") || trimmed.starts_with("Modified:") {
            continue;
        }
        let line = if trimmed.starts_with("Location:") {
            "    Location:  TOKEN".to_string()
        } else if trimmed.starts_with("Storage:") {
            "    Storage:   STORAGE".to_string()
        } else {
            normalise_shared_token(line)
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `Type:      shared-1:800struct {` → `Type:      shared-TOKEN struct {`: the token is
/// `fileno:address` (native) or `fileno:id` (restvol), followed without a space by the type's
/// description, which starts with one of h5ls's type words.
fn normalise_shared_token(line: &str) -> String {
    let Some(at) = line.find("shared-") else {
        return line.to_string();
    };
    let rest = &line[at + "shared-".len()..];
    let words = ["struct", "enum ", "native ", "IEEE ", "vlen", "opaque", "[", "variable-length"];
    let Some(colon) = rest.find(':') else {
        return line.to_string();
    };
    let after = &rest[colon + 1..];
    let end = words.iter().filter_map(|w| after.find(w)).min().unwrap_or(after.len());
    format!("{}shared-TOKEN {}", &line[..at], &after[end..])
}

/// A unified diff of two texts (through `diff -u`).
fn unified_diff(dir: &Path, label: &str, native: &str, rest: &str) -> String {
    let a = dir.join(format!("{label}.native.txt"));
    let b = dir.join(format!("{label}.restvol.txt"));
    std::fs::write(&a, native).unwrap();
    std::fs::write(&b, rest).unwrap();
    let out = Command::new("diff").arg("-u").arg(&a).arg(&b).output().unwrap();
    text(&out.stdout)
}

#[test]
fn normalisers_touch_only_what_they_name() {
    assert_eq!(
        normalise_shared_token("    Type:      shared-1:800struct {"),
        "    Type:      shared-TOKEN struct {"
    );
    assert_eq!(
        normalise_shared_token("    Type:      shared-5:t-20c8-57adf3enum native signed char {"),
        "    Type:      shared-TOKEN enum native signed char {"
    );
    assert_eq!(
        normalise_dump("HDF5 \"a.h5\" {\n DATASET \"a.h5/x\"\n", "a.h5"),
        "HDF5 \"FILE\" {\n DATASET \"FILE/x\"\n"
    );
}

#[test]
fn h5dump_h5ls_and_h5diff_see_the_same_corpus() {
    let corpus = Corpus::new();
    let cases = corpus.cases();
    assert!(cases.len() >= 20, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    let mut still_known = Vec::new();
    for case in &cases {
        let (file, domain) = corpus.write(case);
        for tool in [Tool::Dump, Tool::Ls, Tool::Diff] {
            let (native, rest) = corpus.outputs(tool, &file, &domain);
            let known = KNOWN_DIFFERENCES.iter().any(|(c, t, _)| c == case && *t == tool);
            let label = format!("{case}.{tool:?}");
            match (native == rest, known) {
                (true, false) => {}
                (false, true) => still_known.push(label),
                (false, false) => failures.push(format!(
                    "{label} differs:\n{}",
                    unified_diff(&corpus.dir, &label, &native, &rest)
                )),
                (true, true) => failures.push(format!(
                    "{label} is listed in KNOWN_DIFFERENCES but now matches: remove it"
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(still_known.len(), KNOWN_DIFFERENCES.len());
}
