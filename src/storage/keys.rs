//! Schema v2 storage keys, as HSDS `idUtil.getS3Key` / `getObjId` build and
//! read them, plus the small amount of id parsing they need.
//!
//! | object | key |
//! |---|---|
//! | domain `bucket/home/u/f.h5` | `home/u/f.h5/.domain.json` |
//! | root group | `db/<hex8>-<hex8>/.group.json` |
//! | group, dataset, datatype | `db/<hex8>-<hex8>/{g,d,t}/<hex4>-<hex6>-<hex6>/.{group,dataset,datatype}.json` |
//! | chunk `c-…_0_1` | `db/<hex8>-<hex8>/d/<hex4>-<hex6>-<hex6>/0_1` |
//! | partitioned chunk `c3-…_0_1` | `db/<hex8>-<hex8>/d/<hex4>-<hex6>-<hex6>/p3/0_1` |
//! | domain summary | `db/<hex8>-<hex8>/.info.json` |
//!
//! Keys never start with a slash. The parsers here are stricter than HSDS:
//! they accept exactly what HSDS writes (lowercase hex, decimal numbers
//! without leading zeros), so that id → key → id is a bijection.
//!
//! **Domains.** A domain string is `[hdf5:/][<protocol>]<bucket>/<path>` or
//! `[hdf5:/]/<path>`. A leading `hdf5:/` (6 characters) is removed first, as
//! HSDS does, so `hdf5://home/f.h5` is `/home/f.h5`. A string that then starts
//! with `/` has no bucket; otherwise everything up to the first `/` after an
//! optional `s3://`, `file://` or `https://<account>.blob.core.windows.net/`
//! protocol is the bucket (returned *with* its protocol, like HSDS
//! `getBucketForDomain`), and the rest, starting at that `/`, is the path.
//! The bucket never appears in the key. Only the path is turned into a key:
//! `.`/`..` and empty segments, control characters and `\` are refused, one
//! trailing `/` (a folder) is allowed, and a final `.domain.json` segment is
//! refused because its key would collide with the parent folder's key.

use thiserror::Error;

/// File name of a domain or folder object.
pub const DOMAIN_JSON: &str = ".domain.json";
/// File name of the domain summary written by the data-node scan.
pub const INFO_JSON: &str = ".info.json";
/// Top-level folder holding every object of every schema v2 domain.
const DB_FOLDER: &str = "db";
/// Length of `<hex8>-<hex8>-<hex4>-<hex6>-<hex6>`.
const UUID_LEN: usize = 36;
/// Length of the domain-wide `<hex8>-<hex8>` part of a uuid.
const DOMAIN_PART_LEN: usize = 17;
/// Positions of the dashes inside a schema v2 uuid.
const UUID_DASHES: [usize; 4] = [8, 17, 22, 29];

/// Why a domain, id or storage key was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The domain string cannot be mapped to a key inside the bucket.
    #[error("invalid domain {domain:?}: {reason}")]
    InvalidDomain {
        /// The domain as given.
        domain: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The string is not a schema v2 object or chunk id.
    #[error("malformed id {id:?}: {reason}")]
    MalformedId {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A well-formed id of the wrong kind (e.g. a chunk id given to `object_key`).
    #[error("id {id:?} is a {found} id where a {expected} id is needed")]
    WrongKind {
        /// The id as given.
        id: String,
        /// The kind the function needs.
        expected: &'static str,
        /// The kind the id has.
        found: &'static str,
    },
    /// A domain-wide key was asked for with an id that is not the root group.
    #[error("id {id:?} is not a root group id")]
    NotRoot {
        /// The id as given.
        id: String,
    },
    /// The key is not one schema v2 ever writes.
    #[error("not a schema v2 storage key {key:?}: {reason}")]
    UnrecognizedKey {
        /// The key as given.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The four kinds of schema v2 ids, by their first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// `g-…`
    Group,
    /// `d-…`
    Dataset,
    /// `t-…` (committed datatype)
    Datatype,
    /// `c-…_i_j` or `c<N>-…_i_j`
    Chunk,
}

impl ObjectKind {
    /// The id prefix character.
    #[must_use]
    pub fn prefix(self) -> char {
        match self {
            Self::Group => 'g',
            Self::Dataset => 'd',
            Self::Datatype => 't',
            Self::Chunk => 'c',
        }
    }

    /// A lowercase name for messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Dataset => "dataset",
            Self::Datatype => "datatype",
            Self::Chunk => "chunk",
        }
    }

    fn from_prefix(prefix: u8) -> Option<Self> {
        match prefix {
            b'g' => Some(Self::Group),
            b'd' => Some(Self::Dataset),
            b't' => Some(Self::Datatype),
            b'c' => Some(Self::Chunk),
            _ => None,
        }
    }

    /// Folder under `db/<domain>/` (chunks live with their dataset).
    fn folder(self) -> &'static str {
        match self {
            Self::Group => "g",
            Self::Dataset | Self::Chunk => "d",
            Self::Datatype => "t",
        }
    }

    /// Metadata file name, `None` for chunks.
    fn json_file(self) -> Option<&'static str> {
        match self {
            Self::Group => Some(".group.json"),
            Self::Dataset => Some(".dataset.json"),
            Self::Datatype => Some(".datatype.json"),
            Self::Chunk => None,
        }
    }
}

