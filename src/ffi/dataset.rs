//! `H5VL_dataset_class_t`: the `extern "C"` callbacks behind `H5Dcreate`, `H5Dopen`,
//! `H5Dread`/`H5Dwrite` (and their `_multi` forms), `H5Dget_*`, `H5Dset_extent` and
//! `H5Dclose`. Element bytes travel in the REST binary form (the dataset's type as
//! [`crate::h5::types::to_hdf5`] builds it); HDF5's own conversion and selection routines map
//! them to and from the application's memory type and memory selection.

use std::ffi::{c_char, c_void};

use serde_json::{json, Value};

use super::boundary::guard;
use super::h5mem::VlenImage;
use super::hdf5::{args_mut, close_object, hid_t, into_raw, str_arg, write_out};
use super::object::{location, object, DatasetObject, VolObject};
use super::plists::{create_intermediate_groups, require_class, OwnedPlist, PlistClass};
use super::reference;
use super::{h5plist, h5space, h5type, sys};
use crate::h5::handle::OwnedId;
use crate::h5::selection::{self, RestSelection};
use crate::h5::{convert, layout, plist, space, types};
use crate::model::types::Datatype;
use crate::model::Shape;
use crate::vol::reference::STORED_REF_SIZE;
use crate::vol::{dataset, layout_request, VolError};

/// `H5S_ALL`.
const SPACE_ALL: hid_t = 0;

