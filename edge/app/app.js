// gridsync field app: plain DOM, no framework, nothing loaded from elsewhere;
// the edge serves every file. Every value from the server is set as text,
// never as HTML. Chinese first; English on one click.
"use strict";

const TEXT = {
  zh: {
    title: "街道现场工作", lang_switch: "English", sync_now: "同步", online: "在线", offline: "离线",
    never: "尚未同步", pending: "待上传", last_sync: "上次同步", notices: "中心提示", not_enrolled: "未登记",
    nav_home: "登录", nav_leader: "送证上门", nav_handover: "证件交接", nav_day: "发放日", nav_shifts: "考勤",
    nav_keys: "我的密钥",
    signed_in: "已登录", nobody: "还没有人登录。每人用自己的 PIN 登录,发放需要两人都登录。",
    pick_name: "选择姓名", pin: "PIN", sign_in: "登录", sign_out: "退出", sign_out_all: "全部退出",
    no_key: "(本设备还没有密钥)", signed_in_ok: "已登录:", signed_out: "已退出",
    keys_title: "在本设备生成我的签名密钥", keys_help: "由本人操作:输入管理员发给您的一次性登记码,再设置新 PIN(输入两次)。",
    code: "登记码", new_pin: "新 PIN(至少 4 位)", pin_again: "再次输入 PIN", make_key: "生成密钥",
    key_made: "密钥已生成,指纹:",
    leader_title: "我手上的证件", choose_leader: "网格负责人", held: "件在手", overdue: "已超期",
    days_left: "剩余天数", due: "到期", deliver: "送达", failed: "未送达", none_held: "手上没有待送的证件。",
    recipient: "领取人", self: "本人", proxy: "代领人", proxy_name: "代领人姓名", relation: "关系",
    spouse: "配偶", child: "子女", parent: "父母", other: "其他",
    id_number: "领取人身份证号码", id_help: "输入后与登记的信息核对,不保存号码。", signature: "领取人签名(在框内书写)",
    clear: "清除", photo: "照片(可选)", take_photo: "拍照或选择照片", with_location: "附上当前位置", leader_pin: "网格负责人 PIN",
    confirm_delivery: "确认送达", delivered_ok: "已送达并签名", reason: "原因", retry_days: "计划几天后重送",
    not_home: "不在家", refused: "拒收", moved: "已搬迁", no_id: "无法核验身份",
    record_failed: "记录未送达", failed_ok: "已记录未送达及重送计划", attempts: "次未送达",
    overdue_title: "超期未送达(限时办结)", none_overdue: "没有超期的证件。",
    handover_title: "在中心交给网格负责人", center_staff: "中心工作人员", grid_leader: "网格负责人",
    at_center: "在中心待交接的证件", select_all: "全选", center_pin: "中心工作人员 PIN", handover: "交接(双方签名)",
    handed_over: "已交接:", none_at_center: "没有该网格负责人待领的证件。",
    day_title: "发放日", choose_day: "发放日", not_approved: "(名单待审核)", entitlements: "应发", open_session: "开启发放场次",
    staff_a: "工作人员 A", staff_b: "工作人员 B", pin_a: "A 的 PIN", pin_b: "B 的 PIN", cash: "领取现金(元)",
    notes: "券别(如 10000x50)", session_open: "场次已开启", sessions: "本设备的场次", session: "场次",
    closed: "已结束", open: "进行中",
    expected: "应发", paid: "已发", reversed: "冲正", to_pay: "待发",
    find: "查找领取人(姓名或身份证后 4 位)", search: "查找", paid_already: "已发放", pay: "发放",
    ack_name: "领取人签字姓名", ack: "领取人签名或手印", payer: "经办人", verifier: "复核人",
    payer_pin: "经办人 PIN", verifier_pin: "复核人 PIN", confirm_pay: "确认发放", paid_ok: "已发放",
    same_person: "经办人和复核人必须是两个人", payments: "发放记录", reverse: "冲正", reverse_reason: "冲正原因",
    reversed_ok: "已冲正", waiting_upload: "待上传", accepted: "已接收",
    close: "结束并对账", returned: "退回现金(元)", unpaid_reason: "未领取原因", absent: "未到",
    deceased: "已故", identity_unverified: "身份未核实", explanation: "差额说明(有差额时必填)",
    close_ok: "已对账", variance: "差额", cash_issued: "领取现金", cash_returned: "退回现金",
    shifts_title: "签到签退", person: "本人", check_in: "签到", check_out: "签退", checked: "已记录:",
    my_roster: "我的本周排班", coverage: "今日 8+4 值守", uncovered: "空岗时段", none_uncovered: "今日没有空岗。",
    present: "在岗", absent_now: "未到", late: "迟到", minutes: "分钟", normal: "正常班", early: "早班", late_kind: "晚班",
    rate_title: "请群众评议这次服务", rate_skip: "跳过", back: "返回", rate_comment: "意见(可选)", rated: "谢谢评议",
    very_satisfied: "非常满意", satisfied: "满意", basically_satisfied: "基本满意", dissatisfied: "不满意",
    very_dissatisfied: "非常不满意",
    need_two: "请先让两名工作人员都登录", need_signature: "请领取人先签名", syncing: "同步中…",
    synced: "同步完成", refused_by_central: "被中心拒绝", flagged: "中心已记录",
    quarantined: "中心已隔离,请联系管理员",
    recover: "中心作废的重复发放,需追回:",
    code_label: "代码",
  },
  en: {
    title: "Field work", lang_switch: "中文", sync_now: "Sync", online: "Online", offline: "Offline",
    never: "never synced", pending: "to upload", last_sync: "last sync", notices: "Central says",
    not_enrolled: "not enrolled",
    nav_home: "Sign in", nav_leader: "Deliveries", nav_handover: "Hand-over", nav_day: "Disbursement",
    nav_shifts: "Shifts", nav_keys: "My key",
    signed_in: "Signed in", nobody: "Nobody is signed in. Each person signs in with their own PIN; a payment needs two.",
    pick_name: "Your name", pin: "PIN", sign_in: "Sign in", sign_out: "Sign out", sign_out_all: "Sign everyone out",
    no_key: "(no key on this device yet)", signed_in_ok: "Signed in: ", signed_out: "Signed out",
    keys_title: "Make my signing key on this device",
    keys_help: "Done by the person: type the one-time code an admin gave you, then a new PIN twice.",
    code: "Enrolment code", new_pin: "New PIN (4 or more)", pin_again: "PIN again", make_key: "Make my key",
    key_made: "Key made, fingerprint: ",
    leader_title: "Certificates I hold", choose_leader: "Grid leader", held: "held", overdue: "overdue",
    days_left: "days left", due: "due", deliver: "Delivered", failed: "Not delivered", none_held: "No certificates to deliver.",
    recipient: "Recipient", self: "The resident", proxy: "A proxy", proxy_name: "Proxy's name", relation: "Relation",
    spouse: "spouse", child: "child", parent: "parent", other: "other",
    id_number: "Recipient's ID number", id_help: "Checked against the record; the number is not stored.",
    signature: "Recipient's signature (draw in the box)", clear: "Clear", photo: "Photo (optional)",
    take_photo: "Take or choose a photo",
    with_location: "Add my location", leader_pin: "Grid leader's PIN", confirm_delivery: "Confirm delivery",
    delivered_ok: "Delivered and signed", reason: "Reason", retry_days: "Try again in (days)",
    not_home: "not at home", refused: "refused", moved: "moved", no_id: "cannot verify identity",
    record_failed: "Record failed attempt", failed_ok: "Failed attempt and retry recorded", attempts: "failed tries",
    overdue_title: "Overdue (time limit passed)", none_overdue: "Nothing is overdue.",
    handover_title: "Hand over at the center", center_staff: "Center staff", grid_leader: "Grid leader",
    at_center: "Certificates waiting at the center", select_all: "Select all", center_pin: "Center staff's PIN",
    handover: "Hand over (both sign)", handed_over: "Handed over: ", none_at_center: "Nothing waits for this grid leader.",
    day_title: "Disbursement day", choose_day: "Day", not_approved: " (list not approved yet)", entitlements: "entitled",
    open_session: "Open a session", staff_a: "Staff A", staff_b: "Staff B", pin_a: "A's PIN", pin_b: "B's PIN",
    cash: "Cash taken out (yuan)", notes: "Notes (e.g. 10000x50)", session_open: "Session opened",
    sessions: "Sessions on this device", session: "Session", closed: "closed", open: "open",
    expected: "Entitled", paid: "Paid", reversed: "Reversed", to_pay: "To pay",
    find: "Find a recipient (name or last 4 of the ID)", search: "Find", paid_already: "paid", pay: "Pay",
    ack_name: "Recipient writes their name", ack: "Recipient's signature or thumbprint", payer: "Payer",
    verifier: "Verifier", payer_pin: "Payer's PIN", verifier_pin: "Verifier's PIN", confirm_pay: "Confirm payment",
    paid_ok: "Paid", payments: "Payments", reverse: "Reverse",
    reverse_reason: "Why reverse", reversed_ok: "Reversed", waiting_upload: "to upload", accepted: "accepted",
    close: "Close and reconcile", returned: "Cash returned (yuan)", unpaid_reason: "Why not collected",
    absent: "absent", deceased: "deceased", identity_unverified: "identity not verified",
    explanation: "Explain the variance (required if any)", close_ok: "Reconciled", variance: "Variance",
    cash_issued: "Cash issued", cash_returned: "Cash returned",
    shifts_title: "Check in and out", person: "Person", check_in: "Check in", check_out: "Check out",
    checked: "Recorded: ", my_roster: "My roster this week", coverage: "Today's 8+4 coverage",
    uncovered: "Uncovered hours", none_uncovered: "No uncovered hours today.", present: "on duty",
    absent_now: "not in", late: "late", minutes: "min", normal: "normal", early: "early", late_kind: "late duty",
    rate_title: "Please rate this service", rate_skip: "Skip", back: "Back", rate_comment: "Comment (optional)", rated: "Thank you",
    very_satisfied: "Very satisfied", satisfied: "Satisfied", basically_satisfied: "Basically satisfied",
    dissatisfied: "Dissatisfied", very_dissatisfied: "Very dissatisfied",
    need_two: "Two staff must be signed in first", need_signature: "The recipient signs first", syncing: "Syncing…",
    synced: "Synced", refused_by_central: "Refused by central", flagged: "Noted by central",
    quarantined: "Quarantined by central: tell an admin",
    recover: "Payments central voided, to recover: ", code_label: "code",
  },
};

