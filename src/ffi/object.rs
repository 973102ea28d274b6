//! The connector objects HDF5 holds as `void *`: what each callback's `obj` argument points to,
//! and how a location (`H5VL_loc_params_t`) is read from C.

use std::ffi::c_void;
use std::sync::Arc;

use super::hdf5::{borrow_raw, hid_t, str_arg};
use super::plists::{require_class, OwnedPlist, PlistClass};
use super::sys;
use crate::model::ObjId;
use crate::vol::file::OpenFile;
use crate::vol::object::ObjHandle;
use crate::vol::VolError;

/// An open file, with copies of the property lists it was created/opened with.
#[derive(Debug)]
pub struct FileObject {
    /// The open domain.
    pub file: Arc<OpenFile>,
    /// File creation list (`H5Fget_create_plist`).
    pub fcpl: OwnedPlist,
    /// File access list (`H5Fget_access_plist`).
    pub fapl: OwnedPlist,
}

/// An open dataset: its handle, type and shape as the service describes them, and the HDF5
/// ids built from them.
#[derive(Debug)]
pub struct DatasetObject {
    /// The dataset in its file.
    pub handle: ObjHandle,
    /// The current shape.
    pub shape: crate::model::Shape,
    /// The stored type (see [`DatasetObject::file_type`]).
    pub datatype: crate::model::types::Datatype,
    /// Bytes per element in the REST binary layout (for fixed-size types).
    pub element_size: usize,
    /// The stored type, when it has variable-length parts (strings, sequences, or compounds
    /// and arrays holding them): values then travel as count+bytes streams.
    pub variable: Option<crate::model::types::Datatype>,
    /// The creation property list (`H5Dget_create_plist`).
    pub dcpl: crate::h5::OwnedId,
    /// A copy of the access property list it was opened with (`H5Dget_access_plist`).
    pub dapl: OwnedPlist,
    /// The most bytes the dataset's whole value may take to be held by the connector (the
    /// access list's chunk cache size; see [`crate::vol::value_cache`]).
    pub value_budget: usize,
    /// The committed datatype the dataset was created with, if any: `H5Dget_type` then
    /// returns that committed type, as the native connector does.
    pub committed_type: Option<crate::model::ObjId>,
    /// The chunk shape the service stores the value in (its `layout`), when it says: changes
    /// held back by the value cache are sent chunk by chunk.
    pub stored_chunks: Option<Vec<u64>>,
}

/// An open committed datatype.
#[derive(Debug)]
pub struct DatatypeObject {
    /// The datatype object in its file.
    pub handle: ObjHandle,
    /// The stored type in HDF5's binary description (`H5Tencode`).
    pub encoded: Vec<u8>,
}

impl DatasetObject {
    /// The stored type as a new HDF5 datatype (the REST binary layout), built for each use: a
    /// datatype id held open by the connector would count as one the application holds
    /// (`H5Fget_obj_count` over all files counts every datatype id).
    pub fn file_type(&self) -> Result<crate::h5::OwnedId, VolError> {
        Ok(crate::h5::types::to_hdf5(&self.datatype)?)
    }
}

/// Everything restvol hands HDF5 as a VOL object.
#[derive(Debug)]
pub enum VolObject {
    /// A file.
    File(FileObject),
    /// A group.
    Group(ObjHandle),
    /// A dataset.
    Dataset(DatasetObject),
    /// An attribute.
    Attribute(super::attribute::AttrObject),
    /// A committed datatype.
    Datatype(DatatypeObject),
}

impl VolObject {
    /// The file this object lives in.
    pub fn file(&self) -> &Arc<OpenFile> {
        match self {
            VolObject::File(f) => &f.file,
            VolObject::Group(h) => h.file(),
            VolObject::Dataset(d) => d.handle.file(),
            VolObject::Attribute(a) => &a.file,
            VolObject::Datatype(t) => t.handle.file(),
        }
    }

    /// The object paths are resolved from: the root group for a file, else the object itself.
    pub fn anchor(&self) -> &ObjId {
        match self {
            VolObject::File(f) => f.file.root(),
            VolObject::Group(h) => h.id(),
            VolObject::Dataset(d) => d.handle.id(),
            VolObject::Attribute(a) => &a.owner,
            VolObject::Datatype(t) => t.handle.id(),
        }
    }
}

/// Borrows the object behind a callback's `obj` argument.
///
/// # Safety
/// `obj` is NULL or a pointer this connector returned to HDF5 (a boxed [`VolObject`]) that
/// HDF5 has not closed.
pub(super) unsafe fn object<'a>(obj: *mut c_void) -> Result<&'a VolObject, VolError> {
    // SAFETY: guaranteed by the caller.
    unsafe { borrow_raw::<VolObject>(obj, "object") }
}

/// Mutably borrows the object behind a callback's `obj` argument.
///
/// # Safety
/// As [`object`], and HDF5 gives this callback exclusive use of the object for the call.
pub(super) unsafe fn object_mut<'a>(obj: *mut c_void) -> Result<&'a mut VolObject, VolError> {
    if obj.is_null() {
        return Err(VolError::NullArgument("object"));
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { &mut *obj.cast::<VolObject>() })
}

