/**
 * How each form field is labelled and hinted, per batch system.
 */
import { FieldName, SchedulerKind } from './directives';

export interface IFieldText {
  label: string;
  placeholder: string;
  /** The directive it writes, for the tooltip. */
  option: string;
}

const SLURM: Record<FieldName, IFieldText> = {
  name: { label: 'Job name', placeholder: 'my-job', option: '--job-name' },
  partition: { label: 'Partition', placeholder: '', option: '--partition' },
  account: {
    label: 'Account',
    placeholder: 'your default',
    option: '--account'
  },
  qos: { label: 'QOS', placeholder: 'normal', option: '--qos' },
  nodes: { label: 'Nodes', placeholder: '1', option: '--nodes' },
  ntasks: { label: 'Tasks', placeholder: '1', option: '--ntasks' },
  cpus: { label: 'CPUs per task', placeholder: '1', option: '--cpus-per-task' },
  memory: { label: 'Memory per node', placeholder: '4G', option: '--mem' },
  time_limit: {
    label: 'Time limit',
    placeholder: 'minutes or d-hh:mm:ss',
    option: '--time'
  },
  gpus: { label: 'GPUs', placeholder: '0', option: '--gpus' },
  gres: { label: 'GRES', placeholder: 'gpu:a100:2', option: '--gres' },
  array: { label: 'Array', placeholder: '1-10%2', option: '--array' },
  dependency: {
    label: 'Dependency',
    placeholder: 'afterok:123',
    option: '--dependency'
  },
  output: {
    label: 'Output file',
    placeholder: 'slurm-%j.out',
    option: '--output'
  },
  error: {
    label: 'Error file',
    placeholder: 'with the output',
    option: '--error'
  },
  mail_type: {
    label: 'Mail when',
    placeholder: 'END,FAIL',
    option: '--mail-type'
  },
  mail_user: {
    label: 'Mail to',
    placeholder: 'you@example.org',
    option: '--mail-user'
  }
};

const PBS: Record<FieldName, IFieldText> = {
  ...SLURM,
  name: { label: 'Job name', placeholder: 'my-job', option: '-N' },
  partition: { label: 'Queue', placeholder: '', option: '-q' },
  account: { label: 'Account', placeholder: 'your default', option: '-A' },
  nodes: { label: 'Chunks (nodes)', placeholder: '1', option: '-l select=N' },
  ntasks: {
    label: 'MPI ranks per chunk',
    placeholder: '1',
    option: 'mpiprocs'
  },
  cpus: { label: 'CPUs per chunk', placeholder: '1', option: 'ncpus' },
  memory: { label: 'Memory per chunk', placeholder: '4gb', option: 'mem' },
  time_limit: {
    label: 'Walltime',
    placeholder: 'hh:mm:ss',
    option: '-l walltime'
  },
  gpus: { label: 'GPUs per chunk', placeholder: '0', option: 'ngpus' },
  array: { label: 'Array', placeholder: '1-10:2', option: '-J' },
  dependency: {
    label: 'Dependency',
    placeholder: 'afterok:123.server',
    option: '-W depend='
  },
  output: { label: 'Output file', placeholder: 'name.o<id>', option: '-o' },
  error: { label: 'Error file', placeholder: 'name.e<id>', option: '-e' },
  mail_type: { label: 'Mail when', placeholder: 'abe', option: '-m' },
  mail_user: { label: 'Mail to', placeholder: 'you@example.org', option: '-M' }
};

/**
 * Torque's forms: one `-l nodes=N:ppn=C:gpus=G` for the nodes, and `mem` for
 * the whole job (Torque's meaning), not per node as Slurm's `--mem`.
 */
const TORQUE: Record<FieldName, IFieldText> = {
  ...PBS,
  nodes: { label: 'Nodes', placeholder: '1', option: '-l nodes=N' },
  cpus: {
    label: 'CPUs per node (ppn)',
    placeholder: '1',
    option: '-l nodes=N:ppn=C'
  },
  gpus: {
    label: 'GPUs per node',
    placeholder: '0',
    option: '-l nodes=N:gpus=G'
  },
  memory: {
    label: 'Memory, whole job',
    placeholder: '8gb',
    option: '-l mem (all nodes together)'
  },
  array: { label: 'Array', placeholder: '1-10%2', option: '-t' }
};

const TEXTS: Record<SchedulerKind, Record<FieldName, IFieldText>> = {
  slurm: SLURM,
  pbs: PBS,
  torque: TORQUE
};

export function fieldText(kind: SchedulerKind, field: FieldName): IFieldText {
  return TEXTS[kind][field];
}

// Torque's array request (its qsub man page): ids and ranges, comma-separated,
// then an optional %slot-limit. There is no step.
const TORQUE_ARRAY = /^\d+(-\d+)?(,\d+(-\d+)?)*(%\d+)?$/;

/**
 * Why the batch system would not take a field's value as written, in a
 * sentence for the form; null when there is nothing to say. Only what the
 * form can tell for sure: the server checks everything again.
 */
export function fieldProblem(
  kind: SchedulerKind,
  field: FieldName,
  value: string
): string | null {
  const text = value.trim();
  if (text === '' || kind !== 'torque' || field !== 'array') {
    return null;
  }
  if (text.includes(':')) {
    return 'Torque arrays have no step: use first-last (1-10), a list (1,3,5-7), and %N for at most N at once (1-10%2).';
  }
  if (!TORQUE_ARRAY.test(text)) {
    return `Torque does not understand the array ${text}: use first-last (1-10), a list (1,3,5-7), and %N for at most N at once (1-10%2).`;
  }
  return null;
}

/** The form's sections, in order. */
export const SECTIONS: { title: string; fields: FieldName[] }[] = [
  { title: 'Job', fields: ['name', 'partition', 'account', 'qos'] },
  {
    title: 'Resources',
    fields: ['nodes', 'ntasks', 'cpus', 'memory', 'time_limit', 'gpus', 'gres']
  },
  { title: 'Scheduling', fields: ['array', 'dependency'] },
  {
    title: 'Output and mail',
    fields: ['output', 'error', 'mail_type', 'mail_user']
  }
];
