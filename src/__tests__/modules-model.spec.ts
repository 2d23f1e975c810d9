import type {
  AvailResult,
  ChangeResult,
  ModuleStatus,
  NotAffected
} from '../modules/api';
import { IModulesApi, ModulesModel } from '../modules/model';

const NONE: NotAffected = { kernels: [], terminals: [] };

const STATUS: ModuleStatus = {
  system: {
    kind: 'lmod',
    label: 'Lmod',
    version: '8.6.19',
    available: true,
    message: '',
    hierarchy_search: true
  },
  loaded: [],
  modulepath: ['/core'],
  start_errors: [],
  targets: ['server'],
  not_affected: NONE
};

const avail = (modulepath: string[], names: string[]): AvailResult => ({
  modulepath,
  fetched_at: 0,
  duration: 0,
  cached: false,
  with_hidden: false,
  modules: names.map(n => ({
    full_name: n,
    package: n.split('/')[0],
    version: n.split('/')[1] ?? '',
    default: false,
    hidden: false,
    path: ''
  }))
});

class FakeApi implements IModulesApi {
  status: ModuleStatus = STATUS;
  fetchStatus = jest.fn(async () => this.status);
  fetchAvail = jest.fn(async (_refresh?: boolean, hidden?: boolean) => ({
    ...avail(this.status.modulepath!, ['gcc/12.2.0', 'tool/1.0']),
    with_hidden: hidden === true
  }));
  fetchSpider = jest.fn(async (query: string) => ({
    query,
    hierarchy: true,
    message: '',
    cached: false,
    hits: []
  }));
  fetchDetails = jest.fn(async (name: string) => ({
    full_name: name,
    path: `/core/${name}.lua`,
    whatis: [],
    help: '',
    actions: [],
    show: ''
  }));
  loadModules = jest.fn(
    async (modules: string[], _target: string): Promise<ChangeResult> => {
      if (modules.includes('broken/1.0')) {
        throw new Error('Loading broken/1.0 failed: needs a GPU node');
      }
      const modulepath = modules.includes('gcc/12.2.0')
        ? ['/compiler/gcc', '/core']
        : this.status.modulepath!;
      this.status = {
        ...this.status,
        modulepath,
        loaded: [
          ...this.status.loaded!,
          ...modules.map(m => ({ full_name: m, path: '' }))
        ]
      };
      return {
        target: 'server',
        loaded: this.status.loaded!,
        modulepath,
        changed: ['PATH'],
        not_affected: {
          kernels: [{ id: 'k1', name: 'python3', path: 'a.ipynb' }],
          terminals: []
        }
      };
    }
  );
  unloadModules = jest.fn();
  swapModules = jest.fn();
  resetModules = jest.fn();
  changeModulePath = jest.fn();
  fetchCollections = jest.fn(async () => ['work']);
  saveCollection = jest.fn(async (name: string) => ['work', name]);
  deleteCollection = jest.fn(async () => []);
  restoreCollection = jest.fn();
}

const NO_KERNELS = {
  listKernelSpecs: jest.fn(async () => ({
    kernelspecs: [],
    default: null,
    user_dir: '/home/u/.local/share/jupyter/kernels',
    folders: [],
    server_python_names: [],
    server_env_names: []
  })),
  attachModules: jest.fn()
};

function makeModel(api: FakeApi): ModulesModel {
  return new ModulesModel({ api, kernelsApi: NO_KERNELS, autoStart: false });
}

describe('ModulesModel', () => {
  it('lists once, then only when MODULEPATH changes', async () => {
    const api = new FakeApi();
    const model = makeModel(api);
    await model.refresh();
    expect(api.fetchAvail).toHaveBeenCalledTimes(1);
    expect(model.packages.map(p => p.name)).toEqual(['gcc', 'tool']);
    await model.refresh();
    expect(api.fetchAvail).toHaveBeenCalledTimes(1);

    await model.load(['tool/1.0']); // MODULEPATH unchanged: no new listing
    expect(api.fetchAvail).toHaveBeenCalledTimes(1);
    expect(api.loadModules).toHaveBeenCalledWith(['tool/1.0'], 'server');
    expect(model.isLoaded('tool/1.0')).toBe(true);

    await model.load(['gcc/12.2.0']); // MODULEPATH changed: list again
    expect(api.fetchAvail).toHaveBeenCalledTimes(2);
    expect(model.notAffected.kernels).toHaveLength(1);
    expect(model.loadedOf('gcc')).toBe('gcc/12.2.0');
    model.dispose();
  });

  it('lists hidden modules once, when they are first shown', async () => {
    const api = new FakeApi();
    const model = makeModel(api);
    await model.refresh();
    expect(api.fetchAvail).toHaveBeenLastCalledWith(false, false);
    model.showHidden = true;
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(api.fetchAvail).toHaveBeenLastCalledWith(false, true);
    expect(model.avail?.with_hidden).toBe(true);
    model.showHidden = false;
    model.showHidden = true;
    expect(api.fetchAvail).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it('filters on the client, instantly', async () => {
    const api = new FakeApi();
    const model = makeModel(api);
    await model.refresh();
    let changes = 0;
    model.changed.connect(() => changes++);
    model.filter = 'too';
    expect(changes).toBe(1);
    expect(model.visiblePackages.map(p => p.name)).toEqual(['tool']);
    expect(api.fetchAvail).toHaveBeenCalledTimes(1);
    model.dispose();
  });

  it('keeps the state when a load fails and is not busy afterwards', async () => {
    const api = new FakeApi();
    const model = makeModel(api);
    await model.refresh();
    await expect(model.load(['broken/1.0'])).rejects.toThrow(
      'needs a GPU node'
    );
    expect(model.loaded).toEqual([]);
    expect(model.busy).toBeNull();
    model.dispose();
  });

  it('says why when there is no module system', async () => {
    const api = new FakeApi();
    api.status = {
      system: {
        kind: null,
        label: null,
        version: null,
        available: false,
        message: 'No module system found on this server.',
        hierarchy_search: false
      }
    };
    const model = makeModel(api);
    await model.refresh();
    expect(model.available).toBe(false);
    expect(model.error).toBe('No module system found on this server.');
    expect(api.fetchAvail).not.toHaveBeenCalled();
    model.dispose();
  });

  it('loads details, spider hits and collections', async () => {
    const api = new FakeApi();
    const model = makeModel(api);
    await model.refresh();
    await model.select('gcc/12.2.0');
    expect(model.details?.path).toBe('/core/gcc/12.2.0.lua');
    await model.searchAll(' hdf5 ');
    expect(api.fetchSpider).toHaveBeenCalledWith('hdf5');
    expect(model.spiderBusy).toBe(false);
    await model.listCollections();
    expect(model.collections).toEqual(['work']);
    await model.saveCollection('new');
    expect(model.collections).toEqual(['work', 'new']);
    model.dispose();
  });
});
