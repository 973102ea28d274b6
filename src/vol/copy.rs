//! `H5Ocopy`: copies a group (recursively), dataset (with its values) or committed datatype,
//! with its attributes, to a new path in the same or another file, over the REST API.
//!
//! An object reached twice through hard links inside the copied hierarchy is copied once and
//! linked twice, as HDF5 does. Soft links are kept as soft links unless the copy expands them;
//! external links likewise.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::attribute;
use super::error::VolError;
use super::file::OpenFile;
use super::link::{self, LinkTarget};
use super::object::{get_object, resolve};
use crate::client::Request;
use crate::model::{ObjClass, ObjId};

/// What `H5Pset_copy_object` asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Copy only the immediate members of a group (`H5O_COPY_SHALLOW_HIERARCHY_FLAG`).
    pub shallow: bool,
    /// Copy the objects soft links point to instead of the links.
    pub expand_soft_links: bool,
    /// Leave attributes out.
    pub without_attributes: bool,
    /// Create missing groups on the destination path (`H5Pset_create_intermediate_group` on
    /// the link creation list, as `h5copy -p` sets).
    pub create_intermediate_groups: bool,
}

struct Copier<'a> {
    src: &'a OpenFile,
    dst: &'a Arc<OpenFile>,
    options: CopyOptions,
    copied: HashMap<ObjId, ObjId>,
}

/// Copies the object at `src_path` (relative to `src_anchor` in `src`) to `dst_path` (relative
/// to `dst_anchor` in `dst`).
pub fn copy(
    src: &OpenFile,
    src_anchor: &ObjId,
    src_path: &str,
    dst: &Arc<OpenFile>,
    dst_anchor: &ObjId,
    dst_path: &str,
    options: CopyOptions,
) -> Result<(), VolError> {
    dst.check_writable("object copy")?;
    if options.create_intermediate_groups {
        super::group::create_missing_parents(dst, dst_anchor, dst_path, None)?;
    }
    if link::exists(dst, dst_anchor, dst_path)? {
        return Err(VolError::InvalidArgument(format!("'{dst_path}' already exists")));
    }
    let source = resolve(src, src_anchor, src_path)?.id;
    let (parent, name) = link::parent_and_name(dst, dst_anchor, dst_path)?;
    let mut copier = Copier { src, dst, options, copied: HashMap::new() };
    copier.copy_into(&source, &parent, &name, 0)
}

impl Copier<'_> {
    /// Copies `source` (or links an already-copied one) as `parent/name` in the destination.
    fn copy_into(
        &mut self,
        source: &ObjId,
        parent: &ObjId,
        name: &str,
        depth: usize,
    ) -> Result<(), VolError> {
        if let Some(done) = self.copied.get(source) {
            let target = LinkTarget::Hard(done.clone());
            return link::create(self.dst, parent, name, target);
        }
        let json = get_object(self.src, source)?;
        let link = json!({"id": parent.as_str(), "name": name});
        let created = match source.class() {
            ObjClass::Group => self.post("/groups", json!({ "link": link }))?,
            ObjClass::Datatype => {
                self.post("/datatypes", json!({ "link": link, "type": json["type"] }))?
            }
            ObjClass::Dataset => {
                let mut body = json!({
                    "link": link,
                    "type": json["type"],
                    "shape": json["shape"]["dims"],
                });
                if let Some(max) = json["shape"].get("maxdims") {
                    body["maxdims"] = max.clone();
                }
                if json["shape"]["class"] == "H5S_NULL" {
                    body["shape"] = json!("H5S_NULL");
                } else if json["shape"]["class"] == "H5S_SCALAR" {
                    body.as_object_mut().map(|m| m.remove("shape"));
                }
                if let Some(props) = json.get("creationProperties") {
                    body["creationProperties"] = props.clone();
                }
                let id = self.post("/datasets", body)?;
                self.copy_values(source, &id, &json)?;
                id
            }
        };
        self.copied.insert(source.clone(), created.clone());
        if !self.options.without_attributes {
            self.copy_attributes(source, &created)?;
        }
        if source.class() == ObjClass::Group && !(self.options.shallow && depth > 0) {
            for member in link::list(self.src, source, true)? {
                match member.target {
                    LinkTarget::Hard(id) => {
                        self.copy_into(&id, &created, &member.name, depth + 1)?
                    }
                    LinkTarget::Soft(path) if self.options.expand_soft_links => {
                        match resolve(self.src, source, &path) {
                            Ok(found) => {
                                self.copy_into(&found.id, &created, &member.name, depth + 1)?
                            }
                            // A dangling soft link stays a soft link.
                            Err(err) if err.is_not_found() => link::create(
                                self.dst,
                                &created,
                                &member.name,
                                LinkTarget::Soft(path),
                            )?,
                            Err(err) => return Err(err),
                        }
                    }
                    other => link::create(self.dst, &created, &member.name, other)?,
                }
            }
        }
        Ok(())
    }

    fn post(&self, collection: &str, body: Value) -> Result<ObjId, VolError> {
        let reply = self.dst.send_json(Request::post(collection).json(body))?;
        let id = reply
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| VolError::InvalidArgument("object copy: reply has no id".into()))?;
        Ok(ObjId::parse(id)?)
    }

    fn copy_values(&self, source: &ObjId, target: &ObjId, json: &Value) -> Result<(), VolError> {
        if json["shape"]["class"] == "H5S_NULL" {
            return Ok(());
        }
        let path = |id: &ObjId| format!("/datasets/{}/value", id.as_str());
        let values = self.src.send(Request::get(path(source)).accept_binary())?;
        if values.body.is_empty() {
            return Ok(());
        }
        if values.is_binary() {
            self.dst.send(Request::put(path(target)).binary(values.body.to_vec()))?;
        } else {
            let value = values.json::<Value>()?;
            let value = value.get("value").cloned().unwrap_or(value);
            self.dst.send(Request::put(path(target)).json(json!({ "value": value })))?;
        }
        Ok(())
    }

    fn copy_attributes(&self, source: &ObjId, target: &ObjId) -> Result<(), VolError> {
        let base = |id: &ObjId| format!("/{}/{}/attributes", id.class().collection(), id.as_str());
        let reply = self.src.send_json(Request::get(base(source)).param("IncludeData", "1"))?;
        let items = reply.get("attributes").and_then(Value::as_array).cloned().unwrap_or_default();
        for item in items {
            let Some(name) = item.get("name").and_then(Value::as_str) else { continue };
            let path = format!("{}/{}", base(target), link::percent_encode(name));
            self.dst.send(Request::put(path).json(attribute::recreate_body(&item)))?;
        }
        Ok(())
    }
}
