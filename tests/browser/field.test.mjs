// The field app in headless Chromium (Debian's package), driven by
// playwright-core, at phone width. Started by tests/net/field_app_test.cpp
// with two running `gridsync-edge serve` (a community laptop, a grid
// leader's device) and a running central; the configuration comes as one
// JSON line on stdin. Prints {"ok":true} or exits non-zero.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, watch } from "./support.mjs";

const cfg = JSON.parse(readFileSync(0, "utf8").split("\n")[0]);
const browser = await launch();
const failures = [];
const phone = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true,
                locale: "zh-CN" };

async function open(url) {
  const page = await browser.newPage(phone);
  watch(page, failures);
  await page.goto(url);
  await page.waitForSelector("#signin");
  return page;
}
// A whole-page picture, from the top (the status bar stays at the top of the page).
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${cfg.shots}/${name}.png`, fullPage: true });
}
// What the page says next matches `pattern` (a refusal or a wrong message fails at once).
async function said(page, pattern) {
  for (let i = 0; i < 300; ++i) {
    const text = await page.textContent("#message");
    const error = await page.evaluate(() => document.querySelector("#message").classList.contains("error"));
    if (pattern.test(text)) return text;
    if (text && (error || !/同步中|Syncing/.test(text))) assert.match(text, pattern, text);
    await page.waitForTimeout(100);
  }
  assert.fail(`the page never said ${pattern}`);
}
async function clearMessage(page) {
  await page.evaluate(() => { const m = document.querySelector("#message"); m.textContent = ""; m.className = "hidden"; });
}
async function view(page, name) {
  await clearMessage(page);
  await page.click(`[data-view=${name}]`);
}
// `selector` is on screen; if it never comes, the error says what the page
// showed instead (its message and view) and a screenshot is kept.
async function shown(page, selector) {
  try {
    await page.waitForSelector(selector);
  } catch (e) {
    const text = (q) => page.evaluate((q) => (document.querySelector(q)?.textContent ?? "").slice(0, 400), q);
    const [message, view, nav] = [await text("#message"), await text("#view"), await text("#nav")];
    await shot(page, "not-shown-" + selector.replace(/[^a-z]/gi, ""));
    throw new Error(`${selector} never shown; message "${message}"; view "${view}"; nav "${nav}"; ${e.message}`);
  }
}
async function signIn(page, name, pin = cfg.pin) {
  await view(page, "home");
  await shown(page, "#signin");
  await page.selectOption("#signin [data-field=staff_id]", { label: name });
  await page.fill("#signin [data-field=pin]", pin);
  await page.click("#signin button[type=submit]");
}
// A signature drawn with the pointer, as a finger would.
async function sign(page, form) {
  const box = await page.locator(`${form} canvas.pad`).boundingBox();
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 12; ++i) await page.mouse.move(box.x + 20 + i * 20, box.y + box.height / 2 + (i % 2 ? -25 : 25));
  await page.mouse.up();
}
async function rate(page, level) {
  await page.waitForSelector("#modal:not(.hidden) [data-level]");
  await clearMessage(page);
  await page.click(`#modal [data-level=${level}]`);
  await said(page, /谢谢评议/);
}

