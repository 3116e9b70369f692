/**
 * Export: the run history as JSON and CSV, the run's model as files, and a chart card as a PNG.
 * The history and file helpers are pure (tested in Node); the PNG and download helpers need a DOM.
 */
import type { InqConfig, LayerInfo, RoundResult, RunSummary } from '../engine/types.ts';
import { generateC } from '../inq/cExport.ts';
import { loadPackedModel } from '../inq/packedModel.ts';
import { shiftProgramFromPacked } from '../kernels/packedLoader.ts';
import type { EpochLoss } from '../store/types.ts';
import type { RunModelFiles } from '../engine/results.ts';

/** One file to download. */
export interface ExportFile {
  name: string;
  type: string;
  data: string | ArrayBuffer | Uint8Array;
}

/** One round of the history as the CSV has it. */
export interface HistoryRow {
  round: number;
  portion: number;
  accuracy: number;
  loss: number;
  /** Frozen kernel weights over all kernel weights, after the round. */
  frozenFraction: number;
  seconds: number;
}

/** The CSV's header row. */
export const HISTORY_CSV_HEADER = ['round', 'portion', 'accuracy', 'loss', 'frozen_fraction', 'seconds'] as const;

/** Fraction of all kernel weights frozen after a round. */
export function frozenFraction(r: RoundResult): number {
  let frozen = 0;
  let total = 0;
  for (const l of r.layers) {
    frozen += l.frozenCount;
    total += l.frozenRound.length;
  }
  return total === 0 ? 0 : frozen / total;
}

/** The rounds, in order, as rows. */
export function historyRows(rounds: readonly RoundResult[]): HistoryRow[] {
  return [...rounds]
    .sort((a, b) => a.round - b.round)
    .map((r) => ({ round: r.round, portion: r.portion, accuracy: r.accuracy, loss: r.loss, frozenFraction: frozenFraction(r), seconds: r.seconds }));
}

/** A number as CSV text: full precision, empty for NaN or infinity. */
const csvNumber = (v: number): string => (Number.isFinite(v) ? String(v) : '');

/** The history as CSV: a header row, then one row per round (RFC 4180 line ends). */
export function historyToCsv(rounds: readonly RoundResult[]): string {
  const lines = [HISTORY_CSV_HEADER.join(',')];
  for (const r of historyRows(rounds)) lines.push([r.round, r.portion, r.accuracy, r.loss, r.frozenFraction, r.seconds].map(csvNumber).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** What the JSON history holds. */
export interface HistoryInput {
  runId: string | null;
  model: { name: string; title: string } | null;
  config: InqConfig | null;
  floatAccuracy: number | null;
  layers: readonly LayerInfo[];
  rounds: readonly RoundResult[];
  epochLosses: readonly EpochLoss[];
  summary: RunSummary | null;
}

/** Format tag of the JSON history. */
export const HISTORY_FORMAT = 'inq-playground-history';

/**
 * The history as JSON: settings, layers (n1, n2, levels), per round its figures and each layer's
 * frozen count and level counts, the epoch losses and the summary. The weights themselves are left
 * out (the model export has them).
 */
export function historyToJson(h: HistoryInput): string {
  const finite = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);
  const doc = {
    format: HISTORY_FORMAT,
    version: 1,
    runId: h.runId,
    model: h.model,
    config: h.config,
    floatAccuracy: finite(h.floatAccuracy),
    layers: h.layers.map((l) => ({ name: l.name, kind: l.kind, shape: l.shape, size: l.size, n1: l.n1, n2: l.n2, preMaxAbs: l.preMaxAbs, levels: Array.from(l.levels) })),
    rounds: [...h.rounds]
      .sort((a, b) => a.round - b.round)
      .map((r) => ({
        round: r.round,
        portion: r.portion,
        accuracy: finite(r.accuracy),
        loss: finite(r.loss),
        frozenFraction: frozenFraction(r),
        seconds: r.seconds,
        trainSeconds: r.trainSeconds,
        epochLosses: r.epochLosses.map(finite),
        layers: r.layers.map((l) => ({ name: l.name, frozenCount: l.frozenCount, size: l.frozenRound.length, levelCounts: Array.from(l.levelCounts) })),
      })),
    epochLosses: h.epochLosses.map((e) => ({ round: e.round, epoch: e.epoch, loss: finite(e.loss) })),
    summary: h.summary,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A safe file-name part: letters, digits, dash. */
function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/\.json$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'model'
  );
}

/** Base of the history and chart file names, e.g. "inq-lenet5-5bit". */
export function exportBaseName(modelName: string | null, bits: number | null): string {
  return `inq-${slug(modelName ?? 'model')}${bits ? `-${bits}bit` : ''}`;
}

/** The run's model as tfjs Layers files: model.json and the weights file its manifest names, so the two load again as they are. */
export function tfjsModelFiles(layers: RunModelFiles['layers']): ExportFile[] {
  const paths = layers.json.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== 1) throw new Error(`the model's manifest names ${paths.length} weight files; expected one`);
  return [
    { name: 'model.json', type: 'application/json', data: `${JSON.stringify(layers.json)}\n` },
    { name: paths[0], type: 'application/octet-stream', data: layers.weights },
  ];
}

