/**
 * The typed client of the kernelspec REST API
 * (`{base_url}jupyterlab-hpc/kernelspecs...`, see docs/architecture.md).
 */
import { requestAPI } from '../common/request';

/** A problem or warning, tied to a field (`argv`, `env.PATH`, `metadata`...). */
export interface ISpecFinding {
  field: string;
  message: string;
}

/** What the editor loaded; a save names it so a change made meanwhile is seen. */
export interface IFileVersion {
  mtime_ns: number;
  sha256: string;
}

/** The kernel.json document; fields this package does not know are kept as is. */
export interface IKernelSpecDocument {
  argv?: string[];
  display_name?: string;
  language?: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Which of Jupyter's search folders a kernel lives in. */
export type KernelLocation =
  'user' | 'env' | 'system' | 'path' | 'legacy' | 'builtin' | 'other';

export interface IKernelSpecRecord {
  name: string;
  display_name: string;
  language: string;
  resource_dir: string;
  location: KernelLocation;
  writable: boolean;
  /** Why the kernel cannot be edited in place; "" when it can. */
  readonly_reason: string;
  deletable: boolean;
  /** The kernel.json (or, for the built-in Python kernel, what it amounts to). */
  spec: IKernelSpecDocument;
  /** False for the built-in Python kernel, which has no kernel.json. */
  has_file: boolean;
  version: IFileVersion | null;
  /** Set when kernel.json cannot be read. */
  error: string;
  problems: ISpecFinding[];
  warnings: ISpecFinding[];
}

export interface IKernelSpecListing {
  kernelspecs: IKernelSpecRecord[];
  default: string | null;
  user_dir: string;
  folders: { path: string; location: KernelLocation }[];
  /** The argv[0] names jupyter_client replaces with the server's own Python. */
  server_python_names: string[];
  /** The names of the variables set in the server's environment (no values). */
  server_env_names: string[];
}

/** One variable the kernel sees that differs from the server's environment. */
export interface ILaunchDifference {
  name: string;
  change: 'added' | 'changed' | 'removed';
  /** The kernel's value (null: removed). */
  kernel: string | null;
  /** The server's value (null: added). */
  server: string | null;
  /**
   * Who set it when not the kernel's own setup: "jupyter" (jupyter_client's
   * variables), "kernel" (the kernel process itself once started: ipykernel's
   * TERM, PAGER...); null for kernel.json's env, a wrapper, the modules.
   */
  set_by: 'jupyter' | 'kernel' | null;
}

/** What a test launch found. */
export interface ILaunchResult {
  ok: boolean;
  name: string;
  language: string;
  message: string;
  executable: string | null;
  /** PATH, LD_LIBRARY_PATH, PYTHONPATH and the env block's variables. */
  variables: Record<string, string | null> | null;
  /** Every variable that differs from the server's environment (Python kernels). */
  differences?: ILaunchDifference[] | null;
  /** The loaded modules (LOADEDMODULES) of the kernel and of the server session. */
  modules?: { kernel: string[]; server: string[] } | null;
  output: string;
  stderr: string;
  seconds: number;
}

/** Where a new kernel comes from. */
export type CreateSource = { kernel: string } | { interpreter: string };

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function listKernelSpecs(): Promise<IKernelSpecListing> {
  return requestAPI<IKernelSpecListing>('kernelspecs');
}

export function getKernelSpec(name: string): Promise<IKernelSpecRecord> {
  return requestAPI<IKernelSpecRecord>(
    `kernelspecs/${encodeURIComponent(name)}`
  );
}

export function createKernelSpec(
  name: string,
  source: CreateSource,
  displayName?: string
): Promise<IKernelSpecRecord> {
  const body: Record<string, unknown> = { name, from: source };
  if (displayName) {
    body.display_name = displayName;
  }
  return requestAPI<IKernelSpecRecord>('kernelspecs', {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body)
  });
}

/** Save; rejects with status 409 when kernel.json changed since `version`. */
export function saveKernelSpec(
  name: string,
  spec: IKernelSpecDocument,
  version: IFileVersion
): Promise<IKernelSpecRecord> {
  return requestAPI<IKernelSpecRecord>(
    `kernelspecs/${encodeURIComponent(name)}`,
    {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ spec, version })
    }
  );
}

export async function deleteKernelSpec(name: string): Promise<void> {
  await requestAPI<null>(`kernelspecs/${encodeURIComponent(name)}`, {
    method: 'DELETE'
  });
}

export function testLaunch(name: string): Promise<ILaunchResult> {
  return requestAPI<ILaunchResult>(
    `kernelspecs/${encodeURIComponent(name)}/launch`,
    { method: 'POST', headers: JSON_HEADERS, body: '{}' }
  );
}

/** How modules are attached to a kernel (see docs/architecture.md). */
export type ModulesMode = 'capture' | 'launch';

/**
 * Attach `modules` to the kernel: "capture" writes what they set into env,
 * "launch" makes argv load them each time the kernel starts. Either way the
 * launcher starts the kernel without the server session's modules. An empty list
 * takes the modules away. Rejects with 409 when kernel.json changed since
 * `version`, 422 when a module fails to load.
 */
export function attachModules(
  name: string,
  mode: ModulesMode,
  modules: string[],
  version: IFileVersion
): Promise<IKernelSpecRecord> {
  return requestAPI<IKernelSpecRecord>(
    `kernelspecs/${encodeURIComponent(name)}/modules/${mode}`,
    {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ modules, version })
    }
  );
}

/** The functions the model calls; tests pass fakes. */
export interface IKernelsApi {
  listKernelSpecs: typeof listKernelSpecs;
  createKernelSpec: typeof createKernelSpec;
  saveKernelSpec: typeof saveKernelSpec;
  deleteKernelSpec: typeof deleteKernelSpec;
  testLaunch: typeof testLaunch;
  attachModules: typeof attachModules;
}

export const KERNELS_API: IKernelsApi = {
  listKernelSpecs,
  createKernelSpec,
  saveKernelSpec,
  deleteKernelSpec,
  testLaunch,
  attachModules
};
