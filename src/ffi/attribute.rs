//! `H5VL_attr_class_t`: the `extern "C"` callbacks behind `H5Acreate*`, `H5Aopen*`,
//! `H5Aread`/`H5Awrite`, `H5Aget_*`, `H5Adelete*`, `H5Aexists*`, `H5Aiterate*`, `H5Arename*`
//! and `H5Aclose`. Values travel in the REST binary form; HDF5 converts them to and from the
//! application's memory type.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use serde_json::Value;

use super::boundary::guard;
use super::h5mem::VlenImage;
use super::hdf5::{args_mut, close_object, copy_out, hid_t, into_raw, str_arg, write_out};
use super::object::{location, object, register_object, release_id, Location, VolObject};
use super::plists::{require_class, OwnedPlist, PlistClass};
use super::reference;
use super::{h5plist, h5type, sys};
use crate::h5::{convert, layout, space, types, OwnedId};
use crate::model::attributes::{
    ATTR_CREATION_ORDER_KEY, CREATION_PROPERTIES_KEY, NAME_CHAR_ENCODING_KEY,
};
use crate::model::types::Datatype;
use crate::model::{ObjId, Shape};
use crate::vol::file::OpenFile;
use crate::vol::object::resolve;
use crate::vol::reference::STORED_REF_SIZE;
use crate::vol::{attribute, attribute_limit, VolError};

/// An open attribute.
#[derive(Debug)]
pub struct AttrObject {
    /// The file of the object the attribute belongs to.
    pub file: Arc<OpenFile>,
    /// The object the attribute belongs to.
    pub owner: ObjId,
    /// The attribute's name.
    pub name: String,
    /// The stored type (see [`AttrObject::file_type`]).
    pub datatype: Datatype,
    /// The attribute's shape.
    pub shape: Shape,
    /// Bytes per element in the REST binary layout.
    pub element_size: usize,
    /// The stored type, when it has variable-length parts (values then travel as JSON).
    pub variable: Option<Datatype>,
    /// The creation plist the attribute was made with through this handle; an opened
    /// attribute reports a default one with the stored name character set.
    pub acpl: Option<OwnedPlist>,
    /// Whether the attribute's name is UTF-8 (`H5Pset_char_encoding` of its creation plist,
    /// kept as `creationProperties.nameCharEncoding`; HSDS drops it, so ASCII there).
    pub name_utf8: bool,
    /// The creation order value restvol's service gave it (owners tracking attribute creation
    /// order); `None` from HSDS, where its position in creation order stands in.
    pub creation_order: Option<u32>,
}

impl AttrObject {
    /// What the attribute was created with, for requests that must repeat it.
    pub fn described(&self) -> attribute::Described<'_> {
        attribute::Described {
            datatype: &self.datatype,
            shape: &self.shape,
            name_utf8: self.name_utf8,
        }
    }

    /// The stored type as a new HDF5 datatype (the REST binary layout), built for each use: a
    /// datatype id held open by the connector would count as one the application holds.
    pub fn file_type(&self) -> Result<OwnedId, VolError> {
        Ok(types::to_hdf5(&self.datatype)?)
    }
}

pub(super) fn class() -> sys::H5VL_attr_class_t {
    sys::H5VL_attr_class_t {
        create: Some(create),
        open: Some(open),
        read: Some(read),
        write: Some(write),
        get: Some(get),
        specific: Some(specific),
        optional: None,
        close: Some(close),
    }
}

/// The object a location names, relative to `obj`.
fn owner_of(obj: &VolObject, loc: &Location) -> Result<ObjId, VolError> {
    match (obj, loc) {
        (VolObject::Attribute(a), Location::Itself) => Ok(a.owner.clone()),
        (_, Location::Itself) => Ok(obj.anchor().clone()),
        (_, Location::ByName(path)) => Ok(resolve(obj.file(), obj.anchor(), path)?.id),
        (_, Location::ByToken(token)) => crate::vol::token::id_for(obj.file().root(), token),
        (_, Location::ByIndex { .. }) => {
            Err(VolError::InvalidArgument("attributes are found by object name".into()))
        }
    }
}

