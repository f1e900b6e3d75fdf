// End-to-end tests of the monitoring console in headless chromium: the
// overview, resource and list pages at phone and desktop widths, live
// updates, the no-hits search, the job dialog end to end, previews that
// fit their size hints, and an axe-core accessibility check of every page
// and dialog. Run by provider.TestBrowser (go test ./provider).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const env = (k) => {
  const v = process.env[k];
  if (!v) { throw new Error(`${k} is not set: run the suite through go test ./provider -run TestBrowser`); }
  return v;
};
const base = env("PM_BASE");
const resource = env("PM_RESOURCE");
const db = env("PM_DB");
const artifacts = env("PM_ARTIFACTS");
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 900 };

let browser;
const violations = [];
const pageErrors = [];
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});
after(async () => {
  if (browser) { await browser.close(); }
  assert.deepEqual(violations, [], "Content-Security-Policy violations");
  assert.deepEqual(pageErrors, [], "script errors on the provider's pages");
});

async function newPage(viewport = desktop, options = {}) {
  const ctx = await browser.newContext({ viewport, ...options });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/.test(m.text()) && m.location().url.startsWith(base)) {
      violations.push(`${m.location().url}: ${m.text()}`);
    }
  });
  return page;
}

const shot = (page, name) => page.screenshot({ path: path.join(artifacts, name + ".png"), fullPage: true });

// axe runs axe-core on the page (evaluated, not a script tag: the pages'
// CSP allows no inline script) and fails on serious or critical findings.
async function axe(page, what) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.evaluate(axeSource);
  }
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = res.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  assert.deepEqual(bad, [], `axe on ${what}`);
}

// brokenWords lists the words split across lines in the cells of every
// table on the page. IRIs alone may break anywhere, in cells marked .iri.
async function brokenWords(page) {
  return page.evaluate(() => {
    const out = [];
    const iri = /^(?:[a-z][\w+.-]*:\S+|<\S+>)$/i;
    for (const td of document.querySelectorAll("table td, table th")) {
      if (td.getClientRects().length === 0) { continue; }
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const re = /\S+/g;
        let m;
        while ((m = re.exec(n.data))) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const lines = new Set([...r.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
          if (lines.size > 1 && !(n.parentElement.closest(".iri") && iri.test(m[0]))) { out.push(m[0]); }
        }
      }
    }
    return out;
  });
}

const pages = {
  overview: base + "/",
  records: base + "/oslc/records",
  resources: base + "/oslc/resources",
  jobs: base + "/oslc/jobs",
  thresholds: base + "/oslc/thresholds",
  subscriptions: base + "/oslc/subscriptions",
  resource,
  catalog: base + "/oslc/catalog",
  thresholds: base + "/oslc/thresholds",
  alarms: base + "/oslc/alarms",
};

test("every page at 360 and 1280 px: no word split in a table cell, no sideways scrolling, axe clean, screenshots", async () => {
  for (const [name, vp] of [["360", phone], ["1280", desktop]]) {
    const page = await newPage(vp);
    for (const [what, url] of Object.entries(pages)) {
      await page.goto(url, { waitUntil: "load" });
      assert.deepEqual(await brokenWords(page), [], `${what} at ${name} px: words split across lines`);
      const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      const wide = await page.evaluate(() => [...document.querySelectorAll("main *")]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest(".scroll"))
        .slice(0, 5).map((e) => e.tagName + "." + e.getAttribute("class")));
      assert.ok(sw <= cw + 1, `${what} at ${name} px: scroll width ${sw} > ${cw}: ${wide}`);
      await shot(page, `${what}-${name}`);
      if (name === "1280") { await axe(page, what); }
    }
    // A record's own page.
    await page.goto(pages.records, { waitUntil: "load" });
    await page.locator("table.members tbody tr a").first().click();
    await page.locator("#measures").waitFor();
    assert.deepEqual(await brokenWords(page), [], `record at ${name} px`);
    await shot(page, `record-${name}`);
    if (name === "360") { await axe(page, "record"); }
    await page.context().close();
  }
});

