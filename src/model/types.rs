//! HDF5 type JSON (reference section 2.9): the [`Datatype`] enum, which reads every form HSDS
//! accepts and writes HSDS's canonical form, plus packed item sizes.
//!
//! Accepted input forms:
//! - a predefined name as a bare string: `"H5T_STD_I32LE"`, `"H5T_IEEE_F16BE"`,
//!   `"H5T_STD_B8LE"`, `"H5T_STD_REF_OBJ"`, `"H5T_STD_REF_DSETREG"`;
//! - a committed type id as a bare string: `"t-…"` ([`Datatype::Committed`]);
//! - a type object `{"class": "H5T_…", …}`; one that also carries `"id": "t-…"` is a committed
//!   type's definition copied in ([`Datatype::CommittedCopy`]).
//!
//! Output is always the object form, e.g. `{"class":"H5T_INTEGER","base":"H5T_STD_I32LE"}`,
//! except that a committed reference stays the `"t-…"` string.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::error::{ModelError, ModelResult};
use super::ids::{ObjClass, ObjId};

mod compound;

pub use compound::{memory_size, Compound, CompoundLayout};

/// The `length`/`size` keyword of variable-length strings and sequences.
pub const H5T_VARIABLE: &str = "H5T_VARIABLE";
/// Item size of object references: a null-padded ASCII `"<collection>/<id>"`. Region references
/// have no fixed size: as in HSDS 1.0.2 (h5json), each is a variable-length byte string (the
/// referenced dataset's id and a serialized selection), `<int32 LE byte count><bytes>` on the
/// wire and in chunks, like a vlen element.
pub const REFERENCE_ITEM_SIZE: u64 = 48;

/// Byte order of a numeric type, the `LE`/`BE` suffix of its base name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `…LE`
    Little,
    /// `…BE`
    Big,
}

impl ByteOrder {
    fn suffix(self) -> &'static str {
        match self {
            ByteOrder::Little => "LE",
            ByteOrder::Big => "BE",
        }
    }
}

/// An integer type: `H5T_STD_{I,U}{8,16,32,64}{LE,BE}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IntegerType {
    /// Size in bytes: 1, 2, 4 or 8.
    pub size: u8,
    /// `I` (true) or `U` (false).
    pub signed: bool,
    /// Byte order.
    pub order: ByteOrder,
}

impl IntegerType {
    /// Parses a predefined integer name such as `H5T_STD_U16BE`.
    pub fn from_base_name(name: &str) -> Option<IntegerType> {
        let rest = name.strip_prefix("H5T_STD_")?;
        let (signed, rest) = match rest.split_at_checked(1)? {
            ("I", rest) => (true, rest),
            ("U", rest) => (false, rest),
            _ => return None,
        };
        let (size, order) = parse_bits_and_order(rest, &[8, 16, 32, 64])?;
        Some(IntegerType { size, signed, order })
    }

    /// The predefined name, e.g. `H5T_STD_I32LE`.
    pub fn base_name(&self) -> String {
        let sign = if self.signed { 'I' } else { 'U' };
        format!("H5T_STD_{sign}{}{}", u32::from(self.size) * 8, self.order.suffix())
    }

    /// The smallest and largest value the type holds.
    pub fn value_range(&self) -> (i128, i128) {
        let bits = (u32::from(self.size) * 8).clamp(8, 64);
        if self.signed {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        }
    }
}

/// A floating-point type: `H5T_IEEE_F{16,32,64}{LE,BE}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FloatType {
    /// Size in bytes: 2, 4 or 8.
    pub size: u8,
    /// Byte order.
    pub order: ByteOrder,
}

impl FloatType {
    /// Parses a predefined float name such as `H5T_IEEE_F64LE`.
    pub fn from_base_name(name: &str) -> Option<FloatType> {
        let rest = name.strip_prefix("H5T_IEEE_F")?;
        let (size, order) = parse_bits_and_order(rest, &[16, 32, 64])?;
        Some(FloatType { size, order })
    }

    /// The predefined name, e.g. `H5T_IEEE_F32LE`.
    pub fn base_name(&self) -> String {
        format!("H5T_IEEE_F{}{}", u32::from(self.size) * 8, self.order.suffix())
    }
}

/// A bitfield type: `H5T_STD_B{8,16,32,64}{LE,BE}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BitfieldType {
    /// Size in bytes: 1, 2, 4 or 8.
    pub size: u8,
    /// Byte order.
    pub order: ByteOrder,
}

impl BitfieldType {
    /// Parses a predefined bitfield name such as `H5T_STD_B8LE`.
    pub fn from_base_name(name: &str) -> Option<BitfieldType> {
        let rest = name.strip_prefix("H5T_STD_B")?;
        let (size, order) = parse_bits_and_order(rest, &[8, 16, 32, 64])?;
        Some(BitfieldType { size, order })
    }

    /// The predefined name, e.g. `H5T_STD_B16BE`.
    pub fn base_name(&self) -> String {
        format!("H5T_STD_B{}{}", u32::from(self.size) * 8, self.order.suffix())
    }
}

/// Parses `<bits><LE|BE>` where bits is one of `allowed`; returns (bytes, order).
fn parse_bits_and_order(text: &str, allowed: &[u32]) -> Option<(u8, ByteOrder)> {
    let (bits, order) = if let Some(bits) = text.strip_suffix("LE") {
        (bits, ByteOrder::Little)
    } else {
        (text.strip_suffix("BE")?, ByteOrder::Big)
    };
    let bits: u32 = bits.parse().ok().filter(|bits| allowed.contains(bits))?;
    Some((u8::try_from(bits / 8).ok()?, order))
}

/// Character set of a string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CharSet {
    /// `H5T_CSET_ASCII`
    Ascii,
    /// `H5T_CSET_UTF8`
    Utf8,
}

impl CharSet {
    /// The JSON keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CharSet::Ascii => "H5T_CSET_ASCII",
            CharSet::Utf8 => "H5T_CSET_UTF8",
        }
    }

    fn parse(text: &str) -> Option<CharSet> {
        [CharSet::Ascii, CharSet::Utf8].into_iter().find(|set| set.as_str() == text)
    }
}

