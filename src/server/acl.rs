//! Domain ACLs as HSDS evaluates them (reference §1.2, §2.4): the admin is always allowed, an
//! explicit entry for the user decides, then `default`, then `g:<group>` entries; otherwise 403.

use serde_json::{json, Map, Value};

use super::error::{ApiError, ApiResult};

/// The six ACL actions, in HSDS's order.
pub const ACTIONS: [&str; 6] = ["create", "read", "update", "delete", "readACL", "updateACL"];

/// Prefix of group entries.
pub const GROUP_PREFIX: &str = "g:";

/// An ACL entry granting every action.
pub fn full_acl() -> Value {
    Value::Object(ACTIONS.iter().map(|a| ((*a).to_string(), json!(true))).collect())
}

/// An ACL entry granting only `read`.
pub fn read_only_acl() -> Value {
    Value::Object(ACTIONS.iter().map(|a| ((*a).to_string(), json!(*a == "read"))).collect())
}

/// Checks that `user` may perform `action` under the `acls` of a domain. `groups` are the user's
/// group names (without prefix).
///
/// # Errors
/// 403 when the ACLs deny the action.
pub fn check(
    acls: Option<&Map<String, Value>>,
    user: &str,
    is_admin: bool,
    groups: &[String],
    action: &str,
) -> ApiResult<()> {
    if is_admin || allowed(acls, user, groups, action) {
        return Ok(());
    }
    Err(ApiError::forbidden(format!("user '{user}' is not permitted to {action} this domain")))
}

fn grants(entry: &Value, action: &str) -> bool {
    entry.get(action).and_then(Value::as_bool).unwrap_or(false)
}

/// Whether the ACLs let `user` do `action` (without the admin rule).
pub fn allowed(
    acls: Option<&Map<String, Value>>,
    user: &str,
    groups: &[String],
    action: &str,
) -> bool {
    let Some(acls) = acls else { return false };
    if let Some(entry) = acls.get(user) {
        return grants(entry, action);
    }
    if acls.get("default").is_some_and(|entry| grants(entry, action)) {
        return true;
    }
    groups
        .iter()
        .filter_map(|group| acls.get(&format!("{GROUP_PREFIX}{group}")))
        .any(|entry| grants(entry, action))
}

/// Validates a `PUT /acls/{user}` body: keys must be ACL actions with bool values. Missing actions
/// are false.
///
/// # Errors
/// 400 for unknown keys or non-boolean values.
pub fn entry_from_request(body: &Map<String, Value>) -> ApiResult<Value> {
    let mut entry = Map::new();
    for action in ACTIONS {
        entry.insert(action.to_string(), json!(false));
    }
    for (key, value) in body {
        if !ACTIONS.contains(&key.as_str()) {
            return Err(ApiError::bad_request(format!("unknown ACL action '{key}'")));
        }
        let flag = value
            .as_bool()
            .ok_or_else(|| ApiError::bad_request(format!("ACL '{key}' must be a boolean")))?;
        entry.insert(key.clone(), json!(flag));
    }
    Ok(Value::Object(entry))
}

/// The response form of one entry: the actions plus `userName`.
pub fn response_entry(user: &str, entry: &Value) -> Value {
    let mut out = Map::new();
    out.insert("userName".into(), json!(user));
    for action in ACTIONS {
        out.insert(action.into(), json!(grants(entry, action)));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn acls(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn explicit_entry_is_authoritative() {
        let table = acls(json!({"bob": {"read": false}, "default": {"read": true}}));
        assert!(check(Some(&table), "bob", false, &[], "read").is_err());
        assert!(check(Some(&table), "carol", false, &[], "read").is_ok());
        assert!(check(Some(&table), "bob", true, &[], "read").is_ok());
    }

    #[test]
    fn groups_after_default() {
        let table = acls(json!({"g:staff": {"update": true}, "default": {"read": true}}));
        assert!(check(Some(&table), "eve", false, &["staff".into()], "update").is_ok());
        assert_eq!(check(Some(&table), "eve", false, &[], "update").unwrap_err().status, 403);
        assert!(check(None, "eve", false, &[], "read").is_err());
    }

    #[test]
    fn request_entries() {
        let entry = entry_from_request(&acls(json!({"read": true}))).unwrap();
        assert_eq!(entry["read"], json!(true));
        assert_eq!(entry["update"], json!(false));
        assert!(entry_from_request(&acls(json!({"fly": true}))).is_err());
        assert!(entry_from_request(&acls(json!({"read": 1}))).is_err());
        assert_eq!(response_entry("u", &full_acl())["userName"], json!("u"));
        assert_eq!(read_only_acl()["update"], json!(false));
    }
}