pub(super) fn class() -> sys::H5VL_dataset_class_t {
    sys::H5VL_dataset_class_t {
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

/// Builds the connector object for a dataset from its JSON.
pub(super) fn dataset_object(
    handle: crate::vol::object::ObjHandle,
    json: &Value,
) -> Result<DatasetObject, VolError> {
    let (datatype, committed_type) =
        match Datatype::from_json(json.get("type").unwrap_or(&Value::Null))? {
            Datatype::CommittedCopy { datatype, id } => (*datatype, Some(id)),
            other => (other, None),
        };
    let shape = Shape::from_json(json.get("shape").unwrap_or(&Value::Null))?;
    let file_type = types::to_hdf5(&datatype)?;
    let element_size = h5type::size(file_type.id())?;
    let props = json.get("creationProperties").cloned().unwrap_or_else(|| json!({}));
    // The application's view is the layout it asked for (creationProperties), not the chunked
    // layout the service stores every dataset in.
    let dcpl = plist::dataset_plist(&props, &datatype, None)?;
    let variable =
        if types::has_variable_parts(file_type.id())? { Some(datatype.clone()) } else { None };
    let dapl = OwnedPlist::create(PlistClass::DatasetAccess)?;
    let value_budget = h5plist::chunk_cache_bytes(dapl.id())?;
    let stored_chunks = json
        .pointer("/layout/dims")
        .and_then(Value::as_array)
        .and_then(|dims| dims.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
    Ok(DatasetObject {
        handle,
        shape,
        datatype,
        element_size,
        variable,
        dcpl,
        dapl,
        value_budget,
        committed_type,
        stored_chunks,
    })
}

/// Gives `object` a copy of the access list it was created or opened with, and the value-cache
/// budget that list sets.
fn with_access(mut object: DatasetObject, dapl_id: hid_t) -> Result<DatasetObject, VolError> {
    object.dapl = OwnedPlist::copy_of(dapl_id, PlistClass::DatasetAccess)?;
    object.value_budget = h5plist::chunk_cache_bytes(object.dapl.id())?;
    Ok(object)
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn create(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    lcpl_id: hid_t,
    type_id: hid_t,
    space_id: hid_t,
    dcpl_id: hid_t,
    dapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Dcreate", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(dapl_id, PlistClass::DatasetAccess, "the dataset access property list")?;
        let path = if name.is_null() {
            None
        } else {
            // SAFETY: a C string valid for the call.
            Some(unsafe { str_arg(name, "name") }?)
        };
        let datatype = types::to_rest(type_id)?;
        let props = plist::dataset_creation_properties(dcpl_id, &datatype)?;
        if props["fillTime"].as_str() == Some("H5D_FILL_TIME_NEVER") && h5type::has_vlen(type_id)? {
            // As HDF5 refuses it: variable-length elements must always be initialized.
            return Err(VolError::InvalidArgument(
                "datasets of variable-length types need a fill time other than \
                 H5D_FILL_TIME_NEVER"
                    .into(),
            ));
        }
        let shape = with_chunked_maxdims(space::to_rest(space_id)?, &props);
        // HSDS refuses a contiguous dataset too large for one chunk: let it choose the chunks.
        let mut props = props;
        layout_request::fit_contiguous_request(&mut props, &shape, &datatype);
        let rest_type = super::datatype::rest_type_of(type_id)?;
        let mut body = json!({"type": rest_type, "creationProperties": props});
        add_shape(&mut body, &shape);
        let intermediate = create_intermediate_groups(lcpl_id)?;
        let (handle, json) =
            dataset::create(parent.file(), parent.anchor(), path, intermediate, body)?;
        super::datatype::count_new_user(parent.file(), type_id)?;
        let object = with_access(dataset_object(handle, &json)?, dapl_id)?;
        Ok(into_raw(VolObject::Dataset(object)))
    })
}

unsafe extern "C" fn open(
    obj: *mut c_void,
    loc_params: *const sys::H5VL_loc_params_t,
    name: *const c_char,
    dapl_id: hid_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> *mut c_void {
    guard("H5Dopen", std::ptr::null_mut(), || {
        // SAFETY: HDF5 passes an object this connector made and valid location parameters.
        let (parent, _loc) = unsafe { (object(obj)?, location(loc_params)?) };
        require_class(dapl_id, PlistClass::DatasetAccess, "the dataset access property list")?;
        // SAFETY: a C string valid for the call.
        let name = unsafe { str_arg(name, "name") }?;
        let (handle, json) = dataset::open(parent.file(), parent.anchor(), name)?;
        let object = with_access(dataset_object(handle, &json)?, dapl_id)?;
        Ok(into_raw(VolObject::Dataset(object)))
    })
}

/// A chunked dataset's extent may change within its maxdims (`H5Dset_extent`), also when the
/// application gave none (they then equal the dims); HSDS resizes only datasets whose shape
/// names maxdims, so spell them out.
fn with_chunked_maxdims(shape: Shape, props: &Value) -> Shape {
    let chunked = props["layout"]["class"].as_str() == Some("H5D_CHUNKED");
    match shape {
        Shape::Simple { dims, maxdims: None } if chunked => {
            let maxdims = Some(dims.iter().map(|d| crate::model::Extent::Fixed(*d)).collect());
            Shape::Simple { dims, maxdims }
        }
        other => other,
    }
}

/// Puts `shape` into a POST /datasets body in the forms HSDS takes.
fn add_shape(body: &mut Value, shape: &Shape) {
    match shape {
        Shape::Null => body["shape"] = json!("H5S_NULL"),
        Shape::Scalar => {}
        _ => {
            body["shape"] = json!(shape.dims());
            if let Some(max) = shape.maxdims() {
                let max: Vec<Value> = max.iter().map(|m| m.to_json()).collect();
                body["maxdims"] = json!(max);
            }
        }
    }
}

/// The dataset's current dataspace with all elements selected.
fn current_space(dset: &DatasetObject) -> Result<OwnedId, VolError> {
    Ok(space::to_hdf5(&dset.shape)?)
}

/// One dataset's part of an `H5Dread`/`H5Dwrite` call, made safe: the file selection in REST
/// form, the memory space to scatter to / gather from, and how many elements move.
struct Transfer {
    rest: RestSelection,
    /// The file selection, on the dataset's own dataspace (`None` when the application passed
    /// a dataspace of another extent: only the service may judge such a selection).
    file_space: Option<OwnedId>,
    mem_space: OwnedId,
    count: usize,
}

fn plan(
    dset: &DatasetObject,
    mem_space_id: hid_t,
    file_space_id: hid_t,
) -> Result<Transfer, VolError> {
    for id in [mem_space_id, file_space_id] {
        if id != SPACE_ALL {
            h5space::require_extent(id)?;
        }
    }
    let file_space = if file_space_id == SPACE_ALL {
        current_space(dset)?
    } else {
        OwnedId::dataspace(h5space::copy(file_space_id)?)
    };
    selection::apply_offset(file_space.id())?;
    let rest = match selection::rest_selection(file_space.id())? {
        RestSelection::Points(points) if is_contiguous(dset)? => {
            let (space_dims, _) = h5space::extent_dims(file_space.id())?;
            RestSelection::Points(selection::contiguous_alias(
                points,
                &space_dims,
                dset.shape.dims(),
            ))
        }
        other => other,
    };
    // Variable-length elements have no fixed size to cut per-box answers by: an irregular
    // selection of them travels as one point list instead.
    let rest = if dset.variable.is_some() { rest.without_boxes() } else { rest.fewer_requests() };
    let count = selection::selected_count(file_space.id())? as usize;
    let mem_space = if mem_space_id == SPACE_ALL {
        OwnedId::dataspace(h5space::copy(file_space.id())?)
    } else {
        OwnedId::dataspace(h5space::copy(mem_space_id)?)
    };
    let mem_count = selection::selected_count(mem_space.id())? as usize;
    if mem_count != count {
        return Err(VolError::InvalidArgument(format!(
            "memory selection has {mem_count} elements, file selection has {count}"
        )));
    }
    // Only a dataset that may be held needs its selection checked against its own extent.
    let file_space = if dset.variable.is_none() && dset.value_budget > 0 {
        on_own_extent(dset, file_space, file_space_id == SPACE_ALL, count)?
    } else {
        None
    };
    Ok(Transfer { rest, file_space, mem_space, count })
}

/// Whether the application sees the dataset as contiguous or compact (the native connector
/// then aliases out-of-row points; see [`selection::contiguous_alias`]).
fn is_contiguous(dset: &DatasetObject) -> Result<bool, VolError> {
    let layout = h5plist::layout(dset.dcpl.id())?;
    Ok(layout == h5plist::H5D_CONTIGUOUS || layout == h5plist::H5D_COMPACT)
}

/// The file selection's dataspace when it is the dataset's own and every selected element
/// lies inside it, so the selection can be picked out of a held whole value; else `None`.
fn on_own_extent(
    dset: &DatasetObject,
    file_space: OwnedId,
    all: bool,
    count: usize,
) -> Result<Option<OwnedId>, VolError> {
    if all {
        return Ok(Some(file_space));
    }
    let dims = dset.shape.dims();
    let rank = h5space::rank(file_space.id())?;
    if count == 0 || rank != dims.len() {
        return Ok(None);
    }
    if rank == 0 {
        return Ok(Some(file_space));
    }
    let (extent, _) = h5space::extent_dims(file_space.id())?;
    let (_, high) = h5space::select_bounds(file_space.id())?;
    let inside = high.iter().zip(dims).all(|(at, size)| at < size);
    Ok((extent == dims && inside).then_some(file_space))
}

/// Size in bytes of the application buffer a memory space describes.
fn app_buffer_len(mem_space: hid_t, mem_type: hid_t) -> Result<usize, VolError> {
    let points = h5space::extent_points(mem_space)? as usize;
    Ok(points * h5type::size(mem_type)?)
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn read(
    count: usize,
    dset: *mut *mut c_void,
    mem_type_id: *mut hid_t,
    mem_space_id: *mut hid_t,
    file_space_id: *mut hid_t,
    dxpl_id: hid_t,
    buf: *mut *mut c_void,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Dread", -1, || {
        for i in 0..count {
            // SAFETY: HDF5 passes `count`-long arrays; element i of each is valid.
            let (obj, mem_type, mem_space, file_space, out) = unsafe {
                (
                    *dset.add(i),
                    *mem_type_id.add(i),
                    *mem_space_id.add(i),
                    *file_space_id.add(i),
                    *buf.add(i),
                )
            };
            // SAFETY: a dataset object this connector made.
            let VolObject::Dataset(d) = (unsafe { object(obj) })? else {
                return Err(VolError::InvalidArgument("not a dataset".into()));
            };
            let transfer = plan(d, mem_space, file_space)?;
            let file_type = d.file_type()?;
            if transfer.count == 0 {
                continue;
            }
            if reference::is_reference(file_type.id())? {
                if out.is_null() {
                    return Err(VolError::NullArgument("buf"));
                }
                let (file, id) = (d.handle.file(), d.handle.id());
                let stored = dataset::read(file, id, &transfer.rest, STORED_REF_SIZE)?;
                let memory = reference::to_memory(file, mem_type, &stored, transfer.count)?;
                let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
                // SAFETY: H5Dread's contract: `out` holds the memory space's extent in elements
                // of the memory type.
                let app = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), app_len) };
                selection::scatter(transfer.mem_space.id(), mem_type, &memory, app)?;
                continue;
            }
            if let Some(layout) = reference::RefCompound::of(file_type.id())? {
                if out.is_null() {
                    return Err(VolError::NullArgument("buf"));
                }
                let (file, id) = (d.handle.file(), d.handle.id());
                let stored = dataset::read(file, id, &transfer.rest, layout.rest_size())?;
                let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
                // SAFETY: H5Dread's contract: `out` holds the memory space's extent in elements
                // of the memory type.
                let app = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), app_len) };
                let background = selection::gather(transfer.mem_space.id(), mem_type, app)?;
                let memory = layout.stored_to_memory(
                    file,
                    mem_type,
                    &stored,
                    transfer.count,
                    &background,
                )?;
                selection::scatter(transfer.mem_space.id(), mem_type, &memory, app)?;
                continue;
            }
            if d.variable.is_none() {
                let packed = read_fixed(d, &transfer, file_type.id())?;
                read_into_app(&transfer, mem_type, (file_type.id(), &d.datatype), packed, out)?;
                continue;
            }
            let packed =
                dataset::read(d.handle.file(), d.handle.id(), &transfer.rest, d.element_size)?;
            if d.variable.as_ref().is_some_and(reference::is_reference_sequence) {
                if out.is_null() {
                    return Err(VolError::NullArgument("buf"));
                }
                let file = d.handle.file();
                let memory =
                    reference::sequences_to_memory(file, mem_type, &packed, transfer.count)?;
                let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
                // SAFETY: H5Dread's contract: `out` holds the memory space's extent in elements
                // of the memory type.
                let app = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), app_len) };
                selection::scatter(transfer.mem_space.id(), mem_type, &memory, app)?;
                continue;
            }
            if let Some(datatype) = &d.variable {
                if out.is_null() {
                    return Err(VolError::NullArgument("buf"));
                }
                let memory = convert::variable_to_memory(
                    datatype,
                    mem_type,
                    transfer.count,
                    &packed,
                    None,
                    dxpl_id,
                )?;
                let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
                // SAFETY: H5Dread's contract: `out` holds the memory space's extent in elements
                // of the memory type.
                let app = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), app_len) };
                selection::scatter(transfer.mem_space.id(), mem_type, &memory, app)?;
                continue;
            }
            return Err(VolError::Internal("a variable-length dataset read fell through"));
        }
        Ok(0)
    })
}

