//! Committed (named) datatypes over `/datatypes`: commit, open.

use std::sync::Arc;

use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::{create_linked_object, resolve_in_files, ObjHandle};
use crate::client::Request;
use crate::model::{ObjClass, ObjId};

/// `H5Tcommit`: stores `type_json` as a committed datatype, linked at `path` (relative to
/// `anchor`) or anonymous when `path` is `None`. Returns the handle and the stored JSON.
pub fn commit(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: Option<&str>,
    intermediate: bool,
    type_json: Value,
    creation_properties: Option<Value>,
) -> Result<(ObjHandle, Value), VolError> {
    let mut body = json!({ "type": type_json });
    if let Some(props) = creation_properties {
        body["creationProperties"] = props;
    }
    let (file, id) =
        create_linked_object(file, ObjClass::Datatype, anchor, path, intermediate, body)?;
    let json = file.send_json(Request::get(format!("/datatypes/{}", id.as_str())))?;
    Ok((ObjHandle::new(file, id), json))
}

/// `H5Topen`: the committed datatype at `path` relative to `anchor`, with its JSON.
pub fn open(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<(ObjHandle, Value), VolError> {
    let (file, found) = resolve_in_files(file, anchor, path)?;
    let file = &file;
    if found.id.class() != ObjClass::Datatype {
        return Err(VolError::InvalidArgument(format!("'{path}' is not a committed datatype")));
    }
    let json = if found.json.get("type").is_some() {
        found.json
    } else {
        file.send_json(Request::get(format!("/datatypes/{}", found.id.as_str())))?
    };
    Ok((ObjHandle::new(file.clone(), found.id), json))
}
