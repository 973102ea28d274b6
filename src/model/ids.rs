//! Schema-v2 object ids and chunk ids (reference sections 1.3, 1.4 and 1.7).
//!
//! An object id is `<c>-<hex8>-<hex8>-<hex4>-<hex6>-<hex6>` (38 characters, 32 lowercase hex
//! digits) with `<c>` one of `g`, `d`, `t`. The first 16 hex digits are shared by every object
//! of a domain; the root group's last 16 digits are its first 16 each rotated by +8 mod 16, so
//! the root id can be rebuilt from any id of the domain. A chunk id is the dataset's uuid with a
//! `c-` (or partitioned `c<N>-`) prefix and `_<i>_<j>…` chunk coordinates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{ModelError, ModelResult};

/// Length of an object id including its class prefix, as HSDS's `validateUuid` requires.
pub const OBJ_ID_LEN: usize = 38;
/// Number of hex digits of an object id.
const HEX_DIGITS: usize = 32;
/// Hex digits shared by every object of one domain.
const DOMAIN_HEX_DIGITS: usize = 16;
/// Lengths of the hex groups after the class prefix.
const HEX_GROUP_LENS: [usize; 5] = [8, 8, 4, 6, 6];
/// Primes used to spread chunks over partitions (reference 1.7).
const PARTITION_PRIMES: [u128; 10] = [29, 31, 37, 41, 43, 47, 53, 59, 61, 67];

/// The class of a named object, given by the first character of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjClass {
    /// `g-…`, stored as `.group.json`.
    Group,
    /// `d-…`, stored as `.dataset.json`.
    Dataset,
    /// `t-…`, a committed datatype, stored as `.datatype.json`.
    Datatype,
}

impl ObjClass {
    /// Every object class.
    pub const ALL: [ObjClass; 3] = [ObjClass::Group, ObjClass::Dataset, ObjClass::Datatype];

    /// The id prefix character: `g`, `d` or `t`.
    pub fn prefix(self) -> char {
        match self {
            ObjClass::Group => 'g',
            ObjClass::Dataset => 'd',
            ObjClass::Datatype => 't',
        }
    }

    /// The class whose id starts with `prefix`.
    pub fn from_prefix(prefix: char) -> Option<ObjClass> {
        ObjClass::ALL.into_iter().find(|class| class.prefix() == prefix)
    }

    /// The REST collection name: `groups`, `datasets` or `datatypes`.
    pub fn collection(self) -> &'static str {
        match self {
            ObjClass::Group => "groups",
            ObjClass::Dataset => "datasets",
            ObjClass::Datatype => "datatypes",
        }
    }

    /// The class served under the REST collection `name`.
    pub fn from_collection(name: &str) -> Option<ObjClass> {
        ObjClass::ALL.into_iter().find(|class| class.collection() == name)
    }

    /// The singular name used in responses: `group`, `dataset` or `datatype`.
    pub fn name(self) -> &'static str {
        match self {
            ObjClass::Group => "group",
            ObjClass::Dataset => "dataset",
            ObjClass::Datatype => "datatype",
        }
    }
}

impl fmt::Display for ObjClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks an id the way HSDS's `validateUuid` does: after removing a chunk's partition digits
/// (`c3-…` → `c-…`) and its `_i_j…` suffix, the id must be 38 characters of ASCII letters,
/// digits and `-`, with `-` as its second character.
///
/// This accepts schema-v1 ids as well; [`ObjId::parse`] adds the schema-v2 checks.
///
/// # Errors
/// [`ModelError::InvalidId`] saying which rule failed.
pub fn validate_uuid(id: &str) -> ModelResult<()> {
    let core = strip_chunk_decorations(id);
    if core.len() != OBJ_ID_LEN {
        return Err(invalid_id(
            id,
            &format!("expected {OBJ_ID_LEN} characters without chunk suffix"),
        ));
    }
    if core.as_bytes().get(1) != Some(&b'-') {
        return Err(invalid_id(id, "expected '-' after the class character"));
    }
    if let Some(bad) = core.chars().find(|ch| !(ch.is_ascii_alphanumeric() || *ch == '-')) {
        return Err(invalid_id(id, &format!("unexpected character {bad:?}")));
    }
    Ok(())
}

