//! The session cache across instances: two applications on one database (and one Redis when
//! configured, else the in-process bus) — a change made through one is seen by the very next
//! request on the other, and a lost Redis subscription never leaves a revoked session usable.

use crate::helpers::*;
use serde_json::json;
use std::sync::Arc;
use wushe::state::AppState;

/// A second instance of `app`'s service: same database, same Redis prefix, same clock.
struct Twin {
    base: String,
    state: AppState,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn twin(app: &TestApp) -> Twin {
    let config = (*app.state.config).clone();
    let db = wushe::app::open_database(&config, false).await.unwrap();
    let state = AppState::new(db, config, Arc::new(app.clock.clone())).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        let _ = wushe::app::serve(served, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    Twin { base, state, _shutdown: tx }
}

impl Twin {
    async fn me(&self, app: &TestApp, token: &str) -> (u16, serde_json::Value) {
        let r = app.client.get(format!("{}/api/v1/me", self.base)).bearer_auth(token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    }

    /// Waits until this instance hears invalidations (at once without Redis).
    async fn subscribed(&self, at_least: u64) {
        let cache = self.state.sessions.clone();
        let redis = self.state.config.redis_url.is_some();
        eventually(10, "the session cache to subscribe", || {
            let ok = !redis || (!cache.is_bypassed() && cache.subscriptions() >= at_least);
            async move { ok }
        })
        .await;
    }

    /// Asks `/me` twice and checks the second answer came from the cache.
    async fn warm(&self, app: &TestApp, token: &str) {
        assert_eq!(self.me(app, token).await.0, 200);
        let hits = self.state.sessions.hits();
        assert_eq!(self.me(app, token).await.0, 200);
        assert!(self.state.sessions.hits() > hits, "the second request is answered from the cache");
    }
}

#[tokio::test]
async fn a_change_through_one_instance_is_seen_by_the_next_request_on_another() {
    let app = spawn_app().await;
    let b = twin(&app).await;
    b.subscribed(1).await;
    let admin = app.city_admin().await;

    // Sign-out on A ends the session on B.
    let v = app.register_volunteer().await;
    b.warm(&app, &v.access).await;
    app.post("/api/v1/auth/logout", None, json!({"refreshToken": v.refresh})).await.expect(204);
    assert_eq!(b.me(&app, &v.access).await.0, 401, "signed out on A, refused on B");

    // Suspension on A ends every session on B.
    let again = app.login(&v.phone, PASSWORD).await;
    b.warm(&app, &again.access).await;
    app.patch(&format!("/api/v1/users/{}", v.user_id), Some(&admin.access), json!({"status": "suspended"}))
        .await
        .expect(200);
    assert_eq!(b.me(&app, &again.access).await.0, 401, "suspended on A, refused on B");

    // A role change on A is the role B sees next.
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    let station = app.create_unit(&admin, "town_station", Some(&city), "站").await;
    let room = app.create_unit(&admin, "community_room", Some(&station), "室").await;
    let w = app.create_user(&admin, "volunteer", Some(&room)).await;
    b.warm(&app, &w.access).await;
    app.patch(&format!("/api/v1/users/{}", w.user_id), Some(&admin.access), json!({"role": "social_worker"}))
        .await
        .expect(200);
    let (status, me) = b.me(&app, &w.access).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("social_worker")), "B sees the new role");

    // A profile edit on A is what B answers next.
    b.warm(&app, &w.access).await;
    app.patch("/api/v1/me", Some(&w.access), json!({"name": "新名字"})).await.expect(200);
    assert_eq!(b.me(&app, &w.access).await.1["name"], "新名字");
}

#[tokio::test]
async fn a_lost_redis_subscription_falls_back_to_the_database() {
    let Some(url) = redis_url() else {
        return; // The embedded default has no subscription to lose.
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = spawn_app().await;
    let b = twin(&app).await;
    b.subscribed(1).await;
    let v = app.register_volunteer().await;
    b.warm(&app, &v.access).await;
    let before = b.state.sessions.subscriptions();

    // The session ends behind every instance's back: the message that would have said so is
    // lost with the subscription.
    entity::session::Entity::update_many()
        .col_expr(entity::session::Column::RevokedAt, Expr::value(app.clock_now()))
        .filter(entity::session::Column::UserId.eq(uuid::Uuid::parse_str(&v.user_id).unwrap()))
        .exec(app.db())
        .await
        .unwrap();
    let client = redis::Client::open(url).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: redis::Value =
        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query_async(&mut conn).await.unwrap();

    // Once B has noticed, it reads the database again (bypassed, then emptied on resubscribing):
    // the revoked session is refused.
    let cache = b.state.sessions.clone();
    eventually(10, "B to notice the lost subscription", || {
        let noticed = cache.is_bypassed() || cache.subscriptions() > before;
        async move { noticed }
    })
    .await;
    assert_eq!(b.me(&app, &v.access).await.0, 401, "never served from a cache that may have missed a message");
    b.subscribed(before + 1).await;
    assert_eq!(b.me(&app, &v.access).await.0, 401);
    let fresh = app.login(&v.phone, PASSWORD).await;
    b.warm(&app, &fresh.access).await;
}