test("overview: resources with availability and sparklines, filter by class and search", async () => {
  const page = await newPage();
  await page.goto(base + "/", { waitUntil: "load" });
  const web = page.locator("#resources tbody tr", { hasText: "web01 front end" });
  assert.match(await web.locator(".status").textContent(), /Running/);
  assert.ok(await web.locator("svg.spark").count() >= 1, "sparklines");
  assert.match(await web.textContent(), /CPU used/);
  assert.doesNotMatch(await page.textContent("main"), /pm:CpuUsed|\d\.\d{4,}/, "labels and rounded values");
  await page.fill("#ov-q", "db0");
  await Promise.all([page.waitForURL(/q=db0/), page.click("form.filter button")]);
  assert.equal(await page.locator("#resources tbody tr").count(), 1);
  assert.equal(await page.inputValue("#ov-q"), "db0");
  await page.goto(base + "/?class=" + encodeURIComponent("http://open-services.net/ns/crtv#Database"), { waitUntil: "load" });
  assert.match(await page.textContent(".empty-state"), /another search or class/);
  await page.context().close();
});

test("live: a record written appears on the open overview and resource page within 2 s", async () => {
  const page = await newPage();
  await page.goto(base + "/", { waitUntil: "load" });
  const row = page.locator("#resources tbody tr", { hasText: "db01 orders database" });
  assert.match(await row.locator(".status").textContent(), /No records/);
  const rp = await newPage();
  await rp.goto(db, { waitUntil: "load" });
  // Let both pages open their event streams.
  await page.locator("body[data-live-on]").waitFor({ state: "attached" });
  await rp.locator("body[data-live-on]").waitFor({ state: "attached" });
  await page.waitForTimeout(400);
  const at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const t0 = Date.now();
  const r = await fetch(base + "/oslc/records", {
    method: "POST",
    headers: { "Content-Type": "text/turtle" },
    body: `@prefix pm: <http://open-services.net/ns/perfmon#> . @prefix ems: <http://open-services.net/ns/ems#> .
<> a pm:PerformanceMonitoringRecord ; <http://purl.org/dc/terms/date> "${at}"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
  <http://purl.org/dc/terms/isPartOf> <${db}> ; pm:availabilityStatus pm:NotRunning ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue 12.3456 ] .`,
  });
  assert.equal(r.status, 201);
  await row.locator(".status", { hasText: "Not running" }).waitFor({ timeout: 2000 });
  const took = Date.now() - t0;
  assert.ok(took <= 2000, `overview updated after ${took} ms`);
  assert.match(await row.textContent(), /12\.3 %/);
  await rp.locator("#resource-live .summary .status", { hasText: "Not running" }).waitFor({ timeout: 2000 - (Date.now() - t0) > 0 ? 2000 : 500 });
  console.log(`live update: overview ${took} ms, resource page ${Date.now() - t0} ms`);
  await page.context().close();
  await rp.context().close();
});

test("resource page: status timeline, charts with legend and units, round ticks, axis labels of at least 11 px on a phone, hover, zoom", async () => {
  const page = await newPage(phone);
  await page.goto(resource, { waitUntil: "load" });
  assert.ok(Number(await page.locator("#timeline-narrow").getAttribute("data-spans")) >= 1, "timeline spans");
  const sizes = await page.evaluate(() => [...document.querySelectorAll("svg.chart.narrow text.axis")]
    .filter((t) => t.getClientRects().length > 0)
    .map((t) => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize)));
  assert.ok(sizes.length > 0, "visible axis labels");
  assert.ok(Math.min(...sizes) >= 11, `axis label sizes on a phone: ${Math.min(...sizes)}`);
  const ticks = await page.locator("#chart0-narrow text.axis").allTextContents();
  for (const v of ticks.filter((x) => /%$/.test(x))) {
    assert.match(v, /^-?\d+(\.\d)?%$/, `round value tick ${v}`);
  }
  assert.ok(ticks.some((x) => /^\d\d:\d\d$|^\d+ \w{3}$/.test(x)), `time ticks ${ticks}`);
  assert.match(await page.locator("ul.legend").nth(1).textContent(), /CPU used: [\d.]+ %/);
  await page.context().close();

  const wide = await newPage(desktop);
  await wide.goto(resource, { waitUntil: "load" });
  const box = await wide.locator("#chart0-wide").boundingBox();
  await wide.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await wide.locator(".tip").waitFor({ state: "visible" });
  assert.match(await wide.textContent(".tip"), /CPU used: [\d.]+ %/);
  await shot(wide, "resource-hover-1280");
  await wide.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await wide.mouse.down();
  await wide.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 5 });
  await Promise.all([wide.waitForURL(/from=.*to=/), wide.mouse.up()]);
  await wide.locator("#chart0-wide").waitFor();
  const n = Number(await wide.locator("#chart0-wide").getAttribute("data-points"));
  assert.ok(n > 0 && n < 12, `points after zoom: ${n}`);
  assert.ok(await wide.getByRole("link", { name: "Reset zoom" }).count() === 1);
  await wide.context().close();
});