fn attr_object(file: &Arc<OpenFile>, owner: ObjId, json: &Value) -> Result<AttrObject, VolError> {
    let datatype = Datatype::from_json(json.get("type").unwrap_or(&Value::Null))?;
    let shape = Shape::from_json(json.get("shape").unwrap_or(&Value::Null))?;
    let file_type = types::to_hdf5(&datatype)?;
    let element_size = h5type::size(file_type.id())?;
    let name = json.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let variable =
        if types::has_variable_parts(file_type.id())? { Some(datatype.clone()) } else { None };
    let name_utf8 = json
        .get(CREATION_PROPERTIES_KEY)
        .and_then(|props| props.get(NAME_CHAR_ENCODING_KEY))
        .is_some_and(|cset| cset == "H5T_CSET_UTF8");
    let creation_order = json
        .get(ATTR_CREATION_ORDER_KEY)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok());
    Ok(AttrObject {
        file: file.clone(),
        owner,
        name,
        datatype,
        shape,
        element_size,
        variable,
        acpl: None,
        name_utf8,
        creation_order,
    })
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn create(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    attr_name: *const c_char,
    type_id: hid_t,
    space_id: hid_t,
    acpl_id: hid_t,
    aapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Acreate", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(aapl_id, PlistClass::AttributeAccess, "the attribute access property list")?;
        require_class(
            acpl_id,
            PlistClass::AttributeCreate,
            "the attribute creation property list",
        )?;
        // SAFETY: a C string valid for the call.
        let name = unsafe { str_arg(attr_name, "attr_name") }?;
        let owner = owner_of(parent, &loc)?;
        let mut datatype = types::to_rest(type_id)?;
        // A committed datatype is stored as HSDS stores one given by id: its definition with
        // the `id`, so deleting the attribute can release the datatype's user count.
        if let Value::String(id) = super::datatype::rest_type_of(type_id)? {
            datatype = types::committed_copy(datatype, ObjId::parse(&id)?);
        }
        let shape = space::to_rest(space_id)?;
        let file = parent.file();
        if file.earliest_format() {
            let type_bytes = h5type::encode(type_id)?.len();
            let element_bytes = native_element_bytes(type_id)?;
            let bytes = attribute_limit::message_size(name, type_bytes, &shape, element_bytes);
            attribute_limit::check(name, bytes)?;
        }
        let acpl = OwnedPlist::copy_of(acpl_id, PlistClass::AttributeCreate)?;
        let name_utf8 = h5plist::char_encoding_is_utf8(acpl.id())?;
        let (type_json, shape_json) = (datatype.to_json(), shape.to_json());
        let mut json = attribute::create(file, &owner, name, type_json, shape_json, name_utf8)?;
        super::datatype::count_new_user(file, type_id)?;
        json["name"] = Value::from(name);
        let mut attr = attr_object(file, owner, &json)?;
        attr.acpl = Some(acpl);
        Ok(into_raw(VolObject::Attribute(attr)))
    })
}

/// Bytes one element of `type_id` takes in a native attribute: a variable-length string or
/// sequence is a length and a global heap id (16 bytes) there, whatever its memory size.
fn native_element_bytes(type_id: hid_t) -> Result<u64, VolError> {
    let variable = h5type::class(type_id)? == h5type::H5T_VLEN || h5type::is_variable_str(type_id)?;
    Ok(if variable { 16 } else { h5type::size(type_id)? as u64 })
}

unsafe extern "C" fn open(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    attr_name: *const c_char,
    aapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Aopen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(aapl_id, PlistClass::AttributeAccess, "the attribute access property list")?;
        let file = parent.file();
        let (owner, json) = match &loc {
            Location::ByIndex { name, by_creation_order, decreasing, n } => {
                let owner = resolve(file, parent.anchor(), name)?.id;
                let json = nth_attribute(file, &owner, *by_creation_order, *decreasing, *n)?;
                (owner, json)
            }
            _ => {
                // SAFETY: a C string valid for the call.
                let name = unsafe { str_arg(attr_name, "attr_name") }?;
                let owner = owner_of(parent, &loc)?;
                let mut json = attribute::open(file, &owner, name)?;
                json["name"] = Value::from(name);
                (owner, json)
            }
        };
        Ok(into_raw(VolObject::Attribute(attr_object(file, owner, &json)?)))
    })
}

fn nth_attribute(
    file: &OpenFile,
    owner: &ObjId,
    by_creation_order: bool,
    decreasing: bool,
    n: u64,
) -> Result<Value, VolError> {
    let mut all = attribute::list(file, owner, by_creation_order)?;
    if decreasing {
        all.reverse();
    }
    all.into_iter()
        .nth(n as usize)
        .ok_or_else(|| VolError::InvalidArgument(format!("attribute index {n} is out of range")))
}

