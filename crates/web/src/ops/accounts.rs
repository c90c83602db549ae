//! Signing up.

use crate::auth::password;
use crate::error::ApiError;
use crate::state::AppState;
use stint_domain::account::{Account, SignupInput};

/// Validates, hashes and stores a new mentee account; a taken e-mail is a 409 on `email`.
pub async fn sign_up(state: &AppState, input: SignupInput) -> Result<Account, ApiError> {
    let new = input.validate()?;
    let hash = password::hash(input.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        ApiError::internal()
    })?;
    Ok(state.store.create_account(&new, &hash, state.now()).await?)
}