const state = {
  lang: localStorage.getItem("gridsync.field.lang") || "zh",
  csrf: "", people: [], staff: [], status: null, view: "home", session: null, pair: null,
};

const $ = (id) => document.getElementById(id);
const t = (k) => (TEXT[state.lang] && TEXT[state.lang][k]) || TEXT.zh[k] || k;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick" || k === "onchange" || k === "oninput" || k === "onsubmit") e[k] = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(method, path, body) {
  const headers = { "X-CSRF-Token": state.csrf };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                  credentials: "same-origin" });
  let data = {};
  try { data = await res.json(); } catch (e) { data = {}; }
  if (!res.ok) {
    const err = new Error(data.message || res.statusText);
    err.code = data.code || String(res.status);
    err.status = res.status;
    throw err;
  }
  return data;
}

function message(text, error) {
  const m = $("message");
  m.replaceChildren(text);
  m.className = error ? "error" : "";
  m.scrollIntoView({ block: "nearest" });
}
function failed(e) {
  if (e.status === 401 && e.code === "gridsync.edge:2") {
    state.people = [];
    renderNav();
  }
  message(`${e.message}(${t("code_label")} ${e.code})`, true);
}
// Runs `work` with the button disabled so a payment is never sent twice.
async function busy(button, work) {
  button.disabled = true;
  try { return await work(); } catch (e) { failed(e); return undefined; } finally { button.disabled = false; }
}

