/**
 * Read and rewrite the `#SBATCH` / `#PBS` directives of a batch script.
 *
 * Three dialects: Slurm's `#SBATCH`, OpenPBS's `#PBS` (resources in a
 * `select` chunk, arrays `-J`) and Torque's `#PBS` (resources as
 * `-l nodes=N:ppn=C:gpus=G` and the job's `-l mem=`, arrays `-t`).
 *
 * Pure functions over the script's text, so the submit form and the script
 * editor can stay consistent both ways: `parseScript` gives the form's values,
 * `setField` / `setExtra` rewrite (or insert, or remove) the directive of one
 * form field and leave every other character of the script alone.
 *
 * Like sbatch and qsub, directives are read only up to the first command line:
 * blank lines and comments (the `#!` line included) may sit between them, the
 * first other line ends the directive block. A `#` after whitespace starts a
 * comment at the end of a directive line, as in sbatch.
 */

export type SchedulerKind = 'slurm' | 'pbs' | 'torque';

/** The dialect of the server's batch system (`scheduler.kind`); Slurm's by default. */
export function directiveKindOf(
  kind: string | null | undefined
): SchedulerKind {
  return kind === 'pbs' || kind === 'torque' ? kind : 'slurm';
}

/** The form fields that map to a directive. */
export type FieldName =
  | 'name'
  | 'partition'
  | 'account'
  | 'qos'
  | 'nodes'
  | 'ntasks'
  | 'cpus'
  | 'memory'
  | 'time_limit'
  | 'gpus'
  | 'gres'
  | 'array'
  | 'dependency'
  | 'output'
  | 'error'
  | 'mail_type'
  | 'mail_user';

export const FIELD_NAMES: readonly FieldName[] = [
  'name',
  'partition',
  'account',
  'qos',
  'nodes',
  'ntasks',
  'cpus',
  'memory',
  'time_limit',
  'gpus',
  'gres',
  'array',
  'dependency',
  'output',
  'error',
  'mail_type',
  'mail_user'
];

/** The form's view of a script: field values as written, and the rest. */
export interface IParsedScript {
  /** Each field set by a directive, with the value as written (unquoted). */
  fields: Partial<Record<FieldName, string>>;
  /** Directive options no field stands for, as written, one per entry. */
  extra: string[];
  /** Zero-based line numbers of the directive lines. */
  directiveLines: number[];
  /** The line that ends the directive block (the first command), or the line count. */
  blockEnd: number;
}

/** The directive prefix of each batch system. */
export const DIRECTIVE_PREFIX: Record<SchedulerKind, string> = {
  slurm: '#SBATCH',
  pbs: '#PBS',
  torque: '#PBS'
};

// ---------------------------------------------------------------------------
// Option tables

interface IOptionSpec {
  /** The long name (Slurm) or the letter (PBS) used when writing. */
  name: string;
  short?: string;
  /** `required`: always has a value; `none`: a flag; `optional`: only as `--x=v`. */
  arg: 'required' | 'none' | 'optional';
}

/** sbatch options: the ones with a field first, then the others that take values. */
const SLURM_FIELDS: Partial<Record<FieldName, IOptionSpec>> = {
  name: { name: 'job-name', short: 'J', arg: 'required' },
  partition: { name: 'partition', short: 'p', arg: 'required' },
  account: { name: 'account', short: 'A', arg: 'required' },
  qos: { name: 'qos', short: 'q', arg: 'required' },
  nodes: { name: 'nodes', short: 'N', arg: 'required' },
  ntasks: { name: 'ntasks', short: 'n', arg: 'required' },
  cpus: { name: 'cpus-per-task', short: 'c', arg: 'required' },
  memory: { name: 'mem', arg: 'required' },
  time_limit: { name: 'time', short: 't', arg: 'required' },
  gpus: { name: 'gpus', short: 'G', arg: 'required' },
  gres: { name: 'gres', arg: 'required' },
  array: { name: 'array', short: 'a', arg: 'required' },
  dependency: { name: 'dependency', short: 'd', arg: 'required' },
  output: { name: 'output', short: 'o', arg: 'required' },
  error: { name: 'error', short: 'e', arg: 'required' },
  mail_type: { name: 'mail-type', arg: 'required' },
  mail_user: { name: 'mail-user', arg: 'required' }
};

