//! Service configuration: HSDS's config keys and defaults, read with HSDS's precedence:
//! command-line `--key value` / `--key=value`, then the upper-case environment variable, then
//! `<config_dir>/override.yml`, then `<config_dir>/config.yml`, then the built-in default.
//! Sizes may end in `k`, `m` or `g` (powers of 1024). Only the flat `key: value` subset of YAML
//! is read.

use std::collections::BTreeMap;
use std::path::Path;

/// Built-in defaults (HSDS `admin/config/config.yml`), plus restvol's own keys.
const DEFAULTS: &[(&str, &str)] = &[
    ("max_request_size", "100m"),
    ("min_chunk_size", "1m"),
    ("max_chunk_size", "4m"),
    ("max_chunks_per_folder", "0"),
    ("chunk_mem_cache_size", "128m"),
    ("metadata_mem_cache_size", "128m"),
    ("s3_sync_interval", "1"),
    ("s3_age_time", "1"),
    ("max_task_count", "100"),
    ("http_streaming", "true"),
    ("write_zero_chunks", "false"),
    ("domain_req_max_objects_limit", "500"),
    ("allow_noauth", "true"),
    ("default_public", "false"),
    ("bucket_name", "hsdstest"),
    ("sn_port", "5101"),
    ("dn_port", "6101"),
    ("flush_timeout", "10"),
    ("password_file", "/config/passwd.txt"),
    ("admin_user", "admin"),
    ("allow_any_bucket_read", "true"),
    ("allow_any_bucket_write", "true"),
    ("server_name", "restvol"),
    ("greeting", "Welcome to restvol!"),
    ("about", "restvol: an HSDS-compatible service for HDF5 data in object stores"),
    ("auto_folders", "false"),
    ("host", "127.0.0.1"),
    ("count", "1"),
    ("domain_cache_expire", "1"),
    ("metadata_cache_expire", "1"),
    ("storage_recheck_interval", "1"),
];

/// Errors reading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A command-line argument that is not `--key value` or `--key=value`.
    #[error("bad argument '{0}': expected --key value or --key=value")]
    BadArgument(String),
    /// A value that does not parse as the type its key needs.
    #[error("config key '{key}': cannot read '{value}' as {expected}")]
    BadValue {
        /// The key.
        key: String,
        /// Its value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A config file that cannot be read.
    #[error("cannot read config file '{path}': {reason}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
}

/// Keys read only from the command line (never from the environment, where names such as
/// `HOST` mean something else).
const CLI_ONLY: &[&str] =
    &["host", "port", "count", "socket_dir", "logfile", "loglevel", "watch_stdin"];

/// Flags that take no value on the command line.
const BARE_FLAGS: &[&str] = &["watch_stdin", "auto_folders", "readonly", "standalone"];

/// The resolved configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    args: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    override_yml: BTreeMap<String, String>,
    config_yml: BTreeMap<String, String>,
}

