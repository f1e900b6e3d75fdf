// End-to-end tests of the provider's pages, previews and delegated
// dialogs in headless chromium, driven as OSLC clients drive them. Run by
// provider.TestBrowser (go test ./provider), which starts and seeds the
// provider and serves the outside pages (e2e/outside) on other origins.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { chromium } from "playwright-core";

const env = (k) => {
  const v = process.env[k];
  if (!v) { throw new Error(`${k} is not set: run the suite through go test ./provider -run TestBrowser`); }
  return v;
};
const base = env("PM_BASE");
const outside = env("PM_OUTSIDE");
const stranger = env("PM_STRANGER");
const resource = env("PM_RESOURCE");
const points = Number(env("PM_POINTS"));
const artifacts = env("PM_ARTIFACTS");

let browser;
// violations are the provider's pages' Content-Security-Policy reports:
// a page that needs an inline script or style, or a foreign source, breaks
// under the policy and must fail here.
const violations = [];
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
after(async () => {
  if (browser) { await browser.close(); }
  assert.deepEqual(violations, [], "Content-Security-Policy violations");
});

async function newPage(viewport = { width: 1100, height: 800 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.log("page error:", e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/.test(m.text()) && m.location().url.startsWith(base)) {
      violations.push(`${m.location().url}: ${m.text()}`);
    }
  });
  return page;
}

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });

// openDialog loads the outside page that embeds url in an iframe.
async function openDialog(page, url, protocol, from = outside) {
  await page.goto(`${from}/consumer.html?dialog=${encodeURIComponent(url)}&protocol=${protocol}`);
  return page.frameLocator("iframe#dialog");
}

async function results(page) {
  await page.waitForFunction(() => document.getElementById("results").textContent !== "", null, { timeout: 10000 });
  return JSON.parse(await page.textContent("#results"));
}

async function count(kind) {
  const r = await fetch(`${base}/oslc/${kind}?oslc.pageSize=1000`, { headers: { Accept: "application/n-triples" } });
  const body = await r.text();
  return body.split("\n").filter((l) => l.includes("<http://www.w3.org/2000/01/rdf-schema#member>")).length;
}

test("selection dialog in another origin's iframe: search as you type, pick a record, postMessage (Core 3.0)", async () => {
  const page = await newPage();
  const dlg = await openDialog(page, `${base}/ui/select/records`, "core3");
  await dlg.locator("#results li").first().waitFor();
  await dlg.locator("#q").pressSequentially("web0", { delay: 30 });
  await assert.doesNotReject(dlg.locator("#status", { hasText: "for “web0”" }).waitFor({ timeout: 5000 }));
  const first = dlg.locator("#results li").first();
  assert.match(await first.textContent(), /web01 front end at /);
  assert.equal(await dlg.locator("#results li").count(), points);
  await first.locator("label").click();
  await shot(page, "selection-dialog");
  await dlg.locator("#ok").click();
  const res = await results(page);
  assert.equal(await page.getAttribute("body", "data-how"), "postMessage");
  assert.equal(res["oslc:results"].length, 1);
  assert.ok(res["oslc:results"][0]["rdf:resource"].startsWith(base + "/oslc/records/"));
  assert.match(res["oslc:results"][0]["oslc:label"], /^web01 front end at /);
  // The dialog asked to be resized, as previews do.
  assert.match(await page.getAttribute("body", "data-resize"), /^oslc-resize:\{"oslc:hintHeight":"\d+px"\}$/);
  await page.context().close();
});

test("selection dialog through the 2.0 window name protocol", async () => {
  const page = await newPage();
  const dlg = await openDialog(page, `${base}/ui/select/resources`, "windowName");
  await dlg.locator("#q").fill("db0");
  await dlg.locator("#status", { hasText: "1 result for “db0”" }).waitFor();
  assert.equal(await dlg.locator("#results li").count(), 1);
  await dlg.locator("#results li").first().dblclick();
  const res = await results(page);
  assert.equal(await page.getAttribute("body", "data-how"), "windowName");
  assert.equal(res["oslc:results"][0]["oslc:label"], "db01 orders database");
  assert.ok(res["oslc:results"][0]["rdf:resource"].startsWith(base + "/oslc/resources/"));
  await page.context().close();
});

