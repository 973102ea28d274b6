//! Attributes (reference sections 1.5 and 2.11): [`Attribute`] with its request body, stored
//! JSON (embedded in the parent's `attributes`) and response JSON, plus name validation.
//!
//! Request body: `{"type": T, "shape": S, "value": V}` with `shape` in any request form
//! (omitted = scalar) and an optional `"encoding": "base64"`, which makes `value` the base64 of
//! the raw little-endian bytes (fixed-length types only). Stored form:
//! `{"type", "shape", "value", "encoding"?, "created"}`.

use serde_json::{json, Map, Value};

use super::error::{ModelError, ModelResult};
use super::shapes::Shape;
use super::types::Datatype;

/// The only value encoding HSDS knows.
pub const BASE64_ENCODING: &str = "base64";

fn attr_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidAttribute(message.into())
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrValue {
    /// A JSON value shaped like the dataspace (`null` = no value written).
    Json(Value),
    /// Base64 of the packed little-endian bytes, stored with `"encoding":"base64"`.
    Base64(String),
}

/// An attribute of a group, dataset or committed datatype.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Element type.
    pub datatype: Datatype,
    /// Dataspace.
    pub shape: Shape,
    /// Value.
    pub value: AttrValue,
    /// Creation time, epoch seconds.
    pub created: f64,
    /// Whether the attribute's name is UTF-8 (`nameCharEncoding`), not ASCII.
    pub name_utf8: bool,
    /// Its creation order value (`creationOrder`, restvol's key), kept when the owner tracks
    /// attribute creation order: the DN assigns it, HSDS ignores it.
    pub creation_order: Option<u64>,
}

/// The key of an attribute's creation order value in its stored and GET forms.
pub const ATTR_CREATION_ORDER_KEY: &str = "creationOrder";

/// HDF5/JSON's key for an attribute's creation properties.
pub const CREATION_PROPERTIES_KEY: &str = "creationProperties";
/// The creation property naming the character set of an attribute's name.
pub const NAME_CHAR_ENCODING_KEY: &str = "nameCharEncoding";

fn name_is_utf8(map: &Map<String, Value>) -> ModelResult<bool> {
    let props = match map.get(CREATION_PROPERTIES_KEY) {
        None | Some(Value::Null) => return Ok(false),
        Some(Value::Object(props)) => props,
        Some(other) => {
            return Err(attr_error(format!("'creationProperties' must be an object, got {other}")))
        }
    };
    match props.get(NAME_CHAR_ENCODING_KEY) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(cset)) if cset == "H5T_CSET_ASCII" => Ok(false),
        Some(Value::String(cset)) if cset == "H5T_CSET_UTF8" => Ok(true),
        Some(other) => Err(attr_error(format!(
            "'nameCharEncoding' must be \"H5T_CSET_ASCII\" or \"H5T_CSET_UTF8\", got {other}"
        ))),
    }
}

impl Attribute {
    /// Reads a PUT attribute body (or one entry of a bulk PUT); `created` stamps it.
    ///
    /// # Errors
    /// [`ModelError::InvalidAttribute`] for a missing type, a bad encoding, or a value that does
    /// not fit the shape and type; type and shape errors keep their own variants.
    pub fn from_request(body: &Value, created: f64) -> ModelResult<Attribute> {
        let map = body
            .as_object()
            .ok_or_else(|| attr_error(format!("attribute body must be an object, got {body}")))?;
        let datatype = Datatype::from_json(
            map.get("type").ok_or_else(|| attr_error("attribute needs a 'type'"))?,
        )?;
        let shape = Shape::from_request(map.get("shape"), None)?;
        let value = parse_value(map, &datatype, &shape)?;
        let name_utf8 = name_is_utf8(map)?;
        let creation_order = map.get(ATTR_CREATION_ORDER_KEY).and_then(Value::as_u64);
        Ok(Attribute { datatype, shape, value, created, name_utf8, creation_order })
    }

