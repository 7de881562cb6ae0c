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
    "inbox.title": ("待办", "Awaiting you"),
    "inbox.empty": ("没有待办事项。", "Nothing awaits you."),
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
    "col.actor": ("办理人", "Who"),
    "col.action": ("操作", "Action"),
    "state.open": ("办理中", "open"),
    "state.published": ("已公布", "published"),
    "state.vetoed": ("已否决", "vetoed"),
    "state.withdrawn": ("已撤回", "withdrawn"),
}


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


def translator(lang: str) -> Callable[[str], str]:
    index = 0 if lang == "zh-CN" else 1

    def t(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[index] if pair else key
    return t
