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