    /// Reads the stored form; a missing `created` reads as 0.
    ///
    /// # Errors
    /// As [`Attribute::from_request`], plus a non-numeric `created`.
    pub fn from_json(stored: &Value) -> ModelResult<Attribute> {
        let created = match stored.get("created") {
            None => 0.0,
            Some(created) => created.as_f64().ok_or_else(|| {
                attr_error(format!("attribute 'created' must be a number, got {created}"))
            })?,
        };
        Attribute::from_request(stored, created)
    }

    /// The stored form.
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("type".into(), self.datatype.to_json());
        object.insert("shape".into(), self.shape.to_json());
        self.insert_value(&mut object);
        self.insert_creation_properties(&mut object);
        self.insert_creation_order(&mut object);
        object.insert("created".into(), json!(self.created));
        Value::Object(object)
    }

    /// The GET form: `name`, `type`, `shape`, `created`, `lastModified` (= created), and with
    /// `include_data` the `value` (plus `encoding` when base64).
    pub fn to_response_json(&self, name: &str, include_data: bool) -> Value {
        let mut object = Map::new();
        object.insert("name".into(), json!(name));
        object.insert("type".into(), self.datatype.to_json());
        object.insert("shape".into(), self.shape.to_json());
        if include_data {
            self.insert_value(&mut object);
        }
        self.insert_creation_properties(&mut object);
        self.insert_creation_order(&mut object);
        object.insert("created".into(), json!(self.created));
        object.insert("lastModified".into(), json!(self.created));
        Value::Object(object)
    }

    /// Only a UTF-8 name is recorded, so attributes with ASCII names (the default) are stored
    /// exactly as HSDS stores them.
    fn insert_creation_properties(&self, object: &mut Map<String, Value>) {
        if self.name_utf8 {
            object.insert(
                CREATION_PROPERTIES_KEY.into(),
                json!({ NAME_CHAR_ENCODING_KEY: "H5T_CSET_UTF8" }),
            );
        }
    }

    fn insert_creation_order(&self, object: &mut Map<String, Value>) {
        if let Some(order) = self.creation_order {
            object.insert(ATTR_CREATION_ORDER_KEY.into(), json!(order));
        }
    }

    fn insert_value(&self, object: &mut Map<String, Value>) {
        match &self.value {
            AttrValue::Json(value) => {
                object.insert("value".into(), value.clone());
            }
            AttrValue::Base64(text) => {
                object.insert("value".into(), json!(text));
                object.insert("encoding".into(), json!(BASE64_ENCODING));
            }
        }
    }
}

fn parse_value(
    map: &Map<String, Value>,
    datatype: &Datatype,
    shape: &Shape,
) -> ModelResult<AttrValue> {
    let value = map.get("value").unwrap_or(&Value::Null);
    match map.get("encoding") {
        None | Some(Value::Null) => parse_json_value(value, shape),
        Some(Value::String(encoding)) if encoding == BASE64_ENCODING => {
            parse_base64_value(value, datatype, shape)
        }
        Some(other) => {
            Err(attr_error(format!("unsupported encoding {other}; only \"base64\" is known")))
        }
    }
}

fn parse_json_value(value: &Value, shape: &Shape) -> ModelResult<AttrValue> {
    if value.is_null() {
        return Ok(AttrValue::Json(Value::Null));
    }
    match shape {
        Shape::Null => Err(attr_error("an attribute with a H5S_NULL shape cannot have a value")),
        Shape::Scalar => Ok(AttrValue::Json(value.clone())),
        Shape::Simple { dims, .. } => {
            check_value_layout(value, dims, shape.num_elements())?;
            Ok(AttrValue::Json(value.clone()))
        }
    }
}

/// Accepts nested lists matching `dims`, a flat list of every element (rank > 1), or a bare
/// value when the shape holds exactly one element.
fn check_value_layout(value: &Value, dims: &[u64], num_elements: u64) -> ModelResult<()> {
    let Some(items) = value.as_array() else {
        if num_elements == 1 {
            return Ok(());
        }
        return Err(attr_error(format!("value must be a list for shape {dims:?}")));
    };
    if dims.len() > 1 && items.len() as u64 == num_elements {
        return Ok(());
    }
    check_nested(value, dims, 0)
}