/// Padding of a string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrPad {
    /// `H5T_STR_NULLTERM`
    NullTerm,
    /// `H5T_STR_NULLPAD`
    NullPad,
    /// `H5T_STR_SPACEPAD`
    SpacePad,
}

impl StrPad {
    /// The JSON keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            StrPad::NullTerm => "H5T_STR_NULLTERM",
            StrPad::NullPad => "H5T_STR_NULLPAD",
            StrPad::SpacePad => "H5T_STR_SPACEPAD",
        }
    }

    fn parse(text: &str) -> Option<StrPad> {
        [StrPad::NullTerm, StrPad::NullPad, StrPad::SpacePad]
            .into_iter()
            .find(|pad| pad.as_str() == text)
    }
}

/// Length of a string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringLength {
    /// A fixed number of bytes (at least 1).
    Fixed(u64),
    /// `"H5T_VARIABLE"`.
    Variable,
}

/// A fixed or variable-length string type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StringType {
    /// Character set; defaults to ASCII when absent.
    pub char_set: CharSet,
    /// Padding; defaults to NULLPAD (fixed) or NULLTERM (variable) when absent.
    pub str_pad: StrPad,
    /// Fixed byte count or variable.
    pub length: StringLength,
}

/// One member of a compound type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompoundField {
    /// Field name (non-empty ASCII, unique within the compound).
    pub name: String,
    /// Field type.
    pub datatype: Datatype,
}

/// One member of an enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumMember {
    /// Member name.
    pub name: String,
    /// Member value, within the range of the enum's base type.
    pub value: i128,
}

/// Kind of an `H5T_REFERENCE` type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferenceKind {
    /// `H5T_STD_REF_OBJ`: a `"groups/<id>"`-style object reference.
    Object,
    /// `H5T_STD_REF_DSETREG`: a dataset region reference.
    Region,
}

impl ReferenceKind {
    /// The base name.
    pub fn base_name(self) -> &'static str {
        match self {
            ReferenceKind::Object => "H5T_STD_REF_OBJ",
            ReferenceKind::Region => "H5T_STD_REF_DSETREG",
        }
    }

    fn from_base_name(name: &str) -> Option<ReferenceKind> {
        [ReferenceKind::Object, ReferenceKind::Region].into_iter().find(|k| k.base_name() == name)
    }
}

/// An HDF5 datatype as carried in HDF REST JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Datatype {
    /// `H5T_INTEGER`.
    Integer(IntegerType),
    /// `H5T_FLOAT`.
    Float(FloatType),
    /// `H5T_BITFIELD`.
    Bitfield(BitfieldType),
    /// `H5T_STRING`, fixed or variable.
    String(StringType),
    /// `H5T_COMPOUND`: fields in order (packed on the wire), with the application's memory
    /// layout when one was recorded.
    Compound(Compound),
    /// `H5T_ENUM`: an integer base and named values (sorted by value, then name).
    Enum {
        /// The integer base type.
        base: IntegerType,
        /// The named values.
        members: Vec<EnumMember>,
    },
    /// `H5T_ARRAY`: a fixed-shape array of `base`.
    Array {
        /// Element type.
        base: Box<Datatype>,
        /// Array dimensions (each ≥ 1).
        dims: Vec<u64>,
    },
    /// `H5T_VLEN`: a variable-length sequence of `base`.
    Vlen(Box<Datatype>),
    /// `H5T_OPAQUE`: `size` uninterpreted bytes with a tag.
    Opaque {
        /// Size in bytes (≥ 1).
        size: u64,
        /// Tag text (may be empty).
        tag: String,
    },
    /// `H5T_REFERENCE`.
    Reference(ReferenceKind),
    /// A reference to a committed datatype by id, as given in a request (`"t-…"`).
    Committed(ObjId),
    /// A committed datatype's definition copied in, with its id (stored and returned form).
    CommittedCopy {
        /// The committed datatype's id.
        id: ObjId,
        /// Its definition.
        datatype: Box<Datatype>,
    },
}

fn type_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidType(message.into())
}

impl Datatype {
    /// Reads any accepted type form (see the module docs).
    ///
    /// # Errors
    /// [`ModelError::InvalidType`] naming the unknown class, bad base, missing or bad key.
    pub fn from_json(value: &Value) -> ModelResult<Datatype> {
        match value {
            Value::String(text) => Datatype::from_name(text),
            Value::Object(map) => Datatype::from_object(map),
            other => Err(type_error(format!("type must be a string or an object, got {other}"))),
        }
    }

    /// Reads a bare string: a predefined name or a committed type id `"t-…"`.
    ///
    /// # Errors
    /// [`ModelError::InvalidType`] for an unknown name or an id that is not a datatype id.
    pub fn from_name(name: &str) -> ModelResult<Datatype> {
        if name.len() > 1 && name.as_bytes()[1] == b'-' {
            return ObjId::parse_class(name, ObjClass::Datatype)
                .map(Datatype::Committed)
                .map_err(|err| type_error(format!("bad committed type reference: {err}")));
        }
        predefined(name).ok_or_else(|| type_error(format!("unknown predefined type '{name}'")))
    }

    fn from_object(map: &Map<String, Value>) -> ModelResult<Datatype> {
        let id = map.get("id").map(parse_committed_id).transpose()?;
        let Some(class) = map.get("class") else {
            return id
                .map(Datatype::Committed)
                .ok_or_else(|| type_error("type object has no 'class'"));
        };
        let class = class.as_str().ok_or_else(|| type_error("type 'class' must be a string"))?;
        let datatype = parse_class_body(class, map)?;
        Ok(match id {
            Some(id) => Datatype::CommittedCopy { id, datatype: Box::new(datatype) },
            None => datatype,
        })
    }

