/**
 * Pure functions over kernel.json documents: the checks the server makes
 * (mirrored here so the editor can show them as the user types), path-list
 * editing, and the conversion between the document and the editor's draft.
 */
import type {
  IKernelSpecDocument,
  IKernelSpecRecord,
  ISpecFinding,
  ModulesMode
} from './api';
import { readPlacement, settingProblems } from './batch/placement';

export const NAME_PATTERN = /^[a-z0-9._-]+$/;
export const NAME_MAX_LENGTH = 100;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CONNECTION_FILE = '{connection_file}';
export const PATH_SEPARATOR = ':';

/** The fields the editor knows; the others are carried along untouched. */
export const KNOWN_FIELDS = [
  'argv',
  'display_name',
  'language',
  'interrupt_mode',
  'env',
  'metadata'
];

const PATH_LIKE = new Set([
  'PATH',
  'LD_LIBRARY_PATH',
  'PYTHONPATH',
  'MANPATH',
  'PKG_CONFIG_PATH',
  'CPATH',
  'LIBRARY_PATH'
]);

/** Whether a variable holds a ':'-separated list of folders. */
export function isPathLike(name: string): boolean {
  return PATH_LIKE.has(name) || name.endsWith('PATH');
}

/** The entries of a path list; "" is no entry at all. */
export function splitPathList(value: string): string[] {
  return value === '' ? [] : value.split(PATH_SEPARATOR);
}

export function joinPathList(entries: readonly string[]): string {
  return entries.join(PATH_SEPARATOR);
}

/** A copy of `items` with the item at `from` moved to `to` (clamped). */
export function moveItem<T>(
  items: readonly T[],
  from: number,
  to: number
): T[] {
  const copy = [...items];
  if (from < 0 || from >= copy.length) {
    return copy;
  }
  const target = Math.max(0, Math.min(copy.length - 1, to));
  const [item] = copy.splice(from, 1);
  copy.splice(target, 0, item);
  return copy;
}

/** Why `name` cannot name a new kernel, or null when it can. */
export function nameProblem(
  name: string,
  existing: readonly string[] = []
): string | null {
  if (!name) {
    return 'A kernel name is required.';
  }
  if (name.length > NAME_MAX_LENGTH) {
    return `A kernel name has at most ${NAME_MAX_LENGTH} characters.`;
  }
  if (name === '.' || name === '..' || !NAME_PATTERN.test(name)) {
    return "Use lowercase letters, digits, '.', '_' and '-' only.";
  }
  if (existing.includes(name)) {
    return `A kernel named '${name}' already exists.`;
  }
  return null;
}

/** A name derived from a display name: "My Env (GPU)" -> "my-env-gpu". */
export function suggestName(displayName: string): string {
  return displayName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, NAME_MAX_LENGTH);
}

/** One variable of the env block, as the editor holds it. */
export interface IEnvRow {
  key: string;
  /**
   * For path-like variables, the list entries; for the others one entry, the
   * whole value. Kept as entries so an empty entry being typed survives.
   */
  entries: string[];
}

export function envRowValue(row: IEnvRow): string {
  return joinPathList(row.entries);
}

export function envRowFromPair(key: string, value: string): IEnvRow {
  return { key, entries: isPathLike(key) ? splitPathList(value) : [value] };
}

/** The row with a new key; its entries are re-split when it becomes path-like. */
export function renameEnvRow(row: IEnvRow, key: string): IEnvRow {
  const value = envRowValue(row);
  return { key, entries: isPathLike(key) ? splitPathList(value) : [value] };
}

/** The editor's copy of a kernel.json, field by field. */
export interface IDraft {
  displayName: string;
  language: string;
  interruptMode: '' | 'signal' | 'message';
  argv: string[];
  env: IEnvRow[];
  /** The metadata object as the JSON text the user edits. */
  metadataText: string;
  /** Fields the editor does not know, written back as they came. */
  other: Record<string, unknown>;
}