fn attr_of<'a>(obj: *mut c_void) -> Result<&'a AttrObject, VolError> {
    // SAFETY: HDF5 passes an attribute object this connector made.
    match unsafe { object(obj) }? {
        VolObject::Attribute(a) => Ok(a),
        _ => Err(VolError::InvalidArgument("not an attribute".into())),
    }
}

unsafe extern "C" fn read(
    attr: *mut c_void,
    mem_type_id: hid_t,
    buf: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Aread", -1, || {
        let a = attr_of(attr)?;
        let file_type = a.file_type()?;
        let count = a.shape.num_elements() as usize;
        if count == 0 {
            return Ok(0);
        }
        if buf.is_null() {
            return Err(VolError::NullArgument("buf"));
        }
        if let Some(datatype) = &a.variable {
            let dims = scalar_dims(&a.shape);
            let stream =
                attribute::read_variable_value(&a.file, &a.owner, &a.name, datatype, &dims)?;
            if reference::is_reference_sequence(datatype) {
                // Sequences of references (a dimension scale's DIMENSION_LIST).
                let memory = reference::sequences_to_memory(&a.file, mem_type_id, &stream, count)?;
                // SAFETY: H5Aread's contract: `buf` holds the attribute's elements in the
                // memory type.
                unsafe {
                    std::ptr::copy_nonoverlapping(memory.as_ptr(), buf.cast::<u8>(), memory.len())
                };
                return Ok(0);
            }
            let memory = convert::variable_to_memory(
                datatype,
                mem_type_id,
                count,
                &stream,
                None,
                super::hdf5::DEFAULT,
            )?;
            // SAFETY: H5Aread's contract: `buf` holds the attribute's elements in the memory type.
            unsafe {
                std::ptr::copy_nonoverlapping(memory.as_ptr(), buf.cast::<u8>(), memory.len())
            };
            return Ok(0);
        }
        if let Some(layout) = reference::RefCompound::of(file_type.id())? {
            let stored =
                attribute::read_value(&a.file, &a.owner, &a.name, count * layout.rest_size())?;
            let out_len = count * h5type::size(mem_type_id)?;
            // SAFETY: H5Aread's contract: `buf` holds the attribute's elements in the memory type.
            let app = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), out_len) };
            let memory = layout.stored_to_memory(&a.file, mem_type_id, &stored, count, app)?;
            app.copy_from_slice(&memory);
            return Ok(0);
        }
        if reference::is_reference(file_type.id())? {
            let stored =
                attribute::read_value(&a.file, &a.owner, &a.name, count * STORED_REF_SIZE)?;
            let memory = reference::to_memory(&a.file, mem_type_id, &stored, count)?;
            // SAFETY: H5Aread's contract: `buf` holds the attribute's elements in the memory type.
            unsafe {
                std::ptr::copy_nonoverlapping(memory.as_ptr(), buf.cast::<u8>(), memory.len())
            };
            return Ok(0);
        }
        let stored = attribute::read_value(&a.file, &a.owner, &a.name, count * a.element_size)?;
        let out_len = count * h5type::size(mem_type_id)?;
        let converted = if h5type::equal(mem_type_id, file_type.id())? {
            stored
        } else if h5type::class(mem_type_id)? == h5type::H5T_COMPOUND
            && !layout::is_application_type(&a.datatype, mem_type_id)?
        {
            // SAFETY: `buf` holds the attribute's elements in the memory type (H5Aread's
            // contract); its current content is the background for a member subset.
            let background = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), out_len) };
            convert::convert_fixed(file_type.id(), mem_type_id, count, &stored, Some(background))?
        } else {
            convert::convert_fixed(file_type.id(), mem_type_id, count, &stored, None)?
        };
        if converted.len() != out_len {
            return Err(VolError::InvalidArgument(format!(
                "attribute value has {} bytes, expected {out_len}",
                converted.len()
            )));
        }
        // SAFETY: H5Aread's contract: `buf` holds the attribute's elements in the memory type.
        unsafe { std::ptr::copy_nonoverlapping(converted.as_ptr(), buf.cast::<u8>(), out_len) };
        Ok(0)
    })
}

