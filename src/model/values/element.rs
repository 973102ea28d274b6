//! One element of any datatype: JSON → packed bytes and packed bytes → [`ValueTree`], in the
//! HSDS layout (packed compounds, null-padded fixed strings, 48-byte object reference strings,
//! region references as variable-length byte strings, and the
//! `<int32 LE byte count><bytes>` form for variable-length parts at any depth).

use base64::Engine as _;
use serde_json::Value;

use super::numbers::{
    get_float, get_int, json_to_float, json_to_int, put_checked_int, put_float, put_int,
};
use super::tree::ValueTree;
use super::{value_error, MAX_VLEN_ELEMENT};
use crate::model::error::ModelResult;
use crate::model::types::{
    CompoundField, Datatype, EnumMember, IntegerType, ReferenceKind, StringLength, StringType,
    REFERENCE_ITEM_SIZE,
};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The type behind a committed copy; an unresolved committed reference is an error.
pub(super) fn resolved(dt: &Datatype) -> ModelResult<&Datatype> {
    match dt {
        Datatype::CommittedCopy { datatype, .. } => resolved(datatype),
        Datatype::Committed(id) => {
            Err(value_error(format!("committed type {id} must be resolved before values are")))
        }
        other => Ok(other),
    }
}

/// Appends the packed bytes of one element.
pub(super) fn encode(dt: &Datatype, v: &Value, out: &mut Vec<u8>) -> ModelResult<()> {
    match resolved(dt)? {
        Datatype::Integer(t) => put_checked_int(out, json_to_int(v)?, t),
        Datatype::Bitfield(b) => {
            let t = IntegerType { size: b.size, signed: false, order: b.order };
            put_checked_int(out, json_to_int(v)?, &t)
        }
        Datatype::Float(t) => {
            put_float(out, json_to_float(v)?, t);
            Ok(())
        }
        Datatype::String(s) => encode_string(s, v, out),
        Datatype::Compound(fields) => encode_compound(fields, v, out),
        Datatype::Enum { base, members } if is_bool_enum(base, members) => {
            // numpy bool: any non-zero value stores 1
            let n = match v {
                Value::Bool(b) => i128::from(*b),
                Value::Null => 0,
                other => i128::from(json_to_float(other)? != 0.0),
            };
            put_int(out, n, 1, base.order);
            Ok(())
        }
        Datatype::Enum { base, members } => {
            let n = match v {
                Value::String(name) => {
                    members.iter().find(|m| &m.name == name).map(|m| m.value).ok_or_else(|| {
                        value_error(format!("'{name}' is not a member of the enum"))
                    })?
                }
                other => json_to_int(other)?,
            };
            put_checked_int(out, n, base)
        }
        Datatype::Array { base, dims } => {
            let count = dims.iter().product::<u64>();
            let items = super::leaves(v, dims, count, "array element")?;
            for item in items {
                encode(base, item, out)?;
            }
            Ok(())
        }
        Datatype::Vlen(base) => {
            let items: &[Value] = match v {
                Value::Array(items) => items,
                Value::Null => &[],
                // HSDS writes (and reads back) an empty sequence as the integer 0.
                Value::Number(n) if n.as_u64() == Some(0) => &[],
                other => {
                    return Err(value_error(format!("a vlen element must be a list, got {other}")))
                }
            };
            let mut body = Vec::new();
            for item in items {
                encode(base, item, &mut body)?;
            }
            put_vlen(out, &body)
        }
        Datatype::Opaque { size, .. } => {
            let size = to_usize(*size)?;
            let bytes = match v {
                Value::String(s) => B64
                    .decode(s)
                    .map_err(|e| value_error(format!("opaque value is not base64: {e}")))?,
                Value::Null => Vec::new(),
                other => {
                    return Err(value_error(format!(
                        "an opaque value must be a base64 string, got {other}"
                    )))
                }
            };
            put_padded(out, &bytes, size, "opaque value")
        }
        Datatype::Reference(ReferenceKind::Region) => match v {
            // HSDS's JSON form of a bound region reference carries a selection restvol does not
            // model; bound references travel in binary (as h5pyd sends them).
            Value::Null => put_vlen(out, &[]),
            Value::String(s) if s.is_empty() => put_vlen(out, &[]),
            other => Err(value_error(format!(
                "region reference values are accepted in binary only \
                 (application/octet-stream), got {other}"
            ))),
        },
        Datatype::Reference(ReferenceKind::Object) => {
            let text = match v {
                Value::String(s) => s.as_str(),
                Value::Null => "",
                other => {
                    return Err(value_error(format!("a reference must be a string, got {other}")))
                }
            };
            put_padded(out, text.as_bytes(), REFERENCE_ITEM_SIZE as usize, "reference")
        }
        Datatype::Committed(_) | Datatype::CommittedCopy { .. } => {
            Err(value_error("unresolved committed type"))
        }
    }
}