// ---- the status bar: always in view ----

async function refreshStatus() {
  try {
    const s = await api("GET", "/api/status");
    state.status = s;
    $("device-name").textContent = s.device.name;
    $("device-scope").textContent = [s.device.community, s.device.grid].filter(Boolean).join(" · ");
    const online = $("online");
    online.textContent = s.sync.enrolled ? (s.sync.online ? t("online") : t("offline")) : t("not_enrolled");
    online.className = "pill " + (s.sync.online ? "online" : "offline");
    $("pending").textContent = `${t("pending")} ${s.sync.pending}`;
    $("last-sync").textContent = `${t("last_sync")} ${s.sync.last_sync ? s.sync.last_sync.slice(5, 16) : t("never")}`;
    const n = s.notices.filter((x) => x.status === "refused").length + s.recoveries.length +
      (s.sync.outbox_broken ? 1 : 0) + s.notices.filter((x) => x.status !== "refused").length;
    const notices = $("notices");
    notices.classList.toggle("hidden", n === 0);
    notices.textContent = `⚠ ${t("notices")} (${n})`;
    renderNotices();
  } catch (e) { /* the bar keeps its last state */ }
}

function renderNotices() {
  const s = state.status;
  const list = $("notice-list");
  list.replaceChildren();
  if (!s) return;
  if (s.sync.outbox_broken) list.append(el("div", { class: "card overdue" }, s.sync.outbox_broken));
  for (const r of s.recoveries) list.append(el("div", { class: "card" }, `${t("recover")}${r.resident} ${r.amount} 元 — ${r.reason}`));
  for (const n of s.notices) {
    const label = n.status === "refused" ? t("refused_by_central")
      : n.status === "quarantined" ? t("quarantined") : t("flagged");
    list.append(el("div", { class: n.status === "quarantined" ? "card overdue" : "card" }, el("strong", {}, label),
      ` #${n.seq} ${n.at} `, el("div", { class: "muted" }, `${n.message} ${n.code}`)));
  }
}

// ---- people ----

const signedIn = (role) => state.people.filter((p) => !role || p.role === role);
// A person as the pickers and messages name them: name and 工号, since names
// repeat (two 许宇 on one laptop's list, one a worker, one a grid leader).
const numberOf = (p) => !p.staff_number ? "" : state.lang === "zh" ? `\uFF08${p.staff_number}\uFF09`
  : ` (${p.staff_number})`;
const named = (p) => p.name + numberOf(p);

function personSelect(name, role, exclude) {
  const s = el("select", { name, "data-field": name });
  for (const p of signedIn(role)) {
    if (p.staff_id !== exclude) s.append(el("option", { value: p.staff_id }, named(p)));
  }
  return s;
}
function pinInput(name) {
  return el("input", { name, type: "password", inputmode: "numeric", autocomplete: "off", "data-field": name,
                       minlength: "4" });
}
function field(label, input, help) {
  return el("div", {}, el("label", {}, label), input, help ? el("div", { class: "muted" }, help) : null);
}
const value = (root, name) => {
  const e = root.querySelector(`[data-field="${name}"]`);
  return e ? e.value : "";
};

// A box the recipient signs in with a finger or a pen (pointer events).
function signaturePad() {
  const canvas = el("canvas", { class: "pad", width: "600", height: "240", "data-pad": "1" });
  const ctx = canvas.getContext("2d");
  let drawing = false, drawn = false;
  const at = (ev) => {
    const r = canvas.getBoundingClientRect();
    return [(ev.clientX - r.left) * canvas.width / r.width, (ev.clientY - r.top) * canvas.height / r.height];
  };
  canvas.addEventListener("pointerdown", (ev) => {
    drawing = true; canvas.setPointerCapture(ev.pointerId);
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    ctx.beginPath(); ctx.moveTo(...at(ev));
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!drawing) return;
    ctx.lineTo(...at(ev)); ctx.stroke(); drawn = true;
  });
  const end = () => { drawing = false; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  const clear = el("button", { type: "button", class: "secondary small", onclick: () => {
    ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; } }, t("clear"));
  return { el: el("div", {}, canvas, el("div", { class: "actions" }, clear)),
           empty: () => !drawn, png: () => canvas.toDataURL("image/png") };
}

