/**
 * Where a kernel runs, as its kernel.json metadata says (pure): on the Jupyter
 * server, or in a batch job (`metadata.kernel_provisioner` naming
 * `hpc-batch`, with the job's resources in its `config`), or by another
 * provisioner the editor leaves alone. Read from and written into the
 * metadata's JSON text, keeping every other key as it was.
 */

export const PROVISIONER_NAME = 'hpc-batch';

/** The resource fields the editor shows, in the kernel.json's words. */
export interface IBatchSettings {
  partition: string;
  time_limit: string;
  nodes: string;
  cpus: string;
  memory: string;
  gpus: string;
  account: string;
  qos: string;
  restart: 'keep' | 'renew';
  /** A running Slurm job of the user's (an salloc allocation) the kernel joins. */
  allocation: string;
  /** Modules loaded in the job before the kernel starts, separated by spaces. */
  modules: string;
  /** Other options of the batch system, one per line. */
  extra: string;
  /** Minutes the job may wait in the queue (0: no limit; empty: the site's). */
  queue_timeout: string;
}

export type BatchField = keyof IBatchSettings;

export const EMPTY_SETTINGS: IBatchSettings = {
  partition: '',
  time_limit: '',
  nodes: '',
  cpus: '',
  memory: '',
  gpus: '',
  account: '',
  qos: '',
  restart: 'keep',
  allocation: '',
  modules: '',
  extra: '',
  queue_timeout: ''
};

/** Fields kept as JSON lists of words: modules split at spaces, extra at line ends. */
const LISTS: Partial<Record<BatchField, RegExp>> = {
  modules: /\s+/,
  extra: /\r?\n/
};

/** What a kernel in an allocation may still ask for; the rest is the job's. */
export const STEP_FIELDS: BatchField[] = ['cpus', 'memory', 'gpus'];

/** Fields written as JSON numbers. */
const COUNTS: BatchField[] = ['nodes', 'cpus', 'gpus'];
/** Counts that may be 0. */
const MINUTE_FIELDS: BatchField[] = ['queue_timeout'];