impl Config {
    /// Builds the configuration from command-line arguments (after the subcommand), the process
    /// environment and the YAML files in the config directory (`--config_dir`, `CONFIG_DIR`).
    ///
    /// # Errors
    /// [`ConfigError`] for malformed arguments or unreadable files.
    pub fn load(args: &[String]) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Config::from_sources(args, &env)
    }

    /// As [`Config::load`] with an explicit environment (tests).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn from_sources(
        args: &[String],
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut config = Config { args: parse_args(args)?, env: env.clone(), ..Config::default() };
        let dir = config.args.get("config_dir").cloned().or_else(|| env.get("CONFIG_DIR").cloned());
        if let Some(dir) = dir {
            let dir = Path::new(&dir);
            let override_path = env
                .get("CONFIG_OVERRIDE_PATH")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| dir.join("override.yml"));
            config.override_yml = read_yaml(&override_path)?;
            config.config_yml = read_yaml(&dir.join("config.yml"))?;
        }
        Ok(config)
    }

    /// The values given on the command line, by key.
    pub fn command_line(&self) -> &BTreeMap<String, String> {
        &self.args
    }

    /// Sets a value as if given on the command line.
    pub fn set(&mut self, key: &str, value: &str) {
        self.args.insert(key.to_string(), value.to_string());
    }

    /// The raw value of `key`, or `None` when unset everywhere (or set to `null`/empty).
    pub fn get(&self, key: &str) -> Option<String> {
        let value = self
            .args
            .get(key)
            .or_else(|| {
                if CLI_ONLY.contains(&key) {
                    None
                } else {
                    self.env.get(&key.to_ascii_uppercase())
                }
            })
            .or_else(|| self.override_yml.get(key))
            .or_else(|| self.config_yml.get(key))
            .cloned()
            .or_else(|| {
                DEFAULTS.iter().find(|(name, _)| *name == key).map(|(_, v)| (*v).to_string())
            })?;
        if value.is_empty() || value == "null" || value == "~" {
            None
        } else {
            Some(value)
        }
    }

    /// A string value, or `default`.
    pub fn string(&self, key: &str, default: &str) -> String {
        self.get(key).unwrap_or_else(|| default.to_string())
    }

    /// A size or count, with `k`/`m`/`g` units; `default` when unset.
    ///
    /// # Errors
    /// [`ConfigError::BadValue`] when the value is not a number.
    pub fn size(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => parse_size(&value).ok_or(ConfigError::BadValue {
                key: key.to_string(),
                value,
                expected: "a number with an optional k/m/g unit",
            }),
        }
    }

    /// A duration in seconds (fractions allowed, not negative); `default` when unset.
    ///
    /// # Errors
    /// [`ConfigError::BadValue`] when the value is not a non-negative number of seconds.
    pub fn seconds(
        &self,
        key: &str,
        default: std::time::Duration,
    ) -> Result<std::time::Duration, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => value
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(|secs| std::time::Duration::try_from_secs_f64(secs).ok())
                .ok_or(ConfigError::BadValue {
                    key: key.to_string(),
                    value,
                    expected: "a number of seconds (not negative)",
                }),
        }
    }

    /// A boolean (`true/false`, `yes/no`, `1/0`, `on/off`); `default` when unset.
    ///
    /// # Errors
    /// [`ConfigError::BadValue`] for any other text.
    pub fn boolean(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" | "on" => Ok(true),
                "false" | "no" | "0" | "off" => Ok(false),
                _ => Err(ConfigError::BadValue {
                    key: key.to_string(),
                    value,
                    expected: "a boolean",
                }),
            },
        }
    }
}

/// Parses `--key value`, `--key=value` and bare flags (`--watch_stdin`). Dashes inside keys are
/// read as underscores.
fn parse_args(args: &[String]) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut map = BTreeMap::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let Some(body) = arg.strip_prefix("--") else {
            return Err(ConfigError::BadArgument(arg.clone()));
        };
        if let Some((key, value)) = body.split_once('=') {
            map.insert(key.replace('-', "_"), value.to_string());
            continue;
        }
        let key = body.replace('-', "_");
        let takes_value = !BARE_FLAGS.contains(&key.as_str());
        match iter.peek() {
            Some(next) if takes_value && !next.starts_with("--") => {
                map.insert(key, (*next).clone());
                iter.next();
            }
            _ if takes_value => return Err(ConfigError::BadArgument(arg.clone())),
            _ => {
                map.insert(key, "true".to_string());
            }
        }
    }
    Ok(map)
}

/// Reads the flat `key: value` lines of a YAML file; a missing file is empty.
fn read_yaml(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse_flat_yaml(&text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(err) => {
            Err(ConfigError::File { path: path.display().to_string(), reason: err.to_string() })
        }
    }
}

