//! The one catalogue of words people read, in both languages (zh-CN, the default, and en): the
//! names of roles, qualification levels, action lines, org-unit kinds and statuses, and what each
//! problem `code` means. Messages, problem details and exports take names from here, never from
//! a code, so a Chinese reader never meets `counselling` or `social_worker` inside a sentence.
//!
//! Adding a problem code: add it to [`PROBLEMS`]; a test scans the sources for every code raised
//! and fails when one is missing here (or is here but raised nowhere).

use entity::org_unit::OrgUnitKind;
use entity::social_worker_profile::QualificationLevel;
use entity::task::ActionLine;
use entity::user::{Locale, Role};

/// One text in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Words {
    /// The text in `locale`.
    pub fn get(self, locale: Locale) -> &'static str {
        match locale {
            Locale::ZhCn => self.zh,
            Locale::En => self.en,
        }
    }
}

/// A name known only at run time (a task's, a kind an administrator defined), in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

impl Names {
    pub fn new(zh: &str, en: &str) -> Self {
        Names { zh: zh.into(), en: en.into() }
    }
}

impl From<Words> for Names {
    fn from(w: Words) -> Self {
        Names::new(w.zh, w.en)
    }
}

const fn w(zh: &'static str, en: &'static str) -> Words {
    Words { zh, en }
}

/// A role's name.
pub fn role(r: Role) -> Words {
    match r {
        Role::Volunteer => w("志愿者", "volunteer"),
        Role::SocialWorker => w("社会工作者", "social worker"),
        Role::StationAdmin => w("社工站管理员", "station administrator"),
        Role::DistrictAdmin => w("区级管理员", "district administrator"),
        Role::CityAdmin => w("市级管理员", "city administrator"),
    }
}

/// A national social-work qualification level's name.
pub fn level(l: QualificationLevel) -> Words {
    match l {
        QualificationLevel::AssistantSocialWorker => w("助理社会工作师", "assistant social worker"),
        QualificationLevel::SocialWorker => w("社会工作师", "social worker"),
        QualificationLevel::SeniorSocialWorker => w("高级社会工作师", "senior social worker"),
    }
}

/// An action line's name (the five lines of the model, and other).
pub fn action_line(a: ActionLine) -> Words {
    match a {
        ActionLine::Help => w("帮扶", "help"),
        ActionLine::Governance => w("治理", "governance"),
        ActionLine::Epidemic => w("防疫", "epidemic prevention"),
        ActionLine::Home => w("家园", "home"),
        ActionLine::Rescue => w("救援", "rescue"),
        ActionLine::Other => w("其他", "other"),
    }
}

/// An org unit kind's name.
pub fn org_unit_kind(k: OrgUnitKind) -> Words {
    match k {
        OrgUnitKind::CityCenter => w("市级社工总站", "city centre"),
        OrgUnitKind::DistrictCenter => w("区级社工总站", "district centre"),
        OrgUnitKind::TownStation => w("镇（街道）社工站", "town station"),
        OrgUnitKind::CommunityRoom => w("村（社区）社工室", "community room"),
        OrgUnitKind::SocialOrg => w("社会组织", "social organisation"),
        OrgUnitKind::Community => w("社区", "community"),
    }
}

/// A status's name; `kind` says whose (`hours`, `signup`, `credential`, `enrolment`, `task`).
pub fn status(kind: &str, status: &str) -> Option<Words> {
    STATUSES.iter().find(|(k, s, _)| *k == kind && *s == status).map(|(_, _, words)| *words)
}

