//! Whether this node can serve: its database answers.

use crate::App;

/// The database's name and whether it answered a ping.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn database(app: &App) -> (&'static str, bool) {
    let up = match app.store.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "health check: database not answering");
            false
        }
    };
    (app.store.backend_name(), up)
}
