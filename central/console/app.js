// gridsync admin console: plain DOM, no framework, nothing loaded from
// elsewhere. Every value from the server is set as text, never as HTML.
"use strict";

const TEXT = {
  zh: {
    title: "街道中心管理台", logout: "退出", login_title: "管理员登录", login_name: "登录名",
    password: "密码", login_button: "登录", tab_conflicts: "冲突", tab_devices: "设备",
    f_state: "状态", f_kind: "类型", f_community: "社区", f_age: "至少(小时)前",
    state_open: "未处理", state_resolved: "已处理", state_all: "全部", all: "全部",
    c_kind: "类型", c_row: "记录", c_community: "社区", c_device: "设备", c_when: "发现时间",
    d_name: "名称", d_role: "角色", d_grid: "网格", d_entries: "记录数", d_enrolled: "登记时间",
    d_clock: "时钟", clock_ok: "准确", clock_unknown: "未测", clock_ahead: "快", clock_behind: "慢",
    minutes: "分钟",
    token_title: "为新设备生成登记码", t_staff: "工作人员编号", token_button: "生成",
    role_community_laptop: "社区笔记本", role_grid_device: "网格员设备",
    field: "字段", reason: "理由(必填)", reason_needed: "请先写明理由。",
    resolved_ok: "已处理,设备下次同步时收到。", revoke: "停用", revoked: "已停用",
    release: "原因已修正,放行", released_ok: "已放行并应用,设备下次同步时收到。",
    quarantine_help: "中心永久拒绝了这条记录,并完整保存;设备照常同步。请先修正原因(权限、户籍关系、规则),再放行:中心会重新检查,通过即应用。",
    revoke_reason: "停用理由", none_open: "没有未处理的冲突。", detail_none: "选择左侧的一条冲突查看双方。",
    resolution: "处理结果", by: "处理人", waiting: "等待", lang_switch: "English",
    code_ready: "登记码(一次有效):", login_failed: "登录失败",
    tab_imports: "导入", tab_approvals: "审核", tab_reports: "报表", by_cause: "按原因分组",
    i_kind: "表格", i_file: "文件(CSV 或 Excel)", i_encoding: "编码", enc_auto: "自动识别",
    i_program: "救助项目(文件无“项目”列时)", i_button: "导入", i_template: "下载空白模板",
    i_columns: "列:", i_required: "(必填)", i_ok: "已导入", i_refused: "未导入:请改正以下问题后重新导入,文件中的数据一条也没有写入。",
    i_rows: "行", i_created: "新增", i_updated: "更新", i_unchanged: "未变", i_staged: "名单已提交,待另一名管理员在“审核”中审核。",
    p_line: "行", p_column: "列", p_heading: "列名", p_message: "问题",
    a_waiting: "待审核", a_approved: "已审核", a_rejected: "已退回", a_none: "没有待审核的名单。",
    a_by: "编制", a_at: "于", a_count: "笔", a_total: "合计", a_approve: "审核通过", a_reject: "退回",
    a_mine: "这是您编制的名单,须由另一名管理员审核。", a_done: "已审核,设备下次同步时收到名单。",
    a_carried: "之前未领结转到本发放日:", a_rejected_ok: "已退回。", a_reason: "退回理由(必填)",
    a_date: "发放日", a_program: "项目", a_decided: "处理人",
    r_kind: "报表", r_month: "月份", r_point: "办事点", r_show: "查看", r_xlsx: "下载 Excel", r_print: "打印",
    r_reconciliation: "发放对账", r_delivery: "限时办结", r_attendance: "考勤", r_assessment: "月度考核",
    log_title: "审计日志(可验证)", log_witnessed: "已核验至(条)", log_at: "时间",
    log_summary: (v) => `共 ${v.leaves} 条,最新检查点 ${v.checkpoint_size ?? 0} 条。` +
      (v.witnessed_size ? `已有 ${v.witnesses_needed} 个社区见证前 ${v.witnessed_size} 条。`
        : `尚未满 ${v.witnesses_needed} 个社区见证:社区笔记本同步后自动见证。`) +
      (v.open_alarms ? ` 有 ${v.open_alarms} 条设备告警未处理!` : ""),
    alarm_title: "设备报告的日志告警", alarm_kind: "告警", alarm_detail: "内容", alarm_evidence: "证据",
    alarm_state: "状态", alarm_open: "未处理", alarm_cleared: "已处理:",
    alarm_help: "设备发现中心的日志不一致时停止接收数据(仍可上传),并报告到这里。请核实后在该设备上用 gridsync-edge log --clear 处理;证据(两个检查点)在设备和这里都保留。",
    evidence: { signed: "中心签名的检查点", unsigned: "签名不符", none: "无" },
    alarm: {
      rolled_back: "日志变小(回滚)", forked: "日志分叉", withheld: "条目未收录", inclusion_failed: "收录证明无效",
      bad_checkpoint: "检查点无效", log_key_changed: "日志密钥改变", restored: "中心从备份恢复",
      split_view: "两台设备看到不同的日志",
    },
    r_csv: "CSV", g_count: "个", g_settle: "一次处理这一组", g_settled: "已一次处理",
    g_sample: "示例:", g_cause: "同一条记录引起",
    kind: {
      DOUBLE_PAYMENT: "重复发放", DOUBLE_DELIVERY: "重复送达", DELIVERED_AND_RETURNED: "送达又退回",
      COLUMN_MERGE: "同一字段两处修改", AMOUNT_CHANGED: "按旧金额发放", SIMULTANEOUS_CHECK_IN: "同时签到",
      PARKED: "等待父记录", QUARANTINED: "已隔离(永久拒绝)", DATA: "两处修改同一记录", CONFLICT: "同一记录新建两次",
      CLOCK_SKEW: "设备时钟不准",
    },
    decision: {
      keep_central: "保留中心的值", take_incoming: "采用设备的值", void_payment: "作废这一笔并登记追回",
      acknowledge: "已核实,关闭",
    },
  },
  en: {
    title: "Subdistrict central console", logout: "Log out", login_title: "Admin login",
    login_name: "Login", password: "Password", login_button: "Log in", tab_conflicts: "Conflicts",
    tab_devices: "Devices", f_state: "State", f_kind: "Kind", f_community: "Community",
    f_age: "At least (hours) old", state_open: "Open", state_resolved: "Resolved", state_all: "All",
    all: "All", c_kind: "Kind", c_row: "Record", c_community: "Community", c_device: "Device",
    c_when: "Detected", d_name: "Name", d_role: "Role", d_grid: "Grid", d_entries: "Entries",
    d_enrolled: "Enrolled", token_title: "Enrollment code for a new device", t_staff: "Staff id",
    d_clock: "Clock", clock_ok: "right", clock_unknown: "not measured", clock_ahead: "ahead",
    clock_behind: "behind", minutes: "min",
    token_button: "Create", role_community_laptop: "Community laptop", role_grid_device: "Grid leader's device",
    field: "Field", reason: "Reason (required)", reason_needed: "Write a reason first.",
    resolved_ok: "Resolved: devices receive it at their next sync.",
    release: "Cause fixed: release", released_ok: "Released and applied: devices receive it at their next sync.",
    quarantine_help: "Central refused this entry for good and keeps it whole; the device goes on syncing. Fix the cause (a permission, a household link, a rule), then release it: it is checked again and applied if it passes.", revoke: "Revoke", revoked: "Revoked",
    revoke_reason: "Reason for revoking", none_open: "No open conflicts.",
    detail_none: "Pick a conflict on the left to see both sides.", resolution: "Resolution", by: "By",
    waiting: "Waiting for", lang_switch: "中文", code_ready: "Enrollment code (one use): ",
    login_failed: "Login failed",
    tab_imports: "Imports", tab_approvals: "Approvals", tab_reports: "Reports", by_cause: "Group by cause",
    i_kind: "List", i_file: "File (CSV or Excel)", i_encoding: "Encoding", enc_auto: "Detect",
    i_program: "Programme (when the file has no 项目 column)", i_button: "Import", i_template: "Blank template",
    i_columns: "Columns: ", i_required: " (required)", i_ok: "Imported",
    i_refused: "Not imported: fix these problems and import again; nothing of the file was written.",
    i_rows: "rows", i_created: "created", i_updated: "updated", i_unchanged: "unchanged",
    i_staged: "The list waits for a second admin under Approvals.",
    p_line: "Line", p_column: "Column", p_heading: "Heading", p_message: "Problem",
    a_waiting: "Waiting", a_approved: "Approved", a_rejected: "Turned down", a_none: "No lists waiting.",
    a_by: "prepared by", a_at: "at", a_count: "entitlements", a_total: "Total", a_approve: "Approve", a_reject: "Turn down",
    a_mine: "You prepared this list: another admin approves it.", a_done: "Approved: devices receive the list at their next sync.",
    a_carried: "Carried over from earlier days: ", a_rejected_ok: "Turned down.", a_reason: "Why (required)",
    a_date: "Day", a_program: "Programme", a_decided: "Decided by",
    r_kind: "Report", r_month: "Month", r_point: "Service point", r_show: "Show", r_xlsx: "Excel", r_print: "Print",
    r_reconciliation: "Reconciliation", r_delivery: "Delivery in time", r_attendance: "Attendance", r_assessment: "Monthly assessment",
    log_title: "Verifiable log", log_witnessed: "Verified up to (leaves)", log_at: "When",
    log_summary: (v) => `${v.leaves} leaves, latest checkpoint ${v.checkpoint_size ?? 0}. ` +
      (v.witnessed_size ? `${v.witnesses_needed} communities witnessed the first ${v.witnessed_size}.`
        : `Not yet witnessed by ${v.witnesses_needed} communities: community laptops witness as they sync.`) +
      (v.open_alarms ? ` ${v.open_alarms} device alarms open!` : ""),
    alarm_title: "Log alarms devices reported", alarm_kind: "Alarm", alarm_detail: "Detail", alarm_evidence: "Evidence",
    alarm_state: "State", alarm_open: "Open", alarm_cleared: "Cleared: ",
    alarm_help: "A device that finds central's log inconsistent stops applying pulls (it still pushes) and reports it here. Check, then clear it on that device with gridsync-edge log --clear; the evidence (both checkpoints) stays on the device and here.",
    evidence: { signed: "checkpoints central signed", unsigned: "signature does not verify", none: "none" },
    alarm: {
      rolled_back: "Smaller tree (rollback)", forked: "Forked history", withheld: "Entry withheld", inclusion_failed: "Bad inclusion proof",
      bad_checkpoint: "Bad checkpoint", log_key_changed: "Log key changed", restored: "Central restored from backup",
      split_view: "Two devices shown different trees",
    },
    r_csv: "CSV", g_count: "", g_settle: "Settle the whole group", g_settled: "Settled at once:",
    g_sample: "For example: ", g_cause: "caused by one entry",
    kind: {
      DOUBLE_PAYMENT: "Double payment", DOUBLE_DELIVERY: "Delivered twice",
      DELIVERED_AND_RETURNED: "Delivered and returned", COLUMN_MERGE: "Same field edited twice",
      AMOUNT_CHANGED: "Paid a corrected amount", SIMULTANEOUS_CHECK_IN: "Simultaneous check-ins",
      PARKED: "Waiting for a parent", QUARANTINED: "Quarantined (refused for good)", DATA: "Row changed on both sides", CONFLICT: "Created twice",
      CLOCK_SKEW: "Device clock off",
    },
    decision: {
      keep_central: "Keep central's", take_incoming: "Take the device's",
      void_payment: "Void this payment, recover it", acknowledge: "Checked, close",
    },
  },
};

