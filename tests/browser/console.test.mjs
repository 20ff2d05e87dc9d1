// The admin console in headless Chromium (Debian's package), driven by
// playwright-core. Started by tests/net/browser_test.cpp, which runs a real
// central with a double payment waiting, then checks that the admin's
// decision reaches a laptop on its next sync.
//
//   node console.test.mjs URL LOGIN SCREENSHOT_DIR   (the password on stdin)
//
// Prints one JSON line: {"ok":true,"voided":PAYMENT_ID} or exits non-zero.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, watch } from "./support.mjs";

const [url, login, shots] = process.argv.slice(2);
const password = readFileSync(0, "utf8").split("\n")[0];

const browser = await launch();
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });  // a laptop screen
  watch(page, failures);
  await page.goto(url);

  // Chinese first; the login form.
  assert.equal(await page.textContent("h1"), "街道中心管理台");
  await page.fill("[data-testid=login-name]", login);
  await page.fill("[data-testid=login-password]", "not the password");
  await page.click("[data-testid=login-submit]");
  await page.waitForFunction(() => document.querySelector("[data-testid=login-error]").textContent.length > 0);
  assert.match(await page.textContent("[data-testid=login-error]"), /登录失败/);

  await page.fill("[data-testid=login-password]", password);
  await page.click("[data-testid=login-submit]");
  const row = page.locator("#conflict-rows tr[data-kind=DOUBLE_PAYMENT]");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.match(await page.textContent("[data-testid=counts]"), /重复发放\s*1/);
  // The session cookie is HttpOnly: scripts on the page cannot read it.
  assert.ok(!(await page.evaluate(() => document.cookie)).includes("gridsync_admin"));

  // English on one click, and back.
  await page.click("[data-testid=lang]");
  assert.equal(await page.textContent("h1"), "Subdistrict central console");
  // The counts are drawn again after the title: wait for them, not a moment.
  await page.waitForFunction(() =>
    /Double payment\s*1/.test(document.querySelector("[data-testid=counts]").textContent));
  await page.click("[data-testid=lang]");
  assert.equal(await page.textContent("h1"), "街道中心管理台");

  // Both payments side by side, the differing fields highlighted.
  await row.first().click();
  const detail = page.locator("[data-testid=conflict-detail]");
  await detail.locator("[data-testid=sides]").waitFor();
  assert.equal(await detail.locator("[data-testid=sides] thead th").count(), 3, "field + two payments");
  assert.ok((await detail.locator("td.diff").count()) > 0, "differences are highlighted");
  const voidButtons = detail.locator("button[data-decision=void_payment]");
  assert.equal(await voidButtons.count(), 2, "either payment can be voided");
  if (shots) await page.screenshot({ path: `${shots}/console-double-payment.png`, fullPage: true });

  // A reason is required: nothing is sent without one.
  await voidButtons.nth(1).click();
  assert.match(await page.textContent("[data-testid=message]"), /请先写明理由/);
  assert.equal(await row.count(), 1, "still open");

  // One click with a reason: the second payment is void, the conflict leaves the open list.
  const voided = await voidButtons.nth(1).getAttribute("data-payment");
  await detail.locator("[data-testid=reason]").fill("同一人在两台笔记本各领一次,作废第二笔并追回");
  await voidButtons.nth(1).click();
  await page.waitForFunction(() => document.querySelector("[data-testid=message]").textContent.includes("已处理"));
  await page.waitForFunction(() => !document.querySelector("#conflict-rows tr[data-kind=DOUBLE_PAYMENT]"));
  assert.doesNotMatch(await page.textContent("[data-testid=counts]"), /重复发放/);

  // The resolved list shows who decided.
  await page.selectOption("[data-testid=filter-state]", "resolved");
  const done = page.locator("#conflict-rows tr[data-kind=DOUBLE_PAYMENT]");
  await done.first().waitFor();
  await done.first().click();
  await page.locator("[data-testid=resolution]").waitFor();
  assert.match(await page.textContent("[data-testid=resolution]"), new RegExp(login));

  // The devices page.
  await page.click("[data-testid=tab-devices]");
  await page.locator("[data-testid=device-list] tbody tr").first().waitFor();
  assert.equal(await page.locator("[data-testid=device-list] tbody tr").count(), 3);
  // The verifiable log: its size and what the community laptops witnessed.
  await page.waitForFunction(() => /共 \d+ 条/.test(document.querySelector("[data-testid=log-summary]").textContent));
  assert.match(await page.textContent("[data-testid=log-summary]"), /最新检查点 [1-9]\d* 条/);
  // The alarm a laptop reported, open, with central's own checkpoints as evidence.
  await page.locator("[data-testid=alarm-rows] tr[data-kind=forked]").waitFor();
  assert.match(await page.textContent("[data-testid=log-summary]"), /有 1 条设备告警未处理/);
  const alarm = await page.textContent("[data-testid=alarm-rows] tr[data-kind=forked]");
  assert.match(alarm, /日志分叉/);
  assert.match(alarm, /中心签名的检查点/);
  assert.match(alarm, /未处理/);
  if (shots) await page.screenshot({ path: `${shots}/console-devices.png`, fullPage: true });

  assert.deepEqual(failures, []);
  console.log(JSON.stringify({ ok: true, voided }));
} catch (e) {
  console.error(e);
  console.error(failures.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}
