//! Creation property lists ⇄ REST `creationProperties` JSON (reference sections 1.5, 1.6, 2.6).
//!
//! Dataset creation: `layout` (`{"class":"H5D_CHUNKED","dims":[…]}`, `H5D_CONTIGUOUS`,
//! `H5D_COMPACT`), `filters` normalized as HSDS does (`{"class":"H5Z_FILTER_…","id":N,
//! "name":"…"}` plus `level` for deflate, `scaleType`/`scaleOffset`, `coding`/`pixelsPerBlock`
//! for szip, and `H5Z_FILTER_USER` with `parameters` for filters HSDS does not know), a
//! user-defined `fillValue` (the packed REST bytes of one element, base64, with
//! `"fillValue_encoding":"base64"`), `allocTime`, `fillTime`, and `CreateOrder: 1` when attribute
//! creation order is tracked (h5pyd's key).
//!
//! Group creation: `CreateOrder: 1` (h5pyd/HSDS) and `linkCreationOrder`
//! (`H5P_CRT_ORDER_TRACKED`/`H5P_CRT_ORDER_INDEXED`, h5json's key) for link creation order.
//!
//! Every object (group, dataset, committed datatype): `attrCreationOrder` (attribute creation
//! order flags, when `CreateOrder` alone does not say them), `trackTimes: false`
//! (`H5Pset_obj_track_times`) and `attributePhaseChange`; restvol's keys, which HSDS keeps
//! verbatim in `creationProperties`.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use crate::ffi::h5plist::{self, PlistClass};
use crate::ffi::h5type;
use crate::ffi::hdf5::hid_t;
use crate::model::types::Datatype;

use super::error::{invalid, unsupported, H5Result};
use super::handle::OwnedId;
use super::types;

/// HSDS's filter table: class, id, name (h5json `FILTER_DEFS`).
const FILTERS: &[(&str, u32, &str)] = &[
    ("H5Z_FILTER_NONE", 0, "none"),
    ("H5Z_FILTER_DEFLATE", 1, "gzip"),
    ("H5Z_FILTER_SHUFFLE", 2, "shuffle"),
    ("H5Z_FILTER_FLETCHER32", 3, "fletcher32"),
    ("H5Z_FILTER_SZIP", 4, "szip"),
    ("H5Z_FILTER_NBIT", 5, "nbit"),
    ("H5Z_FILTER_SCALEOFFSET", 6, "scaleoffset"),
    ("H5Z_FILTER_LZF", 32000, "lzf"),
    ("H5Z_FILTER_BLOSC", 32001, "blosclz"),
    ("H5Z_FILTER_SNAPPY", 32003, "snappy"),
    ("H5Z_FILTER_LZ4", 32004, "lz4"),
    ("H5Z_FILTER_LZ4HC", 32005, "lz4hc"),
    ("H5Z_FILTER_BITSHUFFLE", 32008, "bitshuffle"),
    ("H5Z_FILTER_ZSTD", 32015, "zstd"),
];

/// The `creationProperties` key holding every filter's client data values, written when the
/// normalized `filters` list cannot carry them (e.g. three values for lz4, which HSDS knows by
/// its `level` alone).
const FILTER_PARAMETERS: &str = "filterParameters";

/// Deflate level HSDS assumes when none is given.
const DEFAULT_GZIP_LEVEL: u32 = 4;
/// Scale-offset scale types (`H5Z_SO_scale_type_t`) by value.
const SCALE_TYPES: &[&str] = &["H5Z_SO_FLOAT_DSCALE", "H5Z_SO_FLOAT_ESCALE", "H5Z_SO_INT"];
/// Szip coding masks.
const SZIP_CODINGS: &[(u32, &str)] =
    &[(4, "H5_SZIP_EC_OPTION_MASK"), (32, "H5_SZIP_NN_OPTION_MASK")];

const ALLOC_TIMES: &[(h5plist::H5D_alloc_time_t, &str)] = &[
    (h5plist::H5D_ALLOC_TIME_DEFAULT, "H5D_ALLOC_TIME_DEFAULT"),
    (h5plist::H5D_ALLOC_TIME_EARLY, "H5D_ALLOC_TIME_EARLY"),
    (h5plist::H5D_ALLOC_TIME_LATE, "H5D_ALLOC_TIME_LATE"),
    (h5plist::H5D_ALLOC_TIME_INCR, "H5D_ALLOC_TIME_INCR"),
];
const FILL_TIMES: &[(h5plist::H5D_fill_time_t, &str)] = &[
    (h5plist::H5D_FILL_TIME_ALLOC, "H5D_FILL_TIME_ALLOC"),
    (h5plist::H5D_FILL_TIME_NEVER, "H5D_FILL_TIME_NEVER"),
    (h5plist::H5D_FILL_TIME_IFSET, "H5D_FILL_TIME_IFSET"),
];

fn name_of<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == value).map(|(_, name)| *name)
}

