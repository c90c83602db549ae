//! Mentor circles on the pages, each handler one call of `stint_app::circles`: mentors see
//! their circles at `/mentor/circles` and a circle's thread and calls at
//! `/mentor/circles/{id}` (post, reply, schedule a call, download its invitation); operators
//! form circles at `/operator/circles`.

use super::filters;
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, failure_for, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::circles::{self, CircleView};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::circle::{Circle, NO_MENTEE_REFERENCES, Post};
use stint_domain::role::Role;

#[derive(Template)]
#[template(path = "mentor/circles.html")]
struct ListPage {
    chrome: Chrome,
    circles: Vec<Circle>,
    /// Operators: mentors to choose from, the form and its errors.
    choices: Vec<(i64, String)>,
    form: FormFields,
    errors: FieldErrors,
    is_operator: bool,
    formed: bool,
    me: stint_domain::ids::UserId,
}

impl ListPage {
    /// Whether the viewer may open `c`'s thread (its members only, operators included).
    fn member_of(&self, c: &Circle) -> bool {
        c.has_member(self.me)
    }

    fn chosen(&self, id: &i64) -> bool {
        self.form.members.contains(id)
    }
}

/// The operators' form: a name and the members ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormFields {
    name: String,
    members: Vec<i64>,
}

async fn list_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    form: FormFields,
    errors: FieldErrors,
    formed: bool,
) -> Result<ListPage, Response> {
    let is_operator = me.has(Role::Operator);
    let circles = circles::list(state, me).await.or_page()?;
    let choices = if is_operator {
        circles::mentor_choices(state, me).await.or_page()?
    } else {
        Vec::new()
    };
    Ok(ListPage {
        chrome: Chrome::new("Mentor circles · Stint", Some(me.clone()), csrf),
        circles,
        choices,
        form,
        errors,
        is_operator,
        formed,
        me: me.id,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Formed {
    formed: String,
}

pub async fn mine(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Formed>,
) -> PageResult {
    let page = list_page(
        &state,
        &me,
        &csrf.0,
        FormFields::default(),
        FieldErrors::new(),
        !q.formed.is_empty(),
    )
    .await?;
    Ok(ok(&page))
}

pub async fn form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<FormFields>,
) -> PageResult {
    let me = operator(me)?;
    match circles::form(&state, &me, &form.name, &form.members).await {
        Ok(_) => Ok(Redirect::to("/operator/circles?formed=1").into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                list_page(&state, &me, &csrf.0, form, errors, false)
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "mentor/circle.html")]
struct ThreadPage {
    chrome: Chrome,
    view: CircleView,
    /// The post box (or the reply box of post `parent`) as typed when refused.
    body: String,
    parent: Option<i64>,
    post_errors: FieldErrors,
    call: CallFields,
    call_errors: FieldErrors,
    why: &'static str,
    zone: jiff::tz::TimeZone,
}

impl ThreadPage {
    /// Posts (not replies), newest first.
    fn top(&self) -> Vec<&Post> {
        self.view
            .posts
            .iter()
            .rev()
            .filter(|p| p.parent.is_none())
            .collect()
    }

    fn replies(&self, post: &i64) -> Vec<&Post> {
        self.view
            .posts
            .iter()
            .filter(|p| p.parent == Some(*post))
            .collect()
    }

    fn when(&self, t: &jiff::Timestamp) -> String {
        t.to_zoned_datetime(self.zone.clone())
            .strftime("%a %-d %b %Y, %H:%M")
            .to_string()
    }

    fn until(&self, t: &jiff::Timestamp) -> String {
        t.to_zoned_datetime(self.zone.clone())
            .strftime("%H:%M %Z")
            .to_string()
    }

    fn refused_reply(&self, post: &i64) -> bool {
        self.parent == Some(*post) && !self.post_errors.is_empty()
    }

    fn reply_body(&self, post: &i64) -> &str {
        if self.parent == Some(*post) {
            &self.body
        } else {
            ""
        }
    }

    fn post_body(&self) -> &str {
        if self.parent.is_none() {
            &self.body
        } else {
            ""
        }
    }

    fn post_box_errors(&self) -> FieldErrors {
        if self.parent.is_none() {
            self.post_errors.clone()
        } else {
            FieldErrors::new()
        }
    }
}

/// The call form's fields: a wall time in the viewer's zone, a length, a link.
#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct CallFields {
    start: String,
    minutes: String,
    location: String,
}

impl Default for CallFields {
    fn default() -> Self {
        CallFields {
            start: String::new(),
            minutes: "45".into(),
            location: String::new(),
        }
    }
}

struct Reshow {
    body: String,
    parent: Option<i64>,
    post_errors: FieldErrors,
    call: CallFields,
    call_errors: FieldErrors,
}

impl Reshow {
    fn none() -> Reshow {
        Reshow {
            body: String::new(),
            parent: None,
            post_errors: FieldErrors::new(),
            call: CallFields::default(),
            call_errors: FieldErrors::new(),
        }
    }
}

async fn thread_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    id: i64,
    r: Reshow,
) -> Result<ThreadPage, Response> {
    let view = circles::open(state, me, id)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(ThreadPage {
        chrome: Chrome::new(
            format!("{} · Circles · Stint", view.circle.name),
            Some(me.clone()),
            csrf,
        ),
        view,
        body: r.body,
        parent: r.parent,
        post_errors: r.post_errors,
        call: r.call,
        call_errors: r.call_errors,
        why: NO_MENTEE_REFERENCES,
        zone: me.zone(),
    })
}

pub async fn thread(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> PageResult {
    Ok(ok(
        &thread_page(&state, &me, &csrf.0, id, Reshow::none()).await?
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostFields {
    body: String,
    parent: String,
}

pub async fn post(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PostFields>,
) -> PageResult {
    let parent = form.parent.trim().parse::<i64>().ok();
    match circles::post(&state, &me, id, parent, &form.body).await {
        Ok(p) => Ok(Redirect::to(&format!("/mentor/circles/{id}#post-{}", p.id)).into_response()),
        Err(e) => {
            refused_form(e, |post_errors| {
                let r = Reshow {
                    body: form.body,
                    parent,
                    post_errors,
                    ..Reshow::none()
                };
                thread_page(&state, &me, &csrf.0, id, r)
            })
            .await
        }
    }
}

pub async fn call(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CallFields>,
) -> PageResult {
    let Ok(minutes) = form.minutes.trim().parse::<i64>() else {
        let r = Reshow {
            call_errors: FieldErrors::single("minutes", "a number of minutes, 15 to 120"),
            call: form,
            ..Reshow::none()
        };
        let page = thread_page(&state, &me, &csrf.0, id, r).await?;
        return Ok(super::render::html(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &page,
        ));
    };
    match circles::schedule_call(&state, &me, id, &form.start, minutes, &form.location).await {
        Ok(_) => Ok(Redirect::to(&format!("/mentor/circles/{id}#calls")).into_response()),
        Err(e) => {
            refused_form(e, |call_errors| {
                let r = Reshow {
                    call: form,
                    call_errors,
                    ..Reshow::none()
                };
                thread_page(&state, &me, &csrf.0, id, r)
            })
            .await
        }
    }
}

/// A call's invitation as a calendar file.
pub async fn invite(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(call): Path<i64>,
) -> PageResult {
    let base = crate::ics::site_base(&state.config);
    stint_app::calendar_files::call_invite(&state, &me, call, base.as_deref())
        .await
        .map(crate::ics::calendar_response)
        .map_err(|e| failure_for(e, Some(me)))
}
