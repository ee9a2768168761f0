// Renders an HTML file in Debian's chromium (playwright-core, no browser download), as
// an account manager opening sbctl's report would, with the network closed: writes a
// screenshot of the whole page and prints what a reader sees, as JSON.
//   node render.mjs <page.html> <screenshot.png>
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [file, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const requests = [];
  // A self-contained page asks for nothing: record (and refuse) any request it makes.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(pathToFileURL(file).href);
  await page.screenshot({ path: shot, fullPage: true });
  const seen = await page.evaluate(() => ({
    title: document.title,
    text: document.body.innerText,
    svgs: document.querySelectorAll('svg').length,
    bars: document.querySelectorAll('svg rect').length,
    scripts: document.querySelectorAll('script').length,
    open: [...document.querySelectorAll('details')].map((d) => d.open),
  }));
  process.stdout.write(JSON.stringify({ ...seen, requests, errors }));
} finally {
  await browser.close();
}
