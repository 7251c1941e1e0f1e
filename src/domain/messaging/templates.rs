//! Message texts: every inbox message comes from a template here, in the person's locale (zh-CN
//! or en), with `{name}` placeholders filled from the message's parameters. Push texts are
//! generic per category: pushes cross borders (FCM), so they never carry names, places or times.
//!
//! Adding a message: add a [`Template`] to [`TEMPLATES`] with both languages; a unit test checks
//! that every template has both and that its placeholders are declared.

use crate::domain::messaging::notifications::Category;
use entity::user::Locale;
use std::collections::BTreeMap;

/// One message text in both languages.
pub struct Template {
    pub id: &'static str,
    /// Placeholders the text uses; each must be given.
    pub params: &'static [&'static str],
    pub zh_title: &'static str,
    pub zh_body: &'static str,
    pub en_title: &'static str,
    pub en_body: &'static str,
}

/// Every template.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "announcement",
        params: &["title", "body"],
        zh_title: "{title}",
        zh_body: "{body}",
        en_title: "{title}",
        en_body: "{body}",
    },
    Template {
        id: "task.reminder_24h",
        params: &["task", "start"],
        zh_title: "明天的志愿服务",
        zh_body: "您报名的「{task}」将于 {start} 开始，请准时参加。",
        en_title: "Volunteering tomorrow",
        en_body: "\"{task}\", which you signed up for, starts at {start}.",
    },
    Template {
        id: "task.reminder_1h",
        params: &["task", "start"],
        zh_title: "志愿服务即将开始",
        zh_body: "「{task}」将于 {start} 开始。",
        en_title: "Volunteering starts soon",
        en_body: "\"{task}\" starts at {start}.",
    },
    Template {
        id: "task.cancelled",
        params: &["task"],
        zh_title: "活动已取消",
        zh_body: "您报名的「{task}」已取消。",
        en_title: "Task cancelled",
        en_body: "\"{task}\", which you signed up for, has been cancelled.",
    },
    Template {
        id: "rescue.callout",
        params: &["place"],
        zh_title: "应急救援集结",
        zh_body: "{place} 需要救援志愿者，请立即查看。",
        en_title: "Emergency call-out",
        en_body: "Rescue volunteers are needed at {place}. Please respond now.",
    },
    Template {
        id: "task.reminder_checkout",
        params: &["task", "end"],
        zh_title: "别忘了签退",
        zh_body: "「{task}」将于 {end} 结束，离开前请签退，以便记录服务时长。",
        en_title: "Remember to check out",
        en_body: "\"{task}\" ends at {end}. Check out before you leave so your hours are recorded.",
    },
    Template {
        id: "task.moved",
        params: &["task", "start", "place"],
        zh_title: "活动时间或地点有变",
        zh_body: "您报名的「{task}」已调整：{start}，{place}。提醒会按新时间发送。",
        en_title: "Task moved",
        en_body: "\"{task}\", which you signed up for, now starts at {start}, at {place}. Reminders follow the new time.",
    },
    Template {
        id: "task.cancelled_with_reason",
        params: &["task", "reason"],
        zh_title: "活动已取消",
        zh_body: "您报名的「{task}」已取消。原因：{reason}",
        en_title: "Task cancelled",
        en_body: "\"{task}\", which you signed up for, has been cancelled: {reason}",
    },
    Template {
        id: "task.message",
        params: &["task", "text"],
        zh_title: "「{task}」组织者留言",
        zh_body: "{text}",
        en_title: "From the organiser of \"{task}\"",
        en_body: "{text}",
    },
    Template {
        id: "task.seat_confirmed",
        params: &["task", "start"],
        zh_title: "候补成功",
        zh_body: "「{task}」有名额空出，您已从候补转为正式报名，{start} 开始。",
        en_title: "You have a seat",
        en_body: "A seat on \"{task}\" freed up and is yours now. It starts at {start}.",
    },
    Template {
        id: "task.signup_approved",
        params: &["task", "start"],
        zh_title: "报名已通过",
        zh_body: "您报名的「{task}」已通过审核，{start} 开始。",
        en_title: "Sign-up approved",
        en_body: "Your sign-up for \"{task}\" was approved. It starts at {start}.",
    },
    Template {
        id: "task.signup_waitlisted",
        params: &["task"],
        zh_title: "报名已通过，正在候补",
        zh_body: "您报名的「{task}」已通过审核，目前名额已满，您在候补名单中，有空位时会通知您。",
        en_title: "Sign-up approved: on the waitlist",
        en_body: "Your sign-up for \"{task}\" was approved; the task is full, so you are on the waitlist.",
    },
    Template {
        id: "task.signup_denied",
        params: &["task", "reason"],
        zh_title: "报名未通过",
        zh_body: "您报名的「{task}」未通过审核。原因：{reason}",
        en_title: "Sign-up not accepted",
        en_body: "Your sign-up for \"{task}\" was not accepted: {reason}",
    },
    Template {
        id: "task.signup_removed",
        params: &["task", "reason"],
        zh_title: "您已被移出活动",
        zh_body: "组织者已将您移出「{task}」。原因：{reason}",
        en_title: "Removed from a task",
        en_body: "The organiser removed you from \"{task}\": {reason}",
    },
    Template {
        id: "task.dispatch",
        params: &["task", "start", "place"],
        zh_title: "新的志愿服务",
        zh_body: "「{task}」正在招募志愿者：{start}，{place}。",
        en_title: "New volunteering task",
        en_body: "\"{task}\" needs volunteers: {start}, at {place}.",
    },
    Template {
        id: "task.cover_offer",
        params: &["task", "start", "place"],
        zh_title: "急需补位",
        zh_body: "「{task}」空出一个名额（{start}，{place}），先接受者得。",
        en_title: "A seat is free",
        en_body: "A seat on \"{task}\" ({start}, at {place}) is free: the first to accept gets it.",
    },
    Template {
        id: "task.guardian_withdrawn",
        params: &["task", "volunteer"],
        zh_title: "报名已取消",
        zh_body: "「{task}」的志愿者{volunteer}的监护人撤回了同意，其报名已取消。",
        en_title: "Sign-up cancelled",
        en_body: "The guardian of {volunteer} withdrew their consent; their sign-up for \"{task}\" is cancelled.",
    },
    Template {
        id: "identity.dispute_claimant",
        params: &[],
        zh_title: "实名信息待核实",
        zh_body: "您登记的身份证号已由另一账户登记，市级管理员将核实后处理，结果会通知您。",
        en_title: "Identity under review",
        en_body: "The identity number you recorded is held by another account; a city administrator will review it and tell you the outcome.",
    },
    Template {
        id: "identity.dispute_holder",
        params: &[],
        zh_title: "实名信息待核实",
        zh_body: "另一账户登记了与您相同的身份证号，市级管理员将核实后处理，结果会通知您。",
        en_title: "Identity under review",
        en_body: "Another account recorded the same identity number as yours; a city administrator will review it and tell you the outcome.",
    },
    Template {
        id: "identity.dispute_decided",
        params: &[],
        zh_title: "实名核实已完成",
        zh_body: "市级管理员已完成对您身份证号登记的核实，请在“我的”中查看实名信息。",
        en_title: "Identity review done",
        en_body: "A city administrator has decided the review of your identity number; see your real-name details in the app.",
    },
    Template {
        id: "hours.approved",
        params: &["count", "hours"],
        zh_title: "服务时长已确认",
        zh_body: "您的{count}条服务记录已审核通过，共{hours}小时。",
        en_title: "Hours approved",
        en_body: "{count} of your service entries were approved: {hours} hours in all.",
    },
    Template {
        id: "hours.declined",
        params: &["count", "hours", "reason"],
        zh_title: "服务时长未通过",
        zh_body: "您的{count}条服务记录（共{hours}小时）未通过审核：{reason}。如有异议可提出申诉。",
        en_title: "Hours declined",
        en_body: "{count} of your service entries ({hours} hours) were declined: {reason}. You may dispute them.",
    },
    Template {
        id: "hours.corrected",
        params: &["change", "reason"],
        zh_title: "服务时长已更正",
        zh_body: "您的一条服务记录已更正（{change}小时）：{reason}。",
        en_title: "Hours corrected",
        en_body: "One of your service entries was corrected ({change} hours): {reason}.",
    },
    Template {
        id: "hours.disputed",
        params: &["hours", "date"],
        zh_title: "服务时长有申诉",
        zh_body: "一位志愿者对{date}的服务记录（{hours}小时）提出了申诉，请在审核列表中查看。",
        en_title: "Hours disputed",
        en_body: "A volunteer disputed their entry of {date} ({hours} hours); see the review list.",
    },
    Template {
        id: "task.cover_taken",
        params: &["task"],
        zh_title: "名额已被认领",
        zh_body: "「{task}」空出的名额已有人接受，感谢您的关注。",
        en_title: "Seat taken",
        en_body: "The free seat on \"{task}\" has been taken. Thank you all the same.",
    },
    Template {
        id: "task.below_minimum",
        params: &["task", "start", "confirmed", "minimum"],
        zh_title: "报名人数不足",
        zh_body: "「{task}」（{start} 开始）目前只有 {confirmed} 人确认，低于最少 {minimum} 人。",
        en_title: "Too few volunteers",
        en_body: "\"{task}\" (starts {start}) has {confirmed} confirmed, below its minimum of {minimum}.",
    },
    Template {
        id: "star.reached",
        params: &["level"],
        zh_title: "星级志愿者",
        zh_body: "恭喜！您的志愿服务时长已达到{level}星级志愿者标准。",
        en_title: "Star level reached",
        en_body: "Congratulations: your service hours have reached star level {level}.",
    },
    Template {
        id: "system.message",
        params: &["text"],
        zh_title: "系统通知",
        zh_body: "{text}",
        en_title: "Notice",
        en_body: "{text}",
    },
    Template {
        id: "honour.call",
        params: &["programme"],
        zh_title: "征集推荐",
        zh_body: "「{programme}」开始接受推荐，请在推荐期内按名额推荐。",
        en_title: "Nominations open",
        en_body: "\"{programme}\" is taking nominations within your station's quota.",
    },
    Template {
        id: "honour.nominated",
        params: &["programme"],
        zh_title: "您被推荐参评",
        zh_body: "您已被推荐参加「{programme}」评选；如不愿参评，可在应用中谢绝。",
        en_title: "You have been nominated",
        en_body: "You have been nominated for \"{programme}\"; you may decline in the app.",
    },
    Template {
        id: "honour.declined",
        params: &["programme"],
        zh_title: "被推荐人谢绝参评",
        zh_body: "您在「{programme}」中推荐的人选已谢绝参评。",
        en_title: "Nomination declined",
        en_body: "A person you nominated for \"{programme}\" has declined.",
    },
    Template {
        id: "honour.reviewer_appointed",
        params: &["programme"],
        zh_title: "评审邀请",
        zh_body: "您已被聘为「{programme}」评审专家。",
        en_title: "Panel appointment",
        en_body: "You have been appointed to the panel of \"{programme}\".",
    },
    Template {
        id: "honour.review_open",
        params: &["programme"],
        zh_title: "评审开始",
        zh_body: "「{programme}」进入评审阶段，请在评审期内完成评分。",
        en_title: "Review open",
        en_body: "\"{programme}\" is under review; please score the nominations.",
    },
    Template {
        id: "honour.decided",
        params: &["programme"],
        zh_title: "评选结果已确定",
        zh_body: "「{programme}」评选结果已确定，即将公示。",
        en_title: "Decision made",
        en_body: "The decision on \"{programme}\" has been made; a public notice follows.",
    },
    Template {
        id: "honour.notice",
        params: &["programme"],
        zh_title: "评选结果公示",
        zh_body: "「{programme}」拟表彰名单正在公示。",
        en_title: "Public notice",
        en_body: "The proposed awards of \"{programme}\" are in public notice.",
    },
    Template {
        id: "honour.published",
        params: &["programme"],
        zh_title: "表彰结果发布",
        zh_body: "「{programme}」表彰结果已正式发布。",
        en_title: "Awards published",
        en_body: "The awards of \"{programme}\" have been published.",
    },
    Template {
        id: "honour.objection_filed",
        params: &["programme"],
        zh_title: "收到公示异议",
        zh_body: "「{programme}」公示期间收到一条异议，请及时处理。",
        en_title: "Objection filed",
        en_body: "An objection to \"{programme}\" has been filed.",
    },
    Template {
        id: "honour.objection_resolved",
        params: &["programme"],
        zh_title: "异议处理结果",
        zh_body: "您对「{programme}」提出的异议已处理。",
        en_title: "Objection resolved",
        en_body: "Your objection to \"{programme}\" has been resolved.",
    },
    Template {
        id: "honour.withdrawn",
        params: &["programme"],
        zh_title: "表彰已撤回",
        zh_body: "您在「{programme}」中的拟表彰经核实已撤回。",
        en_title: "Award withdrawn",
        en_body: "Your proposed award in \"{programme}\" has been withdrawn.",
    },
    Template {
        id: "honour.cancelled",
        params: &["programme", "reason"],
        zh_title: "评选已取消",
        zh_body: "「{programme}」评选已取消。原因：{reason}",
        en_title: "Programme cancelled",
        en_body: "The programme \"{programme}\" has been cancelled. Reason: {reason}",
    },
    Template {
        id: "honour.rules_corrected",
        params: &["programme", "reason"],
        zh_title: "评选条件已更正",
        zh_body: "「{programme}」的评选条件已更正（{reason}），您推荐的人选按更正后的条件已不符合，请查看。",
        en_title: "Programme rules corrected",
        en_body: "The rules of \"{programme}\" were corrected ({reason}); your nominee no longer meets them. Please review the nomination.",
    },
    Template {
        id: "honour.revoked",
        params: &["programme"],
        zh_title: "荣誉已撤销",
        zh_body: "您的荣誉「{programme}」已被撤销。",
        en_title: "Honour revoked",
        en_body: "Your honour \"{programme}\" has been revoked.",
    },
    Template {
        id: "mentoring.proposed",
        params: &[],
        zh_title: "传帮带结对邀请",
        zh_body: "您收到一个「社工+志愿者」结对邀请，请在应用中查看并回复。",
        en_title: "Mentoring pairing proposed",
        en_body: "You have been proposed for a mentoring pairing. Open the app to answer.",
    },
    Template {
        id: "mentoring.accepted",
        params: &[],
        zh_title: "结对已生效",
        zh_body: "您的传帮带结对已双方确认，现已生效。",
        en_title: "Pairing active",
        en_body: "Your mentoring pairing has been accepted and is now active.",
    },
    Template {
        id: "mentoring.declined",
        params: &[],
        zh_title: "结对未成立",
        zh_body: "您参与的传帮带结对邀请已被婉拒。",
        en_title: "Pairing declined",
        en_body: "A mentoring pairing you were part of was declined.",
    },
    Template {
        id: "mentoring.ended",
        params: &[],
        zh_title: "结对已结束",
        zh_body: "您的传帮带结对已结束，记录仍会保留。",
        en_title: "Pairing ended",
        en_body: "Your mentoring pairing has ended; its history is kept.",
    },
    Template {
        id: "mentoring.graduated",
        params: &[],
        zh_title: "传帮带结业",
        zh_body: "恭喜！结对已达到结业标准，结业已记入双方档案。",
        en_title: "Mentoring graduation",
        en_body: "Congratulations: the pairing met its graduation bar, recorded on both profiles.",
    },
    Template {
        id: "mentoring.session_logged",
        params: &[],
        zh_title: "请确认督导记录",
        zh_body: "您的督导社工记录了一次传帮带活动，请确认或提出异议。",
        en_title: "Please confirm a mentoring session",
        en_body: "Your mentor logged a mentoring session. Please acknowledge or dispute it.",
    },
    Template {
        id: "mentoring.session_reminder",
        params: &[],
        zh_title: "督导记录待确认",
        zh_body: "有一条传帮带记录三天未确认，请尽快处理。",
        en_title: "Mentoring session awaiting you",
        en_body: "A mentoring session log is still waiting for your acknowledgement.",
    },
    Template {
        id: "mentoring.session_disputed",
        params: &[],
        zh_title: "督导记录有异议",
        zh_body: "一条传帮带记录被志愿者提出异议，请查看。",
        en_title: "Mentoring log disputed",
        en_body: "A volunteer disputed a mentoring session log. Please review it.",
    },
    Template {
        id: "mentoring.message",
        params: &["sender"],
        zh_title: "结对新消息",
        zh_body: "{sender} 给您发来一条消息。",
        en_title: "New message from your pair",
        en_body: "{sender} sent you a message.",
    },
    Template {
        id: "mentoring.no_contact",
        params: &["days"],
        zh_title: "结对久未联系",
        zh_body: "您的一个传帮带结对已超过 {days} 天没有联系，请安排一次督导。",
        en_title: "No contact with a mentee",
        en_body: "One of your mentoring pairs has had no contact for {days} days.",
    },
    Template {
        id: "mentoring.weekly_digest",
        params: &["pairs", "lapsed"],
        zh_title: "传帮带周报",
        zh_body: "本周您关注的结对共 {pairs} 对，其中 {lapsed} 对久未联系。",
        en_title: "Mentoring weekly digest",
        en_body: "{pairs} active pairs this week; {lapsed} without recent contact.",
    },
    Template {
        id: "credential.verified",
        params: &["kind"],
        zh_title: "证书已核验",
        zh_body: "您提交的{kind}证书已通过核验。",
        en_title: "Credential verified",
        en_body: "Your {kind} credential has been verified.",
    },
    Template {
        id: "credential.rejected",
        params: &["kind", "reason"],
        zh_title: "证书未通过核验",
        zh_body: "您提交的{kind}证书未通过核验：{reason}。修改后可重新提交。",
        en_title: "Credential not verified",
        en_body: "Your {kind} credential was not verified: {reason}. You may correct and resubmit it.",
    },
    Template {
        id: "credential.revoked",
        params: &["kind", "reason"],
        zh_title: "证书已撤销",
        zh_body: "您的{kind}证书已被撤销：{reason}。",
        en_title: "Credential revoked",
        en_body: "Your {kind} credential was revoked: {reason}.",
    },
    Template {
        id: "credential.expired",
        params: &["kind"],
        zh_title: "证书已过期",
        zh_body: "您的{kind}证书已过期，不再计入资质。",
        en_title: "Credential expired",
        en_body: "Your {kind} credential has expired and no longer counts.",
    },
    Template {
        id: "credential.expiring",
        params: &["kind", "date", "days"],
        zh_title: "证书即将到期",
        zh_body: "您的{kind}证书将于 {date} 到期（还有 {days} 天）。",
        en_title: "Credential expiring",
        en_body: "Your {kind} credential expires on {date}, in {days} days.",
    },
    Template {
        id: "registration.window_open",
        params: &["kind", "date", "missing"],
        zh_title: "社工证书登记可以续期了",
        zh_body: "您的{kind}证书登记将于 {date} 到期，现在可以申请续期；本周期继续教育还差 {missing} 学时。",
        en_title: "Registration renewal open",
        en_body: "Your {kind} registration lapses on {date}; renewal is open now. Continuing education still missing: {missing} h.",
    },
    Template {
        id: "registration.expiring",
        params: &["kind", "date", "days", "missing"],
        zh_title: "社工证书登记即将到期",
        zh_body: "您的{kind}证书登记将于 {date} 到期（还有 {days} 天）；本周期继续教育还差 {missing} 学时。",
        en_title: "Registration lapsing",
        en_body: "Your {kind} registration lapses on {date}, in {days} days. Continuing education still missing: {missing} h.",
    },
    Template {
        id: "talent.digest",
        params: &["count", "names"],
        zh_title: "本周证书与登记到期提醒",
        zh_body: "您所辖范围内有 {count} 人的证书或登记即将到期：{names}。",
        en_title: "Credentials due this week",
        en_body: "{count} people in your scope have credentials or registrations coming due: {names}.",
    },
    Template {
        id: "training.reminder_24h",
        params: &["course", "start"],
        zh_title: "明天的培训",
        zh_body: "您报名的培训「{course}」将于 {start} 开始，请准时参加。",
        en_title: "Training tomorrow",
        en_body: "\"{course}\", which you enrolled in, starts at {start}.",
    },
];