const state = { lang: localStorage.getItem("gridsync.lang") || "zh", csrf: "", selected: null };
const $ = (id) => document.getElementById(id);
const t = (key) => TEXT[state.lang][key] ?? key;
const kindName = (k) => TEXT[state.lang].kind[k] ?? k;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const localTime = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});

// Money is integer fen; times are UTC epoch ms shown in Asia/Shanghai.
function show(name, value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" && name.endsWith("_fen")) {
    const sign = value < 0 ? "-" : "";
    const a = Math.abs(value);
    return `${sign}¥${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
  }
  if (typeof value === "number" && name.endsWith("_ms") && value > 1e12) return localTime.format(new Date(value));
  return String(value);
}

async function call(method, path, body) {
  const opts = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  if (method !== "GET") opts.headers["X-CSRF-Token"] = state.csrf;
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && path !== "/admin/api/login") showLogin();
    throw new Error(data.message || `HTTP ${res.status}`);
  }
  return data;
}

function message(text, isError = false) {
  const m = $("message");
  m.textContent = text;
  m.className = isError ? "error" : "message";
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n); });
  $("lang").textContent = t("lang_switch");
  document.title = `gridsync ${t("title")}`;
}

function showLogin() {
  $("login-view").classList.remove("hidden");
  $("app-view").classList.add("hidden");
  $("logout").classList.add("hidden");
  $("who").textContent = "";
}

function showApp(me) {
  state.csrf = me.csrf;
  $("who").textContent = `${me.login} (${me.staff_id})`;
  $("login-view").classList.add("hidden");
  $("app-view").classList.remove("hidden");
  $("logout").classList.remove("hidden");
  loadConflicts();
}

function filters() {
  const f = new FormData($("filters"));
  const q = new URLSearchParams();
  for (const [k, v] of f.entries()) if (v !== "") q.set(k, v);
  return q.toString();
}

function fillSelect(select, options, current) {
  select.replaceChildren(el("option", { value: "" }, t("all")));
  for (const [value, label] of options) select.append(el("option", { value }, label));
  select.value = current;
}

async function loadConflicts() {
  if ($("by-cause").checked) return loadGroups();
  const data = await call("GET", `/admin/api/conflicts?${filters()}`);
  const counts = $("counts");
  counts.replaceChildren();
  for (const [k, n] of Object.entries(data.counts)) {
    counts.append(el("span", { class: "chip", "data-kind": k }, `${kindName(k)} `, el("b", {}, n)));
  }
  const kindSelect = document.querySelector("[name=kind]");
  fillSelect(kindSelect, Object.keys(TEXT[state.lang].kind).map((k) => [k, kindName(k)]), kindSelect.value);
  const commSelect = document.querySelector("[name=community]");
  fillSelect(commSelect, data.communities.map((c) => [c.code, `${c.code} ${c.name}`]), commSelect.value);

  const rows = $("conflict-rows");
  rows.replaceChildren();
  if (data.conflicts.length === 0) rows.append(el("tr", {}, el("td", { colspan: 5 }, t("none_open"))));
  for (const c of data.conflicts) {
    const tr = el("tr", { "data-id": c.id, "data-kind": c.kind, onclick: () => openConflict(c.id) },
      el("td", {}, kindName(c.kind)), el("td", {}, `${c.table} ${c.row}`), el("td", {}, c.community),
      el("td", {}, c.device_name), el("td", {}, show("detected_at_ms", c.detected_at_ms)));
    if (c.id === state.selected) tr.classList.add("selected");
    rows.append(tr);
  }
}

function sidesTable(sides) {
  const names = [];
  for (const s of sides) for (const k of Object.keys(s.fields)) if (!names.includes(k)) names.push(k);
  const head = el("tr", {}, el("th", {}, t("field")));
  for (const s of sides) head.append(el("th", {}, s.label));
  const body = el("tbody");
  for (const name of names) {
    const values = sides.map((s) => JSON.stringify(s.fields[name] ?? null));
    const differs = new Set(values).size > 1;
    const tr = el("tr", { "data-field": name }, el("th", {}, name));
    for (const s of sides) {
      tr.append(el("td", { class: differs ? "diff" : "" }, show(name, s.fields[name])));
    }
    body.append(tr);
  }
  return el("table", { class: "sides", "data-testid": "sides" }, el("thead", {}, head), body);
}

async function openConflict(id) {
  state.selected = id;
  document.querySelectorAll("#conflict-rows tr").forEach((r) => r.classList.toggle("selected", r.dataset.id === id));
  const c = await call("GET", `/admin/api/conflicts/${encodeURIComponent(id)}`);
  const d = $("detail");
  d.classList.remove("hidden");
  d.replaceChildren(
    el("h3", {}, `${kindName(c.kind)} · ${c.table} ${c.row}`),
    el("p", { class: "meta" }, `${c.community} · ${c.device_name} #${c.seq} · ${show("detected_at_ms", c.detected_at_ms)}`),
    el("p", {}, c.detail || ""),
  );
  if (c.waiting_for) d.append(el("p", {}, `${t("waiting")}: ${c.waiting_for}`));
  if (c.sides.length) d.append(sidesTable(c.sides));
  if (c.state !== "open") {
    d.append(el("p", { "data-testid": "resolution" },
      `${t("resolution")}: ${TEXT[state.lang].decision[c.resolution] ?? c.resolution}` +
      ` · ${t("by")} ${c.resolved_by} · ${c.reason}`));
    return;
  }
  if (c.quarantined) { d.append(releaseForm(c.quarantined, d)); return; }
  if (!c.decisions.length) return;
  const reason = el("textarea", { "data-testid": "reason", placeholder: t("reason") });
  d.append(el("label", {}, el("span", {}, t("reason")), reason));
  const buttons = el("div", { class: "decisions" });
  const decide = async (decision, paymentId) => {
    if (!reason.value.trim()) { message(t("reason_needed"), true); reason.focus(); return; }
    try {
      await call("POST", `/admin/api/conflicts/${encodeURIComponent(id)}/resolve`,
        { decision, reason: reason.value.trim(), payment_id: paymentId || "" });
      message(t("resolved_ok"));
      state.selected = null;
      d.classList.add("hidden");
      await loadConflicts();
    } catch (e) { message(e.message, true); }
  };
  const words = TEXT[state.lang].decision;
  for (const decision of c.decisions) {
    if (decision === "void_payment") {
      for (const s of c.sides) {
        if (!s.payment_id || s.fields.void) continue;
        buttons.append(el("button", { type: "button", class: "danger", "data-decision": decision,
          "data-payment": s.payment_id, onclick: () => decide(decision, s.payment_id) },
          `${words.void_payment} (${s.payment_id.slice(-6)})`));
      }
    } else {
      const label = c.decisions.length === 1 ? words.acknowledge : words[decision];
      buttons.append(el("button", { type: "button", "data-decision": decision, onclick: () => decide(decision) }, label));
    }
  }
  d.append(buttons);
}

