//! Datasets: create and open over `/datasets`, and moving element bytes in the REST binary
//! form (`/datasets/{id}/value`) for any selection: one `select` request, several boxes sent
//! concurrently, or a point list.

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

/// Writes `data` (the selected elements in selection order, REST binary form).
pub fn write(
    file: &OpenFile,
    id: &ObjId,
    selection: &RestSelection,
    element_size: usize,
    data: Vec<u8>,
) -> Result<(), VolError> {
    file.check_writable("dataset write")?;
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
    file.send(
        Request::put(format!("/datasets/{}/shape", id.as_str())).json(json!({"shape": dims})),
    )?;
    Ok(())
}

fn body_of(reply: crate::client::Response) -> Result<Vec<u8>, VolError> {
    Ok(reply.body.to_vec())
}