unsafe extern "C" fn write(
    attr: *mut c_void,
    mem_type_id: hid_t,
    buf: *const c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Awrite", -1, || {
        let a = attr_of(attr)?;
        let file_type = a.file_type()?;
        let count = a.shape.num_elements() as usize;
        if count == 0 {
            return Ok(0);
        }
        if buf.is_null() {
            return Err(VolError::NullArgument("buf"));
        }
        let in_len = count * h5type::size(mem_type_id)?;
        // SAFETY: H5Awrite's contract: `buf` holds the attribute's elements in the memory type.
        let input = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), in_len) };
        if let Some(datatype) = &a.variable {
            let dims = scalar_dims(&a.shape);
            let stream = if reference::is_reference_sequence(datatype) {
                // Sequences of references (a dimension scale's DIMENSION_LIST).
                // SAFETY: the elements come from the application's H5Awrite buffer, whose
                // sequences HDF5 requires to be valid for the call.
                unsafe { reference::sequences_from_memory(&a.file, mem_type_id, input, count) }?
            } else {
                // SAFETY: the elements come from the application's H5Awrite buffer, whose
                // variable-length pointers HDF5 requires to be valid for the call.
                unsafe { VlenImage::from_memory(input, mem_type_id, file_type.id(), count) }?
                    .to_stream()?
            };
            attribute::write_variable_value(&a.file, &a.owner, &a.name, datatype, &dims, &stream)?;
            return Ok(0);
        }
        if let Some(layout) = reference::RefCompound::of(file_type.id())? {
            let stored = layout.stored_from_memory(&a.file, mem_type_id, input, count)?;
            attribute::write_value(&a.file, &a.owner, &a.name, a.described(), stored)?;
            return Ok(0);
        }
        if reference::is_reference(file_type.id())? {
            let stored = reference::from_memory(&a.file, mem_type_id, input, count)?;
            attribute::write_value(&a.file, &a.owner, &a.name, a.described(), stored)?;
            return Ok(0);
        }
        let stored = if h5type::equal(mem_type_id, file_type.id())? {
            input.to_vec()
        } else {
            // Writing a subset of a compound's members keeps the stored values of the others:
            // they are read first and used as the conversion's background.
            let background = if h5type::class(mem_type_id)? == h5type::H5T_COMPOUND
                && !convert::sets_every_member(mem_type_id, file_type.id())?
            {
                let len = count * a.element_size;
                Some(attribute::read_value(&a.file, &a.owner, &a.name, len)?)
            } else {
                None
            };
            convert::convert_fixed(
                mem_type_id,
                file_type.id(),
                count,
                input,
                background.as_deref(),
            )?
        };
        attribute::write_value(&a.file, &a.owner, &a.name, a.described(), stored)?;
        Ok(0)
    })
}

/// The dims JSON values are shaped by: none for a scalar.
fn scalar_dims(shape: &Shape) -> Vec<u64> {
    shape.dims().to_vec()
}

