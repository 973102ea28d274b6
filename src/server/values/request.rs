//! Parsing the selection parts of value requests (HSDS `chunk_sn`): the `select` query
//! parameter, the JSON body forms (`select`, `start`/`stop`/`step`, `points`), binary uint64
//! point lists and `element_count`, with HSDS 1.0.2's 400 reasons:
//!
//! - any invalid or out-of-range selection, or `select` in both the query and the body:
//!   `Invalid selection` ([`ValueError::InvalidSelection`], whose payload says why);
//! - a point outside the dataset: `POST Value point: [1 2] is not within the bounds of the
//!   dataset` (numpy formatting; `PUT Value point: [1, 2] …` for writes, Python list formatting);
//! - `Unexpected points and select key in request body`, `POST Value expected list of points`,
//!   `Number of point values is not consistent with dataset rank`, `invalid element_count`.
//!
//! A scalar dataset ignores `select` and is the one-element selection HSDS uses.

use serde_json::{Map, Value};

use crate::model::{Selection, Shape};

use super::super::chunks::DatasetLayout;
use super::target::ValueSelection;
use super::ValueError;

/// Which request a point list came with (HSDS words its messages per method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointVerb {
    /// `POST /datasets/{id}/value` (a point read).
    Post,
    /// `PUT /datasets/{id}/value` (a point write).
    Put,
}

/// The selection of a value request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestSelection {
    /// A hyperslab or coordinate-list selection.
    Hyperslab(ValueSelection),
    /// Points, flat (one coordinate per dimension each).
    Points(Vec<u64>),
}

fn dataset_shape(dataset: &DatasetLayout) -> Result<Shape, ValueError> {
    Shape::simple(dataset.dims.clone()).map_err(|err| ValueError::InvalidSelection(err.to_string()))
}

fn parse_select(text: &str, dataset: &DatasetLayout) -> Result<ValueSelection, ValueError> {
    if dataset.scalar || text.trim().is_empty() {
        return Ok(ValueSelection::all(&dataset.dims));
    }
    let selection = Selection::parse(text, &dataset_shape(dataset)?)
        .map_err(|err| ValueError::InvalidSelection(err.to_string()))?;
    Ok(ValueSelection::from_model(&selection))
}

/// The selection of the `select` query parameter; the whole dataset when absent or empty.
///
/// # Errors
/// [`ValueError::InvalidSelection`].
pub fn select_param(
    select: Option<&str>,
    dataset: &DatasetLayout,
) -> Result<ValueSelection, ValueError> {
    parse_select(select.unwrap_or_default(), dataset)
}

/// The selection of a request with a JSON body (PUT or POST value): `points`, `select`, or
/// `start`/`stop`/`step` in the body, else the `select` query parameter, else everything.
///
/// # Errors
/// [`ValueError::InvalidSelection`] or [`ValueError::BadRequest`] with HSDS's reasons.
pub fn body_selection(
    select: Option<&str>,
    body: &Map<String, Value>,
    dataset: &DatasetLayout,
    verb: PointVerb,
) -> Result<RequestSelection, ValueError> {
    let param = select.filter(|text| !text.is_empty());
    let body_select = body.get("select").filter(|v| is_truthy(v));
    let has_range = body.contains_key("start") && body.contains_key("stop");
    if body.contains_key("points") {
        if param.is_some() || body_select.is_some() || has_range {
            return Err(ValueError::BadRequest(
                "Unexpected points and select key in request body".into(),
            ));
        }
        let points = json_points(body.get("points").unwrap_or(&Value::Null), dataset, verb)?;
        return Ok(RequestSelection::Points(points));
    }
    if (body_select.is_some() || has_range) && param.is_some() {
        return Err(ValueError::InvalidSelection(
            "select defined in both request body and query parameters".into(),
        ));
    }
    if let Some(select) = body_select {
        let text = select.as_str().ok_or_else(|| {
            ValueError::InvalidSelection(format!("select must be a string, got {select}"))
        })?;
        return parse_select(text, dataset).map(RequestSelection::Hyperslab);
    }
    if has_range && !dataset.scalar {
        let selection = Selection::from_start_stop_step(
            body.get("start"),
            body.get("stop"),
            body.get("step"),
            &dataset_shape(dataset)?,
        )
        .map_err(|err| ValueError::InvalidSelection(err.to_string()))?;
        return Ok(RequestSelection::Hyperslab(ValueSelection::from_model(&selection)));
    }
    select_param(param, dataset).map(RequestSelection::Hyperslab)
}

fn is_truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
        && value.as_str().is_none_or(|text| !text.is_empty())
}

