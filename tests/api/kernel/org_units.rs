//! The org tree: placement rules, reading, editing, moving subtrees (and scope following them),
//! and refusing cycles.

use crate::helpers::spawn_app;
use entity::org_unit_closure;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

#[tokio::test]
async fn build_and_read_the_tree() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "苏州市社会工作指导中心").await;
    let district = app.create_unit(&admin, "district_center", Some(&city), "姑苏区指导中心").await;
    let station = app.create_unit(&admin, "town_station", Some(&district), "平江街道社工站").await;
    let room = app.create_unit(&admin, "community_room", Some(&station), "历史街区社区社工室").await;
    let org = app.create_unit(&admin, "social_org", Some(&station), "阳光社工服务社").await;

    let r = app.get(&format!("/api/v1/org-units/{room}"), Some(&admin.access)).await.expect(200);
    assert_eq!(r.body["kind"], "community_room");
    assert_eq!(r.body["parentId"], station.as_str());
    assert_eq!(r.body["timeZone"], "Asia/Shanghai");

    let v = app.register_volunteer().await;
    let children = app.get(&format!("/api/v1/org-units?parentId={station}"), Some(&v.access)).await.expect(200);
    let names: Vec<&str> =
        children.body["items"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["历史街区社区社工室", "阳光社工服务社"]);
    let under = app.get(&format!("/api/v1/org-units?under={district}&limit=100"), Some(&v.access)).await.expect(200);
    assert_eq!(under.body["items"].as_array().unwrap().len(), 4);
    let stations = app.get("/api/v1/org-units?kind=town_station", Some(&v.access)).await.expect(200);
    assert_eq!(stations.body["items"][0]["id"], station.as_str());
    let chain = app.get(&format!("/api/v1/org-units/{org}/ancestors"), Some(&v.access)).await.expect(200);
    let chain: Vec<&str> = chain.body.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(chain, vec![city.as_str(), district.as_str(), station.as_str(), org.as_str()]);
    let roots = app.get("/api/v1/org-units?roots=true", Some(&v.access)).await.expect(200);
    assert_eq!(roots.body["items"].as_array().unwrap().len(), 1);
    app.get("/api/v1/org-units", None).await.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn placement_rules_are_enforced() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let post = |body: serde_json::Value| app.post("/api/v1/org-units", Some(&admin.access), body);
    post(json!({"kind": "town_station", "name": "无上级"})).await.expect_problem(400, "invalid_placement");
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    post(json!({"kind": "city_center", "name": "二级市", "parentId": city}))
        .await
        .expect_problem(400, "invalid_placement");
    post(json!({"kind": "community_room", "name": "室", "parentId": city}))
        .await
        .expect_problem(400, "invalid_placement");
    post(json!({"kind": "town_station", "name": "站", "parentId": uuid::Uuid::now_v7()}))
        .await
        .expect_problem(400, "parent_not_found");
    post(json!({"kind": "town_station", "name": "站", "parentId": city, "timeZone": "Nowhere/City"}))
        .await
        .expect_problem(400, "invalid_time_zone");
    post(json!({"kind": "town_station", "name": "站", "parentId": city, "lat": 31.0}))
        .await
        .expect_problem(400, "invalid_coordinates");
    post(json!({"kind": "town_station", "name": "   ", "parentId": city}))
        .await
        .expect_problem(400, "validation_failed");
    assert_eq!(app.count("org_units").await, 1, "nothing was created");
}

#[tokio::test]
async fn only_city_admins_change_the_tree() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, _] = &f.stations;
    for s in [&east.admin, &east.social_worker, &east.volunteer] {
        app.post("/api/v1/org-units", Some(&s.access), json!({"kind": "community", "name": "x", "parentId": east.id}))
            .await
            .expect_problem(403, "forbidden");
        app.patch(&format!("/api/v1/org-units/{}", east.id), Some(&s.access), json!({"name": "x"}))
            .await
            .expect_problem(403, "forbidden");
    }
    let r = app
        .patch(
            &format!("/api/v1/org-units/{}", east.id),
            Some(&f.city_admin.access),
            json!({"name": "东站(新)", "address": "人民路1号", "location": {"lat": 31.3, "lng": 120.6}}),
        )
        .await
        .expect(200);
    assert_eq!(r.body["name"], "东站(新)");
    assert_eq!(r.body["lat"], 31.3);
    let r = app
        .patch(
            &format!("/api/v1/org-units/{}", east.id),
            Some(&f.city_admin.access),
            json!({"address": null, "location": null}),
        )
        .await
        .expect(200);
    assert!(r.body["address"].is_null() && r.body["lat"].is_null());
}

