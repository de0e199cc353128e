// Update policy: examples for each rule (cases 22, 23, 27) and fast-check properties over random release sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import semverCompare from 'semver/functions/compare.js';
import { appliesToInstall, bestRelease, bucketOf, downgradeTarget, rollbackFloors, updateStatus, withHolds, wouldTake, type PolicyInput, type ReleaseInfo } from '../../electron/core/policy/update.ts';

const NOW = 1_800_000_000;
let n = 0;
function r(channel: string, version: string, extra: Partial<ReleaseInfo> = {}): ReleaseInfo {
  return {
    id: `r${++n}`, channel, version, critical: false, expires: null, target: null, retracted: false,
    assets: [{ platform: 'linux-x64', url: `https://dl.example.com/${version}`, sha256: 'ab'.repeat(32), size: 1 }], ...extra,
  };
}
function input(releases: ReleaseInfo[], extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    installedVersion: '2.0.0', platform: 'linux-x64', channel: 'stable', releases, skipped: [], remindUntil: null,
    installBucket: 50, now: NOW, lastSuccess: NOW - 60, failingSince: null, ...extra,
  };
}
const version = (s: ReturnType<typeof updateStatus>) => (s.state === 'available' ? s.offer.release.version : s.state);

test('offers the highest applicable release above the installed one; experimental also gets stable', () => {
  const rs = [r('stable', '2.1.0'), r('stable', '2.2.0'), r('experimental', '2.3.0-beta.1'), r('experimental', '2.1.5-beta.1')];
  assert.equal(version(updateStatus(input(rs))), '2.2.0');
  assert.equal(version(updateStatus(input(rs, { channel: 'experimental' }))), '2.3.0-beta.1');
  assert.equal(version(updateStatus(input([r('stable', '2.4.0'), r('experimental', '2.3.0-beta.1')], { channel: 'experimental' }))), '2.4.0');
  assert.equal(version(updateStatus(input([r('stable', '1.9.0'), r('stable', '2.0.0')]))), 'up-to-date');
});

test('targeting: platform, installed-version range and rollout bucket', () => {
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { platforms: ['win32-x64'] } })]))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { assets: [{ platform: 'darwin-arm64', url: 'https://x/y', sha256: 'ab'.repeat(32), size: 1 }] })]))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { minVersion: '2.0.1' } })]))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { maxVersion: '1.9.9' } })]))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { minVersion: '1.4.0', maxVersion: '2.0.9' } })]))), '2.1.0');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { rollout: 50 } })], { installBucket: 50 }))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { target: { rollout: 51 } })], { installBucket: 50 }))), '2.1.0');
  const b = bucketOf('install-a');
  assert.ok(b >= 0 && b < 100 && b === bucketOf('install-a'));
});

