//! Mentoring (社工+志愿者, 传帮带), one API struct per resource: pairings from proposal to end with
//! their goals and mentor suggestions (`pairings`), session logs with acknowledgement and dispute
//! (`sessions`), the pair's message thread (`threads`), and one's own mentoring, mentoring records
//! and station oversight (`oversight`). Rules: `domain::mentoring`.

pub mod oversight;
pub mod pairings;
pub mod policy;
pub mod sessions;
pub mod threads;
