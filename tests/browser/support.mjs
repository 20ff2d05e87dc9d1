// What every browser test shares: Debian's Chromium, headless, with nothing
// reaching past 127.0.0.1, and page errors collected as failures.
import { chromium } from "playwright-core";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.GRIDSYNC_CHROMIUM || "/usr/bin/chromium",
    // Root in a container: no sandbox. Nothing may call out of 127.0.0.1.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Script errors and console errors of `page` go to `failures`. Refused
// requests (a wrong password, a bad file) are answers a page shows, not
// script errors.
export function watch(page, failures) {
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) failures.push(`console: ${m.text()}`);
  });
}