// A quarantined entry: checked again and applied once its cause is fixed.
function releaseForm(q, d) {
  const reason = el("textarea", { "data-testid": "reason", placeholder: t("reason") });
  const release = async () => {
    if (!reason.value.trim()) { message(t("reason_needed"), true); reason.focus(); return; }
    try {
      await call("POST", "/admin/api/quarantine/release", { device: q.device, seq: q.seq, reason: reason.value.trim() });
      message(t("released_ok"));
      state.selected = null;
      d.classList.add("hidden");
      await loadConflicts();
    } catch (e) { message(e.message, true); }
  };
  return el("div", {},
    el("p", {}, t("quarantine_help")),
    el("label", {}, el("span", {}, t("reason")), reason),
    el("div", { class: "decisions" },
      el("button", { type: "button", "data-decision": "release", onclick: release }, t("release"))));
}

// A device's clock as central measured it at its last pull.
function clockCell(dev) {
  if (dev.clock_skew_ms === null || dev.clock_skew_ms === undefined) return el("td", {}, t("clock_unknown"));
  if (!dev.clock_skewed) return el("td", {}, t("clock_ok"));
  const minutes = Math.round(Math.abs(dev.clock_skew_ms) / 60000);
  return el("td", { class: "warn" },
    `${t(dev.clock_skew_ms > 0 ? "clock_ahead" : "clock_behind")} ${minutes} ${t("minutes")}`);
}

