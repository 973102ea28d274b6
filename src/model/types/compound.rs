//! The compound type of the type JSON ([`Compound`]): its fields in order, and the memory
//! layout the application created it with ([`CompoundLayout`]), when that is not the packed one.
//!
//! The wire form of a compound is always packed (HSDS stores and sends values that way), and the
//! HDF REST type JSON has no member offsets. restvol records the application's layout as an
//! extension that HSDS and h5json keep but ignore: each field gets `"offset": n` and the compound
//! `"memorySize": N` (not `"size"`: HSDS 1.0.2's DN takes a type's `size` as its wire item
//! size). A packed compound carries neither key, so its JSON is exactly HSDS's.
//! Equality of compounds includes the layout; every wire size ignores it.

use std::ops::Deref;

use serde_json::{Map, Value};

use super::{type_error, CompoundField, Datatype, ReferenceKind, StringLength};
use crate::model::error::ModelResult;

/// The compound key holding the element size of a recorded layout.
pub const MEMORY_SIZE_KEY: &str = "memorySize";

/// A compound type: named fields in order and, optionally, the application's memory layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compound {
    fields: Vec<CompoundField>,
    layout: Option<CompoundLayout>,
}

/// Where each field of a compound lives in the application's memory, and the element size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompoundLayout {
    /// Byte offset of each field, in field order.
    pub offsets: Vec<u64>,
    /// Size in bytes of one element in memory.
    pub size: u64,
}

impl Compound {
    /// A compound without a recorded layout (packed).
    pub fn packed(fields: Vec<CompoundField>) -> Compound {
        Compound { fields, layout: None }
    }

    /// A compound with the application's layout `layout`, checked against the fields.
    ///
    /// # Errors
    /// [`crate::model::ModelError::InvalidType`] when the offsets do not match the fields, a
    /// field does not fit in `size`, or two fields overlap.
    pub fn with_layout(
        fields: Vec<CompoundField>,
        layout: CompoundLayout,
    ) -> ModelResult<Compound> {
        validate_layout(&fields, &layout)?;
        Ok(Compound { fields, layout: Some(layout) })
    }

    /// The fields in order.
    pub fn fields(&self) -> &[CompoundField] {
        &self.fields
    }

    /// The recorded memory layout, if any.
    pub fn layout(&self) -> Option<&CompoundLayout> {
        self.layout.as_ref()
    }

    /// The same fields without the recorded layout.
    pub fn without_layout(&self) -> Compound {
        Compound::packed(self.fields.clone())
    }

    /// The type JSON: HSDS's form plus the layout keys when a layout is recorded.
    pub fn to_json(&self) -> Value {
        let fields: Vec<Value> = self
            .fields
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let mut object = Map::new();
                object.insert("name".into(), Value::from(field.name.clone()));
                object.insert("type".into(), field.datatype.to_json());
                if let Some(offset) = self.layout.as_ref().and_then(|l| l.offsets.get(index)) {
                    object.insert("offset".into(), Value::from(*offset));
                }
                Value::Object(object)
            })
            .collect();
        let mut object = Map::new();
        object.insert("class".into(), Value::from("H5T_COMPOUND"));
        object.insert("fields".into(), Value::Array(fields));
        if let Some(layout) = &self.layout {
            object.insert(MEMORY_SIZE_KEY.into(), Value::from(layout.size));
        }
        Value::Object(object)
    }
}

impl Deref for Compound {
    type Target = [CompoundField];

    fn deref(&self) -> &[CompoundField] {
        &self.fields
    }
}

impl From<Vec<CompoundField>> for Compound {
    fn from(fields: Vec<CompoundField>) -> Compound {
        Compound::packed(fields)
    }
}

impl<'a> IntoIterator for &'a Compound {
    type Item = &'a CompoundField;
    type IntoIter = std::slice::Iter<'a, CompoundField>;

    fn into_iter(self) -> Self::IntoIter {
        self.fields.iter()
    }
}

/// Reads the layout keys of a compound's JSON object (`fields` already parsed from it): `None`
/// when neither `memorySize` nor any field `offset` is present.
pub(super) fn parse_layout(
    map: &Map<String, Value>,
    fields: &[CompoundField],
) -> ModelResult<Option<CompoundLayout>> {
    let raw_fields = map.get("fields").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
    let offsets: Vec<Option<&Value>> =
        raw_fields.iter().map(|field| field.as_object().and_then(|f| f.get("offset"))).collect();
    let size = map.get(MEMORY_SIZE_KEY);
    if size.is_none() && offsets.iter().all(Option::is_none) {
        return Ok(None);
    }
    let size = size.and_then(Value::as_u64).filter(|size| *size >= 1).ok_or_else(|| {
        type_error("H5T_COMPOUND with field offsets needs a positive 'memorySize'")
    })?;
    let offsets = offsets
        .iter()
        .zip(fields)
        .map(|(offset, field)| {
            offset.and_then(Value::as_u64).ok_or_else(|| {
                type_error(format!(
                    "H5T_COMPOUND field '{}' needs a non-negative integer 'offset' (the compound has a 'memorySize')",
                    field.name
                ))
            })
        })
        .collect::<ModelResult<Vec<u64>>>()?;
    let layout = CompoundLayout { offsets, size };
    validate_layout(fields, &layout)?;
    Ok(Some(layout))
}

/// Checks that every field fits in the element at its offset and no two overlap.
fn validate_layout(fields: &[CompoundField], layout: &CompoundLayout) -> ModelResult<()> {
    if layout.offsets.len() != fields.len() {
        return Err(type_error(format!(
            "H5T_COMPOUND has {} fields but {} offsets",
            fields.len(),
            layout.offsets.len()
        )));
    }
    let mut spans = Vec::with_capacity(fields.len());
    for (field, offset) in fields.iter().zip(&layout.offsets) {
        let size = memory_size(&field.datatype).unwrap_or(1);
        let end = offset.checked_add(size).filter(|end| *end <= layout.size).ok_or_else(|| {
            type_error(format!(
                "H5T_COMPOUND field '{}' at offset {offset} does not fit in size {}",
                field.name, layout.size
            ))
        })?;
        spans.push((*offset, end, field.name.as_str()));
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if let [(_, end, first), (start, _, second)] = pair {
            if start < end {
                return Err(type_error(format!(
                    "H5T_COMPOUND fields '{first}' and '{second}' overlap"
                )));
            }
        }
    }
    Ok(())
}

/// The smallest size a value of `datatype` takes in an application's memory (pointers and
/// `hvl_t` as on this platform, object references as `hobj_ref_t`); `None` when unknown (an
/// unresolved committed reference) or overflowing.
pub fn memory_size(datatype: &Datatype) -> Option<u64> {
    let pointer = std::mem::size_of::<usize>() as u64;
    match datatype {
        Datatype::String(string) if string.length == StringLength::Variable => Some(pointer),
        Datatype::Vlen(_) => Some(2 * pointer),
        Datatype::Reference(ReferenceKind::Object) => Some(8),
        Datatype::Reference(ReferenceKind::Region) => Some(12),
        Datatype::Compound(compound) => match compound.layout() {
            Some(layout) => Some(layout.size),
            None => compound
                .iter()
                .try_fold(0u64, |sum, field| sum.checked_add(memory_size(&field.datatype)?)),
        },
        Datatype::Array { base, dims } => {
            dims.iter().try_fold(memory_size(base)?, |size, dim| size.checked_mul(*dim))
        }
        Datatype::Committed(_) => None,
        Datatype::CommittedCopy { datatype, .. } => memory_size(datatype),
        other => other.item_size(),
    }
}