/// The flat subset of YAML: `key: value # comment`, values optionally quoted. Nested or list
/// lines are skipped.
pub fn parse_flat_yaml(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        let Some((key, rest)) = line.split_once(':') else { continue };
        let rest = rest.trim();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            quoted.split('"').next().unwrap_or_default()
        } else if let Some(quoted) = rest.strip_prefix('\'') {
            quoted.split('\'').next().unwrap_or_default()
        } else {
            rest.split(" #").next().unwrap_or_default().trim()
        };
        map.insert(key.trim().to_string(), value.to_string());
    }
    map
}

/// Parses a size with an optional `k`/`m`/`g` suffix (powers of 1024).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, factor) = match text.chars().last()?.to_ascii_lowercase() {
        'k' => (&text[..text.len() - 1], 1024),
        'm' => (&text[..text.len() - 1], 1024 * 1024),
        'g' => (&text[..text.len() - 1], 1024 * 1024 * 1024),
        _ => (text, 1),
    };
    let number = match digits.parse::<u64>() {
        Ok(number) => number,
        Err(_) => {
            let float: f64 = digits.parse().ok()?;
            if !(0.0..1e15).contains(&float) {
                return None;
            }
            return Some((float * factor as f64) as u64);
        }
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn seconds_take_fractions_and_refuse_negative_or_text() {
        let config = Config::from_sources(
            &args(&["--a", "0.5", "--b", "-1", "--c", "soon", "--d", "0"]),
            &BTreeMap::new(),
        )
        .unwrap();
        let one = std::time::Duration::from_secs(1);
        assert_eq!(config.seconds("a", one).unwrap(), std::time::Duration::from_millis(500));
        assert_eq!(config.seconds("d", one).unwrap(), std::time::Duration::ZERO);
        assert_eq!(config.seconds("unset_key", one).unwrap(), one);
        assert!(config.seconds("b", one).is_err());
        assert!(config.seconds("c", one).is_err());
    }

    #[test]
    fn sizes_use_powers_of_1024() {
        assert_eq!(parse_size("100m"), Some(100 * 1024 * 1024));
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("17"), Some(17));
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn precedence_is_args_env_override_config_default() {
        let dir = std::env::temp_dir().join(format!("restvol-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("config.yml"),
            "bucket_name: fromconfig\nmax_request_size: 1k\nadmin_user: c # x\n",
        )
        .unwrap();
        std::fs::write(dir.join("override.yml"), "bucket_name: 'fromoverride'\n").unwrap();
        let mut env = BTreeMap::new();
        env.insert("MAX_REQUEST_SIZE".to_string(), "2k".to_string());
        let config_dir = format!("--config_dir={}", dir.display());
        let config = Config::from_sources(&args(&[&config_dir, "--port", "0"]), &env).unwrap();
        assert_eq!(config.get("bucket_name").unwrap(), "fromoverride");
        assert_eq!(config.size("max_request_size", 0).unwrap(), 2048);
        assert_eq!(config.get("admin_user").unwrap(), "c");
        assert_eq!(config.get("port").unwrap(), "0");
        assert_eq!(config.get("min_chunk_size").unwrap(), "1m");
        let config =
            Config::from_sources(&args(&["--bucket_name", "b", &config_dir]), &env).unwrap();
        assert_eq!(config.get("bucket_name").unwrap(), "b");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bare_flags_and_errors() {
        let env = BTreeMap::new();
        let config = Config::from_sources(&args(&["--watch_stdin", "--count=2"]), &env).unwrap();
        assert!(config.boolean("watch_stdin", false).unwrap());
        assert_eq!(config.size("count", 1).unwrap(), 2);
        assert!(Config::from_sources(&args(&["serve"]), &env).is_err());
        assert!(Config::from_sources(&args(&["--port"]), &env).is_err());
        let config = Config::from_sources(&args(&["--allow_noauth", "maybe"]), &env).unwrap();
        assert!(config.boolean("allow_noauth", true).is_err());
    }
}