    /// The canonical JSON form (see the module docs).
    pub fn to_json(&self) -> Value {
        match self {
            Datatype::Integer(int) => base_json("H5T_INTEGER", int.base_name()),
            Datatype::Float(float) => base_json("H5T_FLOAT", float.base_name()),
            Datatype::Bitfield(bits) => base_json("H5T_BITFIELD", bits.base_name()),
            Datatype::String(string) => string_json(string),
            Datatype::Compound(compound) => compound.to_json(),
            Datatype::Enum { base, members } => enum_json(base, members),
            Datatype::Array { base, dims } => {
                json!({"class": "H5T_ARRAY", "base": base.to_json(), "dims": dims})
            }
            Datatype::Vlen(base) => {
                json!({"class": "H5T_VLEN", "base": base.to_json(), "size": H5T_VARIABLE})
            }
            // HSDS 1.0.2 keeps the type as given: h5pyd sends no tag for numpy's `V<n>`.
            Datatype::Opaque { size, tag } if tag.is_empty() => {
                json!({"class": "H5T_OPAQUE", "size": size})
            }
            Datatype::Opaque { size, tag } => {
                json!({"class": "H5T_OPAQUE", "size": size, "tag": tag})
            }
            Datatype::Reference(kind) => base_json("H5T_REFERENCE", kind.base_name().to_string()),
            Datatype::Committed(id) => Value::String(id.to_string()),
            Datatype::CommittedCopy { id, datatype } => with_id(datatype.to_json(), id),
        }
    }

    /// The `H5T_…` class keyword; `None` for an unresolved committed reference.
    pub fn class_name(&self) -> Option<&'static str> {
        Some(match self {
            Datatype::Integer(_) => "H5T_INTEGER",
            Datatype::Float(_) => "H5T_FLOAT",
            Datatype::Bitfield(_) => "H5T_BITFIELD",
            Datatype::String(_) => "H5T_STRING",
            Datatype::Compound(_) => "H5T_COMPOUND",
            Datatype::Enum { .. } => "H5T_ENUM",
            Datatype::Array { .. } => "H5T_ARRAY",
            Datatype::Vlen(_) => "H5T_VLEN",
            Datatype::Opaque { .. } => "H5T_OPAQUE",
            Datatype::Reference(_) => "H5T_REFERENCE",
            Datatype::Committed(_) => return None,
            Datatype::CommittedCopy { datatype, .. } => return datatype.class_name(),
        })
    }

    /// Packed size in bytes of one element (no alignment padding). `None` when the type has
    /// a variable-length part or is an unresolved [`Datatype::Committed`] reference.
    pub fn item_size(&self) -> Option<u64> {
        match self {
            Datatype::Integer(int) => Some(u64::from(int.size)),
            Datatype::Float(float) => Some(u64::from(float.size)),
            Datatype::Bitfield(bits) => Some(u64::from(bits.size)),
            Datatype::String(StringType { length: StringLength::Fixed(n), .. }) => Some(*n),
            Datatype::String(_) | Datatype::Vlen(_) | Datatype::Committed(_) => None,
            Datatype::Compound(fields) => fields
                .iter()
                .try_fold(0u64, |sum, field| sum.checked_add(field.datatype.item_size()?)),
            Datatype::Enum { base, .. } => Some(u64::from(base.size)),
            Datatype::Array { base, dims } => {
                dims.iter().try_fold(base.item_size()?, |size, dim| size.checked_mul(*dim))
            }
            Datatype::Opaque { size, .. } => Some(*size),
            Datatype::Reference(ReferenceKind::Object) => Some(REFERENCE_ITEM_SIZE),
            Datatype::Reference(ReferenceKind::Region) => None,
            Datatype::CommittedCopy { datatype, .. } => datatype.item_size(),
        }
    }

    /// Whether the type has a variable-length part (vlen, variable string or region reference),
    /// at any depth.
    pub fn is_variable(&self) -> bool {
        match self {
            Datatype::String(string) => string.length == StringLength::Variable,
            Datatype::Vlen(_) | Datatype::Reference(ReferenceKind::Region) => true,
            Datatype::Compound(fields) => fields.iter().any(|field| field.datatype.is_variable()),
            Datatype::Array { base, .. } => base.is_variable(),
            Datatype::CommittedCopy { datatype, .. } => datatype.is_variable(),
            _ => false,
        }
    }

    /// The committed datatype id this type names or was copied from.
    pub fn committed_id(&self) -> Option<&ObjId> {
        match self {
            Datatype::Committed(id) | Datatype::CommittedCopy { id, .. } => Some(id),
            _ => None,
        }
    }
}

/// A bare predefined name: integer, float, bitfield or reference base.
fn predefined(name: &str) -> Option<Datatype> {
    IntegerType::from_base_name(name)
        .map(Datatype::Integer)
        .or_else(|| FloatType::from_base_name(name).map(Datatype::Float))
        .or_else(|| BitfieldType::from_base_name(name).map(Datatype::Bitfield))
        .or_else(|| ReferenceKind::from_base_name(name).map(Datatype::Reference))
}

fn parse_committed_id(value: &Value) -> ModelResult<ObjId> {
    let text = value.as_str().ok_or_else(|| type_error("type 'id' must be a string"))?;
    ObjId::parse_class(text, ObjClass::Datatype)
        .map_err(|err| type_error(format!("bad committed type id: {err}")))
}

fn parse_class_body(class: &str, map: &Map<String, Value>) -> ModelResult<Datatype> {
    match class {
        "H5T_INTEGER" => parse_named_base(
            class,
            map,
            IntegerType::from_base_name,
            "H5T_STD_{I,U}{8,16,32,64}{LE,BE}",
        )
        .map(Datatype::Integer),
        "H5T_FLOAT" => {
            parse_named_base(class, map, FloatType::from_base_name, "H5T_IEEE_F{16,32,64}{LE,BE}")
                .map(Datatype::Float)
        }
        "H5T_BITFIELD" => parse_named_base(
            class,
            map,
            BitfieldType::from_base_name,
            "H5T_STD_B{8,16,32,64}{LE,BE}",
        )
        .map(Datatype::Bitfield),
        "H5T_REFERENCE" => parse_named_base(
            class,
            map,
            ReferenceKind::from_base_name,
            "H5T_STD_REF_OBJ or H5T_STD_REF_DSETREG",
        )
        .map(Datatype::Reference),
        "H5T_STRING" => parse_string(map).map(Datatype::String),
        "H5T_COMPOUND" => parse_compound(map).map(Datatype::Compound),
        "H5T_ENUM" => parse_enum(map),
        "H5T_ARRAY" => parse_array(map),
        "H5T_VLEN" => parse_vlen(map),
        "H5T_OPAQUE" => parse_opaque(map),
        other => Err(type_error(format!("unknown type class '{other}'"))),
    }
}

