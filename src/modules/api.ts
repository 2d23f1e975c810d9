/**
 * The typed client of the modules REST API (`jupyterlab-hpc/modules/...`,
 * see docs/architecture.md). Every call goes through `requestAPI`.
 */
import { requestAPI } from '../common/request';

/** Where a change of modules goes. Only the server session for now. */
export type ModuleTarget = 'server';

export interface ModuleSystemInfo {
  kind: 'lmod' | 'environment-modules' | null;
  label: string | null;
  version: string | null;
  available: boolean;
  message: string;
  /** Whether "search all" covers the whole hierarchy (Lmod spider). */
  hierarchy_search: boolean;
}

export interface LoadedModule {
  full_name: string;
  path: string;
}

/** Kernels and terminals already running: a change does not reach them. */
export interface NotAffected {
  kernels: { id: string; name: string; path: string }[];
  terminals: { name: string }[];
}

export interface ModuleStatus {
  system: ModuleSystemInfo;
  loaded?: LoadedModule[];
  modulepath?: string[];
  start_errors?: string[];
  targets?: ModuleTarget[];
  not_affected?: NotAffected;
}

export interface AvailableModule {
  full_name: string;
  package: string;
  version: string;
  default: boolean;
  hidden: boolean;
  path: string;
}

export interface AvailResult {
  modulepath: string[];
  fetched_at: number;
  duration: number;
  cached: boolean;
  /** Whether hidden modules are in `modules` (marked `hidden`). */
  with_hidden: boolean;
  modules: AvailableModule[];
}

export interface SpiderHit {
  full_name: string;
  package: string;
  version: string;
  description: string;
  path: string;
  default: boolean;
  /** Each list is one way to make the module available: load these first. */
  load_first: string[][];
}

export interface SpiderResult {
  query: string;
  hierarchy: boolean;
  message: string;
  cached: boolean;
  hits: SpiderHit[];
}

export interface EnvAction {
  action: string;
  name: string;
  value: string;
}

export interface ModuleDetails {
  full_name: string;
  path: string;
  whatis: string[];
  help: string;
  actions: EnvAction[];
  show: string;
}

/** The answer of every change: the new state of the session. */
export interface ChangeResult {
  target: ModuleTarget;
  loaded: LoadedModule[];
  modulepath: string[];
  changed: string[];
  not_affected: NotAffected;
}

const post = <T>(path: string, body: unknown): Promise<T> =>
  requestAPI<T>(`modules/${path}`, {
    method: 'POST',
    body: JSON.stringify(body)
  });

export function fetchStatus(): Promise<ModuleStatus> {
  return requestAPI<ModuleStatus>('modules/status');
}

interface AvailWire {
  modulepath: string[];
  fetched_at: number;
  duration: number;
  cached: boolean;
  with_hidden: boolean;
  columns: string[];
  rows: unknown[][];
}

/** Decode the columnar avail answer (exported for tests). */
export function decodeAvail(data: AvailWire): AvailResult {
  const at = (name: keyof AvailableModule) => data.columns.indexOf(name);
  const [cName, cPackage, cVersion, cDefault, cHidden, cPath] = [
    at('full_name'),
    at('package'),
    at('version'),
    at('default'),
    at('hidden'),
    at('path')
  ];
  const text = (row: unknown[], i: number) =>
    i < 0 || row[i] === null || row[i] === undefined ? '' : String(row[i]);
  return {
    modulepath: data.modulepath,
    fetched_at: data.fetched_at,
    duration: data.duration,
    cached: data.cached,
    with_hidden: data.with_hidden === true,
    modules: data.rows.map(row => ({
      full_name: text(row, cName),
      package: text(row, cPackage),
      version: text(row, cVersion),
      default: cDefault >= 0 && row[cDefault] === true,
      hidden: cHidden >= 0 && row[cHidden] === true,
      path: text(row, cPath)
    }))
  };
}

/** The available modules; hidden ones only with `hidden` (Lmod lists them apart). */
export async function fetchAvail(
  refresh = false,
  hidden = false
): Promise<AvailResult> {
  const query = new URLSearchParams();
  if (refresh) {
    query.set('refresh', '1');
  }
  if (hidden) {
    query.set('hidden', '1');
  }
  const q = query.toString();
  return decodeAvail(
    await requestAPI<AvailWire>(`modules/avail${q ? `?${q}` : ''}`)
  );
}

export function fetchSpider(query: string): Promise<SpiderResult> {
  return requestAPI<SpiderResult>(
    `modules/spider?q=${encodeURIComponent(query)}`
  );
}

export function fetchDetails(name: string): Promise<ModuleDetails> {
  return requestAPI<ModuleDetails>(
    `modules/show?name=${encodeURIComponent(name)}`
  );
}

export function loadModules(
  modules: string[],
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('load', { modules, target });
}

export function unloadModules(
  modules: string[],
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('unload', { modules, target });
}

export function swapModules(
  oldName: string,
  newName: string,
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('swap', { old: oldName, new: newName, target });
}

/** `start`: back to the site defaults; `none`: unload everything. */
export function resetModules(
  to: 'start' | 'none',
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('reset', { to, target });
}

export function changeModulePath(
  action: 'use' | 'unuse',
  path: string,
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('paths', { action, path, target });
}

export async function fetchCollections(): Promise<string[]> {
  return (await requestAPI<{ collections: string[] }>('modules/collections'))
    .collections;
}

export async function saveCollection(name: string): Promise<string[]> {
  return (
    await post<{ collections: string[] }>('collections', {
      action: 'save',
      name
    })
  ).collections;
}

export async function deleteCollection(name: string): Promise<string[]> {
  return (
    await post<{ collections: string[] }>('collections', {
      action: 'delete',
      name
    })
  ).collections;
}

export function restoreCollection(
  name: string,
  target: ModuleTarget
): Promise<ChangeResult> {
  return post('collections', { action: 'restore', name, target });
}
