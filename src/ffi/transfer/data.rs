//! Datasets and attributes: type, space, creation properties, and copying values from a source
//! object to a destination object, block by block, rewriting references for the destination.

use std::ffi::{c_char, c_void};

use super::handle::{check, Handle, Hdf5Failure};
use crate::ffi::hdf5::c_string;
use crate::ffi::sys::{self, hid_t};

const DEFAULT: hid_t = 0;
const ALL: hid_t = 0;

/// The extent of a dataspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceShape {
    /// `H5S_NULL`: no elements at all.
    Null,
    /// `H5S_SCALAR`: one element.
    Scalar,
    /// `H5S_SIMPLE`: current and maximum dimensions.
    Simple {
        /// Current dimensions.
        dims: Vec<u64>,
        /// Maximum dimensions (`u64::MAX` for unlimited).
        maxdims: Vec<u64>,
    },
}

/// The extent of `space`.
pub fn space_shape(space: &Handle) -> Result<SpaceShape, Hdf5Failure> {
    // SAFETY: identifier by value.
    let class = unsafe { sys::H5Sget_simple_extent_type(space.id()) };
    match class {
        sys::H5S_NULL => Ok(SpaceShape::Null),
        sys::H5S_SCALAR => Ok(SpaceShape::Scalar),
        sys::H5S_SIMPLE => {
            // SAFETY: identifier by value.
            let rank = unsafe { sys::H5Sget_simple_extent_ndims(space.id()) };
            check("H5Sget_simple_extent_ndims", i64::from(rank))?;
            let rank = usize::try_from(rank).unwrap_or(0);
            let (mut dims, mut maxdims) = (vec![0u64; rank], vec![0u64; rank]);
            // SAFETY: both buffers hold `rank` elements, as HDF5 writes.
            let status = unsafe {
                sys::H5Sget_simple_extent_dims(space.id(), dims.as_mut_ptr(), maxdims.as_mut_ptr())
            };
            check("H5Sget_simple_extent_dims", i64::from(status))?;
            Ok(SpaceShape::Simple { dims, maxdims })
        }
        _ => Err(Hdf5Failure::take("H5Sget_simple_extent_type")),
    }
}

/// The datatype of a dataset.
pub fn dataset_type(dataset: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Dget_type", unsafe { sys::H5Dget_type(dataset.id()) })
}

/// The dataspace of a dataset.
pub fn dataset_space(dataset: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Dget_space", unsafe { sys::H5Dget_space(dataset.id()) })
}

/// The creation properties of a dataset (layout, chunks, filters, fill value).
pub fn dataset_creation_plist(dataset: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Dget_create_plist", unsafe { sys::H5Dget_create_plist(dataset.id()) })
}

/// The chunk dimensions in a dataset creation list, if the layout is chunked.
pub fn chunk_dims(dcpl: &Handle) -> Result<Option<Vec<u64>>, Hdf5Failure> {
    // SAFETY: identifier by value.
    let layout = unsafe { sys::H5Pget_layout(dcpl.id()) };
    check("H5Pget_layout", i64::from(layout))?;
    if layout != sys::H5D_CHUNKED {
        return Ok(None);
    }
    let mut dims = [0u64; 32];
    // SAFETY: the buffer holds 32 elements, HDF5's maximum rank.
    let rank = unsafe { sys::H5Pget_chunk(dcpl.id(), 32, dims.as_mut_ptr()) };
    check("H5Pget_chunk", i64::from(rank))?;
    Ok(Some(dims[..usize::try_from(rank).unwrap_or(0).min(32)].to_vec()))
}

/// Creates the dataset `name` in `loc`.
pub fn create_dataset(
    loc: &Handle,
    name: &str,
    datatype: &Handle,
    space: &Handle,
    dcpl: &Handle,
) -> Result<Handle, Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Dcreate2", unsafe {
        sys::H5Dcreate2(
            loc.id(),
            name.as_ptr(),
            datatype.id(),
            space.id(),
            DEFAULT,
            dcpl.id(),
            DEFAULT,
        )
    })
}

/// Whether storage for a dataset's values was ever allocated (a dataset never written holds
/// only its fill value).
pub fn is_allocated(dataset: &Handle) -> Result<bool, Hdf5Failure> {
    let mut status = sys::H5D_SPACE_STATUS_ERROR;
    // SAFETY: valid out-pointer; identifier by value.
    let rc = unsafe { sys::H5Dget_space_status(dataset.id(), &mut status) };
    check("H5Dget_space_status", i64::from(rc))?;
    Ok(status != sys::H5D_SPACE_STATUS_NOT_ALLOCATED)
}

