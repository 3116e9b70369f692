/** IDX file reader (the MNIST format): checks magic numbers, dimensions and sizes, with clear errors. */

/** A decoded IDX file of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Raised for a file that is not a valid IDX file; the message names the file and the problem. */
export class IdxError extends Error {
  override name = 'IdxError';
}

/** Parses an IDX file of unsigned bytes (type 0x08). `what` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, what = 'IDX file', expectedRank?: number): IdxArray {
  if (bytes.length < 4) throw new IdxError(`${what} is too short to be an IDX file (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new IdxError(`${what} is not an IDX file (bad magic number)`);
  const type = bytes[2];
  const rank = bytes[3];
  if (type !== 0x08) throw new IdxError(`${what} holds data type 0x${type.toString(16)}; only unsigned bytes (0x08) are supported`);
  if (rank < 1 || rank > 4) throw new IdxError(`${what} claims ${rank} dimensions; expected 1 to 4`);
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new IdxError(`${what} has ${rank} dimensions; expected ${expectedRank}`);
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) throw new IdxError(`${what} is truncated inside its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const have = bytes.length - header;
  if (have < count) {
    throw new IdxError(`${what} is truncated: its header promises ${count} bytes of data (${dims.join('×')}) but it has ${have}`);
  }
  if (have > count) throw new IdxError(`${what} has ${have - count} unexpected bytes after its data`);
  return { dims, data: bytes.subarray(header, header + count) };
}

/** Encodes unsigned bytes as an IDX file (type 0x08) with the given dimensions. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length < 1 || dims.length > 4) throw new IdxError(`IDX files have 1 to 4 dimensions (got ${dims.length})`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new IdxError(`IDX dimensions ${dims.join('×')} need ${count} bytes but the data has ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}
