/** Float32 neighbours for boundary tests: the next representable float32 above or below a value. */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The next float32 above positive `x`. */
export function nextUp32(x: number): number {
  f32[0] = x;
  u32[0] += 1;
  return f32[0];
}

/** The next float32 below positive `x`. */
export function nextDown32(x: number): number {
  f32[0] = x;
  u32[0] -= 1;
  return f32[0];
}