/// Opens the attribute `name` of `object`.
pub fn open_attribute(object: &Handle, name: &str) -> Result<Handle, Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Aopen", unsafe { sys::H5Aopen(object.id(), name.as_ptr(), DEFAULT) })
}

/// The datatype of an attribute.
pub fn attribute_type(attribute: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Aget_type", unsafe { sys::H5Aget_type(attribute.id()) })
}

/// The dataspace of an attribute.
pub fn attribute_space(attribute: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Aget_space", unsafe { sys::H5Aget_space(attribute.id()) })
}

/// The creation properties of an attribute (its name's character set).
pub fn attribute_creation_plist(attribute: &Handle) -> Result<Handle, Hdf5Failure> {
    // SAFETY: identifier by value.
    Handle::new("H5Aget_create_plist", unsafe { sys::H5Aget_create_plist(attribute.id()) })
}

/// Creates the attribute `name` of `object`.
pub fn create_attribute(
    object: &Handle,
    name: &str,
    datatype: &Handle,
    space: &Handle,
    acpl: &Handle,
) -> Result<Handle, Hdf5Failure> {
    let name = c_string(name);
    // SAFETY: NUL-terminated name; identifiers by value.
    Handle::new("H5Acreate2", unsafe {
        sys::H5Acreate2(object.id(), name.as_ptr(), datatype.id(), space.id(), acpl.id(), DEFAULT)
    })
}

/// How the values of a type are moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Fixed-size values: bytes in, bytes out.
    Plain,
    /// Values with variable-length parts (strings, sequences): the memory HDF5 allocates on
    /// read is reclaimed after the write.
    Variable,
    /// References (`H5T_STD_REF` and the old kinds): each one is rewritten to name the same
    /// object in the destination file.
    References,
    /// References inside compounds, arrays or sequences, which cannot be rewritten.
    NestedReferences,
}

impl ValueKind {
    /// How values of `datatype` are moved.
    pub fn of(datatype: &Handle) -> Result<ValueKind, Hdf5Failure> {
        let detect = |class: sys::H5T_class_t| -> Result<bool, Hdf5Failure> {
            // SAFETY: identifier by value.
            let answer = unsafe { sys::H5Tdetect_class(datatype.id(), class) };
            check("H5Tdetect_class", i64::from(answer))?;
            Ok(answer > 0)
        };
        // SAFETY: identifier by value.
        let class = unsafe { sys::H5Tget_class(datatype.id()) };
        check("H5Tget_class", i64::from(class))?;
        if class == sys::H5T_REFERENCE {
            return Ok(ValueKind::References);
        }
        if detect(sys::H5T_REFERENCE)? {
            return Ok(ValueKind::NestedReferences);
        }
        if detect(sys::H5T_VLEN)? || has_variable_string(datatype)? {
            return Ok(ValueKind::Variable);
        }
        Ok(ValueKind::Plain)
    }
}

/// Whether a (possibly compound or array) type holds a variable-length string anywhere.
fn has_variable_string(datatype: &Handle) -> Result<bool, Hdf5Failure> {
    // SAFETY: identifier by value.
    if unsafe { sys::H5Tis_variable_str(datatype.id()) } > 0 {
        return Ok(true);
    }
    // SAFETY: identifier by value.
    let class = unsafe { sys::H5Tget_class(datatype.id()) };
    if class == sys::H5T_COMPOUND {
        // SAFETY: identifier by value.
        let members = unsafe { sys::H5Tget_nmembers(datatype.id()) };
        for index in 0..u32::try_from(members).unwrap_or(0) {
            // SAFETY: identifier by value, index below the member count.
            let member = Handle::new("H5Tget_member_type", unsafe {
                sys::H5Tget_member_type(datatype.id(), index)
            })?;
            if has_variable_string(&member)? {
                return Ok(true);
            }
        }
    } else if class == sys::H5T_ARRAY {
        // SAFETY: identifier by value.
        let base = Handle::new("H5Tget_super", unsafe { sys::H5Tget_super(datatype.id()) })?;
        return has_variable_string(&base);
    }
    Ok(false)
}

