// The console's pages for the offices' work, in headless Chromium (Debian's
// package) driven by playwright-core: lists uploaded as files (a bad one's
// problems shown by line and column), a list approved by a second admin
// (the maker cannot), the reports on screen, as Excel, and on A4 paper.
// Started by tests/net/browser_test.cpp with a running central whose
// organisation and staff are imported; the configuration comes as one JSON
// line on stdin. Prints {"ok":true,...} or exits non-zero.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { launch, watch } from "./support.mjs";

const cfg = JSON.parse(readFileSync(0, "utf8").split("\n")[0]);
const browser = await launch();
const failures = [];

async function open(viewport) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  watch(page, failures);
  await page.goto(cfg.url);
  return page;
}
async function login(page, name, password) {
  await page.fill("[data-testid=login-name]", name);
  await page.fill("[data-testid=login-password]", password);
  await page.click("[data-testid=login-submit]");
  await page.locator("[data-testid=tab-imports]").waitFor();
  await page.waitForFunction(() => !document.querySelector("#app-view").classList.contains("hidden"));
}
async function upload(page, kind, file, program) {
  await page.click("[data-testid=tab-imports]");
  await page.locator(`[data-testid=import-kind] option[value=${kind}]`).waitFor({ state: "attached" });
  await page.selectOption("[data-testid=import-kind]", kind);
  if (program) await page.fill("[data-testid=import-program]", program);
  await page.setInputFiles("[data-testid=import-file]", file);
  await page.evaluate(() => { document.querySelector("#import-result").replaceChildren(); });
  await page.click("[data-testid=import-submit]");
  await page.waitForFunction(() => document.querySelector("#import-result").textContent.length > 0);
  return page.locator("[data-testid=import-result]");
}
const shot = (page, name, fullPage = true) => page.screenshot({ path: `${cfg.shots}/${name}.png`, fullPage });

try {
  const page = await open({ width: 1366, height: 900 });
  await login(page, cfg.maker, cfg.maker_password);

  // A good file: the residents as Excel in China saves them (GB18030).
  let result = await upload(page, "residents", cfg.residents_gb18030);
  assert.match(await result.textContent(), /已导入 居民 \(csv gb18030\): 15 行, 新增 15/);

  // A bad file: nothing written, each problem by line and column.
  result = await upload(page, "residents", cfg.bad_residents);
  await page.locator("[data-testid=import-problems]").waitFor();
  assert.match(await result.textContent(), /未导入/);
  const cells = await page.$$eval("[data-testid=import-problems] tbody tr",
    (rows) => rows.map((r) => `${r.dataset.line}:${r.dataset.column}`));
  assert.deepEqual(cells, cfg.bad_cells);
  await shot(page, "console-import-problems");

  // The template for the list being imported is a download away.
  assert.match(await page.getAttribute("[data-testid=template-link]", "href"), /\/admin\/api\/templates\/residents\.xlsx$/);
  const template = await page.context().request.get(new URL(await page.getAttribute("[data-testid=template-link]", "href"), cfg.url).href);
  assert.equal(template.status(), 200);
  assert.equal((await template.body()).subarray(0, 2).toString(), "PK");

  // Days, then the month's list: staged for a second admin.
  result = await upload(page, "days", cfg.days);
  assert.match(await result.textContent(), /已导入 发放日/);
  result = await upload(page, "entitlements", cfg.entitlements, "dibao");
  await page.locator("[data-testid=import-staged]").waitFor();

  // The maker sees the list and cannot approve it.
  await page.click("[data-testid=tab-approvals]");
  await page.locator("[data-testid=approval-mine]").waitFor();
  assert.equal(await page.locator("[data-testid=approve]").count(), 0);
  assert.match(await page.textContent("[data-testid=approval-list]"), /6 笔 · 合计 ¥4,210\.50/);

  // A second admin approves it, at phone width.
  const checker = await open({ width: 390, height: 844 });
  await login(checker, cfg.checker, cfg.checker_password);
  await checker.click("[data-testid=tab-approvals]");
  await checker.locator("[data-testid=approve]").waitFor();
  await shot(checker, "console-approval-phone");
  await checker.click("[data-testid=approve]");
  await checker.waitForFunction(() => document.querySelector("[data-testid=message]").textContent.includes("已审核"));
  await checker.selectOption("[data-testid=approval-state]", "approved");
  await checker.locator("[data-approval][data-state=approved]").waitFor();

  // The reconciliation of C01 for the month, on screen.
  await page.click("[data-testid=tab-reports]");
  await page.locator("[data-testid=report-community] option[value=C01]").waitFor({ state: "attached" });
  await page.selectOption("[data-testid=report-community]", "C01");
  await page.fill("[data-testid=report-month]", cfg.month);
  await page.click("[data-testid=report-show]");
  await page.locator("[data-testid=report-table]").first().waitFor();
  assert.equal(await page.locator("[data-testid=report-table]").count(), 4);
  const byProgramme = page.locator("[data-testid=report-table]").nth(1);
  assert.match(await byProgramme.locator("tfoot").textContent(), /4,210\.50/);
  await shot(page, "console-report");

  // As Excel, and as the printed A4 page with its signature lines.
  const xlsx = await page.context().request.get(new URL(await page.getAttribute("[data-testid=report-xlsx]", "href"), cfg.url).href);
  assert.equal(xlsx.status(), 200);
  assert.match(xlsx.headers()["content-type"], /spreadsheetml/);
  writeFileSync(`${cfg.shots}/report.xlsx`, await xlsx.body());
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("nav").isVisible(), false, "the page prints without the console around it");
  assert.match(await page.locator("[data-testid=report-out]").textContent(), /经办人签字/);
  await shot(page, "console-report-print");
  const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: true });
  assert.ok(pdf.length > 10000, "an A4 document");
  writeFileSync(`${cfg.shots}/report.pdf`, pdf);
  await page.emulateMedia({ media: "screen" });

  // English on one click.
  await page.click("[data-testid=lang]");
  assert.equal(await page.textContent("[data-testid=tab-reports]"), "Reports");

  assert.deepEqual(failures, []);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.error(e);
  console.error(failures.join("\n"));
  process.exitCode = 1;
} finally {
  await browser.close();
}
