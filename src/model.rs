//! The HDF REST API data model: schema-v2 object ids, type JSON, shapes, the `select` grammar,
//! links, attributes, values (JSON ⇄ packed binary) and error bodies. Pure data, serde only; no I/O.
//!
//! Facts come from the HSDS reference (`shared/reference/hsds.md`): where HSDS 1.0.2 differs
//! from 0.9.4, every parser here accepts both forms and every response writer emits the 1.0.2
//! form (external links answer with `file`); stored external links keep `h5domain`.
//!
//! Every fallible function returns [`ModelError`], whose `http_status()` and `to_json_body()`
//! give the HTTP answer.

pub mod attributes;
pub mod error;
pub mod ids;
pub mod links;
pub mod selection;
pub mod shapes;
pub mod types;
pub mod values;

pub use attributes::{validate_attribute_name, AttrValue, Attribute};
pub use error::{ModelError, ModelResult};
pub use ids::{
    is_root_id, new_obj_id, new_root_id, partition_index, root_of, validate_uuid, ChunkId,
    ObjClass, ObjId,
};
pub use links::{validate_link_name, Link, LinkClass, LinkTarget};
pub use selection::{BodySelection, DimIndices, DimSelection, PointSelection, Selection, Slice};
pub use shapes::{Extent, Shape};
pub use types::{
    BitfieldType, ByteOrder, CharSet, Compound, CompoundField, CompoundLayout, Datatype,
    EnumMember, FloatType, IntegerType, ReferenceKind, StrPad, StringLength, StringType,
};