const SLURM_OTHER_VALUED = [
  'acctg-freq',
  'batch',
  'bb',
  'bbf',
  'begin:b',
  'chdir:D',
  'cluster-constraint',
  'clusters:M',
  'comment',
  'constraint:C',
  'container',
  'core-spec:S',
  'cores-per-socket',
  'cpu-freq',
  'cpus-per-gpu',
  'deadline',
  'delay-boot',
  'distribution:m',
  'exclude:x',
  'export',
  'export-file',
  'extra-node-info:B',
  'gid',
  'gpu-bind',
  'gpu-freq',
  'gpus-per-node',
  'gpus-per-socket',
  'gpus-per-task',
  'gres-flags',
  'hint',
  'input:i',
  'kill-on-invalid-dep',
  'licenses:L',
  'mcs-label',
  'mem-bind',
  'mem-per-cpu',
  'mem-per-gpu',
  'mincpus',
  'network',
  'nodefile:F',
  'nodelist:w',
  'ntasks-per-core',
  'ntasks-per-gpu',
  'ntasks-per-node',
  'ntasks-per-socket',
  'open-mode',
  'power',
  'prefer',
  'priority',
  'profile',
  'reservation',
  'signal',
  'sockets-per-node',
  'switches',
  'thread-spec',
  'threads-per-core',
  'time-min',
  'tmp',
  'tres-per-task',
  'uid',
  'wckey'
];

/** Options whose value may only be attached (`--exclusive=user`, `-k`). */
const SLURM_OPTIONAL = [
  'exclusive',
  'get-user-env',
  'nice',
  'propagate',
  'requeue',
  'immediate:I',
  'no-kill:k'
];

/** qsub options: all single letters. */
const PBS_OPTIONS: Record<string, IOptionSpec['arg']> = {
  a: 'required',
  A: 'required',
  c: 'required',
  C: 'required',
  e: 'required',
  f: 'none',
  h: 'none',
  I: 'none',
  j: 'required',
  J: 'required',
  k: 'required',
  l: 'required',
  m: 'required',
  M: 'required',
  N: 'required',
  o: 'required',
  p: 'required',
  P: 'required',
  q: 'required',
  r: 'required',
  R: 'required',
  S: 'required',
  u: 'required',
  v: 'required',
  V: 'none',
  W: 'required',
  X: 'none',
  z: 'none'
};

/**
 * Torque's qsub options (its man page): no `-J`, `-R`, `-S`... of OpenPBS's
 * meaning, but `-d`, `-D`, `-t` (arrays), `-F`, `-L`, `-w`, and `-x`/`-n` flags.
 */
const TORQUE_OPTIONS: Record<string, IOptionSpec['arg']> = {
  ...Object.fromEntries(
    [...'aAbcCdDeFjklLmMNoPpqrStTuvwW'].map(l => [l, 'required' as const])
  ),
  ...Object.fromEntries([...'fhIVXxzn'].map(l => [l, 'none' as const]))
};

/** PBS fields that are a whole option (`-N name`). */
const PBS_OPTION_FIELDS: Partial<Record<FieldName, string>> = {
  name: 'N',
  partition: 'q',
  account: 'A',
  array: 'J',
  output: 'o',
  error: 'e',
  mail_type: 'm',
  mail_user: 'M'
};

/** Torque's are PBS's, except arrays: `-t 1-10%2`. */
const TORQUE_OPTION_FIELDS: Partial<Record<FieldName, string>> = {
  ...PBS_OPTION_FIELDS,
  array: 't'
};

function optionFieldsOf(
  kind: SchedulerKind
): Partial<Record<FieldName, string>> {
  return kind === 'torque' ? TORQUE_OPTION_FIELDS : PBS_OPTION_FIELDS;
}

/** Torque fields that live in the `-l nodes=` spec. */
const TORQUE_NODE_FIELDS: Partial<Record<FieldName, string>> = {
  cpus: 'ppn',
  gpus: 'gpus'
};

/** PBS fields that are a resource of `-l` (walltime) or of its `select` chunk. */
const PBS_CHUNK_FIELDS: Partial<Record<FieldName, string>> = {
  cpus: 'ncpus',
  ntasks: 'mpiprocs',
  memory: 'mem',
  gpus: 'ngpus'
};

/** Which fields each batch system has. */
export function fieldsOf(kind: SchedulerKind): FieldName[] {
  if (kind === 'slurm') {
    return [...FIELD_NAMES];
  }
  // Torque's ppn is CPUs per node: it has no separate count of tasks.
  return FIELD_NAMES.filter(
    f => f !== 'qos' && f !== 'gres' && !(kind === 'torque' && f === 'ntasks')
  );
}

interface IOptionTable {
  long: Map<string, IOptionSpec>;
  short: Map<string, IOptionSpec>;
}