/// The in-memory size of one value of `datatype`.
pub fn type_size(datatype: &Handle) -> Result<usize, Hdf5Failure> {
    // SAFETY: identifier by value.
    let size = unsafe { sys::H5Tget_size(datatype.id()) };
    if size == 0 {
        return Err(Hdf5Failure::take("H5Tget_size"));
    }
    Ok(size)
}

/// Whether `datatype` is a committed (named) datatype.
pub fn is_committed(datatype: &Handle) -> Result<bool, Hdf5Failure> {
    // SAFETY: identifier by value.
    let answer = unsafe { sys::H5Tcommitted(datatype.id()) };
    check("H5Tcommitted", i64::from(answer))?;
    Ok(answer > 0)
}

/// A dataset or an attribute whose values are read or written.
#[derive(Debug, Clone, Copy)]
pub enum ValueTarget<'a> {
    /// A dataset (block by block).
    Dataset(&'a Handle),
    /// An attribute (all values at once).
    Attribute(&'a Handle),
}

/// Copies values of one type from a source object to a destination object.
#[derive(Debug)]
pub struct ValueCopy<'a> {
    /// Where the values come from.
    pub source: ValueTarget<'a>,
    /// Where they go (same shape).
    pub dest: ValueTarget<'a>,
    /// The type the values are read as and written as (the source's own type).
    pub datatype: &'a Handle,
    /// How they move.
    pub kind: ValueKind,
    /// The destination file, for rewritten references.
    pub dest_file: &'a Handle,
}

/// A selection of a dataset's values: `start`/`count` of a block, or everything.
struct Block {
    file_space: Option<Handle>,
    mem_space: Handle,
    elements: usize,
}

impl ValueCopy<'_> {
    /// Copies every value (`elements` of them) of an attribute or a dataset.
    pub fn copy_all(&self, elements: u64) -> Result<(), Hdf5Failure> {
        let dims = [elements];
        // SAFETY: one dimension from a valid buffer; NULL maximum dims means "same".
        let mem_space = Handle::new("H5Screate_simple", unsafe {
            sys::H5Screate_simple(1, dims.as_ptr(), std::ptr::null())
        })?;
        let elements = usize::try_from(elements).unwrap_or(usize::MAX);
        self.copy(&Block { file_space: None, mem_space, elements })
    }

    /// Copies the hyperslab `start`/`count` of a dataset.
    pub fn copy_block(&self, start: &[u64], count: &[u64]) -> Result<(), Hdf5Failure> {
        let ValueTarget::Dataset(dataset) = self.source else {
            return Err(Hdf5Failure { call: "copy_block", stack: vec!["not a dataset".into()] });
        };
        let rank = i32::try_from(count.len()).unwrap_or(0);
        // SAFETY: `count` holds `rank` dimensions; NULL maximum dims means "same".
        let mem_space = Handle::new("H5Screate_simple", unsafe {
            sys::H5Screate_simple(rank, count.as_ptr(), std::ptr::null())
        })?;
        let file_space = dataset_space(dataset)?;
        // SAFETY: `start` and `count` hold the dataspace's rank; NULL stride/block mean 1.
        let status = unsafe {
            sys::H5Sselect_hyperslab(
                file_space.id(),
                sys::H5S_SELECT_SET,
                start.as_ptr(),
                std::ptr::null(),
                count.as_ptr(),
                std::ptr::null(),
            )
        };
        check("H5Sselect_hyperslab", i64::from(status))?;
        let elements = count.iter().product::<u64>();
        let elements = usize::try_from(elements).unwrap_or(usize::MAX);
        self.copy(&Block { file_space: Some(file_space), mem_space, elements })
    }

    fn copy(&self, block: &Block) -> Result<(), Hdf5Failure> {
        if block.elements == 0 {
            return Ok(());
        }
        match self.kind {
            ValueKind::References => self.copy_references(block),
            ValueKind::NestedReferences => Err(Hdf5Failure {
                call: "copy values",
                stack: vec!["references inside compound, array or variable-length types \
                             cannot be rewritten"
                    .into()],
            }),
            ValueKind::Plain | ValueKind::Variable => {
                let size = type_size(self.datatype)?;
                let words = block.elements.saturating_mul(size).div_ceil(8);
                let mut buf = vec![0u64; words];
                let ptr: *mut c_void = buf.as_mut_ptr().cast();
                read(self.source, self.datatype.id(), block, ptr)?;
                let written = write(self.dest, self.datatype.id(), block, ptr);
                if self.kind == ValueKind::Variable {
                    // SAFETY: `buf` holds the values HDF5 read with this type and memory space;
                    // H5Treclaim frees the variable-length memory it allocated for them.
                    let status = unsafe {
                        sys::H5Treclaim(self.datatype.id(), block.mem_space.id(), DEFAULT, ptr)
                    };
                    check("H5Treclaim", i64::from(status))?;
                }
                written
            }
        }
    }

    fn copy_references(&self, block: &Block) -> Result<(), Hdf5Failure> {
        // SAFETY: reading a copy of a hid_t global set up by H5open.
        let ref_type = unsafe { sys::H5T_STD_REF_g };
        let mut source = vec![sys::H5R_ref_t::default(); block.elements];
        read(self.source, ref_type, block, source.as_mut_ptr().cast())?;
        let mut dest = vec![sys::H5R_ref_t::default(); block.elements];
        let mut outcome = Ok(());
        for (from, to) in source.iter_mut().zip(dest.iter_mut()) {
            if let Err(err) = rewrite_reference(from, self.dest_file, to) {
                outcome = Err(err);
                break;
            }
        }
        if outcome.is_ok() {
            outcome = write(self.dest, ref_type, block, dest.as_mut_ptr().cast());
        }
        for reference in source.iter_mut().chain(dest.iter_mut()) {
            destroy_reference(reference);
        }
        outcome
    }
}

