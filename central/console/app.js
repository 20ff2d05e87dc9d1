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
    revoke_reason: "停用理由", none_open: "没有未处理的冲突。", detail_none: "选择左侧的一条冲突查看双方。",
    resolution: "处理结果", by: "处理人", waiting: "等待", lang_switch: "English",
    code_ready: "登记码(一次有效):", login_failed: "登录失败",
    kind: {
      DOUBLE_PAYMENT: "重复发放", DOUBLE_DELIVERY: "重复送达", DELIVERED_AND_RETURNED: "送达又退回",
      COLUMN_MERGE: "同一字段两处修改", AMOUNT_CHANGED: "按旧金额发放", SIMULTANEOUS_CHECK_IN: "同时签到",
      PARKED: "等待父记录", DATA: "两处修改同一记录", CONFLICT: "同一记录新建两次",
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
    resolved_ok: "Resolved: devices receive it at their next sync.", revoke: "Revoke", revoked: "Revoked",
    revoke_reason: "Reason for revoking", none_open: "No open conflicts.",
    detail_none: "Pick a conflict on the left to see both sides.", resolution: "Resolution", by: "By",
    waiting: "Waiting for", lang_switch: "中文", code_ready: "Enrollment code (one use): ",
    login_failed: "Login failed",
    kind: {
      DOUBLE_PAYMENT: "Double payment", DOUBLE_DELIVERY: "Delivered twice",
      DELIVERED_AND_RETURNED: "Delivered and returned", COLUMN_MERGE: "Same field edited twice",
      AMOUNT_CHANGED: "Paid a corrected amount", SIMULTANEOUS_CHECK_IN: "Simultaneous check-ins",
      PARKED: "Waiting for a parent", DATA: "Row changed on both sides", CONFLICT: "Created twice",
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

// A device's clock as central measured it at its last pull.
function clockCell(dev) {
  if (dev.clock_skew_ms === null || dev.clock_skew_ms === undefined) return el("td", {}, t("clock_unknown"));
  if (!dev.clock_skewed) return el("td", {}, t("clock_ok"));
  const minutes = Math.round(Math.abs(dev.clock_skew_ms) / 60000);
  return el("td", { class: "warn" },
    `${t(dev.clock_skew_ms > 0 ? "clock_ahead" : "clock_behind")} ${minutes} ${t("minutes")}`);
}

async function loadDevices() {
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

function switchTab(name) {
  document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  $("conflicts-tab").classList.toggle("hidden", name !== "conflicts");
  $("devices-tab").classList.toggle("hidden", name !== "devices");
  (name === "devices" ? loadDevices() : loadConflicts()).catch((e) => message(e.message, true));
}

document.addEventListener("DOMContentLoaded", async () => {
  applyLanguage();
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("gridsync.lang", state.lang);
    applyLanguage();
    if (!$("app-view").classList.contains("hidden")) {
      loadConflicts().catch(() => {});
      if (state.selected) openConflict(state.selected).catch(() => {});
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
  $("filters").addEventListener("change", () => loadConflicts().catch((e) => message(e.message, true)));
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