/// Every status a person reads, by kind and code.
pub const STATUSES: &[(&str, &str, Words)] = &[
    ("hours", "pending", w("待审核", "pending")),
    ("hours", "approved", w("已通过", "approved")),
    ("hours", "declined", w("未通过", "declined")),
    ("signup", "pending", w("待确认", "pending")),
    ("signup", "confirmed", w("已确认", "confirmed")),
    ("signup", "waitlisted", w("候补中", "waitlisted")),
    ("signup", "cancelled", w("已取消", "cancelled")),
    ("signup", "denied", w("未通过", "denied")),
    ("signup", "removed", w("已移出", "removed")),
    ("credential", "submitted", w("待核验", "submitted")),
    ("credential", "verified", w("已核验", "verified")),
    ("credential", "rejected", w("未通过核验", "rejected")),
    ("credential", "expired", w("已过期", "expired")),
    ("credential", "revoked", w("已撤销", "revoked")),
    ("enrolment", "confirmed", w("已报名", "confirmed")),
    ("enrolment", "waitlisted", w("候补中", "waitlisted")),
    ("enrolment", "cancelled", w("已取消", "cancelled")),
    ("enrolment", "attended", w("已参加", "attended")),
    ("enrolment", "absent", w("缺席", "absent")),
    ("task", "draft", w("草稿", "draft")),
    ("task", "published", w("已发布", "published")),
    ("task", "completed", w("已结束", "completed")),
    ("task", "cancelled", w("已取消", "cancelled")),
];

/// A task's place when it has no address yet.
pub const PLACE_TO_BE_ANNOUNCED: Words = w("地点另行通知", "place to be announced");

/// Why a stay was credited nothing: shorter than `pct` % of the task.
pub fn short_stay(pct: i32) -> (String, String) {
    (format!("在岗时间不足活动时长的 {pct}%，不计时长"), format!("stay shorter than {pct}% of the task"))
}

/// Why a stay's hours wait for review: a position recorded `metres` from the task's place.
pub fn far_from_task(metres: i64) -> (String, String) {
    (
        format!("签到位置距活动地点 {metres} 米，需人工核实"),
        format!("recorded {metres} m from the task's place; check before approving"),
    )
}

/// The short summary of an HTTP status, for a problem's `title`.
pub fn status_title(status: u16, locale: Locale) -> &'static str {
    let words = match status {
        400 => w("请求有误", "Bad Request"),
        401 => w("需要登录", "Unauthorized"),
        403 => w("没有权限", "Forbidden"),
        404 => w("未找到", "Not Found"),
        405 => w("不支持的方法", "Method Not Allowed"),
        409 => w("与当前状态冲突", "Conflict"),
        413 => w("内容过大", "Payload Too Large"),
        415 => w("不支持的内容类型", "Unsupported Media Type"),
        422 => w("无法处理", "Unprocessable Entity"),
        429 => w("请求过于频繁", "Too Many Requests"),
        500 => w("服务器内部错误", "Internal Server Error"),
        503 => w("服务暂时不可用", "Service Unavailable"),
        _ => w("出错了", "Error"),
    };
    words.get(locale)
}

/// What a problem code means, for a problem's `detail` when the error carries nothing more
/// specific in the reader's language.
pub fn problem(code: &str) -> Option<Words> {
    PROBLEMS.iter().find(|(c, _)| *c == code).map(|(_, words)| *words)
}