/// Removes a chunk id's partition digits and index suffix; other ids are returned unchanged.
fn strip_chunk_decorations(id: &str) -> String {
    let Some(after_c) = id.strip_prefix('c') else {
        return id.to_string();
    };
    let digits = after_c.chars().take_while(char::is_ascii_digit).count();
    let unpartitioned = format!("c{}", &after_c[digits..]);
    match unpartitioned.split_once('_') {
        Some((core, _)) => core.to_string(),
        None => unpartitioned,
    }
}

fn invalid_id(id: &str, why: &str) -> ModelError {
    ModelError::InvalidId(format!("'{id}': {why}"))
}

/// A validated schema-v2 id of a group, dataset or committed datatype.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ObjId(String);

impl ObjId {
    /// Parses and validates an id such as `g-b03b24ef-69f244b6-38b3-ac67e1-7acc3e`.
    ///
    /// # Errors
    /// [`ModelError::InvalidId`] if the id fails [`validate_uuid`], has an unknown class
    /// character, or is not a schema-v2 id of lowercase hex groups 8-8-4-6-6.
    pub fn parse(id: &str) -> ModelResult<ObjId> {
        validate_uuid(id)?;
        let class_char = id.chars().next().unwrap_or('?');
        if ObjClass::from_prefix(class_char).is_none() {
            return Err(invalid_id(id, "class character must be 'g', 'd' or 't'"));
        }
        check_schema2_groups(id)?;
        Ok(ObjId(id.to_string()))
    }

    /// Parses an id and requires it to be of `class`.
    ///
    /// # Errors
    /// As [`ObjId::parse`], plus [`ModelError::InvalidId`] for an id of another class.
    pub fn parse_class(id: &str, class: ObjClass) -> ModelResult<ObjId> {
        let parsed = ObjId::parse(id)?;
        if parsed.class() != class {
            return Err(invalid_id(id, &format!("expected a {class} id")));
        }
        Ok(parsed)
    }

