//! [`Mutation`]: every change the SN asks a DN to make to one object's JSON, as plain data (so a
//! DN's HTTP transport can carry it), and [`apply`], which makes the change in place.

use serde_json::{json, Map, Value};

use crate::model::links::CREATION_ORDER;
use crate::server::error::{ApiError, ApiResult};

/// The object key holding the references HDF5 counts beyond the object's link
/// (`H5Oincr_refcount`, and each dataset or attribute using a committed datatype); HSDS keeps
/// none and ignores the key.
pub const REF_COUNT: &str = "refCount";

/// The group key holding the creation order value its next new link gets (HDF5's
/// `max_corder`): it only grows while the group has links, and restarts at 0 once the last
/// link is gone, as in an HDF5 file.
pub const MAX_LINK_CREATION_ORDER: &str = "maxLinkCreationOrder";

/// The object key of the next attribute creation order value, in objects that track
/// attribute creation order (restvol's key; HSDS ignores it). As in HDF5 it never goes back
/// while the object has attributes, and starts again from 0 once the last one is deleted.
pub const MAX_ATTR_CREATION_ORDER: &str = "maxAttrCreationOrder";

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
    /// Add `change` to the object's stored reference count (`refCount`, never below 0).
    ChangeRefCount {
        /// How much to add (negative to take away).
        change: i64,
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

impl Mutation {
    /// Whether the caller needs the object's JSON after this mutation (the new extents of an
    /// append, the new reference count). The others get `null` back, so a change to a large
    /// group (thousands of links) does not copy and send the whole group back to the SN.
    #[must_use]
    pub fn returns_object(&self) -> bool {
        matches!(self, Mutation::ExtendShape { .. } | Mutation::ChangeRefCount { .. })
    }

    /// About how many bytes this mutation adds to the stored object's JSON (at most what it
    /// adds: a replaced member is counted whole), for the DN cache's accounting.
    #[must_use]
    pub fn added_bytes(&self) -> usize {
        /// `lastModified` and the JSON punctuation around a new entry.
        const OVERHEAD: usize = 32;
        let table = |map: &Map<String, Value>| {
            map.iter().map(|(name, item)| name.len() + item.to_string().len() + 8).sum::<usize>()
        };
        OVERHEAD
            + match self {
                Mutation::PutLinks { links, .. } => table(links),
                Mutation::PutAttributes { attributes, .. } => table(attributes),
                Mutation::SetAttributeValue { value, .. } => value.to_string().len(),
                Mutation::SetShape { shape } => shape.to_string().len(),
                Mutation::PutAcl { user, acl } => user.len() + acl.to_string().len(),
                Mutation::DeleteLinks { .. }
                | Mutation::DeleteAttributes { .. }
                | Mutation::ChangeRefCount { .. }
                | Mutation::ExtendShape { .. } => 0,
            }
    }
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
            map.remove(CREATION_ORDER);
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

/// Whether a group tracks link creation order: its `creationProperties` name
/// `linkCreationOrder` (h5json) or a true `CreateOrder` (h5pyd).
fn tracks_link_order(group: &Value) -> bool {
    let Some(props) = group.get("creationProperties") else { return false };
    let flag = match props.get("CreateOrder") {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(n)) => n.as_u64().is_some_and(|n| n != 0),
        Some(Value::String(text)) => !matches!(text.as_str(), "" | "0" | "false" | "False"),
        _ => false,
    };
    flag || props.get("linkCreationOrder").and_then(Value::as_str).is_some()
}

/// Whether an object tracks attribute creation order: its `creationProperties` have
/// `attrCreationOrder` flags with `H5P_CRT_ORDER_TRACKED` (1), or, without them, a true
/// `CreateOrder` (h5pyd's key, both orders).
fn tracks_attr_order(object: &Value) -> bool {
    let Some(props) = object.get("creationProperties") else { return false };
    match props.get("attrCreationOrder").and_then(Value::as_u64) {
        Some(flags) => flags & 1 != 0,
        None => {
            matches!(props.get("CreateOrder"), Some(Value::Bool(true)))
                || props.get("CreateOrder").and_then(Value::as_u64).is_some_and(|n| n != 0)
        }
    }
}

/// `attributes` with creation order values and the object's next value afterwards, as
/// [`with_creation_order`] does for links, when the object tracks attribute creation order;
/// otherwise without any (a value a request carries is dropped).
fn with_attr_creation_order(
    object: &mut Value,
    attributes: &Map<String, Value>,
) -> ApiResult<(Map<String, Value>, Option<u64>)> {
    let mut out = attributes.clone();
    if !tracks_attr_order(object) {
        for attr in out.values_mut() {
            if let Some(map) = attr.as_object_mut() {
                map.remove(CREATION_ORDER);
            }
        }
        return Ok((out, None));
    }
    // New attributes take values in the order they were created (then by name).
    let created = |attr: &Value| attr.get("created").and_then(Value::as_f64).unwrap_or(0.0);
    let mut names: Vec<&String> = attributes.keys().collect();
    names.sort_by(|a, b| created(&attributes[*a]).total_cmp(&created(&attributes[*b])));
    numbered(object, "attributes", MAX_ATTR_CREATION_ORDER, attributes, &names)
}

/// `items` (new members of `object`'s table `key`, in the order `names` gives) with creation
/// order values, and the object's next value (kept under `counter`) afterwards when it
/// changed: a member the object already has keeps its own value, each new one takes the next.
/// Without the counter (members written by HSDS), numbering starts after the highest stored
/// value, or at the table's size.
fn numbered(
    object: &mut Value,
    key: &str,
    counter: &str,
    items: &Map<String, Value>,
    names: &[&String],
) -> ApiResult<(Map<String, Value>, Option<u64>)> {
    let stored = object.get(counter).and_then(Value::as_u64);
    let table = member(object, key)?;
    let highest = table.values().filter_map(|m| m.get(CREATION_ORDER)?.as_u64()).max();
    let mut next = stored.unwrap_or_else(|| highest.map_or(table.len() as u64, |h| h + 1));
    let mut advanced = false;
    let mut out = items.clone();
    for name in names {
        let Some(map) = out.get_mut(*name).and_then(Value::as_object_mut) else { continue };
        map.remove(CREATION_ORDER);
        match table.get(*name) {
            Some(old) => {
                if let Some(order) = old.get(CREATION_ORDER) {
                    map.insert(CREATION_ORDER.into(), order.clone());
                }
            }
            None => {
                map.insert(CREATION_ORDER.into(), json!(next));
                next += 1;
                advanced = true;
            }
        }
    }
    Ok((out, advanced.then_some(next)))
}

/// `links` with creation order values, and the group's next value afterwards when it
/// changed: a link the group already has keeps its own, each new one takes the group's next
/// value (in title order). A group without the counter (links written by HSDS) starts after
/// its highest stored value, or at its link count. A group that does not track creation order
/// gets none, as in HDF5.
fn with_creation_order(
    group: &mut Value,
    links: &Map<String, Value>,
) -> ApiResult<(Map<String, Value>, Option<u64>)> {
    if !tracks_link_order(group) {
        return Ok((links.clone(), None));
    }
    let titles: Vec<&String> = links.keys().collect();
    numbered(group, "links", MAX_LINK_CREATION_ORDER, links, &titles)
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
/// When it fails, `object` is unchanged (but for an empty `links` or `attributes` table it may
/// have gained): every arm checks everything before it changes anything, and the DN applies
/// mutations to its cached object itself, relying on this.
///
/// # Errors
/// 409 for conflicting links or attributes, 404 for missing ones, 500 for malformed objects.
pub fn apply(object: &mut Value, mutation: &Mutation) -> ApiResult<Outcome> {
    let outcome = match mutation {
        Mutation::PutLinks { links, replace } => {
            let (ordered, next) = with_creation_order(object, links)?;
            let outcome = put_members(object, "links", "link", &ordered, *replace)?;
            if let (Some(next), Some(map)) = (next, object.as_object_mut()) {
                map.insert(MAX_LINK_CREATION_ORDER.into(), json!(next));
            }
            outcome
        }
        Mutation::DeleteLinks { titles } => {
            let outcome = delete_members(object, "links", "link", titles)?;
            if member(object, "links")?.is_empty() {
                if let Some(map) = object.as_object_mut() {
                    map.insert(MAX_LINK_CREATION_ORDER.into(), json!(0));
                }
            }
            outcome
        }
        Mutation::PutAttributes { attributes, replace } => {
            // A replaced attribute keeps its creation time, as in HSDS: its place in creation
            // order does not change.
            let (attributes, next) = with_attr_creation_order(object, attributes)?;
            let table = member(object, "attributes")?;
            let kept: Vec<(String, Value)> = attributes
                .keys()
                .filter_map(|name| Some((name.clone(), table.get(name)?.get("created")?.clone())))
                .collect();
            let outcome = put_members(object, "attributes", "attribute", &attributes, *replace)?;
            let table = member(object, "attributes")?;
            for (name, created) in kept {
                if let Some(stored) = table.get_mut(&name).and_then(Value::as_object_mut) {
                    stored.insert("created".into(), created);
                }
            }
            if let (Some(next), Some(map)) = (next, object.as_object_mut()) {
                map.insert(MAX_ATTR_CREATION_ORDER.into(), json!(next));
            }
            outcome
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
            let outcome = delete_members(object, "attributes", "attribute", names)?;
            // As HDF5, which drops the attribute info message with the last attribute: the
            // next attribute starts creation order again from 0.
            if member(object, "attributes")?.is_empty() {
                if let Some(map) = object.as_object_mut() {
                    if map.contains_key(MAX_ATTR_CREATION_ORDER) {
                        map.insert(MAX_ATTR_CREATION_ORDER.into(), json!(0));
                    }
                }
            }
            outcome
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
        Mutation::ChangeRefCount { change } => {
            let map = object
                .as_object_mut()
                .ok_or_else(|| ApiError::internal("stored object is not a JSON object"))?;
            let old = map.get(REF_COUNT).and_then(Value::as_i64).unwrap_or(0);
            let new = old.saturating_add(*change).max(0);
            map.insert(REF_COUNT.into(), json!(new));
            if new == old {
                Outcome::Unchanged
            } else {
                Outcome::Updated
            }
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
    fn attribute_creation_order_values_only_grow_where_tracked() {
        let attr = |name: &str, created: f64| {
            let item = json!({"type": "H5T_STD_I8LE", "shape": {"class": "H5S_SCALAR"},
                "created": created, "creationOrder": 99});
            let mut map = Map::new();
            map.insert(name.into(), item);
            Mutation::PutAttributes { attributes: map, replace: false }
        };
        let order =
            |object: &Value, name: &str| object["attributes"][name].get(CREATION_ORDER).cloned();
        let mut tracked = json!({"id": "d-x", "attributes": {},
            "creationProperties": {"attrCreationOrder": 3}});
        apply(&mut tracked, &attr("a", 1.0)).unwrap();
        apply(&mut tracked, &attr("b", 2.0)).unwrap();
        assert_eq!((order(&tracked, "a"), order(&tracked, "b")), (Some(json!(0)), Some(json!(1))));
        apply(&mut tracked, &Mutation::DeleteAttributes { names: vec!["a".into()] }).unwrap();
        apply(&mut tracked, &attr("c", 3.0)).unwrap();
        assert_eq!(order(&tracked, "c"), Some(json!(2)), "values never go back");
        assert_eq!(apply(&mut tracked, &attr("b", 9.0)).unwrap(), Outcome::Unchanged);
        assert_eq!(order(&tracked, "b"), Some(json!(1)));
        assert_eq!(tracked[MAX_ATTR_CREATION_ORDER], json!(3));
        let all = vec!["b".to_string(), "c".to_string()];
        apply(&mut tracked, &Mutation::DeleteAttributes { names: all }).unwrap();
        apply(&mut tracked, &attr("again", 4.0)).unwrap();
        assert_eq!(order(&tracked, "again"), Some(json!(0)), "restarts once all are gone");

        let mut untracked = json!({"id": "d-y", "attributes": {}});
        apply(&mut untracked, &attr("a", 1.0)).unwrap();
        assert_eq!(order(&untracked, "a"), None, "a request's value is dropped");
        assert!(untracked.get(MAX_ATTR_CREATION_ORDER).is_none());
        let mut h5pyd = json!({"id": "g-z", "creationProperties": {"CreateOrder": true}});
        apply(&mut h5pyd, &attr("a", 1.0)).unwrap();
        assert_eq!(order(&h5pyd, "a"), Some(json!(0)));
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
    fn links_get_creation_order_values_that_survive_deletes() {
        let mut group = json!({"id": "g-x", "links": {}, "creationProperties": {"CreateOrder": 1}});
        let put = |group: &mut Value, title: &str| {
            let link = links(json!({ title: {"class": "H5L_TYPE_SOFT", "h5path": "/x"} }));
            apply(group, &Mutation::PutLinks { links: link, replace: false }).unwrap();
        };
        for title in ["a", "b", "c"] {
            put(&mut group, title);
        }
        assert_eq!(group["links"]["c"][CREATION_ORDER], json!(2));
        assert_eq!(group[MAX_LINK_CREATION_ORDER], json!(3));
        // Repeating an identical link changes nothing.
        put(&mut group, "a");
        assert_eq!(group["links"]["a"][CREATION_ORDER], json!(0));
        assert_eq!(group[MAX_LINK_CREATION_ORDER], json!(3));
        apply(&mut group, &Mutation::DeleteLinks { titles: vec!["c".into()] }).unwrap();
        assert_eq!(group[MAX_LINK_CREATION_ORDER], json!(3));
        put(&mut group, "d");
        assert_eq!(group["links"]["d"][CREATION_ORDER], json!(3));
        let all = vec!["a".into(), "b".into(), "d".into()];
        apply(&mut group, &Mutation::DeleteLinks { titles: all }).unwrap();
        assert_eq!(group[MAX_LINK_CREATION_ORDER], json!(0));
        put(&mut group, "e");
        assert_eq!(group["links"]["e"][CREATION_ORDER], json!(0));
        // Links written without values (HSDS): new ones continue after the link count.
        let mut legacy = json!({"links": {"a": {"h5path": "/x"}, "b": {"h5path": "/y"}},
            "creationProperties": {"linkCreationOrder": "H5P_CRT_ORDER_TRACKED"}});
        put(&mut legacy, "c");
        assert_eq!(legacy["links"]["c"][CREATION_ORDER], json!(2));
        // A group that does not track creation order stores none.
        let mut plain = json!({"links": {}});
        put(&mut plain, "a");
        assert!(plain["links"]["a"].get(CREATION_ORDER).is_none());
        assert!(plain.get(MAX_LINK_CREATION_ORDER).is_none());
    }

    #[test]
    fn reference_counts_add_up_and_stop_at_zero() {
        let mut object = json!({"id": "g-x"});
        let change = |object: &mut Value, change| {
            apply(object, &Mutation::ChangeRefCount { change }).unwrap()
        };
        assert_eq!(change(&mut object, 2), Outcome::Updated);
        assert_eq!(object[REF_COUNT], json!(2));
        change(&mut object, -5);
        assert_eq!(object[REF_COUNT], json!(0));
        assert_eq!(change(&mut object, -1), Outcome::Unchanged);
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
    fn a_replaced_attribute_keeps_its_creation_time() {
        let mut group = json!({"attributes": {}});
        let first = links(json!({"a": {"type": "H5T_STD_I32LE", "shape": {"class": "H5S_SCALAR"},
            "value": 1, "created": 100.5}}));
        apply(&mut group, &Mutation::PutAttributes { attributes: first, replace: false }).unwrap();
        let again = links(json!({"a": {"type": "H5T_STD_I32LE", "shape": {"class": "H5S_SCALAR"},
            "value": 2, "created": 200.5}}));
        let outcome =
            apply(&mut group, &Mutation::PutAttributes { attributes: again, replace: true });
        assert_eq!(outcome.unwrap(), Outcome::Updated);
        assert_eq!(group["attributes"]["a"]["value"], json!(2));
        assert_eq!(group["attributes"]["a"]["created"], json!(100.5));
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
