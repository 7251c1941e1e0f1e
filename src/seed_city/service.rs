//! A year of service: tasks from 240 days ago to 125 days ahead, one day after another. Tasks
//! that ended are completed, with their sign-ups, attendance (checked in and out) and one
//! check-in hours entry per person who came (approved a week after, pending before); about one
//! sign-up in twenty is a no-show, with no attendance and no hours. Tasks to come are
//! published, with confirmed sign-ups filling part of their seats. Nobody is booked twice on
//! one day, so no two of a person's tasks overlap. Star awards (and their automatic honours)
//! are the levels each approved total reaches.

use super::city::City;
use super::writer::{FLUSH_ROWS, Writer};
use super::{Gen, Sizes};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use entity::attendance::{self, AttendanceMethod};
use entity::honour::{self, HonourStatus};
use entity::honour_programme::ProgrammeKind;
use entity::hours_entry::{self, HoursSource, HoursStatus};
use entity::signup::{self, SignupStatus};
use entity::star_award;
use entity::task::{self, ActionLine, CheckInMode, SignupMode, TaskStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::DbErr;
use std::collections::HashSet;

const DAYS_BACK: i64 = 240;
const DAYS: i64 = 365;
/// Approved a week after the task; younger entries still wait for a decision.
const DECIDED_AFTER_DAYS: i64 = 7;

const KINDS: [(ActionLine, &[&str]); 5] = [
    (ActionLine::Help, &["独居老人探访", "助餐送餐", "困境儿童课业辅导", "残疾人康复陪伴"]),
    (ActionLine::Governance, &["楼道议事会", "垃圾分类督导", "文明交通劝导", "社区协商会服务"]),
    (ActionLine::Epidemic, &["健康义诊", "疫苗接种引导", "防疫知识宣传"]),
    (ActionLine::Home, &["河道清洁", "小区绿化养护", "旧物改造集市", "邻里节"]),
    (ActionLine::Rescue, &["防汛值守", "应急救护培训", "消防安全巡查"]),
];

/// What the service left for later parts: approved minutes by volunteer index.
pub(crate) struct Served {
    pub approved_minutes: Vec<i64>,
}

struct Slot {
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    day: i64,
}

fn local(day: NaiveDate, minutes: i64) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
    Shanghai.from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc)).unwrap_or_else(|| naive.and_utc())
}

/// Picks a volunteer not yet booked on this day; a twentieth of them (the keen ones) take a
/// quarter of the places, as in real volunteer rolls.
fn pick(g: &mut Gen, used: &mut HashSet<usize>, volunteers: usize) -> Option<usize> {
    let keen = (volunteers / 20).max(1);
    for _ in 0..40 {
        let i = if g.unit() < 0.25 { g.below(keen) } else { g.below(volunteers) };
        if used.insert(i) {
            return Some(i);
        }
    }
    None
}

#[derive(Default)]
struct Batch {
    tasks: Vec<task::ActiveModel>,
    signups: Vec<signup::ActiveModel>,
    attendance: Vec<attendance::ActiveModel>,
    hours: Vec<hours_entry::ActiveModel>,
}

impl Batch {
    async fn flush(&mut self, w: &mut Writer<'_>) -> Result<(), DbErr> {
        w.put("tasks", std::mem::take(&mut self.tasks)).await?;
        w.put("signups", std::mem::take(&mut self.signups)).await?;
        w.put("attendance", std::mem::take(&mut self.attendance)).await?;
        w.put("hours_entries", std::mem::take(&mut self.hours)).await
    }
}

