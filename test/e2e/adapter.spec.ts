// The core adapter's plain words (ux.md "Errors in plain words") for the technical details the core records.
import { test, expect } from '@playwright/test';
import { plainError } from '../../electron/core/plain-errors.ts';

const url = 'https://updates.example.com/feed';
const cases: [string, string][] = [
  ['heads: getaddrinfo ENOTFOUND updates.example.com (network)', 'Couldn’t find the update server (updates.example.com).'],
  ['no connection within 10000 ms (connect-timeout)', 'The update server didn’t answer in time.'],
  ['the server went quiet for 15000 ms (idle-timeout)', 'The update server didn’t answer in time.'],
  ['heads: access denied (HTTP 401); the token may have been revoked', 'The feed refused the access token. Check Sources in Settings.'],
  ['heads: access denied (HTTP 403); the token may have been revoked', 'The feed refused the access token. Check Sources in Settings.'],
  ['unable to verify the first certificate (network)', 'The connection wasn’t secure, so Tidings didn’t use it.'],
  ['heads: the answer does not match the feed v1 schema', 'The feed sent something Tidings doesn’t understand.'],
  ['heads: expected JSON, got "text/html"', 'The feed sent something Tidings doesn’t understand.'],
  ['record rel-2.1.0: bad signature', 'A release wasn’t signed by the publisher’s key, so Tidings ignored it.'],
  ['connect ECONNREFUSED 127.0.0.1:9 (network)', 'Couldn’t reach the update server (updates.example.com).'],
  ['something nobody planned for', 'Tidings couldn’t check this source.'],
];

for (const [detail, words] of cases) {
  test(`plain words for: ${detail}`, () => {
    expect(plainError(detail, url, null)).toBe(words);
  });
}

test('429/503 with Retry-After names the time to wait until', () => {
  const at = Date.UTC(2026, 10, 24, 9, 30);
  expect(plainError('heads: HTTP 429', url, at)).toMatch(/^The update server asked Tidings to wait until \d{1,2}:30/);
  expect(plainError('heads: HTTP 503', url, at)).toMatch(/^The update server asked Tidings to wait until/);
});

test('no stack, path or status code leaks into the words', () => {
  for (const [detail] of cases) expect(plainError(detail, url, null)).not.toMatch(/HTTP \d|ECONN|ENOTFOUND|\/home|at .*\.ts/);
});
