/**
 * The conv and dense kernels stay shift-only: no multiplication (or division) ever takes a value
 * derived from an activation or a weight. A static check on the WGSL sources: values flow from the
 * activation binding (`x`) and the weight binding (`table` or `codes`) through let/var bindings,
 * assignments, function arguments and return values; every `*`, `/`, `*=`, `/=` and every
 * multiplying built-in (dot, fma, mix, …) must see none of them. Index arithmetic (`oy * stride`,
 * `i * bits`) is all the `*` these kernels have, and it reads neither.
 */
import { describe, expect, it } from 'vitest';
import { wgslSource, type KernelName } from './wgslSource.ts';

/** The kernels that multiply activations by weights in a plain network, with their activation and weight bindings. */
const SHIFT_KERNELS: Partial<Record<KernelName, { activations: string[]; weights: string[] }>> = {
  shiftConv2d: { activations: ['x'], weights: ['table'] },
  shiftConv2dFixed: { activations: ['x'], weights: ['table'] },
  shiftDense: { activations: ['x'], weights: ['codes'] },
  shiftDenseFixed: { activations: ['x'], weights: ['codes'] },
};

/** Built-ins that multiply their arguments. */
const MULTIPLYING_BUILTINS = new Set(['dot', 'fma', 'mix', 'cross', 'smoothstep', 'outerProduct', 'dot4I8Packed', 'dot4U8Packed']);