// How much of central's log the community laptops verified and cosigned.
async function loadLog() {
  const v = await call("GET", "/admin/api/log");
  $("log-summary").textContent = t("log_summary")(v);
  $("witness-rows").replaceChildren(...v.witnesses.map((w) => el("tr", {},
    el("td", {}, w.community), el("td", {}, w.device), el("td", {}, w.size),
    el("td", {}, show("at_ms", w.at_ms)))));
  const words = TEXT[state.lang];
  $("alarm-box").classList.toggle("hidden", v.alarms.length === 0);
  $("alarm-rows").replaceChildren(...v.alarms.map((a) => el("tr", { "data-kind": a.kind },
    el("td", {}, a.device), el("td", a.open ? { class: "warn" } : {}, words.alarm[a.kind] ?? a.kind),
    el("td", {}, a.detail), el("td", {}, words.evidence[a.evidence] ?? a.evidence),
    el("td", {}, show("at_ms", a.at_ms)),
    el("td", a.open ? { class: "warn" } : {}, a.open ? t("alarm_open") : t("alarm_cleared") + a.cleared_reason))));
}

async function loadDevices() {
  loadLog().catch((e) => message(e.message, true));
  const data = await call("GET", "/admin/api/devices");
  const rows = $("device-rows");
  rows.replaceChildren();
  for (const dev of data.devices) {
    const action = dev.revoked ? el("span", {}, t("revoked")) : el("button", {
      type: "button", class: "danger", "data-device": dev.id, onclick: async () => {
        const reason = window.prompt(t("revoke_reason"));
        if (!reason) return;
        try { await call("POST", `/admin/api/devices/${encodeURIComponent(dev.id)}/revoke`, { reason }); await loadDevices(); }
        catch (e) { message(e.message, true); }
      } }, t("revoke"));
    rows.append(el("tr", { "data-id": dev.id }, el("td", {}, dev.name), el("td", {}, t(`role_${dev.role}`)),
      el("td", {}, dev.community), el("td", {}, dev.grid), el("td", {}, dev.entries),
      el("td", {}, show("enrolled_at_ms", dev.enrolled_at_ms)), clockCell(dev), el("td", {}, action)));
  }
}

