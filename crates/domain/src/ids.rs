//! Typed identifiers, so a user id can never be passed where a SKU id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An account.
    UserId
);
id_type!(
    /// A competency in the catalog.
    CompetencyId
);
id_type!(
    /// A checkpoint inside a competency.
    CheckpointId
);
id_type!(
    /// A session type (SKU), across all its versions.
    SkuId
);
id_type!(
    /// A sponsoring organisation.
    OrgId
);
