//! Dataset and attribute values: JSON ⇄ packed binary for any [`Datatype`] and shape, the way
//! HSDS 1.0.2 (h5json `jsonToArray`, `arrayToBytes`, `bytesToArray`, `bytesArrayToList`)
//! converts them.
//!
//! JSON form: lists nested by the shape (a scalar is the bare element); a flat list of all
//! elements, and a bare element for a one-element shape, are accepted too, as numpy's reshape
//! allows. Elements: numbers for integers and floats (`NaN`/`Infinity` strings and `null` read
//! as floats; responses write them as HSDS does, see [`ValueTree`]); enums as their integer
//! (`true`/`false` for the `FALSE`/`TRUE` int8 enum); compound elements as a list in field
//! order; fixed strings as text (null-padded bytes, truncated to the length, read back with
//! trailing nulls stripped and UTF-8 decoded); variable strings and vlen sequences in the
//! `<int32 LE byte count><bytes>` form of `codec::vlen` (an empty sequence reads
//! back as `0`, as HSDS answers); arrays as nested lists; opaque
//! elements as base64 (`""` for all-zero); references as the 48-byte null-padded
//! `"groups/<id>"` strings (`""` for null).
//!
//! Binary form: elements packed in C order with no padding, each in its own byte order;
//! variable-length parts inline as count+bytes. Base64 values (`encoding: base64`) are the
//! packed bytes of fixed-size types.

mod element;
mod numbers;
mod tree;

use base64::Engine as _;
use serde_json::Value;

use super::error::{ModelError, ModelResult};
use super::types::Datatype;
pub use numbers::{f16_to_f64, f64_to_f16};
pub use tree::ValueTree;

/// HSDS's limit on one variable-length element's bytes (`MAX_VLEN_ELEMENT`, as in `codec::vlen`).
pub const MAX_VLEN_ELEMENT: usize = 1_000_000;

/// Largest buffer built from a value that is not itself proportional to the request
/// (an all-`null` list becomes zeros): 1 GiB.
pub const MAX_ZERO_FILL_BYTES: u64 = 1 << 30;

fn value_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidValue(message.into())
}

/// Number of elements of a shape (`[]` is a scalar: 1).
///
/// # Errors
/// [`ModelError::InvalidValue`] when the product overflows.
pub fn element_count(dims: &[u64]) -> ModelResult<u64> {
    dims.iter()
        .try_fold(1u64, |n, d| n.checked_mul(*d))
        .ok_or_else(|| value_error(format!("shape {dims:?} has too many elements")))
}

/// Packs a JSON value shaped like `dims` into binary.
///
/// # Errors
/// [`ModelError::InvalidValue`] naming the problem: wrong nesting or element count, an
/// out-of-range integer, text that is not a number, a string too long for a reference, …
pub fn json_to_bytes(datatype: &Datatype, dims: &[u64], value: &Value) -> ModelResult<Vec<u8>> {
    let dt = element::resolved(datatype)?;
    let count = element_count(dims)?;
    if value.is_null() {
        return Err(value_error("value is null"));
    }
    if let Some(zeros) = all_null_as_zeros(dt, value, count)? {
        return Ok(zeros);
    }
    let mut out = Vec::new();
    if dims.is_empty() {
        if let Err(err) = element::encode(dt, value, &mut out) {
            // `[v]` for a scalar, as numpy reshapes a one-element list.
            match value {
                Value::Array(items) if items.len() == 1 => {
                    out.clear();
                    element::encode(dt, &items[0], &mut out)?;
                }
                _ => return Err(err),
            }
        }
        return Ok(out);
    }
    for item in leaves(value, dims, count, "value")? {
        element::encode(dt, item, &mut out)?;
    }
    Ok(out)
}

/// HSDS turns a list of only `null`s into zeros (fixed-size types).
fn all_null_as_zeros(dt: &Datatype, value: &Value, count: u64) -> ModelResult<Option<Vec<u8>>> {
    let Value::Array(items) = value else { return Ok(None) };
    if items.is_empty() || !items.iter().all(Value::is_null) {
        return Ok(None);
    }
    let Some(size) = dt.item_size() else { return Ok(None) };
    if items.len() as u64 != count && count != 1 {
        return Err(value_error(format!("value has {} elements, expected {count}", items.len())));
    }
    let bytes = size
        .checked_mul(count)
        .filter(|b| *b <= MAX_ZERO_FILL_BYTES)
        .ok_or_else(|| value_error("value is too large"))?;
    Ok(Some(vec![0u8; bytes as usize]))
}

/// The element values of `value` for shape `dims` (`count` elements): nested lists, else a
/// flat list of `count` items, else one bare element when `count` is 1.
fn leaves<'a>(
    value: &'a Value,
    dims: &[u64],
    count: u64,
    what: &str,
) -> ModelResult<Vec<&'a Value>> {
    let mut out = Vec::new();
    match nested(value, dims, 0, &mut out, what) {
        Ok(()) => Ok(out),
        Err(err) => match value {
            Value::Array(items) if items.len() as u64 == count && dims.len() > 1 => {
                Ok(items.iter().collect())
            }
            _ if count == 1 => Ok(vec![value]),
            _ => Err(err),
        },
    }
}