export type Placement =
  | { where: 'server' }
  | { where: 'batch'; settings: IBatchSettings }
  | { where: 'other'; provisioner: string }
  | { where: 'unreadable' };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string): Json | null {
  if (!text.trim()) {
    return {};
  }
  try {
    const value = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export function readPlacement(metadataText: string): Placement {
  const metadata = parse(metadataText);
  if (metadata === null) {
    return { where: 'unreadable' };
  }
  const stanza = metadata.kernel_provisioner;
  if (stanza === undefined) {
    return { where: 'server' };
  }
  if (!isObject(stanza)) {
    return { where: 'unreadable' };
  }
  const name = String(stanza.provisioner_name ?? '');
  if (name !== PROVISIONER_NAME) {
    return { where: 'other', provisioner: name };
  }
  const config = isObject(stanza.config) ? stanza.config : {};
  const settings = { ...EMPTY_SETTINGS };
  for (const field of Object.keys(EMPTY_SETTINGS) as BatchField[]) {
    const value = config[field];
    if (field === 'restart') {
      settings.restart = value === 'renew' ? 'renew' : 'keep';
    } else if (LISTS[field] && Array.isArray(value)) {
      settings[field] = value.map(String).join(field === 'extra' ? '\n' : ' ');
    } else if (typeof value === 'string' || typeof value === 'number') {
      settings[field] = String(value);
    }
  }
  return { where: 'batch', settings };
}

/**
 * The metadata text with the kernel placed on the server (no
 * `kernel_provisioner`) or in a batch job with `settings`. Settings the
 * editor does not show (modules, extra, queue_timeout) are kept; an empty
 * field is left out. Unreadable metadata comes back as it was.
 */
export function writePlacement(
  metadataText: string,
  where: 'server' | 'batch',
  settings: IBatchSettings = EMPTY_SETTINGS
): string {
  const metadata = parse(metadataText);
  if (metadata === null) {
    return metadataText;
  }
  if (where === 'server') {
    delete metadata.kernel_provisioner;
  } else {
    const old = metadata.kernel_provisioner;
    const oldConfig =
      isObject(old) &&
      old.provisioner_name === PROVISIONER_NAME &&
      isObject(old.config)
        ? old.config
        : {};
    const config: Json = { ...oldConfig };
    for (const field of Object.keys(EMPTY_SETTINGS) as BatchField[]) {
      const value = settings[field].trim();
      if (field === 'restart') {
        if (value === 'renew') {
          config.restart = 'renew';
        } else {
          delete config.restart;
        }
      } else if (!value) {
        delete config[field];
      } else if (LISTS[field]) {
        config[field] = value
          .split(LISTS[field]!)
          .map(word => word.trim())
          .filter(Boolean);
      } else if (
        [...COUNTS, ...MINUTE_FIELDS].includes(field) &&
        /^[0-9]+$/.test(value)
      ) {
        config[field] = Number(value);
      } else {
        config[field] = value;
      }
    }
    metadata.kernel_provisioner = {
      provisioner_name: PROVISIONER_NAME,
      config
    };
  }
  return Object.keys(metadata).length === 0
    ? ''
    : JSON.stringify(metadata, null, 2);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PARTITIONS =
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9._-]{0,63})*$/;
const MINUTES = /^[0-9]{1,7}$/;
const CLOCK = /^([0-9]{1,4}-)?[0-9]{1,4}:[0-5][0-9]:[0-5][0-9]$/;
const MEMORY = /^[1-9][0-9]{0,12}[KMGTkmgt]?$/;
const JOB_ID = /^[1-9][0-9]{0,9}$/;
// As the server's modules/base.py: no spaces, not starting with "-".
const MODULE = /^[A-Za-z0-9_.+][A-Za-z0-9_.+@%~:,=/-]{0,254}$/;
const OPTION = /^-\S+$/;

/**
 * What is wrong with the settings, per field, as the server would say it
 * (it checks again when the kernel is saved and when it starts).
 */
export function settingProblems(
  settings: IBatchSettings
): { field: BatchField; message: string }[] {
  const found: { field: BatchField; message: string }[] = [];
  const check = (field: BatchField, ok: boolean, message: string) => {
    if (settings[field].trim() && !ok) {
      found.push({ field, message });
    }
  };
  const value = (field: BatchField) => settings[field].trim();
  check(
    'partition',
    PARTITIONS.test(value('partition')),
    'A partition name is letters, digits, “.”, “_” and “-”.'
  );
  check(
    'time_limit',
    MINUTES.test(value('time_limit')) || CLOCK.test(value('time_limit')),
    'Write the time limit in minutes (90) or as [days-]hours:minutes:seconds (1-12:00:00).'
  );
  for (const field of COUNTS) {
    const n = Number(value(field));
    check(
      field,
      /^[0-9]+$/.test(value(field)) && n >= 1 && n <= 1_000_000,
      `${field === 'cpus' ? 'CPUs' : field === 'gpus' ? 'GPUs' : 'Nodes'} must be a whole number from 1.`
    );
  }
  check(
    'memory',
    MEMORY.test(value('memory')),
    'Write the memory as a number with an optional unit K, M, G or T (e.g. 4G).'
  );
  check(
    'account',
    NAME.test(value('account')),
    'An account is letters, digits, “.”, “_” and “-”.'
  );
  check(
    'qos',
    NAME.test(value('qos')),
    'A QOS is letters, digits, “.”, “_” and “-”.'
  );
  check(
    'allocation',
    JOB_ID.test(value('allocation')),
    'The allocation is the id of a running job of yours, digits only (salloc prints it: “Granted job allocation 1234”).'
  );
  const badModule = value('modules')
    .split(/\s+/)
    .find(name => name && !MODULE.test(name));
  check(
    'modules',
    !badModule,
    `“${badModule}” is not a module name: letters, digits and . _ + @ % ~ : , = / -, starting with a letter, a digit or . _ +.`
  );
  const badOption = value('extra')
    .split(/\r?\n/)
    .map(line => line.trim())
    .find(line => line && !OPTION.test(line));
  check(
    'extra',
    !badOption,
    `“${badOption}” is not an option: one option per line, starting with “-”, no spaces (--constraint=intel).`
  );
  const minutes = Number(value('queue_timeout'));
  check(
    'queue_timeout',
    /^[0-9]{1,6}$/.test(value('queue_timeout')) && minutes <= 525600,
    'The queue timeout is whole minutes from 0 (no limit) to 525600.'
  );
  if (value('allocation')) {
    for (const field of Object.keys(EMPTY_SETTINGS) as BatchField[]) {
      const set = value(field);
      const oneNode = field === 'nodes' && set === '1';
      if (
        set &&
        !oneNode &&
        ![
          'allocation',
          'restart',
          'modules',
          'queue_timeout',
          ...STEP_FIELDS
        ].includes(field)
      ) {
        found.push({
          field,
          message: `${FIELD_WORDS[field]} belongs to the job the kernel joins, not to the kernel: leave it empty.`
        });
      }
    }
  }
  return found;
}

const FIELD_WORDS: Record<BatchField, string> = {
  partition: 'The partition',
  time_limit: 'The time limit',
  nodes: 'The number of nodes',
  cpus: 'CPUs',
  memory: 'Memory',
  gpus: 'GPUs',
  account: 'The account',
  qos: 'The QOS',
  restart: 'Restart',
  allocation: 'The allocation',
  modules: 'Modules',
  extra: 'Other options',
  queue_timeout: 'The queue timeout'
};

/** "debug, 4 CPUs, 8G, 60 min": the settings in a few words. */
export function settingsSummary(settings: IBatchSettings): string {
  const allocation = settings.allocation.trim();
  const parts = [
    allocation
      ? `allocation ${allocation}`
      : settings.partition.trim() || 'default partition'
  ];
  const count = (n: string, one: string) =>
    n.trim() ? `${n.trim()} ${one}${n.trim() === '1' ? '' : 's'}` : '';
  const time = settings.time_limit.trim();
  return [
    ...parts,
    Number(settings.nodes) > 1 ? count(settings.nodes, 'node') : '',
    count(settings.cpus, 'CPU'),
    settings.memory.trim(),
    count(settings.gpus, 'GPU'),
    time ? (MINUTES.test(time) ? `${time} min` : time) : ''
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The submit form's options for a kernel's job with these settings, as the
 * server's check takes them (`jobs/submit`); null when the settings are not
 * a job of its own (an allocation) or still have problems.
 */
export function submitOptionsOf(
  settings: IBatchSettings
): Record<string, unknown> | null {
  if (settings.allocation.trim() || settingProblems(settings).length) {
    return null;
  }
  const options: Record<string, unknown> = {};
  for (const field of [
    'partition',
    'time_limit',
    'memory',
    'account',
    'qos'
  ] as const) {
    const value = settings[field].trim();
    if (value) {
      options[field] = value;
    }
  }
  for (const field of COUNTS) {
    const value = settings[field].trim();
    if (value) {
      options[field] = Number(value);
    }
  }
  const extra = settings.extra
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(Boolean);
  if (extra.length) {
    options.extra = extra;
  }
  return options;
}
