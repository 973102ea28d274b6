//! [`Mutation`]: every change the SN asks a DN to make to one object's JSON, as plain data (so a
//! DN's HTTP transport can carry it), and [`apply`], which makes the change in place.

use serde_json::{json, Map, Value};

use crate::server::error::{ApiError, ApiResult};

/// A change to one stored object.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mutation {
    /// Add links (stored forms) to a group. Without `replace`, an existing identical link is
    /// left alone and a differing one is a 409.
    PutLinks {
        /// Title → stored link JSON.
        links: Map<String, Value>,
        /// Overwrite existing links.
        replace: bool,
    },
    /// Remove links; a missing title is a 404 and nothing is removed.
    DeleteLinks {
        /// Titles to remove.
        titles: Vec<String>,
    },
    /// Add attributes (stored forms); existing ones as for links.
    PutAttributes {
        /// Name → stored attribute JSON.
        attributes: Map<String, Value>,
        /// Overwrite existing attributes.
        replace: bool,
    },
    /// Replace the value of one existing attribute (`PUT …/attributes/{name}/value`).
    SetAttributeValue {
        /// Attribute name.
        name: String,
        /// New stored value.
        value: Value,
        /// Whether the value is base64 (`"encoding":"base64"`).
        base64: bool,
    },
    /// Remove attributes; a missing name is a 404 and nothing is removed.
    DeleteAttributes {
        /// Names to remove.
        names: Vec<String>,
    },
    /// Replace a dataset's shape (stored form).
    SetShape {
        /// The new shape JSON.
        shape: Value,
    },
    /// Grow a dataset's shape by `count` along `dim` (an append: the DN applies it under the
    /// object's lock, so concurrent appends get distinct regions). 409 past maxdims.
    ExtendShape {
        /// The axis to grow.
        dim: usize,
        /// Elements to add along it.
        count: u64,
    },
    /// Set one ACL entry of a domain.
    PutAcl {
        /// User (or `default`, `g:group`).
        user: String,
        /// The entry.
        acl: Value,
    },
}

/// What a mutation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Something new was added (HTTP 201).
    Created,
    /// Everything requested was already there, identical (HTTP 200).
    Unchanged,
    /// An existing item was changed or removed (HTTP 200).
    Updated,
}

/// The current time in epoch seconds.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn member<'a>(object: &'a mut Value, key: &str) -> ApiResult<&'a mut Map<String, Value>> {
    let map = object
        .as_object_mut()
        .ok_or_else(|| ApiError::internal("stored object is not a JSON object"))?;
    let entry = map.entry(key.to_string()).or_insert_with(|| json!({}));
    entry
        .as_object_mut()
        .ok_or_else(|| ApiError::internal(format!("stored '{key}' is not an object")))
}

/// Link and attribute comparison ignores the creation time.
fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |value: &Value| {
        let mut value = value.clone();
        if let Some(map) = value.as_object_mut() {
            map.remove("created");
            map.remove("lastModified");
        }
        value
    };
    strip(a) == strip(b)
}

fn put_members(
    object: &mut Value,
    key: &str,
    what: &str,
    items: &Map<String, Value>,
    replace: bool,
) -> ApiResult<Outcome> {
    let table = member(object, key)?;
    let mut outcome = Outcome::Unchanged;
    for (name, item) in items {
        if let Some(existing) = table.get(name) {
            if !replace && !same_content(existing, item) {
                return Err(ApiError::conflict(format!("{what} '{name}' already exists")));
            }
        }
    }
    for (name, item) in items {
        match table.get(name) {
            None => outcome = Outcome::Created,
            Some(existing) if same_content(existing, item) => continue,
            Some(_) => {
                if outcome == Outcome::Unchanged {
                    outcome = Outcome::Updated;
                }
            }
        }
        table.insert(name.clone(), item.clone());
    }
    Ok(outcome)
}

fn delete_members(
    object: &mut Value,
    key: &str,
    what: &str,
    names: &[String],
) -> ApiResult<Outcome> {
    let table = member(object, key)?;
    if let Some(missing) = names.iter().find(|name| !table.contains_key(name.as_str())) {
        return Err(ApiError::not_found(format!("{what} '{missing}' not found")));
    }
    for name in names {
        table.remove(name);
    }
    Ok(Outcome::Updated)
}