try {
  // ---- the laptop at the community center ----
  const laptop = await open(cfg.laptop);
  assert.equal(await laptop.textContent("#sync-now"), "同步", "Chinese first");
  await shot(laptop, "signin");

  // A wrong PIN is refused and counted; the right one signs in.
  // Everyone on the list can be told apart, namesakes too (by 工号).
  const listed = await laptop.locator("#signin [data-field=staff_id] option").allTextContents();
  assert.equal(new Set(listed).size, listed.length, `two people look the same: ${listed.join("、")}`);
  assert.ok(listed.includes(cfg.leader), `${cfg.leader} is listed as ${listed.join("、")}`);
  await signIn(laptop, cfg.payer, "0000");
  await said(laptop, /PIN 不正确.*还可再试 4 次/);
  for (const name of [cfg.payer, cfg.verifier, cfg.clerk, cfg.leader]) {
    await signIn(laptop, name);
    await said(laptop, new RegExp(`已登录.*${name}`));
  }
  assert.equal(await laptop.locator("#view .person").count(), 4, "the four are signed in together");
  assert.ok(!(await laptop.evaluate(() => document.cookie)).includes("gridsync_field"), "the cookie is HttpOnly");

  // A newcomer makes their own key with the code an admin gave them.
  await view(laptop, "keys");
  await laptop.selectOption("#make-key [data-field=staff_id]", { label: `${cfg.newcomer} (本设备还没有密钥)` });
  await laptop.fill("#make-key [data-field=code]", cfg.code);
  await laptop.fill("#make-key [data-field=pin]", "1357");
  await laptop.fill("#make-key [data-field=pin_again]", "1357");
  await laptop.click("#make-key button[type=submit]");
  await said(laptop, /密钥已生成,指纹:[0-9A-Z]{4}-/);
  await shot(laptop, "keys");

  // The morning's hand-over at the center: both sign.
  await view(laptop, "handover");
  await shown(laptop, "#handover");
  await laptop.selectOption("#handover [data-field=from]", { label: cfg.clerk });
  await laptop.waitForSelector("#handover [data-cert]");
  const codes = Object.keys(cfg.certificates).length;
  assert.equal(await laptop.locator("#handover [data-cert]").count(), codes);
  await laptop.fill("#handover [data-field=from_pin]", cfg.pin);
  await laptop.fill("#handover [data-field=to_pin]", cfg.pin);
  await shot(laptop, "handover");
  await laptop.click("#handover button[type=submit]");
  await said(laptop, new RegExp(`已交接:${codes}`));

  // 8+4: the clerk and the disbursement pair check in.
  await view(laptop, "shifts");
  for (const name of [cfg.clerk, cfg.payer, cfg.verifier]) {
    await laptop.waitForSelector("#check");
    await laptop.selectOption("#check [data-field=staff]", { label: name });
    await laptop.waitForSelector("#check");
    await laptop.fill("#check [data-field=pin]", cfg.pin);
    await clearMessage(laptop);
    await laptop.click("#check [data-kind=in]");
    await said(laptop, /已记录:签到/);
  }
  await laptop.waitForSelector("#coverage");
  // The day's 8+4 table names each person with their 工号 too (namesakes are rostered).
  const rostered = await laptop.locator("#coverage tr td:first-child").allTextContents();
  assert.ok(rostered.length > 0 && rostered.every((n) => /\uFF08.+\uFF09$/.test(n)), rostered.join("、"));
  await shot(laptop, "shifts");

  // The disbursement day: a session opened by both.
  await view(laptop, "day");
  await shown(laptop, "#open-session");
  await laptop.selectOption("#open-session [data-field=staff_a]", { label: cfg.payer });
  await laptop.selectOption("#open-session [data-field=staff_b]", { label: cfg.verifier });
  await laptop.fill("#open-session [data-field=pin_a]", cfg.pin);
  await laptop.fill("#open-session [data-field=pin_b]", cfg.pin);
  await laptop.fill("#open-session [data-field=cash]", "5000.00");
  await laptop.click("#open-session button[type=submit]");
  await said(laptop, /场次已开启/);
  await laptop.waitForSelector("#find");

  async function findAndPay(who, payer, verifier) {
    await laptop.fill("#find [data-field=q]", who.name);
    await laptop.click("#find button[type=submit]");
    // Names repeat: the row is the one with this person's last 4 of the ID.
    const row = `#matches .person:has-text("****${who.id_number.slice(-4)}") [data-pay]`;
    await laptop.waitForSelector(row);
    await laptop.click(row);
    await laptop.waitForSelector("#pay");
    await laptop.fill("#pay [data-field=id_number]", who.id_number);
    await laptop.fill("#pay [data-field=ack_name]", who.name);
    await sign(laptop, "#pay");
    await laptop.selectOption("#pay [data-field=payer]", { label: payer });
    await laptop.selectOption("#pay [data-field=verifier]", { label: verifier });
    await laptop.fill("#pay [data-field=payer_pin]", cfg.pin);
    await laptop.fill("#pay [data-field=verifier_pin]", cfg.pin);
  }
  const [first, second] = cfg.beneficiaries;
  await findAndPay(first, cfg.payer, cfg.verifier);
  await shot(laptop, "pay");
  await clearMessage(laptop);
  await laptop.click("#pay button[type=submit]");
  await said(laptop, /已发放/);
  await shot(laptop, "rating");
  await rate(laptop, "satisfied");

  // One person in both roles: refused with the rule's message, nothing recorded.
  await laptop.waitForSelector("#find");
  await findAndPay(second, cfg.payer, cfg.payer);
  await clearMessage(laptop);
  await laptop.click("#pay button[type=submit]");
  await said(laptop, /两个不同的人.*gridsync\.domain:9/);
  // The same payment, properly verified.
  await laptop.selectOption("#pay [data-field=verifier]", { label: cfg.verifier });
  await laptop.fill("#pay [data-field=verifier_pin]", cfg.pin);
  await clearMessage(laptop);
  await laptop.click("#pay button[type=submit]");
  await said(laptop, /已发放/);
  await laptop.click("#modal button.secondary");  // the resident does not rate this one

  // Running totals, then a reversal with both signatures.
  await laptop.waitForSelector("#totals");
  assert.match(await laptop.textContent("#totals [data-total=paid]"), /^2 ·/);
  await laptop.click("[data-reverse] >> nth=0");
  await laptop.waitForSelector("#reverse");
  // The session's pair is picked already (four are signed in; the list's first two may be others).
  const picked = (sel) => laptop.$eval(sel, (s) => s.options[s.selectedIndex].textContent);
  assert.equal(await picked("#reverse [data-field=payer]"), cfg.payer);
  assert.equal(await picked("#reverse [data-field=verifier]"), cfg.verifier);
  await laptop.fill("#reverse [data-field=reason]", "金额点错 / counted wrong");
  await laptop.fill("#reverse [data-field=payer_pin]", cfg.pin);
  await laptop.fill("#reverse [data-field=verifier_pin]", cfg.pin);
  await clearMessage(laptop);
  await laptop.click("#reverse button[type=submit]");
  await said(laptop, /已冲正/);
  await shot(laptop, "day");

  // Closing: the cash does not balance, so the variance needs its explanation.
  await laptop.waitForSelector("#close");
  await laptop.fill("#close [data-field=returned]", "4000.00");
  await laptop.fill("#close [data-field=explanation]", "点钞误差,已报告 / a counting error, reported");
  await laptop.selectOption("#close [data-field=staff_a]", { label: cfg.payer });
  await laptop.selectOption("#close [data-field=staff_b]", { label: cfg.verifier });
  await laptop.fill("#close [data-field=pin_a]", cfg.pin);
  await laptop.fill("#close [data-field=pin_b]", cfg.pin);
  await clearMessage(laptop);
  await laptop.click("#close button[type=submit]");
  await said(laptop, /已对账/);
  await laptop.waitForSelector("#reconciliation");
  assert.match(await laptop.textContent("#reconciliation"), /差额/);
  await shot(laptop, "close");

  // The clerk goes home; the laptop syncs (the status bar shows it).
  await view(laptop, "shifts");
  await shown(laptop, "#check");
  await laptop.selectOption("#check [data-field=staff]", { label: cfg.clerk });
  await laptop.waitForSelector("#check");
  await laptop.fill("#check [data-field=pin]", cfg.pin);
  await laptop.click("#check [data-kind=out]");
  await said(laptop, /签退/);
  await laptop.click("#sync-now");
  await laptop.waitForFunction(() => document.querySelector("#pending").textContent.endsWith(" 0"), null, { timeout: 60000 });
  assert.equal(await laptop.textContent("#online"), "在线");

  // ---- the grid leader's device, at the doors ----
  const door = await open(cfg.grid);
  await clearMessage(door);
  await door.click("#sync-now");  // the certificates handed over arrive
  await said(door, /同步完成/);
  await signIn(door, cfg.leader);
  await said(door, /已登录/);
  await view(door, "leader");
  await door.waitForSelector("[data-code]");
  assert.equal(await door.locator("[data-code]").count(), codes, "what was handed over, nothing else");
  await door.waitForSelector("#overdue");
  await shot(door, "leader");
  const [delivered, missed] = await door.$$eval("[data-code]", (cards) => cards.slice(0, 2).map((c) => c.dataset.code));
  await door.click(`[data-code="${delivered}"] [data-action=deliver]`);
  await door.waitForSelector("#deliver");
  await door.fill("#deliver [data-field=id_number]", cfg.certificates[delivered]);
  await sign(door, "#deliver");
  await door.fill("#deliver [data-field=pin]", cfg.pin);
  await shot(door, "deliver");
  await clearMessage(door);
  await door.click("#deliver button[type=submit]");
  await said(door, /已送达/);
  await rate(door, "very_satisfied");
  await door.waitForSelector(`[data-code="${missed}"]`);
  await door.click(`[data-code="${missed}"] [data-action=fail]`);
  await door.waitForSelector("#fail");
  await door.selectOption("#fail [data-field=reason]", "not_home");
  await door.fill("#fail [data-field=pin]", cfg.pin);
  await clearMessage(door);
  await door.click("#fail button[type=submit]");
  await said(door, /已记录未送达/);
  await door.waitForSelector("[data-code]");
  assert.equal(await door.locator("[data-code]").count(), codes - 1);

  // English on one click.
  await door.click("#lang");
  assert.equal(await door.textContent("#sync-now"), "Sync");
  await door.click("#sync-now");
  await door.waitForFunction(() => document.querySelector("#pending").textContent.endsWith(" 0"), null, { timeout: 60000 });

  assert.deepEqual(failures, []);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.error(e.stack || String(e));
  for (const f of failures) console.error(f);
  process.exitCode = 1;
} finally {
  await browser.close();
}