/// The dataset's place in the session's held values.
fn fixed_value(d: &DatasetObject) -> dataset::FixedValue<'_> {
    dataset::FixedValue {
        dims: d.shape.dims(),
        element_size: d.element_size,
        budget: d.value_budget,
        chunks: d.stored_chunks.as_deref(),
    }
}

/// Reads the selected elements of a fixed-size dataset in the REST binary form, from the
/// value the session holds when it can.
fn read_fixed(
    d: &DatasetObject,
    transfer: &Transfer,
    file_type: hid_t,
) -> Result<Vec<u8>, VolError> {
    let extract = transfer.file_space.as_ref().map(|space| {
        move |image: &[u8]| -> Result<Vec<u8>, VolError> {
            Ok(selection::gather(space.id(), file_type, image)?)
        }
    });
    let (file, id, value) = (d.handle.file(), d.handle.id(), fixed_value(d));
    let extract = extract.as_ref().map(|f| f as dataset::Extract<'_>);
    let packed = dataset::read_fixed(file, id, value, &transfer.rest, transfer.count, extract)?;
    let expected = transfer.count * d.element_size;
    if packed.len() != expected {
        return Err(VolError::InvalidArgument(format!(
            "service returned {} bytes, expected {expected}",
            packed.len()
        )));
    }
    Ok(packed)
}

/// Converts fixed-size elements read in the file type to the memory type and scatters them
/// into the application's buffer; `stored` is the file type (an id) and the dataset's type.
fn read_into_app(
    transfer: &Transfer,
    mem_type: hid_t,
    stored: (hid_t, &Datatype),
    packed: Vec<u8>,
    out: *mut c_void,
) -> Result<(), VolError> {
    let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
    if out.is_null() {
        return Err(VolError::NullArgument("buf"));
    }
    // SAFETY: H5Dread's contract: `out` holds the memory space's extent in elements of the
    // memory type.
    let app = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), app_len) };
    let (file_type, datatype) = stored;
    let converted = if h5type::equal(mem_type, file_type)? {
        packed
    } else {
        // The application's current elements are the background: a compound read into a
        // subset of members leaves the other members as they were.
        let background = if h5type::class(mem_type)? == h5type::H5T_COMPOUND
            && !layout::is_application_type(datatype, mem_type)?
        {
            Some(selection::gather(transfer.mem_space.id(), mem_type, app)?)
        } else {
            None
        };
        convert::convert_fixed(file_type, mem_type, transfer.count, &packed, background.as_deref())?
    };
    Ok(selection::scatter(transfer.mem_space.id(), mem_type, &converted, app)?)
}