fn read(
    target: ValueTarget<'_>,
    mem_type: hid_t,
    block: &Block,
    buf: *mut c_void,
) -> Result<(), Hdf5Failure> {
    match target {
        ValueTarget::Dataset(dataset) => {
            let file_space = block.file_space.as_ref().map_or(ALL, Handle::id);
            // SAFETY: `buf` holds `block.elements` values of `mem_type`, the selection size.
            let status = unsafe {
                sys::H5Dread(dataset.id(), mem_type, block.mem_space.id(), file_space, DEFAULT, buf)
            };
            check("H5Dread", i64::from(status))
        }
        ValueTarget::Attribute(attribute) => {
            // SAFETY: `buf` holds all the attribute's values of `mem_type`.
            let status = unsafe { sys::H5Aread(attribute.id(), mem_type, buf) };
            check("H5Aread", i64::from(status))
        }
    }
}

fn write(
    target: ValueTarget<'_>,
    mem_type: hid_t,
    block: &Block,
    buf: *const c_void,
) -> Result<(), Hdf5Failure> {
    match target {
        ValueTarget::Dataset(dataset) if block.file_space.is_some() => {
            write_block(dataset, mem_type, block, buf)
        }
        ValueTarget::Dataset(dataset) => {
            // SAFETY: `buf` holds `block.elements` values of `mem_type`, the selection size.
            let status = unsafe {
                sys::H5Dwrite(dataset.id(), mem_type, block.mem_space.id(), ALL, DEFAULT, buf)
            };
            check("H5Dwrite", i64::from(status))
        }
        ValueTarget::Attribute(attribute) => {
            // SAFETY: `buf` holds all the attribute's values of `mem_type`.
            let status = unsafe { sys::H5Awrite(attribute.id(), mem_type, buf) };
            check("H5Awrite", i64::from(status))
        }
    }
}

/// Writes a block into the same hyperslab of the destination as was selected in the source.
fn write_block(
    dataset: &Handle,
    mem_type: hid_t,
    block: &Block,
    buf: *const c_void,
) -> Result<(), Hdf5Failure> {
    let Some(source_space) = &block.file_space else {
        return Err(Hdf5Failure { call: "write_block", stack: vec!["no selection".into()] });
    };
    // SAFETY: identifier by value.
    let file_space = Handle::new("H5Scopy", unsafe { sys::H5Scopy(source_space.id()) })?;
    // SAFETY: `buf` holds `block.elements` values of `mem_type`, the selection size; the
    // copied selection has the source's extent, which equals the destination's.
    let status = unsafe {
        sys::H5Dwrite(dataset.id(), mem_type, block.mem_space.id(), file_space.id(), DEFAULT, buf)
    };
    check("H5Dwrite", i64::from(status))
}

