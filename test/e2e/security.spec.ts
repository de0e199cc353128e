// reliability.md cases 30, 31, 36, 37 and 38 in the page: hostile Markdown and titles stay inert.
import { test, expect, cspViolations, inPage } from './fixtures.ts';
import { payloadItem } from './stub/data.ts';
import type { Page } from '@playwright/test';

const canary = 'window.__canary = 1';
const html = [
  `<script>${canary}</script>`,
  `<img src=x onerror="${canary}">`,
  `<svg onload="${canary}"><circle r=5 /></svg>`,
  `<iframe src="javascript:parent.__canary=1"></iframe>`,
  `<iframe srcdoc="<script>parent.__canary=1</script>"></iframe>`,
  `<embed src="data:text/html,<script>parent.__canary=1</script>">`,
  `<details open ontoggle="${canary}"><summary>x</summary></details>`,
  `<a href="javascript:${canary}">click</a>`,
  `<style>body{display:none!important}</style>`,
  `<div style="position:fixed;inset:0;background:red">overlay</div>`,
  `<form action="https://evil.example/"><button>go</button></form>`,
  `<object data="javascript:${canary}"></object>`,
].join('\n\n');

const badLinks = [
  'javascript:window.__canary=1', 'JaVaScRiPt:window.__canary=1', 'java\tscript:window.__canary=1', '&#106;avascript:window.__canary=1',
  'data:text/html,<script>window.__canary=1</script>', 'vbscript:msgbox(1)', 'file:///C:/Windows/System32/calc.exe', 'ms-settings:',
  'shell:startup', 'smb://host/share', 'tidings-custom://do', 'http://plain.example/', 'https://user@evil.example/', '//evil.example/x', '/relative',
];
const links = badLinks.map((u, i) => `[bad ${i}](${u})`).join(' · ') + '\n\n<javascript:alert(1)> · [good](https://example.com/ok) · [mail](mailto:a@example.com)';

