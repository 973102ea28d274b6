//! The command lines `restvol import <file.h5> <domain>` and `restvol export <domain>
//! <file.h5>`: connector settings, checks on both ends, and leaving nothing half-written: a
//! failed import deletes the domain it created, a failed export removes its temporary file
//! (the `.h5` file appears under its name only when complete).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::copy::Copier;
use super::error::{Context, TransferError};
use super::plan::survey;
use super::progress::Progress;
use crate::ffi::transfer::{self as h5, Access, Handle};
use crate::vol::domain_name::domain_for_file_name;
use crate::vol::{ConnectorConfig, Endpoint};

const OPTIONS: &str = "options:
  --endpoint URL   local (direct access, the default), local[N], http://host:port, https://…,
                   http+unix://… (default: HSDS_ENDPOINT / HS_ENDPOINT, else local)
  --store DIR      store root directory for direct access (default: ROOT_DIR, else the
                   connector's default)
  --bucket NAME    bucket in the store (default: BUCKET_NAME, else restvol)
  --username USER  HTTP Basic user for a remote endpoint (default: HSDS_USERNAME / HS_USERNAME)
  --password PASS  its password (default: HSDS_PASSWORD / HS_PASSWORD)
  --force          replace an existing destination
  --quiet          no progress bar (the summary line is still printed)";

/// The usage text of `restvol import`.
pub fn import_usage() -> String {
    format!("usage: restvol import [options] <file.h5> <domain>\n\n{OPTIONS}")
}

/// The usage text of `restvol export`.
pub fn export_usage() -> String {
    format!("usage: restvol export [options] <domain> <file.h5>\n\n{OPTIONS}")
}

/// Parsed command line of either direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferArgs {
    /// The two positional arguments, in order (source, destination).
    pub positional: Vec<String>,
    /// Connector settings from the options.
    pub config: ConnectorConfig,
    /// `--force`.
    pub force: bool,
    /// `--quiet`.
    pub quiet: bool,
}

/// Parses the arguments after the subcommand.
pub fn parse_args(args: &[String]) -> Result<TransferArgs, TransferError> {
    let mut out = TransferArgs::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let Some(option) = arg.strip_prefix("--") else {
            out.positional.push(arg.clone());
            continue;
        };
        let (name, inline) = match option.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (option, None),
        };
        match name {
            "force" => out.force = true,
            "quiet" => out.quiet = true,
            "endpoint" | "store" | "bucket" | "username" | "password" => {
                let value = match inline {
                    Some(value) => value,
                    None => iter
                        .next()
                        .cloned()
                        .ok_or_else(|| TransferError::Usage(format!("--{name} needs a value")))?,
                };
                match name {
                    "endpoint" => out.config.endpoint = Some(Endpoint::parse(&value)?),
                    "store" => out.config.root_dir = Some(PathBuf::from(value)),
                    "bucket" => {
                        if !crate::vol::config::is_valid_bucket_name(&value) {
                            return Err(TransferError::Usage(format!("bad bucket name '{value}'")));
                        }
                        out.config.bucket = Some(value)
                    }
                    "username" => out.config.username = Some(value),
                    _ => out.config.password = Some(value),
                }
            }
            _ => return Err(TransferError::Usage(format!("unknown option --{name}"))),
        }
    }
    if out.positional.len() != 2 {
        return Err(TransferError::Usage(format!(
            "expected 2 arguments, got {}",
            out.positional.len()
        )));
    }
    Ok(out)
}

/// Entry point for `restvol import`; returns the exit code.
pub fn main_import(args: &[String]) -> i32 {
    run_main("import", args, import_usage, import)
}

/// Entry point for `restvol export`; returns the exit code.
pub fn main_export(args: &[String]) -> i32 {
    run_main("export", args, export_usage, export)
}

fn run_main(
    label: &str,
    args: &[String],
    usage: fn() -> String,
    run: fn(&TransferArgs) -> Result<(), TransferError>,
) -> i32 {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", usage());
        return 0;
    }
    let outcome = parse_args(args).and_then(|parsed| run(&parsed));
    match outcome {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("restvol {label}: {err}");
            if let TransferError::Usage(_) = err {
                eprintln!("\n{}", usage());
            }
            err.exit_code()
        }
    }
}

/// The connector settings: the options, then the environment the plugin reads; this binary
/// is also the `restvol` that direct access starts.
fn connector(args: &TransferArgs) -> ConnectorConfig {
    let mut config = args.config.clone();
    if config.restvol_bin.is_none() && std::env::var_os("RESTVOL_BIN").is_none() {
        config.restvol_bin = std::env::current_exe().ok();
    }
    config
}

fn domain(name: &str) -> Result<String, TransferError> {
    domain_for_file_name(name).map_err(|err| TransferError::BadDomain(err.to_string()))
}

