import { describe, expect, it } from 'vitest';
import { teachLayer } from './TeachView.tsx';
import { roundStory } from './teachStory.ts';
import { fakeLayers, fakeRound } from '../store/runsTestFixtures.ts';

describe('Teach', () => {
  it('shows the layer the link names, else the largest', () => {
    const layers = fakeLayers();
    expect(teachLayer(layers, 'dense1')?.name).toBe('dense1');
    expect(teachLayer(layers, 'nope')?.name).toBe('conv1');
    expect(teachLayer(layers, '')?.name).toBe('conv1');
    expect(teachLayer([], 'x')).toBeNull();
  });

  it('counts what a round did to a layer from its snapshot: newly frozen, to zero, levels used, still free', () => {
    for (let t = 0; t < 20; t++) {
      const snap = structuredClone(fakeRound(3, 0.9).layers[0]);
      const levels = [0, 0.125, -0.125, 0.25, -0.5];
      let newly = 0;
      let zeros = 0;
      let free = 0;
      const used = new Set<number>();
      for (let i = 0; i < snap.weights.length; i++) {
        const r = [0, 1, 2, 3][Math.floor(Math.random() * 4)];
        snap.frozenRound[i] = r;
        snap.weights[i] = r === 0 ? Math.random() - 0.5 : levels[Math.floor(Math.random() * levels.length)];
        if (r === 0) free++;
        if (r !== 3) continue;
        newly++;
        if (snap.weights[i] === 0) zeros++;
        else used.add(snap.weights[i]);
      }
      const s = roundStory(snap, 3);
      expect(s).toMatchObject({ newly, zeros, free, levels: used.size });
      if (used.size) expect(s.largest).toBe(Math.max(...[...used].map(Math.abs)));
    }
  });
});