/** The run's packed model: packed.json and the codes file its manifest names. */
export function packedModelFiles(packed: NonNullable<RunModelFiles['packed']>): ExportFile[] {
  return [
    { name: 'packed.json', type: 'application/json', data: `${JSON.stringify(packed.manifest, null, 1)}\n` },
    { name: packed.manifest.codesFile, type: 'application/octet-stream', data: packed.codes },
  ];
}

/** The run's packed model as C99 in shifts and integer adds (src/inq/cExport.ts): model.h and model.c. */
export function cModelFiles(packed: NonNullable<RunModelFiles['packed']>): ExportFile[] {
  const model = loadPackedModel(packed.manifest, packed.codes, 'packed model');
  const gen = generateC({ name: packed.manifest.model, ...shiftProgramFromPacked(model) });
  return [
    { name: 'model.h', type: 'text/x-c', data: gen.header },
    { name: 'model.c', type: 'text/x-c', data: gen.source },
  ];
}

/** A rectangle in page pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The smallest box holding every box, grown by `pad` on each side. */
export function unionBox(boxes: readonly Box[], pad = 0): Box {
  if (boxes.length === 0) return { left: 0, top: 0, width: 0, height: 0 };
  const left = Math.min(...boxes.map((b) => b.left)) - pad;
  const top = Math.min(...boxes.map((b) => b.top)) - pad;
  const right = Math.max(...boxes.map((b) => b.left + b.width)) + pad;
  const bottom = Math.max(...boxes.map((b) => b.top + b.height)) + pad;
  return { left, top, width: right - left, height: bottom - top };
}