/// Writes the tasks, sign-ups, attendance, hours and star awards.
pub(super) async fn build(
    g: &mut Gen,
    w: &mut Writer<'_>,
    s: &Sizes,
    city: &City,
    ladder: &[u32],
) -> Result<Served, DbErr> {
    let today = g.now.with_timezone(&Shanghai).date_naive();
    let first = today - Duration::days(DAYS_BACK);
    let slots: Vec<Slot> = (0..s.tasks)
        .map(|i| {
            let day = i as i64 * DAYS / s.tasks as i64;
            let start = (8 * 60 + 30 * g.below(17)) as i64;
            let length = (120 + 30 * g.below(5)) as i64;
            let date = first + Duration::days(day);
            Slot { starts: local(date, start), ends: local(date, start + length), day }
        })
        .collect();
    let past = slots.iter().filter(|t| t.ends < g.now).count().max(1);
    let volunteers = city.volunteers.len();
    let mut approved_minutes = vec![0i64; volunteers];
    let mut batch = Batch::default();
    let mut used = HashSet::new();
    let mut day = -1;
    let mut past_seen = 0;
    for (i, slot) in slots.iter().enumerate() {
        if slot.day != day {
            day = slot.day;
            used.clear();
        }
        let room = &city.rooms[g.below(city.rooms.len())];
        let workers = &city.workers_by_station[room.station];
        let organiser = if workers.is_empty() { city.admin_id } else { city.social_workers[*g.pick(workers)].0 };
        let created = (slot.starts - Duration::days(5 + g.below(25) as i64)).min(g.now - Duration::hours(1));
        let id = g.id(created);
        let ended = slot.ends < g.now;
        // Seats: where the task ended, as many came as the year's hours need; ahead, part taken.
        let (came, no_shows, capacity) = if ended {
            let came = s.hours_entries / past + usize::from(past_seen < s.hours_entries % past);
            past_seen += 1;
            let no_shows = came / 20;
            (came, no_shows, (came + no_shows + g.below(4)).max(1))
        } else {
            let capacity = 10 + g.below(31);
            (0, 0, capacity)
        };
        let wanted = if ended { came + no_shows } else { g.below(capacity + 1) };
        let (line, titles) = g.pick(&KINDS);
        let (line, title) = (*line, format!("{}·{}", g.pick(titles), i + 1));
        let mut filled = 0;
        for seat in 0..wanted {
            let Some(v) = pick(g, &mut used, volunteers) else { break };
            let volunteer = city.volunteers[v].0;
            let signed = (created + Duration::hours(1 + g.below(72) as i64)).min(slot.starts);
            let signup_id = g.id(signed);
            let no_show = ended && seat >= came;
            batch.signups.push(signup::ActiveModel {
                id: Set(signup_id),
                task_id: Set(id),
                volunteer_id: Set(volunteer),
                status: Set(SignupStatus::Confirmed),
                position: Set(None),
                late_cancellation: Set(false),
                no_show: Set(no_show),
                reason: Set(None),
                decided_by: Set(None),
                confirmed_attendance_at: Set(None),
                created_at: Set(signed),
                updated_at: Set(if ended { slot.ends } else { signed }),
            });
            filled += 1;
            if !ended || no_show {
                continue;
            }
            let arrived = slot.starts - Duration::minutes(g.below(10) as i64);
            let left = slot.ends + Duration::minutes(g.below(10) as i64);
            batch.attendance.push(attendance::ActiveModel {
                signup_id: Set(signup_id),
                task_id: Set(id),
                volunteer_id: Set(volunteer),
                checked_in_at: Set(arrived),
                check_in_method: Set(AttendanceMethod::Code),
                check_in_lat: Set(Some(room.lat)),
                check_in_lng: Set(Some(room.lng)),
                checked_out_at: Set(Some(left)),
                check_out_method: Set(Some(AttendanceMethod::Code)),
                check_out_lat: Set(Some(room.lat)),
                check_out_lng: Set(Some(room.lng)),
                manual_reason: Set(None),
                recorded_by: Set(None),
            });
            let minutes = (slot.ends - slot.starts).num_minutes();
            let decided = slot.ends + Duration::days(DECIDED_AFTER_DAYS) <= g.now;
            if decided {
                approved_minutes[v] += minutes;
            }
            batch.hours.push(hours_entry::ActiveModel {
                id: Set(g.id(left)),
                volunteer_id: Set(volunteer),
                task_id: Set(Some(id)),
                org_unit_id: Set(room.id),
                source: Set(HoursSource::CheckIn),
                minutes: Set(minutes as i32),
                status: Set(if decided { HoursStatus::Approved } else { HoursStatus::Pending }),
                service_date: Set(slot.starts.with_timezone(&Shanghai).date_naive()),
                description: Set(None),
                adjusts_id: Set(None),
                reason: Set(None),
                flagged: Set(false),
                disputed_at: Set(None),
                dispute_comment: Set(None),
                created_by: Set(volunteer),
                decided_by: Set(decided.then_some(organiser)),
                decided_at: Set(decided.then(|| slot.ends + Duration::days(2))),
                created_at: Set(left),
                entry_key: Set(Some(format!("stay:{signup_id}"))),
            });
        }
        batch.tasks.push(task::ActiveModel {
            project_id: Set(None),
            id: Set(id),
            org_unit_id: Set(room.id),
            title: Set(title),
            description: Set(format!("{}，请准时到达社工室签到。", line_words(line))),
            action_line: Set(line),
            address: Set(None),
            lat: Set(Some(room.lat)),
            lng: Set(Some(room.lng)),
            check_in_radius_m: Set(300),
            starts_at: Set(slot.starts),
            ends_at: Set(slot.ends),
            capacity: Set(capacity.max(filled) as i32),
            filled: Set(filled as i32),
            waitlist_seq: Set(0),
            min_headcount: Set(None),
            signup_deadline: Set(slot.starts),
            cancel_cutoff_hours: Set(2),
            leader_id: Set(Some(organiser).filter(|o| *o != city.admin_id)),
            requires_insurance: Set(false),
            insurance_policy_ref: Set(None),
            signup_mode: Set(SignupMode::Open),
            min_presence_pct: Set(60),
            skills_required_for_signup: Set(false),
            check_in_mode: Set(CheckInMode::Code),
            status: Set(if ended { TaskStatus::Completed } else { TaskStatus::Published }),
            cancel_reason: Set(None),
            created_by: Set(organiser),
            published_at: Set(Some(created)),
            created_at: Set(created),
            updated_at: Set(if ended { slot.ends } else { created }),
        });
        if batch.signups.len() >= FLUSH_ROWS {
            batch.flush(w).await?;
        }
    }
    batch.flush(w).await?;
    stars(g, w, city, &approved_minutes, ladder).await?;
    Ok(Served { approved_minutes })
}

