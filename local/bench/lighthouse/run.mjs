// One Lighthouse run of one console page, for `make bench` (local/bench/console.go starts it).
// Input (JSON, argv[2]): {chrome, url, cookie: {name, value, url}, preset: "mobile" | "desktop",
// report: a path to which .report.html and .report.json are appended (optional)}.
// Output (JSON on stdout): the scores and metrics local/bench reads.
//
// The page needs a session: the console restores it from the HttpOnly refresh cookie, which the
// bench obtained by signing in and which is put into the browser's cookie jar before the run.
// Lighthouse's storage reset leaves cookies alone (it clears caches, service workers and file
// systems), so the page loads cold but signed in, as a returning admin's would.
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const input = JSON.parse(process.argv[2]);
const browser = await puppeteer.launch({
  executablePath: input.chrome,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    // A closed network: nothing dials out.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
  ],
});
try {
  await browser.setCookie({ ...input.cookie, httpOnly: true, sameSite: 'Strict' });
  const page = await browser.newPage();
  const flags = { output: ['html', 'json'], logLevel: 'error', onlyCategories: ['performance', 'accessibility'] };
  const result = await lighthouse(input.url, flags, input.preset === 'desktop' ? desktopConfig : undefined, page);
  const lhr = result?.lhr;
  if (!lhr) throw new Error('Lighthouse returned no result');
  if (lhr.runtimeError) throw new Error(`${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  if (input.report) {
    writeFileSync(`${input.report}.report.html`, result.report[0]);
    writeFileSync(`${input.report}.report.json`, result.report[1]);
  }
  const audit = (id) => lhr.audits[id]?.numericValue ?? null;
  const requests = lhr.audits['network-requests']?.details?.items ?? [];
  const scripts = requests.filter((r) => r.resourceType === 'Script');
  const a11yFailures = lhr.categories.accessibility.auditRefs
    .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
    .map((ref) => ref.id);
  process.stdout.write(
    JSON.stringify({
      finalUrl: lhr.finalDisplayedUrl,
      performance: Math.round(lhr.categories.performance.score * 100),
      accessibility: Math.round(lhr.categories.accessibility.score * 100),
      fcpMs: audit('first-contentful-paint'),
      lcpMs: audit('largest-contentful-paint'),
      tbtMs: audit('total-blocking-time'),
      cls: audit('cumulative-layout-shift'),
      scriptBytes: scripts.reduce((n, r) => n + (r.transferSize ?? 0), 0),
      scripts: scripts.length,
      requests: requests.map((r) => `${r.statusCode} ${r.url}`),
      a11yFailures,
    }) + '\n',
  );
} finally {
  await browser.close();
}