fn fill_info(a: &AttrObject, corder: u32, out: &mut sys::H5A_info_t) {
    out.corder_valid = true;
    out.corder = corder;
    out.cset = if a.name_utf8 { sys::H5T_CSET_UTF8 } else { sys::H5T_CSET_ASCII };
    out.data_size = a.shape.num_elements() * a.element_size as u64;
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    args: *mut sys::H5VL_attr_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Aget", -1, || {
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_ATTR_GET_SPACE => {
                args.args.get_space.space_id = space::to_hdf5(&attr_of(obj)?.shape)?.into_raw();
            }
            sys::H5VL_ATTR_GET_TYPE => {
                let stored = &attr_of(obj)?.datatype;
                args.args.get_type.type_id =
                    crate::h5::layout::application_type(stored)?.into_raw();
            }
            sys::H5VL_ATTR_GET_ACPL => {
                let a = attr_of(obj)?;
                args.args.get_acpl.acpl_id = match &a.acpl {
                    Some(acpl) => acpl.copy_for_caller()?,
                    None => {
                        let acpl = OwnedPlist::create(PlistClass::AttributeCreate)?;
                        h5plist::set_char_encoding_utf8(acpl.id(), a.name_utf8)?;
                        acpl.copy_for_caller()?
                    }
                };
            }
            sys::H5VL_ATTR_GET_STORAGE_SIZE => {
                let a = attr_of(obj)?;
                let bytes = a.shape.num_elements() * a.element_size as u64;
                // SAFETY: the union holds get_storage_size; `data_size` is an out-pointer.
                unsafe { write_out(args.args.get_storage_size.data_size, "data_size", bytes) }?;
            }
            sys::H5VL_ATTR_GET_NAME => {
                // SAFETY: the union holds get_name for this op.
                let a = unsafe { &mut args.args.get_name };
                // SAFETY: HDF5 passes an object this connector made and its location.
                let (owner_obj, loc) = unsafe { (object(obj)?, location(&a.loc_params)?) };
                let name = match (&loc, owner_obj) {
                    (Location::Itself, VolObject::Attribute(attr)) => attr.name.clone(),
                    (Location::ByIndex { name, by_creation_order, decreasing, n }, _) => {
                        let file = owner_obj.file();
                        let owner = resolve(file, owner_obj.anchor(), name)?.id;
                        let json =
                            nth_attribute(file, &owner, *by_creation_order, *decreasing, *n)?;
                        json.get("name").and_then(Value::as_str).unwrap_or_default().to_string()
                    }
                    _ => return Err(VolError::InvalidArgument("attribute name query".into())),
                };
                // SAFETY: `buf` is writable for `buf_size` bytes per the get-name contract.
                unsafe { copy_out(name.as_bytes(), a.buf.cast(), a.buf_size, true) };
                // SAFETY: `attr_name_len` is an out-pointer.
                unsafe { write_out(a.attr_name_len, "attr_name_len", name.len()) }?;
            }
            sys::H5VL_ATTR_GET_INFO => {
                // SAFETY: the union holds get_info for this op.
                let a = unsafe { &mut args.args.get_info };
                // SAFETY: HDF5 passes an object this connector made and its location.
                let (owner_obj, loc) = unsafe { (object(obj)?, location(&a.loc_params)?) };
                if a.ainfo.is_null() {
                    return Err(VolError::NullArgument("ainfo"));
                }
                let file = owner_obj.file();
                let (owner, json) = match &loc {
                    Location::ByIndex { name, by_creation_order, decreasing, n } => {
                        let owner = resolve(file, owner_obj.anchor(), name)?.id;
                        (
                            owner.clone(),
                            nth_attribute(file, &owner, *by_creation_order, *decreasing, *n)?,
                        )
                    }
                    Location::Itself if a.attr_name.is_null() => {
                        let VolObject::Attribute(attr) = owner_obj else {
                            return Err(VolError::InvalidArgument("not an attribute".into()));
                        };
                        let corder = match attr.creation_order {
                            Some(corder) => corder,
                            None => corder_of(file, &attr.owner, &attr.name)?,
                        };
                        // SAFETY: non-NULL, writable H5A_info_t.
                        fill_info(attr, corder, unsafe { &mut *a.ainfo });
                        return Ok(0);
                    }
                    _ => {
                        // SAFETY: a C string valid for the call.
                        let name = unsafe { str_arg(a.attr_name, "attr_name") }?;
                        let owner = owner_of(owner_obj, &loc)?;
                        let mut json = attribute::get(file, &owner, name)?;
                        json["name"] = Value::from(name);
                        (owner, json)
                    }
                };
                let attr = attr_object(file, owner.clone(), &json)?;
                let corder = match attr.creation_order {
                    Some(corder) => corder,
                    None => corder_of(file, &owner, &attr.name)?,
                };
                // SAFETY: non-NULL, writable H5A_info_t.
                fill_info(&attr, corder, unsafe { &mut *a.ainfo });
            }
            _ => return Err(VolError::Unsupported("this H5Aget query")),
        }
        Ok(0)
    })
}