fn start(config: &ConnectorConfig) -> Result<(Handle, Handle), TransferError> {
    h5::init().context(|| "starting HDF5".into())?;
    let native = h5::file_access(Access::Native).context(|| "setting up native files".into())?;
    let rest = h5::file_access(Access::Rest(config)).context(|| "setting up restvol".into())?;
    Ok((native, rest))
}

fn draw_bar(args: &TransferArgs) -> bool {
    !args.quiet && std::io::stderr().is_terminal()
}

fn import(args: &TransferArgs) -> Result<(), TransferError> {
    let (file, name) = (&args.positional[0], &args.positional[1]);
    let domain = domain(name)?;
    if !Path::new(file).is_file() {
        return Err(TransferError::MissingSource(file.clone()));
    }
    let config = connector(args);
    let (native, rest) = start(&config)?;
    let source = h5::open_file(file, &native)
        .map_err(|source| TransferError::OpenSource { name: file.clone(), source })?;
    if h5::is_accessible(&domain, &rest) && !args.force {
        return Err(TransferError::DestinationExists(domain));
    }
    let dest = h5::create_file(&domain, &rest, args.force)
        .context(|| format!("creating domain {domain}"))?;
    let copied = copy_file(&source, &dest, true, "import", draw_bar(args));
    let closed = h5::close_file(dest).context(|| format!("closing domain {domain}"));
    match copied.and_then(|progress| closed.map(|()| progress)) {
        Ok(mut progress) => {
            progress.finish(&format!("{file} -> {domain}"));
            Ok(())
        }
        Err(err) => {
            let _ = h5::delete_file(&domain, &rest);
            Err(err)
        }
    }
}

fn export(args: &TransferArgs) -> Result<(), TransferError> {
    let (name, file) = (&args.positional[0], &args.positional[1]);
    let domain = domain(name)?;
    let target = PathBuf::from(file);
    let Some(file_name) = target.file_name() else {
        return Err(TransferError::BadFile(target));
    };
    if target.exists() && !args.force {
        return Err(TransferError::DestinationExists(file.clone()));
    }
    let config = connector(args);
    let (native, rest) = start(&config)?;
    if !h5::is_accessible(&domain, &rest) {
        return Err(TransferError::MissingSource(domain));
    }
    let source = h5::open_file(&domain, &rest)
        .map_err(|source| TransferError::OpenSource { name: domain.clone(), source })?;
    let mut partial_name = file_name.to_os_string();
    partial_name.push(format!(".restvol-partial-{}", std::process::id()));
    let partial = target.with_file_name(partial_name);
    let partial_text = partial.to_string_lossy().into_owned();
    let dest = h5::create_file(&partial_text, &native, true)
        .context(|| format!("creating {}", partial.display()))?;
    let copied = copy_file(&source, &dest, false, "export", draw_bar(args));
    let closed = h5::close_file(dest).context(|| format!("closing {}", partial.display()));
    let renamed = copied.and_then(|progress| closed.map(|()| progress)).and_then(|progress| {
        std::fs::rename(&partial, &target)
            .map(|()| progress)
            .map_err(|source| TransferError::Io { what: format!("renaming to {file}"), source })
    });
    match renamed {
        Ok(mut progress) => {
            progress.finish(&format!("{domain} -> {file}"));
            Ok(())
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err)
        }
    }
}

/// Surveys and copies; returns the progress, to finish once the destination is closed.
fn copy_file(
    source: &Handle,
    dest: &Handle,
    native_source: bool,
    label: &'static str,
    draw: bool,
) -> Result<Progress, TransferError> {
    let plan = survey(source)?;
    let mut progress = Progress::new(label, draw, plan.total_bytes, plan.objects.len() as u64);
    Copier::new(source, dest, native_source, &mut progress).run(&plan)?;
    Ok(progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_and_positionals() {
        let parsed = parse_args(&args(&[
            "a.h5",
            "--store",
            "/s",
            "--bucket=b",
            "/home/x.h5",
            "--force",
            "--endpoint",
            "local[2]",
        ]))
        .unwrap();
        assert_eq!(parsed.positional, vec!["a.h5", "/home/x.h5"]);
        assert_eq!(parsed.config.root_dir, Some(PathBuf::from("/s")));
        assert_eq!(parsed.config.bucket.as_deref(), Some("b"));
        assert_eq!(parsed.config.endpoint, Some(Endpoint::Local { dn_count: Some(2) }));
        assert!(parsed.force && !parsed.quiet);
    }

    #[test]
    fn bad_command_lines() {
        for bad in [
            &["a.h5"][..],
            &["a.h5", "b", "c"],
            &["a.h5", "b", "--store"],
            &["a.h5", "b", "--nope"],
            &["a.h5", "b", "--endpoint", "ftp://x"],
            &["a.h5", "b", "--bucket", "a/b"],
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn domain_names() {
        assert_eq!(domain("/home/a.h5").unwrap(), "/home/a.h5");
        assert!(matches!(domain("/home/../a.h5"), Err(TransferError::BadDomain(_))));
        assert!(matches!(domain("/home/"), Err(TransferError::BadDomain(_))));
    }
}