function slurmTable(): IOptionTable {
  const long = new Map<string, IOptionSpec>();
  const short = new Map<string, IOptionSpec>();
  const add = (spec: IOptionSpec) => {
    long.set(spec.name, spec);
    if (spec.short) {
      short.set(spec.short, spec);
    }
  };
  for (const spec of Object.values(SLURM_FIELDS)) {
    add(spec);
  }
  const split = (entry: string, arg: IOptionSpec['arg']) => {
    const [name, letter] = entry.split(':');
    add({ name, short: letter, arg });
  };
  SLURM_OTHER_VALUED.forEach(e => split(e, 'required'));
  SLURM_OPTIONAL.forEach(e => split(e, 'optional'));
  for (const letter of ['H', 'O', 'Q', 's', 'v', 'W', 'h', 'V']) {
    short.set(letter, { name: letter, short: letter, arg: 'none' });
  }
  return { long, short };
}

function letterTable(
  options: Record<string, IOptionSpec['arg']>
): IOptionTable {
  const short = new Map<string, IOptionSpec>();
  for (const [letter, arg] of Object.entries(options)) {
    short.set(letter, { name: letter, short: letter, arg });
  }
  return { long: new Map(), short };
}

const TABLES: Record<SchedulerKind, IOptionTable> = {
  slurm: slurmTable(),
  pbs: letterTable(PBS_OPTIONS),
  torque: letterTable(TORQUE_OPTIONS)
};

// ---------------------------------------------------------------------------
// Lines and tokens

interface IToken {
  /** Unquoted text. */
  text: string;
  /** Offsets of the raw token in its line. */
  start: number;
  end: number;
}

/** One option of a directive line, with the span it covers in that line. */
interface IOccurrence {
  line: number;
  /** Canonical name: the long name (Slurm), the letter (PBS). */
  name: string;
  value: string | null;
  start: number;
  end: number;
  /** How it was written, to rewrite it alike. */
  style: 'long=' | 'long' | 'short' | 'short-attached';
  /** The token holding the value, when it is a separate one. */
  valueToken: IToken | null;
}

function splitLines(script: string): { lines: string[]; eol: string } {
  const eol = script.includes('\r\n') ? '\r\n' : '\n';
  return { lines: script.split(/\r?\n/), eol };
}

/** Whether a line may sit in the directive block without ending it. */
function isCommentOrBlank(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#');
}

/** Where the options of a directive line start, or -1 for other lines. */
function directiveStart(line: string, kind: SchedulerKind): number {
  const prefix = DIRECTIVE_PREFIX[kind];
  if (!line.startsWith(prefix)) {
    return -1;
  }
  const next = line.charAt(prefix.length);
  return next === '' || /\s/.test(next) ? prefix.length : -1;
}

/**
 * Split a directive's options into words: whitespace separates, quotes group,
 * a `#` at the start of a word begins the trailing comment.
 */
export function tokenize(line: string, from = 0): IToken[] {
  const tokens: IToken[] = [];
  let i = from;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) {
      i++;
    }
    if (i >= line.length || line[i] === '#') {
      break;
    }
    const start = i;
    let text = '';
    while (i < line.length && !/\s/.test(line[i])) {
      const c = line[i];
      if (c === '"' || c === "'") {
        const close = line.indexOf(c, i + 1);
        if (close < 0) {
          text += line.slice(i + 1);
          i = line.length;
          break;
        }
        text += line.slice(i + 1, close);
        i = close + 1;
      } else {
        text += c;
        i++;
      }
    }
    tokens.push({ text, start, end: i });
  }
  return tokens;
}