test("selection through the 2.0 postMessage fragment, with the keyboard; cancel answers empty results", async () => {
  const page = await newPage();
  let dlg = await openDialog(page, `${base}/ui/select/resources`, "postMessage");
  await dlg.locator("#results li").first().waitFor();
  await dlg.locator("#q").fill("web01");
  await dlg.locator("#status", { hasText: "1 result for “web01”" }).waitFor();
  await dlg.locator("#q").press("Tab");
  await page.keyboard.press("Space");
  assert.equal(await dlg.locator("#ok").isEnabled(), true);
  await page.keyboard.press("Enter");
  let res = await results(page);
  assert.equal(res["oslc:results"][0]["oslc:label"], "web01 front end");
  assert.equal(res["oslc:results"][0]["rdf:resource"], resource);

  dlg = await openDialog(page, `${base}/ui/select/records`, "postMessage");
  await dlg.locator("#results li").first().waitFor();
  await dlg.locator("#cancel").click();
  res = await results(page);
  assert.deepEqual(res, { "oslc:results": [] });
  await page.context().close();
});

test("a page of an origin the provider does not trust cannot frame its dialogs (CSP frame-ancestors)", async () => {
  const page = await newPage();
  await openDialog(page, `${base}/ui/select/records`, "core3", stranger);
  await page.waitForTimeout(1000);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(frame, "the iframe exists");
  assert.equal(await frame.locator("#q").count(), 0, "the dialog must not render in an untrusted frame");
  await page.context().close();
});

test("creation dialog creates a monitored resource and a job and returns their IRIs", async () => {
  const page = await newPage();
  let dlg = await openDialog(page, `${base}/ui/create/resources`, "core3");
  await dlg.locator("#f-title").fill("app02 billing");
  await dlg.locator("#f-type").selectOption({ label: "SoftwareServer" });
  await dlg.locator("#f-name").fill("app02");
  await shot(page, "creation-dialog");
  await dlg.locator("#ok").click();
  let res = await results(page);
  const created = res["oslc:results"][0]["rdf:resource"];
  assert.ok(created.startsWith(base + "/oslc/resources/"), created);
  assert.equal(res["oslc:results"][0]["oslc:label"], "app02 billing");
  let r = await fetch(created, { headers: { Accept: "text/turtle" } });
  assert.equal(r.status, 200);
  const ttl = await r.text();
  assert.match(ttl, /SoftwareServer/);
  assert.match(ttl, /app02 billing/);

  dlg = await openDialog(page, `${base}/ui/create/jobs`, "core3", outside);
  await dlg.locator("#f-title").fill("app02 every minute");
  await dlg.locator("#f-monitoredObject").selectOption({ label: "app02 billing" });
  await dlg.locator("#f-collector").selectOption({ label: "Push" });
  await dlg.locator("#f-granularity").selectOption("PT1M");
  await dlg.locator("#ok").click();
  res = await results(page);
  const job = res["oslc:results"][0]["rdf:resource"];
  assert.ok(job.startsWith(base + "/oslc/jobs/"), job);
  r = await fetch(job, { headers: { Accept: "text/turtle" } });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /app02 every minute/);

  // The job's page shows its state history.
  const jp = await newPage();
  await jp.goto(job, { waitUntil: "load" });
  assert.ok(await jp.locator("#history tbody tr").count() >= 1, "state history rows");
  await shot(jp, "job");
  await jp.context().close();
  await page.context().close();
});

test("an invalid creation form is checked against the shape, then shows the server's message and creates nothing", async () => {
  const page = await newPage();
  const before = await count("jobs");
  const dlg = await openDialog(page, `${base}/ui/create/jobs`, "core3");
  // The shape requires a title: the dialog says so without posting.
  await dlg.locator("#ok").click();
  assert.match(await dlg.locator("#e-title").textContent(), /Title is required/);
  assert.equal(await dlg.locator("#f-title").getAttribute("aria-invalid"), "true");
  // Valid for the shape, refused by the provider: an unknown time zone.
  await dlg.locator("#f-title").fill("bad zone");
  await dlg.locator("#f-monitoredObject").selectOption({ label: "web01 front end" });
  await dlg.locator("#f-collector").selectOption({ label: "Push" });
  await dlg.locator("#f-timeZone").fill("Mars/Olympus_Mons");
  await dlg.locator("#ok").click();
  const err = dlg.locator("#server-error");
  await err.waitFor({ state: "visible" });
  const msg = await err.textContent();
  assert.match(msg, /time ?zone|Mars/i, msg);
  await shot(page, "creation-dialog-error");
  assert.equal(await page.textContent("#results"), "", "no results sent");
  assert.equal(await count("jobs"), before, "nothing created");
  await page.context().close();
});

