//! The data node (DN) metadata layer: a [`DataNode`] owns partition `node_number` of
//! `node_count` (by [`crate::chunking::dn_index`]), keeps object JSON (`.domain.json`,
//! `.group.json`, `.dataset.json`, `.datatype.json`) in a byte-budgeted cache, applies every
//! [`Mutation`] under a per-object lock, marks objects dirty and writes them back on a timer,
//! and makes everything durable on [`DataNode::flush`].
//!
//! Objects are addressed by [`ObjRef`]: an object id (`g-…`, `d-…`, `t-…`) or a domain path
//! (`/home/u/f.h5`, hashed as `<bucket>/<path>` like HSDS). Domain objects are written through
//! at once, so folder listings straight from storage always see them.

pub mod cache;
pub mod member;
pub mod mutation;
pub mod node;

pub use member::{MemberAnswer, Section};
pub use mutation::{Mutation, Outcome};
pub use node::{DataNode, ObjRef};
