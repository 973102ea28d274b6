//! Attributes of groups, datasets and committed datatypes over
//! `/{collection}/{id}/attributes[/{name}[/value]]`: create, describe, list, read and write
//! values in the REST binary form, delete, rename.

use base64::Engine as _;
use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::link::percent_encode;
use crate::client::Request;
use crate::model::attributes::{CREATION_PROPERTIES_KEY, NAME_CHAR_ENCODING_KEY};
use crate::model::shapes::Shape;
use crate::model::types::Datatype;
use crate::model::ObjId;

fn attributes_path(owner: &ObjId) -> String {
    format!("/{}/{}/attributes", owner.class().collection(), owner.as_str())
}

fn attribute_path(owner: &ObjId, name: &str) -> String {
    format!("{}/{}", attributes_path(owner), percent_encode(name))
}

fn check_name(name: &str) -> Result<(), VolError> {
    if name.is_empty() {
        return Err(VolError::InvalidArgument("attribute name is empty".into()));
    }
    Ok(())
}

/// `H5Acreate`: makes attribute `name` of `owner` with no value written yet; a UTF-8 name
/// (`name_utf8`) is recorded as HDF5/JSON's `creationProperties.nameCharEncoding`. Returns the
/// attribute's `type`, `shape` and creation properties as sent (no second request to read
/// them back).
pub fn create(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    type_json: Value,
    shape_json: Value,
    name_utf8: bool,
) -> Result<Value, VolError> {
    file.check_writable("attribute create")?;
    check_name(name)?;
    let mut body = json!({"type": type_json, "shape": shape_json});
    if name_utf8 {
        body[CREATION_PROPERTIES_KEY] = utf8_name_properties();
    }
    match file.send(Request::put(attribute_path(owner, name)).json(body.clone())) {
        // HSDS (and restvol's service) answer 200 instead of 201 when an identical attribute
        // is there already; HDF5 refuses to create an attribute that exists.
        Ok(reply) if reply.status == 200 => {
            Err(VolError::InvalidArgument(format!("attribute '{name}' already exists")))
        }
        Ok(_) => Ok(body),
        Err(err) if err.is_conflict() => {
            Err(VolError::InvalidArgument(format!("attribute '{name}' already exists")))
        }
        Err(err) => Err(err),
    }
}

/// The attribute's JSON (`name`, `type`, `shape`, `created`), without its value.
pub fn get(file: &OpenFile, owner: &ObjId, name: &str) -> Result<Value, VolError> {
    check_name(name)?;
    file.send_json(Request::get(attribute_path(owner, name)).param("IncludeData", "0"))
}

/// `H5Aopen`: the attribute's JSON as [`get`] gives it. Its value (binary) is asked for in
/// the same round trip, since a program opens an attribute mostly to read it: the session keeps
/// the answer briefly, so the `H5Aread` that follows costs no request. A value that cannot be
/// sent as binary is left for [`read_value`] to ask again.
pub fn open(file: &OpenFile, owner: &ObjId, name: &str) -> Result<Value, VolError> {
    check_name(name)?;
    let requests = vec![
        Request::get(attribute_path(owner, name)).param("IncludeData", "0"),
        Request::get(format!("{}/value", attribute_path(owner, name))).accept_binary(),
    ];
    let mut replies = file.send_all(requests)?.into_iter();
    match replies.next() {
        Some(reply) => Ok(reply?.json::<Value>()?),
        None => Err(VolError::Internal("no answer to the attribute request")),
    }
}

