//! The outcome loop in the browser: the session page's prep, notes, closing and
//! after-the-session sections with their forms, and the progress, impact and metrics
//! pages. Every rule lives in `ops::outcomes` (and the domain below it); these modules turn
//! its answers into HTML and a refused form back into the same form with its messages.
//!
//! - `view`: the pieces every form is built from (fields, choices, error summaries) and how
//!   times and rubric levels are worded;
//! - `input`: what the forms post, and a refused form carried back to the session page;
//! - `session`: the session page's outcome sections (the `Panel`), built for one party;
//! - `handlers`: the forms' handlers, which save and redirect or re-show the page;
//! - `todo`: the dashboard's to-do list;
//! - `metrics`: the progress, impact and metrics pages and a SKU's public figures.

mod handlers;
mod input;
pub(crate) mod metrics;
mod session;
mod todo;
mod view;

// The rest of `pages` reaches the outcome loop through these names only: the routes, the
// session page's panel, the dashboard's to-dos and a SKU page's figures.
pub(crate) use handlers::{
    close, save_artifacts, save_note, save_prep, save_tasks, take_assessment,
};
pub(crate) use input::Refused;
pub(crate) use metrics::{
    PUBLIC_THRESHOLD, PublicFigures, impact, metrics_page, progress, public_figures,
};
pub(crate) use session::{Panel, panel};
pub(crate) use todo::{TodoRow, todo_rows};
