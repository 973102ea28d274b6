//! Finding the `restvol` binary for direct access: the configured path (`restvol_bin` / env
//! `RESTVOL_BIN`), then the plugin's directory, then `<plugin dir>/../bin`, then `PATH`.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::error::DirectError;

/// The binary's file name.
pub const BINARY_NAME: &str = "restvol";

/// Where to look for the binary. Build with [`BinarySearch::from_env`] in the connector; tests
/// fill the fields directly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BinarySearch {
    /// The `restvol_bin` setting of the connector configuration.
    pub configured: Option<PathBuf>,
    /// The `RESTVOL_BIN` environment variable.
    pub env: Option<PathBuf>,
    /// The directory holding `librestvol.so`.
    pub plugin_dir: Option<PathBuf>,
    /// The `PATH` environment variable.
    pub path_var: Option<OsString>,
}

impl BinarySearch {
    /// The configured path and plugin directory as given, `RESTVOL_BIN` and `PATH` from the
    /// environment.
    pub fn from_env(configured: Option<PathBuf>, plugin_dir: Option<PathBuf>) -> Self {
        BinarySearch {
            configured,
            env: std::env::var_os("RESTVOL_BIN").filter(|v| !v.is_empty()).map(PathBuf::from),
            plugin_dir,
            path_var: std::env::var_os("PATH"),
        }
    }

    /// Every candidate in the order tried.
    pub fn candidates(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        out.extend(self.configured.iter().cloned());
        out.extend(self.env.iter().cloned());
        if let Some(dir) = &self.plugin_dir {
            out.push(dir.join(BINARY_NAME));
            out.push(dir.join("..").join("bin").join(BINARY_NAME));
        }
        if let Some(path) = &self.path_var {
            out.extend(
                std::env::split_paths(path)
                    .filter(|d| !d.as_os_str().is_empty())
                    .map(|d| d.join(BINARY_NAME)),
            );
        }
        out
    }

    /// The first candidate that is an executable file, or an error listing every candidate.
    pub fn find(&self) -> Result<PathBuf, DirectError> {
        let mut tried = Vec::new();
        for candidate in self.candidates() {
            match check_executable(&candidate) {
                Ok(()) => return Ok(candidate),
                Err(why) => tried.push(format!("{} ({why})", candidate.display())),
            }
        }
        if tried.is_empty() {
            tried.push(
                "no candidates: no restvol_bin, RESTVOL_BIN, plugin directory or PATH".into(),
            );
        }
        Err(DirectError::BinaryNotFound { tried })
    }
}

/// `Ok` when `path` is a regular file with an execute bit; else the reason.
fn check_executable(path: &Path) -> Result<(), &'static str> {
    let meta = std::fs::metadata(path).map_err(|_| "missing")?;
    if !meta.is_file() {
        return Err("not a file");
    }
    if meta.permissions().mode() & 0o111 == 0 {
        return Err("not executable");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rv-disc-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn make(path: &Path, mode: u32) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn order_is_configured_env_plugin_dir_bin_then_path() {
        let root = scratch("order");
        let plugin = root.join("lib");
        std::fs::create_dir_all(&plugin).unwrap();
        let search = BinarySearch {
            configured: Some(root.join("cfg/restvol")),
            env: Some(root.join("env/restvol")),
            plugin_dir: Some(plugin.clone()),
            path_var: Some(std::env::join_paths([root.join("p1"), root.join("p2")]).unwrap()),
        };
        assert_eq!(
            search.candidates(),
            vec![
                root.join("cfg/restvol"),
                root.join("env/restvol"),
                plugin.join("restvol"),
                plugin.join("../bin/restvol"),
                root.join("p1/restvol"),
                root.join("p2/restvol"),
            ]
        );
        // Later candidates win only when earlier ones are unusable.
        make(&root.join("p2/restvol"), 0o755);
        assert_eq!(search.find().unwrap(), root.join("p2/restvol"));
        make(&root.join("bin/restvol"), 0o755);
        assert_eq!(search.find().unwrap(), plugin.join("../bin/restvol"));
        make(&plugin.join("restvol"), 0o755);
        assert_eq!(search.find().unwrap(), plugin.join("restvol"));
        make(&root.join("env/restvol"), 0o755);
        assert_eq!(search.find().unwrap(), root.join("env/restvol"));
        make(&root.join("cfg/restvol"), 0o755);
        assert_eq!(search.find().unwrap(), root.join("cfg/restvol"));
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn error_lists_every_place_and_reason() {
        let root = scratch("missing");
        make(&root.join("noexec/restvol"), 0o644);
        std::fs::create_dir_all(root.join("isdir/restvol")).unwrap();
        let search = BinarySearch {
            configured: Some(root.join("noexec/restvol")),
            env: Some(root.join("isdir/restvol")),
            plugin_dir: Some(root.join("lib")),
            path_var: Some(root.join("p1").into_os_string()),
        };
        let err = search.find().unwrap_err();
        let DirectError::BinaryNotFound { tried } = &err else { panic!("{err}") };
        assert_eq!(tried.len(), 5, "{tried:?}");
        let text = err.to_string();
        assert!(text.contains("noexec/restvol (not executable)"), "{text}");
        assert!(text.contains("isdir/restvol (not a file)"), "{text}");
        assert!(text.contains("lib/restvol (missing)"), "{text}");
        assert!(text.contains("lib/../bin/restvol (missing)"), "{text}");
        assert!(text.contains("p1/restvol (missing)"), "{text}");
        let empty = BinarySearch::default().find().unwrap_err().to_string();
        assert!(empty.contains("no candidates"), "{empty}");
        let _ = std::fs::remove_dir_all(root);
    }
}