test('skip, remind later and critical', () => {
  assert.equal(version(updateStatus(input([r('stable', '2.1.0')], { skipped: ['2.1.0'] }))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0'), r('stable', '2.2.0')], { skipped: ['2.1.0'] }))), '2.2.0');
  const crit = updateStatus(input([r('stable', '2.1.0', { critical: true })], { skipped: ['2.1.0'], remindUntil: NOW + 100 }));
  assert.ok(crit.state === 'available' && crit.offer.critical && crit.offer.notify);
  const later = updateStatus(input([r('stable', '2.1.0')], { remindUntil: NOW + 100 }));
  assert.ok(later.state === 'available' && !later.offer.notify);
});

test('case 22: after 2.4.0 was trusted, a feed that says 2.3.0 is latest gets no offer of 2.3.0', () => {
  const rs = [r('stable', '2.3.0'), r('stable', '2.4.0', { retracted: true })];
  assert.equal(bestRelease(input(rs, { installedVersion: '2.2.0' })), null);
  assert.equal(version(updateStatus(input([...rs, r('stable', '2.4.1')], { installedVersion: '2.2.0' }))), '2.4.1');
});

test('case 22 with a staged rollout: the floor counts only releases this install can take (bucket, target range)', () => {
  const rs = [r('stable', '2.1.0'), r('stable', '2.2.0', { target: { rollout: 10 } })];
  // Outside the 10 %: 2.1.0 is a good release for this install, the 2.2.0 it can never take does not hide it.
  assert.equal(version(updateStatus(input(rs, { installBucket: 40 }))), '2.1.0');
  assert.equal(rollbackFloors(rs, input(rs, { installBucket: 40 })).get('stable'), '2.1.0');
  // Inside: 2.2.0.
  assert.equal(version(updateStatus(input(rs, { installBucket: 3 }))), '2.2.0');
  // A replayed older feed (2.1.0 again, a fresh 2.0.5) cannot make a lower version appear for either.
  const replayed = [...rs, r('stable', '2.1.0'), r('stable', '2.0.5')];
  assert.equal(version(updateStatus(input(replayed, { installBucket: 40 }))), '2.1.0');
  assert.equal(version(updateStatus(input(replayed, { installBucket: 3 }))), '2.2.0');
  assert.equal(version(updateStatus(input([...replayed.slice(0, 2).map((x) => ({ ...x, retracted: true })), ...replayed.slice(2)], { installBucket: 3 }))), 'up-to-date', 'inside: the retracted 2.2.0 still guards');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0', { retracted: true }), rs[1]!, r('stable', '2.0.5')], { installBucket: 40 }))), 'up-to-date', 'outside: the retracted 2.1.0 still guards');
  // The rollout is raised (2.2.0 republished at 50 %): the newly included bucket gets 2.2.0, and its floor is 2.2.0
  // from then on, even once the 50 % copy is retracted or expired; a later copy at a lower rollout cannot lower it.
  const raised = [...rs, r('stable', '2.2.0', { target: { rollout: 50 } })];
  assert.equal(version(updateStatus(input(raised, { installBucket: 40 }))), '2.2.0');
  assert.equal(version(updateStatus(input(raised, { installBucket: 60 }))), '2.1.0');
  const withdrawn = [rs[0]!, rs[1]!, { ...raised[2]!, retracted: true }, r('stable', '2.2.0', { target: { rollout: 5 } })];
  assert.equal(bestRelease(input(withdrawn, { installBucket: 40 })), null);
  assert.equal(rollbackFloors(withdrawn, input(withdrawn, { installBucket: 40 })).get('stable'), '2.2.0');
  const expired = [rs[0]!, rs[1]!, { ...raised[2]!, expires: NOW - 1 }];
  assert.equal(bestRelease(input(expired, { installBucket: 40 })), null);
});

test('case 22 with targeting: a release for other installed versions or platforms does not raise the floor', () => {
  const forOld = [r('stable', '2.1.0'), r('stable', '2.3.0', { target: { maxVersion: '1.9.0' } })];
  assert.equal(version(updateStatus(input(forOld))), '2.1.0');
  assert.equal(rollbackFloors(forOld, input(forOld)).get('stable'), '2.1.0');
  // The same record does set the floor of an install it targets (here 1.8.0), retracted or not.
  assert.equal(version(updateStatus(input([r('stable', '2.1.0'), { ...forOld[1]!, retracted: true }], { installedVersion: '1.8.0' }))), 'up-to-date');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0'), r('stable', '2.3.0', { target: { minVersion: '2.0.1' } })]))), '2.1.0');
  assert.equal(version(updateStatus(input([r('stable', '2.1.0'), r('stable', '2.3.0', { target: { platforms: ['win32-x64'] } })]))), '2.1.0');
});

test('case 23: an expired newest record means "can\'t confirm since <date>", never "up to date"; long failures too', () => {
  const s = updateStatus(input([r('stable', '2.0.0', { expires: NOW - 10 })]));
  assert.deepEqual(s, { state: 'cant-confirm', since: NOW - 10, reason: 'expired' });
  const renewed = updateStatus(input([r('stable', '2.0.0', { expires: NOW - 10 }), r('stable', '2.0.0', { expires: NOW + 1000 })]));
  assert.equal(renewed.state, 'up-to-date');
  // The expired record still sets the rollback floor: a fresh lower release is not offered meanwhile.
  assert.equal(updateStatus(input([r('stable', '2.4.0', { expires: NOW - 10 }), r('stable', '2.3.0')])).state, 'cant-confirm');
  const failing = updateStatus(input([], { lastSuccess: NOW - 5 * 86400, failingSince: NOW - 4 * 86400 }));
  assert.deepEqual(failing, { state: 'cant-confirm', since: NOW - 5 * 86400, reason: 'unreachable' });
});

test('case 23 with a staged rollout: the freeze check looks at the newest release that applies to this install', () => {
  // 2.2.0 went to 10 %; its record expired. The other 90 %, on 2.1.0, were never meant to get it: not frozen.
  const rollout = [r('stable', '2.1.0'), r('stable', '2.2.0', { target: { rollout: 10 }, expires: NOW - 10 })];
  assert.equal(updateStatus(input(rollout, { installedVersion: '2.1.0', installBucket: 40 })).state, 'up-to-date');
  assert.deepEqual(updateStatus(input(rollout, { installedVersion: '2.1.0', installBucket: 3 })), { state: 'cant-confirm', since: NOW - 10, reason: 'expired' });
  // Targeted at other installed versions or platforms: the same.
  for (const target of [{ maxVersion: '2.0.9' }, { minVersion: '2.1.1' }, { platforms: ['win32-x64'] }]) {
    assert.equal(updateStatus(input([r('stable', '2.1.0'), r('stable', '2.2.0', { target, expires: NOW - 10 })], { installedVersion: '2.1.0' })).state, 'up-to-date', JSON.stringify(target));
  }
  // Conversely, a fresh release this install can never take does not hide that its own newest record expired.
  const masked = [r('stable', '2.2.0', { expires: NOW - 10 }), r('stable', '2.3.0', { target: { rollout: 10 } })];
  assert.deepEqual(updateStatus(input(masked, { installedVersion: '2.2.0', installBucket: 40 })), { state: 'cant-confirm', since: NOW - 10, reason: 'expired' });
  assert.equal(version(updateStatus(input(masked, { installedVersion: '2.2.0', installBucket: 3 }))), '2.3.0');
  const forOthers = [r('stable', '2.2.0', { expires: NOW - 10 }), r('stable', '2.3.0', { target: { maxVersion: '2.0.0' } }), r('stable', '2.4.0', { target: { platforms: ['win32-x64'] } })];
  assert.equal(updateStatus(input(forOthers, { installedVersion: '2.2.0' })).state, 'cant-confirm');
  // A renewal only counts for the installs it applies to: a fresh 5 % copy does not renew the expired 50 % one for bucket 40.
  const narrowed = [r('stable', '2.1.0'), r('stable', '2.2.0', { target: { rollout: 50 }, expires: NOW - 10 }), r('stable', '2.2.0', { target: { rollout: 5 }, expires: NOW + 1000 })];
  assert.equal(updateStatus(input(narrowed, { installedVersion: '2.1.0', installBucket: 40 })).state, 'cant-confirm');
  assert.equal(updateStatus(input(narrowed, { installedVersion: '2.2.0', installBucket: 3 })).state, 'up-to-date');
});

test('case 27: experimental → stable while on a newer pre-release: no downgrade offer; an explicit downgrade is separate', () => {
  const rs = [r('stable', '2.9.0'), r('experimental', '3.0.0-beta.2')];
  const s = updateStatus(input(rs, { installedVersion: '3.0.0-beta.2', channel: 'stable' }));
  assert.equal(s.state, 'ahead-of-channel');
  assert.match((s as { message: string }).message, /next stable release above your version/);
  assert.equal(downgradeTarget(input(rs, { installedVersion: '3.0.0-beta.2', channel: 'stable' }))?.version, '2.9.0');
  assert.equal(version(updateStatus(input([...rs, r('stable', '3.0.0')], { installedVersion: '3.0.0-beta.2' }))), '3.0.0');
});

test('case 27 with targeting: "the latest stable" and the downgrade target are releases this install could take', () => {
  const beta = { installedVersion: '3.0.0-beta.2', channel: 'stable' as const, installBucket: 50 };
  const darwin = [{ platform: 'darwin-arm64', url: 'https://x/y', sha256: 'ab'.repeat(32), size: 1 }];
  const rs = [
    r('stable', '2.9.0'), r('experimental', '3.0.0-beta.2'),
    r('stable', '2.9.5', { target: { rollout: 10 } }), r('stable', '2.9.6', { target: { platforms: ['win32-x64'] } }),
    r('stable', '2.9.7', { assets: darwin }), r('stable', '2.9.8', { target: { maxVersion: '2.9.9' } }),
    r('stable', '2.9.9', { retracted: true }),
  ];
  // None of these stables above 3.0.0-beta.2 is one this install could take: still ahead, not "up to date".
  const above = [r('stable', '3.1.0', { target: { rollout: 10 } }), r('stable', '3.2.0', { target: { platforms: ['win32-x64'] } }), r('stable', '3.3.0', { assets: darwin }), r('stable', '3.4.0', { target: { maxVersion: '2.9.9' } })];
  for (const extra of [[], ...above.map((a) => [a]), above]) {
    const inp = input([...rs, ...extra], beta);
    assert.equal(updateStatus(inp).state, 'ahead-of-channel', extra.map((x) => x.version).join(' '));
    // The 10 % 2.9.5, the win32 2.9.6, the darwin-only 2.9.7, the 2.9.8 for ≤ 2.9.9 installs and the retracted 2.9.9 are not the target.
    assert.equal(downgradeTarget(inp)?.version, '2.9.0');
  }
  // Inside the rollout, 3.1.0 is offered and 2.9.5 is the downgrade target; an expired 2.9.5 is not.
  assert.equal(version(updateStatus(input([...rs, ...above], { ...beta, installBucket: 3 }))), '3.1.0');
  assert.equal(downgradeTarget(input([...rs, ...above], { ...beta, installBucket: 3 }))?.version, '2.9.5');
  const expired = [...rs.filter((x) => x.version !== '2.9.5'), r('stable', '2.9.5', { target: { rollout: 10 }, expires: NOW - 10 })];
  assert.equal(downgradeTarget(input(expired, { ...beta, installBucket: 3 }))?.version, '2.9.0');
  // No stable this install could take at all: a pre-release is ahead, with no downgrade target.
  const none = input([r('stable', '2.9.6', { target: { platforms: ['win32-x64'] } }), ...above], beta);
  assert.equal(updateStatus(none).state, 'ahead-of-channel');
  assert.equal(downgradeTarget(none), null);
});

// Random release sets for the properties.
const semverArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.option(fc.integer({ min: 1, max: 3 })))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-beta.${pre}` : ''}`);
const releaseArb = fc.record({
  channel: fc.constantFrom('stable', 'experimental'),
  version: semverArb,
  critical: fc.boolean(),
  expires: fc.option(fc.integer({ min: NOW - 100, max: NOW + 100 })),
  retracted: fc.boolean(),
  rollout: fc.option(fc.integer({ min: 0, max: 100 })),
  minVersion: fc.option(semverArb, { freq: 4 }),
  maxVersion: fc.option(semverArb, { freq: 4 }),
  platforms: fc.option(fc.constant(['win32-x64'] as ('win32-x64')[]), { freq: 6 }),
  platform: fc.constantFrom('linux-x64', 'win32-x64'),
}).map((x) => r(x.channel, x.channel === 'stable' ? x.version.replace(/-beta\.\d/, '') : x.version, {
  critical: x.critical, expires: x.expires, retracted: x.retracted,
  target: x.rollout === null && x.minVersion === null && x.maxVersion === null && x.platforms === null ? null : {
    ...(x.rollout === null ? {} : { rollout: x.rollout }), ...(x.minVersion === null ? {} : { minVersion: x.minVersion }),
    ...(x.maxVersion === null ? {} : { maxVersion: x.maxVersion }), ...(x.platforms === null ? {} : { platforms: x.platforms }),
  },
  assets: [{ platform: x.platform, url: 'https://x/y', sha256: 'ab'.repeat(32), size: 1 }],
}));
const inputArb = fc.record({
  releases: fc.array(releaseArb, { maxLength: 12 }),
  installed: semverArb,
  channel: fc.constantFrom('stable' as const, 'experimental' as const),
  bucket: fc.integer({ min: 0, max: 99 }),
}).map((x) => input(x.releases, { installedVersion: x.installed, channel: x.channel, installBucket: x.bucket }));