// A photo from the camera, made smaller in the page before it is sent.
function photoInput() {
  let data = "";
  const input = el("input", { type: "file", accept: "image/*", capture: "environment" });
  input.onchange = () => {
    const file = input.files && input.files[0];
    if (!file) { data = ""; return; }
    const img = new Image();
    img.onload = () => {
      const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
      const c = el("canvas", { width: String(Math.round(img.width * scale)), height: String(Math.round(img.height * scale)) });
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      data = c.toDataURL("image/jpeg", 0.8);
      URL.revokeObjectURL(img.src);
    };
    img.src = URL.createObjectURL(file);
  };
  const name = el("span", { class: "muted" });
  input.addEventListener("change", () => { name.textContent = input.files && input.files[0] ? ` ✓ ${input.files[0].name}` : ""; });
  return { el: el("div", {}, el("label", { class: "photo" }, input, t("take_photo")), name), value: () => data };
}

function where() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition((p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      () => resolve(null), { timeout: 5000, maximumAge: 60000 });
  });
}

// ---- the rating a resident gives after a delivery or a payment ----

function rate(event) {
  const box = $("modal-box");
  const comment = el("textarea", { rows: "2", maxlength: "200", "data-field": "comment" });
  const done = () => $("modal").classList.add("hidden");
  const levels = ["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"];
  box.replaceChildren(
    el("h2", {}, t("rate_title")),
    el("div", { class: "levels" }, levels.map((l) => el("button", { type: "button", "data-level": l, onclick: async (ev) => {
      await busy(ev.target, async () => {
        await api("POST", "/api/ratings", { ...event, level: l, comment: comment.value });
        done(); message(t("rated"));
        await refreshStatus();
      });
    } }, t(l)))),
    field(t("rate_comment"), comment),
    el("div", { class: "actions" }, el("button", { type: "button", class: "secondary", onclick: done }, t("rate_skip"))));
  $("modal").classList.remove("hidden");
}

// ---- views ----

function home() {
  const view = $("view");
  const list = el("div", { class: "card" }, el("h2", {}, t("signed_in")));
  if (!state.people.length) list.append(el("p", { class: "muted" }, t("nobody")));
  for (const p of state.people) {
    list.append(el("div", { class: "person" }, el("span", {}, named(p)),
      el("button", { type: "button", class: "secondary small", onclick: async (ev) => {
        await busy(ev.target, async () => {
          await api("POST", "/api/signout", { staff_id: p.staff_id });
          state.people = state.people.filter((x) => x.staff_id !== p.staff_id);
          message(t("signed_out")); renderNav(); render();
        });
      } }, t("sign_out"))));
  }
  const who = el("select", { "data-field": "staff_id" });
  for (const s of state.staff.filter((s) => s.has_key)) who.append(el("option", { value: s.id }, named(s)));
  const form = el("form", { class: "card", id: "signin" }, el("h2", {}, t("sign_in")),
    field(t("pick_name"), who), field(t("pin"), pinInput("pin")),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("sign_in"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button"), async () => {
      const r = await api("POST", "/api/signin", { staff_id: value(form, "staff_id"), pin: value(form, "pin") });
      state.csrf = r.csrf; state.people = r.people;
      message(t("signed_in_ok") + r.people.map(named).join("、"));
      renderNav(); render();
    });
  };
  view.replaceChildren(list, form);
}

function keys() {
  const who = el("select", { "data-field": "staff_id" });
  for (const s of state.staff) who.append(el("option", { value: s.id }, named(s) + (s.has_key ? "" : " " + t("no_key"))));
  const form = el("form", { class: "card", id: "make-key" }, el("h2", {}, t("keys_title")),
    el("p", { class: "muted" }, t("keys_help")), field(t("pick_name"), who),
    field(t("code"), el("input", { "data-field": "code", autocomplete: "off", placeholder: "XXXX-XXXX-XXXX-XXXX" })),
    field(t("new_pin"), pinInput("pin")), field(t("pin_again"), pinInput("pin_again")),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("make_key"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button"), async () => {
      const r = await api("POST", "/api/keys", { staff_id: value(form, "staff_id"), code: value(form, "code"),
                                                pin: value(form, "pin"), pin_again: value(form, "pin_again") });
      message(t("key_made") + r.fingerprint);
      await loadStaff(); render();
    });
  };
  $("view").replaceChildren(form);
}

function daysLeft(c) {
  if (c.days_left < 0) return el("span", { class: "overdue" }, `${t("overdue")} ${-c.days_left}`);
  return el("span", { class: c.days_left <= 2 ? "soon" : "ok" }, `${t("days_left")} ${c.days_left}`);
}

async function leader() {
  const view = $("view");
  const leaders = signedIn("grid_leader");
  if (!leaders.length) { view.replaceChildren(el("p", { class: "card" }, t("nobody"))); return; }
  const chooser = personSelect("leader", "grid_leader");
  chooser.value = state.leader || leaders[0].staff_id;
  chooser.onchange = () => { state.leader = chooser.value; leader(); };
  const holder = chooser.value;
  const { certificates } = await api("GET", `/api/certificates?holder=${encodeURIComponent(holder)}&state=with_grid_leader`);
  const head = el("div", { class: "card" }, field(t("choose_leader"), chooser),
    el("div", { class: "muted" }, `${certificates.length} ${t("held")}`));
  const cards = [];
  let address = null;
  for (const c of certificates) {   // overdue first, then by due time and address
    if (c.address !== address) { address = c.address; cards.push(el("div", { class: "group" }, address)); }
    cards.push(el("div", { class: "card", "data-code": c.code },
      el("h3", {}, `${c.resident} · ${c.type}`),
      el("div", { class: "row" }, el("span", { class: "muted" }, c.code), daysLeft(c),
        c.failed_attempts ? el("span", { class: "muted" }, `${c.failed_attempts} ${t("attempts")}`) : null),
      el("div", { class: "actions" },
        el("button", { type: "button", "data-action": "deliver", onclick: () => deliverForm(c, holder) }, t("deliver")),
        el("button", { type: "button", class: "secondary", "data-action": "fail", onclick: () => failForm(c, holder) }, t("failed")))));
  }
  if (!certificates.length) cards.push(el("p", { class: "card muted" }, t("none_held")));
  // Everything past its time limit on this device, held or still at the center (限时办结).
  const { overdue } = await api("GET", "/api/overdue");
  const late = el("div", { class: "card", id: "overdue" }, el("h3", {}, t("overdue_title")),
    overdue.length ? el("table", {}, overdue.map((o) => el("tr", {}, el("td", {}, o.resident), el("td", {}, o.code),
      el("td", { class: "overdue" }, `${t("overdue")} ${o.days_overdue}`))))
      : el("p", { class: "muted" }, t("none_overdue")));
  view.replaceChildren(head, ...cards, late);
}