/// Why a message could not be rendered.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("no template {0:?}")]
    Unknown(String),
    #[error("template {template:?} needs parameter {param:?}")]
    MissingParam { template: String, param: &'static str },
}

/// The title and body of `template` in `locale`.
pub fn render(
    template: &str,
    locale: Locale,
    params: &BTreeMap<String, String>,
) -> Result<(String, String), TemplateError> {
    let t = TEMPLATES.iter().find(|t| t.id == template).ok_or_else(|| TemplateError::Unknown(template.into()))?;
    if let Some(p) = t.params.iter().find(|p| !params.contains_key(**p)) {
        return Err(TemplateError::MissingParam { template: template.into(), param: p });
    }
    let (title, body) = match locale {
        Locale::ZhCn => (t.zh_title, t.zh_body),
        Locale::En => (t.en_title, t.en_body),
    };
    Ok((fill(title, locale, params), fill(body, locale, params)))
}

/// The suffix of a parameter's English variant: `kind@en` fills `{kind}` for an English reader.
pub const EN_SUFFIX: &str = "@en";

fn fill(text: &str, locale: Locale, params: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in params.iter().filter(|(k, _)| !k.ends_with(EN_SUFFIX)) {
        let v = match locale {
            Locale::En => params.get(&format!("{k}{EN_SUFFIX}")).unwrap_or(v),
            Locale::ZhCn => v,
        };
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The generic push text of a category, in `locale`: no personal data.
pub fn push_text(category: Category, locale: Locale) -> (&'static str, &'static str) {
    use Category::*;
    match (category, locale) {
        (RescueCallout, Locale::ZhCn) => ("应急救援集结", "有紧急救援任务，请打开应用查看。"),
        (RescueCallout, Locale::En) => ("Emergency call-out", "Open the app to see an urgent rescue task."),
        (TaskReminder, Locale::ZhCn) => ("活动提醒", "您有一项志愿服务即将开始。"),
        (TaskReminder, Locale::En) => ("Reminder", "A volunteering task of yours starts soon."),
        (TaskChange | TaskCancelledShortNotice, Locale::ZhCn) => ("活动变更", "您报名的活动有变化，请打开应用查看。"),
        (TaskChange | TaskCancelledShortNotice, Locale::En) => ("Task changed", "A task you signed up for changed."),
        (TaskInvitation, Locale::ZhCn) => ("志愿服务邀请", "有适合您的志愿服务，请打开应用查看。"),
        (TaskInvitation, Locale::En) => {
            ("Volunteering invitation", "A task that suits you is open. Open the app to see it.")
        }
        (Announcement, Locale::ZhCn) => ("新公告", "您有一条新公告。"),
        (Announcement, Locale::En) => ("New announcement", "You have a new announcement."),
        (_, Locale::ZhCn) => ("新消息", "您有一条新消息。"),
        (_, Locale::En) => ("New message", "You have a new message."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_both_languages_and_declares_its_placeholders() {
        let mut ids = std::collections::HashSet::new();
        for t in TEMPLATES {
            assert!(ids.insert(t.id), "duplicate template {}", t.id);
            for text in [t.zh_title, t.zh_body, t.en_title, t.en_body] {
                assert!(!text.is_empty(), "{}", t.id);
                let mut rest = text;
                while let Some(i) = rest.find('{') {
                    let j = rest[i..].find('}').unwrap_or_else(|| panic!("{}: unclosed placeholder", t.id));
                    let name = &rest[i + 1..i + j];
                    assert!(t.params.contains(&name), "{}: undeclared placeholder {name}", t.id);
                    rest = &rest[i + j..];
                }
            }
            let params: BTreeMap<String, String> = t.params.iter().map(|p| (p.to_string(), "x".into())).collect();
            for locale in [Locale::ZhCn, Locale::En] {
                let (title, body) = render(t.id, locale, &params).unwrap();
                assert!(!title.contains('{') && !body.contains('{'));
            }
        }
    }

    #[test]
    fn a_name_given_in_both_languages_renders_in_the_readers() {
        let params = BTreeMap::from([
            ("kind".to_string(), "急救证".to_string()),
            (format!("kind{EN_SUFFIX}"), "first-aid certificate".to_string()),
        ]);
        let (_, zh) = render("credential.expired", Locale::ZhCn, &params).unwrap();
        assert_eq!(zh, "您的急救证证书已过期，不再计入资质。");
        let (_, en) = render("credential.expired", Locale::En, &params).unwrap();
        assert_eq!(en, "Your first-aid certificate credential has expired and no longer counts.");
    }

    #[test]
    fn renders_in_the_locale_and_refuses_unknowns() {
        let params = BTreeMap::from([("task".to_string(), "敬老院探访".to_string())]);
        let (title, body) = render("task.cancelled", Locale::ZhCn, &params).unwrap();
        assert_eq!(title, "活动已取消");
        assert!(body.contains("敬老院探访"));
        let (title, _) = render("task.cancelled", Locale::En, &params).unwrap();
        assert_eq!(title, "Task cancelled");
        assert!(matches!(render("nope", Locale::En, &params), Err(TemplateError::Unknown(_))));
        assert!(matches!(render("task.reminder_1h", Locale::En, &params), Err(TemplateError::MissingParam { .. })));
    }
}
