//! A session type's materials, on both backends: operators attach a link or a file to each
//! promised artifact of the current version (checked: https links, allowed file types, 10 MB),
//! both parties of a session booked on that version get them (over the API and on the session
//! page, files as sandboxed downloads), nobody else does, and a later version keeps those whose
//! artifact it still promises.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    operators_attach_materials_and_both_parties_get_them,
);

const SKU: &str = "negotiation-clinic-45";

async fn put_file(
    app: &App,
    token: &str,
    position: i64,
    name: &str,
    body: &[u8],
) -> reqwest::Response {
    app.http
        .put(app.url(&format!(
            "/api/v1/skus/{SKU}/materials/{position}/file?name={name}"
        )))
        .bearer_auth(token)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn operators_attach_materials_and_both_parties_get_them(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let link = format!("/api/v1/skus/{SKU}/materials/0");

    // Only operators; only https; only artifacts the version promises; only allowed files.
    let r = app
        .put(
            &link,
            Some(&sam),
            json!({"url": "https://example.com/sheet"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .put(&link, Some(&op), json!({"url": "javascript:alert(1)"}))
        .await;
    common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app
        .put(
            &format!("/api/v1/skus/{SKU}/materials/9"),
            Some(&op),
            json!({"url": "https://example.com/x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = put_file(&app, &op, 1, "page.html", b"<script>alert(1)</script>").await;
    let e = common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"].get("file").is_some(), "{e}");

    let r = app
        .put(
            &link,
            Some(&op),
            json!({"url": "https://example.com/offer-sheet"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let script = b"Open with the number. Then stop talking.";
    let r = put_file(&app, &op, 1, "Counter-offer script.txt", script).await;
    assert_eq!(r.status(), StatusCode::OK);
    let listed: Value = r.json().await.unwrap();
    assert_eq!(listed[0]["kind"], "link");
    assert_eq!(listed[1]["kind"], "file");
    assert_eq!(listed[2]["kind"], "none");

    // Sam books the clinic and gets them; Lena, not a party, does not.
    let slot = app.slots_in_days(SKU, 2, 5).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mine: Value = app
        .get(&format!("/api/v1/bookings/{id}/materials"), Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["url"], "https://example.com/offer-sheet");
    let file = mine[1]["url"].as_str().unwrap().to_string();
    let r = app.get(&file, Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(&r.bytes().await.unwrap()[..], script);
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let r = app
        .get(&format!("/api/v1/bookings/{id}/materials"), Some(&lena))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.get(&file, Some(&lena)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The session page lists them, the file as a download.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, html, _) = common::page(&app, &client, &format!("/sessions/{id}")).await;
    assert!(
        html.contains("href=\"https://example.com/offer-sheet\""),
        "{html}"
    );
    let download = format!("/sessions/{id}/materials/1");
    assert!(html.contains(&format!("href=\"{download}\" download")));
    let r = client.get(app.url(&download)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..], script);

    // A new version that reorders the artifacts keeps each material with its artifact; the
    // session booked on the old version keeps its own.
    let current = app.store.sku(SKU).await.unwrap().unwrap();
    let mut content = current.content.clone();
    content.artifacts.reverse();
    let newer = app
        .store
        .update_sku(SKU, &content, None, app.clock.now())
        .await
        .unwrap();
    assert_eq!(newer.version, current.version + 1);
    let now: Value = app
        .get(&format!("/api/v1/skus/{SKU}/materials"), Some(&op))
        .await
        .json()
        .await
        .unwrap();
    let last = now.as_array().unwrap().len() - 1;
    assert_eq!(now[last]["url"], "https://example.com/offer-sheet", "{now}");
    assert_eq!(now[last - 1]["file_name"], "Counter-offer script.txt");
    let mine_again: Value = app
        .get(&format!("/api/v1/bookings/{id}/materials"), Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine_again, mine);

    // The operators' page: a refused upload comes back with its message, a good one is kept.
    let opc = common::browser();
    common::log_in(&app, &opc, "operator@stint.example").await;
    let page = format!("/operator/skus/{SKU}/materials");
    let (status, html, csrf) = common::page(&app, &opc, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Counter-offer script.txt"), "{html}");
    let upload = |name: &'static str, bytes: &'static [u8]| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        opc.post(app.url(&format!("/operator/skus/{SKU}/materials/0/file")))
            .multipart(form)
            .send()
    };
    let r = upload("tool.exe", b"MZ").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("The file must be a PDF"));
    let r = upload("checklist.md", b"- [ ] ask").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html, _) = common::page(&app, &opc, &page).await;
    assert!(html.contains("checklist.md"));
}
