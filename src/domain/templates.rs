//! Message texts: every inbox message comes from a template here, in the person's locale (zh-CN
//! or en), with `{name}` placeholders filled from the message's parameters. Push texts are
//! generic per category: pushes cross borders (FCM), so they never carry names, places or times.
//!
//! Adding a message: add a [`Template`] to [`TEMPLATES`] with both languages; a unit test checks
//! that every template has both and that its placeholders are declared.

use super::notifications::Category;
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
        id: "system.message",
        params: &["text"],
        zh_title: "系统通知",
        zh_body: "{text}",
        en_title: "Notice",
        en_body: "{text}",
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
    Ok((fill(title, params), fill(body, params)))
}

fn fill(text: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    for (k, v) in params {
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