const TABS = {
  conflicts: () => loadConflicts(), devices: () => loadDevices(), imports: () => loadImports(),
  approvals: () => loadApprovals(), reports: () => loadScopes(),
};
function switchTab(name) {
  state.tab = name;
  document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  for (const t of Object.keys(TABS)) $(`${t}-tab`).classList.toggle("hidden", t !== name);
  TABS[name]().catch((e) => message(e.message, true));
}


// ---- Conflicts by cause: what one device entry caused, settled at once.
async function loadGroups() {
  const data = await call("GET", `/admin/api/conflict-groups?${filters()}`);
  const rows = $("conflict-rows");
  rows.replaceChildren();
  if (data.groups.length === 0) rows.append(el("tr", {}, el("td", { colspan: 5 }, t("none_open"))));
  for (const g of data.groups) {
    rows.append(el("tr", { "data-group": g.group, "data-kind": g.kind, onclick: () => openGroup(g) },
      el("td", {}, `${kindName(g.kind)} × ${g.count}${t("g_count")}`), el("td", {}, g.table),
      el("td", {}, g.community), el("td", {}, `${g.device_name} #${g.seq}`),
      el("td", {}, show("detected_at_ms", g.detected_at_ms))));
  }
}

async function openGroup(g) {
  const sample = await call("GET", `/admin/api/conflicts/${encodeURIComponent(g.sample)}`);
  const d = $("detail");
  d.classList.remove("hidden");
  d.replaceChildren(
    el("h3", {}, `${kindName(g.kind)} × ${g.count} · ${g.table}`),
    el("p", { class: "meta" }, `${g.community} · ${g.device_name} #${g.seq} · ${t("g_cause")}`),
    el("p", {}, `${t("g_sample")}${sample.detail || ""}`));
  if (sample.sides.length) d.append(sidesTable(sample.sides));
  if (sample.state !== "open") return;
  const reason = el("textarea", { "data-testid": "group-reason", placeholder: t("reason") });
  d.append(el("label", {}, el("span", {}, t("reason")), reason));
  const buttons = el("div", { class: "decisions" });
  for (const decision of sample.decisions.filter((x) => x !== "void_payment")) {
    buttons.append(el("button", { type: "button", "data-group-decision": decision, onclick: async () => {
      if (!reason.value.trim()) { message(t("reason_needed"), true); reason.focus(); return; }
      try {
        const r = await call("POST", `/admin/api/conflict-groups/${encodeURIComponent(g.group)}/resolve`,
          { decision, reason: reason.value.trim() });
        message(`${t("g_settled")} ${r.settled}`);
        d.classList.add("hidden");
        await loadGroups();
      } catch (e) { message(e.message, true); }
    } }, `${TEXT[state.lang].decision[decision] ?? decision} · ${t("g_settle")} (${g.count})`));
  }
  d.append(buttons);
}

