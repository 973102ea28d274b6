//! Dataspaces (reference sections 1.5, 2.6 and 2.11): [`Shape`] with its request forms, its
//! stored JSON form and size helpers.
//!
//! Request forms of `shape`: an int, a list, `[]` (scalar), `"H5S_SCALAR"`, `"H5S_NULL"`, the
//! stored object form, or omitted (scalar). `maxdims` is an int or a list with `0` or
//! `"H5S_UNLIMITED"` for unlimited; each finite maxdim must be ≥ its dim. Stored form:
//! `{"class":"H5S_SIMPLE","dims":[..],"maxdims":[..]}` with `"H5S_UNLIMITED"` for unlimited, as
//! HSDS 1.0.2 stores and returns it (older stores, HSDS 0.9.4's among them, have `0`; both are
//! read).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::error::{ModelError, ModelResult};

/// The keyword for an unlimited maxdim (stored and returned; `0` is read too).
pub const H5S_UNLIMITED: &str = "H5S_UNLIMITED";

/// The maximum extent of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extent {
    /// The dimension can grow up to this size.
    Fixed(u64),
    /// The dimension can grow without bound (stored as `0`).
    Unlimited,
}

impl Extent {
    /// Whether a dimension may have `size` elements under this maximum.
    pub fn allows(self, size: u64) -> bool {
        match self {
            Extent::Fixed(max) => size <= max,
            Extent::Unlimited => true,
        }
    }

    /// The stored JSON form: the size, or `0` for unlimited.
    pub fn to_json(self) -> Value {
        match self {
            Extent::Fixed(max) => json!(max),
            Extent::Unlimited => json!(H5S_UNLIMITED),
        }
    }

    /// Reads `0` or `"H5S_UNLIMITED"` (unlimited) or a positive size.
    fn from_json(value: &Value) -> Option<Extent> {
        match value {
            Value::String(text) if text == H5S_UNLIMITED => Some(Extent::Unlimited),
            other => {
                other
                    .as_u64()
                    .map(|max| if max == 0 { Extent::Unlimited } else { Extent::Fixed(max) })
            }
        }
    }
}

/// A dataspace.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `H5S_NULL`: no elements.
    Null,
    /// `H5S_SCALAR`: one element, rank 0.
    Scalar,
    /// `H5S_SIMPLE`: an N-d array of `dims` (rank ≥ 1).
    Simple {
        /// Current extents.
        dims: Vec<u64>,
        /// Maximum extents, one per dim, when given.
        maxdims: Option<Vec<Extent>>,
    },
}

fn shape_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidShape(message.into())
}

impl Shape {
    /// A fixed-size simple shape.
    ///
    /// # Errors
    /// [`ModelError::InvalidShape`] if `dims` is empty or its element count overflows.
    pub fn simple(dims: Vec<u64>) -> ModelResult<Shape> {
        Shape::checked_simple(dims, None)
    }

    /// Reads the `shape` and `maxdims` of a POST /datasets or attribute PUT body; `None` means
    /// the key was absent.
    ///
    /// # Errors
    /// [`ModelError::InvalidShape`] naming the bad key, dimension and reason.
    pub fn from_request(shape: Option<&Value>, maxdims: Option<&Value>) -> ModelResult<Shape> {
        let parsed = match shape {
            None => Shape::Scalar,
            Some(Value::Object(map)) => {
                if maxdims.is_some() && map.contains_key("maxdims") {
                    return Err(shape_error("maxdims is given both in shape and beside it"));
                }
                Shape::from_object(map)?
            }
            Some(value) => Shape::from_short_form(value)?,
        };
        match maxdims {
            None => Ok(parsed),
            Some(maxdims) => parsed.with_maxdims(maxdims),
        }
    }

    /// Reads the stored form `{"class":"H5S_…", "dims":[…], "maxdims":[…]}`.
    ///
    /// # Errors
    /// [`ModelError::InvalidShape`] for an unknown class or bad dims/maxdims.
    pub fn from_json(value: &Value) -> ModelResult<Shape> {
        value
            .as_object()
            .ok_or_else(|| {
                shape_error(format!("shape must be an object with a 'class', got {value}"))
            })
            .and_then(Shape::from_object)
    }