#[tokio::test]
async fn moving_a_subtree_moves_scope_with_it() {
    let app = spawn_app().await;
    let f = app.two_stations().await;
    let [east, west] = &f.stations;
    // A community (with a room and a volunteer) under the east station moves to the west one.
    let community = app.create_unit(&f.city_admin, "community", Some(&east.id), "湖滨社区").await;
    let room = app.create_unit(&f.city_admin, "community_room", Some(&community), "湖滨社区社工室").await;
    let v = app.create_user(&f.city_admin, "volunteer", Some(&room)).await;
    app.get(&format!("/api/v1/users/{}", v.user_id), Some(&east.admin.access)).await.expect(200);
    app.get(&format!("/api/v1/users/{}", v.user_id), Some(&west.admin.access)).await.expect(404);

    app.patch(&format!("/api/v1/org-units/{community}"), Some(&f.city_admin.access), json!({"parentId": west.id}))
        .await
        .expect(200);
    app.get(&format!("/api/v1/users/{}", v.user_id), Some(&east.admin.access)).await.expect(404);
    app.get(&format!("/api/v1/users/{}", v.user_id), Some(&west.admin.access)).await.expect(200);
    let chain = app.get(&format!("/api/v1/org-units/{room}/ancestors"), Some(&v.access)).await.expect(200);
    let chain: Vec<&str> = chain.body.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(chain, vec![f.city.as_str(), west.id.as_str(), community.as_str(), room.as_str()]);
    let under_east = app.get(&format!("/api/v1/org-units?under={}", east.id), Some(&v.access)).await.expect(200);
    assert_eq!(under_east.body["items"].as_array().unwrap().len(), 2, "east keeps only itself and its room");
}

#[tokio::test]
async fn cycles_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    let station = app.create_unit(&admin, "town_station", Some(&city), "站").await;
    let a = app.create_unit(&admin, "community", Some(&station), "A").await;
    let b = app.create_unit(&admin, "community", Some(&a), "B").await;
    let c = app.create_unit(&admin, "community", Some(&b), "C").await;
    let closure_rows = org_unit_closure::Entity::find().count(app.db()).await.unwrap();

    for target in [&c, &b, &a] {
        app.patch(&format!("/api/v1/org-units/{a}"), Some(&admin.access), json!({"parentId": target}))
            .await
            .expect_problem(409, "org_unit_cycle");
    }
    // Placement rules apply to moves too: a station cannot sit under a community.
    let elsewhere = app.create_unit(&admin, "community", Some(&city), "D").await;
    app.patch(&format!("/api/v1/org-units/{station}"), Some(&admin.access), json!({"parentId": elsewhere}))
        .await
        .expect_problem(400, "invalid_placement");
    let closure_rows = closure_rows + 2;
    assert_eq!(org_unit_closure::Entity::find().count(app.db()).await.unwrap(), closure_rows);
    let r = app.get(&format!("/api/v1/org-units/{a}"), Some(&admin.access)).await.expect(200);
    assert_eq!(r.body["parentId"], station.as_str());

    // Moving C up under the station is fine, and B keeps only itself below.
    app.patch(&format!("/api/v1/org-units/{c}"), Some(&admin.access), json!({"parentId": station})).await.expect(200);
    let under_b = app.get(&format!("/api/v1/org-units?under={b}"), Some(&admin.access)).await.expect(200);
    assert_eq!(under_b.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(org_unit_closure::Entity::find().count(app.db()).await.unwrap(), closure_rows - 2);
}

#[tokio::test]
async fn concurrent_crossing_moves_cannot_build_a_cycle() {
    let app = spawn_app().await;
    let admin = app.city_admin().await;
    let city = app.create_unit(&admin, "city_center", None, "市").await;
    let station = app.create_unit(&admin, "town_station", Some(&city), "站").await;
    for _ in 0..5 {
        let a = app.create_unit(&admin, "community", Some(&station), "A").await;
        let b = app.create_unit(&admin, "community", Some(&station), "B").await;
        let (path_a, path_b) = (format!("/api/v1/org-units/{a}"), format!("/api/v1/org-units/{b}"));
        let (ra, rb) = tokio::join!(
            app.patch(&path_a, Some(&admin.access), json!({"parentId": b})),
            app.patch(&path_b, Some(&admin.access), json!({"parentId": a})),
        );
        let statuses = [ra.status.as_u16(), rb.status.as_u16()];
        assert!(statuses.contains(&200) && statuses.contains(&409), "exactly one move wins: {statuses:?}");
    }
}
