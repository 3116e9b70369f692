/** The scaffold every chart card shares: its "Save as PNG" button, title and caption, then the chart. */
import type { ReactNode } from 'react';
import { SavePngButton } from './SavePngButton.tsx';

/** A card holding one chart (or a grid of per-layer charts). */
export function ChartCard(props: {
  title: string;
  /** Names the chart for the PNG button's accessible name. */
  chart: string;
  /** File name suffix of the PNG. */
  file: string;
  /** True while there is nothing to save. */
  empty: boolean;
  /** What the chart shows and how to read it. */
  caption: ReactNode;
  className?: string;
  ariaLabel?: string;
  children: ReactNode;
}) {
  return (
    <section className={props.className ? `card ${props.className}` : 'card'} aria-label={props.ariaLabel}>
      <SavePngButton chart={props.chart} file={props.file} disabled={props.empty} />
      <h2>{props.title}</h2>
      <p className="explain">{props.caption}</p>
      {props.children}
    </section>
  );
}
