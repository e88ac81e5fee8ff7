// A payer on the hosted checkout, in headless Chromium: opens a pay link's page, chooses a
// token, sees the address and QR code, clicks "Simulate payment" and waits for "Paid".
//
//   node checkout.mjs <base url> <public id> <token id> <screenshot.png>
//
// Prints one JSON line with what it saw; exits non-zero (with the reason) on any failure.
import { chromium } from "playwright-core";

const [base, publicId, tokenId, screenshot] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const seen = { requests: [], console: [] };
try {
  const page = await browser.newPage();
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && seen.console.push(m.text()));
  await page.goto(`${base}/pay/${publicId}`);
  await page.click(`[data-link-token="${tokenId}"]`);
  await page.waitForURL(/\/pay\/invoice\/\d+/);
  const address = (await page.textContent("#address")).trim();
  const qr = await page.getAttribute("#qr", "src");
  const qrVisible = await page.isVisible("#qr");
  await page.click("#simulate");
  await page.waitForFunction(() => document.getElementById("status").textContent === "Paid", null, { timeout: 30000 });
  await page.screenshot({ path: screenshot, fullPage: true });
  const invoiceId = Number(new URL(page.url()).pathname.split("/").pop());
  const status = await page.textContent("#status");
  // What the checkout itself logged; the shop's page after the redirect is not ours to judge.
  const consoleErrors = [...seen.console];
  // Paid: after 5 s the payer goes back to the shop's success_url.
  await page.waitForURL((u) => u.searchParams.get("status") === "4", { timeout: 15000 });
  console.log(JSON.stringify({ invoiceId, address, qrPng: qr.startsWith("data:image/png;base64,"), qrVisible,
    status, returnedTo: page.url(), requests: seen.requests, consoleErrors }));
} catch (e) {
  console.error(`checkout failed: ${e.message}; console errors: ${JSON.stringify(seen.console)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