/// A schema v2 id split into its parts; borrowed from the id string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdParts<'a> {
    /// Which kind of object the id names.
    pub kind: ObjectKind,
    /// Chunk partition digits (`3` in `c3-…`), chunks only.
    pub partition: Option<&'a str>,
    /// `<hex8>-<hex8>-<hex4>-<hex6>-<hex6>`.
    pub uuid: &'a str,
    /// Chunk coordinates (`0_1` in `c-…_0_1`), chunks only.
    pub chunk_coords: Option<&'a str>,
}

impl<'a> IdParts<'a> {
    /// `<hex8>-<hex8>`: shared by every object of the domain.
    #[must_use]
    pub fn domain_part(&self) -> &'a str {
        self.uuid.get(..DOMAIN_PART_LEN).unwrap_or_default()
    }

    /// `<hex4>-<hex6>-<hex6>`: the per-object part.
    #[must_use]
    pub fn object_part(&self) -> &'a str {
        self.uuid.get(DOMAIN_PART_LEN + 1..).unwrap_or_default()
    }

    /// True for the root group: a group whose hex digits 0–15 are digits
    /// 16–31 rotated by +8 mod 16 (HSDS `isRootObjId`).
    #[must_use]
    pub fn is_root(&self) -> bool {
        let hex = hex_digits(self.uuid);
        self.kind == ObjectKind::Group
            && hex.get(..16).zip(hex.get(16..)).is_some_and(|(head, tail)| {
                head.iter().zip(tail).all(|(&h, &t)| h == rotate_hex(t))
            })
    }
}

/// Parses a schema v2 object id (`g-`, `d-`, `t-`) or chunk id (`c-…_i`,
/// `c<N>-…_i_j`).
///
/// # Errors
/// [`KeyError::MalformedId`] if the string is not exactly such an id.
pub fn parse_id(id: &str) -> Result<IdParts<'_>, KeyError> {
    let malformed = |reason| KeyError::MalformedId { id: id.to_owned(), reason };
    if !id.is_ascii() {
        return Err(malformed("ids are ASCII"));
    }
    let kind = id
        .bytes()
        .next()
        .and_then(ObjectKind::from_prefix)
        .ok_or_else(|| malformed("ids start with g, d, t or c"))?;
    let dash = id.find('-').ok_or_else(|| malformed("no '-' after the prefix"))?;
    let partition = match id.get(1..dash) {
        Some("") => None,
        Some(digits) if kind == ObjectKind::Chunk && is_canonical_decimal(digits) => Some(digits),
        _ => return Err(malformed("only chunk ids carry partition digits")),
    };
    let after_dash = dash + 1;
    let uuid = id
        .get(after_dash..after_dash + UUID_LEN)
        .filter(|uuid| is_v2_uuid(uuid))
        .ok_or_else(|| malformed("expected <hex8>-<hex8>-<hex4>-<hex6>-<hex6> in lowercase hex"))?;
    let rest = id.get(after_dash + UUID_LEN..).unwrap_or_default();
    let chunk_coords = if kind == ObjectKind::Chunk {
        let coords =
            rest.strip_prefix('_').ok_or_else(|| malformed("chunk ids end in _<i>[_<j>…]"))?;
        if !is_chunk_coords(coords) {
            return Err(malformed("chunk coordinates are decimal numbers joined by '_'"));
        }
        Some(coords)
    } else {
        if !rest.is_empty() {
            return Err(malformed("trailing characters after the uuid"));
        }
        None
    };
    Ok(IdParts { kind, partition, uuid, chunk_coords })
}

