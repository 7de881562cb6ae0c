"""The web's one message catalogue, in zh-CN (the default) and English; labels come from the policy."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANGS = ("zh-CN", "en")
LANG_COOKIE = "bzr_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh-CN, en)
    "app.title": ("班主任工作流", "Class advisor workflows"),
    "nav.inbox": ("待办", "Inbox"),
    "nav.mine": ("我的", "My cases"),
    "nav.apply": ("申请", "Apply"),
    "nav.audit": ("审计查询", "Audit"),
    "nav.results": ("考核结果", "Results"),
    "nav.integrity": ("完整性", "Integrity"),
    "nav.signout": ("退出", "Sign out"),
    "nav.language": ("English", "中文"),
    "login.title": ("登录", "Sign in"),
    "login.user": ("账号", "User"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("账号或密码错误。", "Wrong user or password."),
    "login.locked": ("登录失败次数过多，该账号已锁定15分钟。",
                     "Too many failed sign-ins: this account is locked for 15 minutes."),
    "login.throttled": ("该网络地址登录失败次数过多，请15分钟后再试。",
                        "Too many failed sign-ins from this address: try again in 15 minutes."),
    "inbox.title": ("待办", "Awaiting you"),
    "inbox.empty": ("没有待办事项。", "Nothing awaits you."),
    "inbox.returned": ("退回理由", "Returned because"),
    "case.title_by_year": ("职务（年级）", "Title (year of study)"),
    "case.duties": ("本年级工作职责", "Duties of the year"),
    "case.fields": ("基本信息", "Details"),
    "case.pipeline": ("审批流程", "Sign-off steps"),
    "case.history": ("办理记录", "History"),
    "case.actions": ("办理", "Act"),
    "case.comment": ("意见", "Comment"),
    "case.reason": ("理由", "Reason"),
    "case.approve": ("同意并签署", "Sign off"),
    "case.veto": ("否决", "Veto"),
    "case.return": ("退回修改", "Return for amendment"),
    "case.withdraw": ("撤回", "Withdraw"),
    "case.signed_by": ("签署人", "Signed by"),
    "case.pending": ("待办理", "Pending"),
    "case.none": ("您现在无可办理的操作。", "There is nothing you may do on this case now."),
    "refused": ("未能办理", "Refused"),
    "col.id": ("编号", "Case"),
    "col.kind": ("类型", "Kind"),
    "col.state": ("状态", "State"),
    "col.step": ("当前环节", "Step"),
    "col.subject": ("对象", "Subject"),
    "col.class": ("班级", "Class"),
    "col.updated": ("更新时间", "Updated"),
    "col.at": ("时间", "When"),
    "col.at_step": ("环节", "Step"),
    "col.actor": ("办理人", "Who"),
    "col.action": ("操作", "Action"),
    "state.open": ("办理中", "open"),
    "state.published": ("已公布", "published"),
    "state.vetoed": ("已否决", "vetoed"),
    "state.withdrawn": ("已撤回", "withdrawn"),
    "inbox.counts": ("按类型", "By kind"),
    "case.title": ("案件", "Case"),
    "case.opener": ("申请人/发起人", "Opened by"),
    "case.unit": ("单位", "Unit"),
    "case.period": ("考核期", "Period"),
    "case.note": ("说明", "Note"),
    "case.opened_at": ("发起时间", "Opened"),
    "case.policy": ("制度版本", "Policy version"),
    "case.total": ("总分", "Total"),
    "case.grade": ("等次", "Grade"),
    "case.resubmit": ("重新提交", "Re-submit"),
    "case.as_of": ("历史回放", "As it stood"),
    "case.as_of_day": ("日期", "Day"),
    "case.as_of_show": ("查看当日状态", "Show that day"),
    "case.as_of_note": ("以下为该案件在所选日期结束时的状态（只读）。",
                        "The case as it stood at the end of the chosen day (read only)."),
    "case.back_to_now": ("返回当前状态", "Back to now"),
    "case.waiting": ("当前环节由他人办理：", "The pending step is signed by someone else: "),
    "case.no_history": ("暂无办理记录。", "Nothing recorded yet."),
    "step.done": ("已完成", "done"),
    "step.pending": ("待办理", "pending"),
    "step.ahead": ("未开始", "ahead"),
    "step.skipped": ("未进行", "not reached"),
    "step.stopped": ("已终止", "ended here"),
    "action.applied": ("提交申请", "applied"),
    "action.opened": ("发起", "opened"),
    "action.nominated": ("推荐", "nominated"),
    "action.recommended": ("推荐", "recommended"),
    "action.approved": ("批准", "approved"),
    "action.published": ("公布", "published"),
    "action.appraised": ("考核", "appraised"),
    "action.resubmitted": ("重新提交", "re-submitted"),
    "action.vetoed": ("否决", "vetoed"),
    "action.returned": ("退回", "returned"),
    "action.withdrawn": ("撤回", "withdrawn"),
    "action.scored": ("评分", "scored"),
    "action.submitted": ("提交总结", "summary submitted"),
    "action.flagged": ("标记否决项", "veto item flagged"),
    "action.cleared": ("撤销否决项", "veto item cleared"),
    "action.finalised": ("定档", "finalised"),
    "invite.title": ("设置密码", "Set your password"),
    "invite.for": ("账号", "For the account"),
    "invite.password": ("新密码（至少8位）", "New password (8 characters or more)"),
    "invite.confirm": ("再次输入新密码", "The new password again"),
    "invite.submit": ("设置密码", "Set password"),
    "password.title": ("修改密码", "Change password"),
    "password.old": ("当前密码", "Current password"),
    "password.new": ("新密码（至少8位）", "New password (8 characters or more)"),
    "password.confirm": ("再次输入新密码", "The new password again"),
    "password.submit": ("修改", "Change"),
    "password.done": ("密码已修改；您在其他设备上的登录已退出。",
                      "Password changed; your other sessions have been signed out."),
    "nav.password": ("修改密码", "Password"),
    "apply.title": ("班主任选聘报名", "Apply to advise a class"),
    "apply.class": ("班级", "Class"),
    "apply.start": ("拟任职起始日期", "Start date"),
    "apply.note": ("申请说明", "Note"),
    "apply.submit": ("提交申请", "Apply"),
    "mine.title": ("我的案件", "My cases"),
    "mine.empty": ("您没有发起或作为对象的案件。", "You opened no case, and no case is about you."),
    "results.title": ("考核结果排名", "Results ranked"),
    "results.period": ("考核期", "Period"),
    "results.unit": ("单位", "Unit"),
    "results.show": ("查询", "Show"),
    "results.rank": ("名次", "Rank"),
    "results.total": ("总分", "Total"),
    "results.grade": ("等次", "Grade"),
    "results.place": ("占名额", "Holds a place"),
    "results.places": ("名额已占", "places taken"),
    "results.empty": ("该考核期没有考核。", "No appraisals in this period."),
    "audit.title": ("审计查询", "Audit search"),
    "audit.actor": ("办理人", "Person"),
    "audit.case": ("案件编号", "Case"),
    "audit.since": ("起始日期", "From"),
    "audit.until": ("截止日期", "To"),
    "audit.search": ("查询", "Search"),
    "audit.csv": ("下载 CSV", "Download CSV"),
    "audit.xlsx": ("下载 Excel", "Download XLSX"),
    "audit.empty": ("没有符合条件的记录。", "Nothing matches."),
    "audit.count": ("条记录", "entries"),
    "integrity.title": ("完整性校验", "Integrity"),
    "integrity.head": ("链头摘要", "Chain head"),
    "integrity.position": ("事件位置", "Event position"),
    "integrity.last": ("上次校验", "Last verified"),
    "integrity.never": ("尚未校验。", "Never verified."),
    "integrity.ok": ("通过", "passed"),
    "integrity.failed": ("未通过", "FAILED"),
    "integrity.events": ("校验事件数", "Events checked"),
    "integrity.run": ("立即校验", "Verify now"),
    "integrity.explain": ("每个事件都链接到前一个事件的摘要；链头摘要可用于日后核对记录未被改动。",
                          "Every event is chained to the digest before it; note the head to"
                          " check later that nothing was changed."),
    "refused.title": ("未能办理", "Refused"),
    "refused.detail": ("系统说明：", "The engine says: "),
    "refused.back": ("返回", "Back"),
    "err.NotSignedIn": ("登录已失效或表单已过期，未作任何更改。请刷新页面后重试。",
                        "Your session or this form has expired; nothing was changed. Reload"
                        " the page and try again."),
    "err.SignInFailed": ("账号或密码错误。", "Wrong user or password."),
    "err.AccountLocked": ("账号已锁定。", "The account is locked."),
    "err.NotPermitted": ("您无权办理此操作。", "You may not do this."),
    "err.NotFound": ("未找到。", "Not found."),
    "err.BadInput": ("输入有误。", "Something entered is not valid."),
    "err.AlreadySigned": ("该环节已由他人先行办理。", "Someone signed this step first."),
    "err.SeparationOfDuties": ("同一人不得办理同一案件的两个环节。",
                               "One person may not act at two levels of one case."),
    "err.StepNotAllowed": ("案件当前环节不允许此操作。", "The case's step does not allow this."),
    "err.LimitReached": ("超出任职人数限制。", "A staffing limit would be exceeded."),
    "err.AlreadyExists": ("记录已存在。", "That is already recorded."),
    "err.RuleRefused": ("制度规定不允许此操作。", "The rules do not allow this."),
    "err.Conflict": ("案件正被他人同时修改，请重试。", "The case changed meanwhile; try again."),
    "err.IntegrityFailure": ("记录与封印不符！", "The records do not match their seal!"),
    "err.WorkflowError": ("未能办理。", "Refused."),
}


def headline(exc: Exception) -> str:
    """The message key of a refusal's headline: its own class's, or its nearest ancestor's."""
    for cls in type(exc).__mro__:
        if f"err.{cls.__name__}" in MESSAGES:
            return f"err.{cls.__name__}"
    return "err.WorkflowError"


def language(request: Request) -> str:
    """`?lang=`, then the switch's cookie, then the browser's Accept-Language; zh-CN by default."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in LANGS:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


def translator(lang: str) -> Callable[..., str]:
    index = 0 if lang == "zh-CN" else 1

    def t(key: str, default: str | None = None) -> str:
        pair = MESSAGES.get(key)
        return pair[index] if pair else (key if default is None else default)
    return t