/** The options of one directive line. */
function lineOccurrences(
  line: string,
  lineNo: number,
  kind: SchedulerKind
): IOccurrence[] {
  const from = directiveStart(line, kind);
  if (from < 0) {
    return [];
  }
  const table = TABLES[kind];
  const tokens = tokenize(line, from);
  const found: IOccurrence[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    const nextIsValue = next !== undefined && !next.text.startsWith('-');
    const text = token.text;
    const base = { line: lineNo, start: token.start, valueToken: null };
    if (kind === 'slurm' && text.startsWith('--') && text.length > 2) {
      const eq = text.indexOf('=');
      if (eq > 0) {
        found.push({
          ...base,
          name: text.slice(2, eq),
          value: text.slice(eq + 1),
          end: token.end,
          style: 'long='
        });
        continue;
      }
      const name = text.slice(2);
      const spec = table.long.get(name);
      // An unknown option followed by a word most likely takes it as value.
      const takes = spec ? spec.arg === 'required' : nextIsValue;
      if (takes && next) {
        found.push({
          ...base,
          name,
          value: next.text,
          end: next.end,
          style: 'long',
          valueToken: next
        });
        i++;
      } else {
        found.push({
          ...base,
          name,
          value: null,
          end: token.end,
          style: 'long'
        });
      }
      continue;
    }
    if (text.startsWith('-') && text.length > 1 && !text.startsWith('--')) {
      const letter = text.charAt(1);
      const spec = table.short.get(letter);
      const name = spec?.name ?? letter;
      const attached = text.slice(2);
      const takes = spec ? spec.arg !== 'none' : attached !== '' || nextIsValue;
      if (attached !== '' && takes) {
        found.push({
          ...base,
          name,
          value: attached,
          end: token.end,
          style: 'short-attached'
        });
      } else if (spec?.arg !== 'optional' && takes && next) {
        found.push({
          ...base,
          name,
          value: next.text,
          end: next.end,
          style: 'short',
          valueToken: next
        });
        i++;
      } else {
        found.push({
          ...base,
          name,
          value: null,
          end: token.end,
          style: 'short'
        });
      }
      continue;
    }
    // A stray word: keep it as an option of its own so it shows in "extra".
    found.push({
      ...base,
      name: text,
      value: null,
      end: token.end,
      style: 'long'
    });
  }
  return found;
}

interface IBlock {
  lines: string[];
  eol: string;
  occurrences: IOccurrence[];
  directiveLines: number[];
  blockEnd: number;
}

function readBlock(script: string, kind: SchedulerKind): IBlock {
  const { lines, eol } = splitLines(script);
  const occurrences: IOccurrence[] = [];
  const directiveLines: number[] = [];
  let blockEnd = lines.length;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (directiveStart(line, kind) >= 0) {
      directiveLines.push(n);
      occurrences.push(...lineOccurrences(line, n, kind));
    } else if (!isCommentOrBlank(line)) {
      blockEnd = n;
      break;
    }
  }
  return { lines, eol, occurrences, directiveLines, blockEnd };
}

// ---------------------------------------------------------------------------
// Which occurrence is which field

function slurmFieldOf(name: string): FieldName | null {
  for (const field of FIELD_NAMES) {
    if (SLURM_FIELDS[field]?.name === name) {
      return field;
    }
  }
  return null;
}

/** `a=1,b=2` -> [['a','1'],['b','2']] (a bare word has value ''). */
function splitResources(value: string): [string, string][] {
  return value
    .split(',')
    .filter(part => part !== '')
    .map(part => {
      const eq = part.indexOf('=');
      return eq < 0
        ? [part, '']
        : ([part.slice(0, eq), part.slice(eq + 1)] as [string, string]);
    });
}

function joinResources(parts: [string, string][]): string {
  return parts.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',');
}

/** A select chunk `2:ncpus=4:mem=4gb` as count and resources. */
interface IChunk {
  count: string;
  resources: [string, string][];
}

function parseChunk(spec: string): IChunk {
  // Only the first chunk of `a+b` selects is a form's business.
  const first = spec.split('+')[0];
  const parts = first.split(':');
  let count = '';
  if (parts.length > 0 && /^\d+$/.test(parts[0])) {
    count = parts.shift() as string;
  }
  const resources = parts
    .filter(p => p !== '')
    .map(p => {
      const eq = p.indexOf('=');
      return eq < 0
        ? ([p, ''] as [string, string])
        : ([p.slice(0, eq), p.slice(eq + 1)] as [string, string]);
    });
  return { count, resources };
}

function formatChunk(chunk: IChunk, rest: string): string {
  const parts: string[] = [];
  if (chunk.count !== '') {
    parts.push(chunk.count);
  }
  for (const [k, v] of chunk.resources) {
    parts.push(v === '' ? k : `${k}=${v}`);
  }
  const head = parts.join(':');
  return rest ? `${head}+${rest}` : head;
}