/// The root group id of the domain `id` belongs to (HSDS `getRootObjId`).
///
/// # Errors
/// [`KeyError::MalformedId`] if `id` is not a schema v2 id.
pub fn root_id_for(id: &str) -> Result<String, KeyError> {
    let parts = parse_id(id)?;
    Ok(root_id_from_domain_part(parts.domain_part()))
}

/// `db/<hex8>-<hex8>/`: the prefix under which every object of the domain is
/// stored.
///
/// # Errors
/// [`KeyError::MalformedId`] or [`KeyError::NotRoot`] unless `root_id` is a
/// root group id.
pub fn domain_prefix(root_id: &str) -> Result<String, KeyError> {
    let parts = parse_root_id(root_id)?;
    Ok(format!("{DB_FOLDER}/{}/", parts.domain_part()))
}

/// `db/<hex8>-<hex8>/.info.json`: the domain summary written by the scan.
///
/// # Errors
/// As [`domain_prefix`].
pub fn info_key(root_id: &str) -> Result<String, KeyError> {
    Ok(domain_prefix(root_id)? + INFO_JSON)
}

/// Key of a group, dataset or datatype metadata object. The root group is
/// `db/<hex8>-<hex8>/.group.json`, with no `/g/` folder.
///
/// # Errors
/// [`KeyError::MalformedId`], or [`KeyError::WrongKind`] for a chunk id.
pub fn object_key(id: &str) -> Result<String, KeyError> {
    let parts = parse_id(id)?;
    let Some(json_file) = parts.kind.json_file() else {
        return Err(wrong_kind(id, "group, dataset or datatype", parts.kind));
    };
    if parts.is_root() {
        return Ok(format!("{DB_FOLDER}/{}/{json_file}", parts.domain_part()));
    }
    Ok(format!("{}{json_file}", object_folder(&parts)))
}

/// `db/<hex8>-<hex8>/d/<hex4>-<hex6>-<hex6>/`: the dataset's folder, holding
/// its `.dataset.json` and all of its chunks (partitioned ones under `p<N>/`).
///
/// # Errors
/// [`KeyError::MalformedId`], or [`KeyError::WrongKind`] unless `dataset_id`
/// is a dataset id.
pub fn dataset_prefix(dataset_id: &str) -> Result<String, KeyError> {
    let parts = parse_id(dataset_id)?;
    if parts.kind != ObjectKind::Dataset {
        return Err(wrong_kind(dataset_id, "dataset", parts.kind));
    }
    Ok(object_folder(&parts))
}

/// Key of a chunk: `db/<hex8>-<hex8>/d/<hex4>-<hex6>-<hex6>/[p<N>/]<i>_<j>…`.
///
/// # Errors
/// [`KeyError::MalformedId`], or [`KeyError::WrongKind`] for a non-chunk id.
pub fn chunk_key(chunk_id: &str) -> Result<String, KeyError> {
    let parts = parse_id(chunk_id)?;
    let (ObjectKind::Chunk, Some(coords)) = (parts.kind, parts.chunk_coords) else {
        return Err(wrong_kind(chunk_id, "chunk", parts.kind));
    };
    let mut key = object_folder(&parts);
    if let Some(partition) = parts.partition {
        key.push('p');
        key.push_str(partition);
        key.push('/');
    }
    key.push_str(coords);
    Ok(key)
}