fn obj_name(reference: &sys::H5R_ref_t) -> Result<String, Hdf5Failure> {
    // SAFETY: a valid reference read by HDF5; NULL buffer asks for the length.
    let len = unsafe {
        sys::H5Rget_obj_name(reference as *const _ as *mut _, DEFAULT, std::ptr::null_mut(), 0)
    };
    check("H5Rget_obj_name", len as i64)?;
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0) + 1];
    // SAFETY: the buffer holds len + 1 bytes, as HDF5 writes (name and NUL).
    let len = unsafe {
        sys::H5Rget_obj_name(
            reference as *const _ as *mut _,
            DEFAULT,
            buf.as_mut_ptr().cast::<c_char>(),
            buf.len(),
        )
    };
    check("H5Rget_obj_name", len as i64)?;
    buf.truncate(usize::try_from(len).unwrap_or(0));
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn attr_name(reference: &sys::H5R_ref_t) -> Result<String, Hdf5Failure> {
    // SAFETY: a valid attribute reference; NULL buffer asks for the length.
    let len = unsafe { sys::H5Rget_attr_name(reference, std::ptr::null_mut(), 0) };
    check("H5Rget_attr_name", len as i64)?;
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0) + 1];
    // SAFETY: the buffer holds len + 1 bytes, as HDF5 writes (name and NUL).
    let len =
        unsafe { sys::H5Rget_attr_name(reference, buf.as_mut_ptr().cast::<c_char>(), buf.len()) };
    check("H5Rget_attr_name", len as i64)?;
    buf.truncate(usize::try_from(len).unwrap_or(0));
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Makes `to` name, in `dest_file`, the object (and region or attribute) `from` names.
fn rewrite_reference(
    from: &mut sys::H5R_ref_t,
    dest_file: &Handle,
    to: &mut sys::H5R_ref_t,
) -> Result<(), Hdf5Failure> {
    // SAFETY: `from` was filled by H5Dread/H5Aread as an H5R_ref_t (or left zeroed).
    let kind = unsafe { sys::H5Rget_type(from) };
    if kind <= sys::H5R_BADTYPE {
        // A null reference stays null.
        // SAFETY: clears what H5Rget_type may have left on the error stack.
        unsafe { sys::H5Eclear2(sys::H5E_DEFAULT as hid_t) };
        return Ok(());
    }
    let name = c_string(&obj_name(from)?);
    let status = match kind {
        sys::H5R_OBJECT1 | sys::H5R_OBJECT2 => {
            // SAFETY: NUL-terminated name, valid out-pointer; identifiers by value.
            unsafe { sys::H5Rcreate_object(dest_file.id(), name.as_ptr(), DEFAULT, to) }
        }
        sys::H5R_DATASET_REGION1 | sys::H5R_DATASET_REGION2 => {
            // SAFETY: `from` is a valid region reference.
            let region = Handle::new("H5Ropen_region", unsafe {
                sys::H5Ropen_region(from, DEFAULT, DEFAULT)
            })?;
            // SAFETY: NUL-terminated name, valid out-pointer; identifiers by value.
            unsafe {
                sys::H5Rcreate_region(dest_file.id(), name.as_ptr(), region.id(), DEFAULT, to)
            }
        }
        sys::H5R_ATTR => {
            let attr = c_string(&attr_name(from)?);
            // SAFETY: NUL-terminated names, valid out-pointer; identifiers by value.
            unsafe {
                sys::H5Rcreate_attr(dest_file.id(), name.as_ptr(), attr.as_ptr(), DEFAULT, to)
            }
        }
        _ => {
            return Err(Hdf5Failure {
                call: "H5Rget_type",
                stack: vec![format!("unknown reference type {kind}")],
            })
        }
    };
    check("H5Rcreate", i64::from(status))
}

fn destroy_reference(reference: &mut sys::H5R_ref_t) {
    // SAFETY: reads the type of a reference HDF5 filled, or of a zeroed one.
    if unsafe { sys::H5Rget_type(reference) } > sys::H5R_BADTYPE {
        // SAFETY: a valid reference this program owns, destroyed once.
        unsafe { sys::H5Rdestroy(reference) };
    }
    // SAFETY: clears whatever a zeroed reference left on the error stack.
    unsafe { sys::H5Eclear2(sys::H5E_DEFAULT as hid_t) };
}