/// A JSON `points` list: `[[i,j],…]`, or `[i,…]` for rank 1; checked against the extents.
///
/// # Errors
/// [`ValueError::BadRequest`] with HSDS's reasons.
pub fn json_points(
    points: &Value,
    dataset: &DatasetLayout,
    verb: PointVerb,
) -> Result<Vec<u64>, ValueError> {
    if dataset.scalar {
        return Err(scalar_points(verb));
    }
    let items = points.as_array().ok_or_else(|| {
        ValueError::BadRequest(match verb {
            PointVerb::Post => "POST Value expected list of points".into(),
            PointVerb::Put => "Bad Request: point list not valid for dataset shape".into(),
        })
    })?;
    let rank = dataset.dims.len();
    let invalid =
        || ValueError::BadRequest("Bad Request: point list not valid for dataset shape".into());
    let mut flat = Vec::with_capacity(items.len() * rank);
    for item in items {
        match item {
            Value::Array(coords) if coords.len() == rank => {
                for coord in coords {
                    flat.push(coord.as_u64().ok_or_else(invalid)?);
                }
            }
            Value::Number(_) if rank == 1 => flat.push(item.as_u64().ok_or_else(invalid)?),
            Value::Array(_) => {
                return Err(ValueError::BadRequest(format!(
                    "{} Value point value did not match dataset rank",
                    verb_name(verb)
                )))
            }
            _ => return Err(invalid()),
        }
    }
    check_points(&flat, dataset, verb)?;
    Ok(flat)
}

/// A binary points body: packed uint64 little-endian coordinates, `rank` per point.
///
/// # Errors
/// [`ValueError::BadRequest`] with HSDS's reasons.
pub fn binary_points(
    body: &[u8],
    dataset: &DatasetLayout,
    verb: PointVerb,
) -> Result<Vec<u64>, ValueError> {
    if dataset.scalar {
        return Err(scalar_points(verb));
    }
    if !body.len().is_multiple_of(8) {
        let item = dataset.item_size_text();
        return Err(ValueError::BadRequest(format!(
            "Content length: {} not divisible by element size: {item}",
            body.len()
        )));
    }
    let flat: Vec<u64> = body
        .chunks_exact(8)
        .map(|word| {
            let mut buf = [0; 8];
            buf.copy_from_slice(word);
            u64::from_le_bytes(buf)
        })
        .collect();
    if !flat.len().is_multiple_of(dataset.dims.len().max(1)) {
        return Err(ValueError::BadRequest(
            "Number of point values is not consistent with dataset rank".into(),
        ));
    }
    check_points(&flat, dataset, verb)?;
    Ok(flat)
}

fn verb_name(verb: PointVerb) -> &'static str {
    match verb {
        PointVerb::Post => "POST",
        PointVerb::Put => "PUT",
    }
}

fn scalar_points(verb: PointVerb) -> ValueError {
    ValueError::BadRequest(format!(
        "{} value not supported for datasets with SCALAR shape",
        verb_name(verb)
    ))
}

/// Checks every point against the extents, with HSDS's message for the first outside.
fn check_points(flat: &[u64], dataset: &DatasetLayout, verb: PointVerb) -> Result<(), ValueError> {
    let rank = dataset.dims.len().max(1);
    for point in flat.chunks_exact(rank) {
        if point.iter().zip(&dataset.dims).any(|(coord, extent)| coord >= extent) {
            return Err(ValueError::BadRequest(format!(
                "{} Value point: {} is not within the bounds of the dataset",
                verb_name(verb),
                format_point(point, verb)
            )));
        }
    }
    Ok(())
}

/// A point as HSDS prints it: an int for rank 1; else a numpy row (`[ 1 20]`) for POST and a
/// Python list (`[1, 20]`) for PUT.
fn format_point(point: &[u64], verb: PointVerb) -> String {
    let texts: Vec<String> = point.iter().map(u64::to_string).collect();
    match (texts.as_slice(), verb) {
        ([single], _) => single.clone(),
        (_, PointVerb::Put) => format!("[{}]", texts.join(", ")),
        (_, PointVerb::Post) => {
            let width = texts.iter().map(String::len).max().unwrap_or(0);
            let padded: Vec<String> = texts.iter().map(|t| format!("{t:>width$}")).collect();
            format!("[{}]", padded.join(" "))
        }
    }
}

/// `element_count` from the JSON body (must be an int) or the query parameter.
///
/// # Errors
/// [`ValueError::BadRequest`] with HSDS's reasons.
pub fn element_count(
    param: Option<&str>,
    body: Option<&Map<String, Value>>,
) -> Result<Option<u64>, ValueError> {
    if let Some(value) = body.and_then(|body| body.get("element_count")) {
        return value.as_u64().map(Some).ok_or_else(|| {
            ValueError::BadRequest(format!(
                "expected int value for element_count, but got: {}",
                python_type_name(value)
            ))
        });
    }
    match param {
        Some(text) => text
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ValueError::BadRequest("invalid element_count".into())),
        None => Ok(None),
    }
}