fn check_nested(value: &Value, dims: &[u64], depth: usize) -> ModelResult<()> {
    let Some((expected, inner_dims)) = dims.split_first() else {
        return Ok(());
    };
    let items = value.as_array().ok_or_else(|| {
        attr_error(format!(
            "value does not match shape: dimension {depth} expects a list, found {value}"
        ))
    })?;
    if items.len() as u64 != *expected {
        return Err(attr_error(format!(
            "value does not match shape: dimension {depth} expects {expected} items, found {}",
            items.len()
        )));
    }
    items.iter().try_for_each(|item| check_nested(item, inner_dims, depth + 1))
}

fn parse_base64_value(value: &Value, datatype: &Datatype, shape: &Shape) -> ModelResult<AttrValue> {
    let text = value.as_str().ok_or_else(|| {
        attr_error(format!("a base64-encoded value must be a string, got {value}"))
    })?;
    let item_size =
        datatype.item_size().ok_or_else(|| attr_error("base64 values need a fixed-length type"))?;
    let actual = decoded_base64_len(text)?;
    let expected = item_size.saturating_mul(shape.num_elements());
    if actual != expected {
        return Err(attr_error(format!(
            "base64 value decodes to {actual} bytes but the shape and type need {expected}"
        )));
    }
    Ok(AttrValue::Base64(text.to_string()))
}

/// Validates standard base64 (padding optional, ASCII whitespace ignored) and returns the
/// decoded byte count.
fn decoded_base64_len(text: &str) -> ModelResult<u64> {
    let compact: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
    let padding = compact.iter().rev().take_while(|byte| **byte == b'=').count();
    let data = &compact[..compact.len() - padding];
    if let Some(bad) = data.iter().find(|byte| !is_base64_symbol(**byte)) {
        return Err(attr_error(format!(
            "base64 value has an invalid character {:?}",
            char::from(*bad)
        )));
    }
    let remainder = data.len() % 4;
    let padded_wrong = padding > 2 || (padding > 0 && !(data.len() + padding).is_multiple_of(4));
    if remainder == 1 || padded_wrong {
        return Err(attr_error("base64 value has a bad length or padding"));
    }
    let tail = [0, 0, 1, 2][remainder];
    Ok((data.len() / 4 * 3 + tail) as u64)
}

fn is_base64_symbol(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'+' || byte == b'/'
}