const OPERATORS = ['<<=', '>>=', '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '++', '--'];

/** Tokens of a WGSL source without its comments. */
function tokenize(src: string): string[] {
  const text = src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, ' ');
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const word = /^[A-Za-z_]\w*|^\d[\w.]*/.exec(text.slice(i, i + 64));
    if (word) {
      tokens.push(word[0]);
      i += word[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    tokens.push(op ?? ch);
    i += op ? op.length : 1;
  }
  return tokens;
}

const isIdent = (t: string): boolean => /^[A-Za-z_]\w*$/.test(t);
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Index of the token closing the bracket opened at `at`. */
function closing(tokens: string[], at: number): number {
  let depth = 0;
  for (let i = at; i < tokens.length; i++) {
    if (OPEN[tokens[i]]) depth++;
    else if (CLOSE[tokens[i]] && --depth === 0) return i;
  }
  throw new Error(`unbalanced ${tokens[at]}`);
}

/** Index of the token opening the bracket closed at `at`. */
function opening(tokens: string[], at: number): number {
  let depth = 0;
  for (let i = at; i >= 0; i--) {
    if (CLOSE[tokens[i]]) depth++;
    else if (OPEN[tokens[i]] && --depth === 0) return i;
  }
  throw new Error(`unbalanced ${tokens[at]}`);
}

interface Fn {
  name: string;
  params: string[];
  body: string[];
}

/** The source's functions: name, parameter names and body tokens. */
function functionsOf(tokens: string[]): Fn[] {
  const out: Fn[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== 'fn') continue;
    const name = tokens[i + 1];
    const close = closing(tokens, i + 2);
    const params = splitTopLevel(tokens.slice(i + 3, close)).map((p) => p.filter((t) => t !== '@' && t !== 'builtin' && !/^\(/.test(t))).map((p) => p[p.indexOf(':') - 1] ?? p[0]);
    let b = close + 1;
    while (tokens[b] !== '{') b++;
    const end = closing(tokens, b);
    out.push({ name, params: params.filter(Boolean), body: tokens.slice(b + 1, end) });
    i = end;
  }
  return out;
}

/** Splits a token list at commas outside any bracket or template list. */
function splitTopLevel(tokens: string[]): string[][] {
  const parts: string[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (OPEN[t] || t === '<') depth++;
    else if (CLOSE[t] || t === '>') depth--;
    if (t === ',' && depth === 0) parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** Statements of a body: token runs ended by `;`, `{` or `}` outside parentheses. */
function statementsOf(body: string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let depth = 0;
  for (const t of body) {
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    if (depth === 0 && (t === ';' || t === '{' || t === '}')) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Which values each function's locals, parameters and return carry from the activations and weights. */
class Taint {
  private readonly fns: Fn[];
  private readonly globals: Set<string>;
  readonly locals = new Map<string, Set<string>>();
  readonly returns = new Set<string>();

  constructor(tokens: string[], sources: string[]) {
    this.fns = functionsOf(tokens);
    this.globals = new Set(sources);
    for (const f of this.fns) this.locals.set(f.name, new Set());
    this.solve();
  }

  functions(): Fn[] {
    return this.fns;
  }

  /**
   * Whether an expression inside function `fn` carries a data value: it names a carrying local,
   * parameter or binding, or calls one of the source's functions that returns one. Built-ins
   * (ldexp, select, bitcast, vec4…) carry what their arguments carry, so their arguments are read
   * like the rest; arguments of the source's own functions reach their parameters instead, and an
   * index `[…]` only picks an element.
   */
  carries(fn: string, expr: string[]): boolean {
    const locals = this.locals.get(fn)!;
    for (let i = 0; i < expr.length; i++) {
      const t = expr[i];
      if (t === '[') {
        i = closing(expr, i);
      } else if (isIdent(t) && expr[i - 1] !== '.') {
        if (expr[i + 1] === '(' && this.fns.some((f) => f.name === t)) {
          if (this.returns.has(t)) return true;
          i = closing(expr, i + 1);
        } else if (locals.has(t) || this.globals.has(t)) return true;
      }
    }
    return false;
  }

  /** Propagates to a fixed point: bindings, assignments, call arguments into parameters, returns. */
  private solve(): void {
    let changed = true;
    const mark = (set: Set<string>, name: string): void => {
      if (!set.has(name)) {
        set.add(name);
        changed = true;
      }
    };
    while (changed) {
      changed = false;
      for (const f of this.fns) {
        const locals = this.locals.get(f.name)!;
        for (const st of statementsOf(f.body)) {
          const head = st[0] === 'let' || st[0] === 'var' ? 1 : 0;
          const eq = st.findIndex((t) => t === '=' || t === '+=' || t === '-=' || t === '|=' || t === '&=' || t === '^=' || t === '<<=' || t === '>>=' || t === '*=' || t === '/=');
          if (st[0] === 'return' && this.carries(f.name, st.slice(1))) mark(this.returns, f.name);
          if (eq > 0 && isIdent(st[head]) && this.carries(f.name, st.slice(eq + 1))) mark(locals, st[head]);
          // Arguments of calls to the source's own functions flow into their parameters.
          for (let i = 0; i < st.length; i++) {
            const callee = this.fns.find((g) => g.name === st[i] && st[i + 1] === '(');
            if (!callee) continue;
            splitTopLevel(st.slice(i + 2, closing(st, i + 1))).forEach((arg, k) => {
              if (k < callee.params.length && this.carries(f.name, arg)) mark(this.locals.get(callee.name)!, callee.params[k]);
            });
          }
        }
      }
    }
  }
}

/** The operand tokens left of position `at` (a postfix expression: names, members, indexing, calls, template types). */
function leftOperand(tokens: string[], at: number): string[] {
  let i = at - 1;
  while (i >= 0) {
    const t = tokens[i];
    if (t === ')' || t === ']') {
      i = opening(tokens, i) - 1;
      // A template-typed constructor: vec4<u32>(…).
      if (tokens[i] === '>') {
        const lt = tokens.lastIndexOf('<', i);
        if (lt > 0 && isIdent(tokens[lt - 1])) i = lt - 1;
      }
      if (isIdent(tokens[i] ?? '')) i--;
      continue;
    }
    if (isIdent(t) || /^\d/.test(t) || t === '.') {
      i--;
      continue;
    }
    break;
  }
  return tokens.slice(i + 1, at);
}

/** The operand tokens right of position `at` (unary operators, then a postfix expression). */
function rightOperand(tokens: string[], at: number): string[] {
  let i = at + 1;
  while (['-', '!', '~', '&', '*'].includes(tokens[i])) i++;
  if (tokens[i] === '(') i = closing(tokens, i) + 1;
  else {
    i++;
    if (tokens[i] === '<') i = tokens.indexOf('>', i) + 1;
  }
  for (;;) {
    if (tokens[i] === '(' || tokens[i] === '[') i = closing(tokens, i) + 1;
    else if (tokens[i] === '.') i += 2;
    else break;
  }
  return tokens.slice(at + 1, i);
}

/** Every multiplication, division or multiplying built-in that takes an activation- or weight-derived value. */
function shiftOnlyViolations(src: string, sources: string[]): string[] {
  const taint = new Taint(tokenize(src), sources);
  const found: string[] = [];
  for (const f of taint.functions()) {
    for (const st of statementsOf(f.body)) {
      for (let i = 0; i < st.length; i++) {
        const t = st[i];
        if (t === '*' || t === '/' || t === '*=' || t === '/=') {
          const left = t.endsWith('=') ? st.slice(st[0] === 'let' || st[0] === 'var' ? 1 : 0, i) : leftOperand(st, i);
          const right = t.endsWith('=') ? st.slice(i + 1) : rightOperand(st, i);
          if (taint.carries(f.name, left) || taint.carries(f.name, right)) found.push(`${f.name}: ${left.join(' ')} ${t} ${right.join(' ')}`);
        } else if (MULTIPLYING_BUILTINS.has(t) && st[i + 1] === '(' && taint.carries(f.name, st.slice(i + 2, closing(st, i + 1)))) {
          found.push(`${f.name}: ${st.slice(i, closing(st, i + 1) + 1).join(' ')}`);
        }
      }
    }
  }
  return found;
}

/** How many `*` the source has outside comments (so the check is not vacuous). */
function stars(src: string): number {
  return tokenize(src).filter((t) => t === '*' || t === '*=').length;
}

describe('the shift kernels stay shift-only (static check of the WGSL)', () => {
  for (const [name, roles] of Object.entries(SHIFT_KERNELS)) {
    it(`${name}: no *, /, dot, fma or mix takes a value derived from an activation or a weight`, () => {
      const src = wgslSource(name as KernelName);
      expect(shiftOnlyViolations(src, [...roles.activations, ...roles.weights])).toEqual([]);
      // Not vacuous: the source has index multiplications the check looked at and let pass.
      expect(stars(src), 'index multiplications').toBeGreaterThan(0);
    });
  }

  it('tracks values through bindings, helper functions and returns (the accumulators carry data, the indices do not)', () => {
    const src = wgslSource('shiftConv2d');
    const taint = new Taint(tokenize(src), ['x', 'table']);
    const main = taint.locals.get('main')!;
    for (const v of ['w', 'dl', 'v0', 'a0l', 'a3h']) expect(main.has(v), v).toBe(true);
    for (const v of ['t', 'b0', 'rowBase', 'oy', 'iy0']) expect(main.has(v), v).toBe(false);
    expect([...taint.returns].sort()).toEqual(['fast', 'slow', 'tap']);
    expect(taint.locals.get('store')!.has('lo')).toBe(true);
    expect(taint.locals.get('store')!.has('rowOut')).toBe(false);
  });

  // Each edit below brings back a multiply of an activation by a weight; the check must name it.
  const broken: [KernelName, string, string][] = [
    ['shiftDense', 'let t = ldexp(x[xBase + i], params.n1 - i32(code & offMask));', 'let t = x[xBase + i] * exp2(f32(params.n1 - i32(code & offMask)));'],
    ['shiftConv2d', 'a0l += fast(v0, dl, ml);', 'a0l += bitcast<vec4f>(vec4<u32>(v0)) * bitcast<vec4f>(dl);'],
    ['shiftConv2dFixed', 'let t = (vec4<i32>(v) << l) >> r;', 'let t = vec4<i32>(v) * vec4<i32>(l);'],
    ['shiftDenseFixed', 'acc += select(t, -t, (code & signBit) != 0u);', 'acc += dot(vec2<i32>(x[xBase + i], 0), vec2<i32>(i32(code), 0));'],
    ['shiftDense', 'acc += select(t, -t, (code & signBit) != 0u);', 'var s = x[xBase + i];\n      s *= f32(code);\n      acc += s;'],
    ['shiftConv2d', 'let w = table[t];', 'let w = table[t];\n          let scale = bitcast<vec4f>(w);\n          a0l += scale / bitcast<vec4f>(vec4<u32>(tap(ok0, b0 + ic)));'],
  ];
  for (const [name, from, to] of broken) {
    it(`fails on ${name} with "${to.split('\n')[0]}"`, () => {
      const src = wgslSource(name);
      expect(src, 'the edit applies').toContain(from);
      const roles = SHIFT_KERNELS[name]!;
      expect(shiftOnlyViolations(src.replace(from, to), [...roles.activations, ...roles.weights]).length).toBeGreaterThan(0);
    });
  }

  it('lets an index multiplication added to a kernel pass', () => {
    const src = wgslSource('shiftDense').replace('let xBase = b * params.inN;', 'let xBase = b * params.inN;\n  let spare = (o * 3u) * params.bits;');
    expect(shiftOnlyViolations(src, ['x', 'codes'])).toEqual([]);
  });
});