fn required<'a>(class: &str, map: &'a Map<String, Value>, key: &str) -> ModelResult<&'a Value> {
    map.get(key).ok_or_else(|| type_error(format!("{class} type needs a '{key}'")))
}

/// Reads the string `base` of a numeric or reference class with `parse`.
fn parse_named_base<T>(
    class: &str,
    map: &Map<String, Value>,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> ModelResult<T> {
    let base = required(class, map, "base")?;
    let name =
        base.as_str().ok_or_else(|| type_error(format!("{class} 'base' must be a string")))?;
    parse(name).ok_or_else(|| type_error(format!("{class} base '{name}' is not one of {expected}")))
}

fn parse_string(map: &Map<String, Value>) -> ModelResult<StringType> {
    let length = match required("H5T_STRING", map, "length")? {
        Value::String(text) if text == H5T_VARIABLE => StringLength::Variable,
        Value::Number(number) => match number.as_u64() {
            Some(n) if n >= 1 => StringLength::Fixed(n),
            _ => return Err(type_error(format!("H5T_STRING length must be >= 1, got {number}"))),
        },
        other => {
            return Err(type_error(format!(
                "H5T_STRING length must be a positive integer or \"H5T_VARIABLE\", got {other}"
            )))
        }
    };
    let char_set = match map.get("charSet") {
        None => CharSet::Ascii,
        Some(value) => {
            keyword(value, CharSet::parse, "charSet", "H5T_CSET_ASCII or H5T_CSET_UTF8")?
        }
    };
    let default_pad = match length {
        StringLength::Fixed(_) => StrPad::NullPad,
        StringLength::Variable => StrPad::NullTerm,
    };
    let str_pad = match map.get("strPad") {
        None => default_pad,
        Some(value) => keyword(
            value,
            StrPad::parse,
            "strPad",
            "H5T_STR_NULLTERM, H5T_STR_NULLPAD or H5T_STR_SPACEPAD",
        )?,
    };
    Ok(StringType { char_set, str_pad, length })
}

fn keyword<T>(
    value: &Value,
    parse: fn(&str) -> Option<T>,
    key: &str,
    expected: &str,
) -> ModelResult<T> {
    value
        .as_str()
        .and_then(parse)
        .ok_or_else(|| type_error(format!("H5T_STRING {key} must be {expected}, got {value}")))
}

fn parse_compound(map: &Map<String, Value>) -> ModelResult<Compound> {
    let fields = required("H5T_COMPOUND", map, "fields")?
        .as_array()
        .ok_or_else(|| type_error("H5T_COMPOUND 'fields' must be a list"))?;
    if fields.is_empty() {
        return Err(type_error("H5T_COMPOUND needs at least one field"));
    }
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::with_capacity(fields.len());
    for (index, field) in fields.iter().enumerate() {
        let field = parse_field(index, field)?;
        if !seen.insert(field.name.clone()) {
            return Err(type_error(format!(
                "H5T_COMPOUND field name '{}' is repeated",
                field.name
            )));
        }
        parsed.push(field);
    }
    Ok(match compound::parse_layout(map, &parsed)? {
        Some(layout) => Compound::with_layout(parsed, layout)?,
        None => Compound::packed(parsed),
    })
}

fn parse_field(index: usize, field: &Value) -> ModelResult<CompoundField> {
    let object = field
        .as_object()
        .ok_or_else(|| type_error(format!("H5T_COMPOUND field {index} must be an object")))?;
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| type_error(format!("H5T_COMPOUND field {index} needs a string 'name'")))?;
    if name.is_empty() || !name.is_ascii() {
        return Err(type_error(format!(
            "H5T_COMPOUND field {index} name must be non-empty ASCII, got {name:?}"
        )));
    }
    let type_json = object
        .get("type")
        .ok_or_else(|| type_error(format!("H5T_COMPOUND field '{name}' needs a 'type'")))?;
    let datatype = Datatype::from_json(type_json).map_err(|err| {
        type_error(format!("H5T_COMPOUND field '{name}': {}", inner_message(&err)))
    })?;
    Ok(CompoundField { name: name.to_string(), datatype })
}

/// The message of a nested type error without its "invalid type: " prefix.
fn inner_message(error: &ModelError) -> String {
    match error {
        ModelError::InvalidType(message) => message.clone(),
        other => other.to_string(),
    }
}

fn parse_enum(map: &Map<String, Value>) -> ModelResult<Datatype> {
    let base = match Datatype::from_json(required("H5T_ENUM", map, "base")?) {
        Ok(Datatype::Integer(int)) => int,
        Ok(_) => return Err(type_error("H5T_ENUM base must be an integer type")),
        Err(err) => return Err(type_error(format!("H5T_ENUM base: {}", inner_message(&err)))),
    };
    // h5json 2 (h5pyd 1.0) sends `members: [{"name", "value"}]`; `mapping` may also be such a list.
    let given = match map.get("mapping").or_else(|| map.get("members")) {
        Some(value) => value,
        None => required("H5T_ENUM", map, "mapping")?,
    };
    let listed: Map<String, Value>;
    let mapping = match given {
        Value::Object(mapping) => mapping,
        Value::Array(items)
            if items.iter().all(|item| item.get("name").is_some_and(Value::is_string)) =>
        {
            listed = items
                .iter()
                .map(|item| {
                    let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                    (name.to_string(), item.get("value").cloned().unwrap_or(Value::Null))
                })
                .collect();
            &listed
        }
        _ => return Err(type_error("H5T_ENUM 'mapping' must be an object")),
    };
    if mapping.is_empty() {
        return Err(type_error("H5T_ENUM mapping needs at least one member"));
    }
    let mut members = mapping
        .iter()
        .map(|(name, value)| parse_enum_member(&base, name, value))
        .collect::<ModelResult<Vec<_>>>()?;
    members.sort_by(|a, b| a.value.cmp(&b.value).then_with(|| a.name.cmp(&b.name)));
    if let Some(pair) = members.windows(2).find(|pair| pair[0].value == pair[1].value) {
        return Err(type_error(format!(
            "H5T_ENUM members '{}' and '{}' share the value {}",
            pair[0].name, pair[1].name, pair[0].value
        )));
    }
    Ok(Datatype::Enum { base, members })
}