    /// Builds an id from its class and 32 lowercase hex digits.
    fn from_hex(class: ObjClass, hex: &str) -> ObjId {
        ObjId(format!(
            "{}-{}-{}-{}-{}-{}",
            class.prefix(),
            &hex[0..8],
            &hex[8..16],
            &hex[16..20],
            &hex[20..26],
            &hex[26..32]
        ))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The object class named by the first character.
    pub fn class(&self) -> ObjClass {
        self.0.chars().next().and_then(ObjClass::from_prefix).unwrap_or(ObjClass::Group)
    }

    /// The 32 hex digits without prefix and dashes.
    pub fn hex(&self) -> String {
        self.0[2..].chars().filter(|ch| *ch != '-').collect()
    }

    /// The id without its class prefix (36 characters), as used in chunk ids.
    pub fn uuid(&self) -> &str {
        &self.0[2..]
    }

    /// The `<hex8>-<hex8>` part shared by every object of the domain (the `db/…/` folder).
    pub fn domain_prefix(&self) -> &str {
        &self.0[2..19]
    }

    /// The `<hex4>-<hex6>-<hex6>` part that tells objects of one domain apart.
    pub fn object_suffix(&self) -> &str {
        &self.0[20..]
    }

    /// Whether this is the root group id of its domain.
    pub fn is_root(&self) -> bool {
        self.class() == ObjClass::Group && {
            let hex = self.hex();
            let (head, tail) = hex.split_at(DOMAIN_HEX_DIGITS);
            rotate_hex(head) == tail
        }
    }

    /// The root group id of this id's domain.
    pub fn root(&self) -> ObjId {
        let hex = self.hex();
        let head = &hex[..DOMAIN_HEX_DIGITS];
        ObjId::from_hex(ObjClass::Group, &format!("{head}{}", rotate_hex(head)))
    }

    /// Whether `other` belongs to the same domain (shares the first 16 hex digits).
    pub fn same_domain(&self, other: &ObjId) -> bool {
        self.domain_prefix() == other.domain_prefix()
    }
}

fn check_schema2_groups(id: &str) -> ModelResult<()> {
    let groups: Vec<&str> = id[2..].split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    if lens != HEX_GROUP_LENS {
        return Err(invalid_id(id, "not a schema-v2 id (hex groups must be 8-8-4-6-6)"));
    }
    if !groups.iter().all(|group| group.chars().all(is_lower_hex)) {
        return Err(invalid_id(id, "id digits must be lowercase hex"));
    }
    Ok(())
}

fn is_lower_hex(ch: char) -> bool {
    ch.is_ascii_digit() || ('a'..='f').contains(&ch)
}

/// Rotates every hex digit by +8 mod 16 (HSDS `hexRot`).
fn rotate_hex(hex: &str) -> String {
    hex.chars()
        .map(|ch| {
            let value = ch.to_digit(16).unwrap_or(0);
            char::from_digit((value + 8) % 16, 16).unwrap_or('0')
        })
        .collect()
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ObjId {
    type Err = ModelError;
    fn from_str(id: &str) -> ModelResult<ObjId> {
        ObjId::parse(id)
    }
}

impl TryFrom<String> for ObjId {
    type Error = ModelError;
    fn try_from(id: String) -> ModelResult<ObjId> {
        ObjId::parse(&id)
    }
}

impl From<ObjId> for String {
    fn from(id: ObjId) -> String {
        id.0
    }
}

impl AsRef<str> for ObjId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A fresh random root group id: 16 random hex digits followed by their +8 rotation.
///
/// # Errors
/// [`ModelError::Random`] if the operating system's random source fails.
pub fn new_root_id() -> ModelResult<ObjId> {
    let token = random_hex_token()?;
    let head = &token[..DOMAIN_HEX_DIGITS];
    Ok(ObjId::from_hex(ObjClass::Group, &format!("{head}{}", rotate_hex(head))))
}

/// A fresh random id of `class` in the domain of `root` (any id of that domain will do).
///
/// # Errors
/// [`ModelError::Random`] if the operating system's random source fails.
pub fn new_obj_id(class: ObjClass, root: &ObjId) -> ModelResult<ObjId> {
    let token = random_hex_token()?;
    let shared = &root.hex()[..DOMAIN_HEX_DIGITS];
    let own = &token[DOMAIN_HEX_DIGITS..HEX_DIGITS];
    Ok(ObjId::from_hex(class, &format!("{shared}{own}")))
}

/// Whether `id` parses as an object id and is a root group id.
pub fn is_root_id(id: &str) -> bool {
    ObjId::parse(id).is_ok_and(|parsed| parsed.is_root())
}

/// The root group id of the domain that `id` belongs to.
pub fn root_of(id: &ObjId) -> ObjId {
    id.root()
}

/// 32 lowercase hex digits: sha256 over the hex of 16 random bytes (like HSDS's
/// `sha256(uuid4().hex)`), truncated.
fn random_hex_token() -> ModelResult<String> {
    let mut seed = [0u8; 16];
    getrandom::fill(&mut seed).map_err(|err| ModelError::Random(err.to_string()))?;
    let digest = Sha256::digest(to_lower_hex(&seed).as_bytes());
    let mut hex = to_lower_hex(&digest);
    hex.truncate(HEX_DIGITS);
    Ok(hex)
}

fn to_lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A chunk id: `c-<dataset uuid>_<i>_<j>…`, or `c<N>-…` when the layout is partitioned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkId {
    dataset: ObjId,
    indices: Vec<u64>,
    partition: Option<u64>,
}

impl ChunkId {
    /// The chunk of `dataset` at chunk coordinates `indices` (fastest-varying last).
    ///
    /// # Errors
    /// [`ModelError::InvalidId`] if `dataset` is not a dataset id or `indices` is empty.
    pub fn new(dataset: &ObjId, indices: &[u64]) -> ModelResult<ChunkId> {
        if dataset.class() != ObjClass::Dataset {
            return Err(invalid_id(dataset.as_str(), "chunks belong to dataset ids"));
        }
        if indices.is_empty() {
            return Err(invalid_id(dataset.as_str(), "a chunk id needs at least one index"));
        }
        Ok(ChunkId { dataset: dataset.clone(), indices: indices.to_vec(), partition: None })
    }

    /// Parses `c-<uuid>_i_j…` or `c<N>-<uuid>_i_j…`.
    ///
    /// # Errors
    /// [`ModelError::InvalidId`] saying which part is malformed.
    pub fn parse(id: &str) -> ModelResult<ChunkId> {
        let after_c =
            id.strip_prefix('c').ok_or_else(|| invalid_id(id, "chunk ids start with 'c'"))?;
        validate_uuid(id)?;
        let digits = after_c.chars().take_while(char::is_ascii_digit).count();
        let partition = parse_partition(id, &after_c[..digits])?;
        let rest = after_c[digits..]
            .strip_prefix('-')
            .ok_or_else(|| invalid_id(id, "expected '-' after the chunk prefix"))?;
        let (uuid, suffix) =
            rest.split_once('_').ok_or_else(|| invalid_id(id, "missing chunk index suffix"))?;
        let dataset = ObjId::parse(&format!("d-{uuid}"))
            .map_err(|_| invalid_id(id, "the dataset part is not a schema-v2 id"))?;
        let indices = suffix
            .split('_')
            .map(|part| part.parse::<u64>())
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| invalid_id(id, "chunk indices must be non-negative integers"))?;
        Ok(ChunkId { dataset, indices, partition })
    }

    /// This chunk placed in its partition for a layout with `partition_count` partitions:
    /// `(Σ index[d] · PRIMES[d % 10]) % partition_count`. A count below 2 means no partition (`None`), as in HSDS.
    pub fn partitioned(mut self, partition_count: u64) -> ChunkId {
        self.partition = partition_index(&self.indices, partition_count);
        self
    }

    /// The dataset this chunk belongs to.
    pub fn dataset_id(&self) -> &ObjId {
        &self.dataset
    }

    /// The chunk coordinates, fastest-varying dimension last.
    pub fn indices(&self) -> &[u64] {
        &self.indices
    }

    /// The partition number, if the layout is partitioned.
    pub fn partition(&self) -> Option<u64> {
        self.partition
    }

    /// The `i_j…` suffix, which is also the chunk's storage key name.
    pub fn index_key(&self) -> String {
        self.indices.iter().map(u64::to_string).collect::<Vec<_>>().join("_")
    }
}

fn parse_partition(id: &str, digits: &str) -> ModelResult<Option<u64>> {
    if digits.is_empty() {
        return Ok(None);
    }
    digits.parse::<u64>().map(Some).map_err(|_| invalid_id(id, "partition number is too large"))
}

/// The partition of a chunk at `indices`, or `None` when `partition_count` is 0.
pub fn partition_index(indices: &[u64], partition_count: u64) -> Option<u64> {
    // HSDS uses partition folders only from two partitions on.
    if partition_count < 2 {
        return None;
    }
    let modulus = u128::from(partition_count);
    let sum = indices.iter().enumerate().fold(0u128, |acc, (dim, index)| {
        let prime = PARTITION_PRIMES[dim % PARTITION_PRIMES.len()];
        (acc + (u128::from(*index) % modulus) * prime) % modulus
    });
    u64::try_from(sum).ok()
}

impl fmt::Display for ChunkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let partition = self.partition.map(|p| p.to_string()).unwrap_or_default();
        write!(f, "c{partition}-{}_{}", self.dataset.uuid(), self.index_key())
    }
}