test('property: an offer is applicable, above the installed version, not below any trusted version of its channel that applies to this install, and the highest such', () => {
  fc.assert(fc.property(inputArb, (inp) => {
    const best = bestRelease(inp);
    if (!best) return;
    assert.ok(semverCompare(best.version, inp.installedVersion) > 0);
    assert.ok(!best.retracted && (best.expires === null || best.expires > inp.now));
    assert.ok(best.assets.some((a) => a.platform === inp.platform));
    assert.ok(inp.channel === 'experimental' || best.channel === 'stable');
    for (const o of inp.releases) {
      // The floor: every record of the channel meant for this install, retracted or expired included.
      if (o.channel === best.channel && appliesToInstall(o, inp)) assert.ok(semverCompare(best.version, o.version) >= 0, 'rollback floor');
      // And the highest: nothing applicable above it passes the floor.
      if (o !== best && !o.retracted && (o.expires === null || o.expires > inp.now) && appliesToInstall(o, inp) && (inp.channel === 'experimental' || o.channel === 'stable')) {
        assert.ok(semverCompare(o.version, best.version) <= 0 || semverCompare(o.version, rollbackFloors(inp.releases, inp).get(o.channel)!) < 0, `${o.version} was higher`);
      }
    }
  }), { numRuns: 500 });
});

