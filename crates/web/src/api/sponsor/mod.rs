//! Sponsorship over HTTP, over the use cases of `stint_app::sponsor`: operators create
//! organisations and mark funding paid (`operator.rs`: `/api/v1/operator/orgs`,
//! `/api/v1/operator/fundings`), admins run their organisation's console (`console.rs`:
//! `/api/v1/sponsor/orgs/{id}/…`), and members see and join or leave theirs (`members.rs`:
//! `/api/v1/me/orgs`); the answers' shapes are `dto.rs`. `domains.rs` and `webhooks.rs` are
//! the admins' e-mail domains and their organisation's own webhook endpoints, `retention.rs`
//! the 90-day retention comparison. Paying for a booking with a budget
//! is `paid_by` on `POST /api/v1/bookings`.

pub mod console;
pub mod domains;
pub mod dto;
pub mod members;
pub mod operator;
pub mod retention;
pub mod webhooks;
