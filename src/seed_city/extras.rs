//! The rest of a lived-in city: a year of inbox messages (most of them read), mentoring pairs
//! (one active mentor per volunteer, mentor loads to match) and award programmes of the last
//! two years (published, with one nomination per station within its quota and the honours
//! awarded) and of this year (taking nominations).

use super::city::City;
use super::service::Served;
use super::writer::{FLUSH_ROWS, Writer};
use super::{Gen, Sizes};
use crate::domain::honours::default_criteria;
use crate::domain::honours::eligibility::{HoursPeriod, Rule};
use crate::domain::mentoring::progress::{Goal, GoalStatus};
use crate::state::AppState;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use entity::honour::{self, HonourStatus};
use entity::honour_nomination::{self, NominationStatus};
use entity::honour_programme::{self, ProgrammeKind, ProgrammeState};
use entity::mentoring_pairing::{self, PairingStatus};
use entity::notification::{self, Category};
use entity::social_worker_profile::QualificationLevel;
use entity::user::Role;
use entity::{honour_quota_use, mentor_load};
use sea_orm::ActiveValue::Set;
use sea_orm::DbErr;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const MESSAGES: [(Category, &str, &str, &str); 6] = [
    (Category::TaskReminder, "task.reminder", "活动提醒", "您报名的志愿活动明天开始，请准时签到。"),
    (Category::Announcement, "announcement", "社区通知", "本周六上午在社工室开展邻里节活动，欢迎参加。"),
    (Category::TaskChange, "task.changed", "活动变更", "您报名的活动时间有调整，请查看详情。"),
    (Category::Honour, "honour.notice", "表彰公示", "年度表彰名单正在公示，欢迎监督。"),
    (Category::Mentoring, "mentoring.digest", "结对周报", "本周结对督导记录已汇总。"),
    (Category::System, "system.welcome", "欢迎加入", "欢迎加入五社联动志愿服务平台。"),
];

/// Writes the inbox, the mentoring pairs and the award programmes.
pub(super) async fn build(
    g: &mut Gen,
    w: &mut Writer<'_>,
    s: &Sizes,
    city: &City,
    served: &Served,
    state: &AppState,
) -> Result<(), DbErr> {
    inbox(g, w, s, city).await?;
    pairs(g, w, s, city, state).await?;
    honours(g, w, city, served).await
}

async fn inbox(g: &mut Gen, w: &mut Writer<'_>, s: &Sizes, city: &City) -> Result<(), DbErr> {
    let mut rows = Vec::with_capacity(FLUSH_ROWS.min(s.inbox));
    for i in 0..s.inbox {
        let user = if g.unit() < 0.9 || city.social_workers.is_empty() {
            city.volunteers[g.below(city.volunteers.len())].0
        } else {
            city.social_workers[g.below(city.social_workers.len())].0
        };
        let (category, template, title, body) = *g.pick(&MESSAGES);
        let at = g.now - Duration::minutes(g.below(365 * 24 * 60) as i64);
        let read = at < g.now - Duration::days(3) && g.unit() < 0.8;
        rows.push(notification::ActiveModel {
            id: Set(g.id(at)),
            user_id: Set(user),
            category: Set(category),
            template: Set(template.into()),
            title: Set(title.into()),
            body: Set(body.into()),
            data: Set("{}".into()),
            dedupe_key: Set(format!("city:{i}")),
            created_at: Set(at),
            updated_at: Set(at),
            read_at: Set(read.then(|| at + Duration::hours(2))),
        });
        if rows.len() >= FLUSH_ROWS {
            w.put("notifications", std::mem::take(&mut rows)).await?;
        }
    }
    w.put("notifications", rows).await
}

