//! The national programme scheduler (issue 13): gives each engagement needing a slot a start
//! week and a team, never breaking a hard rule, and explains what it cannot place.
//!
//! Pure: no gRPC, no SQL, no clock (today is part of the [`Instance`]).
//!
//! # How it plans
//! The engine works in inspector-weeks: an inspector holds at most one engagement in any
//! calendar week, and a week with any unavailable day is lost to them. A full, legacy or
//! monitoring inspection holds its team for its three weeks (notification Monday to the last
//! onsite day, the domain's `busy_days`); an interim visit for its week. This is stricter than the
//! day-level rules the [`validate`] function checks, so the engine's plans always pass them.
//!
//! 1. [`Instance::compile`] applies every calendar rule once, using the domain's own functions
//!    (`notification_monday`, `timeline`, `check_onsite`, `busy_days`, `term_of`): each
//!    engagement gets its candidate start weeks (term weeks, notice from today, the notification
//!    Monday, the three-week shape, the due window, consent and area unavailable days, area
//!    blackouts) and, per team role, the inspectors who fit it without a conflict of interest.
//! 2. Greedy construction, most urgent and most constrained first: overdue and systemic-failings
//!    areas, then by fewest candidate slots; each takes its cheapest slot and team.
//! 3. Large neighbourhood search with a seeded RNG: remove a few related engagements (same weeks,
//!    same region, or random), re-insert them and everything unplaced greedily in a shuffled
//!    urgency order, keep the result if it costs no more. Deterministic for a seed and an
//!    iteration budget; a time budget stops it early.
//! 4. [`Engine::repair`] after one change keeps every engagement the change leaves valid where it
//!    is, re-inserts the rest (first trying the same week with only the missing members
//!    replaced), and reports what moved.
//!
//! # Objective ([`cost`]), minimised
//! | term | weight |
//! | --- | --- |
//! | engagement left unplaced | 10 000 (20 000 if overdue or after systemic failings) |
//! | team member from outside the area's region | 10 each |
//! | an inspector's engagements above the even share (total team places / inspectors, rounded up) | 30 each |
//! | overdue or systemic-failings engagement: weeks after its earliest possible week | 20 a week |
//! | interim visits in a (region, term) above the region's even share per term | 50 each |
//! | region with interim visits to place but none placed | 2 000 |
//! | interim visits in a (kind of area, term) above that kind's even share per term: urban boroughs, rural areas, areas that did well at their last inspection, areas that did not | 20 each |

pub mod engine;
pub mod export;
pub mod generate;
pub mod instance;
pub mod validate;

#[cfg(test)]
mod tests;

pub use engine::{Assignment, Budget, Change, Engine, Plan, Progress, RepairReport, Unplaced};
pub use instance::{Area, Engagement, Inspector, Instance, InstanceError, Pin};
pub use validate::validate;

/// Rule ids the scheduler reports, beside the team rules of [`crate::domain::programme`].
pub mod rules {
    /// Not a term week (or a three-week inspection runs into a holiday week).
    pub const TERM_WEEK: &str = "schedule.term_week";
    /// Inside the notice period counted from today.
    pub const NOTICE: &str = crate::domain::engagement::NOTICE_PASSED;
    /// The area could not be told on that week's Monday (a bank holiday).
    pub const NOTIFICATION_MONDAY: &str = "schedule.notification_monday";
    /// Outside the due window.
    pub const DUE_WINDOW: &str = "schedule.due_window";
    /// Interim visit outside the consented dates, or no consent on record.
    pub const CONSENT: &str = crate::domain::engagement::CONSENT_NOT_CURRENT;
    /// On a day the area said it is unavailable.
    pub const AREA_UNAVAILABLE: &str = "schedule.area_unavailable";
    /// On an area blackout day.
    pub const AREA_BLACKOUT: &str = "schedule.area_blackout";
    /// Does not fit in the horizon.
    pub const HORIZON: &str = "schedule.horizon";
    /// Onsite days are not working days the domain accepts.
    pub const WORKING_DAYS: &str = "schedule.working_days";
    /// Meetings and thematic visits are not scheduled.
    pub const KIND: &str = "schedule.kind";
    /// A pinned engagement moved or changed team.
    pub const PIN_MOVED: &str = "schedule.pin_moved";
    /// An engagement placed twice or unknown.
    pub const PLAN_SHAPE: &str = "schedule.plan_shape";
    /// No team: no inspector fits a role at all (composition).
    pub const TEAM_COMPOSITION: &str = crate::domain::programme::TEAM_COMPOSITION;
    /// Every fitting inspector is unavailable.
    pub const INSPECTOR_UNAVAILABLE: &str = crate::domain::programme::INSPECTOR_UNAVAILABLE;
    /// Every fitting inspector is booked.
    pub const INSPECTOR_DOUBLE_BOOKED: &str = crate::domain::programme::INSPECTOR_DOUBLE_BOOKED;
    /// Every fitting inspector has a conflict of interest.
    pub const INSPECTOR_CONFLICT: &str = crate::domain::programme::INSPECTOR_CONFLICT;
    /// Every fitting inspector is at their term limit.
    pub const INSPECTOR_TERM_LIMIT: &str = crate::domain::programme::INSPECTOR_TERM_LIMIT;
}

/// The objective's weights (see the module documentation). The CP-SAT model in
/// `scripts/cpsat_scheduler.py` uses the same numbers.
pub mod cost {
    /// An engagement left unplaced.
    pub const UNPLACED: i64 = 10_000;
    /// An overdue or systemic-failings engagement left unplaced.
    pub const UNPLACED_URGENT: i64 = 20_000;
    /// A team member from outside the area's region.
    pub const OUT_OF_REGION: i64 = 10;
    /// Each engagement an inspector carries above the even share.
    pub const LOAD_EXCESS: i64 = 30;
    /// Each week an urgent engagement waits after its earliest possible week.
    pub const URGENT_DELAY: i64 = 20;
    /// Each interim visit in a (region, term) above the region's even share per term.
    pub const SPREAD_EXCESS: i64 = 50;
    /// A region with interim visits to place and none placed.
    pub const REGION_MISSING: i64 = 2_000;
    /// Each interim visit in a (kind of area, term) above that kind's even share per term, for
    /// the four kinds of [`super::instance::MIX_GROUPS`]: so each term mixes urban and rural
    /// areas, and areas that did well at their last inspection with areas that did not.
    pub const MIX_EXCESS: i64 = 20;
}