/// Every problem code the API answers, with what it means.
pub const PROBLEMS: &[(&str, Words)] = &[
    (
        "account_locked",
        w("尝试次数过多，账号暂时锁定，请稍后再试。", "Too many failed attempts; the account is locked for a while."),
    ),
    ("account_suspended", w("账号已停用。", "The account is suspended.")),
    ("already_checked_in", w("已经签到过了。", "Already checked in.")),
    ("already_checked_out", w("已经签退过了。", "Already checked out.")),
    ("already_decided", w("已经处理过了。", "Already decided.")),
    ("already_disputed", w("已经提出过异议。", "Already disputed.")),
    ("already_erased", w("该账号的个人信息已删除。", "The account's personal data is already erased.")),
    ("already_nominated", w("已被提名。", "Already nominated.")),
    ("already_objected", w("已经提出过异议。", "An objection was already raised.")),
    ("already_resolved", w("已经处理完毕。", "Already resolved.")),
    ("already_revoked", w("已经撤销。", "Already revoked.")),
    ("already_scored", w("已经评过分。", "Already scored.")),
    ("already_seeded", w("演示数据已经载入。", "The demo city is already loaded.")),
    ("already_signed_up", w("您已报名该活动。", "Already signed up for this task.")),
    ("attendance_recorded", w("已有签到记录，不能再修改。", "Attendance is already recorded.")),
    ("bad_request", w("请求有误。", "The request is malformed.")),
    ("before_check_in", w("签退时间不能早于签到时间。", "Check-out cannot be before check-in.")),
    ("cannot_decline", w("现在不能拒绝。", "This cannot be declined now.")),
    ("capacity_below_confirmed", w("名额不能少于已确认的人数。", "The capacity cannot be below the confirmed seats.")),
    ("category_not_mutable", w("该类消息不能关闭。", "This category of message cannot be muted.")),
    ("ce_incomplete", w("继续教育学时未达标。", "Continuing education is incomplete.")),
    (
        "check_in_code_expired",
        w("签到码已过期，请扫描最新的签到码。", "The check-in code has expired; scan the current one."),
    ),
    ("check_in_code_invalid", w("签到码无效。", "The check-in code is not valid.")),
    ("check_in_code_wrong_kind", w("这不是此处需要的签到码。", "This is not the kind of check-in code expected here.")),
    ("check_in_code_wrong_task", w("签到码不属于该活动。", "The check-in code belongs to another task.")),
    ("code_attempts_exhausted", w("验证码错误次数过多，请重新获取。", "Too many wrong codes; request a new one.")),
    ("code_expired", w("验证码已过期，请重新获取。", "The code has expired; request a new one.")),
    ("code_invalid", w("验证码错误。", "The code is wrong.")),
    (
        "code_requested_too_often",
        w("获取验证码过于频繁，请稍后再试。", "Codes were requested too often; try again later."),
    ),
    ("conflict_of_interest", w("存在利益冲突，不能参与评审。", "A conflict of interest bars this.")),
    ("consent_required", w("须经本人同意。", "Their consent is needed.")),
    ("course_not_found", w("课程不存在。", "No such course.")),
    ("credential_expired", w("证书已过期。", "The credential has expired.")),
    ("credential_locked", w("证书已核验，不能再修改。", "The credential is locked.")),
    ("credit_code_taken", w("该统一社会信用代码已登记。", "This credit code is registered already.")),
    ("date_in_future", w("日期不能晚于今天。", "The date cannot be in the future.")),
    ("date_too_old", w("日期过早，已超出可补录的期限。", "The date is too long ago to record.")),
    ("day_limit_exceeded", w("每人每天服务时长不超过 24 小时。", "Nobody serves more than 24 hours in a day.")),
    (
        "decision_not_yours",
        w(
            "不能决定本人、本人创建的账号或同级及以上管理员的记录，须由上一级（区级，再到市级）管理员决定。",
            "Nobody decides on their own records, an account they created, or an administrator at their level or above; the level above (district, then city) decides.",
        ),
    ),
    ("decision_required", w("请先作出决定。", "A decision is required.")),
    (
        "deviation_reason_required",
        w("与签到记录不一致时请说明原因。", "Say why the hours differ from the check-in record."),
    ),
    ("different_station", w("双方不在同一社工站。", "The two are at different stations.")),
    ("disbursement_exceeds_grant", w("支付金额超过拨款余额。", "More than is left of the grant.")),
    ("dispute_closed", w("异议已处理完毕。", "The dispute is closed.")),
    ("duplicate_kind", w("该类证书已存在。", "That credential kind already exists.")),
    ("duplicate_number", w("证书编号已被登记。", "That certificate number is already recorded.")),
    ("enrolment_closed", w("报名已截止。", "Enrolment is closed.")),
    ("enrolment_not_live", w("该报名已不再有效。", "The enrolment is no longer live.")),
    ("exceeds_entry_window", w("更正后的时长超出了该记录的时段。", "The corrected minutes exceed the entry's window.")),
    ("exceeds_task_length", w("时长超过了活动时长。", "The minutes exceed the task's length.")),
    ("forbidden", w("您没有权限进行此操作。", "You may not do this.")),
    ("fund_exists", w("该单位已设立慈善基金。", "This unit has a charity fund already.")),
    (
        "funding_outside_project",
        w("资金来源的期限须在项目周期之内。", "A funding line lies within the project's dates."),
    ),
    ("grant_decided", w("该拨款已审批。", "The grant was decided already.")),
    ("grant_not_approved", w("拨款尚未批准。", "The grant is not approved.")),
    ("guardian_confirmation_required", w("需要监护人确认。", "A guardian's confirmation is required.")),
    ("guardian_consent_required", w("需要监护人同意。", "A guardian's consent is required.")),
    ("guardian_phone_not_allowed", w("不能使用该手机号作为监护人手机号。", "That phone cannot be the guardian's.")),
    (
        "idempotency_key_in_use",
        w("相同幂等键的请求正在处理中，请稍后重试。", "A request with this idempotency key is in progress."),
    ),
    (
        "idempotency_key_reused",
        w("该幂等键已用于另一个请求。", "The idempotency key was used for a different request."),
    ),
    ("insufficient_fund_balance", w("基金可用余额不足。", "The fund does not hold enough ungranted money.")),
    ("insurance_required", w("该活动需要保险信息。", "The task needs insurance details.")),
    ("internal_error", w("服务器出错了，请稍后再试。", "An internal error occurred.")),
    ("invalid_awardee", w("获奖人不符合要求。", "The awardee is not valid.")),
    ("invalid_awardee_count", w("获奖人数不符合要求。", "The number of awardees is not valid.")),
    ("invalid_birth_date", w("出生日期无效。", "The birth date is not valid.")),
    ("invalid_capacity", w("名额数无效。", "The capacity is not valid.")),
    (
        "invalid_committee_member",
        w("委员须为管辖该基金的在职管理员。", "Members are active administrators over the fund."),
    ),
    ("invalid_coordinates", w("坐标无效。", "The coordinates are not valid.")),
    ("invalid_correction", w("更正无效。", "The correction is not valid.")),
    (
        "invalid_credential_state",
        w("证书当前状态下不能进行此操作。", "Not possible in the credential's current state."),
    ),
    ("invalid_credentials", w("手机号或密码错误。", "Wrong phone or password.")),
    ("invalid_credit_code", w("统一社会信用代码无效。", "The unified social credit code is not valid.")),
    ("invalid_criteria", w("评选条件无效。", "The criteria are not valid.")),
    ("invalid_cursor", w("分页游标无效。", "The cursor is not valid.")),
    ("invalid_dates", w("日期无效。", "The dates are not valid.")),
    ("invalid_deadline", w("截止时间无效。", "The deadline is not valid.")),
    ("invalid_duration", w("时长无效。", "The duration is not valid.")),
    ("invalid_evaluation", w("评估等级或评估日期无效。", "The evaluation grade or date is not valid.")),
    ("invalid_grant", w("拨款无效。", "The grant is not valid here.")),
    ("invalid_id_number", w("身份证号码无效。", "The ID number is not valid.")),
    ("invalid_idempotency_key", w("幂等键无效。", "The idempotency key is not valid.")),
    ("invalid_kind_code", w("证书类别代码无效。", "The credential kind code is not valid.")),
    ("invalid_minutes", w("时长无效。", "The minutes are not valid.")),
    ("invalid_month", w("月份无效，应为 YYYY-MM。", "The month is not valid; write it YYYY-MM.")),
    ("invalid_month_range", w("起始月份不能晚于结束月份。", "The first month is after the last.")),
    ("invalid_notice_period", w("公示期无效。", "The notice period is not valid.")),
    ("invalid_period", w("期间无效。", "The period is not valid.")),
    ("invalid_phone", w("手机号无效。", "The phone number is not valid.")),
    ("invalid_placement", w("组织架构位置无效。", "The placement in the org tree is not valid.")),
    ("invalid_refresh_token", w("登录已失效，请重新登录。", "The refresh token is not valid; sign in again.")),
    ("invalid_reviewer", w("评审人不符合要求。", "The reviewer is not valid.")),
    ("invalid_rule", w("规则无效。", "The rule is not valid.")),
    ("invalid_scores", w("评分无效。", "The scores are not valid.")),
    (
        "invalid_text",
        w(
            "文本含有不允许的字符（控制字符，或名称中的不可见格式字符）。",
            "The text holds a character that is not allowed.",
        ),
    ),
    ("invalid_time", w("时间无效。", "The time is not valid.")),
    ("invalid_time_range", w("时间范围无效。", "The time range is not valid.")),
    ("invalid_time_zone", w("时区无效。", "The time zone is not valid.")),
    ("invalid_times", w("时间无效。", "The times are not valid.")),
    ("invalid_token", w("登录凭证无效，请重新登录。", "The token is not valid; sign in again.")),
    ("invalid_transition", w("当前状态下不能进行此操作。", "This change is not allowed from the current state.")),
    ("invalid_windows", w("时间安排无效。", "The windows are not valid.")),
    ("leader_not_found", w("负责人不存在。", "No such leader.")),
    ("location_required", w("需要提供位置。", "A location is required.")),
    ("mentee_has_mentor", w("该志愿者已有督导社工。", "The mentee already has a mentor.")),
    ("mentee_not_volunteer", w("被督导人须为志愿者。", "The mentee must be a volunteer.")),
    ("mentor_at_capacity", w("该督导社工结对已满。", "The mentor has no room for another mentee.")),
    (
        "mentor_not_qualified",
        w(
            "督导人须持有经核验且在有效期内的相应等级社工证书。",
            "The mentor needs a verified, unexpired social-work credential of the required level.",
        ),
    ),
    ("mentor_not_social_worker", w("督导人须为社会工作者。", "The mentor must be a social worker.")),
    ("method_not_allowed", w("不支持该请求方法。", "The method is not allowed here.")),
    ("month_range_too_long", w("统计跨度过长，最多 36 个月。", "The span is too long: at most 36 months.")),
    ("need_answered", w("该需求已有项目回应。", "The need is answered already.")),
    ("no_guardian", w("没有登记监护人。", "No guardian is recorded.")),
    ("nomination_closed", w("提名已截止。", "Nominations are closed.")),
    ("nomination_not_open", w("提名尚未开始。", "Nominations are not open.")),
    ("not_a_draft", w("只有草稿可以修改。", "Only a draft can be changed.")),
    ("not_a_reviewer", w("您不是评审人。", "You are not a reviewer.")),
    ("not_a_social_worker", w("该人员不是社会工作者。", "The person is not a social worker.")),
    ("not_active", w("当前不在有效状态。", "Not active.")),
    ("not_checked_in", w("尚未签到。", "Not checked in.")),
    ("not_confirmed", w("报名尚未确认。", "The sign-up is not confirmed.")),
    ("not_correctable", w("该记录不能更正。", "This entry cannot be corrected.")),
    ("not_eligible", w("不符合评选条件。", "Not eligible.")),
    ("not_enrolled", w("尚未报名该培训。", "Not enrolled.")),
    ("not_found", w("未找到。", "Not found.")),
    ("not_on_committee", w("该基金的拨款由基金管理委员会审批。", "The fund's committee decides its grants.")),
    ("not_pending", w("不在待处理状态。", "Not pending.")),
    ("not_proposed", w("不在待确认状态。", "Not proposed.")),
    ("not_published", w("尚未发布。", "Not published.")),
    ("not_registrable", w("该证书不能用于登记。", "This credential cannot be registered.")),
    ("not_signed_up", w("尚未报名该活动。", "Not signed up for this task.")),
    ("not_verified", w("尚未核验。", "Not verified.")),
    ("nothing_to_certify", w("没有可出具证明的服务记录。", "There is no service to certify.")),
    ("notice_closed", w("公示已结束。", "The public notice is closed.")),
    ("notice_running", w("公示期内不能进行此操作。", "The public notice is still running.")),
    ("objections_open", w("仍有未处理的异议。", "Objections are still open.")),
    ("org_unit_cycle", w("组织架构不能形成循环。", "The org tree cannot form a cycle.")),
    ("org_unit_not_found", w("组织不存在。", "No such org unit.")),
    ("org_unit_required", w("请指定组织。", "Say which org unit.")),
    ("outside_check_in_window", w("不在签到时间内。", "Outside the check-in window.")),
    ("overlaps_recorded_stay", w("申报时间与已记录的签到时段重叠。", "The claim overlaps a recorded stay.")),
    ("override_not_allowed", w("不允许越过该规则。", "This rule cannot be overridden.")),
    ("own_attendance", w("不能为自己登记出勤。", "Nobody records their own attendance.")),
    ("pairing_closed", w("结对已结束。", "The pairing has ended.")),
    ("pairing_exists", w("结对已存在。", "The pairing already exists.")),
    ("pairing_not_active", w("结对不在进行中。", "The pairing is not active.")),
    ("parent_not_found", w("上级组织不存在。", "No such parent org unit.")),
    ("payload_too_large", w("提交的内容过大。", "The body is too large.")),
    ("person_inactive", w("该人员账号未启用。", "The person's account is not active.")),
    ("phone_taken", w("该手机号已被使用。", "That phone number is already in use.")),
    ("prerequisite_missing", w("未满足报名条件。", "A prerequisite is missing.")),
    ("programme_locked", w("评选已开始，不能再修改。", "The programme can no longer be changed.")),
    ("project_closed", w("项目已结项。", "The project is closed.")),
    ("project_not_found", w("项目不存在。", "No such project for this task.")),
    ("quota_exceeded", w("提名名额已用完。", "The nomination quota is used up.")),
    ("rate_limited", w("请求过于频繁，请稍后再试。", "Too many requests; try again later.")),
    (
        "real_name_unavailable",
        w("没有可用的实名信息（未登记或未同意使用）。", "No real name is recorded with consent to use it."),
    ),
    ("reason_required", w("请说明原因。", "Say why.")),
    ("recipient_not_found", w("受助社会组织不存在或已注销。", "No such active social organisation.")),
    ("refresh_token_reused", w("登录凭证已被使用，请重新登录。", "The refresh token was already used; sign in again.")),
    ("registration_required", w("需要先完成登记。", "A registration is required first.")),
    ("renewal_not_open", w("尚未到续期时间。", "Renewal is not open yet.")),
    ("resource_source_required", w("请注明资源来源。", "Say where the resource comes from.")),
    ("review_closed", w("评审已结束。", "The review is closed.")),
    ("review_not_closed", w("评审尚未结束。", "The review is not closed yet.")),
    ("review_not_open", w("评审尚未开始。", "The review is not open.")),
    ("reviewer_has_scored", w("该评审人已评分，不能移出。", "The reviewer has already scored.")),
    (
        "reviewer_not_qualified",
        w(
            "社工评审须持有经核验且在有效期内的相应等级证书。",
            "A social worker on the panel needs a verified, unexpired credential of the required level.",
        ),
    ),
    ("schedule_conflict", w("与您已报名的活动时间冲突。", "It clashes with a task you signed up for.")),
    ("score_out_of_range", w("评分超出范围。", "The score is out of range.")),
    ("seat_taken", w("名额已被占用。", "The seat is taken.")),
    ("self_nomination", w("不能提名自己。", "Nobody nominates themselves.")),
    ("separation_of_duties", w("须由提议人以外的人审批。", "Someone other than the proposer decides.")),
    ("session_answered", w("该记录已确认或提出异议。", "The session was already answered.")),
    ("session_in_future", w("活动时间不能晚于现在。", "The session cannot be in the future.")),
    ("session_not_started", w("培训尚未开始。", "The session has not started.")),
    ("session_started", w("培训已经开始。", "The session has started.")),
    ("skills_missing", w("您缺少该活动要求的技能。", "You lack a skill the task requires.")),
    ("signup_closed", w("报名已截止。", "Sign-up is closed.")),
    ("signup_not_live", w("该报名已不再有效。", "The sign-up is no longer live.")),
    ("signup_refused", w("报名未被接受。", "The sign-up was refused.")),
    ("starts_at_not_on_date", w("开始时间不在服务日期当天。", "The start time is not on the service date.")),
    ("starts_in_past", w("开始时间不能早于现在。", "The start cannot be in the past.")),
    (
        "strict_check_in",
        w(
            "该活动须由负责人扫描志愿者的个人签到码。",
            "This task checks people in by the leader scanning each volunteer's personal code.",
        ),
    ),
    ("task_closed", w("活动已结束或已取消。", "The task is closed.")),
    ("task_not_published", w("活动尚未发布。", "The task is not published.")),
    ("task_not_started", w("活动尚未开始。", "The task has not started.")),
    ("task_outside_project", w("任务日期不在项目周期内。", "The task falls outside the project's dates.")),
    ("task_required", w("请指定活动。", "Say which task.")),
    ("task_started", w("活动已经开始。", "The task has started.")),
    ("text_too_long", w("内容过长。", "The text is too long.")),
    ("thread_read_only", w("该对话已只读。", "The thread is read-only.")),
    ("time_in_future", w("时间不能晚于现在。", "The time cannot be in the future.")),
    ("too_far", w("您不在活动地点附近。", "You are too far from the task's place.")),
    ("trainer_not_found", w("培训讲师不存在。", "No such trainer.")),
    ("unauthorized", w("请先登录。", "Sign in first.")),
    ("unavailable", w("服务暂时不可用，请稍后重试。", "A dependency is unavailable; retry later.")),
    ("unit_not_found", w("组织不存在。", "No such org unit.")),
    ("unknown_kind", w("未知的类别。", "Unknown kind.")),
    ("unsupported_media_type", w("不支持的内容类型。", "Unsupported media type.")),
    ("use_erasure", w("请使用删除个人信息功能。", "Use erasure for this.")),
    ("validation_failed", w("提交的内容不符合要求，请检查后重试。", "The request breaks a rule.")),
    ("weak_password", w("密码强度不够。", "The password is too weak.")),
    ("wrong_password", w("密码错误。", "Wrong password.")),
    ("wrong_role", w("角色不符合要求。", "The person has the wrong role for this.")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_both_languages_and_no_code_appears_twice() {
        let mut seen = std::collections::HashSet::new();
        for (code, words) in PROBLEMS {
            assert!(seen.insert(*code), "{code} twice");
            assert!(!words.zh.is_empty() && !words.en.is_empty(), "{code}");
            assert!(words.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{code}: zh is not Chinese");
        }
        for (kind, status, words) in STATUSES {
            assert!(!words.zh.is_empty() && !words.en.is_empty(), "{kind}.{status}");
        }
    }

    /// Every string literal that follows one of the ways a code is raised, in every source file.
    fn codes_raised() -> std::collections::BTreeMap<String, String> {
        const NEEDLES: &[&str] = &["invalid(", "conflict(", "unauthenticated(", "bad_request(", "code: "];
        let mut out = std::collections::BTreeMap::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit tests (at the end of a file) raise made-up codes.
                let text = text.split("#[cfg(test)]").next().unwrap_or_default();
                let mut starts: Vec<usize> = Vec::new();
                for needle in NEEDLES {
                    starts.extend(text.match_indices(needle).map(|(i, _)| i + needle.len()));
                }
                // The codes of poem's own errors are match arms in the error module.
                if path.ends_with("error.rs") {
                    starts.extend(text.match_indices("=> ").map(|(i, _)| i + 3));
                }
                // `ApiError::new(StatusCode::CONFLICT, "code", …)`
                for (i, _) in text.match_indices("StatusCode::") {
                    if let Some(comma) = text[i..].find(',') {
                        starts.push(i + comma + 1);
                    }
                }
                for start in starts {
                    let rest = text[start..].trim_start();
                    let Some(lit) = rest.strip_prefix('"') else { continue };
                    let Some(end) = lit.find('"') else { continue };
                    let code = &lit[..end];
                    let looks_like_code = !code.is_empty()
                        && code.contains('_')
                        && code.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
                    if looks_like_code && !path.ends_with("catalogue.rs") {
                        out.insert(code.to_string(), path.display().to_string());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_problem_code_raised_is_in_the_catalogue_and_every_entry_is_raised_somewhere() {
        let raised = codes_raised();
        assert!(raised.len() > 100, "the scan finds the codes ({} found)", raised.len());
        let ours: std::collections::HashSet<&str> = PROBLEMS.iter().map(|(c, _)| *c).collect();
        let missing: Vec<_> =
            raised.iter().filter(|(c, _)| !ours.contains(c.as_str())).map(|(c, f)| format!("{c} ({f})")).collect();
        assert!(missing.is_empty(), "problem codes without words in the catalogue: {missing:?}");
        for (code, _) in PROBLEMS {
            assert!(
                raised.contains_key(*code) || !code.contains('_'), // one-word codes are not scanned
                "{code} is in the catalogue but raised nowhere"
            );
        }
    }
}
