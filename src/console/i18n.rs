//! The console's words in zh-CN (first) and English. Templates read them as `t.<key>`; problem
//! details come from the API in the same language (it is asked with `Accept-Language`).

use serde_json::{Map, Value};

/// A language of the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    /// `zh-CN` / `en`, or their short forms.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// The BCP 47 tag, for `<html lang>` and `Accept-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
    /// Every word, keyed for templates.
    pub fn words(self) -> Value {
        let i = match self {
            Lang::Zh => 1,
            Lang::En => 2,
        };
        Value::Object(WORDS.iter().map(|w| (w[0].to_string(), Value::from(w[i]))).collect::<Map<_, _>>())
    }
}

/// key, zh-CN, English.
const WORDS: &[[&str; 3]] = &[
    ["console", "五社联动管理后台", "Five-society linkage console"],
    ["sign_in", "登录", "Sign in"],
    ["sign_out", "退出", "Sign out"],
    ["phone", "手机号", "Phone"],
    ["password", "密码", "Password"],
    ["dashboard", "数据看板", "Dashboard"],
    ["hours_queue", "时长审核", "Hours to approve"],
    ["language", "English", "中文"],
    ["other_lang", "en", "zh-CN"],
    ["from", "起始月", "From"],
    ["to", "截止月", "To"],
    ["show", "查看", "Show"],
    ["service_hours", "服务时长（小时）", "Service hours"],
    ["service_count", "服务人次", "Services (人次)"],
    ["active_volunteers", "活跃志愿者", "Active volunteers"],
    ["new_volunteers", "新增志愿者", "New volunteers"],
    ["social_workers", "社会工作者", "Social workers"],
    ["ce_behind", "继续教育未达标", "Behind on continuing education"],
    ["active_pairs", "在带师徒对", "Active mentoring pairs"],
    ["graduated_pairs", "已结对出师", "Graduated pairs"],
    ["sessions_logged", "督导记录", "Mentoring sessions logged"],
    ["tasks_held", "开展任务", "Tasks held"],
    ["fill_rate", "报名满员率", "Fill rate"],
    ["by_action_line", "按行动线的服务时长", "Hours by action line"],
    ["by_month", "按月服务时长", "Hours by month"],
    ["units_below", "下级单位", "Units below"],
    ["unit", "单位", "Unit"],
    ["hours", "时长（小时）", "Hours"],
    ["line_help", "帮扶", "Help"],
    ["line_governance", "治理", "Governance"],
    ["line_epidemic", "防疫", "Epidemic"],
    ["line_home", "家园", "Home"],
    ["line_rescue", "救援", "Rescue"],
    ["line_other", "其他", "Other"],
    ["none_yet", "暂无数据", "Nothing yet"],
    ["volunteer", "志愿者", "Volunteer"],
    ["number", "编号", "Number"],
    ["date", "服务日期", "Service date"],
    ["minutes", "分钟", "Minutes"],
    ["description", "内容", "Description"],
    ["flagged", "需留意", "Flagged"],
    ["approve", "批准所选", "Approve selected"],
    ["decline", "驳回所选", "Decline selected"],
    ["reason", "驳回理由", "Reason for declining"],
    ["select_all", "全选", "Select all"],
    ["decided", "已处理条数", "Entries decided"],
    ["nothing_pending", "没有待审核的时长", "No hours are waiting"],
    ["next_page", "下一页", "Next page"],
    ["signed_in_as", "当前用户", "Signed in as"],
    ["refused_title", "无权访问", "Not for you"],
    [
        "refused_body",
        "管理后台仅供管理员使用。志愿者和社工请使用手机应用。",
        "The console is for administrators. Volunteers and social workers use the phone app.",
    ],
    ["again_title", "请重新登录", "Please sign in again"],
    [
        "again_body",
        "您的登录已失效，或页面已过期。请重新登录后再试。",
        "Your session has ended or the page was out of date. Sign in again and retry.",
    ],
    ["broken_title", "出错了", "Something went wrong"],
    [
        "broken_body",
        "服务器暂时无法完成请求，请稍后再试。",
        "The server could not complete the request. Try again shortly.",
    ],
    ["back", "返回", "Back"],
    ["honours", "评优评先", "Honours"],
    ["programme_name", "评选名称", "Programme"],
    ["kind", "类别", "Kind"],
    ["year", "年度", "Year"],
    ["state", "状态", "State"],
    ["no_programmes", "暂无评选", "No programmes yet"],
    ["new_programme", "新建评选", "New programme"],
    ["nomination_opens", "推荐开始", "Nominations open"],
    ["nomination_closes", "推荐截止", "Nominations close"],
    ["nomination_window", "推荐期", "Nominations"],
    ["review_closes", "评审截止", "Review closes"],
    ["awards", "名额", "Awards"],
    ["station_quota", "每站推荐名额", "Nominations per station"],
    ["min_hours", "最低年度服务时长（小时，可选）", "Minimum hours this year (optional)"],
    ["create_programme", "创建（草稿）", "Create (draft)"],
    ["criteria", "评分项", "Criteria"],
    ["notice", "公示期", "Public notice"],
    ["kind_most_beautiful_social_worker", "最美社工", "Most beautiful social worker"],
    ["kind_leading_talent", "社工领军人才", "Leading talent"],
    ["kind_star_volunteer", "星级志愿者", "Star volunteer"],
    ["kind_outstanding_pair", "优秀结对", "Outstanding pair"],
    ["kind_custom", "其他", "Other"],
    ["state_draft", "草稿", "Draft"],
    ["state_nominating", "推荐中", "Nominating"],
    ["state_reviewing", "评审中", "Reviewing"],
    ["state_decided", "已决定", "Decided"],
    ["state_public_notice", "公示中", "Public notice"],
    ["state_published", "已发布", "Published"],
    ["state_cancelled", "已取消", "Cancelled"],
    ["advance_nominating", "开始推荐", "Open nominations"],
    ["advance_reviewing", "截止推荐，开始评审", "Close nominations and review"],
    ["advance_public_notice", "开始公示", "Start the public notice"],
    ["advance_published", "公示期满，发布", "Publish"],
    ["done_created", "评选已创建（草稿）", "Programme created (draft)"],
    ["done_advanced", "已进入下一阶段", "Moved to the next stage"],
    ["done_nominated", "已推荐", "Nominated"],
    ["done_panel", "评审组已更新", "Panel updated"],
    ["done_scored", "已评分", "Scored"],
    ["done_decided", "已决定获奖人选", "Awardees decided"],
    ["done_resolved", "异议已处理", "Objection resolved"],
    ["nominations", "推荐名单", "Nominations"],
    ["no_nominations", "暂无推荐", "No nominations yet"],
    ["nominee", "被推荐人", "Nominee"],
    ["statement", "推荐理由", "Statement"],
    ["evidence", "佐证材料（每行一项）", "Evidence (one per line)"],
    ["eligibility", "资格条件", "Eligibility"],
    ["outcome_met", "符合", "met"],
    ["outcome_not_met", "不符合", "not met"],
    ["outcome_not_evaluated", "未核验", "not checked"],
    ["nomination_nominated", "已推荐", "Nominated"],
    ["nomination_declined", "本人谢绝", "Declined"],
    ["nomination_awarded", "获奖", "Awarded"],
    ["nomination_not_awarded", "未获奖", "Not awarded"],
    ["nomination_cancelled", "已取消", "Cancelled"],
    ["nominate", "推荐", "Nominate"],
    ["find_person", "查找人员（姓名或手机号）", "Find a person (name or phone)"],
    ["find_reviewer", "查找评审人（姓名或手机号）", "Find a reviewer (name or phone)"],
    ["search", "查找", "Search"],
    ["nobody_found", "未找到符合的人员", "Nobody found"],
    ["override_reason", "不符合条件仍推荐的理由（市级管理员）", "Reason to nominate despite a rule (city)"],
    ["role_volunteer", "志愿者", "Volunteer"],
    ["role_social_worker", "社工", "Social worker"],
    ["role_station_admin", "社工站管理员", "Station administrator"],
    ["role_district_admin", "区级管理员", "District administrator"],
    ["role_city_admin", "市级管理员", "City administrator"],
    ["panel", "评审组", "Review panel"],
    ["appoint", "确定评审组", "Appoint the panel"],
    ["no_panel", "尚未组建评审组", "No panel yet"],
    ["review", "评审打分", "Scoring"],
    ["my_score", "我的评分", "My score"],
    ["all_scores", "全部评分（匿名）", "All scores (anonymous)"],
    ["reviews", "人评分", "reviews"],
    ["comment", "评语", "Comment"],
    ["score", "提交评分", "Score"],
    ["ranking", "排名与决定", "Ranking and decision"],
    ["rank", "名次", "Rank"],
    ["award", "授予", "Award"],
    ["mean_score", "加权平均分", "Weighted mean"],
    ["citation", "颁奖词", "Citation"],
    ["deviation_reason", "未按排名授予的理由", "Reason for departing from the ranking"],
    ["decide", "确定获奖人选", "Decide the awardees"],
    ["review_still_open", "评审尚未截止，截止后方可决定。", "The review is still open; decide once it has closed."],
    ["objections", "公示异议", "Objections"],
    ["no_objections", "暂无异议", "No objections"],
    ["objection_open", "待处理", "open"],
    ["objection_upheld", "异议成立", "upheld"],
    ["objection_dismissed", "异议不成立", "dismissed"],
    ["objection_dismiss", "异议不成立", "Dismiss"],
    ["objection_uphold", "异议成立（撤销该荣誉）", "Uphold (withdraw the honour)"],
    ["resolution_reason", "处理说明", "Reason"],
    ["resolve", "处理", "Resolve"],
    [
        "notice_running",
        "公示期未满，期满且异议处理完毕后方可发布。",
        "The notice is running; publish once it has ended and every objection is resolved.",
    ],
    ["credentials_queue", "资质审核", "Credentials to verify"],
    ["claims_queue", "继续教育学时审核", "Training claims to decide"],
    ["signups_queue", "待审核报名", "Sign-ups to decide"],
    ["holder", "持证人", "Holder"],
    ["person", "姓名", "Person"],
    ["credential_kind", "证书类别", "Kind"],
    ["credential_number", "证书编号", "Number"],
    ["issuing_body", "发证机关", "Issued by"],
    ["issued_on", "发证日期", "Issued on"],
    ["expires_on", "有效期至", "Expires on"],
    ["evidence_ref", "材料", "Evidence"],
    ["course_title", "培训名称", "Training"],
    ["completed_on", "完成日期", "Completed on"],
    ["counts_as_ce", "计入继续教育", "Counts as CE"],
    ["signed_up_at", "报名时间", "Signed up"],
    ["nothing_waiting", "没有待处理的事项", "Nothing is waiting"],
    ["download_roster", "下载名单（CSV）", "Download the roster (CSV)"],
    ["tasks", "任务与名单", "Tasks and rosters"],
    ["task_title", "任务", "Task"],
    ["starts_at", "开始时间", "Starts"],
    ["filled", "已报名 / 名额", "Filled / capacity"],
    ["signup_mode", "报名方式", "Sign-up"],
    ["mode_open", "直接报名", "Open"],
    ["mode_managed", "需审核", "Managed"],
    ["task_draft", "草稿", "Draft"],
    ["task_published", "已发布", "Published"],
    ["task_completed", "已结束", "Completed"],
    ["task_cancelled", "已取消", "Cancelled"],
    ["no_tasks", "暂无由您组织的任务", "No tasks you organise"],
    ["people", "人员", "People"],
    ["audit_log", "操作日志", "Audit log"],
    ["dead_jobs", "失败任务", "Dead letters"],
    ["role", "角色", "Role"],
    ["any", "全部", "Any"],
    ["status_active", "正常", "Active"],
    ["status_suspended", "已停用", "Suspended"],
    ["status_erased", "已注销", "Erased"],
    ["star_level", "星级", "Star level"],
    ["change_role", "角色与状态", "Role and status"],
    ["change_reason", "原因", "Reason"],
    ["save", "保存", "Save"],
    ["done_updated", "已保存", "Saved"],
    ["done_code_sent", "重置验证码已发送至其手机", "A reset code was sent to their phone"],
    ["reset_password", "重置密码", "Reset the password"],
    [
        "reset_explained",
        "向本人手机发送验证码，由本人设置新密码；管理员看不到验证码和密码。",
        "Sends a code to their phone so they set a new password themselves; you never see the code or the password.",
    ],
    ["send_reset_code", "发送重置验证码", "Send a reset code"],
    ["action", "操作", "Action"],
    ["target_type", "对象类型", "Target type"],
    ["target_id", "对象编号", "Target id"],
    ["actor_id", "操作人编号", "Actor id"],
    ["at", "时间", "When"],
    ["change", "变更", "Change"],
    ["queue_main", "业务队列", "Main queue"],
    ["queue_push", "推送队列", "Push queue"],
    ["job_kind", "任务类型", "Kind"],
    ["attempts", "尝试次数", "Attempts"],
    ["error", "错误", "Error"],
    ["failed_at", "失败时间", "Failed at"],
    ["retry", "重试", "Retry"],
    ["discard", "丢弃", "Discard"],
    ["done_retried", "已重新排队", "Queued again"],
    ["done_discarded", "已丢弃", "Discarded"],
    ["no_dead_jobs", "没有失败任务", "No dead letters"],
    ["download", "下载", "Download"],
    ["file_hours_csv", "服务时长 CSV", "Hours (CSV)"],
    ["file_hours_xlsx", "服务时长 Excel", "Hours (Excel)"],
    ["file_overview_csv", "概况 CSV", "Overview (CSV)"],
    ["file_overview_xlsx", "概况 Excel", "Overview (Excel)"],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_has_one_key_and_both_languages() {
        let mut keys: Vec<&str> = WORDS.iter().map(|w| w[0]).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "a key is listed twice");
        assert!(WORDS.iter().all(|w| !w[1].is_empty() && !w[2].is_empty()), "a word is missing a language");
    }

    #[test]
    fn every_word_a_template_names_is_listed() {
        let words = Lang::Zh.words();
        for (name, source) in crate::console::view::sources() {
            let mut rest = source;
            while let Some(i) = rest.find("t.") {
                let tail = &rest[i + 2..];
                let key: String = tail.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                let before = rest[..i].chars().last();
                if !key.is_empty() && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    assert!(words.get(&key).is_some(), "{name} uses t.{key}, which has no words");
                }
                rest = tail;
            }
        }
    }
}
