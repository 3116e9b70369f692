#!/usr/bin/env node
// Draws bit-width sweeps as an SVG: one panel per model, the mean final accuracy of each bit-width
// with its 95 % t interval as an error bar, and the float model as a dashed line. Reads the JSON
// lines of `inq sweep --json --repeat N` (the {"summary":true,…} rows), one file per panel.
//   node scripts/sweepChart.mjs OUT.svg "Title A" a.jsonl "Title B" b.jsonl
import { readFileSync, writeFileSync } from 'node:fs';

const [out, ...pairs] = process.argv.slice(2);
if (!out || pairs.length === 0 || pairs.length % 2) {
  console.error('usage: node scripts/sweepChart.mjs OUT.svg TITLE FILE.jsonl [TITLE FILE.jsonl …]');
  process.exit(2);
}
const panels = [];
for (let i = 0; i < pairs.length; i += 2) {
  const rows = readFileSync(pairs[i + 1], 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((r) => r.summary);
  if (rows.length === 0) throw new Error(`${pairs[i + 1]}: no {"summary":true} rows (run the sweep with --repeat N --json)`);
  panels.push({ title: pairs[i], rows });
}

const W = 420;
const H = 300;
const M = { l: 58, r: 14, t: 34, b: 42 };
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const parts = [];
panels.forEach((p, k) => {
  const x0 = k * W;
  const float = p.rows[0].floatAccuracy * 100;
  const lo = Math.min(float, ...p.rows.map((r) => (r.interval ? r.interval[0] : r.meanAccuracy) * 100));
  const hi = Math.max(float, ...p.rows.map((r) => (r.interval ? r.interval[1] : r.meanAccuracy) * 100));
  const pad = Math.max(0.1, (hi - lo) * 0.08);
  const y0 = lo - pad;
  const y1 = hi + pad;
  const sx = (b) => x0 + M.l + ((b - 2) / 6) * (W - M.l - M.r);
  const sy = (v) => M.t + (1 - (v - y0) / (y1 - y0)) * (H - M.t - M.b);
  parts.push(`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  parts.push(`<line x1="${sx(2)}" y1="${H - M.b}" x2="${sx(8)}" y2="${H - M.b}" stroke="#444"/><line x1="${sx(2)}" y1="${M.t}" x2="${sx(2)}" y2="${H - M.b}" stroke="#444"/>`);
  for (let b = 2; b <= 8; b++) parts.push(`<text x="${sx(b)}" y="${H - M.b + 16}" text-anchor="middle">${b}</text>`);
  parts.push(`<text x="${x0 + (M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">bits</text>`);
  const step = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20].find((s) => (y1 - y0) / s <= 7) ?? 20;
  for (let v = Math.ceil(y0 / step) * step; v <= y1; v += step) {
    parts.push(`<line x1="${sx(2) - 4}" y1="${sy(v)}" x2="${sx(8)}" y2="${sy(v)}" stroke="#ddd"/><text x="${sx(2) - 6}" y="${sy(v) + 4}" text-anchor="end">${Number(v.toFixed(2))}%</text>`);
  }
  parts.push(`<line x1="${sx(2)}" y1="${sy(float)}" x2="${sx(8)}" y2="${sy(float)}" stroke="#888" stroke-dasharray="5 4"/><text x="${sx(8)}" y="${sy(float) - 5}" text-anchor="end" fill="#666">float ${float.toFixed(2)}%</text>`);
  const pts = p.rows.map((r) => [sx(r.bits), sy(r.meanAccuracy * 100)]);
  parts.push(`<polyline fill="none" stroke="#1f6fb2" stroke-width="1.5" points="${pts.map((q) => q.join(',')).join(' ')}"/>`);
  for (const r of p.rows) {
    const x = sx(r.bits);
    if (r.interval) {
      const [a, c] = [sy(r.interval[0] * 100), sy(r.interval[1] * 100)];
      parts.push(`<line x1="${x}" y1="${a}" x2="${x}" y2="${c}" stroke="#1f6fb2"/><line x1="${x - 4}" y1="${a}" x2="${x + 4}" y2="${a}" stroke="#1f6fb2"/><line x1="${x - 4}" y1="${c}" x2="${x + 4}" y2="${c}" stroke="#1f6fb2"/>`);
    }
    parts.push(`<circle cx="${x}" cy="${sy(r.meanAccuracy * 100)}" r="3" fill="#1f6fb2"><title>${r.bits} bits: ${(r.meanAccuracy * 100).toFixed(2)} %</title></circle>`);
  }
});
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H}" viewBox="0 0 ${W * panels.length} ${H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
writeFileSync(out, svg);
console.log(`${out}: ${panels.length} panels`);
