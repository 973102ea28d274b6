//! Groups: create (optionally with intermediate groups), open, and the facts `H5Gget_info`
//! reports.

use std::sync::Arc;

use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::{get_object, resolve_in_files, ObjHandle};
use crate::client::Request;
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
    file.check_writable("group create")?;
    let name = path.trim_end_matches('/');
    if name.is_empty() || name.ends_with("/.") || name == "." {
        return Err(VolError::InvalidArgument(format!("invalid group name '{path}'")));
    }
    let parent = if name.starts_with('/') { file.root() } else { anchor };
    let mut body = json!({"h5path": name, "parent_id": parent.as_str()});
    if let Some(props) = creation_properties {
        body["creationProperties"] = props;
    }
    let mut request = Request::post("/groups").json(body);
    if intermediate {
        request = request.param("implicit", "1");
    }
    let reply = file.send_json(request)?;
    let id = reply
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| VolError::InvalidArgument("group create: reply has no id".into()))?;
    Ok(ObjHandle::new(file.clone(), ObjId::parse(id)?))
}

/// `H5Gcreate_anon`: a group with no link (the service may collect it once unreferenced).
pub fn create_anonymous(
    file: &Arc<OpenFile>,
    creation_properties: Option<Value>,
) -> Result<ObjHandle, VolError> {
    file.check_writable("group create")?;
    let mut body = json!({});
    if let Some(props) = creation_properties {
        body["creationProperties"] = props;
    }
    let reply = file.send_json(Request::post("/groups").json(body))?;
    let id = reply
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| VolError::InvalidArgument("group create: reply has no id".into()))?;
    Ok(ObjHandle::new(file.clone(), ObjId::parse(id)?))
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
    Ok(GroupInfo { nlinks, max_corder: nlinks as i64 })
}
