//! One module per page.

pub(crate) mod account;
pub(crate) mod accounts;
pub(crate) mod attention;
pub(crate) mod audit;
pub(crate) mod board;
pub(crate) mod case_studies;
pub(crate) mod emails;
pub(crate) mod engagement;
pub(crate) mod inspectors;
pub(crate) mod letters;
pub(crate) mod local_area;
pub(crate) mod my_visits;
pub(crate) mod national;
pub(crate) mod new_engagement;
pub(crate) mod new_request;
pub(crate) mod no_access;
pub(crate) mod not_found;
pub(crate) mod proposal;
pub(crate) mod region;
pub(crate) mod regions;
pub(crate) mod request;
pub(crate) mod requests;
pub(crate) mod safeguarding;
pub(crate) mod sign_in;
pub(crate) mod suspicious;
pub(crate) mod totals;