/// Applies `mutation` to `object` in place, stamping `lastModified` when anything changed.
///
/// # Errors
/// 409 for conflicting links or attributes, 404 for missing ones, 500 for malformed objects.
pub fn apply(object: &mut Value, mutation: &Mutation) -> ApiResult<Outcome> {
    let outcome = match mutation {
        Mutation::PutLinks { links, replace } => {
            put_members(object, "links", "link", links, *replace)?
        }
        Mutation::DeleteLinks { titles } => delete_members(object, "links", "link", titles)?,
        Mutation::PutAttributes { attributes, replace } => {
            put_members(object, "attributes", "attribute", attributes, *replace)?
        }
        Mutation::SetAttributeValue { name, value, base64 } => {
            let table = member(object, "attributes")?;
            let attr = table
                .get_mut(name)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| ApiError::not_found(format!("attribute '{name}' not found")))?;
            attr.insert("value".into(), value.clone());
            if *base64 {
                attr.insert("encoding".into(), json!("base64"));
            } else {
                attr.remove("encoding");
            }
            Outcome::Updated
        }
        Mutation::DeleteAttributes { names } => {
            delete_members(object, "attributes", "attribute", names)?
        }
        Mutation::SetShape { shape } => {
            let map = object
                .as_object_mut()
                .ok_or_else(|| ApiError::internal("stored object is not a JSON object"))?;
            map.insert("shape".into(), shape.clone());
            Outcome::Updated
        }
        Mutation::ExtendShape { dim, count } => {
            let shape =
                crate::model::Shape::from_json(object.get("shape").unwrap_or(&Value::Null))?;
            let grown = shape.extended(*dim, *count)?;
            let map = object
                .as_object_mut()
                .ok_or_else(|| ApiError::internal("stored object is not a JSON object"))?;
            map.insert("shape".into(), grown.to_json());
            Outcome::Updated
        }
        Mutation::PutAcl { user, acl } => {
            member(object, "acls")?.insert(user.clone(), acl.clone());
            Outcome::Updated
        }
    };
    if outcome != Outcome::Unchanged {
        if let Some(map) = object.as_object_mut() {
            map.insert("lastModified".into(), json!(now()));
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn links(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn links_create_repeat_conflict_replace() {
        let mut group = json!({"id": "g-x", "links": {}});
        let soft = links(json!({"a": {"class": "H5L_TYPE_SOFT", "h5path": "/x", "created": 1.0}}));
        assert_eq!(
            apply(&mut group, &Mutation::PutLinks { links: soft.clone(), replace: false }).unwrap(),
            Outcome::Created
        );
        let again = links(json!({"a": {"class": "H5L_TYPE_SOFT", "h5path": "/x", "created": 2.0}}));
        assert_eq!(
            apply(&mut group, &Mutation::PutLinks { links: again, replace: false }).unwrap(),
            Outcome::Unchanged
        );
        let other = links(json!({"a": {"class": "H5L_TYPE_SOFT", "h5path": "/y", "created": 2.0}}));
        assert_eq!(
            apply(&mut group, &Mutation::PutLinks { links: other.clone(), replace: false })
                .unwrap_err()
                .status,
            409
        );
        assert_eq!(
            apply(&mut group, &Mutation::PutLinks { links: other, replace: true }).unwrap(),
            Outcome::Updated
        );
        assert_eq!(group["links"]["a"]["h5path"], json!("/y"));
        assert!(group.get("lastModified").is_some());
    }

    #[test]
    fn deletes_are_all_or_nothing() {
        let mut group = json!({"links": {"a": {}, "b": {}}});
        let bad = Mutation::DeleteLinks { titles: vec!["a".into(), "zz".into()] };
        assert_eq!(apply(&mut group, &bad).unwrap_err().status, 404);
        assert!(group["links"].get("a").is_some());
        apply(&mut group, &Mutation::DeleteLinks { titles: vec!["a".into()] }).unwrap();
        assert!(group["links"].get("a").is_none());
    }

    #[test]
    fn attributes_shape_and_acls() {
        let mut dset = json!({"attributes": {}, "shape": {"class": "H5S_SIMPLE", "dims": [1]}});
        let attr = links(
            json!({"t": {"type": "H5T_STD_I32LE", "shape": {"class": "H5S_SCALAR"}, "value": 1}}),
        );
        assert_eq!(
            apply(&mut dset, &Mutation::PutAttributes { attributes: attr, replace: false })
                .unwrap(),
            Outcome::Created
        );
        apply(
            &mut dset,
            &Mutation::SetAttributeValue { name: "t".into(), value: json!(2), base64: false },
        )
        .unwrap();
        assert_eq!(dset["attributes"]["t"]["value"], json!(2));
        assert_eq!(
            apply(&mut dset, &Mutation::DeleteAttributes { names: vec!["q".into()] })
                .unwrap_err()
                .status,
            404
        );
        let shape = json!({"class": "H5S_SIMPLE", "dims": [5]});
        apply(&mut dset, &Mutation::SetShape { shape: shape.clone() }).unwrap();
        assert_eq!(dset["shape"], shape);
        let grow = Mutation::ExtendShape { dim: 0, count: 2 };
        dset["shape"] = json!({"class": "H5S_SIMPLE", "dims": [5], "maxdims": [8]});
        apply(&mut dset, &grow).unwrap();
        assert_eq!(dset["shape"]["dims"], json!([7]));
        assert_eq!(apply(&mut dset, &grow).unwrap_err().status, 409);
        let mut domain = json!({"owner": "a", "acls": {}});
        apply(&mut domain, &Mutation::PutAcl { user: "bob".into(), acl: json!({"read": true}) })
            .unwrap();
        assert_eq!(domain["acls"]["bob"]["read"], json!(true));
    }
}
