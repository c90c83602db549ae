//! The storage side of value by outcome (`stint_app::insights::value`): each mentee's first
//! closed session, its outcome and payer, and the credits of their sessions in the window
//! after it, in one query.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use stint_domain::value::FirstSession;

#[async_trait]
pub trait ValueStore: Send + Sync {
    /// Every mentee whose first closed session started at or before `started_by`, with the
    /// credits of their settled or forfeited sessions starting within `window` of it.
    async fn first_sessions(
        &self,
        started_by: Timestamp,
        window: SignedDuration,
    ) -> Result<Vec<FirstSession>>;
}
