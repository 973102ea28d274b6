//! Handles on objects inside an open file (groups, datasets, committed datatypes) and the
//! resolution of HDF5 paths relative to them.

use std::sync::Arc;

use serde_json::Value;

use super::error::VolError;
use super::file::OpenFile;
use crate::client::Request;
use crate::model::{ObjClass, ObjId};

/// A group, dataset or committed datatype in an open file.
#[derive(Debug)]
pub struct ObjHandle {
    file: Arc<OpenFile>,
    id: ObjId,
}

impl ObjHandle {
    /// A handle on `id` in `file`, counted as an open object of the file.
    pub fn new(file: Arc<OpenFile>, id: ObjId) -> ObjHandle {
        file.object_opened();
        ObjHandle { file, id }
    }

    /// The file the object lives in.
    pub fn file(&self) -> &Arc<OpenFile> {
        &self.file
    }

    /// The object's id.
    pub fn id(&self) -> &ObjId {
        &self.id
    }

    /// The object's class.
    pub fn class(&self) -> ObjClass {
        self.id.class()
    }
}

impl Drop for ObjHandle {
    fn drop(&mut self) {
        self.file.object_closed();
    }
}

/// What an HDF5 path resolved to.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The object's id.
    pub id: ObjId,
    /// The object's JSON as the service returned it.
    pub json: Value,
}

/// Resolves `path` (absolute, or relative to the object `anchor`) to an object, following soft
/// links. `.` is the anchor itself.
pub fn resolve(file: &OpenFile, anchor: &ObjId, path: &str) -> Result<Resolved, VolError> {
    if path.is_empty() {
        return Err(VolError::InvalidArgument("empty object name".into()));
    }
    if path == "." {
        let json = get_object(file, anchor)?;
        return Ok(Resolved { id: anchor.clone(), json });
    }
    let mut request = Request::get("/").param("h5path", path).param("follow_soft_links", "1");
    if !path.starts_with('/') {
        request = request.param("parent_id", anchor.as_str());
    }
    let json = file.send_json(request)?;
    let id = json.get("id").and_then(Value::as_str).ok_or_else(|| {
        VolError::InvalidArgument(format!("'{path}' did not resolve to an object"))
    })?;
    Ok(Resolved { id: ObjId::parse(id)?, json })
}

/// `GET /{collection}/{id}`.
pub fn get_object(file: &OpenFile, id: &ObjId) -> Result<Value, VolError> {
    file.send_json(Request::get(format!("/{}/{}", id.class().collection(), id.as_str())))
}
