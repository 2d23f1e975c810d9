/**
 * Pure words and numbers of the cluster view: bar segments, sizes, limits,
 * who may use a partition, in the batch system's words (a Slurm partition, a
 * PBS queue).
 */
import { familyWords } from '../common/scheduler';
import type {
  Access,
  Amount,
  Limits,
  NodeCategory,
  PartitionSummary
} from './api';
import { NODE_CATEGORIES } from './api';

/** What each node category means, as the legend and tooltips say it. */
export const CATEGORY_LABELS: Record<NodeCategory, string> = {
  idle: 'idle',
  mixed: 'partly used',
  allocated: 'fully used',
  reserved: 'reserved',
  drained: 'drained',
  down: 'down',
  other: 'other'
};

export const CATEGORY_HELP: Record<NodeCategory, string> = {
  idle: 'takes jobs, nothing runs on it',
  mixed: 'takes jobs, some of its CPUs are in use',
  allocated: 'every CPU in use',
  reserved: 'in a reservation or maintenance window',
  drained: 'taken out of service by an administrator (drained or draining)',
  down: 'not answering or failed',
  other: 'powered off, booting, or not yet configured'
};

export interface ISegment<K extends string = string> {
  key: K;
  count: number;
  /** Share of the bar, 0..100. */
  percent: number;
}

/** The non-empty parts of a whole, in the given order, as shares of it. */
export function segments<K extends string>(
  parts: ReadonlyArray<[K, number]>,
  total?: number
): ISegment<K>[] {
  const sum = total ?? parts.reduce((s, [, n]) => s + Math.max(n, 0), 0);
  if (sum <= 0) {
    return [];
  }
  return parts
    .filter(([, n]) => n > 0)
    .map(([key, count]) => ({ key, count, percent: (count / sum) * 100 }));
}

/** A partition's nodes by state, in the order the bar draws them. */
export function nodeSegments(p: PartitionSummary): ISegment<NodeCategory>[] {
  return segments(NODE_CATEGORIES.map(c => [c, p.node_states[c] ?? 0]));
}

export type AmountPart = 'allocated' | 'free' | 'unavailable';

/** In use, free, and neither (drained, down, reserved...): null when not reported. */
export function amountSegments(a: Amount): ISegment<AmountPart>[] | null {
  if (a.free === null || a.allocated === null || a.unavailable === null) {
    return null;
  }
  return segments<AmountPart>(
    [
      ['allocated', a.allocated],
      ['free', a.free],
      ['unavailable', a.unavailable]
    ],
    a.total
  );
}

/** `nodes: 1 partly used, 2 drained, 1 down` for a bar's label. */
export function nodeStatesText(p: PartitionSummary): string {
  const parts = nodeSegments(p).map(
    s => `${s.count} ${CATEGORY_LABELS[s.key]}`
  );
  const n = p.nodes;
  return `${n} ${n === 1 ? 'node' : 'nodes'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** MiB as a person reads them: `512 MiB`, `11.8 GiB`, `2.0 TiB`. */
export function formatMemory(mib: number | null): string {
  if (mib === null || mib === undefined) {
    return '';
  }
  const units = ['MiB', 'GiB', 'TiB', 'PiB'];
  let value = mib;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || unit === 0 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A time limit: `no limit`, `10 min`, `1 h 30 min`, `7 days`, `1 day 12 h`. */
export function formatLimit(seconds: number | null): string {
  if (seconds === null || seconds === undefined) {
    return 'no limit';
  }
  const s = Math.max(0, Math.round(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts: string[] = [];
  if (days) {
    parts.push(`${days} ${days === 1 ? 'day' : 'days'}`);
  }
  if (hours) {
    parts.push(`${hours} h`);
  }
  if (minutes && days === 0) {
    parts.push(`${minutes} min`);
  }
  if (rest && days === 0 && hours === 0) {
    parts.push(`${rest} s`);
  }
  return parts.join(' ') || '0 s';
}

/** `6 free of 8`, or `8 in total` when the use is not reported. */
export function amountText(
  a: Amount,
  format: (n: number) => string = n => String(n)
): string {
  if (a.free === null) {
    return `${format(a.total)} in total (use not reported)`;
  }
  return `${format(a.free)} free of ${format(a.total)}`;
}

/** The limits worth saying, in order: `max time 2 h`, `default 30 min`, ... */
export function limitsText(limits: Limits): string[] {
  const out = [`max time ${formatLimit(limits.max_time)}`];
  if (limits.default_time !== null) {
    out.push(`default time ${formatLimit(limits.default_time)}`);
  }
  if (limits.max_nodes !== null) {
    out.push(
      `at most ${limits.max_nodes} ${limits.max_nodes === 1 ? 'node' : 'nodes'} per job`
    );
  }
  if (limits.min_nodes !== null) {
    out.push(
      `at least ${limits.min_nodes} ${limits.min_nodes === 1 ? 'node' : 'nodes'} per job`
    );
  }
  if (limits.max_cpus_per_node !== null) {
    out.push(`at most ${limits.max_cpus_per_node} CPUs per node`);
  }
  if (limits.max_memory_per_node !== null) {
    out.push(`at most ${formatMemory(limits.max_memory_per_node)} per node`);
  }
  return out;
}

/**
 * Who may use it: `everyone`, `only groups root, hpcusers`, `everyone except
 * accounts guests`, or both (`only groups a; except accounts b`).
 */
export function accessText(access: Access): string {
  const only: string[] = [];
  const add = (label: string, names: string[] | null) => {
    if (names !== null) {
      only.push(`${label} ${names.length ? names.join(', ') : '(none)'}`);
    }
  };
  add('accounts', access.accounts);
  add('groups', access.groups);
  add('QOS', access.qos);
  add('users', access.users);
  const except: string[] = [];
  if (access.deny_accounts.length) {
    except.push(`accounts ${access.deny_accounts.join(', ')}`);
  }
  if (access.deny_qos.length) {
    except.push(`QOS ${access.deny_qos.join(', ')}`);
  }
  const head = only.length ? `only ${only.join('; ')}` : 'everyone';
  if (!except.length) {
    return head;
  }
  return `${head}${only.length ? ';' : ''} except ${except.join('; ')}`;
}

/** Whether a partition takes new jobs, in the batch system's words. */
export function partitionStateText(state: string, kind: string | null): string {
  const where = familyWords(kind).where;
  switch (state) {
    case 'up':
      return 'up';
    case 'drain':
      return `draining: the ${where} runs its jobs but takes no new ones`;
    case 'inactive':
      return `inactive: the ${where} takes no jobs`;
    case 'down':
      return `down: the ${where} takes jobs but runs none`;
    default:
      return state;
  }
}

/** Short state word for the badge. */
export function partitionStateWord(state: string): string {
  return (
    { up: 'up', drain: 'draining', inactive: 'inactive', down: 'down' }[
      state
    ] ?? state
  );
}

/** `Partition`/`Queue`, capitalized, for headers. */
export function whereWord(kind: string | null): string {
  const where = familyWords(kind).where;
  return where.charAt(0).toUpperCase() + where.slice(1);
}

/** How old the data is: `just now`, `3 min ago`. */
export function ageText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 10) {
    return 'just now';
  }
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  return `${Math.floor(s / 3600)} h ago`;
}

/** `2026-12-04T19:08:51` -> `2026-12-04 19:08`. */
export function shortTime(iso: string | null): string {
  if (!iso) {
    return '';
  }
  return iso.replace('T', ' ').slice(0, 16);
}