    fn from_object(map: &Map<String, Value>) -> ModelResult<Shape> {
        let class = map.get("class").and_then(Value::as_str);
        let shape = match class {
            Some("H5S_NULL") => Shape::Null,
            Some("H5S_SCALAR") => Shape::Scalar,
            Some("H5S_SIMPLE") => {
                let dims =
                    map.get("dims").ok_or_else(|| shape_error("H5S_SIMPLE shape needs 'dims'"))?;
                let dims = parse_dims(dims)?;
                if dims.is_empty() {
                    return Err(shape_error("H5S_SIMPLE dims must not be empty"));
                }
                Shape::checked_simple(dims, None)?
            }
            Some(other) => return Err(shape_error(format!("unknown shape class '{other}'"))),
            None => return Err(shape_error("shape object needs a string 'class'")),
        };
        match map.get("maxdims") {
            None => Ok(shape),
            Some(maxdims) => shape.with_maxdims(maxdims),
        }
    }

    /// An int, a list, `"H5S_SCALAR"` or `"H5S_NULL"`.
    fn from_short_form(value: &Value) -> ModelResult<Shape> {
        match value {
            Value::String(text) if text == "H5S_SCALAR" => Ok(Shape::Scalar),
            Value::String(text) if text == "H5S_NULL" => Ok(Shape::Null),
            Value::Array(items) if items.is_empty() => Ok(Shape::Scalar),
            Value::Array(_) | Value::Number(_) => Shape::checked_simple(parse_dims(value)?, None),
            other => Err(shape_error(format!(
                "shape must be an int, a list, \"H5S_SCALAR\", \"H5S_NULL\" or an object, got {other}"
            ))),
        }
    }

    fn checked_simple(dims: Vec<u64>, maxdims: Option<Vec<Extent>>) -> ModelResult<Shape> {
        if dims.is_empty() {
            return Err(shape_error("a simple shape needs at least one dimension"));
        }
        if dims.iter().try_fold(1u64, |count, dim| count.checked_mul(*dim)).is_none() {
            return Err(shape_error("the number of elements overflows 64 bits"));
        }
        Ok(Shape::Simple { dims, maxdims })
    }

    /// This shape with `maxdims` (int or list) checked against its dims.
    fn with_maxdims(self, maxdims: &Value) -> ModelResult<Shape> {
        let Shape::Simple { dims, .. } = self else {
            return Err(shape_error(format!(
                "maxdims is not allowed with a {} shape",
                self.class_name()
            )));
        };
        let extents = parse_maxdims(maxdims)?;
        if extents.len() != dims.len() {
            return Err(shape_error(format!(
                "maxdims has {} dimensions but shape has {}",
                extents.len(),
                dims.len()
            )));
        }
        if let Some((dim, (size, max))) =
            dims.iter().zip(&extents).enumerate().find(|(_, (size, max))| !max.allows(**size))
        {
            return Err(shape_error(format!(
                "maxdims[{dim}] = {max:?} is smaller than dims[{dim}] = {size}"
            )));
        }
        Ok(Shape::Simple { dims, maxdims: Some(extents) })
    }

    /// The stored JSON form.
    pub fn to_json(&self) -> Value {
        match self {
            Shape::Null => json!({"class": "H5S_NULL"}),
            Shape::Scalar => json!({"class": "H5S_SCALAR"}),
            Shape::Simple { dims, maxdims: None } => json!({"class": "H5S_SIMPLE", "dims": dims}),
            Shape::Simple { dims, maxdims: Some(maxdims) } => {
                let maxdims: Vec<Value> = maxdims.iter().map(|max| max.to_json()).collect();
                json!({"class": "H5S_SIMPLE", "dims": dims, "maxdims": maxdims})
            }
        }
    }

