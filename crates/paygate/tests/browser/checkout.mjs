// A payer on the hosted checkout, in headless Chromium.
//
//   node checkout.mjs pay <base url> <public id> <token id> <screenshot.png>
//     opens a pay link's page, chooses a token, sees the address and QR code, clicks "Simulate
//     payment", waits for "Paid" and for the way back to the shop's success_url;
//   node checkout.mjs expired <base url> <invoice id> <screenshot.png>
//     opens an invoice that expired, sees "Expired" and the way back to the shop's fail_url.
//
// Prints one JSON line with what it saw; exits non-zero (with the reason) on any failure.
import { chromium } from "playwright-core";

const [scenario, base, ...args] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const seen = { requests: [], console: [] };

async function pay(page, publicId, tokenId, screenshot) {
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
  return { invoiceId, address, qrPng: qr.startsWith("data:image/png;base64,"), qrVisible, status,
    returnedTo: page.url(), consoleErrors };
}

async function expired(page, invoiceId, screenshot) {
  await page.goto(`${base}/pay/invoice/${invoiceId}`);
  await page.waitForFunction(() => document.getElementById("status").textContent === "Expired", null, { timeout: 15000 });
  await page.waitForSelector("#fail:not([hidden])");
  await page.screenshot({ path: screenshot, fullPage: true });
  const status = await page.textContent("#status");
  const link = await page.getAttribute("#fail a", "href");
  const simulateVisible = await page.isVisible("#simulate");
  const consoleErrors = [...seen.console];
  await page.waitForURL((u) => u.searchParams.get("status") === "5", { timeout: 15000 });
  return { status, link, simulateVisible, returnedTo: page.url(), consoleErrors };
}

try {
  const page = await browser.newPage();
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && seen.console.push(m.text()));
  const scenarios = { pay, expired };
  if (!scenarios[scenario]) throw new Error(`unknown scenario ${scenario}`);
  const result = await scenarios[scenario](page, ...args);
  console.log(JSON.stringify({ ...result, requests: seen.requests }));
} catch (e) {
  console.error(`checkout failed: ${e.message}; console errors: ${JSON.stringify(seen.console)}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