fn nested<'a>(
    value: &'a Value,
    dims: &[u64],
    depth: usize,
    out: &mut Vec<&'a Value>,
    what: &str,
) -> ModelResult<()> {
    let Some(dim) = dims.get(depth) else {
        out.push(value);
        return Ok(());
    };
    match value {
        Value::Array(items) if items.len() as u64 == *dim => {
            for item in items {
                nested(item, dims, depth + 1, out, what)?;
            }
            Ok(())
        }
        Value::Array(items) => Err(value_error(format!(
            "{what} does not match shape {dims:?}: dimension {depth} needs {dim} items, got {}",
            items.len()
        ))),
        other => Err(value_error(format!(
            "{what} does not match shape {dims:?}: dimension {depth} needs a list of {dim} items, got {other}"
        ))),
    }
}

fn decode_dims(
    dt: &Datatype,
    dims: &[u64],
    data: &[u8],
    pos: &mut usize,
) -> ModelResult<ValueTree> {
    match dims.split_first() {
        None => element::decode(dt, data, pos),
        Some((dim, rest)) => {
            let mut items = Vec::new();
            for _ in 0..*dim {
                items.push(decode_dims(dt, rest, data, pos)?);
            }
            Ok(ValueTree::List(items))
        }
    }
}

/// Unpacks binary data of shape `dims` into a [`ValueTree`] (a scalar gives the bare element).
///
/// # Errors
/// [`ModelError::InvalidValue`] when the data is too short, has trailing bytes, or a
/// variable-length count is bad.
pub fn bytes_to_tree(datatype: &Datatype, dims: &[u64], data: &[u8]) -> ModelResult<ValueTree> {
    let dt = element::resolved(datatype)?;
    let count = element_count(dims)?;
    if let Some(size) = dt.item_size() {
        let expected = size.checked_mul(count);
        if expected != Some(data.len() as u64) {
            return Err(value_error(format!(
                "binary value has {} bytes, expected {count} elements of {size} bytes",
                data.len()
            )));
        }
    }
    let mut pos = 0usize;
    let tree = decode_dims(dt, dims, data, &mut pos)?;
    if pos != data.len() {
        return Err(value_error(format!(
            "binary value has {} trailing bytes after {count} elements",
            data.len() - pos
        )));
    }
    Ok(tree)
}

/// [`bytes_to_tree`] as a `serde_json::Value` (non-finite floats become `null`).
///
/// # Errors
/// As [`bytes_to_tree`].
pub fn bytes_to_json(datatype: &Datatype, dims: &[u64], data: &[u8]) -> ModelResult<Value> {
    bytes_to_tree(datatype, dims, data).map(|t| t.to_value())
}

/// [`bytes_to_tree`] as JSON text the way HSDS writes it (`NaN`, `Infinity`, or `null` with
/// `ignore_nan`).
///
/// # Errors
/// As [`bytes_to_tree`].
pub fn bytes_to_json_text(
    datatype: &Datatype,
    dims: &[u64],
    data: &[u8],
    ignore_nan: bool,
) -> ModelResult<String> {
    bytes_to_tree(datatype, dims, data).map(|t| t.to_json_text(ignore_nan))
}

/// Decodes a base64 value (`encoding: base64`): the packed bytes of `count` elements of a
/// fixed-size type.
///
/// # Errors
/// [`ModelError::InvalidValue`] for a variable-length type, bad base64 or a wrong length.
pub fn base64_to_bytes(datatype: &Datatype, count: u64, text: &str) -> ModelResult<Vec<u8>> {
    let dt = element::resolved(datatype)?;
    let size = dt
        .item_size()
        .ok_or_else(|| value_error("base64 values are only allowed for fixed-length types"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| value_error(format!("value is not valid base64: {e}")))?;
    if size.checked_mul(count) != Some(bytes.len() as u64) {
        return Err(value_error(format!(
            "base64 value has {} bytes, expected {count} elements of {size} bytes",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Base64 (standard alphabet, padded) of packed bytes.
pub fn bytes_to_base64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The packed bytes of one element of the dataset's fill value, from its `creationProperties`
/// (`fillValue` as JSON, or base64 when `fillValue_encoding` is `base64`); `None` when no fill
/// value is set (chunks fill with zeros).
///
/// # Errors
/// [`ModelError::InvalidValue`] when the fill value does not fit the type or the encoding is
/// unknown.
pub fn fill_value_bytes(
    datatype: &Datatype,
    creation_properties: Option<&Value>,
) -> ModelResult<Option<Vec<u8>>> {
    let Some(props) = creation_properties else { return Ok(None) };
    let fill = match props.get("fillValue") {
        None | Some(Value::Null) => return Ok(None),
        Some(fill) => fill,
    };
    match props.get("fillValue_encoding") {
        None | Some(Value::Null) => json_to_bytes(datatype, &[], fill).map(Some),
        Some(Value::String(enc)) if enc == "base64" => {
            let text =
                fill.as_str().ok_or_else(|| value_error("a base64 fillValue must be a string"))?;
            base64_to_bytes(datatype, 1, text).map(Some)
        }
        Some(other) => Err(value_error(format!("unknown fillValue_encoding {other}"))),
    }
}

#[cfg(test)]
mod tests;
