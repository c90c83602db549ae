use super::*;

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[test]
fn the_default_refuses_every_spelling_of_an_internal_address() {
    let policy = EgressPolicy::public_only();
    for spelling in stint_testkit::INTERNAL_ADDRESS_SPELLINGS {
        let refused = policy.check_url(&url(spelling));
        assert!(refused.is_err(), "{spelling} was not refused");
    }
    assert!(
        policy
            .check_url(&url("https://cal.example.com/dav/"))
            .is_ok()
    );
    assert!(policy.check_url(&url("https://93.184.216.34/")).is_ok());
}

#[test]
fn an_operator_allows_ranges_names_and_domains() {
    let policy = EgressPolicy::parse([
        "10.1.0.0/16",
        "::1",
        "caldav.corp.lan",
        "*.intranet.example",
    ])
    .unwrap();
    assert!(policy.check_url(&url("http://10.1.2.3/")).is_ok());
    assert!(policy.check_url(&url("http://10.2.0.1/")).is_err());
    assert!(policy.check_url(&url("http://[::1]:8080/")).is_ok());
    assert!(policy.check_url(&url("http://127.0.0.1/")).is_err());
    assert!(policy.allows_name("CalDAV.corp.lan."));
    assert!(policy.allows_name("a.b.intranet.example"));
    assert!(!policy.allows_name("intranet.example"));
    assert!(!policy.allows_name("evilintranet.example"));
    assert!(
        EgressPolicy::parse(["not a host!"]).is_err(),
        "a typo is an error, not a silent no-op"
    );
    assert_eq!(
        policy.to_string(),
        "public addresses and 10.1.0.0/16, ::1/128, caldav.corp.lan, *.intranet.example"
    );
}

#[test]
fn loopback_for_tests_still_refuses_the_rest() {
    let policy = EgressPolicy::with_loopback();
    assert!(policy.check_url(&url("http://127.0.0.1:9/")).is_ok());
    assert!(policy.check_url(&url("http://localhost:9/")).is_ok());
    assert!(policy.check_url(&url("http://169.254.169.254/")).is_err());
    assert!(policy.check_url(&url("http://10.0.0.1/")).is_err());
}

/// A listener on loopback that counts connections: the refused clients must never reach it.
async fn listener() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = socket.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (port, count)
}

#[tokio::test]
async fn a_name_that_resolves_to_loopback_is_refused_when_connecting() {
    let (port, connections) = listener().await;
    let client = Arc::new(EgressPolicy::public_only())
        .client_builder()
        .build()
        .unwrap();
    // `check_url` would refuse `localhost` at once; this goes around it to the resolver.
    let error = client
        .get(format!("http://localhost:{port}/"))
        .send()
        .await
        .unwrap_err();
    let refused = refusal(&error).expect("the policy is named as the cause");
    assert_eq!(refused.host, "localhost");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 0);

    let allowed = Arc::new(EgressPolicy::with_loopback())
        .client_builder()
        .build()
        .unwrap();
    let reached = allowed.get(format!("http://localhost:{port}/")).send();
    let _ = tokio::time::timeout(std::time::Duration::from_millis(500), reached).await;
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1);
}