/// Splits a domain string into bucket and path; see the module docs for the
/// rules. The path is validated as [`domain_key`] would.
///
/// # Errors
/// [`KeyError::InvalidDomain`].
pub fn split_domain(domain: &str) -> Result<DomainRef<'_>, KeyError> {
    let invalid = |reason| KeyError::InvalidDomain { domain: domain.to_owned(), reason };
    let rest = domain.strip_prefix("hdf5:/").unwrap_or(domain);
    let (bucket, path) = if rest.starts_with('/') {
        (None, rest)
    } else {
        let protocol_len = storage_protocol_len(rest).map_err(invalid)?;
        let after_protocol = rest.get(protocol_len..).unwrap_or_default();
        let slash =
            after_protocol.find('/').ok_or_else(|| invalid("no '/<path>' after the bucket"))?;
        let name = after_protocol.get(..slash).unwrap_or_default();
        if !is_valid_bucket_name(name) {
            return Err(invalid("bucket names are [a-zA-Z0-9_.-]+ and not '.' or '..'"));
        }
        let bucket = rest.get(..protocol_len + slash).unwrap_or_default();
        (Some(bucket), after_protocol.get(slash..).unwrap_or_default())
    };
    domain_path_body(path).map_err(invalid)?;
    Ok(DomainRef { bucket, path })
}

/// A domain string split by [`split_domain`]; borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainRef<'a> {
    /// The bucket including any storage protocol (`s3://b`), or `None` when
    /// the domain starts with `/` and the caller's default bucket applies.
    pub bucket: Option<&'a str>,
    /// The path inside the bucket, starting with `/` (`/home/u/f.h5`, or a
    /// folder `/home/u/`).
    pub path: &'a str,
}

/// Key of a domain's or folder's `.domain.json`:
/// `/home/u/f.h5`, `bucket/home/u/f.h5` and `hdf5://home/u/f.h5` all give
/// `home/u/f.h5/.domain.json`; the folder `/home/u/` gives
/// `home/u/.domain.json`.
///
/// # Errors
/// [`KeyError::InvalidDomain`] for anything that is not a well-formed path
/// inside the bucket (see the module docs).
pub fn domain_key(domain: &str) -> Result<String, KeyError> {
    let DomainRef { path, .. } = split_domain(domain)?;
    let body = domain_path_body(path)
        .map_err(|reason| KeyError::InvalidDomain { domain: domain.to_owned(), reason })?;
    Ok(format!("{body}/{DOMAIN_JSON}"))
}

/// Key for any id HSDS stores: a domain (anything containing `/`), or an
/// object or chunk id. The inverse of [`id_from_key`] (up to the bucket,
/// which keys do not contain).
///
/// # Errors
/// As [`domain_key`], [`object_key`] or [`chunk_key`].
pub fn key_for_id(id: &str) -> Result<String, KeyError> {
    if id.contains('/') {
        return domain_key(id);
    }
    match parse_id(id)?.kind {
        ObjectKind::Chunk => chunk_key(id),
        _ => object_key(id),
    }
}

/// What a storage key holds, as read back by [`parse_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyTarget {
    /// A domain or folder, as its path with a leading `/` and no bucket.
    Domain(String),
    /// A group, dataset or datatype id.
    Object(String),
    /// A chunk id, with partition digits if the key has a `p<N>/` folder.
    Chunk(String),
    /// The `.info.json` summary of the domain with this root group id.
    DomainInfo(String),
}

/// Reads a storage key back into what it stores.
///
/// # Errors
/// [`KeyError::UnrecognizedKey`] for anything schema v2 would not write
/// (schema v1 keys included).
pub fn parse_key(key: &str) -> Result<KeyTarget, KeyError> {
    let unrecognized = |reason| KeyError::UnrecognizedKey { key: key.to_owned(), reason };
    if let Some(body) = key.strip_suffix(DOMAIN_JSON).and_then(|k| k.strip_suffix('/')) {
        if body.ends_with('/') {
            return Err(unrecognized("empty path segment"));
        }
        let path = format!("/{body}");
        domain_path_body(&path).map_err(unrecognized)?;
        return Ok(KeyTarget::Domain(path));
    }
    let parts: Vec<&str> = key.split('/').collect();
    match parts.as_slice() {
        [DB_FOLDER, domain, file] => parse_domain_level_key(domain, file).map_err(unrecognized),
        [DB_FOLDER, domain, folder, object, file] => {
            parse_object_level_key(domain, folder, object, None, file).map_err(unrecognized)
        }
        [DB_FOLDER, domain, "d", object, partition, coords] => {
            let digits = partition
                .strip_prefix('p')
                .filter(|digits| is_canonical_decimal(digits))
                .ok_or_else(|| unrecognized("partition folders are p<N>"))?;
            parse_object_level_key(domain, "d", object, Some(digits), coords).map_err(unrecognized)
        }
        _ => Err(unrecognized("not a domain, object, chunk or info key")),
    }
}

