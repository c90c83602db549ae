//! The directory's query: listed mentors who can be booked now, narrowed by a `DirectoryFilter`,
//! with only the conditions asked for written (so each can use its index).

use stint_domain::ids::UserId;
use stint_domain::mentor::DirectoryFilter;

/// A value bound to the directory's query.
pub(super) enum Value {
    Int(i64),
    Text(String),
}

/// The directory's mentors (a profile, the mentor role and an active session type, narrowed
/// by `filter`) by display name, after mentor `after` in that order, at most `limit`: the SQL
/// and its values. Only the conditions asked for are written.
pub(super) fn directory_sql(
    backend: crate::migrations::Backend,
    filter: &DirectoryFilter,
    after: Option<UserId>,
    limit: Option<u32>,
) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut sku_condition = String::new();
    if let Some(sku) = filter.sku {
        values.push(Value::Int(sku.0));
        sku_condition.push_str(&format!(" AND s.id = ${}", values.len()));
    }
    if let Some(c) = filter.competency {
        values.push(Value::Int(c.0));
        sku_condition.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM sku_versions v WHERE v.sku_id = s.id \
               AND v.version = s.current_version AND v.competency_id = ${})",
            values.len()
        ));
    }
    let mut conditions = String::new();
    if let Some(language) = &filter.language {
        values.push(Value::Text(language.trim().to_lowercase()));
        conditions.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM mentor_languages l WHERE l.user_id = p.user_id \
               AND LOWER(l.name) = ${})",
            values.len()
        ));
    }
    if let Some(zones) = &filter.zones {
        values.push(Value::Text(
            serde_json::to_string(zones).unwrap_or_else(|_| "[]".into()),
        ));
        let n = values.len();
        conditions.push_str(&match backend {
            crate::migrations::Backend::Sqlite => {
                format!(" AND u.timezone IN (SELECT value FROM json_each(${n}))")
            }
            crate::migrations::Backend::Postgres => {
                format!(" AND u.timezone IN (SELECT json_array_elements_text(CAST(${n} AS JSON)))")
            }
        });
    }
    if let Some(text) = &filter.text {
        // Looked for as it is: the wildcards of LIKE are not the searcher's to use.
        let words: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !matches!(c, '%' | '_' | '\\'))
            .collect();
        values.push(Value::Text(format!("%{words}%")));
        let n = values.len();
        conditions.push_str(&format!(
            " AND (LOWER(u.display_name) LIKE ${n} OR LOWER(p.headline) LIKE ${n})"
        ));
    }
    if let Some(after) = after {
        values.push(Value::Int(after.0));
        let n = values.len();
        conditions.push_str(&format!(
            " AND (u.display_name > (SELECT display_name FROM users WHERE id = ${n}) \
               OR (u.display_name = (SELECT display_name FROM users WHERE id = ${n}) \
                   AND p.user_id > ${n}))"
        ));
    }
    let mut limit_clause = String::new();
    if let Some(limit) = limit {
        values.push(Value::Int(i64::from(limit)));
        limit_clause = format!(" LIMIT ${}", values.len());
    }
    let sql = format!(
        "SELECT p.user_id, u.display_name, u.timezone, p.headline, p.bio, p.experience, \
                p.meeting_url, p.standing, p.resume_on \
         FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
         JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'mentor' \
         WHERE p.standing = 'listed' AND EXISTS (SELECT 1 FROM mentor_skus ms JOIN skus s ON s.id = ms.sku_id \
           WHERE ms.user_id = p.user_id AND s.status = 'active'{sku_condition}){conditions} \
         ORDER BY u.display_name, p.user_id{limit_clause}"
    );
    (sql, values)
}

pub(super) type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

pub(super) fn bind_all(mut query: Query<'_>, values: Vec<Value>) -> Query<'_> {
    for v in values {
        query = match v {
            Value::Int(i) => query.bind(i),
            Value::Text(t) => query.bind(t),
        };
    }
    query
}