fn python_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_f64() => "<class 'float'>",
        Value::Number(_) => "<class 'int'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

impl DatasetLayout {
    /// The item size as HSDS prints it: bytes, or `H5T_VARIABLE`.
    #[must_use]
    pub fn item_size_text(&self) -> String {
        match self.item {
            super::super::chunks::ItemLayout::Fixed(size) => size.to_string(),
            super::super::chunks::ItemLayout::Variable => "H5T_VARIABLE".into(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::chunking::DimSelection;

    fn dataset(dims: &[u64]) -> DatasetLayout {
        DatasetLayout::from_json(&json!({"id":"d-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "type":"H5T_STD_I32LE","shape":{"class":"H5S_SIMPLE","dims":dims},
            "layout":{"class":"H5D_CHUNKED","dims":dims}}))
        .unwrap()
    }

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn select_param_forms_and_errors() {
        let dset = dataset(&[10, 20]);
        let sel = select_param(Some("[2:8:3, 5]"), &dset).unwrap();
        assert_eq!(
            sel.dims,
            [DimSelection::Slice { start: 2, stop: 8, step: 3 }, DimSelection::index(5)]
        );
        assert_eq!(select_param(None, &dset).unwrap(), ValueSelection::all(&[10, 20]));
        for bad in
            ["[0:11, :]", "[5:5, :]", "[:, 20]", "[[1,10], :]", "[0:2]", "[a, :]", "[0:2:0, :]"]
        {
            let err = select_param(Some(bad), &dset).unwrap_err();
            assert_eq!(
                (err.http_status(), err.to_string().as_str()),
                (400, "Invalid selection"),
                "{bad}"
            );
        }
    }

    #[test]
    fn body_forms() {
        let dset = dataset(&[10, 20]);
        let put = PointVerb::Put;
        let sel = body_selection(
            None,
            &body(json!({"start":[1,2],"stop":[3,4],"step":[1,2]})),
            &dset,
            put,
        )
        .unwrap();
        assert_eq!(
            sel,
            RequestSelection::Hyperslab(ValueSelection {
                dims: vec![
                    DimSelection::Slice { start: 1, stop: 3, step: 1 },
                    DimSelection::Slice { start: 2, stop: 4, step: 2 }
                ],
                paired: vec![]
            })
        );
        let points =
            body_selection(None, &body(json!({"points":[[1,2],[3,4]]})), &dset, put).unwrap();
        assert_eq!(points, RequestSelection::Points(vec![1, 2, 3, 4]));
        let both =
            body_selection(Some("[0:1,0:1]"), &body(json!({"select":"[0:2,0:2]"})), &dset, put);
        assert_eq!(both.unwrap_err().to_string(), "Invalid selection");
        let mixed =
            body_selection(None, &body(json!({"select":"[0:2,0:2]","points":[]})), &dset, put);
        assert_eq!(
            mixed.unwrap_err().to_string(),
            "Unexpected points and select key in request body"
        );
        let out = body_selection(None, &body(json!({"points":[[1,20]]})), &dset, put).unwrap_err();
        assert_eq!(
            out.to_string(),
            "PUT Value point: [1, 20] is not within the bounds of the dataset"
        );
        let out = json_points(&json!([[1, 20]]), &dset, PointVerb::Post).unwrap_err();
        assert_eq!(
            out.to_string(),
            "POST Value point: [ 1 20] is not within the bounds of the dataset"
        );
        let rank = json_points(&json!([[1]]), &dset, PointVerb::Post).unwrap_err();
        assert_eq!(rank.to_string(), "POST Value point value did not match dataset rank");
    }

    #[test]
    fn binary_points_and_element_count() {
        let dset = dataset(&[10, 20]);
        let bytes: Vec<u8> = [1_u64, 2, 9, 19].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(binary_points(&bytes, &dset, PointVerb::Post).unwrap(), [1, 2, 9, 19]);
        assert!(binary_points(&bytes[..12], &dset, PointVerb::Post).is_err());
        let odd = binary_points(&bytes[..24], &dset, PointVerb::Post).unwrap_err();
        assert_eq!(odd.to_string(), "Number of point values is not consistent with dataset rank");
        let one = dataset(&[5]);
        let out = binary_points(&7_u64.to_le_bytes(), &one, PointVerb::Post).unwrap_err();
        assert_eq!(out.to_string(), "POST Value point: 7 is not within the bounds of the dataset");
        assert_eq!(element_count(Some("4"), None).unwrap(), Some(4));
        assert_eq!(
            element_count(Some("x"), None).unwrap_err().to_string(),
            "invalid element_count"
        );
        let bad = element_count(None, Some(&body(json!({"element_count": "3"})))).unwrap_err();
        assert_eq!(bad.to_string(), "expected int value for element_count, but got: <class 'str'>");
    }
}