/// The id stored under `key`, as HSDS `getObjId` returns it: `/path` for a
/// domain or folder, the object id, or the chunk id (`c<N>-…` when
/// partitioned).
///
/// # Errors
/// As [`parse_key`]; also for `.info.json`, which stores no object.
pub fn id_from_key(key: &str) -> Result<String, KeyError> {
    match parse_key(key)? {
        KeyTarget::Domain(id) | KeyTarget::Object(id) | KeyTarget::Chunk(id) => Ok(id),
        KeyTarget::DomainInfo(_) => Err(KeyError::UnrecognizedKey {
            key: key.to_owned(),
            reason: "the domain summary is not an object",
        }),
    }
}

/// `db/<hex8>-<hex8>/.group.json` or `…/.info.json`.
fn parse_domain_level_key(domain: &str, file: &str) -> Result<KeyTarget, &'static str> {
    if !is_domain_part(domain) {
        return Err("expected db/<hex8>-<hex8>/");
    }
    let root_id = root_id_from_domain_part(domain);
    match file {
        ".group.json" => Ok(KeyTarget::Object(root_id)),
        INFO_JSON => Ok(KeyTarget::DomainInfo(root_id)),
        _ => Err("only .group.json and .info.json sit directly under db/<domain>/"),
    }
}

/// `db/<domain>/{g,d,t}/<object>/[p<N>/]<file or chunk coords>`.
fn parse_object_level_key(
    domain: &str,
    folder: &str,
    object: &str,
    partition: Option<&str>,
    file: &str,
) -> Result<KeyTarget, &'static str> {
    if !is_domain_part(domain) || !is_object_part(object) {
        return Err("expected db/<hex8>-<hex8>/<x>/<hex4>-<hex6>-<hex6>/");
    }
    let uuid = format!("{domain}-{object}");
    let target = match (folder, file, partition) {
        ("g", ".group.json", None) => KeyTarget::Object(format!("g-{uuid}")),
        ("d", ".dataset.json", None) => KeyTarget::Object(format!("d-{uuid}")),
        ("t", ".datatype.json", None) => KeyTarget::Object(format!("t-{uuid}")),
        ("d", coords, _) if is_chunk_coords(coords) => {
            KeyTarget::Chunk(format!("c{}-{uuid}_{coords}", partition.unwrap_or_default()))
        }
        _ => return Err("unknown object folder or file name"),
    };
    let is_root_object =
        matches!(&target, KeyTarget::Object(id) if parse_id(id).is_ok_and(|p| p.is_root()));
    if is_root_object {
        return Err("the root group is stored as db/<domain>/.group.json");
    }
    Ok(target)
}

/// Refuses a non-root id for domain-wide keys.
fn parse_root_id(root_id: &str) -> Result<IdParts<'_>, KeyError> {
    let parts = parse_id(root_id)?;
    if parts.is_root() {
        Ok(parts)
    } else {
        Err(KeyError::NotRoot { id: root_id.to_owned() })
    }
}

fn wrong_kind(id: &str, expected: &'static str, found: ObjectKind) -> KeyError {
    KeyError::WrongKind { id: id.to_owned(), expected, found: found.name() }
}

/// `db/<hex8>-<hex8>/<g|d|t>/<hex4>-<hex6>-<hex6>/`.
fn object_folder(parts: &IdParts<'_>) -> String {
    format!("{DB_FOLDER}/{}/{}/{}/", parts.domain_part(), parts.kind.folder(), parts.object_part())
}

/// `g-<hex8>-<hex8>-<rotated hex4>-<rotated hex6>-<rotated hex6>`; the input
/// must already be a validated `<hex8>-<hex8>`.
fn root_id_from_domain_part(domain_part: &str) -> String {
    let head = hex_digits(domain_part);
    let tail: String = head.iter().map(|&digit| char::from(rotate_hex(digit))).collect();
    let (a, rest) = tail.split_at(4.min(tail.len()));
    let (b, c) = rest.split_at(6.min(rest.len()));
    format!("g-{domain_part}-{a}-{b}-{c}")
}

