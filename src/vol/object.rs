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

/// The object's path in its file (`H5Iget_name`): `/` for the root group, else the first path
/// the service knows for it; empty for an object no link reaches.
pub fn name_of(file: &OpenFile, id: &ObjId) -> Result<String, VolError> {
    if id.is_root() {
        return Ok("/".to_string());
    }
    let path = format!("/{}/{}", id.class().collection(), id.as_str());
    let json = file.send_json(Request::get(path).param("getalias", "1"))?;
    Ok(json
        .get("alias")
        .and_then(Value::as_array)
        .and_then(|paths| paths.first())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

/// What `H5Oget_info` reports beyond the token and type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectFacts {
    /// Number of attributes.
    pub num_attrs: u64,
    /// Creation time, seconds since the epoch.
    pub created: f64,
    /// Last modification, seconds since the epoch.
    pub modified: f64,
    /// HDF5's reference count: the object's link plus the references the service stores
    /// (`refCount`: `H5Oincr_refcount`, datasets and attributes using a committed datatype).
    pub ref_count: u32,
}

/// Attribute count and times of `id`.
pub fn facts(file: &OpenFile, id: &ObjId) -> Result<ObjectFacts, VolError> {
    let json = get_object(file, id)?;
    let number = |key: &str| json.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    Ok(ObjectFacts {
        num_attrs: json.get("attributeCount").and_then(Value::as_u64).unwrap_or(0),
        created: number("created"),
        modified: number("lastModified"),
        ref_count: 1 + json
            .get("refCount")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
            .min(u32::MAX - 1),
    })
}

/// `H5Oincr_refcount`/`H5Odecr_refcount` (`change` ±1), and a committed datatype gaining or
/// losing a user: adds `change` to the reference count the service stores for `id`.
///
/// # Errors
/// [`VolError::Client`] when the service refuses (HSDS has no such request).
pub fn change_ref_count(file: &OpenFile, id: &ObjId, change: i64) -> Result<(), VolError> {
    file.check_writable("reference count change")?;
    let path = format!("/{}/{}", id.class().collection(), id.as_str());
    file.send(Request::put(path).json(serde_json::json!({ "refCountChange": change })))?;
    Ok(())
}

/// `H5Ldelete` of a hard link to `id`, before the link goes: when it is the object's last
/// (reference count 1), HDF5 frees the object, so the committed datatypes it and its
/// attributes use each lose a user (see [`super::attribute::release_committed_type`]); the
/// releases happen once `delete` (the link deletion) succeeds. Best effort against a
/// service that keeps no counts (HSDS).
pub fn delete_link_releasing_types(
    file: &OpenFile,
    id: &ObjId,
    delete: impl FnOnce() -> Result<(), VolError>,
) -> Result<(), VolError> {
    let json = get_object(file, id).ok();
    delete()?;
    let Some(json) = json else { return Ok(()) };
    let extra_refs = json.get("refCount").and_then(Value::as_u64).unwrap_or(0);
    if extra_refs > 0 {
        return Ok(());
    }
    if let Some(type_json) = json.get("type") {
        super::attribute::release_committed_type(file, type_json);
    }
    if json.get("attributeCount").and_then(Value::as_u64).unwrap_or(0) > 0 {
        for attr in super::attribute::list(file, id, false).unwrap_or_default() {
            super::attribute::release_committed_type(
                file,
                attr.get("type").unwrap_or(&Value::Null),
            );
        }
    }
    Ok(())
}

/// The objects `H5Ovisit` reports from `start`: the start itself as `.`, then every object
/// reached through hard links, once, with the first path that reaches it.
pub fn visit_objects(
    file: &OpenFile,
    start: &ObjId,
    by_creation_order: bool,
    decreasing: bool,
) -> Result<Vec<(String, ObjId)>, VolError> {
    let mut out = vec![(".".to_string(), start.clone())];
    if start.class() != ObjClass::Group {
        return Ok(out);
    }
    let links = super::link::visit(file, start, true, by_creation_order, decreasing)?;
    for entry in links {
        if let super::link::LinkTarget::Hard(id) = entry.link.target {
            if !out.iter().any(|(_, seen)| *seen == id) {
                out.push((entry.path, id));
            }
        }
    }
    Ok(out)
}

/// Like [`resolve`], but crosses mount points (`H5Fmount`) and follows external links into
/// other files (opened with this file's settings and intent), as HDF5 does when opening an
/// object through one. Returns the file the object lives in.
pub fn resolve_in_files(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<(Arc<OpenFile>, Resolved), VolError> {
    if file.mounts().is_involved() {
        let at = super::mount::locate(file, anchor, path)?;
        return resolve_across_external_links(&at.file, &at.anchor, &at.path);
    }
    resolve_across_external_links(file, anchor, path)
}

fn resolve_across_external_links(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<(Arc<OpenFile>, Resolved), VolError> {
    match resolve(file, anchor, path) {
        Ok(found) => Ok((file.clone(), found)),
        Err(err) if is_client_status(&err, &[400, 404]) => walk(file, anchor, path, 0).or(Err(err)),
        Err(err) => Err(err),
    }
}

fn is_client_status(err: &VolError, statuses: &[u16]) -> bool {
    matches!(err, VolError::Client(c) if c.status().is_some_and(|s| statuses.contains(&s)))
}

/// External links followed at most this deep (HDF5's default `H5Pset_elink_...` limit is 16
/// nested traversals too).
const MAX_EXTERNAL_DEPTH: usize = 16;

fn walk(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
    depth: usize,
) -> Result<(Arc<OpenFile>, Resolved), VolError> {
    if depth > MAX_EXTERNAL_DEPTH {
        return Err(VolError::InvalidArgument("too many nested external links".into()));
    }
    let mut current = if path.starts_with('/') { file.root().clone() } else { anchor.clone() };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for (index, part) in parts.iter().enumerate() {
        let link = super::link::get(file, &current, part)?;
        match link.target {
            super::link::LinkTarget::Hard(id) => current = id,
            super::link::LinkTarget::Soft(target) => current = resolve(file, &current, &target)?.id,
            super::link::LinkTarget::External { file: other, path: inner } => {
                let flags = if file.is_writable() { super::file::ACC_RDWR } else { 0 };
                let other = OpenFile::open(file.session_settings(), &other, flags)?;
                let rest: Vec<&str> = parts[index + 1..].to_vec();
                let full = if rest.is_empty() {
                    inner
                } else {
                    format!("{}/{}", inner.trim_end_matches('/'), rest.join("/"))
                };
                let root = other.root().clone();
                return match resolve(&other, &root, &full) {
                    Ok(found) => Ok((other, found)),
                    Err(_) => walk(&other, &root, &full, depth + 1),
                };
            }
        }
    }
    let json = get_object(file, &current)?;
    Ok((file.clone(), Resolved { id: current, json }))
}

/// `path` without `.` and empty components (`./a//b` → `a/b`, `/./a` → `/a`): HDF5 accepts
/// them, HSDS's `h5path` does not.
pub fn without_dot_segments(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let joined = parts.join("/");
    if path.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// [`create_object`] in the file where `path` leads once mount points are crossed (the file
/// itself unless it takes part in a mount). Returns that file and the new id.
pub fn create_linked_object(
    file: &Arc<OpenFile>,
    class: ObjClass,
    anchor: &ObjId,
    path: Option<&str>,
    intermediate: bool,
    body: Value,
) -> Result<(Arc<OpenFile>, ObjId), VolError> {
    match path {
        Some(path) if file.mounts().is_involved() => {
            let at = super::mount::locate_parent(file, anchor, path)?;
            let id =
                create_object(&at.file, class, &at.anchor, Some(&at.path), intermediate, body)?;
            Ok((at.file, id))
        }
        _ => Ok((file.clone(), create_object(file, class, anchor, path, intermediate, body)?)),
    }
}

/// `POST /{collection}` of a new group, dataset or committed datatype: linked at `path`
/// (relative to `anchor`, absolute from the root) or anonymous when `path` is `None`, creating
/// missing intermediate groups first when `intermediate`. Returns the new id.
pub fn create_object(
    file: &OpenFile,
    class: ObjClass,
    anchor: &ObjId,
    path: Option<&str>,
    intermediate: bool,
    mut body: Value,
) -> Result<ObjId, VolError> {
    let what = class.name();
    file.check_writable(&format!("{what} create"))?;
    if let Some(path) = path {
        let name = path.trim_end_matches('/');
        if name.is_empty() || name == "." || name.ends_with("/.") {
            return Err(VolError::InvalidArgument(format!("invalid {what} name '{path}'")));
        }
        let parent = if name.starts_with('/') { file.root() } else { anchor };
        if intermediate {
            // HDF5 gives the new groups the object creation properties of a group or dataset.
            let inherited = match class {
                ObjClass::Datatype => None,
                _ => body
                    .get("creationProperties")
                    .map(crate::h5::plist::intermediate_group_properties),
            };
            super::group::create_missing_parents(file, anchor, name, inherited.as_ref())?;
        }
        body["h5path"] = Value::from(without_dot_segments(name));
        body["parent_id"] = Value::from(parent.as_str());
    }
    let mut request = Request::post(format!("/{}", class.collection())).json(body);
    if intermediate {
        request = request.param("implicit", "1");
    }
    let reply = file.send_json(request)?;
    let id = reply
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| VolError::InvalidArgument(format!("{what} create: reply has no id")))?;
    Ok(ObjId::parse(id)?)
}

#[cfg(test)]
mod tests {
    use super::without_dot_segments;

    #[test]
    fn dot_and_empty_components_are_dropped() {
        assert_eq!(without_dot_segments("./a/b"), "a/b");
        assert_eq!(without_dot_segments("a/./b"), "a/b");
        assert_eq!(without_dot_segments("/./a//b"), "/a/b");
        assert_eq!(without_dot_segments("/a"), "/a");
        assert_eq!(without_dot_segments("a"), "a");
    }
}