fn line_words(line: ActionLine) -> &'static str {
    match line {
        ActionLine::Help => "帮扶困难群众",
        ActionLine::Governance => "参与社区治理",
        ActionLine::Epidemic => "协助卫生防疫",
        ActionLine::Home => "共建美好家园",
        ActionLine::Rescue => "应急救援保障",
        ActionLine::Other => "志愿服务",
    }
}

/// The star levels each approved total reaches, and the automatic honour of each.
async fn stars(g: &mut Gen, w: &mut Writer<'_>, city: &City, minutes: &[i64], ladder: &[u32]) -> Result<(), DbErr> {
    let year = g.now.with_timezone(&Shanghai).year();
    let mut awards = Vec::new();
    let mut honours = Vec::new();
    for (v, total) in minutes.iter().enumerate() {
        let level = crate::domain::volunteering::stars::stars(ladder, *total).level;
        let volunteer = city.volunteers[v].0;
        for l in 1..=level {
            awards.push(star_award::ActiveModel {
                volunteer_id: Set(volunteer),
                level: Set(l),
                minutes: Set(*total as i32),
                reached_at: Set(g.now),
            });
            honours.push(honour::ActiveModel {
                id: Set(g.id(g.now)),
                programme_id: Set(None),
                nomination_id: Set(None),
                recipient_id: Set(volunteer),
                kind: Set(ProgrammeKind::StarVolunteer),
                year: Set(year),
                title: Set(format!("{l}星志愿者")),
                citation: Set(format!("累计志愿服务时长达到{l}星级标准")),
                status: Set(HonourStatus::Published),
                auto_key: Set(Some(format!("star:{volunteer}:{l}"))),
                reason: Set(None),
                created_at: Set(g.now),
                published_at: Set(Some(g.now)),
                ended_at: Set(None),
            });
        }
    }
    w.put("star_awards", awards).await?;
    w.put("honours", honours).await
}