fn to_usize(n: u64) -> ModelResult<usize> {
    usize::try_from(n).map_err(|_| value_error(format!("size {n} is too large")))
}

fn put_vlen(out: &mut Vec<u8>, body: &[u8]) -> ModelResult<()> {
    if body.len() > MAX_VLEN_ELEMENT {
        return Err(value_error(format!(
            "variable-length element of {} bytes exceeds the limit of {MAX_VLEN_ELEMENT}",
            body.len()
        )));
    }
    put_int(out, body.len() as i128, 4, crate::model::types::ByteOrder::Little);
    out.extend_from_slice(body);
    Ok(())
}

fn put_padded(out: &mut Vec<u8>, bytes: &[u8], size: usize, what: &str) -> ModelResult<()> {
    if bytes.len() > size {
        return Err(value_error(format!(
            "{what} of {} bytes does not fit in {size} bytes",
            bytes.len()
        )));
    }
    out.extend_from_slice(bytes);
    out.resize(out.len() + size - bytes.len(), 0);
    Ok(())
}

fn encode_string(s: &StringType, v: &Value, out: &mut Vec<u8>) -> ModelResult<()> {
    let text = match v {
        Value::String(t) => t.as_str(),
        Value::Null => "",
        other => return Err(value_error(format!("expected a string, got {other}"))),
    };
    match s.length {
        StringLength::Variable => put_vlen(out, text.as_bytes()),
        StringLength::Fixed(n) => {
            // numpy's `S<n>` keeps the first n bytes and pads with nulls.
            let n = to_usize(n)?;
            let bytes = &text.as_bytes()[..text.len().min(n)];
            put_padded(out, bytes, n, "string")
        }
    }
}

