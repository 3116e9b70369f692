/** Small helpers for the command line's options: numbers and choices checked, with one-line errors. */

/** An error meant for the user: printed as one line, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Reads an option as a number, checking it is finite and, if asked, a whole number in a range. */
export function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  check: { integer?: boolean; min?: number; max?: number } = {},
): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${name} must be a number (got "${value}")`);
  if (check.min !== undefined && check.max !== undefined && (v < check.min || v > check.max || (check.integer && !Number.isInteger(v)))) {
    throw new UsageError(`--${name} must be ${check.integer ? 'a whole number ' : ''}from ${check.min} to ${check.max} (got ${value})`);
  }
  if (check.integer && !Number.isInteger(v)) throw new UsageError(`--${name} must be a whole number (got ${value})`);
  if (check.min !== undefined && v < check.min) throw new UsageError(`--${name} must be at least ${check.min} (got ${value})`);
  if (check.max !== undefined && v > check.max) throw new UsageError(`--${name} must be at most ${check.max} (got ${value})`);
  return v;
}

/** Reads an option that must be one of a few words. */
export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new UsageError('expected JSON on stdin, but stdin is a terminal (pipe the input in)');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses stdin text as JSON, with a one-line error for empty or invalid input. */
export function parseJsonInput(text: string): unknown {
  if (text.trim() === '') throw new UsageError('stdin is empty: expected JSON input');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`stdin is not valid JSON (${(e as Error).message})`);
  }
}

/** Checks a JSON value is an array of finite numbers. */
export function numberArray(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) throw new UsageError(`${what} must be a JSON array of numbers`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw new UsageError(`${what}[${i}] is not a finite number`);
  }
  return v as number[];
}

/** Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(text: string): void; done(): void } {
  let last = 0;
  let shown = false;
  return {
    update(text: string) {
      const now = Date.now();
      if (stream.isTTY) {
        if (now - last < 100) return;
        stream.write(`\r\x1b[2K${text}`);
        shown = true;
      } else {
        if (now - last < 10_000) return;
        stream.write(`${text}\n`);
      }
      last = now;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