test('property: releases this install can never take (bucket, target, platform) change nothing, not even the floor', () => {
  fc.assert(fc.property(inputArb, (inp) => {
    const mine = inp.releases.filter((x) => appliesToInstall(x, inp));
    assert.deepEqual(bestRelease({ ...inp, releases: mine }), bestRelease(inp));
    assert.deepEqual(rollbackFloors(mine, inp), rollbackFloors(inp.releases, inp));
  }), { numRuns: 500 });
});

test('property: releases this install can never take neither freeze it nor hide a freeze', () => {
  const frozen = (s: ReturnType<typeof updateStatus>) => (s.state === 'cant-confirm' ? s : null);
  fc.assert(fc.property(inputArb, (inp) => {
    const mine = inp.releases.filter((x) => appliesToInstall(x, inp));
    assert.deepEqual(frozen(updateStatus({ ...inp, releases: mine })), frozen(updateStatus(inp)));
  }), { numRuns: 500 });
});

test('property: releases this install can never take change neither the status (ahead-of-channel included) nor the downgrade target', () => {
  const onPre = fc.record({ inp: inputArb, pre: fc.integer({ min: 1, max: 3 }), stable: fc.boolean() })
    .map(({ inp, pre, stable }) => ({ ...inp, installedVersion: `${inp.installedVersion.replace(/-beta\.\d/, '')}-beta.${pre}`, channel: stable ? 'stable' as const : inp.channel }));
  fc.assert(fc.property(fc.oneof(inputArb, onPre), (inp) => {
    const mine = { ...inp, releases: inp.releases.filter((x) => appliesToInstall(x, inp)) };
    assert.deepEqual(updateStatus(mine), updateStatus(inp));
    assert.deepEqual(downgradeTarget(mine), downgradeTarget(inp));
  }), { numRuns: 1000 });
});

