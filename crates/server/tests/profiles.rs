//! Mentor profiles people choose from, on both backends: experience, languages, city and local
//! time, figures, the next time with "Book with …"; reviews (once per session that took place,
//! one answer by its mentor) through the API and the pages; the directory's filters; photos
//! (checked, made square, served with caching headers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    a_mentee_reviews_a_session_once_and_its_mentor_answers_once,
    reviews_are_written_and_answered_on_the_session_page,
    a_profile_says_who_the_mentor_is_and_when_they_are_free,
    the_directory_filters_by_words_competency_language_zone_and_week,
    a_photo_is_checked_made_square_and_cached,
    progress_impact_and_a_skus_figures_are_drawn,
);

const SKU: &str = "negotiation-clinic-45";

/// Sam books a clinic two to five days ahead: the booking's id and its mentor's e-mail.
async fn booked(app: &App, sam: &str) -> (i64, String) {
    let slot = app.slots_in_days(SKU, 2, 5).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.unwrap();
    let mentor = app
        .store
        .account(stint_domain::ids::UserId(
            slot["mentor_id"].as_i64().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    (b["id"].as_i64().unwrap(), mentor.email.to_string())
}

/// Moves the clock past the end of booking `id`.
async fn after_the_session(app: &App, id: i64) {
    let b = app
        .store
        .booking(stint_domain::booking::BookingId(id))
        .await
        .unwrap()
        .unwrap();
    app.clock
        .advance(b.end - app.clock.now() + SignedDuration::from_mins(5));
}

async fn a_mentee_reviews_a_session_once_and_its_mentor_answers_once(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let (id, mentor_email) = booked(&app, &sam).await;
    let path = format!("/api/v1/bookings/{id}/review");
    let review = json!({"rating": 5, "text": "Left with a script I used the next day."});

    // Not before the session is over.
    let r = app.post(&path, Some(&sam), review.clone()).await;
    common::expect_error(r, StatusCode::CONFLICT, "conflict").await;
    after_the_session(&app, id).await;

    // Only its mentee: the mentor is refused, anyone else does not see the session.
    let mentor = app.login(&mentor_email, DEMO_PASSWORD).await;
    let r = app.post(&path, Some(&mentor), review.clone()).await;
    common::expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let r = app.post(&path, Some(&lena), review.clone()).await;
    common::expect_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // Bad input loses nothing and says which field.
    for bad in [
        json!({"rating": 0}),
        json!({"rating": 6}),
        json!({"rating": 3, "text": "x".repeat(281)}),
    ] {
        let r = app.post(&path, Some(&sam), bad).await;
        let e =
            common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            e["fields"].get("rating").is_some() || e["fields"].get("text").is_some(),
            "{e}"
        );
    }

    let r = app.post(&path, Some(&sam), review.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    assert_eq!(made["rating"], 5);
    assert_eq!(made["sku_title"], "45-min negotiation clinic");
    let r = app.post(&path, Some(&sam), review).await;
    let e = common::expect_error(r, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"].get("review").is_some(), "{e}");

    // Both parties read it; the mentor answers once; another mentor cannot.
    let r = app.get(&path, Some(&mentor)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let reply = format!("/api/v1/reviews/{}/reply", made["id"]);
    let other = if mentor_email == "maya@stint.example" {
        "liam@stint.example"
    } else {
        "maya@stint.example"
    };
    let other = app.login(other, DEMO_PASSWORD).await;
    let r = app
        .post(&reply, Some(&other), json!({"text": "Not mine"}))
        .await;
    common::expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .post(&reply, Some(&mentor), json!({"text": "Glad it helped!"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(&reply, Some(&mentor), json!({"text": "Again"}))
        .await;
    common::expect_error(r, StatusCode::CONFLICT, "conflict").await;

    // On the mentor's profile: newest first, counted in the average, never naming Sam.
    let mentor_id = made["mentor_id"].as_i64().unwrap();
    let r = app
        .get(
            &format!("/api/v1/mentors/{mentor_id}/reviews?limit=1"),
            None,
        )
        .await;
    let page: Value = r.json().await.unwrap();
    assert_eq!(
        page["reviews"][0]["text"],
        "Left with a script I used the next day."
    );
    assert_eq!(page["reviews"][0]["reply"], "Glad it helped!");
    assert!(page["count"].as_u64().unwrap() >= 1);
    let client = common::browser();
    let (_, html, _) = common::page(&app, &client, &format!("/mentors/{mentor_id}")).await;
    assert!(html.contains("Left with a script I used the next day."));
    assert!(html.contains("Glad it helped!"));
    assert!(
        !html.contains("Sam Okafor"),
        "reviews never name the mentee"
    );
}

async fn reviews_are_written_and_answered_on_the_session_page(app: App) {
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let (id, mentor_email) = booked(&app, &sam_token).await;
    let sam = common::browser();
    common::log_in(&app, &sam, "sam@stint.example").await;
    let session = format!("/sessions/{id}");
    let (_, html, _) = common::page(&app, &sam, &session).await;
    assert!(
        !html.contains("Post review"),
        "no review before the session"
    );
    // One next step for the session's state: first, prepare.
    assert_eq!(html.matches("Next step ·").count(), 1);
    assert!(html.contains("Prepare for the session"), "{html}");
    after_the_session(&app, id).await;
    let (_, html, _) = common::page(&app, &sam, &session).await;
    assert!(html.contains("Post review"), "{html}");
    assert!(
        !html.contains("Prepare for the session"),
        "a step that passed is not offered"
    );

    // Without a rating the form comes back with its line kept and a message.
    let action = format!("/sessions/{id}/review");
    let (status, html) =
        common::submit(&app, &sam, &session, &action, &[("text", "Sharp and kind")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Choose 1 to 5 stars"), "{html}");
    assert!(html.contains("value=\"Sharp and kind\""));
    let (status, html) = common::submit(
        &app,
        &sam,
        &session,
        &action,
        &[("rating", "4"), ("text", "Sharp and kind")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Thank you. Your review is on"), "{html}");
    assert!(html.contains("Sharp and kind"));
    assert!(!html.contains("Post review"), "one review per session");

    let mentor = common::browser();
    common::log_in(&app, &mentor, &mentor_email).await;
    let (_, html, _) = common::page(&app, &mentor, &session).await;
    assert!(html.contains("Answer once, publicly"), "{html}");
    assert!(html.contains("Next step · Close the session"), "{html}");
    let reply = format!("/sessions/{id}/review/reply");
    let (status, html) = common::submit(&app, &mentor, &session, &reply, &[("reply", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("aria-invalid=\"true\""), "{html}");
    let (status, html) = common::submit(
        &app,
        &mentor,
        &session,
        &reply,
        &[("reply", "Thanks, Sam!")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Thanks, Sam!"));
    assert!(!html.contains("Answer once, publicly"), "answered once");
}

async fn a_profile_says_who_the_mentor_is_and_when_they_are_free(app: App) {
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let r = app
        .put(
            "/api/v1/mentors/me",
            Some(&maya),
            json!({
                "headline": "Former tech recruiter",
                "experience": "Head of talent, 2015–2024.",
                "languages": ["English", "english", "Portuguese"],
                "skus": [SKU]
            }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["languages"], json!(["English", "Portuguese"]));
    let id = me["id"].as_i64().unwrap();
    let r = app
        .put(
            "/api/v1/mentors/me",
            Some(&maya),
            json!({"headline": "Former tech recruiter", "languages": ["x"], "skus": [SKU]}),
        )
        .await;
    let e = common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"].get("languages.0").is_some(), "{e}");

    let r = app.get(&format!("/api/v1/mentors/{id}"), None).await;
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["city"], "New York");
    assert_eq!(p["experience"], "Head of talent, 2015–2024.");
    assert!(
        p["outcomes"]["mini_win_rate"].is_f64(),
        "the demo closed enough: {p}"
    );
    assert_eq!(p["next_available"]["sku"], SKU, "{p}");
    let next = p["next_available"]["start"].as_str().unwrap();
    assert!(next.parse::<jiff::Timestamp>().unwrap() > app.clock.now());

    let client = common::browser();
    let (_, html, _) = common::page(&app, &client, &format!("/mentors/{id}")).await;
    assert!(html.contains("New York ·"), "the city and its local time");
    assert!(html.contains("Speaks English, Portuguese"));
    assert!(html.contains("Experience and credentials"));
    assert!(
        html.contains(&format!("href=\"/skus/{SKU}/book?mentor={id}\"")),
        "Book with Maya"
    );
    assert!(html.contains("Mini-win rate"));

    // A mentor with too few closed sessions shows no rate, and says why.
    let r = app
        .get(&format!("/api/v1/mentors/{}", id + 1000), None)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The display names of a directory answer.
fn names(found: &Value) -> Vec<String> {
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["display_name"].as_str().unwrap().to_string())
        .collect()
}

async fn the_directory_filters_by_words_competency_language_zone_and_week(app: App) {
    let all = app
        .get("/api/v1/mentors", None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(names(&all).len(), 4, "{all}");
    let get = |q: &'static str| {
        let app = &app;
        async move {
            let r = app.get(&format!("/api/v1/mentors?{q}"), None).await;
            assert_eq!(r.status(), StatusCode::OK, "{q}");
            names(&r.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(get("q=RECRUITER").await, ["Maya Goldberg"]);
    assert_eq!(
        get("q=100%25").await,
        Vec::<String>::new(),
        "wildcards are text"
    );
    assert_eq!(get("language=german").await, ["Jonas Weber"]);
    assert_eq!(
        get("band=asia-pacific").await,
        ["Liam O'Connor", "Priya Raman"]
    );
    assert_eq!(
        get("band=americas&language=spanish").await,
        ["Maya Goldberg"]
    );
    assert_eq!(
        get("competency=technical-problem-solving").await,
        ["Jonas Weber", "Priya Raman"]
    );
    assert_eq!(
        get("available=true").await.len(),
        4,
        "the demo's mentors all work this week"
    );
    let r = app.get("/api/v1/mentors?band=mars", None).await;
    common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app.get("/api/v1/mentors?competency=no-such", None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A mentor whose week is full is not "free this week".
    let jonas = app.login("jonas@stint.example", DEMO_PASSWORD).await;
    let mut week: Value = app
        .get("/api/v1/mentors/me/availability", Some(&jonas))
        .await
        .json()
        .await
        .unwrap();
    week["weekly"] = json!([[], [], [], [], [], [], []]);
    let r = app
        .put("/api/v1/mentors/me/availability", Some(&jonas), week)
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert!(
        !get("available=true")
            .await
            .contains(&"Jonas Weber".to_string())
    );

    // The page: the same filters as a form, kept in its links.
    let client = common::browser();
    let (status, html, _) =
        common::page(&app, &client, "/mentors?language=English&band=asia-pacific").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 mentors match."), "{html}");
    assert!(html.contains("Liam O&#39;Connor") || html.contains("Liam O'Connor"));
    assert!(!html.contains("Maya Goldberg"));
    let (_, html, _) = common::page(&app, &client, "/mentors?q=nobody-at-all").await;
    assert!(html.contains("No mentor matches these filters"));
}

/// A PNG of `w` × `h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(w, h, image::Rgb([30, 120, 110]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn a_photo_is_checked_made_square_and_cached(app: App) {
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let put = |token: String, body: Vec<u8>| {
        let app = &app;
        async move {
            app.http
                .put(app.url("/api/v1/mentors/me/photo"))
                .bearer_auth(token)
                .header("content-type", "image/png")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    // Before any upload: initials, as a picture.
    let me: Value = app
        .get("/api/v1/me", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let photo = format!("/mentors/{}/photo", me["id"]);
    let r = app.get(&photo, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(
        r.headers().get("set-cookie").is_none(),
        "a cacheable picture sets no cookie"
    );
    assert!(r.text().await.unwrap().contains(">MG<"));

    // Refused: not a picture, too small, not a mentor.
    let r = put(maya.clone(), b"<svg onload=alert(1)>".to_vec()).await;
    let e = common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        e["fields"]["photo"].as_str().unwrap().contains("PNG"),
        "{e}"
    );
    let r = put(maya.clone(), png(20, 20)).await;
    common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = put(sam, png(300, 300)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = put(maya.clone(), vec![0u8; 6 * 1024 * 1024]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let r = put(maya.clone(), png(800, 500)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.get(&photo, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let served = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((served.width(), served.height()), (256, 256));
    let r = app
        .http
        .get(app.url(&photo))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    // The page: an upload with its CSRF token, a refused one re-shown with its message.
    let client = common::browser();
    common::log_in(&app, &client, "maya@stint.example").await;
    let (_, _, csrf) = common::page(&app, &client, "/mentor/profile").await;
    let upload = |csrf: String, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().text("csrf", csrf).part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name("me.png"),
        );
        client.post(app.url("/mentor/photo")).multipart(form).send()
    };
    let r = upload("wrong".into(), png(300, 300)).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(csrf.clone(), b"not a picture".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The photo must be a PNG, JPEG or WebP picture")
    );
    let r = upload(csrf.clone(), png(300, 300)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html, _) = common::page(&app, &client, "/mentor/profile?saved=photo").await;
    assert!(html.contains("Photo saved."));
    assert!(html.contains("Remove photo"));
    let (status, _) = common::submit(
        &app,
        &client,
        "/mentor/profile",
        "/mentor/photo/remove",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let r = app.get(&photo, None).await;
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
}

/// The numbers in a table's body cells of column `col` (0 = the row header).
fn column(html: &str, caption: &str, col: usize) -> Vec<String> {
    let table = html
        .split(caption)
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split("</t").collect();
            let cell = cells[col];
            cell.rsplit('>').next().unwrap().trim().to_string()
        })
        .collect()
}

async fn progress_impact_and_a_skus_figures_are_drawn(app: App) {
    // A mentee's progress: a chart per competency, named, beside the table it draws.
    let sam = common::browser();
    common::log_in(&app, &sam, "sam@stint.example").await;
    let (_, html, _) = common::page(&app, &sam, "/progress").await;
    assert!(html.contains("<svg class=\"chart\""), "{html}");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("Your level in Career transition over time"));
    assert!(
        html.contains("ratings from level"),
        "a description in words"
    );

    // A mentor's impact month by month: the months' sessions add up to all of them (the
    // demo's are all within the year), each month with its rate and interval.
    let maya = common::browser();
    common::log_in(&app, &maya, "maya@stint.example").await;
    let (_, html, _) = common::page(&app, &maya, "/impact").await;
    assert!(html.contains("Your mini-win rate month by month"), "{html}");
    let total: u64 = html
        .split("id=\"impact-sessions\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let by_month: u64 = column(&html, "Mini-win rate by month", 1)
        .iter()
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(by_month, total, "every closed session is in one month");
    assert!(
        html.contains("class=\"c-band\""),
        "the interval is drawn as a band"
    );

    // A session type's public figures, as bars beside the words.
    let (_, html, _) = common::page(&app, &sam, "/skus/negotiation-clinic-45").await;
    assert!(html.contains("Outcomes of completed sessions"), "{html}");
    assert!(html.contains("Mini-wins: "));
}
