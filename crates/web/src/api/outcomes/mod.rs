//! The outcome loop over the API: a booking's prep, micro-assessments, notes, closing,
//! tasks and delivered artifacts, and the figures built from them (a mentee's progress, a
//! mentor's impact, a SKU's public mini-win rate). Every rule is `ops::outcomes`'s; this
//! module maps requests in and views out. Only a booking's two parties reach its outcome
//! data: anyone else, operators included, gets 404.
//!
//! `dto` has the wire types of one booking's loop and their mapping, `booking` the routes
//! under `/bookings/{id}`, `figures` the routes and types of the figures.

mod booking;
mod dto;
mod figures;

// The request and response types stay public here, where they were before the split.
pub use dto::*;
pub use figures::{
    CompetencyProgressDto, ImpactDto, MetricDto, ProgressPointDto, RateIntervalDto, SkuOutcomesDto,
    TodoDto, TodoKindName,
};

// The routes, in the order `api::router` registers them. `routes!(outcomes::NAME)` also
// names the `__path_NAME` item that `#[utoipa::path]` puts beside each handler, so that
// item is re-exported with it.
pub use booking::{
    __path_close_session, __path_followup_draft, __path_get_outcome, __path_list_notes,
    __path_save_note, __path_save_prep, __path_set_task, __path_take_assessment,
    __path_tick_deliverable, close_session, followup_draft, get_outcome, list_notes, save_note,
    save_prep, set_task, take_assessment, tick_deliverable,
};
pub use figures::{
    __path_metrics, __path_my_impact, __path_my_progress, __path_my_todo, __path_sku_outcomes,
    metrics, my_impact, my_progress, my_todo, sku_outcomes,
};
