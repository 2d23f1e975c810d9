/** Fakes shared by the Modules panel's tests: kernels as targets, the modules client. */
import { HPCApiError } from '../common/request';
import type {
  IFileVersion,
  IKernelSpecDocument,
  IKernelSpecRecord,
  ModulesMode
} from '../kernels/api';
import type { ChangeResult, ModuleStatus } from '../modules/api';
import type { IModulesApi } from '../modules/model';

export function record(
  name: string,
  spec: IKernelSpecDocument,
  extra: Partial<IKernelSpecRecord> = {}
): IKernelSpecRecord {
  return {
    name,
    display_name: String(spec.display_name ?? name),
    language: 'python',
    resource_dir: `/home/u/.local/share/jupyter/kernels/${name}`,
    location: 'user',
    writable: true,
    readonly_reason: '',
    deletable: true,
    spec,
    has_file: true,
    version: { mtime_ns: 1, sha256: `sha-${name}-1` },
    error: '',
    problems: [],
    warnings: [],
    ...extra
  };
}

export const withModules = (mode: ModulesMode, modules: string[]) => ({
  metadata: { jupyterlab_hpc: { modules: { mode, modules } } }
});

export const PLAIN = record('plain', {
  display_name: 'Plain Python',
  argv: ['x']
});
export const CAPTURED = record('captured', {
  display_name: 'Captured',
  argv: ['x'],
  ...withModules('capture', ['gcc/12.2.0'])
});
export const SITE = record(
  'site',
  { display_name: 'Site Python', argv: ['x'] },
  {
    location: 'system',
    writable: false,
    readonly_reason:
      'The kernel folder belongs to another user; duplicate it to change it.'
  }
);
export const BUILTIN = record(
  'python3',
  { display_name: 'Python 3 (ipykernel)' },
  {
    location: 'builtin',
    writable: false,
    has_file: false,
    version: null,
    readonly_reason:
      'This is the Python kernel built into ipykernel; duplicate it to change it.'
  }
);

export const STATUS: ModuleStatus = {
  system: {
    kind: 'lmod',
    label: 'Lmod',
    version: '8.6.19',
    available: true,
    message: '',
    hierarchy_search: true
  },
  loaded: [{ full_name: 'tool/1.0', path: '' }],
  modulepath: ['/core'],
  start_errors: [],
  targets: ['server'],
  not_affected: {
    kernels: [
      { id: 'k1', name: 'plain', path: 'a.ipynb' },
      { id: 'k2', name: 'other', path: 'b.ipynb' }
    ],
    terminals: []
  }
};

/** The modules client, faked: `available` full names (the first of a package's is its default). */
export function modulesApi(available: string[] = []): IModulesApi {
  return {
    fetchStatus: jest.fn(async () => STATUS),
    fetchAvail: jest.fn(async () => ({
      modulepath: ['/core'],
      fetched_at: 0,
      duration: 0,
      cached: false,
      with_hidden: false,
      modules: available.map((n, i) => ({
        full_name: n,
        package: n.split('/')[0],
        version: n.split('/')[1] ?? '',
        default:
          available.findIndex(m => m.split('/')[0] === n.split('/')[0]) === i,
        hidden: false,
        path: `/core/${n}.lua`
      }))
    })),
    fetchSpider: jest.fn(),
    fetchDetails: jest.fn(async (name: string) => ({
      full_name: name,
      path: `/core/${name}.lua`,
      whatis: [`${name} whatis`],
      help: '',
      actions: [],
      show: ''
    })),
    loadModules: jest.fn(async (): Promise<ChangeResult> => ({
      target: 'server',
      loaded: [],
      modulepath: ['/core'],
      changed: [],
      not_affected: STATUS.not_affected!
    })),
    unloadModules: jest.fn(),
    swapModules: jest.fn(),
    resetModules: jest.fn(),
    changeModulePath: jest.fn(),
    fetchCollections: jest.fn(),
    saveCollection: jest.fn(),
    deleteCollection: jest.fn(),
    restoreCollection: jest.fn()
  };
}

/** The kernelspec service, faked: attaching records the list in the metadata. */
export class FakeKernels {
  specs: IKernelSpecRecord[] = [PLAIN, CAPTURED, SITE, BUILTIN];
  conflict = false;
  listKernelSpecs = jest.fn(async () => ({
    kernelspecs: this.specs,
    default: 'python3',
    user_dir: '/home/u/.local/share/jupyter/kernels',
    folders: [],
    server_python_names: [],
    server_env_names: []
  }));
  attachModules = jest.fn(
    async (
      name: string,
      mode: ModulesMode,
      modules: string[],
      version: IFileVersion
    ): Promise<IKernelSpecRecord> => {
      const old = this.specs.find(s => s.name === name)!;
      if (this.conflict || version.sha256 !== old.version!.sha256) {
        throw new HPCApiError('The kernel changed on disk.', 409);
      }
      const saved = record(name, {
        ...old.spec,
        ...withModules(mode, modules)
      });
      saved.version = { mtime_ns: 2, sha256: `${version.sha256}+` };
      this.specs = this.specs.map(s => (s.name === name ? saved : s));
      return saved;
    }
  );
}