impl FromStr for ChunkId {
    type Err = ModelError;
    fn from_str(id: &str) -> ModelResult<ChunkId> {
        ChunkId::parse(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "g-b03b24ef-69f244b6-38b3-ac67e1-7acc3e";
    const GROUP: &str = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const DATASET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const CHUNK: &str = "c-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1";

    #[test]
    fn reference_root_id_is_a_root() {
        let root = ObjId::parse(ROOT).unwrap();
        assert!(root.is_root());
        assert!(is_root_id(ROOT));
        assert_eq!(root.class(), ObjClass::Group);
        assert_eq!(root.domain_prefix(), "b03b24ef-69f244b6");
        assert_eq!(root.object_suffix(), "38b3-ac67e1-7acc3e");
        assert_eq!(root.hex(), "b03b24ef69f244b638b3ac67e17acc3e");
    }

    #[test]
    fn root_is_rebuilt_from_any_id_of_the_domain() {
        for id in [ROOT, GROUP, DATASET] {
            let parsed = ObjId::parse(id).unwrap();
            assert_eq!(root_of(&parsed).as_str(), ROOT);
        }
        assert!(!is_root_id(GROUP));
        assert!(!is_root_id(DATASET));
        assert!(!is_root_id("not an id"));
    }

    #[test]
    fn a_dataset_id_with_root_digits_is_not_a_root() {
        assert!(!ObjId::parse("d-b03b24ef-69f244b6-38b3-ac67e1-7acc3e").unwrap().is_root());
    }

    #[test]
    fn new_ids_follow_the_schema() {
        let root = new_root_id().unwrap();
        assert!(root.is_root());
        assert_eq!(ObjId::parse(root.as_str()).unwrap(), root);
        for class in ObjClass::ALL {
            let id = new_obj_id(class, &root).unwrap();
            assert_eq!(id.class(), class);
            assert!(id.same_domain(&root));
            assert_eq!(id.root(), root);
            assert_eq!(id.as_str().len(), OBJ_ID_LEN);
        }
        assert_ne!(new_root_id().unwrap(), root);
    }

    #[test]
    fn obj_class_names() {
        assert_eq!(ObjClass::from_prefix('t'), Some(ObjClass::Datatype));
        assert_eq!(ObjClass::from_prefix('c'), None);
        assert_eq!(ObjClass::from_collection("datasets"), Some(ObjClass::Dataset));
        assert_eq!(ObjClass::from_collection("links"), None);
        assert_eq!(ObjClass::Group.to_string(), "group");
    }

    #[test]
    fn validate_uuid_follows_hsds() {
        validate_uuid(ROOT).unwrap();
        validate_uuid(CHUNK).unwrap();
        validate_uuid("c12-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1").unwrap();
        // A schema-v1 uuid passes validateUuid but not ObjId::parse.
        let v1 = "g-5a0c4d2e-1b2c-11e8-9c2a-0242ac120003";
        validate_uuid(v1).unwrap();
        assert!(ObjId::parse(v1).is_err());
    }

    #[test]
    fn validate_uuid_errors() {
        let too_short = validate_uuid("g-1234").unwrap_err();
        assert!(too_short.to_string().contains("38 characters"), "{too_short}");
        let no_dash = validate_uuid("gxb03b24ef-69f244b6-38b3-ac67e1-7acc3e").unwrap_err();
        assert!(no_dash.to_string().contains("'-'"), "{no_dash}");
        let bad_char = validate_uuid("g-b03b24ef-69f244b6-38b3-ac67e1-7acc3!").unwrap_err();
        assert!(bad_char.to_string().contains("'!'"), "{bad_char}");
    }

    #[test]
    fn obj_id_parse_errors() {
        let unknown_class = ObjId::parse("x-b03b24ef-69f244b6-38b3-ac67e1-7acc3e").unwrap_err();
        assert!(unknown_class.to_string().contains("class character"));
        let upper = ObjId::parse("g-B03B24EF-69f244b6-38b3-ac67e1-7acc3e").unwrap_err();
        assert!(upper.to_string().contains("lowercase hex"));
        let not_hex = ObjId::parse("g-z03b24ef-69f244b6-38b3-ac67e1-7acc3e").unwrap_err();
        assert!(not_hex.to_string().contains("lowercase hex"));
        let wrong_class = ObjId::parse_class(GROUP, ObjClass::Dataset).unwrap_err();
        assert!(wrong_class.to_string().contains("expected a dataset id"));
        assert_eq!(ObjId::parse_class(DATASET, ObjClass::Dataset).unwrap().as_str(), DATASET);
        assert_eq!(ObjId::parse("g-1").unwrap_err().http_status(), 400);
    }

    #[test]
    fn obj_id_serde_round_trip() {
        let id: ObjId = DATASET.parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{DATASET}\""));
        assert_eq!(serde_json::from_str::<ObjId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ObjId>("\"g-bad\"").is_err());
        assert_eq!(id.to_string(), DATASET);
    }