/// Hex digit rotated by +8 mod 16 (HSDS `hexRot`), in lowercase.
fn rotate_hex(digit: u8) -> u8 {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let value = char::from(digit).to_digit(16).unwrap_or(0) as usize;
    DIGITS.get((value + 8) % 16).copied().unwrap_or(b'0')
}

/// The hex digits of a uuid or uuid part, without dashes.
fn hex_digits(uuid: &str) -> Vec<u8> {
    uuid.bytes().filter(|&b| b != b'-').collect()
}

fn is_lower_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)
}

/// Checks dashes at `dashes` and lowercase hex elsewhere, for a given length.
fn is_dashed_hex(s: &str, len: usize, dashes: &[usize]) -> bool {
    s.len() == len
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if dashes.contains(&i) { b == b'-' } else { is_lower_hex(b) })
}

fn is_v2_uuid(s: &str) -> bool {
    is_dashed_hex(s, UUID_LEN, &UUID_DASHES)
}

fn is_domain_part(s: &str) -> bool {
    is_dashed_hex(s, DOMAIN_PART_LEN, &[8])
}

fn is_object_part(s: &str) -> bool {
    is_dashed_hex(s, UUID_LEN - DOMAIN_PART_LEN - 1, &[4, 11])
}

/// A decimal `u64` written as Python's `str(int)` writes it.
fn is_canonical_decimal(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'))
        && s.parse::<u64>().is_ok()
}

fn is_chunk_coords(s: &str) -> bool {
    s.split('_').all(is_canonical_decimal)
}

fn is_valid_bucket_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Length of a leading `s3://`, `file://` or Azure `https://<host>/` prefix.
fn storage_protocol_len(domain: &str) -> Result<usize, &'static str> {
    const AZURE_HOST_SUFFIX: &str = ".blob.core.windows.net";
    for protocol in ["s3://", "file://"] {
        if domain.starts_with(protocol) {
            return Ok(protocol.len());
        }
    }
    if let Some(after) = domain.strip_prefix("https://") {
        let host_len = after.find('/').unwrap_or(after.len());
        let host = after.get(..host_len).unwrap_or_default();
        if host.len() > AZURE_HOST_SUFFIX.len()
            && host.ends_with(AZURE_HOST_SUFFIX)
            && after.len() > host_len
        {
            return Ok("https://".len() + host_len + 1);
        }
    }
    let first_segment = domain.split('/').next().unwrap_or_default();
    if first_segment.contains(':') {
        return Err("unsupported storage protocol (s3://, file:// or Azure https://)");
    }
    Ok(0)
}