async fn pairs(g: &mut Gen, w: &mut Writer<'_>, s: &Sizes, city: &City, state: &AppState) -> Result<(), DbErr> {
    if city.social_workers.is_empty() {
        return Ok(());
    }
    let cfg = &state.config.mentoring;
    let goals = serde_json::to_string(&[
        Goal { title: "熟悉社区服务流程".into(), status: GoalStatus::Met },
        Goal { title: "独立组织一次活动".into(), status: GoalStatus::InProgress },
    ])
    .unwrap_or_else(|_| "[]".into());
    let mut mentees = HashSet::new();
    let mut loads: HashMap<Uuid, i32> = HashMap::new();
    let mut rows = Vec::with_capacity(s.pairs);
    for i in 0..s.pairs.min(city.volunteers.len()) {
        let mentor = city.social_workers[i % city.social_workers.len()].0;
        let mentee = loop {
            let v = g.below(city.volunteers.len());
            if mentees.insert(v) {
                break city.volunteers[v].0;
            }
        };
        let since = g.now - Duration::days(7 + g.below(300) as i64);
        *loads.entry(mentor).or_default() += 1;
        rows.push(mentoring_pairing::ActiveModel {
            id: Set(g.id(since)),
            mentor_id: Set(mentor),
            mentee_id: Set(mentee),
            status: Set(PairingStatus::Active),
            proposed_by: Set(mentor),
            mentor_accepted_at: Set(Some(since)),
            mentee_accepted_at: Set(Some(since)),
            active_mentee_id: Set(Some(mentee)),
            open_pair: Set(Some(format!("{mentor}:{mentee}"))),
            goals: Set(goals.clone()),
            graduation_sessions: Set(cfg.graduation_sessions as i32),
            graduation_minutes: Set((cfg.graduation_hours * 60) as i32),
            graduated_at: Set(None),
            activated_at: Set(Some(since)),
            ended_at: Set(None),
            ended_by: Set(None),
            end_reason: Set(None),
            created_at: Set(since),
            updated_at: Set(since),
        });
    }
    w.put("mentoring_pairings", rows).await?;
    let mut loads: Vec<_> = loads.into_iter().collect();
    loads.sort();
    let rows = loads
        .into_iter()
        .map(|(mentor_id, n)| mentor_load::ActiveModel {
            mentor_id: Set(mentor_id),
            active_mentees: Set(n),
            updated_at: Set(g.now),
        })
        .collect();
    w.put("mentor_loads", rows).await
}

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Shanghai.with_ymd_and_hms(year, month, day, 9, 0, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

async fn honours(g: &mut Gen, w: &mut Writer<'_>, city: &City, served: &Served) -> Result<(), DbErr> {
    let this_year = g.now.with_timezone(&Shanghai).year();
    let awards = (city.stations.len() / 10).max(1) as i32;
    let kinds = [
        (ProgrammeKind::LeadingTalent, Role::SocialWorker, "社会工作领军人才", Rule::FrontLineYears { years: 5 }),
        (
            ProgrammeKind::MostBeautifulSocialWorker,
            Role::SocialWorker,
            "最美社工",
            Rule::MinSocialWorkLevel { level: QualificationLevel::SocialWorker },
        ),
        (
            ProgrammeKind::StarVolunteer,
            Role::Volunteer,
            "星级志愿者",
            Rule::MinVolunteerHours { hours: 100, period: HoursPeriod::AllTime },
        ),
    ];
    // Volunteers by station, keenest first, for the volunteer programme's nominees.
    let mut by_station: Vec<Vec<usize>> = vec![Vec::new(); city.stations.len()];
    for (v, (_, room)) in city.volunteers.iter().enumerate() {
        by_station[city.rooms[*room].station].push(v);
    }
    for list in &mut by_station {
        list.sort_by_key(|v| std::cmp::Reverse(served.approved_minutes[*v]));
    }
    let (mut programmes, mut nominations, mut quotas, mut awarded) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for year in [this_year - 2, this_year - 1, this_year] {
        let current = year == this_year;
        for (kind, role, title, rule) in &kinds {
            let (opens, closes, review) = if current {
                (g.now - Duration::days(20), g.now + Duration::days(20), g.now + Duration::days(50))
            } else {
                (at(year, 3, 1), at(year, 4, 30), at(year, 5, 31))
            };
            let name = format!("{year}年度苏州市{title}");
            let id = g.id(opens - Duration::days(10));
            programmes.push(honour_programme::ActiveModel {
                id: Set(id),
                name: Set(name.clone()),
                kind: Set(*kind),
                year: Set(year),
                nominee_role: Set(Some(*role)),
                nomination_opens_at: Set(opens),
                nomination_closes_at: Set(closes),
                review_closes_at: Set(review),
                awards: Set(awards),
                station_quota: Set(1),
                notice_working_days: Set(5),
                time_zone: Set("Asia/Shanghai".into()),
                rules: Set(serde_json::json!([rule])),
                criteria: Set(serde_json::to_value(default_criteria()).unwrap_or_default()),
                state: Set(if current { ProgrammeState::Nominating } else { ProgrammeState::Published }),
                notice_starts_at: Set((!current).then(|| at(year, 6, 3))),
                notice_ends_at: Set((!current).then(|| at(year, 6, 10))),
                cancel_reason: Set(None),
                created_by: Set(city.admin_id),
                created_at: Set(opens - Duration::days(10)),
                updated_at: Set(if current { opens } else { at(year, 6, 10) }),
            });
            let mut count = 0;
            for (station, station_id) in city.stations.iter().enumerate() {
                let nominee = match role {
                    Role::Volunteer => {
                        by_station[station].get((year - this_year + 2) as usize).map(|v| city.volunteers[*v].0)
                    }
                    _ => city.workers_by_station[station].first().map(|w| city.social_workers[*w].0),
                };
                let Some(nominee) = nominee else { continue };
                let status = match (current, count < awards) {
                    (true, _) => NominationStatus::Nominated,
                    (false, true) => NominationStatus::Awarded,
                    (false, false) => NominationStatus::NotAwarded,
                };
                let nomination_id = g.id(opens + Duration::days(3));
                nominations.push(honour_nomination::ActiveModel {
                    id: Set(nomination_id),
                    programme_id: Set(id),
                    nominee_id: Set(nominee),
                    nominee_station_id: Set(Some(*station_id)),
                    nominator_id: Set(city.admin_id),
                    quota_station_id: Set(Some(*station_id)),
                    statement: Set("扎根社区，服务群众，事迹突出。".into()),
                    evidence: Set(serde_json::json!([])),
                    evaluation: Set(serde_json::json!([])),
                    override_reason: Set(None),
                    status: Set(status),
                    decline_reason: Set(None),
                    created_at: Set(opens + Duration::days(3)),
                    updated_at: Set(opens + Duration::days(3)),
                });
                quotas.push(honour_quota_use::ActiveModel {
                    programme_id: Set(id),
                    station_id: Set(*station_id),
                    used: Set(1),
                });
                if status == NominationStatus::Awarded {
                    awarded.push(honour::ActiveModel {
                        id: Set(g.id(at(year, 6, 10))),
                        programme_id: Set(Some(id)),
                        nomination_id: Set(Some(nomination_id)),
                        recipient_id: Set(nominee),
                        kind: Set(*kind),
                        year: Set(year),
                        title: Set(name.clone()),
                        citation: Set("经推荐、评审、公示，授予此荣誉。".into()),
                        status: Set(HonourStatus::Published),
                        auto_key: Set(None),
                        reason: Set(None),
                        created_at: Set(at(year, 6, 1)),
                        published_at: Set(Some(at(year, 6, 10))),
                        ended_at: Set(None),
                    });
                }
                count += 1;
            }
        }
    }
    w.put("honour_programmes", programmes).await?;
    w.put("honour_nominations", nominations).await?;
    w.put("honour_quota_uses", quotas).await?;
    w.put("honours", awarded).await
}