/// Checks an attribute name: not empty.
///
/// # Errors
/// [`ModelError::InvalidAttribute`] for an empty name.
pub fn validate_attribute_name(name: &str) -> ModelResult<()> {
    if name.is_empty() {
        return Err(attr_error("attribute name must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Value) -> ModelResult<Attribute> {
        Attribute::from_request(&body, 2.0)
    }

    fn request_err(body: Value) -> String {
        request(body).unwrap_err().to_string()
    }

    #[test]
    fn simple_attribute() {
        let attr =
            request(json!({"type": "H5T_STD_I32LE", "shape": [5], "value": [1, 2, 3, 4, 5]}))
                .unwrap();
        assert_eq!(attr.shape.dims(), &[5]);
        assert_eq!(
            attr.to_json(),
            json!({
                "type": {"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"},
                "shape": {"class": "H5S_SIMPLE", "dims": [5]},
                "value": [1, 2, 3, 4, 5],
                "created": 2.0
            })
        );
        assert_eq!(Attribute::from_json(&attr.to_json()).unwrap(), attr);
    }

    #[test]
    fn name_character_set_kept_only_when_utf8() {
        let utf8 = json!({"type": "H5T_STD_I8LE", "shape": [1], "value": [1],
            "creationProperties": {"nameCharEncoding": "H5T_CSET_UTF8"}});
        let attr = request(utf8).unwrap();
        assert!(attr.name_utf8);
        let stored = attr.to_json();
        assert_eq!(stored["creationProperties"], json!({"nameCharEncoding": "H5T_CSET_UTF8"}));
        assert_eq!(Attribute::from_json(&stored).unwrap(), attr);
        let response = attr.to_response_json("x", false);
        assert_eq!(response["creationProperties"]["nameCharEncoding"], "H5T_CSET_UTF8");
        let ascii = json!({"type": "H5T_STD_I8LE", "shape": [1],
            "creationProperties": {"nameCharEncoding": "H5T_CSET_ASCII"}});
        let attr = request(ascii).unwrap();
        assert!(!attr.name_utf8);
        assert!(attr.to_json().get("creationProperties").is_none());
        let ordered = json!({"type": "H5T_STD_I8LE", "creationOrder": 4});
        let attr = request(ordered).unwrap();
        assert_eq!(attr.creation_order, Some(4));
        assert_eq!(attr.to_json()["creationOrder"], 4);
        assert_eq!(attr.to_response_json("x", false)["creationOrder"], 4);
        for (props, message) in [
            (json!(5), "'creationProperties' must be an object"),
            (json!({"nameCharEncoding": "latin1"}), "'nameCharEncoding' must be"),
            (json!({"nameCharEncoding": 1}), "'nameCharEncoding' must be"),
        ] {
            let body = json!({"type": "H5T_STD_I8LE", "creationProperties": props});
            assert!(request_err(body).contains(message), "{props}");
        }
    }

    #[test]
    fn scalar_null_and_missing_values() {
        let scalar =
            request(json!({"type": {"class": "H5T_STRING", "length": 5}, "value": "hello"}))
                .unwrap();
        assert_eq!(scalar.shape, Shape::Scalar);
        assert_eq!(scalar.value, AttrValue::Json(json!("hello")));
        let empty_list =
            request(json!({"type": "H5T_IEEE_F64LE", "shape": [], "value": 1.5})).unwrap();
        assert_eq!(empty_list.shape, Shape::Scalar);
        let null = request(json!({"type": "H5T_STD_I8LE", "shape": "H5S_NULL"})).unwrap();
        assert_eq!(null.value, AttrValue::Json(Value::Null));
        assert_eq!(Attribute::from_json(&null.to_json()).unwrap(), null);
        let no_value = request(json!({"type": "H5T_STD_I8LE", "shape": [3]})).unwrap();
        assert_eq!(no_value.value, AttrValue::Json(Value::Null));
    }

    #[test]
    fn value_layouts() {
        let nested =
            json!({"type": "H5T_STD_I8LE", "shape": [2, 3], "value": [[1, 2, 3], [4, 5, 6]]});
        request(nested).unwrap();
        request(json!({"type": "H5T_STD_I8LE", "shape": [2, 3], "value": [1, 2, 3, 4, 5, 6]}))
            .unwrap();
        request(json!({"type": "H5T_STD_I8LE", "shape": [1], "value": 7})).unwrap();
        request(json!({"type": "H5T_STD_I8LE", "shape": [0], "value": []})).unwrap();
        let compound = json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_IEEE_F32LE"}]});
        request(json!({"type": compound, "shape": [2], "value": [[1, 2.5], [3, 4.5]]})).unwrap();
        let stored = json!({"type": {"class": "H5T_STRING", "length": 1}, "shape": {"class": "H5S_SIMPLE", "dims": [2]}, "value": ["a", "b"]});
        request(stored).unwrap();
    }

    #[test]
    fn value_layout_errors() {
        let cases = [
            (
                json!({"type": "H5T_STD_I8LE", "shape": [3], "value": [1, 2]}),
                "dimension 0 expects 3 items, found 2",
            ),
            (
                json!({"type": "H5T_STD_I8LE", "shape": [2, 2], "value": [[1, 2], [3]]}),
                "dimension 1 expects 2 items, found 1",
            ),
            (
                json!({"type": "H5T_STD_I8LE", "shape": [2, 2], "value": [1, [3, 4]]}),
                "dimension 1 expects a list, found 1",
            ),
            (
                json!({"type": "H5T_STD_I8LE", "shape": [2], "value": 5}),
                "value must be a list for shape [2]",
            ),
            (
                json!({"type": "H5T_STD_I8LE", "shape": "H5S_NULL", "value": 5}),
                "H5S_NULL shape cannot have a value",
            ),
        ];
        for (body, why) in cases {
            let error = request_err(body.clone());
            assert!(error.contains(why), "{body}: {error}");
        }
    }

    #[test]
    fn base64_values() {
        let attr = request(json!({"type": "H5T_STD_I32LE", "shape": [2], "value": "AQAAAAIAAAA=", "encoding": "base64"})).unwrap();
        assert_eq!(attr.value, AttrValue::Base64("AQAAAAIAAAA=".into()));
        assert_eq!(attr.to_json()["encoding"], json!("base64"));
        assert_eq!(Attribute::from_json(&attr.to_json()).unwrap(), attr);
        let unpadded =
            json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "AQI", "encoding": "base64"});
        request(unpadded).unwrap();
        let spaced =
            json!({"type": "H5T_STD_U8LE", "shape": [3], "value": "AQID\n", "encoding": "base64"});
        request(spaced).unwrap();
        let scalar =
            json!({"type": "H5T_IEEE_F64LE", "value": "AAAAAAAA+D8=", "encoding": "base64"});
        request(scalar).unwrap();
    }

    #[test]
    fn base64_errors() {
        let vlen_string = json!({"class": "H5T_STRING", "length": "H5T_VARIABLE"});
        let cases = [
            (
                json!({"type": "H5T_STD_U8LE", "shape": [2], "value": [1, 2], "encoding": "base64"}),
                "must be a string",
            ),
            (
                json!({"type": vlen_string, "value": "YQ==", "encoding": "base64"}),
                "need a fixed-length type",
            ),
            (
                json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "AQ*=", "encoding": "base64"}),
                "invalid character '*'",
            ),
            (
                json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "AQIDB", "encoding": "base64"}),
                "bad length or padding",
            ),
            (
                json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "AQ=", "encoding": "base64"}),
                "bad length or padding",
            ),
            (
                json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "A===", "encoding": "base64"}),
                "bad length or padding",
            ),
            (
                json!({"type": "H5T_STD_U16LE", "shape": [2], "value": "AQI=", "encoding": "base64"}),
                "decodes to 2 bytes but the shape and type need 4",
            ),
            (
                json!({"type": "H5T_STD_U8LE", "value": "AQI=", "encoding": "hex"}),
                "unsupported encoding \"hex\"",
            ),
        ];
        for (body, why) in cases {
            let error = request_err(body.clone());
            assert!(error.contains(why), "{body}: {error}");
        }
    }

    #[test]
    fn body_errors_keep_their_kind() {
        assert!(request_err(json!("x")).contains("attribute body must be an object"));
        assert!(request_err(json!({"shape": [1]})).contains("attribute needs a 'type'"));
        assert!(matches!(request(json!({"type": "bogus"})), Err(ModelError::InvalidType(_))));
        assert!(matches!(
            request(json!({"type": "H5T_STD_I8LE", "shape": -1})),
            Err(ModelError::InvalidShape(_))
        ));
        let bad_created =
            Attribute::from_json(&json!({"type": "H5T_STD_I8LE", "created": "x"})).unwrap_err();
        assert!(bad_created.to_string().contains("'created' must be a number"));
        let no_created = Attribute::from_json(&json!({"type": "H5T_STD_I8LE"})).unwrap();
        assert_eq!(no_created.created, 0.0);
    }

    #[test]
    fn response_form() {
        let attr = request(
            json!({"type": "H5T_STD_U8LE", "shape": [2], "value": "AQI=", "encoding": "base64"}),
        )
        .unwrap();
        let full = attr.to_response_json("a1", true);
        assert_eq!(full["name"], json!("a1"));
        assert_eq!(full["value"], json!("AQI="));
        assert_eq!(full["encoding"], json!("base64"));
        assert_eq!(full["lastModified"], json!(2.0));
        let brief = attr.to_response_json("a1", false);
        assert!(brief.get("value").is_none());
        assert!(brief.get("encoding").is_none());
    }

    #[test]
    fn attribute_names() {
        validate_attribute_name("units").unwrap();
        validate_attribute_name("a/b").unwrap();
        assert!(validate_attribute_name("").unwrap_err().to_string().contains("must not be empty"));
    }
}