/** Saves a file through the browser's download. */
export function downloadFile(file: ExportFile): void {
  const part = typeof file.data === 'string' ? file.data : file.data instanceof Uint8Array ? new Uint8Array(file.data) : file.data;
  const blob = new Blob([part], { type: file.type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Long enough for the download to start reading the blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * SVG presentation properties the page sets through CSS, copied onto each element as presentation
 * attributes (not style attributes, which the page's Content-Security-Policy blocks) so the image
 * looks the same.
 */
const SVG_STYLE_PROPS = ['font-family', 'font-size', 'font-weight', 'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'paint-order', 'opacity'] as const;

/** An SVG element as a standalone SVG document of the given size, with its CSS styles inlined. */
function standaloneSvg(svg: SVGSVGElement, width: number, height: number): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...svg.querySelectorAll('*')];
  const to = [clone, ...clone.querySelectorAll('*')];
  from.forEach((el, i) => {
    const cs = getComputedStyle(el);
    for (const p of SVG_STYLE_PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) to[i].setAttribute(p, v);
    }
    to[i].removeAttribute('style');
    to[i].removeAttribute('class');
  });
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  return new XMLSerializer().serializeToString(clone);
}

async function svgImage(markup: string): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Draws a chart card as a PNG, as laid out on the page: its title, the captions and every SVG chart
 * and canvas in it (hidden ones and anything inside a button are left out), on white, at `scale`.
 */
export async function chartCardToPng(root: HTMLElement, scale = 2): Promise<Blob> {
  const parts = [...root.querySelectorAll<HTMLElement | SVGSVGElement>('h2, figcaption, svg, canvas, .chart-legend')].filter((el) => {
    if (el.closest('button, .sr-only')) return false;
    if (el instanceof SVGSVGElement && el.parentElement?.closest('svg')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  });
  if (!parts.some((el) => el instanceof SVGSVGElement || el instanceof HTMLCanvasElement)) throw new Error('there is no chart to save yet');
  // The title goes on top; the charts and their captions keep their layout below it (the text between is left out).
  const titles = parts.filter((el) => el.tagName === 'H2');
  const body = parts.filter((el) => el.tagName !== 'H2');
  const bodyBoxes = body.map((el) => el.getBoundingClientRect());
  const pad = 12;
  const bodyBox = unionBox(bodyBoxes, pad);
  const titleHeight = titles.reduce((a, el) => a + el.getBoundingClientRect().height + 6, 0);
  const width = Math.max(bodyBox.width, ...titles.map((el) => el.getBoundingClientRect().width + 2 * pad));
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil((bodyBox.height + titleHeight + (titles.length ? pad : 0)) * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  /** Draws an element's text where the page shows it: each text node on its own lines, in its own style. */
  const text = (el: Element, dx: number, dy: number): void => {
    // Colour swatches (a legend's) are boxes, not text.
    for (const sw of el.querySelectorAll<HTMLElement>('.swatch')) {
      const r = sw.getBoundingClientRect();
      ctx.fillStyle = getComputedStyle(sw).backgroundColor;
      ctx.fillRect(r.left + dx, r.top + dy, r.width, r.height);
    }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || !node.textContent?.trim()) continue;
      const cs = getComputedStyle(parent);
      ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      ctx.fillStyle = cs.color;
      ctx.textBaseline = 'top';
      range.selectNodeContents(node);
      const lines = [...range.getClientRects()].filter((r) => r.width > 0);
      const words = node.textContent.replace(/\s+/g, ' ').trim().split(' ');
      // A wrapped text node has one rectangle per line: fill each with the words that fit.
      lines.forEach((r, li) => {
        let line = '';
        while (words.length > 0 && (li === lines.length - 1 || !line || ctx.measureText(`${line} ${words[0]}`).width <= r.width + 1)) {
          line = line ? `${line} ${words.shift()}` : (words.shift() ?? '');
        }
        ctx.fillText(line, r.left + dx, r.top + dy, r.width + 2);
      });
    }
  };
  let ty = pad;
  for (const el of titles) {
    const b = el.getBoundingClientRect();
    text(el, pad - b.left, ty - b.top);
    ty += b.height + 6;
  }
  const top = titles.length ? ty : 0;
  for (let i = 0; i < body.length; i++) {
    const el = body[i];
    const b = bodyBoxes[i];
    const x = b.left - bodyBox.left;
    const y = top + b.top - bodyBox.top;
    if (el instanceof SVGSVGElement) {
      const img = await svgImage(standaloneSvg(el, b.width, b.height));
      ctx.drawImage(img, x, y, b.width, b.height);
    } else if (el instanceof HTMLCanvasElement) {
      // Masks are pixel art: keep their cells sharp.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(el, x, y, b.width, b.height);
      ctx.imageSmoothingEnabled = true;
    } else text(el, x - b.left, y - b.top);
  }
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the chart could not be encoded as PNG'))), 'image/png'));
}