    #[test]
    fn chunk_id_parse_and_format() {
        let chunk = ChunkId::parse(CHUNK).unwrap();
        assert_eq!(chunk.dataset_id().as_str(), DATASET);
        assert_eq!(chunk.indices(), &[0, 1]);
        assert_eq!(chunk.partition(), None);
        assert_eq!(chunk.index_key(), "0_1");
        assert_eq!(chunk.to_string(), CHUNK);
        let dataset = ObjId::parse(DATASET).unwrap();
        assert_eq!(ChunkId::new(&dataset, &[0, 1]).unwrap(), chunk);
    }

    #[test]
    fn partitioned_chunk_ids() {
        let dataset = ObjId::parse(DATASET).unwrap();
        let chunk = ChunkId::new(&dataset, &[3, 5]).unwrap().partitioned(4);
        assert_eq!(chunk.partition(), Some(2));
        assert_eq!(chunk.to_string(), "c2-b03b24ef-69f244b6-acd9-4df97b-37122a_3_5");
        assert_eq!(ChunkId::parse(&chunk.to_string()).unwrap(), chunk);
        let parsed = ChunkId::parse("c3-b03b24ef-69f244b6-acd9-4df97b-37122a_0_1").unwrap();
        assert_eq!(parsed.partition(), Some(3));
        assert_eq!(parsed.clone().partitioned(0).partition(), None);
        // u64::MAX ≡ 1 (mod 7), so the sum is 29 + 31 = 60 ≡ 4 (mod 7), with no overflow.
        assert_eq!(partition_index(&[u64::MAX, u64::MAX], 7), Some(4));
    }

