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
        // Each index is searched by its conditions together (one line of the plan names
        // both), never walked by one alone.
        for (a, b) in q.searched_by {
            assert!(
                plan.lines().any(|l| {
                    let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                    l.contains(a) && l.contains(b)
                }),
                "{}: not searched by {a} and {b} together:\n{plan}",
                q.name
            );
        }
    }
}
