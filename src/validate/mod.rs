//! Validation: raw values become the model, and every problem is reported. `list` turns a raw list into a
//! `TenantList`, `lint` finds the risks in a valid one, and `pipeline` runs read, validate and lint for one
//! file: the step every command starts with.

pub mod lint;
pub mod list;
pub mod pipeline;