test("lists: newest first, a bad filter's error next to it with the text kept, empty lists link the creation dialog", async () => {
  const page = await newPage();
  await page.goto(base + "/oslc/records", { waitUntil: "load" });
  const times = await page.locator("table.members tbody tr td:first-child time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));
  assert.ok(times.length > 2);
  assert.deepEqual(times, [...times].sort().reverse(), "newest first");
  assert.match(await page.locator("table.members tbody tr td:first-child time").first().getAttribute("title"), /^\d{4}-\d\d-\d\dT/);
  await page.fill("#where", "dcterms:date >>> 3");
  await Promise.all([page.waitForURL(/oslc\.where=/), page.click("form.filter button")]);
  await page.locator("#where-error").waitFor();
  assert.equal(await page.inputValue("#where"), "dcterms:date >>> 3");
  assert.equal(await page.getAttribute("#where", "aria-invalid"), "true");
  assert.doesNotMatch(await page.textContent("main"), /_:error/);
  await shot(page, "filter-error-1280");
  await axe(page, "filter error");
  await page.goto(base + "/oslc/reports", { waitUntil: "load" });
  const empty = page.locator(".empty-state a[href*='/ui/create/']");
  assert.equal(await empty.count(), 1, "the empty list links a creation dialog");
  await page.context().close();
});

test("selection dialog: a search without hits says so; the server answers []", async () => {
  const r = await fetch(base + "/ui/select/records/search?q=zzqqxx");
  assert.deepEqual(await r.json(), { results: [] });
  const page = await newPage(phone);
  await page.goto(base + "/ui/select/records", { waitUntil: "load" });
  await page.locator("#results li").first().waitFor();
  await page.fill("#q", "zzqqxx");
  await page.locator("#status", { hasText: "Nothing found" }).waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#results li").count(), 0);
  assert.doesNotMatch(await page.textContent("#status"), /Cannot read|null/);
  await shot(page, "selection-no-hits-360");
  await axe(page, "selection dialog");
  await page.context().close();
});

test("job creation dialog: pickers from the capabilities, checked before sending, the job created end to end", async () => {
  const page = await newPage(desktop);
  await page.goto(base + "/ui/create/jobs", { waitUntil: "load" });
  await axe(page, "creation dialog");
  await page.fill("#f-title", "web01 business hours");
  await page.selectOption("#f-monitoredObject", { label: "web01 front end" });
  await page.selectOption("#f-collector", { label: "Push" });
  const metrics = await page.locator("#f-performanceIndicator option:not([disabled])").allTextContents();
  assert.ok(metrics.includes("CPU used"), `metrics offered: ${metrics}`);
  await page.selectOption("#f-performanceIndicator", [{ label: "CPU used" }]);
  await page.selectOption("#f-granularity", { label: "15 min" });
  // Checked before sending: a reporting period that is no multiple.
  await page.selectOption("#f-reportingPeriod", { label: "5 min" });
  await page.click("#ok");
  assert.match(await page.textContent("#e-reportingPeriod"), /whole number of granularity/);
  await page.selectOption("#f-reportingPeriod", { label: "1 h" });
  const start = new Date(Date.now() + 3600e3), stop = new Date(Date.now() + 7 * 86400e3);
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  await page.fill("#f-stopTime", local(start));
  await page.fill("#f-startTime", local(stop));
  await page.click("#ok");
  assert.match(await page.textContent("#e-stopTime"), /after start/);
  await page.fill("#f-startTime", local(start));
  await page.fill("#f-stopTime", local(stop));
  for (const d of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) {
    await page.getByLabel(d, { exact: true }).check();
  }
  await page.fill("#f-dailyInterval", "08:00-12:00, 13:00-18:00");
  await page.fill("#f-timeZone", "Europe/Berlin");
  await shot(page, "job-dialog-1280");
  await page.click("#ok");
  // The page's CSP forbids eval, so wait with a selector, not a function.
  await page.locator("body[data-response]").waitFor({ state: "attached", timeout: 10000 });
  const res = JSON.parse(await page.getAttribute("body", "data-response"));
  const job = res["oslc:results"][0]["rdf:resource"];
  assert.ok(job.startsWith(base + "/oslc/jobs/"), job);
  const ttl = await (await fetch(job, { headers: { Accept: "application/n-triples" } })).text();
  for (const want of [/pmjob#Monday|#Monday>/, /#Friday>/, /08:00-12:00/, /13:00-18:00/, /PT15M/, /PT1H/, /#CpuUsed>/, /startTime/, /stopTime/, /Europe\/Berlin/]) {
    assert.match(ttl, want);
  }
  // The job is on its resource's page.
  await page.goto(resource, { waitUntil: "load" });
  assert.ok(await page.locator("#jobs tbody tr", { hasText: "web01 business hours" }).count() === 1);
  await page.context().close();
});

test("threshold creation dialog: numeric metrics from the capabilities, a decimal value checked, the threshold created", async () => {
  const page = await newPage(desktop);
  await page.goto(base + "/ui/create/thresholds", { waitUntil: "load" });
  await axe(page, "threshold creation dialog");
  const metrics = await page.locator("#f-performanceIndicator option").allTextContents();
  assert.ok(metrics.includes("CPU used"), `metrics offered: ${metrics}`);
  assert.ok(!metrics.some((m) => /availability/i.test(m)), `a STRING measure is offered: ${metrics}`);
  // Checked before sending: the required metric, a negative offset.
  await page.fill("#f-thresholdValue", "90.5");
  await page.fill("#f-thresholdOffset", "-1");
  await page.click("#ok");
  assert.match(await page.textContent("#e-performanceIndicator"), /required/);
  assert.match(await page.textContent("#e-thresholdOffset"), /0 or more/);
  await page.fill("#f-title", "web01 CPU above 90.5");
  await page.selectOption("#f-performanceIndicator", { label: "CPU used" });
  await page.selectOption("#f-monitoredObject", { label: "web01 front end" });
  await page.fill("#f-thresholdOffset", "10");
  assert.equal(await page.textContent("#e-thresholdOffset"), "", "the error goes as the field is corrected");
  await page.selectOption("#f-perceivedSeverity", { label: "Critical" });
  assert.equal(await page.inputValue("#f-thresholdDirection"), "https://oslc-pm.github.io/ns/pmjob#Rising");
  await axe(page, "threshold creation dialog, checked");
  await shot(page, "threshold-dialog-1280");
  await page.click("#ok");
  await page.locator("body[data-response]").waitFor({ state: "attached", timeout: 10000 });
  const res = JSON.parse(await page.getAttribute("body", "data-response"));
  const th = res["oslc:results"][0]["rdf:resource"];
  assert.ok(th.startsWith(base + "/oslc/thresholds/"), th);
  const nt = await (await fetch(th, { headers: { Accept: "application/n-triples" } })).text();
  for (const want of [/#CpuUsed>/, /"90.5"\^\^<http:\/\/www.w3.org\/2001\/XMLSchema#double>/, /"10"\^\^/, /#Critical>/, /#Rising>/, /web01 CPU above 90.5/]) {
    assert.match(nt, want);
  }
  await page.context().close();
});

test("previews fit their size hints exactly and say the status and last values", async () => {
  for (const [size, w, h] of [["small", 420, 220], ["large", 640, 460]]) {
    for (const url of [resource, db]) {
      const page = await newPage({ width: w, height: h });
      await page.goto(`${url}?preview=${size}`, { waitUntil: "load" });
      const over = await page.evaluate(([w, h]) => [...document.querySelectorAll("main *")]
        .filter((e) => e.getClientRects().length > 0)
        .map((e) => [e.tagName + "." + e.getAttribute("class"), e.getBoundingClientRect()])
        .filter(([, r]) => r.right > w + 0.5 || r.bottom > h + 0.5)
        .map(([n, r]) => `${n} ${Math.round(r.right)}x${Math.round(r.bottom)}`), [w, h]);
      assert.deepEqual(over, [], `${url} ${size} preview overflows ${w}x${h}`);
      assert.match(await page.textContent(".pstatus"), /Running|Not running|No records/);
      if (url === resource) {
        assert.match(await page.textContent("ul.kpis"), /CPU used\s+[\d.]+ %/);
        await shot(page, `preview-${size}`);
      }
      if (url === resource) { await axe(page, `${size} preview`); }
      await page.context().close();
    }
  }
  // A record's small preview: its resource, time, status, measures as chips.
  const r = await fetch(base + "/oslc/records?oslc.pageSize=1&oslc.orderBy=-dcterms:date", { headers: { Accept: "application/n-triples" } });
  const rec = (await r.text()).match(/<(http[^>]+\/oslc\/records\/[^>]+)>/)[1];
  const page = await newPage({ width: 420, height: 220 });
  await page.goto(`${rec}?preview=small`, { waitUntil: "load" });
  const over = await page.evaluate(() => [...document.querySelectorAll("main *")].filter((e) => {
    const b = e.getBoundingClientRect(); return e.getClientRects().length > 0 && (b.right > 420.5 || b.bottom > 220.5);
  }).length);
  assert.equal(over, 0, "record preview fits 420x220");
  await shot(page, "preview-record-small");
  await page.context().close();
});

// post writes Turtle to a factory and returns the new resource's IRI.
async function post(factory, ttl) {
  const r = await fetch(base + factory, { method: "POST", headers: { "Content-Type": "text/turtle" }, body: ttl });
  assert.equal(r.status, 201, await r.text());
  return r.headers.get("Location");
}
const prefixes = `@prefix pm: <http://open-services.net/ns/perfmon#> . @prefix ems: <http://open-services.net/ns/ems#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix pmj: <https://oslc-pm.github.io/ns/pmjob#> . @prefix crtv: <http://open-services.net/ns/crtv#> .
`;
const host = (title, name) => post("/oslc/resources", `${prefixes}<> a crtv:ComputerSystem ; dcterms:title "${title}" ; crtv:name "${name}" .`);
const cpuRecord = (res, at, v) => post("/oslc/records", `${prefixes}<> a pm:PerformanceMonitoringRecord ;
  dcterms:date "${at.toISOString().replace(/\.\d+Z$/, "Z")}"^^xsd:dateTime ; dcterms:isPartOf <${res}> ; pm:availabilityStatus pm:Running ;
  ems:observes [ a ems:Measure ; ems:metric pm:CpuUsed ; ems:unitOfMeasure <http://dbpedia.org/resource/Percentage> ; ems:numericValue ${v} ] .`);

test("time zone: the resource page reads in the viewer's zone with script, in UTC or its jobs' zone without", async () => {
  // Adelaide is 9:30 or 10:30 ahead: its clock's minutes differ from UTC's
  // (and ICU names it as the tz database does, unlike Asia/Kolkata).
  const zone = "Australia/Adelaide";
  const page = await newPage(desktop, { timezoneId: zone });
  await page.goto(resource, { waitUntil: "load" });
  await page.locator(`body[data-tz="${zone}"]`).waitFor({ state: "attached", timeout: 3000 });
  assert.match(page.url(), /[?&]tz=Australia%2FAdelaide/);
  assert.equal(await page.inputValue("#tz"), zone);
  assert.match(await page.textContent("p.window"), /times in Australia\/Adelaide/);
  const seen = page.locator("#resource-live .summary time");
  const iso = await seen.getAttribute("datetime");
  const hm = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  assert.ok((await seen.textContent()).includes(hm), `last record ${await seen.textContent()} reads ${hm} in ${zone}`);
  await axe(page, "resource page in the viewer's zone");
  // A zone the address names is kept.
  await page.goto(resource + "?tz=UTC", { waitUntil: "load" });
  await page.locator('body[data-tz="UTC"]').waitFor({ state: "attached" });
  assert.match(await page.textContent("p.window"), /times in UTC/);
  await page.context().close();
  // Without script: UTC, or the zone of the resource's jobs.
  const plain = await newPage(desktop, { timezoneId: zone, javaScriptEnabled: false });
  await plain.goto(resource, { waitUntil: "load" });
  assert.match(await plain.textContent("p.window"), /times in (UTC|Europe\/Berlin)\./);
  await plain.context().close();
});

test("hover on a series of more than 300 values: the nearest value by x, from the data the chart carries", async () => {
  const dense = await host("batch01 dense host", "batch01");
  const n = 320, now = Date.now();
  for (let i = 0; i < n; i += 16) {
    await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, j) =>
      cpuRecord(dense, new Date(now - (n - i - j) * 60e3), i + j === n - 1 ? 77.7 : 10 + ((i + j) % 40))));
  }
  const page = await newPage(desktop);
  await page.goto(dense + "?tz=UTC", { waitUntil: "load" });
  const chart = page.locator("#chart0-wide");
  assert.equal(Number(await chart.getAttribute("data-points")), n);
  assert.equal(await chart.locator("circle.pt").count(), 0, "no dots past 300 values");
  const box = await chart.boundingBox();
  // At the right edge of the plot: the newest value.
  await page.mouse.move(box.x + box.width - 2, box.y + box.height * 0.5);
  await page.locator(".tip").waitFor({ state: "visible" });
  assert.match(await page.textContent(".tip"), /CPU used: 77\.7 %/);
  // In the middle: some value, with its time.
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.locator(".tip", { hasNotText: "77.7" }).waitFor({ state: "visible" });
  assert.match(await page.textContent(".tip"), /\d\d:\d\d.*CPU used: \d+ %/);
  await shot(page, "resource-dense-hover-1280");
  await page.context().close();
});

