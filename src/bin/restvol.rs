//! The `restvol` command: the HSDS-compatible service and its tools.
//!
//! `serve` runs the service (see `restvol::server::serve`); `sn` and `dn` run its two halves
//! separately (see `restvol::server::cluster`); `lambda` answers Lambda-style
//! events with an in-process service (`restvol::server::lambda`); `import` and `export` copy
//! native HDF5 files into domains and back (`restvol::transfer`); `version` reports the version
//! and the HDF5 it was built against.

use std::process::ExitCode;

const USAGE: &str = "usage: restvol <command>

commands:
  serve      run the HSDS-compatible service (flags as HSDS's `hsds` command, plus
             --watch_stdin, --auto_folders and --dn_mode process|in_process); with
             --count N it starts N `restvol dn` processes, as hsds does
  sn         run a service node alone over running data nodes (--dn_urls a,b,…)
  dn         run one data node (--dn_number I --count N, --dn_socket PATH or --dn_port P;
             normally started by `restvol serve`)
  lambda     answer Lambda-style events (one JSON object per line on stdin, one answer per
             line on stdout) with an in-process service; takes the serve flags
  import     copy a native HDF5 file into a domain (restvol import --help)
  export     copy a domain into a native HDF5 file (restvol export --help)
  version    print restvol's version and the HDF5 version it was built against
  help       print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("version" | "--version" | "-V") => {
            println!(
                "restvol {} (built against HDF5 {})",
                env!("CARGO_PKG_VERSION"),
                env!("RESTVOL_HDF5_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some("serve") => ExitCode::from(
            u8::try_from(restvol::server::serve::main_serve(&args[1..])).unwrap_or(1),
        ),
        Some("sn") => {
            ExitCode::from(u8::try_from(restvol::server::serve::main_sn(&args[1..])).unwrap_or(1))
        }
        Some("dn") => {
            ExitCode::from(u8::try_from(restvol::server::serve::main_dn(&args[1..])).unwrap_or(1))
        }
        Some("lambda") => ExitCode::from(
            u8::try_from(restvol::server::lambda::main_lambda(&args[1..])).unwrap_or(1),
        ),
        Some("import") => {
            ExitCode::from(u8::try_from(restvol::transfer::main_import(&args[1..])).unwrap_or(1))
        }
        Some("export") => {
            ExitCode::from(u8::try_from(restvol::transfer::main_export(&args[1..])).unwrap_or(1))
        }
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("restvol: unknown command '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
