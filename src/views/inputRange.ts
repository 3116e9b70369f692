/** The page's number inputs take their min and max from the shared bounds table (src/engine/config.ts), like the URL and the CLI. */
import { CONFIG_BOUNDS, type BoundedSetting } from '../engine/config.ts';

/** min/max/step attributes of the input for `name`; `available` lowers the max to what the loaded dataset has. */
export function inputRange(name: BoundedSetting, available = 0): { min: number; max: number; step: number | 'any' } {
  const b = CONFIG_BOUNDS[name];
  return { min: b.min, max: available > 0 ? Math.min(b.max, available) : b.max, step: b.integer ? 1 : 'any' };
}
