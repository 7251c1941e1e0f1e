//! Honours (表彰), one API struct per step: award programmes and eligibility checks
//! (`programmes`), nominations (`nominations`), the review panel's blind scoring, the ranking and
//! the decision (`review`), the public notice with objections and revocation (`notice`), the
//! public honour wall (`/api/v1/honours`, no sign-in) and one's own honours (`wall`). Rules:
//! `domain::honours`.

pub mod nominations;
pub mod notice;
pub mod policy;
pub mod programmes;
pub mod review;
pub mod wall;