function deliverForm(c, holder) {
  const pad = signaturePad();
  const photo = photoInput();
  const kind = el("select", { "data-field": "recipient" }, el("option", { value: "resident" }, t("self")),
    el("option", { value: "proxy" }, t("proxy")));
  const proxyBox = el("div", { class: "hidden" },
    field(t("proxy_name"), el("input", { "data-field": "proxy_name" })),
    field(t("relation"), el("select", { "data-field": "relation" },
      ["spouse", "child", "parent", "other"].map((r) => el("option", { value: r }, t(r))))));
  kind.onchange = () => proxyBox.classList.toggle("hidden", kind.value !== "proxy");
  const located = el("input", { type: "checkbox", "data-field": "located" });
  const form = el("form", { class: "card", id: "deliver" }, el("h2", {}, `${t("deliver")}:${c.resident}`),
    el("div", { class: "muted" }, `${c.code} · ${c.address}`),
    field(t("recipient"), kind), proxyBox,
    field(t("id_number"), el("input", { "data-field": "id_number", autocomplete: "off", maxlength: "18" }), t("id_help")),
    el("label", {}, t("signature")), pad.el,
    field(t("photo"), photo.el),
    el("label", { class: "inline" }, located, t("with_location")),
    field(t("leader_pin"), pinInput("pin")),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("confirm_delivery")),
      el("button", { type: "button", class: "secondary", onclick: () => leader() }, t("back"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    if (pad.empty()) { message(t("need_signature"), true); return; }
    await busy(form.querySelector("button[type=submit]"), async () => {
      const loc = located.checked ? await where() : null;
      const r = await api("POST", "/api/deliveries", {
        code: c.code, leader: holder, pin: value(form, "pin"), recipient: kind.value,
        proxy_name: value(form, "proxy_name"), relation: value(form, "relation"),
        id_number: value(form, "id_number"), signature_png: pad.png(), photo: photo.value(), ...(loc || {}) });
      message(t("delivered_ok"));
      await refreshStatus(); await leader();
      rate({ delivery_attempt_id: r.attempt_id });
    });
  };
  $("view").replaceChildren(form);
}

function failForm(c, holder) {
  const form = el("form", { class: "card", id: "fail" }, el("h2", {}, `${t("failed")}:${c.resident}`),
    el("div", { class: "muted" }, `${c.code} · ${c.address}`),
    field(t("reason"), el("select", { "data-field": "reason" },
      ["not_home", "refused", "moved", "no_id", "other"].map((r) => el("option", { value: r }, t(r))))),
    field(t("retry_days"), el("select", { "data-field": "retry_days" }, [1, 2, 3, 7].map((d) => el("option", { value: String(d) }, String(d))))),
    field(t("leader_pin"), pinInput("pin")),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("record_failed")),
      el("button", { type: "button", class: "secondary", onclick: () => leader() }, t("back"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button[type=submit]"), async () => {
      await api("POST", "/api/failed-attempts", { code: c.code, leader: holder, pin: value(form, "pin"),
        reason: value(form, "reason"), retry_days: Number(value(form, "retry_days")) });
      message(t("failed_ok"));
      await refreshStatus(); await leader();
    });
  };
  $("view").replaceChildren(form);
}

