use super::*;
use chrono::TimeZone;

fn person(id: Uuid) -> user::Model {
    let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    user::Model {
        id,
        phone: "13800000000".into(),
        name: "x".into(),
        password_hash: "!".into(),
        role: user::Role::Volunteer,
        org_unit_id: None,
        status: user::UserStatus::Active,
        locale: user::Locale::ZhCn,
        time_zone: "Asia/Shanghai".into(),
        volunteer_number: "V1".into(),
        token_version: 0,
        created_by: None,
        created_at: t,
        updated_at: t,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

#[test]
fn a_fill_begun_before_an_invalidation_is_refused() {
    let cache = SessionCache::new("sqlite://unit-race", None, "c");
    let (u, s) = (Uuid::now_v7(), Uuid::now_v7());
    let ticket = cache.ticket(u);
    // The person changes (and is announced) while the request is reading the old row.
    cache.invalidate_here(&[u]);
    cache.fill(ticket, s, now() + chrono::Duration::days(1), person(u));
    assert!(cache.get(s, u, now()).is_none(), "a stale row must not be cached");
    let ticket = cache.ticket(u);
    cache.fill(ticket, s, now() + chrono::Duration::days(1), person(u));
    assert!(cache.get(s, u, now()).is_some());
    assert!(cache.get(s, Uuid::now_v7(), now()).is_none(), "another person's token never matches");
    assert!(cache.get(s, u, now() + chrono::Duration::days(2)).is_none(), "an expired session is not served");
    cache.invalidate_here(&[u]);
    assert!(cache.get(s, u, now()).is_none());
}

#[test]
fn the_cache_stays_within_its_capacity() {
    let cache = SessionCache::new("sqlite://unit-cap", None, "c");
    for _ in 0..CAPACITY + 10 {
        let u = Uuid::now_v7();
        cache.fill(cache.ticket(u), Uuid::now_v7(), now() + chrono::Duration::days(1), person(u));
    }
    assert!(cache.entries.lock().unwrap().len() <= CAPACITY);
}

#[tokio::test]
async fn with_redis_the_cache_is_bypassed_until_subscribed() {
    // Nothing listens there, so the subscription never comes: the cache must never answer.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("redis://127.0.0.1:{closed}");
    let link = RedisLink::new(&url, Duration::from_millis(50)).unwrap();
    let cache = SessionCache::new("sqlite://unit-bypass", Some((link, url.as_str())), "c");
    let u = Uuid::now_v7();
    let s = Uuid::now_v7();
    cache.fill(cache.ticket(u), s, now() + chrono::Duration::days(1), person(u));
    assert!(cache.is_bypassed());
    assert!(cache.get(s, u, now()).is_none());
}

/// Whether `pat` occurs in `line` not as the tail of a longer name (`training_session::…`).
fn has_word(line: &str, pat: &str) -> bool {
    line.match_indices(pat)
        .any(|(i, _)| !line[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.'))
}

/// Lines that write a `users` or `sessions` row; each must be matched by a `person_changed`.
fn writes(source: &str) -> usize {
    // The mentoring area calls its own table `session`.
    let aliased = source.contains("as session,") || source.contains("as session}");
    let writes_user = |l: &str| {
        ["user::ActiveModel", "user::Entity::update", "user::Entity::delete", "user::Entity::insert"]
            .iter()
            .any(|p| has_word(l, p))
            || ["user.clone().into_active_model()", "user.into_active_model()"].iter().any(|p| l.contains(p))
            || ["person.clone().into_active_model()", "person.into_active_model()"].iter().any(|p| l.contains(p))
    };
    let writes_session = |l: &str| {
        ["session::ActiveModel", "session::Entity::update", "session::Entity::delete", "session::Entity::insert"]
            .iter()
            .any(|p| has_word(l, p))
    };
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| writes_user(l) || (!aliased && writes_session(l)))
        .count()
}

#[test]
fn every_user_and_session_write_announces() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("session_cache/tests.rs") {
                continue;
            }
            // The city seeder only inserts people who did not exist, whom no cache can hold.
            if path.components().any(|c| c.as_os_str() == "seed_city") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            let (w, announced) = (writes(&source), source.matches("person_changed(").count());
            assert!(
                announced >= w,
                "{} writes users/sessions rows {w} times but calls person_changed {announced} times",
                path.display()
            );
            checked += w;
        }
    }
    assert!(checked >= 10, "the patterns still find the known writes ({checked})");
}