test("hover preview: the Compact resource found by its Link header, its small preview in a frame", async () => {
  const page = await newPage();
  await page.goto(`${outside}/preview.html?uri=${encodeURIComponent(resource)}`);
  await page.hover("#link");
  await page.locator("#pop").waitFor({ state: "visible" });
  const compact = JSON.parse(await page.getAttribute("body", "data-compact"));
  assert.equal(compact.title, "web01 front end");
  assert.equal(compact.shortTitle, "web01");
  assert.match(compact.icon, /\/ui\/static\/resource\.svg$/);
  const pv = page.frameLocator("#preview");
  await pv.locator("main.preview").waitFor();
  assert.match(await pv.locator(".pstatus").textContent(), /Running/);
  const spark = pv.locator("svg.spark").first();
  assert.equal(Number(await spark.getAttribute("data-points")), points);
  await shot(page, "preview");
  await page.context().close();
});

test("pages: home, query results with filter and paging, a record, a chart with the seeded points", async () => {
  const page = await newPage();
  await page.goto(base + "/", { waitUntil: "load" });
  await page.getByRole("link", { name: "Service provider catalog" }).waitFor();
  await shot(page, "home");
  await page.getByRole("link", { name: "Performance Monitoring Records" }).first().click();
  await page.locator("table.members").waitFor();
  assert.match(await page.textContent(".count"), new RegExp(`^${points} members`));
  // Filter with oslc.where, one page at a time.
  await page.fill("#where", `ems:observes{ems:metric=pm:CpuUsed and ems:numericValue>=40}`);
  // Each click below loads a new page: wait for it, not for the old one.
  await Promise.all([page.waitForURL(/oslc\.where=/), page.click("form.filter button")]);
  await page.locator("table.members").waitFor();
  const filtered = await page.locator("table.members tbody tr").count();
  assert.ok(filtered > 0 && filtered < points, `filtered ${filtered}`);
  await page.goto(`${base}/oslc/records?oslc.pageSize=5&oslc.orderBy=-dcterms:date`, { waitUntil: "load" });
  assert.equal(await page.locator("table.members tbody tr").count(), 5);
  await Promise.all([page.waitForURL(/oslc\.pageToken=/), page.getByRole("link", { name: "Next page" }).click()]);
  assert.equal(await page.locator("table.members tbody tr").count(), 5);
  await page.locator("table.members tbody tr a").first().click();
  await page.locator("#measures").waitFor();
  assert.equal(await page.locator("#measures tbody tr").count(), 2);
  await shot(page, "record");

  await page.goto(resource, { waitUntil: "load" });
  // One chart per unit: CPU used (percent) first, its dots in the wide drawing.
  const chart = page.locator("#chart0-wide");
  assert.equal(Number(await chart.getAttribute("data-points")), points);
  assert.equal(await chart.locator("circle.pt").count(), points);
  // Memory alone, over the last hour.
  await page.getByRole("checkbox", { name: "CPU used" }).uncheck();
  await page.selectOption("#range", "1h");
  await Promise.all([page.waitForURL(/range=1h/), page.click("form.chart-controls button")]);
  await page.locator("#chart0-wide").waitFor();
  assert.match(await page.locator("figure.chart-fig figcaption").first().textContent(), /bytes/);
  const inHour = await page.locator("#chart0-wide circle.pt").count();
  assert.ok(inHour >= 5 && inHour <= 6, `points in the last hour: ${inHour}`);
  await page.selectOption("#range", "all");
  await page.click("form.chart-controls button");
  await shot(page, "chart");
  await page.context().close();
});

test("narrow screens: no sideways scrolling on the dialog, list and resource pages", async () => {
  const page = await newPage({ width: 360, height: 740 });
  for (const url of [`${base}/ui/select/records`, `${base}/ui/create/jobs`, `${base}/oslc/records`, resource]) {
    await page.goto(url, { waitUntil: "load" });
    const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(sw <= cw + 1, `${url}: scroll width ${sw} > ${cw}`);
  }
  await shot(page, "narrow-resource");
  await page.context().close();
});