async function openPost(page: Page, title: string) {
  await page.getByRole('listbox').getByRole('option', { name: new RegExp(title.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).first().click();
  // The Markdown renderer is loaded on first use: wait until the body is rendered, not only its frame.
  await expect(page.locator('.detail .md:not([aria-busy="true"])').first()).toBeVisible();
}

async function expectInert(page: Page) {
  expect(await inPage(page, 'typeof window.__canary')).toBe('undefined');
  expect(await cspViolations(page)).toEqual([]);
}

test('case 30: raw HTML in bodies and titles is shown as text, never run', async ({ open, stub }) => {
  stub.state.items.unshift(payloadItem('x30', `Title <img src=x onerror="${canary}"> <script>${canary}</script>`, html));
  const page = await open({ screen: 'inbox' });
  await expect(page.getByRole('listbox').getByRole('option').first()).toContainText('<img src=x onerror=');
  await openPost(page, 'Title <img');
  const md = page.locator('.detail .md');
  await expect(md).toContainText('<script>window.__canary = 1</script>');
  await expect(md).toContainText('<style>body{display:none!important}</style>');
  for (const tag of ['script', 'img', 'svg', 'iframe', 'embed', 'details', 'style', 'form', 'object', 'div[style]', '[onerror]', '[onload]']) {
    await expect(md.locator(tag)).toHaveCount(0);
  }
  await expect(md.locator('a')).toHaveCount(0);
  await expect(page.locator('body')).toBeVisible();
  await page.waitForTimeout(200);
  await expectInert(page);
});

test('case 31: only https: and mailto: links stay clickable; clicks go through openLink, never navigate', async ({ open, stub }) => {
  stub.state.items.unshift(payloadItem('x31', 'Links', links));
  const page = await open({ screen: 'inbox' });
  await openPost(page, 'Links');
  const anchors = page.locator('.detail .md a[href]');
  const hrefs = await anchors.evaluateAll((els) => els.map((e) => e.getAttribute('href')));
  expect(hrefs).toEqual(['https://example.com/ok', 'mailto:a@example.com']);
  await expect(page.locator('.detail .md')).toContainText('bad 0');
  const before = page.url();
  await page.getByRole('link', { name: 'good' }).click();
  await page.getByRole('link', { name: 'good' }).click({ button: 'middle' });
  await page.getByRole('link', { name: 'mail' }).focus();
  await page.keyboard.press('Enter');
  expect(page.url()).toBe(before);
  expect(page.context().pages()).toHaveLength(1);
  await expect.poll(() => stub.state.opened).toEqual(['https://example.com/ok', 'mailto:a@example.com']);
  await expectInert(page);
});

test('case 36: remote images never load (the tracker gets no request)', async ({ open, stub, page }) => {
  const hits: string[] = [];
  page.on('request', (r) => { if (r.url().includes('tracker.example')) hits.push(r.url()); });
  const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
  stub.state.items.unshift(payloadItem('x36', 'Pixels', `![](https://tracker.example/p.gif?u=42) ![logo](http://tracker.example/l.png) <img src="https://tracker.example/raw.gif"> ![ok](${pixel})`));
  const page2 = await open({ screen: 'inbox' });
  await openPost(page2, 'Pixels');
  await expect(page2.locator('.detail .md img')).toHaveCount(1);
  await expect(page2.locator('.detail .md img')).toHaveAttribute('src', pixel);
  await expect(page2.locator('.detail .md .img-blocked')).toHaveCount(2);
  await page2.waitForTimeout(300);
  expect(hits).toEqual([]);
  await expectInert(page2);
});

const pathological: [string, () => string][] = [
  ['5 MB of text', () => 'All work and no play. '.repeat(240_000)],
  ['10,000 nested quotes', () => '>'.repeat(10_000) + ' deep'],
  ['10,000 nested lists', () => '- '.repeat(10_000) + 'deep'],
  ['10,000 nested ordered lists', () => '1. '.repeat(10_000) + 'deep'],
  ['a 100k-char line', () => 'x'.repeat(100_000)],
  ['50,000 asterisks', () => '*'.repeat(50_000)],
  ['50,000 brackets', () => '['.repeat(25_000) + ']('.repeat(25_000)],
];

for (const [name, make] of pathological) {
  test(`case 37: ${name} renders quickly and the page stays responsive`, async ({ open, stub }) => {
    stub.state.items.unshift(payloadItem(`x37`, `Huge ${name}`, make()));
    const page = await open({ screen: 'inbox' });
    const started = Date.now();
    await openPost(page, `Huge ${name}`);
    const elapsed = Date.now() - started;
    // The click includes a WebSocket round trip with the whole body; rendering itself is bounded by the cut.
    expect(elapsed).toBeLessThan(3000);
    const render = await inPage<number>(page, "Math.max(...performance.getEntriesByName('tidings:markdown').map((e) => e.duration))");
    test.info().annotations.push({ type: 'timing', description: `${name}: opened in ${elapsed} ms, Markdown rendered in ${render.toFixed(1)} ms` });
    expect(render).toBeLessThan(200);
    const tick = await inPage<number>(page, 'new Promise((r) => { const t = performance.now(); setTimeout(() => r(performance.now() - t), 0); })');
    expect(tick).toBeLessThan(200);
    await expectInert(page);
  });
}

test('case 38: bidi overrides and lookalike hosts — the tooltip shows the real host in punycode; titles show characters literally', async ({ open, stub }) => {
  const title = 'Invoice \u202Egnp.exe\u202C and zero\u200Bwidth';
  stub.state.items.unshift(payloadItem('x38', title, '[https://apple.com](https://аpple.com/login) and [paypal\u200B.com](https://xn--pypal-4ve.com/) and [\u202Emoc.elgoog](https://evil.example/)'));
  const page = await open({ screen: 'inbox' });
  await openPost(page, 'Invoice');
  await expect(page.locator('#detail-title')).toHaveText(title);
  const titles = await page.locator('.detail .md a').evaluateAll((els) => els.map((e) => [e.getAttribute('href'), e.getAttribute('title')]));
  expect(titles).toEqual([
    ['https://xn--pple-43d.com/login', 'Opens xn--pple-43d.com in your browser'],
    ['https://xn--pypal-4ve.com/', 'Opens xn--pypal-4ve.com in your browser'],
    ['https://evil.example/', 'Opens evil.example in your browser'],
  ]);
  await expectInert(page);
});