/** What a PBS `-l` value says about the fields. */
function pbsResourceFields(
  value: string
): Partial<Record<FieldName, string>> & { other: boolean } {
  const out: Partial<Record<FieldName, string>> & { other: boolean } = {
    other: false
  };
  for (const [key, val] of splitResources(value)) {
    if (key === 'walltime') {
      out.time_limit = val;
    } else if (key === 'select') {
      const chunk = parseChunk(val);
      if (chunk.count !== '') {
        out.nodes = chunk.count;
      }
      for (const [field, res] of Object.entries(PBS_CHUNK_FIELDS)) {
        const hit = chunk.resources.find(([k]) => k === res);
        if (hit) {
          out[field as FieldName] = hit[1];
        }
      }
    } else if (key === 'nodes' && /^\d+/.test(val)) {
      // Torque style: nodes=2:ppn=4
      const [count, ...rest] = val.split(':');
      out.nodes = count;
      const ppn = rest.find(r => r.startsWith('ppn='));
      if (ppn) {
        out.cpus = ppn.slice(4);
      }
    } else if (key === 'mem') {
      out.memory = val;
    } else if (key === 'ncpus') {
      out.cpus = val;
    } else if (key === 'ngpus') {
      out.gpus = val;
    } else {
      out.other = true;
    }
  }
  return out;
}

/**
 * What a Torque `-l` value says about the fields: `nodes=2:ppn=4:gpus=1`,
 * `mem=` (the whole job's), `walltime=`. Anything else (`pmem`, `procs`,
 * `select`...) is left alone as another resource.
 */
function torqueResourceFields(
  value: string
): Partial<Record<FieldName, string>> & { other: boolean } {
  const out: Partial<Record<FieldName, string>> & { other: boolean } = {
    other: false
  };
  for (const [key, val] of splitResources(value)) {
    if (key === 'walltime') {
      out.time_limit = val;
    } else if (key === 'mem') {
      out.memory = val;
    } else if (key === 'nodes' && val !== '') {
      const chunk = parseChunk(val);
      if (chunk.count !== '') {
        out.nodes = chunk.count;
      }
      for (const [field, res] of Object.entries(TORQUE_NODE_FIELDS)) {
        const hit = chunk.resources.find(([k]) => k === res);
        if (hit) {
          out[field as FieldName] = hit[1];
        }
      }
    } else {
      out.other = true;
    }
  }
  return out;
}

function resourceFields(
  kind: SchedulerKind,
  value: string
): Partial<Record<FieldName, string>> & { other: boolean } {
  return kind === 'torque'
    ? torqueResourceFields(value)
    : pbsResourceFields(value);
}

/** The field of a PBS occurrence that is one option, or null. */
function pbsOptionFieldOf(
  occ: IOccurrence,
  kind: SchedulerKind
): FieldName | null {
  for (const [field, letter] of Object.entries(optionFieldsOf(kind))) {
    if (occ.name === letter) {
      return field as FieldName;
    }
  }
  if (occ.name === 'W' && occ.value?.startsWith('depend=')) {
    return 'dependency';
  }
  return null;
}

