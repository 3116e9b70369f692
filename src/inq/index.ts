/** Pure INQ mathematics over typed arrays: no tfjs, no DOM, no React. */
export * from './levels.ts';
export * from './quantize.ts';
export * from './partition.ts';
export * from './schedule.ts';
export * from './codec.ts';
export * from './histogram.ts';
export * from './rng.ts';
export * from './sparse.ts';
export * from './stats.ts';
