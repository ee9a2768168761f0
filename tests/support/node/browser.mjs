// A real user at a real browser, for sbctl's tests: sbctl runs `$BROWSER <page>`, where
// the page is a private local file (file://...) that forwards to the authorize URL, and
// this drives Debian's chromium (playwright-core, no browser download) from that page
// through the OAuth server's login and consent pages (oidc-provider's or Django OAuth
// Toolkit's).
//
// Environment (inherited from sbctl, which the test starts):
//   SBCTL_TEST_RESULT  file to write the outcome to, as JSON (required)
//   SBCTL_TEST_LOGIN   the account to sign in as (default "alice")
//   SBCTL_TEST_ACTION  consent (default) | deny | forge | root | capture
//     forge:   first send the loopback listener a callback with a wrong state and record
//              the answer, then consent
//     root:    record what the listener's http://127.0.0.1:<port>/ answers (nothing of
//              the sign-in's: no redirect, no state), then consent
//     evil:    send the listener this flow's state with an error whose description is
//              HTML, and record the page it answers with (no sign-in)
//     capture: consent, but do not let the browser reach the listener; record the
//              callback URL (for pasting it into sbctl by hand)
//
// `node browser.mjs --device <url>`: a person on another device who opens a device
// sign-in's address (RFC 8628, with the code in it), confirms the code (or, with
// SBCTL_TEST_ACTION=deny, aborts), signs in and consents; the test runs it itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const opened = process.argv[process.argv.length - 1];
const device = process.argv.includes('--device');
// The authorize URL, read from the page as the browser will find it.
const href = device ? [null, opened] : /<a id="go" href="([^"]*)"/.exec(readFileSync(new URL(opened), 'utf8'));
const url = href[1].replaceAll('&quot;', '"').replaceAll('&#39;', "'")
  .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const resultFile = process.env.SBCTL_TEST_RESULT;
const login = process.env.SBCTL_TEST_LOGIN || 'alice';
const action = process.env.SBCTL_TEST_ACTION || 'consent';
const result = { opened, url, action, login, steps: [] };
const save = () => writeFileSync(resultFile, JSON.stringify(result, null, 2));

const redirectUri = device ? null : new URL(new URL(url).searchParams.get('redirect_uri'));
const listener = device ? null : `http://127.0.0.1:${redirectUri.port}`;

async function launch() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives each launch a fresh, throwaway profile directory.
  });
  const page = await browser.newPage();
  // Nothing leaves the machine: the dev pages' web fonts would stall on DNS.
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.protocol === 'file:' || u.hostname === '127.0.0.1' ? route.continue() : route.abort();
  });
  return { browser, page };
}

// oidc-provider's device pages: confirm the code (or abort), then its login and
// consent, then its success page.
async function deviceSignIn() {
  const { browser, page } = await launch();
  try {
    await page.goto(url);
    await page.waitForSelector('text=Confirm Device', { timeout: 15000 });
    result.steps.push('code shown');
    if (action === 'deny') {
      await page.click('button[name=abort]');
      await page.waitForLoadState('domcontentloaded');
      result.steps.push('aborted');
      result.final = { url: page.url(), text: await page.innerText('body') };
      return;
    }
    await page.click('button[autofocus]');
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Continue', { timeout: 15000 });
    result.steps.push('signed in');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Sign-in Success', { timeout: 15000 });
    result.steps.push('consented');
    result.final = { url: page.url(), text: await page.innerText('body') };
  } finally {
    await browser.close();
  }
}

async function main() {
  if (device) return deviceSignIn();
  if (action === 'forge') {
    const forged = await fetch(`${listener}${redirectUri.pathname}?code=forged&state=not-the-state`);
    result.forged = { status: forged.status, body: await forged.text() };
  }
  if (action === 'root') {
    const root = await fetch(`${listener}/`, { redirect: 'manual' });
    result.root = {
      status: root.status, location: root.headers.get('location'), body: await root.text(),
    };
  }
  if (action === 'evil') {
    const state = new URL(url).searchParams.get('state');
    const query = new URLSearchParams({
      error: 'access_denied', error_description: '<script>alert("pwned")</script>\u001b[2J', state,
    });
    const evil = await fetch(`${listener}${redirectUri.pathname}?${query}`);
    result.evil = { status: evil.status, body: await evil.text() };
    return;
  }
  const { browser, page } = await launch();
  try {
    if (action === 'capture') {
      // Playwright routes only the first request of a redirect chain, so take over the
      // consent POST and follow its redirects by hand, stopping short of the listener.
      await page.route((u) => u.origin === new URL(url).origin, async (route) => {
        const req = route.request();
        if (req.method() !== 'POST' || !(req.postData() || '').includes('prompt=consent')) {
          return route.fallback();
        }
        let response = await route.fetch({ maxRedirects: 0 });
        let location = response.headers().location;
        while (location && !location.startsWith(listener)) {
          response = await page.request.get(new URL(location, req.url()).toString(), { maxRedirects: 0 });
          location = response.headers().location;
        }
        result.captured = location;
        return route.fulfill({ status: 200, contentType: 'text/plain', body: 'captured' });
      });
    }
    // The page sbctl wrote forwards the browser to the provider by itself.
    await page.goto(opened);
    await page.waitForURL((u) => u.protocol !== 'file:', { timeout: 15000 });
    await page.waitForLoadState('domcontentloaded');
    result.steps.push(`opened ${new URL(page.url()).pathname}`);
    // Django OAuth Toolkit (tests/support/python/dot_server.py): Django's login form,
    // then the toolkit's consent form with its "Authorize" and "Cancel" buttons.
    const django = await page.$('input[name=username]');
    await page.fill(django ? 'input[name=username]' : 'input[name=login]', login);
    await page.fill('input[name=password]', django ? 'sbctl-test-password' : 'any password');
    await page.click('button[type=submit]');
    await page.waitForSelector(django ? 'input[name=allow]' : 'text=Continue', { timeout: 15000 });
    result.steps.push('signed in');
    if (action === 'deny') {
      await page.click(django ? 'input[value=Cancel]' : 'text=[ Cancel ]');
    } else {
      await page.click(django ? 'input[name=allow]' : 'button[type=submit]');
    }
    result.steps.push(action === 'deny' ? 'cancelled' : 'consented');
    if (action !== 'capture') {
      await page.waitForURL(`${listener}/**`, { timeout: 15000 });
      await page.waitForLoadState('domcontentloaded');
      result.final = { url: page.url(), text: await page.innerText('body') };
    } else {
      const deadline = Date.now() + 15000;
      while (!result.captured && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await browser.close();
  }
}

main()
  .then(() => { result.done = true; save(); })
  .catch((e) => { result.error = String(e && e.stack || e); save(); process.exit(1); });