    #[test]
    fn chunk_id_errors() {
        let dataset = ObjId::parse(DATASET).unwrap();
        let group = ObjId::parse(GROUP).unwrap();
        assert!(ChunkId::new(&group, &[0]).unwrap_err().to_string().contains("dataset ids"));
        assert!(ChunkId::new(&dataset, &[]).unwrap_err().to_string().contains("at least one"));
        let cases = [
            ("d-b03b24ef-69f244b6-acd9-4df97b-37122a_0", "start with 'c'"),
            ("c-b03b24ef-69f244b6-acd9-4df97b-37122a", "missing chunk index"),
            ("c-b03b24ef-69f244b6-acd9-4df97b-37122a_0_x", "non-negative integers"),
            ("c-b03b24ef-69f244b6-acd9-4df97b-37122a_", "non-negative integers"),
            ("c-b03b24ef-69f244b6-acd9-4df97b-3712zz_0", "schema-v2"),
            ("c99999999999999999999999-b03b24ef-69f244b6-acd9-4df97b-37122a_0", "too large"),
            ("cx-b03b24ef-69f244b6-acd9-4df97b-37122a_0", "38 characters"),
        ];
        for (id, why) in cases {
            let error = ChunkId::parse(id).unwrap_err();
            assert!(error.to_string().contains(why), "{id}: {error}");
        }
    }
}