fn encode_compound(fields: &[CompoundField], v: &Value, out: &mut Vec<u8>) -> ModelResult<()> {
    match v {
        Value::Array(items) if items.len() == fields.len() => {
            for (field, item) in fields.iter().zip(items) {
                encode(&field.datatype, item, out)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            for field in fields {
                let item = map.get(&field.name).ok_or_else(|| {
                    value_error(format!("compound value has no field '{}'", field.name))
                })?;
                encode(&field.datatype, item, out)?;
            }
            Ok(())
        }
        Value::Array(items) => Err(value_error(format!(
            "a compound element needs {} values (one per field), got {}",
            fields.len(),
            items.len()
        ))),
        other => Err(value_error(format!(
            "a compound element must be a list of {} field values, got {other}",
            fields.len()
        ))),
    }
}

/// Reads one element at `*pos`, advancing it.
pub(super) fn decode(dt: &Datatype, data: &[u8], pos: &mut usize) -> ModelResult<ValueTree> {
    match resolved(dt)? {
        Datatype::Integer(t) => {
            let b = take(data, pos, usize::from(t.size))?;
            Ok(ValueTree::Int(get_int(b, t.signed, t.order)))
        }
        Datatype::Bitfield(t) => {
            let b = take(data, pos, usize::from(t.size))?;
            Ok(ValueTree::Int(get_int(b, false, t.order)))
        }
        Datatype::Float(t) => {
            let b = take(data, pos, usize::from(t.size))?;
            Ok(ValueTree::Float(get_float(b, t)))
        }
        Datatype::String(s) => match s.length {
            StringLength::Variable => Ok(ValueTree::Str(text(take_vlen(data, pos)?))),
            StringLength::Fixed(n) => {
                let b = take(data, pos, to_usize(n)?)?;
                Ok(ValueTree::Str(text(strip_nulls(b))))
            }
        },
        Datatype::Compound(fields) => fields
            .iter()
            .map(|f| decode(&f.datatype, data, pos))
            .collect::<ModelResult<Vec<_>>>()
            .map(ValueTree::List),
        Datatype::Enum { base, members } => {
            let b = take(data, pos, usize::from(base.size))?;
            let n = get_int(b, base.signed, base.order);
            if is_bool_enum(base, members) {
                Ok(ValueTree::Bool(n != 0))
            } else {
                Ok(ValueTree::Int(n))
            }
        }
        Datatype::Array { base, dims } => super::decode_dims(base, dims, data, pos),
        Datatype::Vlen(base) => {
            let body = take_vlen(data, pos)?;
            if body.is_empty() {
                // numpy leaves an empty sequence as the array's initial 0: HSDS answers `0`.
                return Ok(ValueTree::Int(0));
            }
            let mut inner = 0usize;
            let mut items = Vec::new();
            while inner < body.len() {
                items.push(decode(base, body, &mut inner)?);
            }
            Ok(ValueTree::List(items))
        }
        Datatype::Opaque { size, .. } => {
            let b = take(data, pos, to_usize(*size)?)?;
            Ok(ValueTree::Str(if b.iter().all(|x| *x == 0) {
                String::new()
            } else {
                B64.encode(b)
            }))
        }
        Datatype::Reference(ReferenceKind::Region) => {
            if take_vlen(data, pos)?.is_empty() {
                Ok(ValueTree::Null)
            } else {
                Err(value_error(
                    "region reference values are served in binary only (application/octet-stream)",
                ))
            }
        }
        Datatype::Reference(ReferenceKind::Object) => {
            let b = take(data, pos, REFERENCE_ITEM_SIZE as usize)?;
            Ok(ValueTree::Str(text(strip_nulls(b))))
        }
        Datatype::Committed(_) | Datatype::CommittedCopy { .. } => {
            Err(value_error("unresolved committed type"))
        }
    }
}

/// An enum on a signed 8-bit integer with exactly the members `FALSE` and `TRUE` is numpy's
/// bool for h5json (HSDS reads and writes `true`/`false`).
fn is_bool_enum(base: &IntegerType, members: &[EnumMember]) -> bool {
    base.size == 1
        && base.signed
        && members.len() == 2
        && members.iter().any(|m| m.name == "FALSE")
        && members.iter().any(|m| m.name == "TRUE")
}

fn take<'a>(data: &'a [u8], pos: &mut usize, n: usize) -> ModelResult<&'a [u8]> {
    let end = pos.checked_add(n).filter(|end| *end <= data.len()).ok_or_else(|| {
        value_error(format!(
            "binary value ends early: need {n} bytes at offset {}, have {}",
            *pos,
            data.len()
        ))
    })?;
    let out = &data[*pos..end];
    *pos = end;
    Ok(out)
}

fn take_vlen<'a>(data: &'a [u8], pos: &mut usize) -> ModelResult<&'a [u8]> {
    let at = *pos;
    let count = get_int(take(data, pos, 4)?, true, crate::model::types::ByteOrder::Little);
    let count = usize::try_from(count)
        .ok()
        .filter(|c| *c <= MAX_VLEN_ELEMENT)
        .ok_or_else(|| value_error(format!("bad variable-length count {count} at offset {at}")))?;
    take(data, pos, count)
}

fn strip_nulls(b: &[u8]) -> &[u8] {
    let end = b.iter().rposition(|x| *x != 0).map_or(0, |i| i + 1);
    &b[..end]
}

/// UTF-8 text; invalid sequences are replaced (stored data never fails a read).
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