/** Whether an occurrence feeds no form field (it goes to "extra"). */
function isExtra(occ: IOccurrence, kind: SchedulerKind): boolean {
  if (kind === 'slurm') {
    return slurmFieldOf(occ.name) === null;
  }
  if (pbsOptionFieldOf(occ, kind) !== null) {
    return false;
  }
  if (occ.name === 'l' && occ.value !== null) {
    const res = resourceFields(kind, occ.value);
    // A mixed `-l` line (walltime and a licence) counts as a field line;
    // its unknown resources stay where they are.
    return Object.keys(res).length === 1 && res.other;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Parsing

/** The form's view of a script: the fields its directives set and the rest. */
export function parseScript(
  script: string,
  kind: SchedulerKind
): IParsedScript {
  const block = readBlock(script, kind);
  const fields: Partial<Record<FieldName, string>> = {};
  const extra: string[] = [];
  for (const occ of block.occurrences) {
    if (isExtra(occ, kind)) {
      extra.push(block.lines[occ.line].slice(occ.start, occ.end));
      continue;
    }
    if (kind === 'slurm') {
      const field = slurmFieldOf(occ.name) as FieldName;
      // Later directives win, as in sbatch.
      fields[field] = occ.value ?? '';
    } else if (occ.name === 'l') {
      const res = resourceFields(kind, occ.value ?? '');
      for (const field of FIELD_NAMES) {
        const v = res[field];
        if (v !== undefined) {
          fields[field] = v;
        }
      }
    } else {
      const field = pbsOptionFieldOf(occ, kind) as FieldName;
      const value = occ.value ?? '';
      fields[field] =
        field === 'dependency' ? value.slice('depend='.length) : value;
    }
  }
  return {
    fields,
    extra,
    directiveLines: block.directiveLines,
    blockEnd: block.blockEnd
  };
}

// ---------------------------------------------------------------------------
// Rewriting

/** Quote a value for a directive when it holds whitespace, quotes or `#`. */
export function quoteValue(value: string): string {
  if (value !== '' && !/[\s"'#]/.test(value)) {
    return value;
  }
  return value.includes('"') ? `'${value}'` : `"${value}"`;
}

/** The option text to write for a field set to `value` (no prefix). */
function optionText(occName: string, kind: SchedulerKind, value: string) {
  const q = quoteValue(value);
  return kind === 'slurm' ? `--${occName}=${q}` : `-${occName} ${q}`;
}

/** The text of an occurrence with a new value, in the style it was written. */
function rewriteOccurrence(
  line: string,
  occ: IOccurrence,
  value: string
): string {
  const q = quoteValue(value);
  const raw = line.slice(occ.start, occ.end);
  switch (occ.style) {
    case 'long=':
      return `${raw.slice(0, raw.indexOf('=') + 1)}${q}`;
    case 'short-attached':
      return `${raw.slice(0, 2)}${q}`;
    default: {
      if (occ.valueToken) {
        // The option and the whitespace after it stay as written.
        return `${line.slice(occ.start, occ.valueToken.start)}${q}`;
      }
      return occ.style === 'long' ? `${raw}=${q}` : `${raw} ${q}`;
    }
  }
}

/** Replace `[start, end)` of a line; an emptied directive line becomes null. */
function spliceLine(
  line: string,
  kind: SchedulerKind,
  start: number,
  end: number,
  text: string
): string | null {
  if (text === '') {
    // Take the whitespace before the option with it.
    let s = start;
    while (s > 0 && /[ \t]/.test(line[s - 1])) {
      s--;
    }
    const next = line.slice(0, s) + line.slice(end);
    const from = directiveStart(next, kind);
    if (from >= 0 && tokenize(next, from).length === 0) {
      return null;
    }
    return next;
  }
  return line.slice(0, start) + text + line.slice(end);
}

/** Where a new directive line goes: after the last one, else after `#!`. */
function insertionLine(block: IBlock): number {
  if (block.directiveLines.length > 0) {
    return block.directiveLines[block.directiveLines.length - 1] + 1;
  }
  return block.lines.length > 0 && block.lines[0].startsWith('#!') ? 1 : 0;
}

function withLines(
  block: IBlock,
  edits: Map<number, string | null>,
  inserts: { at: number; lines: string[] } | null
): string {
  const out: string[] = [];
  block.lines.forEach((line, n) => {
    if (inserts && inserts.at === n) {
      out.push(...inserts.lines);
    }
    if (edits.has(n)) {
      const edited = edits.get(n);
      if (edited !== null && edited !== undefined) {
        out.push(edited);
      }
    } else {
      out.push(line);
    }
  });
  if (inserts && inserts.at >= block.lines.length) {
    out.push(...inserts.lines);
  }
  return out.join(block.eol);
}

/** A script needs `#!` for the scheduler; an empty one gets bash. */
function ensureShebang(script: string): string {
  return script.trim() === '' ? '#!/bin/bash\n' : script;
}

/**
 * Set one field's directive to `value`; an empty value removes it.
 *
 * The last directive that sets the field (the one the scheduler obeys) is
 * rewritten in place, keeping how it was written (`-t 10`, `--time=10`,
 * `--time 10`); without one, a line is added after the last directive.
 */
export function setField(
  script: string,
  kind: SchedulerKind,
  field: FieldName,
  value: string
): string {
  value = value.trim();
  if (value === '' && parseScript(script, kind).fields[field] === undefined) {
    return script;
  }
  if (value !== '') {
    script = ensureShebang(script);
  }
  const block = readBlock(script, kind);
  const pbsFamily = kind !== 'slurm';
  if (pbsFamily && field !== 'dependency' && !optionFieldsOf(kind)[field]) {
    return kind === 'torque'
      ? setTorqueResource(block, field, value)
      : setPbsResource(block, field, value);
  }
  const matches = block.occurrences.filter(occ =>
    kind === 'slurm'
      ? slurmFieldOf(occ.name) === field
      : pbsOptionFieldOf(occ, kind) === field
  );
  const written =
    pbsFamily && field === 'dependency' ? `depend=${value}` : value;
  const last = matches[matches.length - 1];
  const edits = new Map<number, string | null>();
  if (last) {
    const line = block.lines[last.line];
    const text = value === '' ? '' : rewriteOccurrence(line, last, written);
    edits.set(last.line, spliceLine(line, kind, last.start, last.end, text));
    if (value === '') {
      // Earlier directives of the field would take over: remove them too.
      removeOccurrences(block, matches.slice(0, -1), kind, edits);
    }
    return withLines(block, edits, null);
  }
  const name =
    kind === 'slurm'
      ? (SLURM_FIELDS[field] as IOptionSpec).name
      : field === 'dependency'
        ? 'W'
        : (optionFieldsOf(kind)[field] as string);
  const newLine = `${DIRECTIVE_PREFIX[kind]} ${optionText(name, kind, written)}`;
  return withLines(block, edits, {
    at: insertionLine(block),
    lines: [newLine]
  });
}

function removeOccurrences(
  block: IBlock,
  occurrences: IOccurrence[],
  kind: SchedulerKind,
  edits: Map<number, string | null>
): void {
  // From the right of each line, so earlier offsets stay valid.
  const sorted = [...occurrences].sort((a, b) =>
    a.line !== b.line ? a.line - b.line : b.start - a.start
  );
  for (const occ of sorted) {
    const current = edits.has(occ.line)
      ? edits.get(occ.line)
      : block.lines[occ.line];
    if (current === null || current === undefined) {
      continue;
    }
    edits.set(occ.line, spliceLine(current, kind, occ.start, occ.end, ''));
  }
}

/** A found resource: its `-l` occurrence, the resources there, and its index. */
interface IResourceHit {
  occ: IOccurrence;
  parts: [string, string][];
  at: number;
}

/**
 * Edits of a block's `-l` lines, shared by the PBS and Torque forms: the
 * last `-l` that names a resource (the one qsub obeys), its rewrite (the
 * line goes when nothing is left on it), a new `#PBS -l` line.
 */
function resourceEditor(block: IBlock, kind: SchedulerKind) {
  const lOccurrences = block.occurrences.filter(
    o => o.name === 'l' && o.value !== null
  );
  const edits = new Map<number, string | null>();
  return {
    lastWith: (key: string): IResourceHit | null => {
      for (let i = lOccurrences.length - 1; i >= 0; i--) {
        const parts = splitResources(lOccurrences[i].value as string);
        const at = parts.findIndex(([k]) => k === key);
        if (at >= 0) {
          return { occ: lOccurrences[i], parts, at };
        }
      }
      return null;
    },
    rewrite: (hit: IResourceHit): string => {
      const line = block.lines[hit.occ.line];
      const text =
        hit.parts.length === 0
          ? ''
          : rewriteOccurrence(line, hit.occ, joinResources(hit.parts));
      edits.set(
        hit.occ.line,
        spliceLine(line, kind, hit.occ.start, hit.occ.end, text)
      );
      return withLines(block, edits, null);
    },
    add: (resource: string): string =>
      withLines(block, edits, {
        at: insertionLine(block),
        lines: [`#PBS -l ${resource}`]
      }),
    unchanged: (): string => withLines(block, edits, null)
  };
}

/** The hit's resource set to `value` under `key`, or removed when it is ''. */
function setHit(hit: IResourceHit, key: string, value: string): void {
  if (value === '') {
    hit.parts.splice(hit.at, 1);
  } else {
    hit.parts[hit.at] = [key, value];
  }
}

/** A chunk's resource `key` set to `value`, added, or removed when ''. */
function setChunkResource(chunk: IChunk, key: string, value: string): void {
  const j = chunk.resources.findIndex(([k]) => k === key);
  if (value === '') {
    if (j >= 0) {
      chunk.resources.splice(j, 1);
    }
  } else if (j >= 0) {
    chunk.resources[j] = [key, value];
  } else {
    chunk.resources.push([key, value]);
  }
}

/** The first chunk of a `select=`/`nodes=` value, and the `+...` after it. */
function firstChunk(spec: string): { chunk: IChunk; rest: string } {
  const plus = spec.indexOf('+');
  return {
    chunk: parseChunk(spec),
    rest: plus < 0 ? '' : spec.slice(plus + 1)
  };
}

/** PBS resources: walltime is its own `-l`, the others live in `select`. */
function setPbsResource(
  block: IBlock,
  field: FieldName,
  value: string
): string {
  const l = resourceEditor(block, 'pbs');

  // A top-level resource of the same name (`-l walltime=`, `-l mem=`) first.
  const topKey =
    field === 'time_limit'
      ? 'walltime'
      : field === 'memory'
        ? 'mem'
        : field === 'cpus'
          ? 'ncpus'
          : field === 'gpus'
            ? 'ngpus'
            : null;
  if (topKey) {
    const hit = l.lastWith(topKey);
    if (hit) {
      setHit(hit, topKey, value);
      return l.rewrite(hit);
    }
    if (field === 'time_limit') {
      return value === '' ? l.unchanged() : l.add(`walltime=${value}`);
    }
  }

  // The select chunk: nodes is its count, the others its resources.
  const hit = l.lastWith('select');
  if (hit) {
    const { chunk, rest } = firstChunk(hit.parts[hit.at][1]);
    if (field === 'nodes') {
      chunk.count = value;
    } else {
      setChunkResource(chunk, PBS_CHUNK_FIELDS[field] as string, value);
    }
    setHit(hit, 'select', formatChunk(chunk, rest));
    return l.rewrite(hit);
  }
  if (value === '') {
    return l.unchanged();
  }
  const chunk =
    field === 'nodes'
      ? value
      : `1:${PBS_CHUNK_FIELDS[field] as string}=${value}`;
  return l.add(`select=${chunk}`);
}

/**
 * Torque resources: walltime and the job's memory are `-l` resources of their
 * own; nodes, CPUs per node (`ppn`) and GPUs per node live in `-l nodes=`.
 */
function setTorqueResource(
  block: IBlock,
  field: FieldName,
  value: string
): string {
  const l = resourceEditor(block, 'torque');

  const topKey =
    field === 'time_limit' ? 'walltime' : field === 'memory' ? 'mem' : null;
  if (topKey) {
    const hit = l.lastWith(topKey);
    if (hit) {
      setHit(hit, topKey, value);
      return l.rewrite(hit);
    }
    return value === '' ? l.unchanged() : l.add(`${topKey}=${value}`);
  }

  const key = TORQUE_NODE_FIELDS[field];
  const hit = l.lastWith('nodes');
  if (!hit) {
    if (value === '') {
      return l.unchanged();
    }
    return l.add(
      field === 'nodes' ? `nodes=${value}` : `nodes=1:${key}=${value}`
    );
  }
  const { chunk, rest } = firstChunk(hit.parts[hit.at][1]);
  if (field === 'nodes') {
    chunk.count = value;
  } else if (key) {
    setChunkResource(chunk, key, value);
  }
  if (chunk.count === '' && chunk.resources.length > 0) {
    // `nodes=` needs a count (or a host) before its properties: one node.
    chunk.count = '1';
  }
  if (
    field !== 'nodes' &&
    chunk.count === '1' &&
    chunk.resources.length === 0 &&
    rest === ''
  ) {
    // The last of ppn/gpus went: `nodes=1` alone is Torque's default.
    chunk.count = '';
  }
  setHit(hit, 'nodes', formatChunk(chunk, rest));
  return l.rewrite(hit);
}

/**
 * Replace the directives no field stands for with `extra` (one option per
 * entry, as the person wrote it: `--exclusive`, `-C haswell`).
 */
export function setExtra(
  script: string,
  kind: SchedulerKind,
  extra: string[]
): string {
  const wanted = extra.map(e => e.trim()).filter(e => e !== '');
  const current = parseScript(script, kind).extra;
  if (current.join('\n') === wanted.join('\n')) {
    return script;
  }
  if (wanted.length > 0) {
    script = ensureShebang(script);
  }
  const block = readBlock(script, kind);
  const edits = new Map<number, string | null>();
  const extras = block.occurrences.filter(o => isExtra(o, kind));
  removeOccurrences(block, extras, kind, edits);
  if (wanted.length === 0) {
    return withLines(block, edits, null);
  }
  // New lines go where the first removed one was, else after the directives.
  const at = extras.length > 0 ? extras[0].line : insertionLine(block);
  return withLines(block, edits, {
    at,
    lines: wanted.map(e => `${DIRECTIVE_PREFIX[kind]} ${e}`)
  });
}

/**
 * An extra option as argv words for `SubmitOptions.extra`, which wants one
 * word per option starting with `-`: `-C haswell` -> `-Chaswell`,
 * `--constraint haswell` -> `--constraint=haswell`.
 */
export function extraToWords(extra: string[], kind: SchedulerKind): string[] {
  const words: string[] = [];
  for (const entry of extra) {
    const tokens = tokenize(entry).map(t => t.text);
    if (tokens.length === 0 || !tokens[0].startsWith('-')) {
      continue;
    }
    const [option, ...rest] = tokens;
    if (rest.length === 0) {
      words.push(option);
    } else if (kind === 'slurm' && option.startsWith('--')) {
      words.push(`${option}=${rest.join(' ')}`);
    } else {
      words.push(`${option}${rest.join(' ')}`);
    }
  }
  return words;
}
