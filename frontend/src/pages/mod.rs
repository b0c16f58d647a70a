//! One module per page.

pub(crate) mod not_found;
pub(crate) mod region;
pub(crate) mod regions;
