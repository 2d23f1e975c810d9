import { HPCApiError } from '../common/request';
import type {
  CreateSource,
  IFileVersion,
  IKernelSpecDocument,
  IKernelSpecRecord,
  IKernelsApi,
  ILaunchResult
} from '../kernels/api';
import { KernelsModel } from '../kernels/model';

function record(
  name: string,
  spec: IKernelSpecDocument,
  extra: Partial<IKernelSpecRecord> = {}
): IKernelSpecRecord {
  return {
    name,
    display_name: String(spec.display_name),
    language: String(spec.language ?? ''),
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

const MINE = record('mine', {
  argv: [
    '/opt/py/bin/python',
    '-m',
    'ipykernel_launcher',
    '-f',
    '{connection_file}'
  ],
  display_name: 'Mine',
  language: 'python',
  env: { PATH: '/opt/py/bin:${PATH}' }
});
const SITE = record(
  'site',
  {
    argv: ['/usr/bin/python3', '-f', '{connection_file}'],
    display_name: 'Site'
  },
  {
    location: 'system',
    writable: false,
    deletable: false,
    readonly_reason: 'Not yours.'
  }
);

class FakeApi implements IKernelsApi {
  specs: IKernelSpecRecord[] = [SITE, MINE];
  saved: { name: string; spec: IKernelSpecDocument; version: IFileVersion }[] =
    [];
  conflict = false;

  listKernelSpecs = async () => ({
    kernelspecs: this.specs,
    default: 'mine',
    user_dir: '/home/u/.local/share/jupyter/kernels',
    folders: [],
    server_python_names: ['python', 'python3', 'python3.11'],
    server_env_names: ['HOME', 'PATH']
  });

  createKernelSpec = async (
    name: string,
    source: CreateSource,
    displayName?: string
  ) => {
    const created = record(name, {
      argv: ['/x/bin/python', '{connection_file}'],
      display_name: displayName ?? name
    });
    this.specs = [...this.specs, created];
    return created;
  };

  saveKernelSpec = async (
    name: string,
    spec: IKernelSpecDocument,
    version: IFileVersion
  ) => {
    if (this.conflict) {
      throw new HPCApiError(
        'kernel.json changed on disk since you opened it.',
        409
      );
    }
    this.saved.push({ name, spec, version });
    const updated = record(name, spec, {
      version: { mtime_ns: 2, sha256: `sha-${name}-2` }
    });
    this.specs = this.specs.map(s => (s.name === name ? updated : s));
    return updated;
  };

  deleteKernelSpec = async (name: string) => {
    this.specs = this.specs.filter(s => s.name !== name);
  };

  testLaunch = async (name: string): Promise<ILaunchResult> => ({
    ok: true,
    name,
    language: 'python',
    message: 'ok',
    executable: '/opt/py/bin/python',
    variables: { PATH: '/opt/py/bin:/usr/bin' },
    output: '',
    stderr: '',
    seconds: 1
  });

  attached: { name: string; mode: string; modules: string[] }[] = [];

  attachModules = async (
    name: string,
    mode: 'capture' | 'launch',
    modules: string[],
    version: IFileVersion
  ) => {
    this.attached.push({ name, mode, modules });
    const old = this.specs.find(s => s.name === name)!;
    const updated = record(
      name,
      {
        ...old.spec,
        metadata: { jupyterlab_hpc: { modules: { mode, modules } } }
      },
      { version: { mtime_ns: version.mtime_ns + 1, sha256: `sha-${name}-m` } }
    );
    this.specs = this.specs.map(s => (s.name === name ? updated : s));
    return updated;
  };
}

async function loaded(api = new FakeApi(), onSpecsChanged = jest.fn()) {
  const model = new KernelsModel({ api, onSpecsChanged });
  await model.refresh();
  return { model, api, onSpecsChanged };
}

describe('KernelsModel', () => {
  it('lists kernels and selects the first writable one', async () => {
    const { model } = await loaded();
    expect(model.kernels.map(k => k.name)).toEqual(['site', 'mine']);
    expect(model.selectedName).toBe('mine');
    expect(model.canEdit).toBe(true);
    expect(model.dirty).toBe(false);
  });

  it('edits a path list entry by entry and saves in order', async () => {
    const { model, api, onSpecsChanged } = await loaded();
    model.addPathEntry(0, '/opt/new/bin', -1); // at the front
    model.addPathEntry(0, '/opt/last/bin'); // at the end
    expect(model.draft!.env[0].entries).toEqual([
      '/opt/new/bin',
      '/opt/py/bin',
      '${PATH}',
      '/opt/last/bin'
    ]);
    model.movePathEntry(0, 3, -1);
    model.removePathEntry(0, 1);
    model.setPathEntry(0, 0, '/opt/newer/bin');
    model.addEnv('LD_LIBRARY_PATH', '/opt/lib');
    model.moveEnv(1, -1);
    expect(model.dirty).toBe(true);
    expect(await model.save()).toBe(true);
    expect(api.saved[0].version.sha256).toBe('sha-mine-1');
    expect(api.saved[0].spec.env).toEqual({
      LD_LIBRARY_PATH: '/opt/lib',
      PATH: '/opt/newer/bin:/opt/last/bin:${PATH}'
    });
    expect(Object.keys(api.saved[0].spec.env!)).toEqual([
      'LD_LIBRARY_PATH',
      'PATH'
    ]);
    expect(onSpecsChanged).toHaveBeenCalledTimes(1);
    expect(model.dirty).toBe(false);
    expect(model.base!.version!.sha256).toBe('sha-mine-2');
  });

  it('keeps an empty entry being typed', async () => {
    const { model } = await loaded();
    model.addEnv('MANPATH', '');
    expect(model.draft!.env[1].entries).toEqual([]);
    model.addPathEntry(1);
    expect(model.draft!.env[1].entries).toEqual(['']);
  });

  it('edits argv and refuses to save without {connection_file}', async () => {
    const { model, api } = await loaded();
    model.addArg(0);
    model.setArg(1, '-X');
    model.moveArg(1, 1);
    expect(model.draft!.argv.slice(0, 3)).toEqual([
      '/opt/py/bin/python',
      '-m',
      '-X'
    ]);
    model.removeArg(model.draft!.argv.indexOf('{connection_file}'));
    expect(model.problems[0].field).toBe('argv');
    expect(await model.save()).toBe(false);
    expect(api.saved).toEqual([]);
  });

  it('warns about a bare python and unset references as the user types', async () => {
    const { model } = await loaded();
    model.setArg(0, 'python3.11');
    expect(model.warnings.map(w => w.field)).toEqual(['argv']);
    expect(model.serverHas('PATH')).toBe(true);
    expect(model.serverHas('LD_LIBRARY_PATH')).toBe(false);
    model.addEnv('LD_LIBRARY_PATH', '/l:${LD_LIBRARY_PATH}');
    model.addEnv('LD_LIBRARY_PATH', 'twice'); // already there: not added again
    expect(model.draft!.env.length).toBe(2);
    expect(model.warnings.map(w => w.field)).toEqual([
      'argv',
      'env.LD_LIBRARY_PATH'
    ]);
  });

  it('warns about a bare python only where the user can act on it', async () => {
    const stockSpec = {
      argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: 'Python 3 (ipykernel)',
      language: 'python'
    };
    const api = new FakeApi();
    api.specs = [
      // The stock kernel in the server's own environment, writable as root.
      record('python3', stockSpec, { location: 'env', deletable: false }),
      record('site-py', stockSpec, {
        location: 'system',
        writable: false,
        deletable: false,
        readonly_reason: 'Not yours.'
      }),
      record('copy', stockSpec)
    ];
    const { model } = await loaded(api);
    for (const name of ['python3', 'site-py']) {
      model.select(name);
      expect(model.warnings).toEqual([]);
    }
    model.select('copy');
    expect(model.warnings.map(w => w.field)).toEqual(['argv']);
  });

  it('does not edit a read-only kernel', async () => {
    const { model } = await loaded();
    model.select('site');
    expect(model.canEdit).toBe(false);
    model.setDisplayName('Hijacked');
    expect(model.draft!.displayName).toBe('Site');
    expect(model.dirty).toBe(false);
  });

  it('reports a conflict and reloads', async () => {
    const { model, api } = await loaded();
    model.setDisplayName('Edited');
    api.conflict = true;
    await expect(model.save()).rejects.toThrow('changed on disk');
    expect(model.conflict).toBe(true);
    expect(model.dirty).toBe(true);
    api.conflict = false;
    await model.reload();
    expect(model.conflict).toBe(false);
    expect(model.draft!.displayName).toBe('Mine');
  });

  it('creates, selects, deletes and tells the Launcher', async () => {
    const { model, onSpecsChanged } = await loaded();
    model.startCreate('site');
    expect(model.mode).toBe('create');
    expect(model.createFrom).toBe('site');
    expect(model.nameProblem('mine')).toMatch(/already exists/);
    expect(model.nameProblem('site')).toBeNull(); // not in the user folder: may shadow it
    await model.create('fresh', { kernel: 'site' }, 'Fresh');
    expect(model.mode).toBe('edit');
    expect(model.selectedName).toBe('fresh');
    await model.remove('fresh');
    expect(model.kernels.map(k => k.name)).toEqual(['site', 'mine']);
    expect(onSpecsChanged).toHaveBeenCalledTimes(2);
  });

  it('runs a test launch', async () => {
    const { model } = await loaded();
    const result = await model.testLaunch();
    expect(result!.ok).toBe(true);
    expect(model.launchResult!.variables!.PATH).toMatch(/^\/opt\/py\/bin/);
    model.select('site');
    expect(model.launchResult).toBeNull();
  });
});

describe('attaching modules', () => {
  it('saves through the server and shows the saved kernel', async () => {
    const api = new FakeApi();
    let refreshed = 0;
    const model = new KernelsModel({
      api,
      onSpecsChanged: async () => {
        refreshed += 1;
      }
    });
    await model.refresh();
    model.select('mine');
    const saved = await model.attachModules('launch', ['gcc/12.2.0']);
    expect(api.attached).toEqual([
      { name: 'mine', mode: 'launch', modules: ['gcc/12.2.0'] }
    ]);
    expect(saved?.version?.sha256).toBe('sha-mine-m');
    expect(model.base?.version?.sha256).toBe('sha-mine-m');
    expect(model.dirty).toBe(false);
    expect(refreshed).toBe(1);
  });

  it('refuses while the draft has unsaved changes', async () => {
    const api = new FakeApi();
    const model = new KernelsModel({ api });
    await model.refresh();
    model.select('mine');
    model.setDisplayName('Changed');
    expect(await model.attachModules('capture', ['gcc'])).toBeNull();
    expect(api.attached).toEqual([]);
  });
});
