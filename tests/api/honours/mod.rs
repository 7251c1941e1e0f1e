//! Honours: programmes and their states, eligibility at its boundaries, nominations within quota
//! under concurrency, the panel's conflicts of interest and blind scores, ranking with ties, the
//! decision, the public notice with objections, publication, the honour wall, revocation and
//! automatic star honours.

/// Set-up through the domain (and a few direct writes to move windows), shared with the matrix.
pub mod setup;
mod support;

mod changes;
mod nominations;
mod notice;
mod programmes;
mod review;
