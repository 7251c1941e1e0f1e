//! The city's org tree (centre → districts → town stations → community rooms, with closure
//! rows) and its people: administrators, social workers with their profiles, volunteers with
//! their service areas. Names are Chinese, phones unique mainland mobiles.

use super::writer::{FLUSH_ROWS, Writer};
use super::{Gen, Sizes};
use chrono::{Duration, NaiveDate};
use entity::org_unit::{self, OrgUnitKind};
use entity::social_worker_profile::{self, QualificationLevel};
use entity::user::{self, Locale, Role, UserStatus};
use entity::{org_unit_closure, volunteer_profile};
use sea_orm::ActiveValue::Set;
use sea_orm::DbErr;
use uuid::Uuid;

/// Suzhou's guidance centre; everything lies within ±0.35° latitude and ±0.45° longitude of it.
pub(super) const CENTRE: (f64, f64) = (31.30, 120.60);
const SPREAD: (f64, f64) = (0.35, 0.45);

const DISTRICTS: [&str; 10] =
    ["姑苏区", "虎丘区", "吴中区", "相城区", "吴江区", "工业园区", "常熟市", "张家港市", "昆山市", "太仓市"];
const PLACE: [&str; 32] = [
    "金", "枫", "桥", "湖", "山", "塘", "浜", "泾", "阳", "澄", "横", "胥", "东", "西", "南", "北", "沙", "溪", "平",
    "江", "虹", "梅", "竹", "莲", "石", "娄", "葑", "盘", "新", "白", "龙", "凤",
];
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "沈",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "文", "建", "国", "红", "玉", "兰", "志", "晨", "雨", "欣", "宇", "浩", "婷", "佳",
    "思", "怡",
];
const MOBILE_PREFIXES: [&str; 16] =
    ["135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "199"];

/// A community room, where people and tasks belong.
pub(crate) struct Room {
    pub id: Uuid,
    pub lat: f64,
    pub lng: f64,
    pub station: usize,
}

/// The built org tree and people.
pub(crate) struct City {
    pub admin_id: Uuid,
    pub admin_phone: String,
    pub stations: Vec<Uuid>,
    pub rooms: Vec<Room>,
    /// Social workers and their room.
    pub social_workers: Vec<(Uuid, usize)>,
    /// Social workers' indexes by station.
    pub workers_by_station: Vec<Vec<usize>>,
    /// Volunteers and their room.
    pub volunteers: Vec<(Uuid, usize)>,
}

fn near(g: &mut Gen, (lat, lng): (f64, f64), spread: f64) -> (f64, f64) {
    let lat = (lat + (g.unit() - 0.5) * 2.0 * spread).clamp(CENTRE.0 - SPREAD.0, CENTRE.0 + SPREAD.0);
    let lng = (lng + (g.unit() - 0.5) * 2.0 * spread).clamp(CENTRE.1 - SPREAD.1, CENTRE.1 + SPREAD.1);
    ((lat * 1e6).round() / 1e6, (lng * 1e6).round() / 1e6)
}

fn place_name(g: &mut Gen) -> String {
    format!("{}{}", g.pick(&PLACE), g.pick(&PLACE))
}

/// A Chinese name: a surname and one or two given characters.
pub(super) fn person_name(g: &mut Gen) -> String {
    let mut n = format!("{}{}", g.pick(&SURNAMES), g.pick(&GIVEN));
    if g.unit() < 0.6 {
        n.push_str(g.pick::<&str>(&GIVEN));
    }
    n
}

/// The `i`th person's phone: the 8 digits after the prefix are `i` times a number prime to 10⁸
/// (plus the seed), so no two people share one.
pub(super) fn phone(i: u64, salt: u64) -> String {
    let tail = (i.wrapping_mul(7_919).wrapping_add(salt)) % 100_000_000;
    let prefix = MOBILE_PREFIXES[(i.wrapping_mul(2_654_435_761) >> 7) as usize % MOBILE_PREFIXES.len()];
    format!("+86{prefix}{tail:08}")
}

/// The `i`th person's volunteer number, unique as the phone is.
fn volunteer_number(i: u64, salt: u64) -> String {
    format!("V1{:010}", (i.wrapping_mul(7_919).wrapping_add(salt)) % 10_000_000_000)
}

fn unit_row(
    g: &Gen,
    id: Uuid,
    parent: Option<Uuid>,
    kind: OrgUnitKind,
    name: String,
    at: (f64, f64),
) -> org_unit::ActiveModel {
    org_unit::ActiveModel {
        id: Set(id),
        parent_id: Set(parent),
        kind: Set(kind),
        name: Set(name),
        region_code: Set(None),
        address: Set(None),
        lat: Set(Some(at.0)),
        lng: Set(Some(at.1)),
        time_zone: Set("Asia/Shanghai".into()),
        person_in_charge: Set(None),
        contact_phone: Set(None),
        created_at: Set(g.now - Duration::days(1_100)),
        updated_at: Set(g.now - Duration::days(1_100)),
    }
}

fn closure(ancestor: Uuid, descendant: Uuid, depth: i32) -> org_unit_closure::ActiveModel {
    org_unit_closure::ActiveModel { ancestor_id: Set(ancestor), descendant_id: Set(descendant), depth: Set(depth) }
}

/// Writes the org tree and the people.
pub(super) async fn build(g: &mut Gen, w: &mut Writer<'_>, s: &Sizes, hash: &str) -> Result<City, DbErr> {
    let founded = g.now - Duration::days(1_100);
    let city_id = g.id(founded);
    let mut units = vec![unit_row(g, city_id, None, OrgUnitKind::CityCenter, "苏州市社会工作指导中心".into(), CENTRE)];
    let mut closures = vec![closure(city_id, city_id, 0)];
    let mut districts = Vec::with_capacity(s.districts);
    for d in 0..s.districts {
        let id = g.id(founded);
        let at = near(g, CENTRE, 0.3);
        let round = if d >= DISTRICTS.len() { format!("第{}片", d / DISTRICTS.len() + 1) } else { String::new() };
        let name = format!("{}{round}社会工作服务指导中心", DISTRICTS[d % DISTRICTS.len()]);
        units.push(unit_row(g, id, Some(city_id), OrgUnitKind::DistrictCenter, name, at));
        closures.extend([closure(id, id, 0), closure(city_id, id, 1)]);
        districts.push((id, at));
    }
    let mut stations = Vec::with_capacity(s.stations);
    let mut station_at = Vec::with_capacity(s.stations);
    for i in 0..s.stations {
        let (district, centre) = districts[i % districts.len()];
        let id = g.id(founded);
        let at = near(g, centre, 0.1);
        let name = format!("{}街道社工站", place_name(g));
        units.push(unit_row(g, id, Some(district), OrgUnitKind::TownStation, name, at));
        closures.extend([closure(id, id, 0), closure(district, id, 1), closure(city_id, id, 2)]);
        stations.push(id);
        station_at.push((district, at));
    }
    let mut rooms = Vec::with_capacity(s.rooms);
    for i in 0..s.rooms {
        let station = i % stations.len();
        let (district, centre) = station_at[station];
        let id = g.id(founded);
        let at = near(g, centre, 0.04);
        let name = format!("{}社区社工室", place_name(g));
        units.push(unit_row(g, id, Some(stations[station]), OrgUnitKind::CommunityRoom, name, at));
        closures.extend([
            closure(id, id, 0),
            closure(stations[station], id, 1),
            closure(district, id, 2),
            closure(city_id, id, 3),
        ]);
        rooms.push(Room { id, lat: at.0, lng: at.1, station });
    }
    // Parents before children: the list is in that order, and the foreign keys check it.
    w.put("org_units", units).await?;
    w.put("org_unit_closure", closures).await?;

    let mut next_person = 0u64;
    let mut person = |g: &mut Gen, role: Role, unit: Uuid| {
        let joined = g.now - Duration::days(30 + g.below(1_000) as i64);
        let i = next_person;
        next_person += 1;
        user::ActiveModel {
            id: Set(g.id(joined)),
            phone: Set(phone(i, g.salt)),
            name: Set(person_name(g)),
            password_hash: Set(hash.to_string()),
            role: Set(role),
            org_unit_id: Set(Some(unit)),
            status: Set(UserStatus::Active),
            locale: Set(Locale::ZhCn),
            time_zone: Set("Asia/Shanghai".into()),
            volunteer_number: Set(volunteer_number(i, g.salt)),
            token_version: Set(0),
            created_by: Set(None),
            created_at: Set(joined),
            updated_at: Set(joined),
        }
    };
    let admin = person(g, Role::CityAdmin, city_id);
    let (admin_id, admin_phone) = (*admin.id.as_ref(), admin.phone.as_ref().clone());
    let mut admins = vec![admin];
    for (d, _) in &districts {
        admins.push(person(g, Role::DistrictAdmin, *d));
    }
    for st in &stations {
        admins.push(person(g, Role::StationAdmin, *st));
    }
    w.put("users", admins).await?;

    let mut social_workers = Vec::with_capacity(s.social_workers);
    let mut workers_by_station = vec![Vec::new(); stations.len()];
    let mut batch = Vec::new();
    let mut profiles = Vec::new();
    for i in 0..s.social_workers {
        // Every room has a worker before any has two.
        let room = i % rooms.len();
        let row = person(g, Role::SocialWorker, rooms[room].id);
        let id = *row.id.as_ref();
        let level = match g.below(10) {
            0..=4 => QualificationLevel::AssistantSocialWorker,
            5..=8 => QualificationLevel::SocialWorker,
            _ => QualificationLevel::SeniorSocialWorker,
        };
        let since = NaiveDate::from_ymd_opt(2010 + g.below(15) as i32, 1 + g.below(12) as u32, 1);
        profiles.push(social_worker_profile::ActiveModel {
            user_id: Set(id),
            qualification_level: Set(Some(level)),
            employer_org_unit_id: Set(Some(stations[rooms[room].station])),
            front_line_since: Set(since),
            updated_at: Set(*row.created_at.as_ref()),
        });
        batch.push(row);
        workers_by_station[rooms[room].station].push(social_workers.len());
        social_workers.push((id, room));
        if batch.len() >= FLUSH_ROWS {
            w.put("users", std::mem::take(&mut batch)).await?;
            w.put("social_worker_profiles", std::mem::take(&mut profiles)).await?;
        }
    }
    w.put("users", std::mem::take(&mut batch)).await?;
    w.put("social_worker_profiles", std::mem::take(&mut profiles)).await?;

    let mut volunteers = Vec::with_capacity(s.volunteers);
    let mut profiles = Vec::new();
    for _ in 0..s.volunteers {
        let room = g.below(rooms.len());
        let row = person(g, Role::Volunteer, rooms[room].id);
        let id = *row.id.as_ref();
        let home = near(g, (rooms[room].lat, rooms[room].lng), 0.02);
        profiles.push(volunteer_profile::ActiveModel {
            user_id: Set(id),
            service_lat: Set(Some(home.0)),
            service_lng: Set(Some(home.1)),
            service_radius_km: Set(Some([3.0, 5.0, 10.0][g.below(3)])),
            bio: Set(None),
            updated_at: Set(*row.created_at.as_ref()),
        });
        batch.push(row);
        volunteers.push((id, room));
        if batch.len() >= FLUSH_ROWS {
            w.put("users", std::mem::take(&mut batch)).await?;
            w.put("volunteer_profiles", std::mem::take(&mut profiles)).await?;
        }
    }
    w.put("users", batch).await?;
    w.put("volunteer_profiles", profiles).await?;
    Ok(City { admin_id, admin_phone, stations, rooms, social_workers, workers_by_station, volunteers })
}
