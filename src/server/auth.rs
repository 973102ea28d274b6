//! Authentication: HTTP Basic credentials checked against a password file (`user:password`
//! lines) and/or one `--hs_username`/`--hs_password` pair; the admin user; anonymous reads as
//! user `default` when `allow_noauth` is set.

use std::collections::BTreeMap;

use base64::Engine;

use super::error::{ApiError, ApiResult};

/// The user name anonymous requests run as.
pub const DEFAULT_USER: &str = "default";

/// Known users and their passwords, and who is admin.
#[derive(Debug, Clone, Default)]
pub struct Users {
    passwords: BTreeMap<String, String>,
    admin: String,
    allow_noauth: bool,
}

impl Users {
    /// An empty table with admin user `admin` and anonymous access as given.
    pub fn new(admin: &str, allow_noauth: bool) -> Users {
        Users { passwords: BTreeMap::new(), admin: admin.to_string(), allow_noauth }
    }

    /// Adds or replaces a user.
    pub fn add(&mut self, user: &str, password: &str) {
        self.passwords.insert(user.to_string(), password.to_string());
    }

    /// Adds the `user:password` lines of a password file (blank lines and `#` comments skipped).
    pub fn add_password_lines(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((user, password)) = line.split_once(':') {
                self.add(user.trim(), password.trim());
            }
        }
    }

    /// Makes `user` the admin.
    pub fn set_admin(&mut self, user: &str) {
        self.admin = user.to_string();
    }

    /// Whether `user` is the admin.
    pub fn is_admin(&self, user: &str) -> bool {
        user == self.admin
    }

    /// The admin user's name.
    pub fn admin(&self) -> &str {
        &self.admin
    }

    /// Checks an `Authorization` header: the user name, or `default` without credentials when
    /// `allow_noauth` is set.
    ///
    /// # Errors
    /// 401 for missing (without `allow_noauth`), malformed or wrong credentials.
    pub fn authenticate(&self, authorization: Option<&str>) -> ApiResult<String> {
        let Some(header) = authorization else {
            if self.allow_noauth {
                return Ok(DEFAULT_USER.to_string());
            }
            return Err(ApiError::unauthorized("authorization required"));
        };
        let (scheme, token) = header.trim().split_once(' ').unwrap_or((header, ""));
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(ApiError::unauthorized(format!(
                "unsupported authorization scheme {scheme}"
            )));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| ApiError::unauthorized("malformed basic credentials"))?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| ApiError::unauthorized("malformed basic credentials"))?;
        match self.passwords.get(user) {
            Some(expected) if expected == password => Ok(user.to_string()),
            _ => Err(ApiError::unauthorized("invalid user name or password")),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn basic(user_pass: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(user_pass))
    }

    #[test]
    fn checks_passwords() {
        let mut users = Users::new("admin", true);
        users.add_password_lines("# users\nalice:secret\n\nbob:pw\n");
        assert_eq!(users.authenticate(Some(&basic("alice:secret"))).unwrap(), "alice");
        assert_eq!(users.authenticate(Some(&basic("alice:wrong"))).unwrap_err().status, 401);
        assert_eq!(users.authenticate(Some(&basic("carol:x"))).unwrap_err().status, 401);
        assert_eq!(users.authenticate(Some("Basic !!!")).unwrap_err().status, 401);
        assert_eq!(users.authenticate(None).unwrap(), DEFAULT_USER);
    }

    #[test]
    fn noauth_can_be_off() {
        let users = Users::new("admin", false);
        assert_eq!(users.authenticate(None).unwrap_err().status, 401);
    }

    #[test]
    fn admin() {
        let mut users = Users::new("admin", true);
        assert!(users.is_admin("admin"));
        users.set_admin("root");
        assert!(users.is_admin("root") && !users.is_admin("admin"));
    }
}
