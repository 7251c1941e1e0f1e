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
        id: "honour.revoked",
        params: &["programme"],
        zh_title: "荣誉已撤销",
        zh_body: "您的荣誉「{programme}」已被撤销。",
        en_title: "Honour revoked",
        en_body: "Your honour \"{programme}\" has been revoked.",
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
