//! Datasets: create and open over `/datasets`, and moving element bytes in the REST binary
//! form (`/datasets/{id}/value`) for any selection: one `select` request, several boxes sent
//! concurrently, or a point list. Datasets of fixed-size types small enough are read from the
//! whole value the session holds ([`super::value_cache`]) once they are read repeatedly.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::{create_linked_object, resolve_in_files, ObjHandle};
use crate::client::Request;
use crate::h5::selection::RestSelection;
use crate::model::{ObjClass, ObjId};

/// `H5Dcreate`: makes a dataset at `path` relative to `anchor`. `body` holds `type`, `shape`,
/// `maxdims` and `creationProperties` as the REST API takes them.
pub fn create(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: Option<&str>,
    intermediate: bool,
    body: Value,
) -> Result<(ObjHandle, Value), VolError> {
    let (file, id) =
        create_linked_object(file, ObjClass::Dataset, anchor, path, intermediate, body)?;
    let json = file.send_json(Request::get(format!("/datasets/{}", id.as_str())))?;
    Ok((ObjHandle::new(file, id), json))
}

/// `H5Dopen`: the dataset at `path` relative to `anchor`, with its JSON.
pub fn open(
    file: &Arc<OpenFile>,
    anchor: &ObjId,
    path: &str,
) -> Result<(ObjHandle, Value), VolError> {
    let (file, found) = resolve_in_files(file, anchor, path)?;
    let file = &file;
    if found.id.class() != ObjClass::Dataset {
        return Err(VolError::InvalidArgument(format!("'{path}' is not a dataset")));
    }
    let json = if found.json.get("type").is_some() && found.json.get("shape").is_some() {
        found.json
    } else {
        file.send_json(Request::get(format!("/datasets/{}", found.id.as_str())))?
    };
    Ok((ObjHandle::new(file.clone(), found.id), json))
}

fn value_path(id: &ObjId) -> String {
    format!("/datasets/{}/value", id.as_str())
}

/// Reads the selected elements in selection order, each `element_size` bytes in the REST
/// binary form.
pub fn read(
    file: &OpenFile,
    id: &ObjId,
    selection: &RestSelection,
    element_size: usize,
) -> Result<Vec<u8>, VolError> {
    match selection {
        RestSelection::Empty => Ok(Vec::new()),
        RestSelection::All => body_of(file.send(Request::get(value_path(id)).accept_binary())?),
        RestSelection::Select(_) => {
            let select = selection.select_param().unwrap_or_default();
            body_of(
                file.send(Request::get(value_path(id)).param("select", select).accept_binary())?,
            )
        }
        RestSelection::Boxes(boxes) => {
            let requests: Vec<Request> = boxes
                .select_params()
                .into_iter()
                .map(|select| Request::get(value_path(id)).param("select", select).accept_binary())
                .collect();
            let mut parts = Vec::with_capacity(requests.len());
            for reply in file.send_all(requests)? {
                parts.push(body_of(reply?)?);
            }
            Ok(boxes.assemble(&parts, element_size)?)
        }
        RestSelection::Points(_) => {
            // Binary uint64 coordinates: compact for long lists, and HSDS takes them too.
            let body = selection.points_binary().unwrap_or_default();
            body_of(file.send(Request::post(value_path(id)).binary(body).accept_binary())?)
        }
    }
}

/// A dataset of a fixed-size type as its held value sees it: the current dimensions, the size
/// of an element, and the most bytes its value may take to be held (the dataset's chunk cache
/// size).
#[derive(Debug, Clone, Copy)]
pub struct FixedValue<'a> {
    /// The dataset's current dimensions (empty for a scalar).
    pub dims: &'a [u64],
    /// Bytes per element in the REST binary form.
    pub element_size: usize,
    /// The dataset's value-cache budget in bytes (`0`: never held).
    pub budget: usize,
    /// The chunk shape the service stores the value in, if known (held-back writes are sent
    /// chunk by chunk).
    pub chunks: Option<&'a [u64]>,
}

impl FixedValue<'_> {
    fn elements(&self) -> u64 {
        self.dims.iter().product()
    }

    /// The whole value's size, if it may be held.
    fn holdable_bytes(&self, file: &OpenFile) -> Option<usize> {
        let bytes = usize::try_from(self.elements()).ok()?.checked_mul(self.element_size)?;
        (bytes > 0 && bytes <= self.budget && file.values().may_hold(bytes)).then_some(bytes)
    }
}

/// Picks the selected elements (selection order) out of a dataset's whole value.
pub type Extract<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<u8>, VolError>;

/// Writes selected elements (selection order, first argument) into a dataset's whole value.
pub type Apply<'a> = &'a dyn Fn(&[u8], &mut [u8]) -> Result<(), VolError>;

