// The console's quarantine, in headless Chromium: an admin opens the entry
// central refused for good (a payment by someone central had recorded in the
// beneficiary's household), reads why, and releases it once the household
// link was corrected. Started by tests/net/browser_test.cpp.
//
//   node quarantine.test.mjs URL LOGIN SCREENSHOT_DIR   (the password on stdin)
//
// Prints one JSON line: {"ok":true} or exits non-zero.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launch, watch } from "./support.mjs";

const [url, login, shots] = process.argv.slice(2);
const password = readFileSync(0, "utf8").split("\n")[0];

const browser = await launch();
const failures = [];
try {
  // A phone first: the admin may be at a community, not at a desk.
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  watch(page, failures);
  await page.goto(url);
  await page.fill("[data-testid=login-name]", login);
  await page.fill("[data-testid=login-password]", password);
  await page.click("[data-testid=login-submit]");
  const row = page.locator("#conflict-rows tr[data-kind=QUARANTINED]");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.match(await page.textContent("[data-testid=counts]"), /已隔离/);
  await row.first().click();
  const detail = page.locator("[data-testid=conflict-detail]");
  const button = detail.locator("button[data-decision=release]");
  await button.waitFor();
  assert.match(await detail.textContent(), /gridsync\.central:11/, "the reason's code");
  assert.match(await detail.textContent(), /同户/, "the rule's words");
  assert.match(await detail.textContent(), /放行/);
  if (shots) await page.screenshot({ path: `${shots}/console-quarantine-phone.png`, fullPage: true });

  // A reason is required.
  await button.click();
  assert.match(await page.textContent("[data-testid=message]"), /请先写明理由/);
  await detail.locator("[data-testid=reason]").fill("户籍关系登记错误,已更正");
  await button.click();
  await page.waitForFunction(() => !document.querySelector("#conflict-rows tr[data-kind=QUARANTINED]"));
  assert.match(await page.textContent("[data-testid=message]"), /已放行/);
  if (shots) await page.screenshot({ path: `${shots}/console-quarantine-released.png`, fullPage: true });
  assert.deepEqual(failures, []);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