/// Attribute `name`'s creation order value: the one restvol's service keeps, else (HSDS) its
/// position in its owner's creation order.
fn corder_of(file: &OpenFile, owner: &ObjId, name: &str) -> Result<u32, VolError> {
    let json = attribute::get(file, owner, name)?;
    if let Some(order) = json.get(ATTR_CREATION_ORDER_KEY).and_then(Value::as_u64) {
        return Ok(u32::try_from(order).unwrap_or(u32::MAX));
    }
    let all = attribute::list(file, owner, true)?;
    Ok(all.iter().position(|a| a.get("name").and_then(Value::as_str) == Some(name)).unwrap_or(0)
        as u32)
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    args: *mut sys::H5VL_attr_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Aspecific", -1, || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, loc) = unsafe { (object(obj)?, location(loc_params)?) };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        let file = parent.file();
        let owner = owner_of(parent, &loc)?;
        match args.op_type {
            sys::H5VL_ATTR_DELETE => {
                // SAFETY: the union holds `del`; its name is a C string valid for the call.
                let name = unsafe { str_arg(args.args.del.name, "name") }?;
                attribute::delete_releasing_type(file, &owner, name, None)?;
            }
            sys::H5VL_ATTR_DELETE_BY_IDX => {
                // SAFETY: the union holds delete_by_idx for this op.
                let d = unsafe { args.args.delete_by_idx };
                let by_corder = d.idx_type == sys::H5_INDEX_CRT_ORDER;
                let json =
                    nth_attribute(file, &owner, by_corder, d.order == sys::H5_ITER_DEC, d.n)?;
                let name = json.get("name").and_then(Value::as_str).unwrap_or_default();
                attribute::delete_releasing_type(file, &owner, name, json.get("type"))?;
            }
            sys::H5VL_ATTR_EXISTS => {
                // SAFETY: the union holds `exists` for this op.
                let e = unsafe { args.args.exists };
                // SAFETY: a C string valid for the call.
                let name = unsafe { str_arg(e.name, "name") }?;
                let found = attribute::exists(file, &owner, name)?;
                // SAFETY: `exists` is an out-pointer.
                unsafe { write_out(e.exists, "exists", found) }?;
            }
            sys::H5VL_ATTR_RENAME => {
                // SAFETY: the union holds `rename` for this op.
                let r = unsafe { args.args.rename };
                // SAFETY: C strings valid for the call.
                let (old, new) =
                    unsafe { (str_arg(r.old_name, "old_name")?, str_arg(r.new_name, "new_name")?) };
                attribute::rename(file, &owner, old, new)?;
            }
            sys::H5VL_ATTR_ITER => {
                // SAFETY: the union holds `iterate` for this op.
                let it = unsafe { args.args.iterate };
                return iterate(file, &owner, it);
            }
            _ => return Err(VolError::Unsupported("this H5A operation")),
        }
        Ok(0)
    })
}

fn iterate(
    file: &Arc<OpenFile>,
    owner: &ObjId,
    it: sys::H5VL_attr_iterate_args_t,
) -> Result<sys::herr_t, VolError> {
    let Some(op) = it.op else {
        return Err(VolError::NullArgument("op"));
    };
    // One listing in creation order gives each attribute's position; the name order is a
    // re-sort of the same list.
    let mut all = attribute::list(file, owner, true)?;
    let corders: Vec<String> = all
        .iter()
        .map(|a| a.get("name").and_then(Value::as_str).unwrap_or_default().to_string())
        .collect();
    if it.idx_type != sys::H5_INDEX_CRT_ORDER {
        all.sort_by_key(|a| a.get("name").and_then(Value::as_str).unwrap_or_default().to_string());
    }
    if it.order == sys::H5_ITER_DEC {
        all.reverse();
    }
    let start = if it.idx.is_null() {
        0
    } else {
        // SAFETY: non-NULL pointer to the caller's start index.
        unsafe { *it.idx }
    };
    // As HDF5: a start index past the last attribute is an error (0 on none is not).
    if start > 0 && start >= all.len() as u64 {
        return Err(VolError::InvalidArgument(format!(
            "attribute iteration start index {start} is out of range ({} attributes)",
            all.len()
        )));
    }
    let location_id = register_object(file, owner)?;
    let mut status = 0;
    let mut position = start;
    for json in all.iter().skip(start as usize) {
        let attr = attr_object(file, owner.clone(), json)?;
        let corder = attr
            .creation_order
            .unwrap_or_else(|| corders.iter().position(|n| *n == attr.name).unwrap_or(0) as u32);
        let mut info = sys::H5A_info_t::default();
        fill_info(&attr, corder, &mut info);
        let name = super::hdf5::c_string(&attr.name);
        position += 1;
        // SAFETY: calling the application's iteration callback with a live object id, a
        // NUL-terminated name and an info struct, all valid for the call.
        status = unsafe { op(location_id, name.as_ptr(), &info, it.op_data) };
        if status != 0 {
            break;
        }
    }
    release_id(location_id);
    if !it.idx.is_null() {
        // SAFETY: non-NULL out-pointer.
        unsafe { *it.idx = position };
    }
    Ok(status)
}

unsafe extern "C" fn close(
    attr: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    // SAFETY: HDF5 closes each object exactly once and never uses it afterwards.
    guard("H5Aclose", -1, || Ok(unsafe { close_object::<VolObject>(attr) }))
}
