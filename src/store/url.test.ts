import { describe, it, expect } from 'vitest';
import { decodeHash, encodeHash, MAX_HASH_LENGTH } from './url.ts';
import { DEFAULT_PLAYGROUND_CONFIG, PANELS, type PanelName, type PlaygroundConfig } from './types.ts';
import { createRng } from '../inq/rng.ts';
import { presetFor } from '../inq/schedule.ts';
import { PRETRAINED } from '../model/pretrained.ts';

describe('URL hash', () => {
  it('round-trips random valid configurations exactly', () => {
    const rng = createRng(11);
    for (let t = 0; t < 200; t++) {
      const bits = 2 + rng.int(7);
      const config: PlaygroundConfig = {
        bits,
        schedule: presetFor(bits),
        strategy: rng.next() < 0.5 ? 'magnitude' : 'random',
        seed: rng.int(1_000_000) - 500_000,
        trainSeed: rng.next() < 0.5 ? null : rng.int(1000),
        epochsPerRound: 1 + rng.int(20),
        learningRate: Math.fround(0.0001 + rng.next() * 0.5),
        batchSize: 1 + rng.int(1024),
        trainSize: 64 + rng.int(60000 - 64),
        testSize: 100 + rng.int(9900),
        backend: (['auto', 'webgpu', 'webgl', 'cpu'] as const)[rng.int(4)],
        prune: rng.next() < 0.5 ? 0 : Math.round(5 + rng.int(95)) / 100,
        pretrained: PRETRAINED[rng.int(PRETRAINED.length)].id,
        finalFull: rng.next() < 0.5,
        hide: (Object.keys(PANELS) as PanelName[]).filter(() => rng.next() < 0.2),
        view: rng.next() < 0.5 ? 'dashboard' : 'teach',
        layer: ['', 'fc1', 'conv2', 'dense_1'][rng.int(4)],
        tour: rng.next() < 0.5,
      };
      const { config: back, errors } = decodeHash(`#${encodeHash(config)}`);
      expect(errors).toEqual([]);
      expect(back).toEqual(config);
    }
  });

  it('reads the training-subset seed: empty for the run\'s seed, a whole number, or a message', () => {
    expect(decodeHash('#tseed=3')).toEqual({ config: { trainSeed: 3 }, errors: [] });
    expect(decodeHash('#tseed=')).toEqual({ config: { trainSeed: null }, errors: [] });
    const bad = decodeHash('#tseed=1.5');
    expect(bad.config).toEqual({});
    expect(bad.errors[0]).toMatch(/seed must be a whole number/);
    expect(encodeHash(DEFAULT_PLAYGROUND_CONFIG)).toMatch(/(^|&)tseed=(&|$)/);
  });

  it('reads a link with only a schedule', () => {
    expect(decodeHash('#schedule=0.3,0.6,0.8,1')).toEqual({ config: { schedule: [0.3, 0.6, 0.8, 1] }, errors: [] });
  });

  it('keeps good fields and reports each bad one, falling back to defaults for those only', () => {
    const { config, errors } = decodeHash('#bits=1&schedule=0.9,0.5&seed=7&backend=quantum&lr=abc&train=500');
    expect(config).toEqual({ seed: 7, trainSize: 500 });
    expect(errors).toHaveLength(4);
    expect(errors.join('\n')).toMatch(/bits must be a whole number from 2 to 8/);
    expect(errors.join('\n')).toMatch(/step 2 \(0\.5\) is below the step before it/);
    expect(errors.join('\n')).toMatch(/backend must be/);
    expect(errors.join('\n')).toMatch(/learning rate/);
  });

  it('survives junk, script-bearing and overlong hashes without throwing', () => {
    const junk = ['#', '#&&&', '#%E0%A4%A', '#=1', '#bits', '#<script>alert(1)</script>', '#bits=<img src=x onerror=alert(1)>', '#schedule=' + '0.1,'.repeat(5000) + '1', `#${'x'.repeat(MAX_HASH_LENGTH + 1)}`];
    for (const h of junk) {
      const r = decodeHash(h);
      expect(typeof r.config).toBe('object');
      for (const e of r.errors) expect(e.length).toBeLessThan(300);
    }
    expect(decodeHash(`#${'x'.repeat(MAX_HASH_LENGTH + 1)}`).errors[0]).toMatch(/too long/);
    expect(decodeHash('#bits=<img src=x onerror=alert(1)>').config).toEqual({});
  });

  it('encodes the defaults into a short, readable hash', () => {
    const h = encodeHash(DEFAULT_PLAYGROUND_CONFIG);
    expect(h).toContain('schedule=0.5%2C0.75%2C0.875%2C1');
    expect(h.length).toBeLessThan(200);
  });

  it('hide: a list of panel names; an unknown name is refused with the list, and the rest of the link still counts', () => {
    expect(decodeHash('#hide=sweeps,export,sweeps&bits=3')).toEqual({ config: { hide: ['sweeps', 'export'], bits: 3 }, errors: [] });
    const { config, errors } = decodeHash('#hide=sweeps,<b>x</b>&bits=3');
    expect(config).toEqual({ bits: 3 });
    expect(errors[0]).toMatch(/^hide takes panel names \(loss, frozen, .*\); "<b>x<\/b>" is not one/);
    expect(encodeHash({ ...DEFAULT_PLAYGROUND_CONFIG, hide: ['digit', 'masks'] })).toContain('hide=digit%2Cmasks');
    expect(decodeHash(`#${encodeHash(DEFAULT_PLAYGROUND_CONFIG)}`).config.hide).toEqual([]);
  });

  it('opens the tour from `tour` with no value, and Teach with it unless the link names a view', () => {
    expect(decodeHash('#tour')).toEqual({ config: { tour: true, view: 'teach' }, errors: [] });
    expect(decodeHash('#view=teach&tour')).toEqual({ config: { tour: true, view: 'teach' }, errors: [] });
    expect(decodeHash('#view=dashboard&tour=1').config).toEqual({ tour: true, view: 'dashboard' });
    expect(decodeHash('#tour=0').config).toEqual({ tour: false });
    expect(decodeHash('#tour=yes').errors[0]).toMatch(/^tour takes no value/);
  });
});