fn parse_enum_member(base: &IntegerType, name: &str, value: &Value) -> ModelResult<EnumMember> {
    let number = value.as_i64().map(i128::from).or_else(|| value.as_u64().map(i128::from));
    let value = number
        .ok_or_else(|| type_error(format!("H5T_ENUM member '{name}' must map to an integer")))?;
    let (min, max) = base.value_range();
    if value < min || value > max {
        return Err(type_error(format!(
            "H5T_ENUM member '{name}' value {value} does not fit {}",
            base.base_name()
        )));
    }
    Ok(EnumMember { name: name.to_string(), value })
}

fn parse_array(map: &Map<String, Value>) -> ModelResult<Datatype> {
    let base = Datatype::from_json(required("H5T_ARRAY", map, "base")?)
        .map_err(|err| type_error(format!("H5T_ARRAY base: {}", inner_message(&err))))?;
    let dims = match required("H5T_ARRAY", map, "dims")? {
        Value::Array(items) => items.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>(),
        single => single.as_u64().map(|dim| vec![dim]),
    };
    let dims =
        dims.filter(|dims| !dims.is_empty() && dims.iter().all(|dim| *dim >= 1)).ok_or_else(
            || type_error("H5T_ARRAY dims must be a positive integer or a non-empty list of them"),
        )?;
    let datatype = Datatype::Array { base: Box::new(base), dims };
    check_size_fits(&datatype)?;
    Ok(datatype)
}

/// Rejects fixed-size types whose packed size overflows 64 bits.
fn check_size_fits(datatype: &Datatype) -> ModelResult<()> {
    if !datatype.is_variable()
        && datatype.committed_id().is_none()
        && datatype.item_size().is_none()
    {
        return Err(type_error("type size overflows 64 bits"));
    }
    Ok(())
}

fn parse_vlen(map: &Map<String, Value>) -> ModelResult<Datatype> {
    let base = Datatype::from_json(required("H5T_VLEN", map, "base")?)
        .map_err(|err| type_error(format!("H5T_VLEN base: {}", inner_message(&err))))?;
    match map.get("size") {
        None => {}
        Some(Value::String(size)) if size == H5T_VARIABLE => {}
        Some(other) => {
            return Err(type_error(format!("H5T_VLEN size must be \"H5T_VARIABLE\", got {other}")))
        }
    }
    Ok(Datatype::Vlen(Box::new(base)))
}

fn parse_opaque(map: &Map<String, Value>) -> ModelResult<Datatype> {
    let size = required("H5T_OPAQUE", map, "size")?
        .as_u64()
        .filter(|size| *size >= 1)
        .ok_or_else(|| type_error("H5T_OPAQUE size must be a positive integer"))?;
    let tag = match map.get("tag") {
        None => String::new(),
        Some(Value::String(tag)) => tag.clone(),
        Some(other) => {
            return Err(type_error(format!("H5T_OPAQUE tag must be a string, got {other}")))
        }
    };
    Ok(Datatype::Opaque { size, tag })
}

fn base_json(class: &str, base: String) -> Value {
    json!({"class": class, "base": base})
}

fn string_json(string: &StringType) -> Value {
    let length = match string.length {
        StringLength::Fixed(n) => json!(n),
        StringLength::Variable => json!(H5T_VARIABLE),
    };
    json!({
        "class": "H5T_STRING",
        "charSet": string.char_set.as_str(),
        "strPad": string.str_pad.as_str(),
        "length": length,
    })
}

fn enum_json(base: &IntegerType, members: &[EnumMember]) -> Value {
    let mapping: Map<String, Value> =
        members.iter().map(|member| (member.name.clone(), integer_json(member.value))).collect();
    json!({"class": "H5T_ENUM", "base": base_json("H5T_INTEGER", base.base_name()), "mapping": mapping})
}

fn integer_json(value: i128) -> Value {
    i64::try_from(value)
        .map(Value::from)
        .or_else(|_| u64::try_from(value).map(Value::from))
        .unwrap_or(Value::Null)
}

fn with_id(mut type_json: Value, id: &ObjId) -> Value {
    if let Value::Object(map) = &mut type_json {
        map.insert("id".to_string(), Value::String(id.to_string()));
    }
    type_json
}

impl fmt::Display for Datatype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Serialize for Datatype {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Datatype {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Datatype, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Datatype::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE_ID: &str = "t-b03b24ef-69f244b6-acd9-4df97b-37122a";

    fn parse(value: Value) -> Datatype {
        Datatype::from_json(&value).unwrap()
    }

    fn parse_err(value: Value) -> String {
        Datatype::from_json(&value).unwrap_err().to_string()
    }

    fn assert_round_trip(datatype: &Datatype) {
        let text = serde_json::to_string(datatype).unwrap();
        let back: Datatype = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, datatype, "{text}");
    }

    #[test]
    fn every_predefined_numeric_name() {
        for sign in ["I", "U"] {
            for bits in [8u64, 16, 32, 64] {
                for order in ["LE", "BE"] {
                    let name = format!("H5T_STD_{sign}{bits}{order}");
                    let datatype = parse(json!(name));
                    assert_eq!(datatype.item_size(), Some(bits / 8));
                    assert_eq!(datatype.to_json(), json!({"class": "H5T_INTEGER", "base": name}));
                    assert_eq!(parse(json!({"class": "H5T_INTEGER", "base": name})), datatype);
                    assert_round_trip(&datatype);
                }
            }
        }
        for bits in [16u64, 32, 64] {
            for order in ["LE", "BE"] {
                let name = format!("H5T_IEEE_F{bits}{order}");
                let datatype = parse(json!({"class": "H5T_FLOAT", "base": name}));
                assert_eq!(datatype.item_size(), Some(bits / 8));
                assert_eq!(parse(json!(name)), datatype);
                assert_round_trip(&datatype);
            }
        }
    }

