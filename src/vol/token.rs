//! Object tokens (`H5O_token_t`, 16 bytes): unique per object, so HDF5 can tell objects apart
//! (`H5Oget_info`, hard-link detection in h5dump, `H5Oopen_by_token`).
//!
//! A schema-v2 id is a class letter plus 32 hex digits: 16 shared by every object of the
//! domain and 16 that tell objects apart. The token keeps the class letter (byte 0), the 8
//! bytes of the object part (bytes 1–8) and the first 7 bytes of the domain part (bytes 9–15),
//! so tokens of objects in different domains differ too. Decoding needs the file (for the full
//! domain part) and refuses a token minted for another domain.

use super::error::VolError;
use crate::model::{ObjClass, ObjId};

/// Size of `H5O_token_t`.
pub const TOKEN_SIZE: usize = 16;

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
}

/// The token of `id`.
pub fn token_for(id: &ObjId) -> [u8; TOKEN_SIZE] {
    let hex = id.hex();
    let domain = hex_bytes(&hex[..16]);
    let object = hex_bytes(&hex[16..]);
    let mut token = [0u8; TOKEN_SIZE];
    token[0] = id.class().prefix() as u8;
    token[1..9].copy_from_slice(&object[..8]);
    token[9..16].copy_from_slice(&domain[..7]);
    token
}

/// The id of the object `token` names, in the domain of `root`.
pub fn id_for(root: &ObjId, token: &[u8; TOKEN_SIZE]) -> Result<ObjId, VolError> {
    let bad =
        || VolError::InvalidArgument("object token does not name an object of this file".into());
    let class = ObjClass::from_prefix(token[0] as char).ok_or_else(bad)?;
    let root_hex = root.hex();
    let domain_hex = &root_hex[..16];
    if hex_bytes(domain_hex)[..7] != token[9..16] {
        return Err(bad());
    }
    let object_hex: String = token[1..9].iter().map(|b| format!("{b:02x}")).collect();
    let id = format!(
        "{}-{}-{}-{}-{}-{}",
        class.prefix(),
        &domain_hex[..8],
        &domain_hex[8..16],
        &object_hex[..4],
        &object_hex[4..10],
        &object_hex[10..16]
    );
    ObjId::parse(&id).map_err(|_| bad())
}

/// Text form of a token (`H5Otoken_to_str`): the object's id.
pub fn token_to_string(root: &ObjId, token: &[u8; TOKEN_SIZE]) -> Result<String, VolError> {
    Ok(id_for(root, token)?.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{new_obj_id, new_root_id};

    #[test]
    fn tokens_round_trip_and_differ() {
        let root = new_root_id().unwrap();
        let group = new_obj_id(ObjClass::Group, &root).unwrap();
        let dataset = new_obj_id(ObjClass::Dataset, &root).unwrap();
        for id in [&root, &group, &dataset] {
            assert_eq!(&id_for(&root, &token_for(id)).unwrap(), id);
        }
        assert_ne!(token_for(&root), token_for(&group));
        assert_ne!(token_for(&group), token_for(&dataset));
    }

    #[test]
    fn tokens_of_another_domain_are_refused() {
        let a = new_root_id().unwrap();
        let b = new_root_id().unwrap();
        assert!(id_for(&b, &token_for(&a)).is_err());
        assert!(id_for(&a, &[0u8; TOKEN_SIZE]).is_err());
    }
}