    /// `H5S_NULL`, `H5S_SCALAR` or `H5S_SIMPLE`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Shape::Null => "H5S_NULL",
            Shape::Scalar => "H5S_SCALAR",
            Shape::Simple { .. } => "H5S_SIMPLE",
        }
    }

    /// The current extents; empty for scalar and null shapes.
    pub fn dims(&self) -> &[u64] {
        match self {
            Shape::Simple { dims, .. } => dims,
            Shape::Null | Shape::Scalar => &[],
        }
    }

    /// The maximum extents, when given.
    pub fn maxdims(&self) -> Option<&[Extent]> {
        match self {
            Shape::Simple { maxdims: Some(maxdims), .. } => Some(maxdims),
            _ => None,
        }
    }

    /// Number of dimensions (0 for scalar and null).
    pub fn rank(&self) -> usize {
        self.dims().len()
    }

    /// Number of elements: 0 for null, 1 for scalar, the product of dims otherwise.
    pub fn num_elements(&self) -> u64 {
        match self {
            Shape::Null => 0,
            Shape::Scalar => 1,
            Shape::Simple { dims, .. } => {
                dims.iter().fold(1u64, |count, dim| count.saturating_mul(*dim))
            }
        }
    }

    /// Whether any dimension may grow: a maxdim that is unlimited or larger than its dim.
    pub fn is_extensible(&self) -> bool {
        match self {
            Shape::Simple { dims, maxdims: Some(maxdims) } => {
                dims.iter().zip(maxdims).any(|(size, max)| can_grow(*size, *max))
            }
            _ => false,
        }
    }

    /// Whether any maxdim is unlimited.
    pub fn has_unlimited(&self) -> bool {
        self.maxdims().is_some_and(|maxdims| maxdims.contains(&Extent::Unlimited))
    }

    /// This shape with new dims (PUT /datasets/{id}/shape). Growing and shrinking are allowed
    /// within maxdims.
    ///
    /// # Errors
    /// [`ModelError::InvalidShape`] (400) if the shape is not extensible or the rank differs;
    /// [`ModelError::Conflict`] (409) if a new dim exceeds its maxdim.
    pub fn resized(&self, new_dims: &[u64]) -> ModelResult<Shape> {
        // As HSDS 1.0.2: any dataset with maxdims may change its extent within them (shrinking
        // included, also when dims already equal maxdims); one without maxdims may not.
        let Shape::Simple { dims, maxdims: Some(maxdims) } = self else {
            return Err(shape_error("the dataset is not extensible"));
        };
        if new_dims.len() != dims.len() {
            return Err(shape_error(format!(
                "new shape has {} dimensions but the dataset has {}",
                new_dims.len(),
                dims.len()
            )));
        }
        if let Some((dim, (size, max))) =
            new_dims.iter().zip(maxdims).enumerate().find(|(_, (size, max))| !max.allows(**size))
        {
            return Err(ModelError::Conflict(format!(
                "dimension {dim}: new extent {size} exceeds maxdims {max:?}"
            )));
        }
        Shape::checked_simple(new_dims.to_vec(), Some(maxdims.clone()))
    }

    /// This shape grown by `count` along `dim` (`{"extend": count, "extend_dim": dim}`).
    ///
    /// # Errors
    /// As [`Shape::resized`], plus [`ModelError::InvalidShape`] for a bad `dim` or overflow.
    pub fn extended(&self, dim: usize, count: u64) -> ModelResult<Shape> {
        let mut dims = self.dims().to_vec();
        let rank = dims.len();
        let size = dims.get_mut(dim).ok_or_else(|| {
            shape_error(format!("extend_dim {dim} is out of range for rank {rank}"))
        })?;
        *size = size.checked_add(count).ok_or_else(|| shape_error("extent overflows 64 bits"))?;
        self.resized(&dims)
    }
}

/// Whether a dimension of `size` elements may still grow under `max`.
fn can_grow(size: u64, max: Extent) -> bool {
    match max {
        Extent::Fixed(max) => max > size,
        Extent::Unlimited => true,
    }
}

/// An int or a list of non-negative ints.
fn parse_dims(value: &Value) -> ModelResult<Vec<u64>> {
    match value {
        Value::Array(items) => {
            items.iter().enumerate().map(|(dim, item)| parse_dim(dim, item)).collect()
        }
        single => parse_dim(0, single).map(|size| vec![size]),
    }
}

fn parse_dim(dim: usize, value: &Value) -> ModelResult<u64> {
    value.as_u64().ok_or_else(|| {
        shape_error(format!("dimension {dim} must be a non-negative integer, got {value}"))
    })
}