export function draftFromSpec(spec: IKernelSpecDocument): IDraft {
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) {
    if (!KNOWN_FIELDS.includes(key)) {
      other[key] = value;
    }
  }
  const env = spec.env && typeof spec.env === 'object' ? spec.env : {};
  return {
    displayName: String(spec.display_name ?? ''),
    language: String(spec.language ?? ''),
    interruptMode:
      spec.interrupt_mode === 'signal' || spec.interrupt_mode === 'message'
        ? spec.interrupt_mode
        : '',
    argv: Array.isArray(spec.argv) ? spec.argv.map(String) : [],
    env: Object.entries(env).map(([k, v]) => envRowFromPair(k, String(v))),
    metadataText:
      spec.metadata === undefined ? '' : JSON.stringify(spec.metadata, null, 2),
    other
  };
}

/** The metadata object of a draft, or an error message. */
export function parseMetadata(
  text: string
): { value: Record<string, unknown> | undefined } | { error: string } {
  if (!text.trim()) {
    return { value: undefined };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `metadata is not valid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'metadata must be a JSON object ({...}).' };
  }
  return { value: value as Record<string, unknown> };
}

/**
 * The kernel.json of a draft. Empty optional fields are left out; a draft with
 * problems still converts (with invalid metadata left as it was in `base`).
 */
export function specFromDraft(
  draft: IDraft,
  base: IKernelSpecDocument = {}
): IKernelSpecDocument {
  const spec: IKernelSpecDocument = {
    argv: [...draft.argv],
    display_name: draft.displayName
  };
  if (draft.language) {
    spec.language = draft.language;
  }
  if (draft.interruptMode) {
    spec.interrupt_mode = draft.interruptMode;
  }
  if (draft.env.length > 0 || base.env !== undefined) {
    const env: Record<string, string> = {};
    for (const row of draft.env) {
      env[row.key] = envRowValue(row);
    }
    spec.env = env;
  }
  const metadata = parseMetadata(draft.metadataText);
  if ('value' in metadata) {
    if (metadata.value !== undefined) {
      spec.metadata = metadata.value;
    }
  } else if (base.metadata !== undefined) {
    spec.metadata = base.metadata;
  }
  return { ...spec, ...draft.other };
}

/** What blocks a save, field by field (the server checks the same). */
export function draftProblems(draft: IDraft): ISpecFinding[] {
  const found: ISpecFinding[] = [];
  if (!draft.displayName.trim()) {
    found.push({
      field: 'display_name',
      message: 'The display name must not be empty.'
    });
  }
  if (draft.argv.length === 0) {
    found.push({ field: 'argv', message: 'The command must not be empty.' });
  } else {
    if (!draft.argv[0].trim()) {
      found.push({
        field: 'argv',
        message: 'The first entry, the program to run, must not be empty.'
      });
    }
    if (!draft.argv.some(a => a.includes(CONNECTION_FILE))) {
      found.push({
        field: 'argv',
        message: `The command must contain ${CONNECTION_FILE}: the kernel reads its ports from that file.`
      });
    }
  }
  const seen = new Set<string>();
  draft.env.forEach(row => {
    const field = `env.${row.key}`;
    if (!ENV_NAME_PATTERN.test(row.key)) {
      found.push({
        field,
        message: row.key
          ? `'${row.key}' is not a valid variable name: use letters, digits and '_', not starting with a digit.`
          : 'A variable needs a name.'
      });
    } else if (seen.has(row.key)) {
      found.push({ field, message: `${row.key} is set twice.` });
    }
    seen.add(row.key);
  });
  const metadata = parseMetadata(draft.metadataText);
  if ('error' in metadata) {
    found.push({ field: 'metadata', message: metadata.error });
  }
  // A batch kernel's settings (the "Where it runs" section shows them too).
  const placement = readPlacement(draft.metadataText);
  if (placement.where === 'batch') {
    for (const p of settingProblems(placement.settings)) {
      found.push({
        field: `metadata.kernel_provisioner.config.${p.field}`,
        message: p.message
      });
    }
  }
  return found;
}

// string.Template's syntax, which jupyter_client uses to expand env values at
// launch: "$$" is a literal "$", "$NAME" and "${NAME}" are references.
const REFERENCE =
  /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g;

/** The variables `value` refers to as `$NAME` or `${NAME}`, in order. */
export function envReferences(value: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    if (!match[1]) {
      names.push(match[2] ?? match[3]);
    }
  }
  return names;
}

/**
 * Whether a bare `python` argv[0] is worth a warning for this kernel (the
 * server's `bare_python_matters`): only where the user can change it, and not
 * in the server's own environment (location `env`, where ipykernel's stock
 * "Python 3 (ipykernel)" kernel means the server's Python on purpose).
 */
export function barePythonMatters(
  record: Pick<IKernelSpecRecord, 'location' | 'writable'>
): boolean {
  return record.writable && record.location !== 'env';
}

/**
 * What will probably not do what the user means (not blocking). References
 * are checked when the server's variable names are known; the bare-`python`
 * warning only when `checkPython` (see `barePythonMatters`).
 */
export function draftWarnings(
  draft: IDraft,
  serverPythonNames: readonly string[],
  serverEnvNames: ReadonlySet<string> | null = null,
  checkPython = true
): ISpecFinding[] {
  const found: ISpecFinding[] = [];
  const first = draft.argv[0];
  if (checkPython && first !== undefined && serverPythonNames.includes(first)) {
    found.push({
      field: 'argv',
      message: `'${first}' is a bare name: jupyter_client replaces it with the server's own Python, not the one on PATH. Use the full path of the interpreter you mean.`
    });
  }
  if (serverEnvNames) {
    for (const row of draft.env) {
      const refs = new Set(envReferences(envRowValue(row)));
      for (const ref of refs) {
        if (!serverEnvNames.has(ref)) {
          found.push({
            field: `env.${row.key}`,
            message: `${row.key} refers to \${${ref}}, which is not set in the server's environment: the kernel will see the text \${${ref}} as is.`
          });
        }
      }
    }
  }
  return found;
}