/// Validates a domain path (`/a/b` or folder `/a/b/`) and returns it without
/// the leading and trailing slash: the key's directory part.
fn domain_path_body(path: &str) -> Result<&str, &'static str> {
    let inner = path.strip_prefix('/').ok_or("domain paths start with '/'")?;
    let body = inner.strip_suffix('/').unwrap_or(inner);
    if body.is_empty() {
        return Err("the bucket root has no .domain.json");
    }
    for segment in body.split('/') {
        match segment {
            "" => return Err("empty path segment"),
            "." | ".." => return Err("'.' and '..' segments are not allowed"),
            _ if segment.chars().any(|c| c.is_control() || c == '\\') => {
                return Err("control characters and '\\' are not allowed");
            }
            _ => {}
        }
    }
    if body.rsplit('/').next() == Some(DOMAIN_JSON) {
        return Err("a domain cannot be named .domain.json");
    }
    Ok(body)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const ROOT: &str = "g-b03b24ef-69f244b6-38b3-ac67e1-7acc3e";
    const GROUP: &str = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const DATASET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const DATATYPE: &str = "t-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const CHUNK: &str = "c-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1";
    const PART_CHUNK: &str = "c3-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1";
    const DOMAIN: &str = "db/b03b24ef-69f244b6";
    const OBJ: &str = "acd9-4df97b-37122a";

    #[test]
    fn reference_key_table() {
        assert_eq!(domain_key("hsdstest/home/u/foo.h5").unwrap(), "home/u/foo.h5/.domain.json");
        assert_eq!(object_key(ROOT).unwrap(), format!("{DOMAIN}/.group.json"));
        assert_eq!(object_key(GROUP).unwrap(), format!("{DOMAIN}/g/{OBJ}/.group.json"));
        assert_eq!(object_key(DATASET).unwrap(), format!("{DOMAIN}/d/{OBJ}/.dataset.json"));
        assert_eq!(object_key(DATATYPE).unwrap(), format!("{DOMAIN}/t/{OBJ}/.datatype.json"));
        assert_eq!(chunk_key(CHUNK).unwrap(), format!("{DOMAIN}/d/{OBJ}/0_1"));
        assert_eq!(chunk_key(PART_CHUNK).unwrap(), format!("{DOMAIN}/d/{OBJ}/p3/0_1"));
        assert_eq!(info_key(ROOT).unwrap(), format!("{DOMAIN}/.info.json"));
        assert_eq!(domain_prefix(ROOT).unwrap(), format!("{DOMAIN}/"));
        assert_eq!(dataset_prefix(DATASET).unwrap(), format!("{DOMAIN}/d/{OBJ}/"));
    }

    #[test]
    fn root_detection_and_reconstruction() {
        assert!(parse_id(ROOT).unwrap().is_root());
        assert!(!parse_id(GROUP).unwrap().is_root());
        // Same hex as the root, but only groups can be roots.
        assert!(!parse_id(&format!("d{}", &ROOT[1..])).unwrap().is_root());
        for id in [ROOT, GROUP, DATASET, DATATYPE, CHUNK, PART_CHUNK] {
            assert_eq!(root_id_for(id).unwrap(), ROOT);
        }
    }

    #[test]
    fn domain_forms() {
        for domain in
            ["/home/u/f.h5", "hsdstest/home/u/f.h5", "hdf5://home/u/f.h5", "s3://b/home/u/f.h5"]
        {
            assert_eq!(domain_key(domain).unwrap(), "home/u/f.h5/.domain.json", "{domain}");
        }
        assert_eq!(domain_key("/home/u/").unwrap(), "home/u/.domain.json");
        assert_eq!(domain_key("/home").unwrap(), "home/.domain.json");
        let azure = "https://acct.blob.core.windows.net/ctr/home/f.h5";
        assert_eq!(
            split_domain(azure).unwrap(),
            DomainRef {
                bucket: Some("https://acct.blob.core.windows.net/ctr"),
                path: "/home/f.h5"
            }
        );
        assert_eq!(
            split_domain("hsdstest/a/b").unwrap(),
            DomainRef { bucket: Some("hsdstest"), path: "/a/b" }
        );
        assert_eq!(split_domain("file://b/a").unwrap().bucket, Some("file://b"));
        assert_eq!(split_domain("/a/b/").unwrap(), DomainRef { bucket: None, path: "/a/b/" });
        // As in HSDS, `hdf5:/` is stripped literally: what follows names a bucket.
        assert_eq!(split_domain("hdf5:/bkt/a").unwrap().bucket, Some("bkt"));
    }

    #[test]
    fn domain_errors() {
        for bad in [
            "",
            "/",
            "b/",
            "bucket",
            "/a//b",
            "/a/../b",
            "/..",
            "/a/./b",
            "/a/b//",
            "../a/b",
            "./a",
            "b@d/x",
            "/a/\u{0}b",
            "/a\\..\\b",
            "/a/.domain.json",
            "gs://b/a",
            "https://example.com/b/a",
            "x:/a",
            "s3:///a",
        ] {
            assert!(matches!(domain_key(bad), Err(KeyError::InvalidDomain { .. })), "{bad:?}");
        }
    }

    #[test]
    fn inverse_round_trips() {
        let ids = [
            ROOT,
            GROUP,
            DATASET,
            DATATYPE,
            CHUNK,
            PART_CHUNK,
            "c12-b03b24ef-69f244b6-acd9-4df97b-37122a_7",
        ];
        for id in ids {
            let key = key_for_id(id).unwrap();
            assert_eq!(id_from_key(&key).unwrap(), id, "{key}");
        }
        for domain in ["/home/u/f.h5", "/home"] {
            assert_eq!(id_from_key(&domain_key(domain).unwrap()).unwrap(), domain);
        }
        assert_eq!(id_from_key("home/u/.domain.json").unwrap(), "/home/u");
        assert_eq!(key_for_id("hsdstest/home/u/f.h5").unwrap(), "home/u/f.h5/.domain.json");
        assert_eq!(
            parse_key(&info_key(ROOT).unwrap()).unwrap(),
            KeyTarget::DomainInfo(ROOT.to_owned())
        );
        assert_eq!(
            parse_key(&chunk_key(CHUNK).unwrap()).unwrap(),
            KeyTarget::Chunk(CHUNK.to_owned())
        );
    }

    #[test]
    fn malformed_ids() {
        for bad in [
            "",
            "x-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "g-b03b24ef-69f244b6-acd9-4df97b-37122",
            "g-b03b24ef-69f244b6-acd9-4df97b-37122ab",
            "g-B03B24EF-69f244b6-acd9-4df97b-37122a",
            "g-b03b24ef69f244b6-acd9-4df97b-37122a-",
            "g-12345678-1234-1234-1234-1234567890ab",
            "g3-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "g-b03b24ef-69f244b6-acd9-4df97b-37122a_0",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_0_",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_01",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_-1",
            "c-b03b24ef-69f244b6-acd9-4df97b-37122a_18446744073709551616",
            "c03-b03b24ef-69f244b6-acd9-4df97b-37122a_0",
            "cx-b03b24ef-69f244b6-acd9-4df97b-37122a_0",
            "g-b03b24ef-69f244b6-acd9-4df97b-37122é",
        ] {
            assert!(matches!(parse_id(bad), Err(KeyError::MalformedId { .. })), "{bad:?}");
            assert!(key_for_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn wrong_kind_and_not_root() {
        assert!(matches!(object_key(CHUNK), Err(KeyError::WrongKind { .. })));
        assert!(matches!(chunk_key(DATASET), Err(KeyError::WrongKind { .. })));
        assert!(matches!(dataset_prefix(GROUP), Err(KeyError::WrongKind { .. })));
        assert!(matches!(info_key(GROUP), Err(KeyError::NotRoot { .. })));
        assert!(matches!(domain_prefix(DATASET), Err(KeyError::NotRoot { .. })));
    }

    #[test]
    fn unrecognized_keys() {
        for bad in [
            "",
            "db",
            "db/b03b24ef-69f244b6",
            "db/b03b24ef-69f244b6/.dataset.json",
            "db/b03b24ef/.group.json",
            "/db/b03b24ef-69f244b6/.group.json",
            "db/b03b24ef-69f244b6/g/acd9-4df97b-37122a/.dataset.json",
            "db/b03b24ef-69f244b6/x/acd9-4df97b-37122a/.group.json",
            "db/b03b24ef-69f244b6/g/acd9-4df97b-37122a/0_1",
            "db/b03b24ef-69f244b6/d/acd9-4df97b-37122a/0__1",
            "db/b03b24ef-69f244b6/d/acd9-4df97b/0_1",
            "db/b03b24ef-69f244b6/d/acd9-4df97b-37122a/q3/0_1",
            "db/b03b24ef-69f244b6/d/acd9-4df97b-37122a/p/0_1",
            "db/b03b24ef-69f244b6/g/acd9-4df97b-37122a/p3/0_1",
            "db/b03b24ef-69f244b6/g/38b3-ac67e1-7acc3e/.group.json",
            "db/b03b24ef-69f244b6/d/acd9-4df97b-37122a/0_1/extra",
            "12345-g-12345678-1234-1234-1234-1234567890ab",
            ".domain.json",
            "/.domain.json",
            "home//.domain.json",
            "home/../.domain.json",
            "home//.domain.json",
            "home/u//.domain.json",
        ] {
            assert!(matches!(parse_key(bad), Err(KeyError::UnrecognizedKey { .. })), "{bad:?}");
        }
        assert!(id_from_key(&info_key(ROOT).unwrap()).is_err());
    }
}