/// Writes fixed-size elements in the REST binary form, through to the service and into the
/// value the session holds.
fn write_fixed(
    d: &DatasetObject,
    transfer: &Transfer,
    file_type: hid_t,
    packed: Vec<u8>,
) -> Result<(), VolError> {
    let apply = transfer.file_space.as_ref().map(|space| {
        move |data: &[u8], image: &mut [u8]| -> Result<(), VolError> {
            Ok(selection::scatter(space.id(), file_type, data, image)?)
        }
    });
    let (file, id, value) = (d.handle.file(), d.handle.id(), fixed_value(d));
    let apply = apply.as_ref().map(|f| f as dataset::Apply<'_>);
    dataset::write_fixed(file, id, value, &transfer.rest, transfer.count, packed, apply)
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn write(
    count: usize,
    dset: *mut *mut c_void,
    mem_type_id: *mut hid_t,
    mem_space_id: *mut hid_t,
    file_space_id: *mut hid_t,
    _dxpl_id: hid_t,
    buf: *mut *const c_void,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Dwrite", -1, || {
        for i in 0..count {
            // SAFETY: HDF5 passes `count`-long arrays; element i of each is valid.
            let (obj, mem_type, mem_space, file_space, input) = unsafe {
                (
                    *dset.add(i),
                    *mem_type_id.add(i),
                    *mem_space_id.add(i),
                    *file_space_id.add(i),
                    *buf.add(i),
                )
            };
            // SAFETY: a dataset object this connector made.
            let VolObject::Dataset(d) = (unsafe { object(obj) })? else {
                return Err(VolError::InvalidArgument("not a dataset".into()));
            };
            let transfer = plan(d, mem_space, file_space)?;
            let file_type = d.file_type()?;
            if transfer.count == 0 {
                continue;
            }
            if input.is_null() {
                return Err(VolError::NullArgument("buf"));
            }
            let app_len = app_buffer_len(transfer.mem_space.id(), mem_type)?;
            // SAFETY: H5Dwrite's contract: `input` holds the memory space's extent in elements
            // of the memory type.
            let app = unsafe { std::slice::from_raw_parts(input.cast::<u8>(), app_len) };
            let packed = selection::gather(transfer.mem_space.id(), mem_type, app)?;
            if reference::is_reference(file_type.id())? {
                let (file, id) = (d.handle.file(), d.handle.id());
                let stored = reference::from_memory(file, mem_type, &packed, transfer.count)?;
                dataset::write(file, id, &transfer.rest, STORED_REF_SIZE, stored)?;
                continue;
            }
            if let Some(layout) = reference::RefCompound::of(file_type.id())? {
                let (file, id) = (d.handle.file(), d.handle.id());
                let stored = layout.stored_from_memory(file, mem_type, &packed, transfer.count)?;
                dataset::write(file, id, &transfer.rest, layout.rest_size(), stored)?;
                continue;
            }
            if d.variable.as_ref().is_some_and(reference::is_reference_sequence) {
                let (file, id) = (d.handle.file(), d.handle.id());
                // SAFETY: the elements come from the application's H5Dwrite buffer, whose
                // sequences HDF5 requires to be valid for the call.
                let stream = unsafe {
                    reference::sequences_from_memory(file, mem_type, &packed, transfer.count)
                }?;
                dataset::write(file, id, &transfer.rest, d.element_size, stream)?;
                continue;
            }
            if d.variable.is_some() {
                // SAFETY: the elements come from the application's H5Dwrite buffer, whose
                // variable-length pointers HDF5 requires to be valid for the call.
                let image = unsafe {
                    VlenImage::from_memory(&packed, mem_type, file_type.id(), transfer.count)
                }?;
                let stream = image.to_stream()?;
                let (file, id) = (d.handle.file(), d.handle.id());
                dataset::write(file, id, &transfer.rest, d.element_size, stream)?;
                continue;
            }
            let converted = if h5type::equal(mem_type, file_type.id())? {
                packed
            } else {
                // Writing a subset of a compound's members keeps the stored values of the
                // others: they are read first and used as the conversion's background.
                let background = if h5type::class(mem_type)? == h5type::H5T_COMPOUND
                    && !convert::sets_every_member(mem_type, file_type.id())?
                {
                    Some(read_fixed(d, &transfer, file_type.id())?)
                } else {
                    None
                };
                convert::convert_fixed(
                    mem_type,
                    file_type.id(),
                    transfer.count,
                    &packed,
                    background.as_deref(),
                )?
            };
            write_fixed(d, &transfer, file_type.id(), converted)?;
        }
        Ok(0)
    })
}