fn value_of<T: Copy>(table: &[(T, &'static str)], name: &str) -> Option<T> {
    table.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
}

/// Reads dataset creation plist `dcpl` as `creationProperties` JSON. `datatype` is the
/// dataset's REST type, used to encode the fill value.
///
/// # Errors
/// [`super::H5Error::Unsupported`] for virtual layouts; [`super::H5Error::Hdf5`] when a libhdf5
/// call fails.
pub fn dataset_creation_properties(dcpl: hid_t, datatype: &Datatype) -> H5Result<Value> {
    let mut props = Map::new();
    let layout = match h5plist::layout(dcpl)? {
        h5plist::H5D_CHUNKED => json!({"class": "H5D_CHUNKED", "dims": h5plist::chunk(dcpl)?}),
        h5plist::H5D_CONTIGUOUS => json!({"class": "H5D_CONTIGUOUS"}),
        h5plist::H5D_COMPACT => json!({"class": "H5D_COMPACT"}),
        h5plist::H5D_VIRTUAL => return Err(unsupported("virtual dataset layouts")),
        other => return Err(unsupported(format!("dataset layout {other}"))),
    };
    props.insert("layout".into(), layout);
    let infos = (0..h5plist::filter_count(dcpl)?)
        .map(|index| h5plist::filter(dcpl, index))
        .collect::<Result<Vec<_>, _>>()?;
    let filters: Vec<Value> = infos.iter().map(filter_json).collect();
    // HSDS keeps only named options for the filters it knows (a deflate level, …); when the
    // client data values say more than those, keep them all beside the list.
    let lossy = infos.iter().zip(&filters).any(|(info, json)| {
        filter_from_json(json).map_or(true, |(_, rebuilt)| rebuilt != info.cd_values)
    });
    if lossy {
        let all: Vec<Value> = infos.iter().map(|info| json!(info.cd_values)).collect();
        props.insert(FILTER_PARAMETERS.into(), Value::Array(all));
    }
    if !filters.is_empty() {
        props.insert("filters".into(), Value::Array(filters));
    }
    if h5plist::fill_value_is_user_defined(dcpl)? && !datatype.is_variable() {
        let rest_type = types::to_hdf5(datatype)?;
        let bytes = h5plist::fill_value(dcpl, rest_type.id())?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        props.insert("fillValue".into(), Value::String(encoded));
        props.insert("fillValue_encoding".into(), json!("base64"));
    }
    if let Some(name) = name_of(ALLOC_TIMES, h5plist::alloc_time(dcpl)?) {
        props.insert("allocTime".into(), json!(name));
    }
    if let Some(name) = name_of(FILL_TIMES, h5plist::fill_time(dcpl)?) {
        props.insert("fillTime".into(), json!(name));
    }
    if h5plist::attr_creation_order(dcpl)? & h5plist::H5P_CRT_ORDER_TRACKED != 0 {
        props.insert("CreateOrder".into(), json!(1));
    }
    insert_object_properties(dcpl, &mut props)?;
    Ok(Value::Object(props))
}

/// The normalized JSON of one pipeline filter.
fn filter_json(info: &h5plist::FilterInfo) -> Value {
    let Some((class, id, name)) = FILTERS.iter().find(|(_, id, _)| *id == info.id) else {
        return json!({"class": "H5Z_FILTER_USER", "id": info.id, "name": info.name,
                      "parameters": info.cd_values});
    };
    let mut filter = json!({"class": class, "id": id, "name": name});
    let cd = &info.cd_values;
    match *id {
        1 => filter["level"] = json!(cd.first().copied().unwrap_or(DEFAULT_GZIP_LEVEL)),
        4 => {
            if let Some(coding) = cd.first().and_then(|mask| {
                SZIP_CODINGS.iter().find(|(bit, _)| mask & bit != 0).map(|(_, name)| *name)
            }) {
                filter["coding"] = json!(coding);
            }
            if let Some(pixels) = cd.get(1) {
                filter["pixelsPerBlock"] = json!(pixels);
            }
        }
        6 => {
            if let Some(kind) = cd.first().and_then(|k| SCALE_TYPES.get(*k as usize)) {
                filter["scaleType"] = json!(kind);
            }
            if let Some(offset) = cd.get(1) {
                filter["scaleOffset"] = json!(offset);
            }
        }
        32004 => {
            if let Some(level) = cd.first() {
                filter["level"] = json!(level);
            }
        }
        _ => {}
    }
    filter
}

/// HDF5's shuffle filter id.
const SHUFFLE_ID: u32 = 2;

/// The `H5Z_FLAG_*` bits HDF5's own setters give a filter (HSDS keeps no flags): Fletcher32
/// (id 3) is mandatory, every other filter (deflate, shuffle, szip, nbit, scale-offset and
/// plugins) optional.
fn filter_flags(id: u32) -> u32 {
    if id == 3 {
        0
    } else {
        h5plist::H5Z_FLAG_OPTIONAL
    }
}

/// Builds a new dataset creation plist from `creationProperties` JSON (for
/// `H5Dget_create_plist`). `datatype` is the dataset's REST type (to decode the fill value);
/// `server_layout` is the dataset's `layout`, used for the chunk dims when `creation_props`
/// names none.
///
/// # Errors
/// [`super::H5Error::Invalid`] for malformed JSON or a fill value that does not fit the type;
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn dataset_plist(
    creation_props: &Value,
    datatype: &Datatype,
    server_layout: Option<&Value>,
) -> H5Result<OwnedId> {
    let empty = Map::new();
    let props = match creation_props {
        Value::Object(map) => map,
        Value::Null => &empty,
        other => return Err(invalid(format!("creationProperties must be an object, got {other}"))),
    };
    let plist = OwnedId::plist(h5plist::create(PlistClass::DatasetCreate)?);
    // restvol's service stores every dataset chunked and keeps a contiguous or compact request
    // under `requestedLayout`; HSDS keeps the request itself under `layout`.
    let layout = props.get("requestedLayout").or_else(|| props.get("layout"));
    apply_layout(plist.id(), layout, server_layout)?;
    if let Some(filters) = props.get("filters") {
        let filters = filters
            .as_array()
            .ok_or_else(|| invalid("creationProperties filters must be a list"))?;
        let raw = props.get(FILTER_PARAMETERS).and_then(Value::as_array);
        let raw = raw.filter(|raw| raw.len() == filters.len());
        for (index, filter) in filters.iter().enumerate() {
            let (id, mut cd_values) = filter_from_json(filter)?;
            if let Some(values) = raw.and_then(|raw| raw[index].as_array()) {
                cd_values = values
                    .iter()
                    .map(|v| v.as_u64().and_then(|v| u32::try_from(v).ok()))
                    .collect::<Option<Vec<u32>>>()
                    .ok_or_else(|| invalid("filterParameters must be unsigned 32-bit integers"))?;
            }
            if id == 0 {
                continue;
            }
            if id == SHUFFLE_ID && cd_values.is_empty() {
                // HDF5's shuffle records the element size when the dataset is created.
                let size = datatype.item_size().and_then(|size| u32::try_from(size).ok());
                cd_values.extend(size);
            }
            h5plist::set_filter(plist.id(), id, filter_flags(id), &cd_values)?;
        }
    }
    if let Some(fill) = props.get("fillValue") {
        let encoding = props.get("fillValue_encoding").and_then(Value::as_str);
        if !fill.is_null() && !datatype.is_variable() {
            let rest_type = types::to_hdf5(datatype)?;
            let bytes = fill_bytes(fill, encoding, datatype, rest_type.id())?;
            h5plist::set_fill_value(plist.id(), rest_type.id(), &bytes)?;
        }
    }
    if let Some(name) = props.get("allocTime").and_then(Value::as_str) {
        let time = value_of(ALLOC_TIMES, name)
            .ok_or_else(|| invalid(format!("unknown allocTime {name}")))?;
        h5plist::set_alloc_time(plist.id(), time)?;
    }
    if let Some(name) = props.get("fillTime").and_then(Value::as_str) {
        let time = value_of(FILL_TIMES, name)
            .ok_or_else(|| invalid(format!("unknown fillTime {name}")))?;
        h5plist::set_fill_time(plist.id(), time)?;
    }
    apply_object_properties(plist.id(), props)?;
    Ok(plist)
}

/// The `creationProperties` key of an object's attribute creation order flags
/// (`H5P_CRT_ORDER_TRACKED` 1, with `H5P_CRT_ORDER_INDEXED` 3), written when they differ from
/// what `CreateOrder` alone implies (both flags when it is set, none when not). HSDS keeps
/// `creationProperties` verbatim and ignores the key.
pub const ATTR_CREATION_ORDER: &str = "attrCreationOrder";

/// The `creationProperties` key that is `false` when an object's times are not tracked
/// (`H5Pset_obj_track_times`); absent means tracked, HDF5's default. HSDS ignores the key.
pub const TRACK_TIMES: &str = "trackTimes";

/// Both creation order flags: what `CreateOrder` (h5pyd's key) stands for.
const BOTH_ORDER_FLAGS: u32 = h5plist::H5P_CRT_ORDER_TRACKED | h5plist::H5P_CRT_ORDER_INDEXED;

/// The creation order flags `CreateOrder` alone implies.
fn implied_order_flags(props: &Map<String, Value>) -> u32 {
    if create_order_flag(props) {
        BOTH_ORDER_FLAGS
    } else {
        0
    }
}

/// The attribute creation order flags stored in `props` ([`ATTR_CREATION_ORDER`], else what
/// `CreateOrder` implies).
fn stored_attr_order(props: &Map<String, Value>) -> u32 {
    props
        .get(ATTR_CREATION_ORDER)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or_else(|| implied_order_flags(props))
}

/// Adds what every object creation plist `ocpl` holds (attribute creation order, time
/// tracking, attribute phase change) to `props`, once `CreateOrder` is decided.
fn insert_object_properties(ocpl: hid_t, props: &mut Map<String, Value>) -> H5Result<()> {
    let attrs = h5plist::attr_creation_order(ocpl)?;
    if attrs != implied_order_flags(props) {
        props.insert(ATTR_CREATION_ORDER.into(), json!(attrs));
    }
    if !h5plist::obj_track_times(ocpl)? {
        props.insert(TRACK_TIMES.into(), json!(false));
    }
    insert_attr_phase_change(ocpl, props)
}

/// Sets the object creation settings `props` holds (see [`insert_object_properties`]) on
/// `ocpl`.
fn apply_object_properties(ocpl: hid_t, props: &Map<String, Value>) -> H5Result<()> {
    let attrs = stored_attr_order(props);
    if attrs != 0 {
        h5plist::set_attr_creation_order(ocpl, attrs)?;
    }
    if props.get(TRACK_TIMES).and_then(Value::as_bool) == Some(false) {
        h5plist::set_obj_track_times(ocpl, false)?;
    }
    apply_attr_phase_change(ocpl, props)
}

/// The `creationProperties` of the intermediate groups made on the way to a new group or
/// dataset (`H5Pset_create_intermediate_group`): HDF5 gives them the new object's object
/// creation settings (attribute creation order, time tracking, attribute phase change), not
/// its link creation order.
pub fn intermediate_group_properties(object_props: &Value) -> Value {
    let mut out = Map::new();
    if let Value::Object(props) = object_props {
        let attrs = stored_attr_order(props);
        if attrs != 0 {
            out.insert(ATTR_CREATION_ORDER.into(), json!(attrs));
        }
        for key in [TRACK_TIMES, ATTR_PHASE_CHANGE] {
            if let Some(value) = props.get(key) {
                out.insert(key.into(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// The `creationProperties` key of an object's attribute storage phase change
/// (`H5Pset_attr_phase_change`), kept only when not HDF5's default (8 compact, 6 dense):
/// `{"maxCompact": m, "minDense": d}`. restvol stores attributes alike either way; the values
/// are kept so the creation plist reports them back. HSDS ignores the key.
pub const ATTR_PHASE_CHANGE: &str = "attributePhaseChange";

/// HDF5's default attribute phase change: at most 8 compact, at least 6 dense.
const DEFAULT_ATTR_PHASE_CHANGE: (u32, u32) = (8, 6);

/// Adds [`ATTR_PHASE_CHANGE`] to `props` when the object creation plist `ocpl` sets one.
fn insert_attr_phase_change(ocpl: hid_t, props: &mut Map<String, Value>) -> H5Result<()> {
    let (max_compact, min_dense) = h5plist::attr_phase_change(ocpl)?;
    if (max_compact, min_dense) != DEFAULT_ATTR_PHASE_CHANGE {
        props.insert(
            ATTR_PHASE_CHANGE.into(),
            json!({"maxCompact": max_compact, "minDense": min_dense}),
        );
    }
    Ok(())
}

/// Sets the attribute phase change `props` holds (see [`ATTR_PHASE_CHANGE`]) on `ocpl`.
fn apply_attr_phase_change(ocpl: hid_t, props: &Map<String, Value>) -> H5Result<()> {
    let Some(stored) = props.get(ATTR_PHASE_CHANGE) else { return Ok(()) };
    let number = |key: &str| {
        stored
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| invalid(format!("{ATTR_PHASE_CHANGE} needs a {key} count")))
    };
    h5plist::set_attr_phase_change(ocpl, number("maxCompact")?, number("minDense")?)?;
    Ok(())
}

/// The `creationProperties` of a committed datatype's creation plist `tcpl` (attribute
/// creation order and phase change when set); empty for the defaults.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn datatype_creation_properties(tcpl: hid_t) -> H5Result<Value> {
    let mut props = Map::new();
    insert_object_properties(tcpl, &mut props)?;
    // The native library reports times tracked for every committed datatype.
    props.remove(TRACK_TIMES);
    Ok(Value::Object(props))
}

/// Builds a datatype creation plist from a committed datatype's `creationProperties`.
///
/// # Errors
/// [`super::H5Error::Invalid`] for malformed settings; [`super::H5Error::Hdf5`] when a libhdf5
/// call fails.
pub fn datatype_plist(creation_props: &Value) -> H5Result<OwnedId> {
    let plist = OwnedId::plist(h5plist::create(PlistClass::DatatypeCreate)?);
    if let Value::Object(props) = creation_props {
        apply_object_properties(plist.id(), props)?;
    }
    Ok(plist)
}

fn create_order_flag(props: &Map<String, Value>) -> bool {
    match props.get("CreateOrder") {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Number(number)) => number.as_u64().is_some_and(|n| n != 0),
        Some(Value::String(text)) => !matches!(text.as_str(), "" | "0" | "false" | "False"),
        _ => false,
    }
}

fn apply_layout(plist: hid_t, layout: Option<&Value>, server: Option<&Value>) -> H5Result<()> {
    let class = layout.and_then(|l| l.get("class")).and_then(Value::as_str);
    let dims_of = |value: Option<&Value>| -> Option<Vec<u64>> {
        value?.get("dims")?.as_array()?.iter().map(Value::as_u64).collect()
    };
    let dims = dims_of(layout).or_else(|| dims_of(server));
    match class {
        Some("H5D_COMPACT") => h5plist::set_layout(plist, h5plist::H5D_COMPACT)?,
        Some("H5D_CONTIGUOUS" | "H5D_CONTIGUOUS_REF") => {
            h5plist::set_layout(plist, h5plist::H5D_CONTIGUOUS)?;
        }
        Some(_) | None => {
            // Chunked (also the server's H5D_CHUNKED_REF* forms), or nothing requested: the
            // store keeps everything chunked, so report the chunks when known.
            if let Some(dims) = dims.filter(|dims| !dims.is_empty() && !dims.contains(&0)) {
                h5plist::set_chunk(plist, &dims)?;
            }
        }
    }
    Ok(())
}

/// The filter id and client data values for one `filters` entry (an id, a name or an object).
fn filter_from_json(filter: &Value) -> H5Result<(u32, Vec<u32>)> {
    let find_name = |name: &str| {
        let name = if matches!(name, "deflate" | "zlib") { "gzip" } else { name };
        FILTERS.iter().find(|(class, _, n)| *n == name || *class == name).map(|(_, id, _)| *id)
    };
    let id = match filter {
        Value::Number(number) => number.as_u64().and_then(|id| u32::try_from(id).ok()),
        Value::String(name) => find_name(name),
        Value::Object(map) => {
            let by_class = map
                .get("class")
                .and_then(Value::as_str)
                .filter(|class| *class != "H5Z_FILTER_USER")
                .and_then(find_name);
            let by_id = map.get("id").and_then(Value::as_u64).and_then(|id| u32::try_from(id).ok());
            let by_name = map.get("name").and_then(Value::as_str).and_then(find_name);
            by_class.or(by_id).or(by_name)
        }
        _ => None,
    }
    .ok_or_else(|| invalid(format!("unknown filter {filter}")))?;
    let get = |key: &str| filter.get(key);
    let number = |key: &str| get(key).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok());
    let cd_values = match id {
        1 => vec![number("level").unwrap_or(DEFAULT_GZIP_LEVEL)],
        4 => {
            let coding = get("coding").and_then(Value::as_str).and_then(|name| {
                SZIP_CODINGS.iter().find(|(_, n)| *n == name).map(|(bit, _)| *bit)
            });
            vec![coding.unwrap_or(32), number("pixelsPerBlock").unwrap_or(4)]
        }
        6 => {
            let kind = get("scaleType")
                .and_then(Value::as_str)
                .and_then(|name| SCALE_TYPES.iter().position(|n| *n == name))
                .unwrap_or(2);
            vec![u32::try_from(kind).unwrap_or(2), number("scaleOffset").unwrap_or(0)]
        }
        32004 => number("level").map(|level| vec![level]).unwrap_or_default(),
        _ => match get("parameters") {
            Some(Value::Array(values)) => values
                .iter()
                .map(|v| v.as_u64().and_then(|v| u32::try_from(v).ok()))
                .collect::<Option<Vec<u32>>>()
                .ok_or_else(|| invalid("filter parameters must be unsigned 32-bit integers"))?,
            _ => Vec::new(),
        },
    };
    Ok((id, cd_values))
}

/// One element of the REST type `rest_type` for a `fillValue`.
fn fill_bytes(
    fill: &Value,
    encoding: Option<&str>,
    datatype: &Datatype,
    rest_type: hid_t,
) -> H5Result<Vec<u8>> {
    let size = h5type::size(rest_type)?;
    if encoding == Some("base64") {
        let text = fill.as_str().ok_or_else(|| invalid("base64 fillValue must be a string"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|err| invalid(format!("fillValue is not base64: {err}")))?;
        if bytes.len() != size {
            return Err(invalid(format!("fillValue has {} bytes, the type {size}", bytes.len())));
        }
        return Ok(bytes);
    }
    let bytes = super::value::json_to_bytes(datatype, fill)?;
    if bytes.len() != size {
        return Err(invalid(format!("fillValue has {} bytes, the type {size}", bytes.len())));
    }
    Ok(bytes)
}

/// Reads group creation plist `gcpl` as `creationProperties` JSON (empty when nothing is set).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn group_creation_properties(gcpl: hid_t) -> H5Result<Value> {
    let mut props = Map::new();
    let links = h5plist::link_creation_order(gcpl)?;
    if links & h5plist::H5P_CRT_ORDER_TRACKED != 0 {
        props.insert("CreateOrder".into(), json!(1));
    }
    if links & h5plist::H5P_CRT_ORDER_INDEXED != 0 {
        props.insert("linkCreationOrder".into(), json!("H5P_CRT_ORDER_INDEXED"));
    } else if links & h5plist::H5P_CRT_ORDER_TRACKED != 0 {
        props.insert("linkCreationOrder".into(), json!("H5P_CRT_ORDER_TRACKED"));
    }
    insert_object_properties(gcpl, &mut props)?;
    Ok(Value::Object(props))
}

/// Builds a new group creation plist from `creationProperties` JSON: `CreateOrder` tracks and
/// indexes link and attribute creation order; `linkCreationOrder` sets the link flags and
/// [`ATTR_CREATION_ORDER`] the attribute flags alone.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn group_plist(creation_props: &Value) -> H5Result<OwnedId> {
    let plist = OwnedId::plist(h5plist::create(PlistClass::GroupCreate)?);
    apply_group_properties(plist.id(), creation_props)?;
    Ok(plist)
}

/// Sets the link and attribute creation order flags `creation_props` names on `plist` (a
/// group or file creation plist).
fn apply_group_properties(plist: hid_t, creation_props: &Value) -> H5Result<()> {
    if let Value::Object(props) = creation_props {
        if create_order_flag(props) {
            h5plist::set_link_creation_order(plist, BOTH_ORDER_FLAGS)?;
        }
        match props.get("linkCreationOrder").and_then(Value::as_str) {
            Some("H5P_CRT_ORDER_INDEXED") => {
                h5plist::set_link_creation_order(plist, BOTH_ORDER_FLAGS)?;
            }
            Some("H5P_CRT_ORDER_TRACKED") => {
                h5plist::set_link_creation_order(plist, h5plist::H5P_CRT_ORDER_TRACKED)?;
            }
            _ => {}
        }
        apply_object_properties(plist, props)?;
    }
    Ok(())
}

/// The root group's `creationProperties` key holding the file creation plist's file-format
/// settings (`userblock`, `sizes`, `symK`, `istoreK`) when any differs from HDF5's default.
/// HSDS keeps a domain's root group creation properties as given and ignores this key.
pub const FILE_FORMAT: &str = "fileFormat";

/// Reads file creation plist `fcpl` as the root group's `creationProperties`: the group
/// settings (link and attribute creation order) as [`group_creation_properties`], plus the
/// file-format settings under [`FILE_FORMAT`] when they are not HDF5's defaults.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn file_creation_properties(fcpl: hid_t) -> H5Result<Value> {
    let mut props = group_creation_properties(fcpl)?;
    let format = h5plist::file_format(fcpl)?;
    let default = OwnedId::plist(h5plist::create(PlistClass::FileCreate)?);
    if format != h5plist::file_format(default.id())? {
        props[FILE_FORMAT] = json!({
            "userblock": format.userblock,
            "sizes": [format.sizes.0, format.sizes.1],
            "symK": [format.sym_k.0, format.sym_k.1],
            "istoreK": format.istore_k,
        });
    }
    Ok(props)
}

/// Builds a file creation plist from the root group's `creationProperties` (see
/// [`file_creation_properties`]); missing settings keep HDF5's defaults.
///
/// # Errors
/// [`super::H5Error::Invalid`] for malformed settings; [`super::H5Error::Hdf5`] when a libhdf5
/// call fails or refuses a value.
pub fn file_plist(root_props: &Value) -> H5Result<OwnedId> {
    let plist = OwnedId::plist(h5plist::create(PlistClass::FileCreate)?);
    apply_group_properties(plist.id(), root_props)?;
    if let Some(stored) = root_props.get(FILE_FORMAT) {
        let mut format = h5plist::file_format(plist.id())?;
        let number = |value: &Value| value.as_u64().ok_or_else(|| invalid("fileFormat values"));
        let pair = |key: &str| -> H5Result<Option<(u64, u64)>> {
            match stored.get(key).and_then(Value::as_array).map(Vec::as_slice) {
                None => Ok(None),
                Some([a, b]) => Ok(Some((number(a)?, number(b)?))),
                Some(_) => Err(invalid(format!("fileFormat {key} must be a pair"))),
            }
        };
        let small = |n: u64| u32::try_from(n).map_err(|_| invalid("fileFormat value too large"));
        let size = |n: u64| usize::try_from(n).map_err(|_| invalid("fileFormat value too large"));
        if let Some(userblock) = stored.get("userblock") {
            format.userblock = number(userblock)?;
        }
        if let Some((addr, len)) = pair("sizes")? {
            format.sizes = (size(addr)?, size(len)?);
        }
        if let Some((ik, lk)) = pair("symK")? {
            format.sym_k = (small(ik)?, small(lk)?);
        }
        if let Some(istore) = stored.get("istoreK") {
            format.istore_k = small(number(istore)?)?;
        }
        h5plist::set_file_format(plist.id(), &format)?;
    }
    Ok(plist)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::h5::handle::hdf5_test_lock;

    fn int32() -> Datatype {
        Datatype::from_json(&json!("H5T_STD_I32BE")).unwrap()
    }

    #[test]
    fn chunked_filtered_dcpl_to_json_and_back() {
        let _hdf5 = hdf5_test_lock();
        let dcpl = OwnedId::plist(h5plist::create(PlistClass::DatasetCreate).unwrap());
        h5plist::set_chunk(dcpl.id(), &[10, 20]).unwrap();
        h5plist::set_filter(dcpl.id(), 2, 0, &[]).unwrap();
        h5plist::set_filter(dcpl.id(), 1, 0, &[6]).unwrap();
        h5plist::set_filter(dcpl.id(), 32015, h5plist::H5Z_FLAG_OPTIONAL, &[3]).unwrap();
        h5plist::set_filter(dcpl.id(), 40000, h5plist::H5Z_FLAG_OPTIONAL, &[7, 8]).unwrap();
        let fill = h5type::predefined(h5type::Predefined::StdInt(4, true, false)).unwrap();
        h5plist::set_fill_value(dcpl.id(), fill, &(-7i32).to_le_bytes()).unwrap();
        h5plist::set_alloc_time(dcpl.id(), h5plist::H5D_ALLOC_TIME_EARLY).unwrap();
        h5plist::set_fill_time(dcpl.id(), h5plist::H5D_FILL_TIME_ALLOC).unwrap();
        h5plist::set_attr_creation_order(dcpl.id(), h5plist::H5P_CRT_ORDER_TRACKED).unwrap();

        let props = dataset_creation_properties(dcpl.id(), &int32()).unwrap();
        assert_eq!(props["layout"], json!({"class": "H5D_CHUNKED", "dims": [10, 20]}));
        let filters = props["filters"].as_array().unwrap();
        assert_eq!(filters[0], json!({"class": "H5Z_FILTER_SHUFFLE", "id": 2, "name": "shuffle"}));
        assert_eq!(
            filters[1],
            json!({"class": "H5Z_FILTER_DEFLATE", "id": 1, "name": "gzip", "level": 6})
        );
        assert_eq!(filters[2], json!({"class": "H5Z_FILTER_ZSTD", "id": 32015, "name": "zstd"}));
        assert_eq!(filters[3]["class"], json!("H5Z_FILTER_USER"));
        assert_eq!(filters[3]["parameters"], json!([7, 8]));
        // The fill value is converted to the dataset's (big-endian) type.
        let expected = base64::engine::general_purpose::STANDARD.encode((-7i32).to_be_bytes());
        assert_eq!(props["fillValue"], json!(expected));
        assert_eq!(props["fillValue_encoding"], json!("base64"));
        assert_eq!(props["allocTime"], json!("H5D_ALLOC_TIME_EARLY"));
        assert_eq!(props["fillTime"], json!("H5D_FILL_TIME_ALLOC"));
        assert_eq!(props["CreateOrder"], json!(1));

        let rebuilt = dataset_plist(&props, &int32(), None).unwrap();
        let again = dataset_creation_properties(rebuilt.id(), &int32()).unwrap();
        assert_eq!(again["layout"], props["layout"]);
        assert_eq!(again["filters"].as_array().unwrap()[..3], filters[..3]);
        assert_eq!(again["filters"][3]["parameters"], json!([7, 8]));
        // zstd's level is no option HSDS names: every filter's values are kept beside the list.
        assert_eq!(props[FILTER_PARAMETERS], json!([[], [6], [3], [7, 8]]));
        assert_eq!(h5plist::filter(rebuilt.id(), 2).unwrap().cd_values, vec![3]);
        // As HDF5's own setters: optional filters, shuffle with the element size.
        let shuffle = h5plist::filter(rebuilt.id(), 0).unwrap();
        assert_eq!((shuffle.flags, shuffle.cd_values), (h5plist::H5Z_FLAG_OPTIONAL, vec![4]));
        assert_eq!(h5plist::filter(rebuilt.id(), 1).unwrap().flags, h5plist::H5Z_FLAG_OPTIONAL);
        let plain = OwnedId::plist(h5plist::create(PlistClass::DatasetCreate).unwrap());
        h5plist::set_chunk(plain.id(), &[4]).unwrap();
        h5plist::set_filter(plain.id(), 1, 0, &[6]).unwrap();
        let plain_props = dataset_creation_properties(plain.id(), &int32()).unwrap();
        assert!(plain_props.get(FILTER_PARAMETERS).is_none(), "deflate round-trips by its level");

        // A known filter with more client data values than HSDS names keeps them all.
        let lz4 = OwnedId::plist(h5plist::create(PlistClass::DatasetCreate).unwrap());
        h5plist::set_chunk(lz4.id(), &[4]).unwrap();
        h5plist::set_filter(lz4.id(), 32004, 0, &[1, 2, 3]).unwrap();
        let lz4_props = dataset_creation_properties(lz4.id(), &int32()).unwrap();
        assert_eq!(lz4_props[FILTER_PARAMETERS], json!([[1, 2, 3]]));
        let lz4_rebuilt = dataset_plist(&lz4_props, &int32(), None).unwrap();
        assert_eq!(h5plist::filter(lz4_rebuilt.id(), 0).unwrap().cd_values, vec![1, 2, 3]);
        for key in ["fillValue", "fillValue_encoding", "allocTime", "fillTime", "CreateOrder"] {
            assert_eq!(again[key], props[key], "{key}");
        }
    }

    #[test]
    fn hsds_style_properties_build_a_dcpl() {
        let _hdf5 = hdf5_test_lock();
        let f64le = Datatype::from_json(&json!("H5T_IEEE_F64LE")).unwrap();
        let props = json!({"fillValue": 2.5, "filters": ["gzip",
            {"class": "H5Z_FILTER_SCALEOFFSET", "id": 6, "scaleType": "H5Z_SO_FLOAT_DSCALE",
             "scaleOffset": 3}]});
        let server_layout = json!({"class": "H5D_CHUNKED", "dims": [64]});
        let dcpl = dataset_plist(&props, &f64le, Some(&server_layout)).unwrap();
        let back = dataset_creation_properties(dcpl.id(), &f64le).unwrap();
        assert_eq!(back["layout"], server_layout);
        assert_eq!(back["filters"][0]["level"], json!(DEFAULT_GZIP_LEVEL));
        assert_eq!(back["filters"][1]["scaleType"], json!("H5Z_SO_FLOAT_DSCALE"));
        assert_eq!(back["filters"][1]["scaleOffset"], json!(3));
        let encoded = base64::engine::general_purpose::STANDARD.encode(2.5f64.to_le_bytes());
        assert_eq!(back["fillValue"], json!(encoded));
        assert!(dataset_plist(&json!({"filters": ["nosuch"]}), &f64le, None).is_err());
        assert!(dataset_plist(
            &json!({"fillValue": "AAAA", "fillValue_encoding": "base64"}),
            &f64le,
            None
        )
        .is_err());
    }

    #[test]
    fn contiguous_and_default_plists() {
        let _hdf5 = hdf5_test_lock();
        let dcpl = OwnedId::plist(h5plist::create(PlistClass::DatasetCreate).unwrap());
        let props = dataset_creation_properties(dcpl.id(), &int32()).unwrap();
        assert_eq!(props["layout"], json!({"class": "H5D_CONTIGUOUS"}));
        assert!(props.get("filters").is_none());
        assert!(props.get("fillValue").is_none());
        assert!(props.get("CreateOrder").is_none());
        let compact =
            dataset_plist(&json!({"layout": {"class": "H5D_COMPACT"}}), &int32(), None).unwrap();
        let back = dataset_creation_properties(compact.id(), &int32()).unwrap();
        assert_eq!(back["layout"], json!({"class": "H5D_COMPACT"}));
        // Stored chunked by restvol's service, asked for contiguous: reported contiguous.
        let stored = json!({"layout": {"class": "H5D_CHUNKED", "dims": [8]},
                            "requestedLayout": {"class": "H5D_CONTIGUOUS"}});
        let contiguous = dataset_plist(&stored, &int32(), None).unwrap();
        let back = dataset_creation_properties(contiguous.id(), &int32()).unwrap();
        assert_eq!(back["layout"], json!({"class": "H5D_CONTIGUOUS"}));
    }

    #[test]
    fn file_format_settings_round_trip() {
        let _hdf5 = hdf5_test_lock();
        let plain = OwnedId::plist(h5plist::create(PlistClass::FileCreate).unwrap());
        assert_eq!(file_creation_properties(plain.id()).unwrap(), json!({}));
        let fcpl = OwnedId::plist(h5plist::create(PlistClass::FileCreate).unwrap());
        let mut format = h5plist::file_format(fcpl.id()).unwrap();
        format.userblock = 65536;
        format.sym_k = (32, 8);
        h5plist::set_file_format(fcpl.id(), &format).unwrap();
        h5plist::set_link_creation_order(fcpl.id(), h5plist::H5P_CRT_ORDER_TRACKED).unwrap();
        let props = file_creation_properties(fcpl.id()).unwrap();
        assert_eq!(props[FILE_FORMAT]["userblock"], json!(65536));
        assert_eq!(props["linkCreationOrder"], json!("H5P_CRT_ORDER_TRACKED"));
        let rebuilt = file_plist(&props).unwrap();
        assert_eq!(h5plist::file_format(rebuilt.id()).unwrap(), format);
        assert_eq!(
            h5plist::link_creation_order(rebuilt.id()).unwrap(),
            h5plist::H5P_CRT_ORDER_TRACKED
        );
        assert!(file_plist(&json!({FILE_FORMAT: {"sizes": [8]}})).is_err());
    }

    #[test]
    fn group_creation_order() {
        let _hdf5 = hdf5_test_lock();
        let plain = group_plist(&json!({})).unwrap();
        assert_eq!(group_creation_properties(plain.id()).unwrap(), json!({}));
        let ordered = group_plist(&json!({"CreateOrder": 1})).unwrap();
        assert_eq!(
            group_creation_properties(ordered.id()).unwrap(),
            json!({"CreateOrder": 1, "linkCreationOrder": "H5P_CRT_ORDER_INDEXED"})
        );
        let tracked = group_plist(&json!({"linkCreationOrder": "H5P_CRT_ORDER_TRACKED"})).unwrap();
        assert_eq!(
            group_creation_properties(tracked.id()).unwrap(),
            json!({
                "CreateOrder": 1,
                "linkCreationOrder": "H5P_CRT_ORDER_TRACKED",
                ATTR_CREATION_ORDER: 0
            })
        );
    }

    #[test]
    fn attribute_order_and_time_tracking_round_trip() {
        let _hdf5 = hdf5_test_lock();
        let gcpl = OwnedId::plist(h5plist::create(PlistClass::GroupCreate).unwrap());
        h5plist::set_attr_creation_order(gcpl.id(), h5plist::H5P_CRT_ORDER_TRACKED).unwrap();
        h5plist::set_obj_track_times(gcpl.id(), false).unwrap();
        let props = group_creation_properties(gcpl.id()).unwrap();
        assert_eq!(props, json!({ATTR_CREATION_ORDER: 1, TRACK_TIMES: false}));
        let rebuilt = group_plist(&props).unwrap();
        assert_eq!(h5plist::attr_creation_order(rebuilt.id()).unwrap(), 1);
        assert_eq!(h5plist::link_creation_order(rebuilt.id()).unwrap(), 0);
        assert!(!h5plist::obj_track_times(rebuilt.id()).unwrap());
        // Intermediate groups take the object settings, not the link creation order.
        let dataset_props = json!({"CreateOrder": 1, TRACK_TIMES: false, "layout": {}});
        assert_eq!(
            intermediate_group_properties(&dataset_props),
            json!({ATTR_CREATION_ORDER: 3, TRACK_TIMES: false})
        );
        // Stores written before the explicit key: CreateOrder stands for both flags.
        let old = dataset_plist(&json!({"CreateOrder": 1}), &int32(), None).unwrap();
        assert_eq!(h5plist::attr_creation_order(old.id()).unwrap(), 3);
    }
}