test('property: a replayed older record never lowers the offer; republishing at a higher rollout never removes or lowers it', () => {
  fc.assert(fc.property(inputArb, releaseArb, fc.nat(), fc.integer({ min: 1, max: 100 }), (inp, old, pick, raise) => {
    const before = bestRelease(inp);
    // Replay: the same signed record again, or any lower release the feed once had, whatever its flags and target.
    const again = inp.releases.length ? { ...inp.releases[pick % inp.releases.length]!, id: 'again' } : old;
    for (const replay of before && semverCompare(old.version, before.version) < 0 ? [again, old] : [again]) {
      const replayed = bestRelease({ ...inp, releases: [...inp.releases, replay] });
      if (before) assert.ok(replayed && semverCompare(replayed.version, before.version) >= 0, `a replayed ${replay.version} lowered the offer`);
    }
    if (inp.releases.length === 0) return;
    // A fresh copy of a release with a higher rollout: never a lower offer, never none where there was one.
    const o = inp.releases[pick % inp.releases.length]!;
    const rollout = Math.min(100, (o.target?.rollout ?? 100) + raise);
    const renewed = { ...o, id: 'renewed', retracted: false, expires: null, target: { ...o.target, rollout } };
    const after = bestRelease({ ...inp, releases: [...inp.releases, renewed] });
    if (before) assert.ok(after && semverCompare(after.version, before.version) >= 0, 'raising the rollout lowered the offer');
  }), { numRuns: 500 });
});