unsafe extern "C" fn get(
    obj: *mut c_void,
    args: *mut sys::H5VL_dataset_get_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Dget", -1, || {
        // SAFETY: HDF5 passes an object this connector made, for this call's exclusive use.
        let VolObject::Dataset(d) = (unsafe { super::object::object_mut(obj) })? else {
            return Err(VolError::InvalidArgument("not a dataset".into()));
        };
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_DATASET_GET_SPACE => {
                // An extensible dataset may have been resized through another handle or
                // process: ask the service for its current shape.
                if d.shape.maxdims().is_some() {
                    let json = crate::vol::object::get_object(d.handle.file(), d.handle.id())?;
                    d.shape = Shape::from_json(json.get("shape").unwrap_or(&Value::Null))?;
                }
                args.args.get_space.space_id = current_space(d)?.into_raw();
            }
            sys::H5VL_DATASET_GET_TYPE => {
                // A dataset of a committed type hands out that committed type (so h5dump and
                // h5ls name it); should the type be gone, its copy in the dataset serves.
                let committed = d
                    .committed_type
                    .as_ref()
                    .and_then(|id| super::object::register_object(d.handle.file(), id).ok());
                args.args.get_type.type_id = match committed {
                    Some(hid) => hid,
                    None => crate::h5::layout::application_type(&d.datatype)?.into_raw(),
                };
            }
            sys::H5VL_DATASET_GET_DCPL => {
                args.args.get_dcpl.dcpl_id = super::plists::copy_plist(d.dcpl.id())?;
            }
            sys::H5VL_DATASET_GET_DAPL => {
                args.args.get_dapl.dapl_id = d.dapl.copy_for_caller()?;
            }
            sys::H5VL_DATASET_GET_SPACE_STATUS => {
                // SAFETY: the union holds get_space_status; `status` is an out-pointer.
                unsafe {
                    write_out(
                        args.args.get_space_status.status,
                        "status",
                        sys::H5D_SPACE_STATUS_ALLOCATED,
                    )
                }?;
            }
            sys::H5VL_DATASET_GET_STORAGE_SIZE => {
                let bytes = d.shape.num_elements() * d.element_size as u64;
                // SAFETY: the union holds get_storage_size; `storage_size` is an out-pointer.
                unsafe {
                    write_out(args.args.get_storage_size.storage_size, "storage_size", bytes)
                }?;
            }
            _ => return Err(VolError::Unsupported("this H5Dget query")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn specific(
    obj: *mut c_void,
    args: *mut sys::H5VL_dataset_specific_args_t,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Dspecific", -1, || {
        // SAFETY: HDF5 passes the callback's argument struct, valid for the call.
        let args = unsafe { args_mut(args) }?;
        match args.op_type {
            sys::H5VL_DATASET_SET_EXTENT => {
                // SAFETY: HDF5 passes a dataset object this connector made, and exclusive use
                // of it for the call.
                let VolObject::Dataset(d) = (unsafe { super::object::object_mut(obj) })? else {
                    return Err(VolError::InvalidArgument("not a dataset".into()));
                };
                let rank = d.shape.dims().len();
                // SAFETY: the union holds set_extent; `size` points to `rank` values.
                let size = unsafe { args.args.set_extent.size };
                if size.is_null() {
                    return Err(VolError::NullArgument("size"));
                }
                // SAFETY: non-NULL array of the dataset's rank.
                let dims = unsafe { std::slice::from_raw_parts(size, rank) }.to_vec();
                dataset::set_extent(d.handle.file(), d.handle.id(), &dims)?;
                d.shape = d.shape.resized(&dims)?;
            }
            sys::H5VL_DATASET_FLUSH => {
                // SAFETY: HDF5 passes an object this connector made.
                unsafe { object(obj) }?.file().flush()?;
            }
            sys::H5VL_DATASET_REFRESH => {
                // SAFETY: HDF5 passes an object this connector made.
                let file = unsafe { object(obj) }?.file();
                file.flush()?;
                file.refresh()?;
            }
            _ => return Err(VolError::Unsupported("this H5D operation")),
        }
        Ok(0)
    })
}

unsafe extern "C" fn close(
    dset: *mut c_void,
    _dxpl_id: hid_t,
    _req: *mut *mut c_void,
) -> sys::herr_t {
    guard("H5Dclose", -1, || {
        // Changes held back by the value cache go to the service first; a failed close keeps
        // the id alive in HDF5 (it retries at library shutdown), so the object is released only
        // once that succeeded.
        // SAFETY: HDF5 passes an object this connector made.
        if let VolObject::Dataset(d) = unsafe { object(dset) }? {
            d.handle.file().flush_values(Some(d.handle.id()))?;
        }
        // SAFETY: HDF5 closes each object exactly once successfully and never uses it
        // afterwards.
        Ok(unsafe { close_object::<VolObject>(dset) })
    })
}
