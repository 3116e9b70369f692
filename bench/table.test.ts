import { describe, expect, it } from 'vitest';
import { formatTable, markdownTable, median, type Table } from './table.ts';

const t: Table = { title: 'T', columns: ['name', 'ms'], rows: [['a', 1.234], ['bb', 1234.5]], notes: ['n1'] };

describe('bench tables', () => {
  it('aligns columns, rounds numbers (2 decimals under 100, none above) and keeps notes', () => {
    expect(formatTable(t).split('\n')).toEqual(['T', 'name    ms', '----  ----', '   a  1.23', '  bb  1235', 'n1']);
  });

  it('renders Markdown with a header row, a rule and the notes as lines', () => {
    expect(markdownTable(t).split('\n')).toEqual(['### T', '', '| name | ms |', '| --- | --- |', '| a | 1.23 |', '| bb | 1235 |', '', 'n1  ']);
  });

  it('takes the median of odd and even lists without reordering them', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
