/**
 * The history view's model: ranges, the request it makes, sorting, and the
 * "no accounting" answer kept as the server said it.
 */
import { HistoryQuery, HistoryRecord, HistoryResult } from '../jobs/api';
import { HPCApiError } from '../common/request';
import { HistoryModel } from '../jobs/history/model';
import {
  formatBytes,
  formatEfficiency,
  historyQuery,
  parseSize,
  shortTime,
  sortRecords
} from '../jobs/history/range';
import { makeRecord } from './fixtures';

const NOW = new Date(2026, 10, 22, 12, 0, 0); // local time

const rec = (
  id: string,
  fields: Partial<HistoryRecord> = {}
): HistoryRecord => ({
  ...makeRecord({ id }),
  elapsed: null,
  total_cpu: null,
  cpu_efficiency: null,
  max_rss: '',
  ...fields
});

describe('historyQuery', () => {
  it('presets count back from now, in local time', () => {
    expect(historyQuery('24h', { start: '', end: '' }, '', NOW)).toEqual({
      start: '2026-11-21T12:00:00',
      states: undefined
    });
    expect(historyQuery('7d', { start: '', end: '' }, 'failed', NOW)).toEqual({
      start: '2026-11-15T12:00:00',
      states: ['failed']
    });
  });

  it('a custom range needs a start, and an end after it', () => {
    expect(historyQuery('custom', { start: '', end: '' }, '', NOW)).toMatch(
      /Choose when/
    );
    expect(
      historyQuery(
        'custom',
        { start: '2026-11-20T10:00', end: '2026-11-20T09:00' },
        '',
        NOW
      )
    ).toMatch(/must come after/);
    expect(
      historyQuery(
        'custom',
        { start: '2026-11-20T10:00', end: '2026-11-21T10:00' },
        '',
        NOW
      )
    ).toEqual({
      start: '2026-11-20T10:00:00',
      end: '2026-11-21T10:00:00',
      states: undefined
    });
  });
});

describe('history formatting and sorting', () => {
  it('sizes and efficiency', () => {
    expect(parseSize('2048K')).toBe(2 * 1024 * 1024);
    expect(parseSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('')).toBeNull();
    expect(formatBytes(parseSize('2048K'))).toBe('2.0 MiB');
    expect(formatEfficiency(0.874)).toBe('87 %');
    expect(formatEfficiency(null)).toBe('');
    expect(shortTime('2026-11-22T03:21:09', NOW)).toBe('11-22 03:21');
    expect(shortTime('2025-01-02T03:04:05', NOW)).toBe('2025-01-02 03:04');
    expect(shortTime(null, NOW)).toBe('');
  });

  it('sorts numerically by id and puts unknown values last', () => {
    const records = [
      rec('10', { elapsed: 5 }),
      rec('9', { elapsed: null }),
      rec('100', { elapsed: 50 })
    ];
    expect(sortRecords(records, 'id', false).map(r => r.id)).toEqual([
      '9',
      '10',
      '100'
    ]);
    expect(sortRecords(records, 'elapsed', true).map(r => r.id)).toEqual([
      '100',
      '10',
      '9'
    ]);
  });
});

describe('HistoryModel', () => {
  const answer = (result: HistoryResult | Error) => {
    const queries: HistoryQuery[] = [];
    const api = {
      fetchHistory: jest.fn(async (query: HistoryQuery) => {
        queries.push(query);
        if (result instanceof Error) {
          throw result;
        }
        return result;
      })
    };
    return { api, queries };
  };

  it('asks for the range and state, with a limit', async () => {
    const { api, queries } = answer({
      available: true,
      message: '',
      jobs: [
        rec('1', { end_time: '2026-11-22T01:00:00' }),
        rec('2', { end_time: '2026-11-22T02:00:00' })
      ]
    });
    const model = new HistoryModel({ api, now: () => NOW, limit: 100 });
    await model.refresh();
    expect(queries[0]).toEqual({
      start: '2026-11-21T12:00:00',
      states: undefined,
      limit: 100
    });
    // Latest end first.
    expect(model.records.map(r => r.id)).toEqual(['2', '1']);
    model.stateFilter = 'failed';
    await new Promise(r => setTimeout(r, 0));
    expect(queries[1].states).toEqual(['failed']);
    model.toggleSort('id');
    expect(model.records.map(r => r.id)).toEqual(['1', '2']);
  });

  it('keeps the "no accounting" answer with its message', async () => {
    const { api } = answer({
      available: false,
      message:
        'This cluster keeps no job accounting (slurmdbd is not configured).',
      jobs: []
    });
    const model = new HistoryModel({ api, now: () => NOW });
    await model.refresh();
    expect(model.result?.available).toBe(false);
    expect(model.result?.message).toMatch(/keeps no job accounting/);
    expect(model.error).toBe('');
  });

  it('a failed request or an impossible range is an error sentence', async () => {
    const { api } = answer(new HPCApiError('The server failed.', 500));
    const model = new HistoryModel({ api, now: () => NOW });
    await model.refresh();
    expect(model.error).toBe('The server failed.');
    model.preset = 'custom';
    await new Promise(r => setTimeout(r, 0));
    expect(model.error).toMatch(/Choose when/);
    expect(api.fetchHistory).toHaveBeenCalledTimes(1);
  });
});