// ---- Imports: a file from an office, its problems by row and column.
async function loadImports() {
  if (!state.kinds) state.kinds = (await call("GET", "/admin/api/imports")).kinds;
  const select = $("import-kind");
  const current = select.value;
  select.replaceChildren(...state.kinds.map((k) => el("option", { value: k.kind }, `${k.title} (${k.kind})`)));
  if (current) select.value = current;
  importKindChanged();
}

function importKindChanged() {
  const kind = state.kinds.find((k) => k.kind === $("import-kind").value) || state.kinds[0];
  $("template-link").href = `/admin/api/templates/${kind.kind}.xlsx`;
  $("import-columns").textContent = t("i_columns") + kind.fields
    .map((f) => f.heading + (f.note.startsWith("必填") ? t("i_required") : "")).join("、");
  $("import-program-label").classList.toggle("hidden", kind.kind !== "entitlements");
}

async function upload(ev) {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const file = f.get("file");
  if (!file || !file.size) return;
  const q = new URLSearchParams({ encoding: f.get("encoding"), name: file.name });
  if (f.get("program")) q.set("program", f.get("program"));
  const res = await fetch(`/admin/api/imports/${encodeURIComponent(f.get("kind"))}?${q}`, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": state.csrf },
    body: new Uint8Array(await file.arrayBuffer()),
  });
  const r = await res.json().catch(() => ({}));
  const out = $("import-result");
  out.classList.remove("hidden");
  if (!res.ok && !r.problems) { out.replaceChildren(el("p", { class: "error" }, r.message || `HTTP ${res.status}`)); return; }
  if (r.ok) {
    out.replaceChildren(
      el("p", { class: "message", "data-testid": "import-ok" },
        `${t("i_ok")} ${r.title} (${r.format}): ${r.rows} ${t("i_rows")}, ${t("i_created")} ${r.created}, ` +
        `${t("i_updated")} ${r.updated}, ${t("i_unchanged")} ${r.unchanged}`));
    if (r.approval_id) out.append(el("p", { "data-testid": "import-staged" }, t("i_staged")));
    return;
  }
  const body = el("tbody");
  for (const p of r.problems) {
    body.append(el("tr", { "data-line": p.line, "data-column": p.column },
      el("td", {}, p.line), el("td", {}, p.column || ""), el("td", {}, p.heading), el("td", {}, p.message)));
  }
  out.replaceChildren(el("p", { class: "error", "data-testid": "import-refused" }, t("i_refused")),
    el("table", { class: "list problems", "data-testid": "import-problems" },
      el("thead", {}, el("tr", {}, el("th", {}, t("p_line")), el("th", {}, t("p_column")),
        el("th", {}, t("p_heading")), el("th", {}, t("p_message")))), body));
}