test("alarms: a threshold crossed over HTTP raises an alarm seen live on the overview and the resource page", async () => {
  const app = await host("app01 alarmed host", "app01");
  await cpuRecord(app, new Date(Date.now() - 120e3), 50);
  await post("/oslc/thresholds", `${prefixes}<> a pmj:Threshold ; dcterms:title "CPU of app01" ;
  pmj:monitoredObject <${app}> ; pmj:performanceIndicator pm:CpuUsed ; pmj:thresholdDirection pmj:Rising ;
  pmj:thresholdValue 90.0 ; pmj:thresholdOffset 10.0 ; pmj:perceivedSeverity pmj:Critical .`);
  const ov = await newPage(desktop);
  await ov.goto(base + "/", { waitUntil: "load" });
  const row = ov.locator("#resources tbody tr", { hasText: "app01 alarmed host" });
  assert.equal((await row.locator("td").last().textContent()).trim(), "0");
  const rp = await newPage(desktop);
  await rp.goto(app + "?tz=UTC", { waitUntil: "load" });
  assert.match(await rp.textContent("#resource-live .alarms"), /No active alarms/);
  await ov.locator("body[data-live-on]").waitFor({ state: "attached" });
  await rp.locator("body[data-live-on]").waitFor({ state: "attached" });
  await ov.waitForTimeout(400);
  const t0 = Date.now();
  await cpuRecord(app, new Date(Date.now() - 60e3), 95);
  await ov.locator("#overview-live .alarm-list li", { hasText: "app01 alarmed host" }).waitFor({ timeout: 2000 });
  assert.match(await ov.textContent("#overview-live .alarm-list li.sev-Critical"), /Critical/);
  await row.locator("td", { hasText: /^1$/ }).waitFor({ timeout: 500 });
  await rp.locator("#resource-live .alarm-list li.sev-Critical").waitFor({ timeout: Math.max(2000 - (Date.now() - t0), 100) });
  console.log(`alarm seen: overview and resource page within ${Date.now() - t0} ms`);
  await axe(ov, "overview with an alarm");
  await axe(rp, "resource page with an alarm");
  await shot(ov, "overview-alarm-1280");
  await shot(rp, "resource-alarm-1280");
  await ov.context().close();
  await rp.context().close();
});
