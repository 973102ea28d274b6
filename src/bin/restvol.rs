//! The `restvol` command: the HSDS-compatible service and its tools.
//!
//! Subcommands arrive with the service work (`serve`, `sn`, `dn`, `lambda`, import/export);
//! today it reports its version and the HDF5 it was built against.

use std::process::ExitCode;

const USAGE: &str = "usage: restvol <command>

commands:
  version    print restvol's version and the HDF5 version it was built against
  help       print this help

The service commands (serve, sn, dn) are not available in this build yet.";

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