/// A location as HDF5 describes it, read into safe form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The object itself.
    Itself,
    /// The object at `name`, relative to the object.
    ByName(String),
    /// The `n`th link of group `name` in the given index and order.
    ByIndex {
        /// Group path relative to the object.
        name: String,
        /// Index by creation order (`true`) or by name.
        by_creation_order: bool,
        /// Decreasing order (`true`) or increasing/native.
        decreasing: bool,
        /// Position.
        n: u64,
    },
    /// The object with this token.
    ByToken([u8; 16]),
}

/// Reads `H5VL_loc_params_t`.
///
/// # Safety
/// `params` is NULL or points to a valid `H5VL_loc_params_t` whose strings and token live for
/// the call.
pub(super) unsafe fn location(params: *const sys::H5VL_loc_params_t) -> Result<Location, VolError> {
    if params.is_null() {
        return Err(VolError::NullArgument("loc_params"));
    }
    // SAFETY: non-NULL and valid per the caller.
    let params = unsafe { &*params };
    match params.type_ {
        sys::H5VL_OBJECT_BY_SELF => Ok(Location::Itself),
        sys::H5VL_OBJECT_BY_NAME => {
            // SAFETY: for BY_NAME the union holds loc_by_name, whose name is a C string.
            let by_name = unsafe { params.loc_data.loc_by_name };
            require_class(
                by_name.lapl_id,
                PlistClass::LinkAccess,
                "the link access property list",
            )?;
            // SAFETY: its name is a C string valid for the call.
            let name = unsafe { str_arg(by_name.name, "name") }?;
            Ok(Location::ByName(name.to_string()))
        }
        sys::H5VL_OBJECT_BY_IDX => {
            // SAFETY: for BY_IDX the union holds loc_by_idx.
            let by_idx = unsafe { params.loc_data.loc_by_idx };
            require_class(by_idx.lapl_id, PlistClass::LinkAccess, "the link access property list")?;
            // SAFETY: its name is a C string valid for the call.
            let name = unsafe { str_arg(by_idx.name, "name") }?;
            Ok(Location::ByIndex {
                name: name.to_string(),
                by_creation_order: by_idx.idx_type == sys::H5_INDEX_CRT_ORDER,
                decreasing: by_idx.order == sys::H5_ITER_DEC,
                n: by_idx.n,
            })
        }
        sys::H5VL_OBJECT_BY_TOKEN => {
            // SAFETY: for BY_TOKEN the union holds a token pointer.
            let token = unsafe { params.loc_data.loc_by_token.token };
            if token.is_null() {
                return Err(VolError::NullArgument("token"));
            }
            // SAFETY: non-NULL pointer to a 16-byte H5O_token_t.
            Ok(Location::ByToken(unsafe { (*token).__data }))
        }
        _ => Err(VolError::InvalidArgument("unknown location type".into())),
    }
}

/// Registers a new HDF5 id for the object `id` of `file` (a group or dataset), for an iteration
/// callback; release it with [`release_id`].
pub(super) fn register_object(file: &Arc<OpenFile>, id: &ObjId) -> Result<hid_t, VolError> {
    let (object, kind) = match id.class() {
        crate::model::ObjClass::Group => {
            (VolObject::Group(ObjHandle::new(file.clone(), id.clone())), sys::H5I_GROUP)
        }
        crate::model::ObjClass::Dataset => {
            let json = crate::vol::object::get_object(file, id)?;
            let handle = ObjHandle::new(file.clone(), id.clone());
            (VolObject::Dataset(super::dataset::dataset_object(handle, &json)?), sys::H5I_DATASET)
        }
        crate::model::ObjClass::Datatype => {
            let json = crate::vol::object::get_object(file, id)?;
            let handle = ObjHandle::new(file.clone(), id.clone());
            (
                VolObject::Datatype(super::datatype::datatype_object(handle, &json)?),
                sys::H5I_DATATYPE,
            )
        }
    };
    let ptr = super::hdf5::into_raw(object);
    // SAFETY: `ptr` is a boxed VolObject; HDF5 takes ownership and later releases it through
    // this connector's close callback for `kind`.
    let hid = unsafe { sys::H5VLwrap_register(ptr, kind) };
    if hid < 0 {
        // SAFETY: registration failed, so the box is still ours to free, exactly once.
        unsafe { super::hdf5::drop_raw::<VolObject>(ptr) };
        return Err(VolError::Hdf5Call { call: "H5VLwrap_register" });
    }
    Ok(hid)
}

/// Drops one reference to an id made by [`register_object`].
pub(super) fn release_id(id: hid_t) {
    // SAFETY: plain id argument; HDF5 validates it.
    let _ = unsafe { sys::H5Idec_ref(id) };
}

/// HDF5 hands an object's pointer to whichever thread makes the next call on it (a thread-safe
/// libhdf5 serializes the calls with its global lock, but the calling thread changes), so every
/// open object, and the file state it shares with others, must be `Send + Sync`.
const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<VolObject>();
    send_and_sync::<Box<VolObject>>();
};