    #[test]
    fn integer_ranges() {
        let i8le = IntegerType::from_base_name("H5T_STD_I8LE").unwrap();
        assert_eq!(i8le.value_range(), (-128, 127));
        let u64be = IntegerType::from_base_name("H5T_STD_U64BE").unwrap();
        assert_eq!(u64be.value_range(), (0, i128::from(u64::MAX)));
        assert_eq!(u64be.order, ByteOrder::Big);
        assert!(!u64be.signed);
    }

    #[test]
    fn bad_predefined_names() {
        for name in [
            "H5T_STD_I12LE",
            "H5T_STD_X32LE",
            "H5T_STD_I32",
            "H5T_IEEE_F8LE",
            "H5T_NATIVE_INT",
            "",
            "H5T_STD_",
        ] {
            let error = parse_err(json!(name));
            assert!(error.contains("unknown predefined type"), "{name}: {error}");
        }
        assert!(parse_err(json!({"class": "H5T_INTEGER", "base": "H5T_IEEE_F32LE"}))
            .contains("H5T_INTEGER base 'H5T_IEEE_F32LE' is not one of"));
        assert!(parse_err(json!({"class": "H5T_FLOAT", "base": "H5T_STD_I32LE"}))
            .contains("H5T_FLOAT base"));
        assert!(
            parse_err(json!({"class": "H5T_INTEGER"})).contains("H5T_INTEGER type needs a 'base'")
        );
        assert!(parse_err(json!({"class": "H5T_INTEGER", "base": 4}))
            .contains("'base' must be a string"));
    }

    #[test]
    fn bad_type_shapes() {
        assert!(parse_err(json!(5)).contains("must be a string or an object"));
        assert!(parse_err(json!({"base": "H5T_STD_I8LE"})).contains("no 'class'"));
        assert!(parse_err(json!({"class": 3})).contains("'class' must be a string"));
        assert!(parse_err(json!({"class": "H5T_TIME"})).contains("unknown type class 'H5T_TIME'"));
        assert_eq!(Datatype::from_json(&json!(null)).unwrap_err().http_status(), 400);
    }