/** The modules attached to a kernel, as recorded in its metadata. */
export interface IAttachedModules {
  mode: ModulesMode;
  modules: string[];
}

/** `metadata.jupyterlab_hpc.modules` of a kernel.json, or null when none. */
export function attachedModules(
  spec: IKernelSpecDocument
): IAttachedModules | null {
  const ours = (spec.metadata as Record<string, unknown> | undefined)?.[
    'jupyterlab_hpc'
  ];
  const found =
    ours && typeof ours === 'object'
      ? (ours as Record<string, unknown>)['modules']
      : undefined;
  if (!found || typeof found !== 'object') {
    return null;
  }
  const { mode, modules } = found as Record<string, unknown>;
  if ((mode !== 'capture' && mode !== 'launch') || !Array.isArray(modules)) {
    return null;
  }
  return { mode, modules: modules.filter(m => typeof m === 'string') };
}

/** The module launcher argv starts with (`python -m <this> ... --`). */
export const LAUNCHER_MODULE = 'jupyterlab_hpc.kernel_launcher';

/**
 * A capture written before the launcher took part (kernel.json's argv has no
 * launcher prefix): the kernel also gets the server session's modules until it
 * is captured again (see docs/architecture.md).
 */
export function isOldCapture(spec: IKernelSpecDocument): boolean {
  const argv = spec.argv ?? [];
  const launched =
    argv[1] === '-m' && argv[2] === LAUNCHER_MODULE && argv.includes('--');
  return attachedModules(spec)?.mode === 'capture' && !launched;
}

/** Module names typed in one box: separated by spaces or commas, no repeats. */
export function parseModuleList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