async function handover() {
  const view = $("view");
  const center = signedIn().filter((p) => p.role !== "grid_leader");
  const leaders = signedIn("grid_leader");
  if (!center.length || !leaders.length) { view.replaceChildren(el("p", { class: "card" }, t("need_two"))); return; }
  const from = el("select", { "data-field": "from" }, center.map((p) => el("option", { value: p.staff_id }, named(p))));
  const to = personSelect("to", "grid_leader");
  to.value = state.handoverLeader || leaders[0].staff_id;
  to.onchange = () => { state.handoverLeader = to.value; handover(); };
  const { certificates } = await api("GET", "/api/certificates?state=at_center");
  const mine = certificates.filter((c) => c.grid_leader_id === to.value);
  const boxes = mine.map((c) => el("label", { class: "inline" },
    el("input", { type: "checkbox", value: c.code, checked: true, "data-cert": c.code }), `${c.code} ${c.resident} · ${c.address}`));
  const form = el("form", { class: "card", id: "handover" }, el("h2", {}, t("handover_title")),
    field(t("center_staff"), from), field(t("grid_leader"), to),
    el("div", { class: "group" }, `${t("at_center")} (${mine.length})`),
    boxes.length ? boxes : el("p", { class: "muted" }, t("none_at_center")),
    field(t("center_pin"), pinInput("from_pin")), field(t("leader_pin"), pinInput("to_pin")),
    el("div", { class: "actions" }, el("button", { type: "submit", disabled: !boxes.length }, t("handover"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const codes = [...form.querySelectorAll("[data-cert]")].filter((b) => b.checked).map((b) => b.value);
    await busy(form.querySelector("button[type=submit]"), async () => {
      const r = await api("POST", "/api/handover", { codes, from: from.value, from_pin: value(form, "from_pin"),
                                                     to: to.value, to_pin: value(form, "to_pin") });
      message(t("handed_over") + r.handed_over + (r.problems.length ? ` — ${r.problems[0].message}` : ""), r.problems.length > 0);
      await refreshStatus(); await handover();
    });
  };
  view.replaceChildren(form);
}

async function day() {
  const view = $("view");
  const { days } = await api("GET", "/api/days");
  if (!days.length) { view.replaceChildren(el("p", { class: "card muted" }, "—")); return; }
  const chooser = el("select", { "data-field": "day" }, days.map((d) =>
    el("option", { value: d.day_id }, `${d.date} · ${t("entitlements")} ${d.entitlements} · ${d.total} 元${d.approved ? "" : t("not_approved")}`)));
  const today = state.status ? state.status.today : "";
  chooser.value = state.day || (days.find((d) => d.date === today) || days[days.length - 1]).day_id;
  chooser.onchange = () => { state.day = chooser.value; state.session = null; day(); };
  const d = days.find((x) => x.day_id === chooser.value);
  const head = el("div", { class: "card" }, el("h2", {}, t("day_title")), field(t("choose_day"), chooser));
  const mine = d.sessions.filter((s) => s.here);
  const open = mine.find((s) => s.state === "open");
  if (!state.session && mine.length) state.session = (open || mine[mine.length - 1]).id;
  const current = mine.find((s) => s.id === state.session);
  state.pair = current ? [current.staff_a, current.staff_b] : null;
  const parts = [head];
  if (mine.length) {
    parts.push(el("div", { class: "card" }, el("h3", {}, t("sessions")), mine.map((s) =>
      el("button", { type: "button", class: s.id === state.session ? "" : "secondary", onclick: () => { state.session = s.id; day(); } },
        `${t("session")} ${s.id.slice(-6)} · ${s.state === "open" ? t("open") : t("closed")}`))));
  }
  if (!open) parts.push(openForm(d));
  view.replaceChildren(...parts);
  if (state.session) await sessionView(state.session);
}

function openForm(d) {
  const people = signedIn();
  if (people.length < 2) return el("p", { class: "card" }, t("need_two"));
  const a = personSelect("staff_a"), b = personSelect("staff_b");
  b.value = people[1].staff_id;
  const form = el("form", { class: "card", id: "open-session" }, el("h3", {}, t("open_session")),
    el("div", { class: "row" }, field(t("staff_a"), a), field(t("staff_b"), b)),
    el("div", { class: "row" }, field(t("pin_a"), pinInput("pin_a")), field(t("pin_b"), pinInput("pin_b"))),
    field(t("cash"), el("input", { "data-field": "cash", inputmode: "decimal", value: "" })),
    field(t("notes"), el("input", { "data-field": "notes" })),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("open_session"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button"), async () => {
      const r = await api("POST", "/api/sessions", { day: d.day_id, staff_a: a.value, pin_a: value(form, "pin_a"),
        staff_b: b.value, pin_b: value(form, "pin_b"), cash_yuan: value(form, "cash"), notes: value(form, "notes") });
      state.session = r.session_id;
      message(t("session_open"));
      await refreshStatus(); await day();
    });
  };
  return form;
}

async function sessionView(id) {
  const { totals, payments } = await api("GET", `/api/sessions/${encodeURIComponent(id)}`);
  const view = $("view");
  const figures = el("div", { class: "card", id: "totals" }, el("div", { class: "totals" },
    el("div", {}, t("expected"), el("strong", {}, `${totals.expected_count} · ${totals.expected}`)),
    el("div", {}, t("paid"), el("strong", { "data-total": "paid" }, `${totals.paid_count} · ${totals.paid}`)),
    el("div", {}, t("reversed"), el("strong", {}, `${totals.reversed_count} · ${totals.reversed}`)),
    el("div", {}, t("to_pay"), el("strong", { "data-total": "unpaid" }, `${totals.unpaid_count} · ${totals.unpaid}`))));
  view.append(figures);
  if (totals.state === "open") {
    const q = el("input", { "data-field": "q", placeholder: "张三 / 1234" });
    const results = el("div", { id: "matches" });
    const search = el("form", { class: "card", id: "find" }, field(t("find"), q),
      el("div", { class: "actions" }, el("button", { type: "submit" }, t("search"))), results);
    search.onsubmit = async (ev) => {
      ev.preventDefault();
      const { matches } = await api("GET", `/api/sessions/${encodeURIComponent(id)}/find?q=${encodeURIComponent(q.value)}`);
      results.replaceChildren(...matches.map((m) => el("div", { class: "person" },
        el("span", {}, `${m.resident} ****${m.id_last4} · ${m.program} · ${m.amount} 元`),
        m.paid ? el("span", { class: "ok" }, t("paid_already"))
               : el("button", { type: "button", class: "small", "data-pay": m.entitlement_id, onclick: () => payForm(id, m) }, t("pay")))));
    };
    view.append(search);
  }
  const list = el("div", { class: "card" }, el("h3", {}, t("payments")));
  for (const p of payments) {
    list.append(el("div", { class: "person" },
      el("span", {}, `${p.paid_at.slice(11)} ${p.beneficiary} ${p.amount} 元 ${p.kind === "reversal" ? "(" + t("reverse") + ")" : ""}`,
        el("span", { class: "muted" }, ` ${p.pending ? t("waiting_upload") : t("accepted")}`)),
      totals.state === "open" && p.kind === "payment" && !p.reversed
        ? el("button", { type: "button", class: "secondary small", "data-reverse": p.payment_id,
                         onclick: () => reverseForm(id, p) }, t("reverse")) : null));
  }
  view.append(list);
  if (totals.state === "open") view.append(closeForm(id));
}

// The two who opened the session sign its payments, reversals and closing
// unless someone picks others; with four signed in, the first two on the
// list may be a clerk and a grid leader, not the day's pair.
function pickPair(a, b) {
  const people = signedIn();
  const here = (id) => people.some((p) => p.staff_id === id);
  if (state.pair && here(state.pair[0]) && here(state.pair[1])) [a.value, b.value] = state.pair;
  else if (people.length > 1) b.value = people[1].staff_id;
}

function twoSigners(form) {
  const payer = personSelect("payer"), verifier = personSelect("verifier");
  pickPair(payer, verifier);
  form.append(el("div", { class: "row" }, field(t("payer"), payer), field(t("payer_pin"), pinInput("payer_pin"))),
    el("div", { class: "row" }, field(t("verifier"), verifier), field(t("verifier_pin"), pinInput("verifier_pin"))));
  return { payer, verifier };
}

function payForm(session, m) {
  const pad = signaturePad();
  const form = el("form", { class: "card", id: "pay" }, el("h2", {}, `${t("pay")}:${m.resident} ${m.amount} 元`),
    el("div", { class: "muted" }, `${m.program} · ****${m.id_last4}`),
    field(t("id_number"), el("input", { "data-field": "id_number", autocomplete: "off", maxlength: "18" }), t("id_help")),
    field(t("ack_name"), el("input", { "data-field": "ack_name" })),
    el("label", {}, t("ack")), pad.el);
  const who = twoSigners(form);
  form.append(el("div", { class: "actions" }, el("button", { type: "submit" }, t("confirm_pay")),
    el("button", { type: "button", class: "secondary", onclick: () => day() }, t("back"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    if (pad.empty()) { message(t("need_signature"), true); return; }
    await busy(form.querySelector("button[type=submit]"), async () => {
      const r = await api("POST", "/api/payments", { session, entitlement: m.entitlement_id,
        id_number: value(form, "id_number"), ack_name: value(form, "ack_name"), ack_png: pad.png(),
        payer: who.payer.value, payer_pin: value(form, "payer_pin"),
        verifier: who.verifier.value, verifier_pin: value(form, "verifier_pin") });
      message(`${t("paid_ok")} ${r.amount} 元`);
      await refreshStatus(); await day();
      rate({ payment_id: r.payment_id });
    });
  };
  $("view").replaceChildren(form);
}

function reverseForm(session, p) {
  const form = el("form", { class: "card", id: "reverse" }, el("h2", {}, `${t("reverse")}:${p.beneficiary} ${p.amount} 元`),
    field(t("reverse_reason"), el("input", { "data-field": "reason" })));
  const who = twoSigners(form);
  form.append(el("div", { class: "actions" }, el("button", { type: "submit", class: "danger" }, t("reverse")),
    el("button", { type: "button", class: "secondary", onclick: () => day() }, t("back"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button[type=submit]"), async () => {
      await api("POST", "/api/reversals", { payment: p.payment_id, reason: value(form, "reason"),
        payer: who.payer.value, payer_pin: value(form, "payer_pin"),
        verifier: who.verifier.value, verifier_pin: value(form, "verifier_pin") });
      message(t("reversed_ok"));
      await refreshStatus(); await day();
    });
  };
  $("view").replaceChildren(form);
}

function closeForm(session) {
  const a = personSelect("staff_a"), b = personSelect("staff_b");
  pickPair(a, b);
  const form = el("form", { class: "card", id: "close" }, el("h3", {}, t("close")),
    field(t("returned"), el("input", { "data-field": "returned", inputmode: "decimal" })),
    field(t("notes"), el("input", { "data-field": "notes" })),
    field(t("unpaid_reason"), el("select", { "data-field": "unpaid_reason" },
      ["absent", "deceased", "moved", "refused", "identity_unverified", "other"].map((r) => el("option", { value: r }, t(r))))),
    field(t("explanation"), el("textarea", { "data-field": "explanation", rows: "2" })),
    el("div", { class: "row" }, field(t("staff_a"), a), field(t("pin_a"), pinInput("pin_a"))),
    el("div", { class: "row" }, field(t("staff_b"), b), field(t("pin_b"), pinInput("pin_b"))),
    el("div", { class: "actions" }, el("button", { type: "submit" }, t("close"))));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    await busy(form.querySelector("button[type=submit]"), async () => {
      const r = await api("POST", `/api/sessions/${encodeURIComponent(session)}/close`, {
        returned_yuan: value(form, "returned"), notes: value(form, "notes"), unpaid_reason: value(form, "unpaid_reason"),
        explanation: value(form, "explanation"), staff_a: a.value, pin_a: value(form, "pin_a"),
        staff_b: b.value, pin_b: value(form, "pin_b") });
      const x = r.reconciliation;
      $("view").replaceChildren(el("div", { class: "card", id: "reconciliation" }, el("h2", {}, t("close_ok")),
        el("table", {}, [[t("expected"), `${x.expected_count} · ${x.expected}`], [t("paid"), `${x.paid_count} · ${x.paid}`],
          [t("reversed"), `${x.reversed_count} · ${x.reversed}`], [t("to_pay"), `${x.unpaid_count} · ${x.unpaid}`],
          [t("cash_issued"), x.cash_issued], [t("cash_returned"), x.cash_returned], [t("variance"), x.variance]]
          .map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, v))))));
      message(t("close_ok"));
      await refreshStatus();
    });
  };
  return form;
}

function weekOf(date) {
  const d = new Date(date + "T00:00:00");
  const monday = new Date(d); monday.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  const sunday = new Date(monday); sunday.setDate(monday.getDate() + 6);
  const fmt = (x) => `${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, "0")}-${String(x.getDate()).padStart(2, "0")}`;
  return [fmt(monday), fmt(sunday)];
}

async function shifts() {
  const view = $("view");
  const people = signedIn();
  if (!people.length) { view.replaceChildren(el("p", { class: "card" }, t("nobody"))); return; }
  const who = personSelect("staff");
  who.value = state.shiftPerson || people[0].staff_id;
  who.onchange = () => { state.shiftPerson = who.value; shifts(); };
  const form = el("form", { class: "card", id: "check" }, el("h2", {}, t("shifts_title")),
    field(t("person"), who), field(t("pin"), pinInput("pin")),
    el("div", { class: "actions" },
      el("button", { type: "button", "data-kind": "in", onclick: (ev) => check(ev.target, "in") }, t("check_in")),
      el("button", { type: "button", class: "secondary", "data-kind": "out", onclick: (ev) => check(ev.target, "out") }, t("check_out"))));
  async function check(button, kind) {
    await busy(button, async () => {
      const r = await api("POST", "/api/checks", { staff: who.value, pin: value(form, "pin"), kind });
      message(t("checked") + (kind === "in" ? t("check_in") : t("check_out")) + " " + r.at.slice(11) +
        (r.flags.length ? ` [${r.flags.join(", ")}]` : ""));
      await refreshStatus(); await shifts();
    });
  }
  const today = state.status ? state.status.today : new Date().toISOString().slice(0, 10);
  const [from, to] = weekOf(today);
  const [{ shifts: mine }, cov] = await Promise.all([
    api("GET", `/api/roster?staff=${encodeURIComponent(who.value)}&from=${from}&to=${to}`),
    api("GET", `/api/coverage?date=${today}`)]);
  const kindName = (k) => t(k === "late" ? "late_kind" : k);
  const roster = el("div", { class: "card", id: "roster" }, el("h3", {}, t("my_roster")),
    el("table", {}, mine.map((s) => el("tr", {}, el("td", {}, s.date.slice(5)), el("td", {}, kindName(s.kind)), el("td", {}, `${s.starts}–${s.ends}`)))));
  const coverage = el("div", { class: "card", id: "coverage" }, el("h3", {}, t("coverage")),
    el("table", {}, cov.shifts.map((s) => el("tr", {},
      // On a phone the 工号 goes under the name, whole, and the shift stays on one line.
      el("td", {}, s.staff, el("span", { class: "nowrap" }, numberOf(s))),
      el("td", { class: "nowrap" }, kindName(s.kind)), el("td", { class: "nowrap" }, `${s.starts}–${s.ends}`),
      el("td", { class: !s.present ? "overdue" : s.late_minutes > 0 ? "soon" : "ok" },
        s.present ? (s.late_minutes > 0 ? `${t("late")} ${s.late_minutes} ${t("minutes")}` : t("present")) : t("absent_now"))))),
    el("div", { class: "group" }, t("uncovered")),
    cov.gaps.length ? cov.gaps.map((g) => el("div", { class: "overdue" }, `${g.from}–${g.to}`)) : el("div", { class: "muted" }, t("none_uncovered")));
  view.replaceChildren(form, roster, coverage);
}

// ---- navigation ----

const VIEWS = { home, keys, leader, handover, day, shifts };

function renderNav() {
  const laptop = state.status && state.status.device.role === "community_laptop";
  const tabs = ["home", ...(laptop ? ["day", "handover", "shifts"] : []), "leader", "keys"];
  $("nav").replaceChildren(...tabs.map((v) => el("button", { type: "button", "data-view": v,
    class: v === state.view ? "active" : "", onclick: () => { state.view = v; location.hash = v; renderNav(); render(); } }, t("nav_" + v))));
}

async function render() {
  $("modal").classList.add("hidden");
  try { await VIEWS[state.view](); } catch (e) { failed(e); }
}

async function loadStaff() {
  state.staff = (await api("GET", "/api/staff")).staff;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  document.title = `gridsync ${t("title")}`;
  $("lang").textContent = t("lang_switch");
  $("sync-now").textContent = t("sync_now");
}

document.addEventListener("DOMContentLoaded", async () => {
  applyLanguage();
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("gridsync.field.lang", state.lang);
    applyLanguage(); refreshStatus(); renderNav(); render();
  });
  $("sync-now").addEventListener("click", async (ev) => {
    message(t("syncing"));
    await busy(ev.target, async () => {
      const s = await api("POST", "/api/sync", {});
      message(s.sync.last_error ? s.sync.last_error : t("synced"), Boolean(s.sync.last_error));
      await refreshStatus();
      if (state.people.length) await render();
    });
  });
  $("notices").addEventListener("click", () => $("notice-list").classList.toggle("hidden"));
  const hash = location.hash.slice(1);
  if (VIEWS[hash]) state.view = hash;
  await refreshStatus();
  try { await loadStaff(); } catch (e) { failed(e); }
  try {
    const me = await api("GET", "/api/me");
    state.csrf = me.csrf; state.people = me.people;
  } catch (e) { state.people = []; }
  if (!state.people.length && state.view !== "keys") state.view = "home";
  renderNav();
  await render();
  setInterval(refreshStatus, 10000);
});
