/**
 * Pure: *My share* in words, one line per account of the user's: the
 * fair-share factor, the usage against the share, and the allocation used.
 */
import type { AccountShare } from './api';

const TRES_WORDS: Record<string, string> = {
  cpu: 'CPU',
  mem: 'memory (MiB)',
  node: 'node',
  billing: 'billing',
  'gres/gpu': 'GPU'
};

function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

export interface IShareRow {
  account: string;
  /** "0.53 (under its share: your jobs gain priority)". */
  fairShare: string;
  /** "12 % of the account's use, against a 25 % share of it". */
  usage: string;
  /** One line per allocated TRES: "CPU: 1,234 of 60,000 minutes used (2 %)". */
  allocation: string[];
}

function fairShareWords(f: number | null): string {
  if (f === null) {
    return '';
  }
  const how =
    f >= 0.5
      ? 'at or under its share: its jobs gain priority'
      : 'over its share: its jobs lose priority';
  return `${f.toFixed(2)} (${how})`;
}

export function shareRows(accounts: readonly AccountShare[]): IShareRow[] {
  return accounts.map(a => {
    let usage = '';
    if (a.usage !== null) {
      // sshare's EffectvUsage and NormShares of a user are within the account.
      usage = `${percent(a.usage)} of the account's use`;
      if (a.share !== null) {
        usage += `, against a ${percent(a.share)} share of it`;
      }
    }
    const allocation = Object.entries(a.allocation).map(([tres, limit]) => {
      const used = a.used[tres] ?? 0;
      const word = TRES_WORDS[tres] ?? tres;
      const share = limit > 0 ? ` (${percent(used / limit)})` : '';
      return `${word}: ${used.toLocaleString('en-US')} of ${limit.toLocaleString('en-US')} minutes used${share}`;
    });
    return {
      account: a.account,
      fairShare: fairShareWords(a.fair_share),
      usage,
      allocation
    };
  });
}
