//! Groups: create (optionally with intermediate groups), open, and the facts `H5Gget_info`
//! reports.

use std::sync::Arc;

use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::{
    create_linked_object, create_object, get_object, resolve, resolve_in_files, ObjHandle,
};
use crate::model::{ObjClass, ObjId};

/// What `H5Gget_info` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupInfo {
    /// Number of links in the group.
    pub nlinks: u64,
    /// Next creation-order value.
    pub max_corder: i64,
}

/// `H5Gcreate`: makes a group at `path` relative to `anchor`.
pub fn create(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
    intermediate: bool,
    creation_properties: Option<Value>,
) -> Result<ObjHandle, VolError> {
    let mut body = json!({});
    if let Some(props) = creation_properties {
        body["creationProperties"] = props;
    }
    let (file, id) =
        create_linked_object(file, ObjClass::Group, anchor, Some(path), intermediate, body)?;
    Ok(ObjHandle::new(file, id))
}

/// `H5Gcreate_anon`: a group with no link (the service may collect it once unreferenced).
pub fn create_anonymous(
    file: &Arc<OpenFile>,
    creation_properties: Option<Value>,
) -> Result<ObjHandle, VolError> {
    let mut body = json!({});
    if let Some(props) = creation_properties {
        body["creationProperties"] = props;
    }
    let id = create_object(file, ObjClass::Group, file.root(), None, false, body)?;
    Ok(ObjHandle::new(file.clone(), id))
}

/// `H5Pset_create_intermediate_group`: creates the groups missing on the way to `path` (the
/// link about to be made, relative to `anchor` or absolute), top down. Every call that makes
/// a link (objects, hard, soft and external links, `H5Lcopy`, `H5Lmove`, `H5Ocopy`) goes
/// through here. `props` are the new groups' `creationProperties` (HDF5 gives intermediate
/// groups the object creation properties of the group or dataset being created).
pub fn create_missing_parents(
    file: &OpenFile,
    anchor: &ObjId,
    path: &str,
    props: Option<&Value>,
) -> Result<(), VolError> {
    let trimmed = path.trim_end_matches('/');
    let Some(at) = trimmed.rfind('/') else { return Ok(()) };
    let parent = &trimmed[..at];
    if parent.trim_matches('/').is_empty() || object_exists(file, anchor, parent)? {
        return Ok(());
    }
    let mut body = json!({});
    if let Some(props) = props.filter(|p| p.as_object().is_some_and(|m| !m.is_empty())) {
        body["creationProperties"] = props.clone();
    }
    let mut prefix = if parent.starts_with('/') { "/".to_string() } else { String::new() };
    for part in parent.split('/').filter(|part| !part.is_empty() && *part != ".") {
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        prefix.push_str(part);
        if !object_exists(file, anchor, &prefix)? {
            create_object(file, ObjClass::Group, anchor, Some(&prefix), false, body.clone())?;
        }
    }
    Ok(())
}

/// Whether `path` (relative to `anchor`) leads to an object.
fn object_exists(file: &OpenFile, anchor: &ObjId, path: &str) -> Result<bool, VolError> {
    match resolve(file, anchor, path) {
        Ok(_) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// `H5Gopen`: opens the group at `path` relative to `anchor`.
pub fn open(file: &Arc<OpenFile>, anchor: &ObjId, path: &str) -> Result<ObjHandle, VolError> {
    let (file, found) = resolve_in_files(file, anchor, path)?;
    if found.id.class() != ObjClass::Group {
        return Err(VolError::InvalidArgument(format!("'{path}' is not a group")));
    }
    Ok(ObjHandle::new(file, found.id))
}

/// `H5Gget_info` for the group `id`.
pub fn info(file: &OpenFile, id: &ObjId) -> Result<GroupInfo, VolError> {
    let json = get_object(file, id)?;
    let nlinks = json.get("linkCount").and_then(Value::as_u64).unwrap_or(0);
    // restvol's service keeps the group's next creation order value; HSDS does not.
    let max_corder = json.get("maxLinkCreationOrder").and_then(Value::as_u64).unwrap_or(nlinks);
    Ok(GroupInfo { nlinks, max_corder: max_corder as i64 })
}