    #[test]
    fn bitfield_and_references() {
        let bits = parse(json!({"class": "H5T_BITFIELD", "base": "H5T_STD_B16BE"}));
        assert_eq!(bits.item_size(), Some(2));
        assert_eq!(parse(json!("H5T_STD_B16BE")), bits);
        assert_round_trip(&bits);
        let obj = parse(json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF_OBJ"}));
        assert_eq!(obj, Datatype::Reference(ReferenceKind::Object));
        assert_eq!(obj.item_size(), Some(48));
        let region = parse(json!("H5T_STD_REF_DSETREG"));
        assert_eq!(
            region.to_json(),
            json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF_DSETREG"})
        );
        assert_round_trip(&region);
        // HSDS 1.0.2: a region reference is a variable-length byte string.
        assert_eq!(region.item_size(), None);
        assert!(region.is_variable());
        assert!(!obj.is_variable());
        assert!(parse_err(json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF"}))
            .contains("H5T_STD_REF_OBJ or"));
    }

    #[test]
    fn fixed_and_variable_strings() {
        let fixed = parse(
            json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "strPad": "H5T_STR_SPACEPAD", "length": 7}),
        );
        assert_eq!(fixed.item_size(), Some(7));
        assert!(!fixed.is_variable());
        assert_round_trip(&fixed);
        let defaults = parse(json!({"class": "H5T_STRING", "length": 3}));
        assert_eq!(
            defaults.to_json(),
            json!({"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII", "strPad": "H5T_STR_NULLPAD", "length": 3})
        );
        let variable = parse(
            json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "length": "H5T_VARIABLE"}),
        );
        assert_eq!(
            variable.to_json(),
            json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8", "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"})
        );
        assert_eq!(variable.item_size(), None);
        assert!(variable.is_variable());
        assert_round_trip(&variable);
    }

    #[test]
    fn string_errors() {
        assert!(parse_err(json!({"class": "H5T_STRING"})).contains("needs a 'length'"));
        assert!(parse_err(json!({"class": "H5T_STRING", "length": 0})).contains("must be >= 1"));
        assert!(parse_err(json!({"class": "H5T_STRING", "length": -2})).contains("must be >= 1"));
        assert!(parse_err(json!({"class": "H5T_STRING", "length": "long"}))
            .contains("positive integer or"));
        assert!(parse_err(
            json!({"class": "H5T_STRING", "length": 2, "charSet": "H5T_CSET_LATIN1"})
        )
        .contains("charSet must be"));
        assert!(parse_err(json!({"class": "H5T_STRING", "length": 2, "strPad": 1}))
            .contains("strPad must be"));
    }

    #[test]
    fn compound_types() {
        let compound = parse(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I32LE"},
            {"name": "b", "type": {"class": "H5T_FLOAT", "base": "H5T_IEEE_F64BE"}},
            {"name": "c", "type": {"class": "H5T_STRING", "length": 5}},
        ]}));
        assert_eq!(compound.item_size(), Some(17));
        assert!(!compound.is_variable());
        assert_eq!(
            compound.to_json()["fields"][0]["type"],
            json!({"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"})
        );
        assert_round_trip(&compound);
        let with_vlen = parse(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"},
            {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}},
        ]}));
        assert!(with_vlen.is_variable());
        assert_eq!(with_vlen.item_size(), None);
    }

    #[test]
    fn compound_layouts() {
        let padded = json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE", "offset": 0},
            {"name": "b", "type": {"class": "H5T_FLOAT", "base": "H5T_IEEE_F64LE"}, "offset": 8},
            {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}, "offset": 16},
        ], "memorySize": 24});
        let compound = parse(padded.clone());
        let Datatype::Compound(fields) = &compound else { panic!("not a compound") };
        let layout = fields.layout().unwrap();
        assert_eq!((layout.offsets.clone(), layout.size), (vec![0, 8, 16], 24));
        assert_eq!(compound.to_json()["memorySize"], json!(24));
        assert_eq!(compound.to_json()["fields"][1]["offset"], json!(8));
        assert_round_trip(&compound);
        // The wire size stays packed; a packed compound has no layout keys.
        let fixed = parse(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE", "offset": 0},
            {"name": "b", "type": "H5T_STD_I32LE", "offset": 4}], "memorySize": 8}));
        assert_eq!(fixed.item_size(), Some(5));
        assert_eq!(memory_size(&fixed), Some(8));
        let packed = parse(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_STD_I32LE"}]}));
        assert_ne!(packed, fixed);
        assert!(packed.to_json().get("memorySize").is_none());
        assert!(packed.to_json()["fields"][0].get("offset").is_none());
        // Nested: the outer layout must leave room for the inner one.
        assert_round_trip(&parse(json!({"class": "H5T_ARRAY", "dims": [2], "base": {
            "class": "H5T_COMPOUND", "memorySize": 24, "fields": [
                {"name": "n", "type": "H5T_STD_I32LE", "offset": 0},
                {"name": "inner", "offset": 8, "type": {"class": "H5T_COMPOUND", "memorySize": 16,
                    "fields": [{"name": "c", "type": "H5T_STD_I8LE", "offset": 0},
                               {"name": "d", "type": "H5T_STD_I64LE", "offset": 8}]}}]}})));
    }

    #[test]
    fn compound_layout_errors() {
        let i8_at = |offset: Value| json!({"name": "a", "type": "H5T_STD_I8LE", "offset": offset});
        let i32_at = |offset: u64| json!({"name": "b", "type": "H5T_STD_I32LE", "offset": offset});
        let cases = [
            (
                json!({"class": "H5T_COMPOUND", "fields": [i8_at(json!(0))]}),
                "positive 'memorySize'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 0, "fields": [i8_at(json!(0))]}),
                "positive 'memorySize'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 8, "fields": [
                    {"name": "a", "type": "H5T_STD_I8LE"}]}),
                "field 'a' needs a non-negative integer 'offset'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 8, "fields": [i8_at(json!(-1))]}),
                "non-negative integer 'offset'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 8, "fields": [i8_at(json!("x"))]}),
                "non-negative integer 'offset'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 6, "fields": [i8_at(json!(0)), i32_at(4)]}),
                "field 'b' at offset 4 does not fit in size 6",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 8, "fields": [i8_at(json!(2)), i32_at(0)]}),
                "fields 'b' and 'a' overlap",
            ),
            (
                json!({"class": "H5T_COMPOUND", "memorySize": 8, "fields": [i8_at(json!(u64::MAX)), i32_at(0)]}),
                "does not fit",
            ),
        ];
        for (value, why) in cases {
            let error = parse_err(value.clone());
            assert!(error.contains(why), "{value}: {error}");
            let status = Datatype::from_json(&value).unwrap_err().http_status();
            assert_eq!(status, 400, "{value}");
        }
    }

    #[test]
    fn compound_errors() {
        let cases = [
            (json!({"class": "H5T_COMPOUND"}), "needs a 'fields'"),
            (json!({"class": "H5T_COMPOUND", "fields": {}}), "must be a list"),
            (json!({"class": "H5T_COMPOUND", "fields": []}), "at least one field"),
            (json!({"class": "H5T_COMPOUND", "fields": [3]}), "field 0 must be an object"),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"type": "H5T_STD_I8LE"}]}),
                "needs a string 'name'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"name": "", "type": "H5T_STD_I8LE"}]}),
                "non-empty ASCII",
            ),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"name": "é", "type": "H5T_STD_I8LE"}]}),
                "non-empty ASCII",
            ),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"name": "a"}]}),
                "field 'a' needs a 'type'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"name": "a", "type": "bogus"}]}),
                "field 'a': unknown predefined type 'bogus'",
            ),
            (
                json!({"class": "H5T_COMPOUND", "fields": [{"name": "a", "type": "H5T_STD_I8LE"}, {"name": "a", "type": "H5T_STD_I8LE"}]}),
                "'a' is repeated",
            ),
        ];
        for (value, why) in cases {
            let error = parse_err(value.clone());
            assert!(error.contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn enum_types() {
        let datatype = parse(json!({"class": "H5T_ENUM",
            "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I16BE"},
            "mapping": {"SOLID": 0, "LIQUID": 1, "GAS": 2, "PLASMA": -1}}));
        let Datatype::Enum { base, members } = &datatype else { panic!("not an enum") };
        assert_eq!(base.base_name(), "H5T_STD_I16BE");
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["PLASMA", "SOLID", "LIQUID", "GAS"]);
        assert_eq!(datatype.item_size(), Some(2));
        assert_eq!(datatype.to_json()["mapping"]["PLASMA"], json!(-1));
        assert_round_trip(&datatype);
        let big = parse(
            json!({"class": "H5T_ENUM", "base": "H5T_STD_U64LE", "mapping": {"MAX": u64::MAX}}),
        );
        assert_eq!(big.to_json()["mapping"]["MAX"], json!(u64::MAX));
        let listed = Datatype::from_json(&json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE",
            "members": [{"name": "FALSE", "value": 0}, {"name": "TRUE", "value": 1}]}))
        .unwrap();
        assert_eq!(listed.to_json()["mapping"], json!({"FALSE": 0, "TRUE": 1}));
        assert_round_trip(&big);
    }

    #[test]
    fn enum_errors() {
        let cases = [
            (json!({"class": "H5T_ENUM", "mapping": {"A": 0}}), "needs a 'base'"),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE", "members": [{"value": 1}]}),
                "must be an object",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_IEEE_F32LE", "mapping": {"A": 0}}),
                "base must be an integer type",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I9LE", "mapping": {"A": 0}}),
                "H5T_ENUM base: unknown predefined",
            ),
            (json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE"}), "needs a 'mapping'"),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE", "mapping": [1]}),
                "must be an object",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE", "mapping": {}}),
                "at least one member",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE", "mapping": {"A": 1.5}}),
                "'A' must map to an integer",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_I8LE", "mapping": {"A": 128}}),
                "value 128 does not fit H5T_STD_I8LE",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_U8LE", "mapping": {"A": -1}}),
                "does not fit",
            ),
            (
                json!({"class": "H5T_ENUM", "base": "H5T_STD_U8LE", "mapping": {"A": 1, "B": 1}}),
                "share the value 1",
            ),
        ];
        for (value, why) in cases {
            let error = parse_err(value.clone());
            assert!(error.contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn array_vlen_opaque() {
        let array = parse(json!({"class": "H5T_ARRAY", "base": "H5T_STD_I32LE", "dims": [2, 3]}));
        assert_eq!(array.item_size(), Some(24));
        assert_round_trip(&array);
        assert_eq!(
            parse(json!({"class": "H5T_ARRAY", "base": "H5T_STD_I8LE", "dims": 4})).item_size(),
            Some(4)
        );
        let nested = parse(json!({"class": "H5T_ARRAY", "dims": [2],
            "base": {"class": "H5T_ARRAY", "base": {"class": "H5T_STRING", "length": 3}, "dims": [2]}}));
        assert_eq!(nested.item_size(), Some(12));
        let vlen = parse(json!({"class": "H5T_VLEN", "base": "H5T_STD_I32LE"}));
        assert_eq!(
            vlen.to_json(),
            json!({"class": "H5T_VLEN", "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"}, "size": "H5T_VARIABLE"})
        );
        assert!(vlen.is_variable());
        assert_eq!(vlen.item_size(), None);
        assert_round_trip(&vlen);
        let array_of_vlen =
            parse(json!({"class": "H5T_ARRAY", "base": vlen.to_json(), "dims": [2]}));
        assert!(array_of_vlen.is_variable());
        let opaque = parse(json!({"class": "H5T_OPAQUE", "size": 10}));
        assert_eq!(opaque.to_json(), json!({"class": "H5T_OPAQUE", "size": 10}));
        assert_eq!(opaque.item_size(), Some(10));
        assert_round_trip(&parse(json!({"class": "H5T_OPAQUE", "size": 4, "tag": "jpeg"})));
    }

    #[test]
    fn array_vlen_opaque_errors() {
        let huge = json!({"class": "H5T_ARRAY", "base": "H5T_STD_I64LE", "dims": [u64::MAX, 2]});
        let cases = [
            (json!({"class": "H5T_ARRAY", "dims": [2]}), "needs a 'base'"),
            (json!({"class": "H5T_ARRAY", "base": "H5T_STD_I8LE"}), "needs a 'dims'"),
            (json!({"class": "H5T_ARRAY", "base": "H5T_STD_I8LE", "dims": []}), "non-empty list"),
            (json!({"class": "H5T_ARRAY", "base": "H5T_STD_I8LE", "dims": [0]}), "non-empty list"),
            (
                json!({"class": "H5T_ARRAY", "base": "H5T_STD_I8LE", "dims": ["2"]}),
                "non-empty list",
            ),
            (json!({"class": "H5T_ARRAY", "base": "nope", "dims": [2]}), "H5T_ARRAY base: unknown"),
            (huge, "overflows"),
            (json!({"class": "H5T_VLEN"}), "needs a 'base'"),
            (
                json!({"class": "H5T_VLEN", "base": {"class": "H5T_X"}}),
                "H5T_VLEN base: unknown type class",
            ),
            (
                json!({"class": "H5T_VLEN", "base": "H5T_STD_I8LE", "size": 4}),
                "size must be \"H5T_VARIABLE\"",
            ),
            (json!({"class": "H5T_OPAQUE"}), "needs a 'size'"),
            (json!({"class": "H5T_OPAQUE", "size": 0}), "positive integer"),
            (json!({"class": "H5T_OPAQUE", "size": 2, "tag": 1}), "tag must be a string"),
        ];
        for (value, why) in cases {
            let error = parse_err(value.clone());
            assert!(error.contains(why), "{value}: {error}");
        }
    }

    #[test]
    fn committed_types() {
        let reference = parse(json!(TYPE_ID));
        assert_eq!(reference.to_json(), json!(TYPE_ID));
        assert_eq!(reference.committed_id().map(ObjId::as_str), Some(TYPE_ID));
        assert_eq!(reference.item_size(), None);
        assert_eq!(reference.class_name(), None);
        assert_round_trip(&reference);
        assert_eq!(parse(json!({"id": TYPE_ID})), reference);
        let copy = parse(json!({"class": "H5T_FLOAT", "base": "H5T_IEEE_F32LE", "id": TYPE_ID}));
        assert_eq!(copy.class_name(), Some("H5T_FLOAT"));
        assert_eq!(copy.item_size(), Some(4));
        assert_eq!(copy.committed_id().map(ObjId::as_str), Some(TYPE_ID));
        assert_eq!(
            copy.to_json(),
            json!({"class": "H5T_FLOAT", "base": "H5T_IEEE_F32LE", "id": TYPE_ID})
        );
        assert_round_trip(&copy);
        assert!(parse_err(json!("g-b03b24ef-69f244b6-38b3-ac67e1-7acc3e"))
            .contains("expected a datatype id"));
        assert!(parse_err(json!("t-123")).contains("bad committed type reference"));
        assert!(parse_err(json!({"class": "H5T_FLOAT", "base": "H5T_IEEE_F32LE", "id": 5}))
            .contains("'id' must be a string"));
        assert!(parse_err(json!({"id": "t-1"})).contains("bad committed type id"));
    }

    #[test]
    fn class_names() {
        assert_eq!(parse(json!("H5T_STD_I8LE")).class_name(), Some("H5T_INTEGER"));
        assert_eq!(
            parse(json!({"class": "H5T_OPAQUE", "size": 1})).class_name(),
            Some("H5T_OPAQUE")
        );
        assert_eq!(
            parse(json!({"class": "H5T_VLEN", "base": "H5T_STD_I8LE"})).class_name(),
            Some("H5T_VLEN")
        );
        assert_eq!(
            parse(json!("H5T_STD_I8LE")).to_string(),
            r#"{"base":"H5T_STD_I8LE","class":"H5T_INTEGER"}"#
        );
    }

    #[test]
    fn serde_reports_type_errors() {
        let error = serde_json::from_str::<Datatype>(r#"{"class":"H5T_BOGUS"}"#).unwrap_err();
        assert!(error.to_string().contains("unknown type class 'H5T_BOGUS'"));
    }
}
