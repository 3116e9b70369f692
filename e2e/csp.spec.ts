/**
 * The locked-down page: a Content-Security-Policy that allows only the page's own origin (plus
 * WebAssembly compilation and same-origin or blob: workers) is in force in the page and in the INQ
 * worker, a full run and the draw-a-digit demo trip nothing, and no request leaves the origin.
 */
import { expect, test, type Page, type Worker } from '@playwright/test';
import { guardPage, openReady } from './helpers.ts';

interface Violation {
  directive: string;
  blocked: string;
}

/** Records every CSP violation in the page from before its first script runs. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const list: { directive: string; blocked: string }[] = [];
    (window as unknown as { __csp: typeof list }).__csp = list;
    document.addEventListener('securitypolicyviolation', (e) => list.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
}

const violations = (page: Page): Promise<Violation[]> => page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp);

/** The INQ worker, once the page has started it, with its own violation recorder. */
async function inqWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().length, { timeout: 60_000 }).toBeGreaterThan(0);
  const w = page.workers()[0];
  await w.evaluate(() => {
    const list: { directive: string; blocked: string }[] = [];
    (self as unknown as { __csp: typeof list }).__csp = list;
    self.addEventListener('securitypolicyviolation', (e) => list.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
  return w;
}

test.describe('Content-Security-Policy', () => {
  test('the policy is served and enforced in the page and in the worker', async ({ page, baseURL }) => {
    const origin = new URL(baseURL!).origin;
    const guard = guardPage(page, origin);
    // The probes below ask for foreign URLs: Chromium may list such a request, but the policy must stop it before the network.
    const foreignOutcome = new Map<string, string>();
    page.on('requestfailed', (r) => {
      if (new URL(r.url()).origin !== origin) foreignOutcome.set(r.url(), r.failure()?.errorText ?? 'failed');
    });
    page.on('response', (r) => {
      if (new URL(r.url()).origin !== origin) foreignOutcome.set(r.url(), `answered ${r.status()}`);
    });
    await recordViolations(page);
    const res = await page.goto('/');
    const header = res!.headers()['content-security-policy'] ?? '';
    for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) {
      expect(header, 'the served header').toContain(d);
    }
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta, 'the policy is also in index.html, for any static host').toContain("default-src 'self'");
    expect(meta).toContain("connect-src 'self'");
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 120_000 });

    // Each probe is something an injected string would try; each must be refused by the policy.
    const probes = await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const out: Record<string, string> = {};
      // Code Playwright evaluates is exempt from the policy, so eval is probed from a blob: worker,
      // which runs as page code and inherits the page's policy.
      const probe = `let r = {};
        try { eval('1'); r.eval = 'ran'; } catch (e) { r.eval = e.name; }
        try { new Function('return 1')(); r.newFunction = 'ran'; } catch (e) { r.newFunction = e.name; }
        postMessage(r);`;
      const url = URL.createObjectURL(new Blob([probe], { type: 'text/javascript' }));
      const fromWorker = await new Promise<Record<string, string>>((resolve) => {
        const w = new Worker(url);
        w.onmessage = (e: MessageEvent<Record<string, string>>) => resolve(e.data);
        w.onerror = () => resolve({ eval: 'worker failed', newFunction: 'worker failed' });
      });
      URL.revokeObjectURL(url);
      Object.assign(out, fromWorker);
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = 1';
      document.body.appendChild(s);
      out.inlineScript = w.__inlineRan === 1 ? 'ran' : 'blocked';
      const d = document.createElement('div');
      document.body.appendChild(d);
      d.setAttribute('style', 'outline-width: 7px; outline-style: solid');
      out.styleAttribute = getComputedStyle(d).outlineWidth === '7px' ? 'applied' : 'blocked';
      d.style.outlineWidth = '3px';
      d.style.outlineStyle = 'solid';
      out.cssom = getComputedStyle(d).outlineWidth === '3px' ? 'applied' : 'blocked';
      try {
        await fetch('https://example.invalid/x');
        out.foreignFetch = 'sent';
      } catch (e) {
        out.foreignFetch = (e as Error).name;
      }
      const img = new Image();
      out.foreignImage = await new Promise<string>((resolve) => {
        img.onload = () => resolve('loaded');
        img.onerror = () => resolve('blocked');
        img.src = 'https://example.invalid/x.png';
      });
      await new Promise((r) => setTimeout(r, 200));
      return out;
    });
    expect(probes).toEqual({
      eval: 'EvalError',
      newFunction: 'EvalError',
      inlineScript: 'blocked',
      styleAttribute: 'blocked',
      cssom: 'applied',
      foreignFetch: 'TypeError',
      foreignImage: 'blocked',
    });
    const seen = new Set((await violations(page)).map((v) => v.directive));
    for (const d of ['script-src-elem', 'style-src-attr', 'connect-src', 'img-src']) expect(seen, `a ${d} violation was reported`).toContain(d);

    // The worker gets the policy from its own response: the same probes fail there too.
    const worker = await inqWorker(page);
    const inWorker = await worker.evaluate(async () => {
      const out: Record<string, string> = {};
      // As in the page: eval probed from a blob: worker started by the INQ worker, under its policy.
      const url = URL.createObjectURL(new Blob(["try { eval('1'); postMessage('ran'); } catch (e) { postMessage(e.name); }"], { type: 'text/javascript' }));
      out.eval = await new Promise<string>((resolve) => {
        const w = new Worker(url);
        w.onmessage = (e: MessageEvent<string>) => resolve(e.data);
        w.onerror = () => resolve('worker failed');
      });
      try {
        await fetch('https://example.invalid/x');
        out.foreignFetch = 'sent';
      } catch (e) {
        out.foreignFetch = (e as Error).name;
      }
      return out;
    });
    expect(inWorker).toEqual({ eval: 'EvalError', foreignFetch: 'TypeError' });
    for (const url of guard.foreign) expect(foreignOutcome.get(url), `${url} was stopped by the policy`).toMatch(/^(net::ERR_BLOCKED_BY_CSP|csp)$/);
    expect(guard.foreign.every((u) => u.startsWith('https://example.invalid/')), `only the probes asked for foreign URLs: ${guard.foreign.join(', ')}`).toBe(true);
  });

  test('a full run and the draw-a-digit demo trip no policy and stay on the origin', async ({ page, baseURL }) => {
    const guard = guardPage(page, new URL(baseURL!).origin);
    await recordViolations(page);
    await openReady(page, '#schedule=0.5,1&train=128&test=100&batch=32');
    const worker = await inqWorker(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('run-summary')).toBeVisible({ timeout: 150_000 });
    // The demo runs the run's model once it has it; ask it for a few test images.
    const demo = page.getByTestId('digit-demo');
    await demo.scrollIntoViewIfNeeded();
    for (let k = 0; k < 3; k++) {
      const before = (await demo.getAttribute('data-result-id')) ?? '';
      await page.getByRole('button', { name: 'Random test image' }).click();
      await expect(demo).not.toHaveAttribute('data-result-id', before, { timeout: 60_000 });
    }
    // Every view drew (charts, histograms, masks) under the policy.
    await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '2');
    await expect(page.locator('[data-testid^="histogram-"]').first()).toBeVisible();
    expect(await violations(page), 'violations in the page').toEqual([]);
    expect(await worker.evaluate(() => (self as unknown as { __csp: unknown[] }).__csp), 'violations in the worker').toEqual([]);
    expect(guard.errors).toEqual([]);
    expect(guard.foreign).toEqual([]);
  });
});