test('property: retracting releases never produces a new or a higher offer (withdrawing cannot make anyone install)', () => {
  fc.assert(fc.property(inputArb, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (inp, mask) => {
    const before = bestRelease(inp);
    const after = bestRelease({ ...inp, releases: inp.releases.map((x, i) => (mask[i] ? { ...x, retracted: true } : x)) });
    if (after) assert.ok(before && semverCompare(after.version, before.version) <= 0, `${after.version} appeared after retraction`);
  }), { numRuns: 500 });
});

test('property: experimental is offered at least what stable is; a skipped non-critical version is never offered', () => {
  fc.assert(fc.property(inputArb, (inp) => {
    const st = bestRelease({ ...inp, channel: 'stable' });
    const ex = bestRelease({ ...inp, channel: 'experimental' });
    if (st) assert.ok(ex && semverCompare(ex.version, st.version) >= 0);
    const s = updateStatus({ ...inp, skipped: st ? [st.version] : [] });
    if (st && inp.channel === 'stable' && s.state === 'available') assert.ok(s.offer.critical || s.offer.release.version !== st.version);
  }), { numRuns: 500 });
});

test('holds (issue 15): a held release is not taken, per source and channel; it still counts for rollback; wouldTake is the offer', () => {
  const good = r('stable', '2.1.0', { sourceId: 'a' });
  const halted = r('stable', '2.2.0', { sourceId: 'a' });
  const holds = new Map([['a', { stable: ['2.2.0'] }]]);
  const rs = withHolds([good, halted], holds);
  assert.deepEqual(rs.map((x) => x.held ?? false), [false, true]);
  // 2.2.0 is held; 2.1.0 is below the floor 2.2.0 sets (as after a retraction): nothing is offered, nothing lower.
  assert.equal(version(updateStatus(input(rs))), 'up-to-date');
  assert.equal(wouldTake(input(rs), '2.2.0'), false);
  assert.equal(wouldTake(input(rs), '2.1.0'), false);
  // Another source's hold, another channel's, or another version's holds nothing here.
  for (const other of [new Map([['b', { stable: ['2.2.0'] }]]), new Map([['a', { experimental: ['2.2.0'] }]]), new Map([['a', { stable: ['2.3.0'] }]])]) {
    assert.equal(wouldTake(input(withHolds([good, halted], other)), '2.2.0'), true);
  }
  // Lifted: offered again. Retracted: never, held or not.
  assert.equal(wouldTake(input(withHolds([good, halted], new Map())), '2.2.0'), true);
  assert.equal(wouldTake(input([good, { ...halted, retracted: true }]), '2.2.0'), false);
  // Outside the rollout bucket: not taken either.
  assert.equal(wouldTake(input([r('stable', '2.2.0', { target: { rollout: 10 } })], { installBucket: 50 }), '2.2.0'), false);
});