/// Whether `owner` has an attribute `name`.
pub fn exists(file: &OpenFile, owner: &ObjId, name: &str) -> Result<bool, VolError> {
    match get(file, owner, name) {
        Ok(_) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// Every attribute of `owner` (without values), by name or by creation order.
pub fn list(
    file: &OpenFile,
    owner: &ObjId,
    by_creation_order: bool,
) -> Result<Vec<Value>, VolError> {
    let mut request = Request::get(attributes_path(owner));
    if by_creation_order {
        request = request.param("CreateOrder", "1");
    }
    let reply = file.send_json(request)?;
    let mut items = reply.get("attributes").and_then(Value::as_array).cloned().unwrap_or_default();
    let created = |v: &Value| v.get("created").and_then(Value::as_f64).unwrap_or(0.0);
    let name = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if by_creation_order {
        items.sort_by(|a, b| created(a).total_cmp(&created(b)).then_with(|| name(a).cmp(&name(b))));
    } else {
        items.sort_by_key(name);
    }
    Ok(items)
}

/// The attribute's value in the REST binary form; an attribute never written reads as zeros
/// (`expected_len` bytes).
pub fn read_value(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    expected_len: usize,
) -> Result<Vec<u8>, VolError> {
    let path = format!("{}/value", attribute_path(owner, name));
    let reply = match file.send(Request::get(path.clone()).accept_binary()) {
        Ok(reply) => reply,
        // A service may refuse binary for a value never written: ask for JSON instead.
        Err(VolError::Client(err)) if err.status() == Some(400) => {
            file.send(Request::get(path)).map_err(|_| VolError::Client(err))?
        }
        Err(err) => return Err(err),
    };
    if reply.is_binary() {
        return Ok(reply.body.to_vec());
    }
    // A JSON answer: the value is null (never written).
    match reply.json::<Value>()?.get("value") {
        None | Some(Value::Null) => Ok(vec![0u8; expected_len]),
        Some(_) => Err(VolError::InvalidArgument(format!(
            "attribute '{name}': the service sent its value as JSON, not binary"
        ))),
    }
}

/// Replaces the value of attribute `name` (of `datatype` and `shape`, as stored) with `data`
/// (REST binary form).
///
/// A scalar attribute of a compound or array type is written by replacing the whole attribute
/// (`PUT …/attributes/{name}?replace=1` with its type, shape and the value in base64): HSDS
/// 1.0.2 keeps only the first field or element of such a value sent to `…/value`, binary or
/// JSON, while it keeps a value given in the attribute's `PUT` whole. A replaced attribute
/// keeps its creation time (HSDS and restvol's service), so creation order is unchanged.
pub fn write_value(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    stored: Described<'_>,
    data: Vec<u8>,
) -> Result<(), VolError> {
    file.check_writable("attribute write")?;
    let Described { datatype, shape, name_utf8 } = stored;
    if *shape == Shape::Scalar && is_aggregate(datatype) {
        let mut body = json!({
            "type": datatype.to_json(),
            "shape": shape.to_json(),
            "value": base64::engine::general_purpose::STANDARD.encode(&data),
            "encoding": "base64",
        });
        if name_utf8 {
            body[CREATION_PROPERTIES_KEY] = utf8_name_properties();
        }
        file.send(Request::put(attribute_path(owner, name)).param("replace", "1").json(body))?;
        return Ok(());
    }
    file.send(Request::put(format!("{}/value", attribute_path(owner, name))).binary(data))?;
    Ok(())
}

/// What an attribute was created with: a replacing `PUT` must say it all again.
#[derive(Debug, Clone, Copy)]
pub struct Described<'a> {
    /// The stored type.
    pub datatype: &'a Datatype,
    /// The attribute's shape.
    pub shape: &'a Shape,
    /// Whether the attribute's name is UTF-8.
    pub name_utf8: bool,
}

/// HDF5/JSON's attribute creation properties for a UTF-8 name.
fn utf8_name_properties() -> Value {
    json!({ NAME_CHAR_ENCODING_KEY: "H5T_CSET_UTF8" })
}

/// Whether one value of `datatype` has several fields or elements (compound or array).
fn is_aggregate(datatype: &Datatype) -> bool {
    match datatype {
        Datatype::Compound(_) | Datatype::Array { .. } => true,
        Datatype::CommittedCopy { datatype, .. } => is_aggregate(datatype),
        _ => false,
    }
}

/// `H5Adelete`.
pub fn delete(file: &OpenFile, owner: &ObjId, name: &str) -> Result<(), VolError> {
    file.check_writable("attribute delete")?;
    file.send(Request::delete(attribute_path(owner, name)))?;
    Ok(())
}

/// `H5Adelete`: deletes attribute `name` of `owner`; when its type is a committed datatype,
/// that datatype loses a user (HDF5 lowers its reference count), as
/// [`release_committed_type`]. `type_json` is the attribute's type when the caller has it;
/// otherwise it is read first.
pub fn delete_releasing_type(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    type_json: Option<&Value>,
) -> Result<(), VolError> {
    let fetched;
    let type_json = match type_json {
        Some(json) => json.clone(),
        None => {
            let request = Request::get(attribute_path(owner, name)).param("IncludeData", "0");
            fetched = file.send_json(request)?;
            fetched.get("type").cloned().unwrap_or(Value::Null)
        }
    };
    delete(file, owner, name)?;
    release_committed_type(file, &type_json);
    Ok(())
}

/// The committed datatype a type JSON (of an attribute or a dataset) uses: the `id` of a
/// committed copy, or the `"t-…"` reference itself.
pub fn committed_type_of(type_json: &Value) -> Option<ObjId> {
    let text = match type_json {
        Value::String(text) => text.as_str(),
        Value::Object(map) => map.get("id").and_then(Value::as_str)?,
        _ => return None,
    };
    ObjId::parse(text).ok().filter(|id| id.class() == crate::model::ObjClass::Datatype)
}

/// One user fewer (an attribute or dataset that is gone) of the committed datatype
/// `type_json` names, if any. Best effort, as [`super::link::count_hard_link`]: HSDS keeps
/// no count.
pub fn release_committed_type(file: &OpenFile, type_json: &Value) {
    if let Some(id) = committed_type_of(type_json) {
        let _ = super::object::change_ref_count(file, &id, -1);
    }
}

/// `H5Arename`: copies the attribute (type, shape and value) to `new_name`, then deletes the old
/// one.
pub fn rename(
    file: &OpenFile,
    owner: &ObjId,
    old_name: &str,
    new_name: &str,
) -> Result<(), VolError> {
    file.check_writable("attribute rename")?;
    check_name(new_name)?;
    if exists(file, owner, new_name)? {
        return Err(VolError::InvalidArgument(format!("attribute '{new_name}' already exists")));
    }
    let full = file.send_json(Request::get(attribute_path(owner, old_name)))?;
    let body = recreate_body(&full);
    file.send(Request::put(attribute_path(owner, new_name)).json(body))?;
    delete(file, owner, old_name)
}

/// The PUT body that makes a copy of an attribute from its full GET form (`IncludeData`): its
/// type, shape, value (base64 ones say so with `encoding`) and creation properties.
pub fn recreate_body(full: &Value) -> Value {
    let mut body = json!({"type": full["type"], "shape": full["shape"]});
    for key in ["value", "encoding", CREATION_PROPERTIES_KEY] {
        if let Some(kept) = full.get(key) {
            body[key] = kept.clone();
        }
    }
    body
}

/// The value of an attribute whose type has variable-length parts, as the REST count+bytes
/// stream (the REST API moves such attribute values only as JSON); an attribute never written
/// reads as empty elements.
pub fn read_variable_value(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    datatype: &crate::model::types::Datatype,
    dims: &[u64],
) -> Result<Vec<u8>, VolError> {
    let reply = file.send_json(Request::get(format!("{}/value", attribute_path(owner, name))))?;
    match reply.get("value") {
        None | Some(Value::Null) => {
            let count: u64 = dims.iter().product();
            Ok(vec![0u8; 4 * count as usize])
        }
        Some(value) => Ok(crate::model::values::json_to_bytes(datatype, dims, value)?),
    }
}

/// Replaces the value of an attribute whose type has variable-length parts, given as a REST
/// count+bytes stream (sent as JSON).
pub fn write_variable_value(
    file: &OpenFile,
    owner: &ObjId,
    name: &str,
    datatype: &crate::model::types::Datatype,
    dims: &[u64],
    stream: &[u8],
) -> Result<(), VolError> {
    file.check_writable("attribute write")?;
    let value = crate::model::values::bytes_to_json(datatype, dims, stream)?;
    let path = format!("{}/value", attribute_path(owner, name));
    file.send(Request::put(path).json(json!({ "value": value })))?;
    Ok(())
}