// ---- Approvals: maker and checker.
const yuan = (fen) => {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100).toLocaleString("zh-CN")}.${String(a % 100).padStart(2, "0")}`;
};

async function loadApprovals() {
  const st = new FormData($("approval-filters")).get("state");
  const data = await call("GET", `/admin/api/approvals?state=${encodeURIComponent(st)}`);
  const list = $("approval-list");
  list.replaceChildren();
  if (!data.approvals.length) list.append(el("p", { class: "meta" }, t("a_none")));
  for (const a of data.approvals) {
    const lines = el("tbody");
    for (const l of a.lines) {
      lines.append(el("tr", {}, el("td", {}, l.community), el("td", {}, l.date), el("td", {}, l.program),
        el("td", { class: "num" }, l.entitlements), el("td", { class: "num" }, yuan(l.total_fen))));
    }
    const card = el("div", { class: "card approval", "data-approval": a.id, "data-state": a.state },
      el("h3", {}, `${a.entitlements} ${t("a_count")} · ${t("a_total")} ¥${yuan(a.total_fen)}`),
      el("p", { class: "meta" }, `${t("a_by")} ${a.prepared_by} ${t("a_at")} ${show("prepared_at_ms", a.prepared_at_ms)}` +
        (a.decided_by ? ` · ${t("a_decided")} ${a.decided_by}` : "") + (a.reason ? ` · ${a.reason}` : "")),
      el("table", { class: "list" }, el("thead", {}, el("tr", {}, el("th", {}, t("c_community")),
        el("th", {}, t("a_date")), el("th", {}, t("a_program")), el("th", {}, t("a_count")), el("th", {}, t("a_total")))), lines));
    if (a.state === "waiting") {
      if (a.mine) {
        card.append(el("p", { class: "meta", "data-testid": "approval-mine" }, t("a_mine")));
      } else {
        const reason = el("textarea", { placeholder: t("a_reason"), "data-testid": "approval-reason" });
        card.append(el("div", { class: "decisions" },
          el("button", { type: "button", class: "primary", "data-testid": "approve", onclick: async () => {
            try {
              const r = await call("POST", `/admin/api/approvals/${encodeURIComponent(a.id)}/approve`, {});
              message(t("a_done") + (r.carried_over ? ` ${t("a_carried")}${r.carried_over} ${t("a_count")}, ¥${yuan(r.carried_over_fen)}` : ""));
              await loadApprovals();
            } catch (e) { message(e.message, true); }
          } }, t("a_approve")),
          el("button", { type: "button", class: "danger", "data-testid": "reject", onclick: async () => {
            if (!reason.value.trim()) { message(t("reason_needed"), true); reason.focus(); return; }
            try {
              await call("POST", `/admin/api/approvals/${encodeURIComponent(a.id)}/reject`, { reason: reason.value.trim() });
              message(t("a_rejected_ok"));
              await loadApprovals();
            } catch (e) { message(e.message, true); }
          } }, t("a_reject"))), reason);
      }
    }
    list.append(card);
  }
}

// ---- Reports: the same figures as the command line, on screen, in Excel, on paper.
async function loadScopes() {
  if (!state.scopes) {
    state.scopes = await call("GET", "/admin/api/scopes");
    const f = $("report-form");
    if (!f.month.value) f.month.value = state.scopes.month;
  }
  const f = $("report-form");
  const keep = { sp: f.service_point.value, c: f.community.value, g: f.grid.value };
  fillSelect(f.service_point, state.scopes.service_points.map((p) => [p.code, `${p.code} ${p.name}`]), keep.sp);
  fillSelect(f.community, state.scopes.communities.map((c) => [c.code, `${c.code} ${c.name}`]), keep.c);
  const community = state.scopes.communities.find((c) => c.code === f.community.value);
  fillSelect(f.grid, community ? community.grids.map((g) => [g.number ?? g.name, g.name]) : [], keep.g);
  reportLinks();
}

function reportQuery() {
  const f = new FormData($("report-form"));
  const q = new URLSearchParams();
  for (const k of ["month", "service_point", "community", "grid"]) if (f.get(k)) q.set(k, f.get(k));
  return { kind: f.get("kind"), q };
}

function reportLinks() {
  const { kind, q } = reportQuery();
  $("report-xlsx").href = `/admin/api/reports/${kind}.xlsx?${q}`;
}

function cellText(value, kind) {
  if (value === null || value === undefined) return "";
  if (kind === "yuan_fen") return yuan(value);
  if (kind === "percent_bp") return `${(value / 100).toFixed(2)}%`;
  return String(value);
}

async function showReport(ev) {
  if (ev) ev.preventDefault();
  const { kind, q } = reportQuery();
  const r = await call("GET", `/admin/api/reports/${kind}?${q}`);
  const out = $("report-out");
  out.replaceChildren();
  r.tables.forEach((tb, n) => {
    const head = el("tr", {}, ...tb.columns.map((c) => el("th", {}, c.heading)));
    const body = el("tbody");
    for (const row of tb.rows) {
      body.append(el("tr", {}, ...row.map((v, i) => el("td", { class: tb.columns[i]?.kind === "text" ? "" : "num" },
        cellText(v, tb.columns[i]?.kind)))));
    }
    const table = el("table", { "data-table": n }, el("thead", {}, head), body);
    if (tb.totals.length) {
      table.append(el("tfoot", {}, el("tr", {}, ...tb.totals.map((v, i) =>
        el("td", { class: tb.columns[i]?.kind === "text" ? "" : "num" }, cellText(v, tb.columns[i]?.kind))))));
    }
    const csv = el("a", { class: "button", href: `/admin/api/reports/${kind}.csv?${q}&table=${n}` }, `${t("r_csv")} · ${tb.name}`);
    const section = el("section", { "data-testid": "report-table" },
      el("h2", {}, tb.title), ...tb.notes.map((x) => el("p", { class: "notes" }, x)),
      el("div", { class: "scroll" }, table), ...tb.footer.map((x) => el("p", { class: "signature" }, x)), el("p", { class: "noprint" }, csv));
    out.append(section);
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  applyLanguage();
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("gridsync.lang", state.lang);
    applyLanguage();
    if (!$("app-view").classList.contains("hidden")) {
      TABS[state.tab || "conflicts"]().catch(() => {});
      if (state.selected && (state.tab || "conflicts") === "conflicts") openConflict(state.selected).catch(() => {});
    }
  });
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    $("login-error").textContent = "";
    try {
      const me = await call("POST", "/admin/api/login",
        { login: $("login-name").value, password: $("login-password").value });
      $("login-password").value = "";
      showApp(me);
    } catch (e) { $("login-error").textContent = `${t("login_failed")}: ${e.message}`; }
  });
  $("logout").addEventListener("click", async () => {
    try { await call("POST", "/admin/api/logout"); } catch (e) { /* the session is gone either way */ }
    state.csrf = "";
    showLogin();
  });
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => switchTab(b.dataset.tab)));
  $("filters").addEventListener("change", () => {
    $("detail").classList.add("hidden");
    loadConflicts().catch((e) => message(e.message, true));
  });
  $("import-kind").addEventListener("change", importKindChanged);
  $("import-form").addEventListener("submit", (ev) => upload(ev).catch((e) => message(e.message, true)));
  $("approval-filters").addEventListener("change", () => loadApprovals().catch((e) => message(e.message, true)));
  $("report-form").addEventListener("change", () => loadScopes().catch(() => {}));
  $("report-form").addEventListener("submit", (ev) => showReport(ev).catch((e) => message(e.message, true)));
  $("report-print").addEventListener("click", async () => {
    try { await showReport(); window.print(); } catch (e) { message(e.message, true); }
  });
  $("token-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const body = { staff_id: f.get("staff_id"), role: f.get("role"), community: f.get("community") };
    if (f.get("grid")) body.grid = String(f.get("grid"));
    try {
      const r = await call("POST", "/admin/api/tokens", body);
      $("token-out").textContent = t("code_ready") + r.code;
      await loadDevices();
    } catch (e) { message(e.message, true); }
  });
  try { showApp(await call("GET", "/admin/api/me")); } catch (e) { showLogin(); }
});