/// Reads `count` selected elements of a fixed-size dataset, in selection order. The selection
/// is `selection` in REST form and, for the held value, `extract` (which picks the selected
/// elements out of a whole value); `extract` is `None` when the selection's dataspace is not
/// the dataset's (the service then judges it). A dataset read for the second time within the
/// TTL, or read mostly whole, has its whole value fetched and held.
pub fn read_fixed(
    file: &OpenFile,
    id: &ObjId,
    value: FixedValue<'_>,
    selection: &RestSelection,
    count: usize,
    extract: Option<Extract<'_>>,
) -> Result<Vec<u8>, VolError> {
    let (Some(extract), Some(bytes)) = (extract, value.holdable_bytes(file)) else {
        return read(file, id, selection, value.element_size);
    };
    let (domain, values) = (file.domain(), file.values());
    if let Some(image) = values.get(domain, id.as_str(), value.dims) {
        return extract(&image);
    }
    let mostly_whole = (count as u64).saturating_mul(4) >= value.elements();
    if !(mostly_whole || values.missed_before(domain, id.as_str())) {
        return read(file, id, selection, value.element_size);
    }
    let ticket = values.ticket();
    let whole = read(file, id, &RestSelection::All, value.element_size)?;
    if whole.len() != bytes {
        // The dataset changed shape under this handle: let the service judge the selection.
        return read(file, id, selection, value.element_size);
    }
    extract(&values.keep(ticket, domain, id.as_str(), value.dims, whole))
}

/// Writes `data`, `count` selected elements of a fixed-size dataset (selection order, REST
/// binary form), into the held value and, unless it can be held back (see
/// [`super::value_cache`]), through to the service: `apply` writes them into a whole value
/// (`None`: the selection's dataspace is not the dataset's, the value is dropped). A write of
/// every element makes the value held, and so does a second partial write (or a write after a
/// partial read) within the TTL, which fetches the whole value first.
pub fn write_fixed(
    file: &OpenFile,
    id: &ObjId,
    value: FixedValue<'_>,
    selection: &RestSelection,
    count: usize,
    data: Vec<u8>,
    apply: Option<Apply<'_>>,
) -> Result<(), VolError> {
    let (domain, values) = (file.domain(), file.values());
    let (Some(apply), Some(bytes)) = (apply, value.holdable_bytes(file)) else {
        return write(file, id, selection, value.element_size, data);
    };
    file.check_writable("dataset write")?;
    let held_back = values.write_back(
        (domain, id.as_str()),
        value.dims,
        value.chunks,
        selection,
        |image: &mut [u8]| apply(&data, image),
    )?;
    if held_back {
        // No cached answer depends on a dataset's value, so none is dropped.
        return Ok(());
    }
    file.flush_values(Some(id))?;
    let held = values.take(domain, id.as_str(), value.dims);
    let updated = match held {
        Some((mut image, since)) => apply(&data, &mut image).ok().map(|()| (image, since)),
        None if count as u64 == value.elements() => {
            let mut image = vec![0u8; bytes];
            apply(&data, &mut image).ok().map(|()| (image, std::time::Instant::now()))
        }
        // Written (or read) piecemeal again within the TTL: the whole value is fetched once,
        // so that the writes after this one can be held back.
        None if values.missed_before(domain, id.as_str()) => {
            match read(file, id, &RestSelection::All, value.element_size) {
                Ok(mut image) if image.len() == bytes => {
                    apply(&data, &mut image).ok().map(|()| (image, std::time::Instant::now()))
                }
                _ => None,
            }
        }
        None => None,
    };
    write(file, id, selection, value.element_size, data)?;
    if let Some((image, since)) = updated {
        values.put_back(domain, id.as_str(), value.dims, image, since);
    }
    Ok(())
}

/// Writes `data` (the selected elements in selection order, REST binary form). A value the
/// session holds for the dataset is dropped.
pub fn write(
    file: &OpenFile,
    id: &ObjId,
    selection: &RestSelection,
    element_size: usize,
    data: Vec<u8>,
) -> Result<(), VolError> {
    file.check_writable("dataset write")?;
    file.flush_values(Some(id))?;
    file.values().forget_dataset(file.domain(), id.as_str());
    match selection {
        RestSelection::Empty => Ok(()),
        RestSelection::All => {
            file.send(Request::put(value_path(id)).binary(data))?;
            Ok(())
        }
        RestSelection::Select(_) => {
            let select = selection.select_param().unwrap_or_default();
            file.send(Request::put(value_path(id)).param("select", select).binary(data))?;
            Ok(())
        }
        RestSelection::Boxes(boxes) => {
            let parts = boxes.split(&data, element_size)?;
            let requests: Vec<Request> = boxes
                .select_params()
                .into_iter()
                .zip(parts)
                .map(|(select, part)| {
                    Request::put(value_path(id)).param("select", select).binary(part)
                })
                .collect();
            for reply in file.send_all(requests)? {
                reply?;
            }
            Ok(())
        }
        RestSelection::Points(_) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
            let mut body = selection.points_json().unwrap_or_default();
            body["value_base64"] = json!(encoded);
            file.send(Request::put(value_path(id)).json(body))?;
            Ok(())
        }
    }
}

/// `H5Dset_extent`: sets the dataset's current dimensions.
pub fn set_extent(file: &OpenFile, id: &ObjId, dims: &[u64]) -> Result<(), VolError> {
    file.check_writable("dataset extend")?;
    file.flush_values(Some(id))?;
    file.values().forget_dataset(file.domain(), id.as_str());
    file.send(
        Request::put(format!("/datasets/{}/shape", id.as_str())).json(json!({"shape": dims})),
    )?;
    Ok(())
}

fn body_of(reply: crate::client::Response) -> Result<Vec<u8>, VolError> {
    Ok(reply.body.to_vec())
}
