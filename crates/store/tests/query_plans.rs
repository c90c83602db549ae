//! The searches' query plans on both backends: each query `stint_store::planned_queries`
//! names is answered through the indexes it must use (a one-mentor search reads only that
//! mentor's window), so a lost or unusable index fails here rather than in production.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_store::Store;

#[macro_use]
mod common;

with_url!(searches_use_their_indexes);

async fn searches_use_their_indexes(store: Arc<dyn Store>, url: String) {
    let backend = match store.backend_name() {
        "sqlite" => stint_store::Backend::Sqlite,
        _ => stint_store::Backend::Postgres,
    };
    let queries = stint_store::planned_queries(backend);
    assert!(queries.len() >= 3);
    for q in queries {
        let plan = stint_store::testing::query_plan(&url, &q.sql)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", q.name, q.sql));
        for index in q.indexes {
            assert!(
                plan.contains(index),
                "{}: the plan does not use {index}:\n{plan}",
                q.name
            );
        }
        // The busy-time indexes are searched by mentor and by end together (one line of the
        // plan names both), never walked by end alone.
        if q.indexes.contains(&"bookings_mentor_end") {
            let (by, end) = match backend {
                stint_store::Backend::Sqlite => ("mentor_id=?", "end_at>?"),
                stint_store::Backend::Postgres => ("mentor_id = ", "end_at >"),
            };
            assert!(
                plan.lines().any(|l| l.contains(by) && l.contains(end)),
                "{}: not searched by mentor and end:\n{plan}",
                q.name
            );
        }
    }
}