/// An int, `"H5S_UNLIMITED"`, or a list of them.
fn parse_maxdims(value: &Value) -> ModelResult<Vec<Extent>> {
    let parse_one = |dim: usize, item: &Value| {
        Extent::from_json(item).ok_or_else(|| {
            shape_error(format!(
                "maxdims[{dim}] must be a non-negative integer or \"H5S_UNLIMITED\", got {item}"
            ))
        })
    };
    match value {
        Value::Array(items) => {
            items.iter().enumerate().map(|(dim, item)| parse_one(dim, item)).collect()
        }
        single => parse_one(0, single).map(|extent| vec![extent]),
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shape, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Shape::from_json(&value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(shape: Option<Value>, maxdims: Option<Value>) -> ModelResult<Shape> {
        Shape::from_request(shape.as_ref(), maxdims.as_ref())
    }

    fn request_err(shape: Option<Value>, maxdims: Option<Value>) -> String {
        request(shape, maxdims).unwrap_err().to_string()
    }

    fn assert_round_trip(shape: &Shape) {
        let text = serde_json::to_string(shape).unwrap();
        assert_eq!(&serde_json::from_str::<Shape>(&text).unwrap(), shape, "{text}");
        assert_eq!(&request(Some(shape.to_json()), None).unwrap(), shape);
    }

    #[test]
    fn request_forms() {
        assert_eq!(request(None, None).unwrap(), Shape::Scalar);
        assert_eq!(request(Some(json!([])), None).unwrap(), Shape::Scalar);
        assert_eq!(request(Some(json!("H5S_SCALAR")), None).unwrap(), Shape::Scalar);
        assert_eq!(request(Some(json!("H5S_NULL")), None).unwrap(), Shape::Null);
        assert_eq!(request(Some(json!(10)), None).unwrap(), Shape::simple(vec![10]).unwrap());
        assert_eq!(request(Some(json!([4, 8])), None).unwrap().dims(), &[4, 8]);
        assert_eq!(request(Some(json!([0, 100])), None).unwrap().num_elements(), 0);
        let object = json!({"class": "H5S_SIMPLE", "dims": [5]});
        assert_eq!(request(Some(object), None).unwrap().dims(), &[5]);
    }

    #[test]
    fn maxdims_forms() {
        let shape = request(Some(json!([4, 8])), Some(json!([0, 8]))).unwrap();
        assert_eq!(shape.maxdims(), Some(&[Extent::Unlimited, Extent::Fixed(8)][..]));
        assert!(shape.is_extensible());
        assert!(shape.has_unlimited());
        assert_eq!(
            shape.to_json(),
            json!({"class": "H5S_SIMPLE", "dims": [4, 8], "maxdims": ["H5S_UNLIMITED", 8]})
        );
        let unlimited = request(Some(json!(10)), Some(json!("H5S_UNLIMITED"))).unwrap();
        assert_eq!(unlimited.maxdims(), Some(&[Extent::Unlimited][..]));
        let by_int = request(Some(json!(10)), Some(json!(20))).unwrap();
        assert!(by_int.is_extensible());
        assert!(!by_int.has_unlimited());
        let fixed = request(Some(json!([3])), Some(json!([3]))).unwrap();
        assert!(!fixed.is_extensible());
        assert!(!Shape::simple(vec![3]).unwrap().is_extensible());
        let stored =
            json!({"class": "H5S_SIMPLE", "dims": [2, 2], "maxdims": ["H5S_UNLIMITED", 0]});
        let old = Shape::from_json(&stored).unwrap();
        assert_eq!(old.to_json()["maxdims"], json!(["H5S_UNLIMITED", "H5S_UNLIMITED"]));
    }

    #[test]
    fn helpers() {
        assert_eq!(Shape::Null.num_elements(), 0);
        assert_eq!(Shape::Scalar.num_elements(), 1);
        assert_eq!(Shape::Scalar.rank(), 0);
        let shape = Shape::simple(vec![3, 4, 5]).unwrap();
        assert_eq!(shape.num_elements(), 60);
        assert_eq!(shape.rank(), 3);
        assert_eq!(shape.class_name(), "H5S_SIMPLE");
        assert_eq!(Shape::Null.to_string(), r#"{"class":"H5S_NULL"}"#);
    }

    #[test]
    fn round_trips() {
        for shape in [
            Shape::Null,
            Shape::Scalar,
            Shape::simple(vec![7]).unwrap(),
            request(Some(json!([4, 8])), Some(json!([0, 16]))).unwrap(),
        ] {
            assert_round_trip(&shape);
        }
    }

    #[test]
    fn request_errors() {
        let cases = [
            (Some(json!(-1)), None, "dimension 0 must be a non-negative integer, got -1"),
            (Some(json!([2, "x"])), None, "dimension 1 must be a non-negative integer"),
            (Some(json!("H5S_OTHER")), None, "shape must be an int, a list"),
            (Some(json!(true)), None, "shape must be an int, a list"),
            (Some(json!([u64::MAX, 2])), None, "overflows"),
            (None, Some(json!(4)), "maxdims is not allowed with a H5S_SCALAR shape"),
            (
                Some(json!("H5S_NULL")),
                Some(json!(4)),
                "maxdims is not allowed with a H5S_NULL shape",
            ),
            (Some(json!([4, 4])), Some(json!([4])), "maxdims has 1 dimensions but shape has 2"),
            (
                Some(json!([4, 4])),
                Some(json!([4, 3])),
                "maxdims[1] = Fixed(3) is smaller than dims[1] = 4",
            ),
            (Some(json!([4])), Some(json!([-1])), "maxdims[0] must be a non-negative integer"),
            (Some(json!([4])), Some(json!("H5S_SOMETIMES")), "maxdims[0] must be"),
            (
                Some(json!({"class": "H5S_SIMPLE", "dims": [4], "maxdims": [0]})),
                Some(json!([0])),
                "maxdims is given both",
            ),
        ];
        for (shape, maxdims, why) in cases {
            let error = request_err(shape.clone(), maxdims.clone());
            assert!(error.contains(why), "{shape:?} {maxdims:?}: {error}");
        }
    }

    #[test]
    fn stored_form_errors() {
        let cases = [
            (json!([4]), "shape must be an object"),
            (json!({"dims": [4]}), "needs a string 'class'"),
            (json!({"class": "H5S_BOX"}), "unknown shape class 'H5S_BOX'"),
            (json!({"class": "H5S_SIMPLE"}), "needs 'dims'"),
            (json!({"class": "H5S_SIMPLE", "dims": []}), "must not be empty"),
            (json!({"class": "H5S_NULL", "maxdims": [1]}), "not allowed with a H5S_NULL"),
        ];
        for (value, why) in cases {
            let error = Shape::from_json(&value).unwrap_err().to_string();
            assert!(error.contains(why), "{value}: {error}");
        }
        assert!(Shape::simple(vec![]).is_err());
        assert!(serde_json::from_str::<Shape>(r#"{"class":"H5S_X"}"#).is_err());
    }

    #[test]
    fn resize_and_extend() {
        let shape = request(Some(json!([4, 8])), Some(json!([0, 16]))).unwrap();
        assert_eq!(shape.resized(&[100, 16]).unwrap().dims(), &[100, 16]);
        assert_eq!(shape.resized(&[1, 2]).unwrap().dims(), &[1, 2]);
        assert_eq!(shape.extended(0, 6).unwrap().dims(), &[10, 8]);
        let too_big = shape.resized(&[4, 17]).unwrap_err();
        assert_eq!(too_big.http_status(), 409);
        assert!(too_big.to_string().contains("dimension 1: new extent 17"));
        assert!(shape
            .resized(&[4])
            .unwrap_err()
            .to_string()
            .contains("new shape has 1 dimensions"));
        assert!(shape
            .extended(2, 1)
            .unwrap_err()
            .to_string()
            .contains("extend_dim 2 is out of range"));
        let full = request(Some(json!([u64::MAX])), Some(json!([0]))).unwrap();
        assert!(full.extended(0, 1).unwrap_err().to_string().contains("overflows"));
        let fixed = Shape::simple(vec![4]).unwrap();
        assert_eq!(fixed.resized(&[5]).unwrap_err().http_status(), 400);
        let at_max = request(Some(json!([4])), Some(json!([4]))).unwrap();
        assert_eq!(at_max.resized(&[3]).unwrap().dims(), &[3]);
        assert_eq!(at_max.resized(&[5]).unwrap_err().http_status(), 409);
        assert!(Shape::Scalar.extended(0, 1).is_err());
    }
}
