/**
 * The target of a load: pure planning of a kernel's module list, which kernels
 * can be a target, and the model sending kernel changes through the kernelspec
 * client (faked here; the real one is covered by pytest and Galata).
 */
import { changeText } from '../modules/actions';
import { IModulesApi, ModulesModel } from '../modules/model';
import {
  BUILTIN,
  CAPTURED,
  FakeKernels,
  PLAIN,
  SITE,
  modulesApi,
  record
} from './modulesFixtures';
import {
  changesKernel,
  defaultMode,
  kernelChangeText,
  kernelTargets,
  parseTargetValue,
  planLoad,
  planSwap,
  planUnload,
  targetValue,
  whyNotATarget
} from '../modules/target';

describe('planning a kernel’s module list', () => {
  it('appends new modules in order and replaces a version in place', () => {
    expect(planLoad([], ['gcc/12.2.0', 'openmpi/4.1.5'])).toEqual([
      'gcc/12.2.0',
      'openmpi/4.1.5'
    ]);
    expect(
      planLoad(['gcc/12.2.0', 'openmpi/4.1.5'], ['gcc/13.1.0', 'hdf5'])
    ).toEqual(['gcc/13.1.0', 'openmpi/4.1.5', 'hdf5']);
    // A bare name stands for its package's default version.
    expect(planLoad(['gcc', 'tool/1.0'], ['gcc/12.2.0'])).toEqual([
      'gcc/12.2.0',
      'tool/1.0'
    ]);
    expect(planLoad(['gcc/12.2.0'], ['gcc/12.2.0'])).toEqual(['gcc/12.2.0']);
  });

  it('unloads by full name or by package', () => {
    const list = ['gcc/12.2.0', 'openmpi/4.1.5', 'tool/1.0'];
    expect(planUnload(list, ['openmpi/4.1.5'])).toEqual([
      'gcc/12.2.0',
      'tool/1.0'
    ]);
    expect(planUnload(list, ['gcc'])).toEqual(['openmpi/4.1.5', 'tool/1.0']);
    expect(planUnload(list, ['absent/1'])).toEqual(list);
  });

  it('swaps in place, or loads when the old one is not there', () => {
    expect(
      planSwap(['gcc/12.2.0', 'openmpi/4.1.5'], 'gcc/12.2.0', 'gcc/13.1.0')
    ).toEqual(['gcc/13.1.0', 'openmpi/4.1.5']);
    expect(planSwap(['tool/1.0'], 'gcc/12.2.0', 'gcc/13.1.0')).toEqual([
      'tool/1.0',
      'gcc/13.1.0'
    ]);
  });

  it('knows when nothing would change', () => {
    expect(changesKernel(null, 'launch', [])).toBe(false);
    expect(changesKernel(null, 'launch', ['a'])).toBe(true);
    const before = { mode: 'capture' as const, modules: ['a'] };
    expect(changesKernel(before, 'capture', ['a'])).toBe(false);
    expect(changesKernel(before, 'launch', ['a'])).toBe(true);
    expect(changesKernel(before, 'capture', [])).toBe(true);
  });
});

describe('kernels as targets', () => {
  it('says why a kernel cannot take modules', () => {
    expect(whyNotATarget(PLAIN)).toBe('');
    expect(whyNotATarget(SITE)).toContain('another user');
    expect(whyNotATarget(BUILTIN)).toContain('built into ipykernel');
    expect(
      whyNotATarget(record('broken', {}, { error: 'Expecting value' }))
    ).toContain('cannot be read: Expecting value');
    expect(
      whyNotATarget(
        record(
          'bad',
          { display_name: 'Bad' },
          { problems: [{ field: 'argv', message: 'argv is empty.' }] }
        )
      )
    ).toBe('Fix its kernel.json in the kernel editor first: argv is empty.');
  });

  it('lists usable kernels first, by display name, with what is attached', () => {
    const targets = kernelTargets([SITE, PLAIN, BUILTIN, CAPTURED]);
    expect(targets.map(t => t.name)).toEqual([
      'captured',
      'plain',
      'python3',
      'site'
    ]);
    expect(targets[0].attached).toEqual({
      mode: 'capture',
      modules: ['gcc/12.2.0']
    });
    expect(defaultMode(targets[0].attached)).toBe('capture');
    expect(defaultMode(targets[1].attached)).toBe('launch');
  });

  it('tells kernels with the same display name apart', () => {
    const labels = kernelTargets([
      record('py-a', { display_name: 'Python 3' }),
      record('py-b', { display_name: 'Python 3' }),
      PLAIN
    ]).map(t => t.label);
    expect(labels).toEqual([
      'Plain Python',
      'Python 3 (py-a)',
      'Python 3 (py-b)'
    ]);
  });

  it('round-trips the selector value', () => {
    expect(parseTargetValue(targetValue({ kind: 'server' }))).toEqual({
      kind: 'server'
    });
    expect(
      parseTargetValue(targetValue({ kind: 'kernel', name: 'my-py.3' }))
    ).toEqual({ kind: 'kernel', name: 'my-py.3' });
  });

  it('reports a kernel change in a sentence', () => {
    const text = kernelChangeText('Loaded hdf5', {
      displayName: 'Plain Python',
      mode: 'launch',
      before: null,
      modules: ['gcc/12.2.0', 'hdf5'],
      running: 2
    });
    expect(text).toBe(
      'Loaded hdf5 for the kernel “Plain Python”. “Plain Python” now has gcc/12.2.0, hdf5, loaded at each launch. 2 running kernels of it keep the old environment until restarted.'
    );
    expect(
      kernelChangeText('Took every module away', {
        displayName: 'K',
        mode: 'capture',
        before: null,
        modules: [],
        running: 0
      })
    ).toBe(
      'Took every module away for the kernel “K”. “K” has no modules now. New sessions of this kernel start without modules.'
    );
  });
});

async function setUp(): Promise<{
  model: ModulesModel;
  api: IModulesApi;
  kernels: FakeKernels;
}> {
  const api = modulesApi();
  const kernels = new FakeKernels();
  const model = new ModulesModel({
    api,
    kernelsApi: kernels,
    autoStart: false
  });
  await model.refresh();
  return { model, api, kernels };
}

describe('ModulesModel with a kernel as target', () => {
  it('starts on the server session and lists the kernels', async () => {
    const { model } = await setUp();
    expect(model.target).toEqual({ kind: 'server' });
    expect(model.kernels.map(k => k.name)).toEqual([
      'captured',
      'plain',
      'python3',
      'site'
    ]);
    expect(model.loaded.map(m => m.full_name)).toEqual(['tool/1.0']);
    model.dispose();
  });

  it('refuses a read-only kernel with the reason', async () => {
    const { model } = await setUp();
    expect(() => model.setTarget({ kind: 'kernel', name: 'site' })).toThrow(
      '“Site Python” cannot take modules: The kernel folder belongs to another user'
    );
    expect(model.target).toEqual({ kind: 'server' });
    model.dispose();
  });

  it('loads into the kernel’s list through the kernelspec client', async () => {
    const { model, api, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'plain' });
    expect(model.kernelMode).toBe('launch');
    expect(model.loaded).toEqual([]);
    expect(model.runningOfTarget.map(k => k.id)).toEqual(['k1']);

    const change = await model.load(['gcc/12.2.0']);
    expect(api.loadModules).not.toHaveBeenCalled();
    expect(kernels.attachModules).toHaveBeenCalledWith(
      'plain',
      'launch',
      ['gcc/12.2.0'],
      { mtime_ns: 1, sha256: 'sha-plain-1' }
    );
    expect(model.loaded.map(m => m.full_name)).toEqual(['gcc/12.2.0']);
    expect(model.isLoaded('gcc/12.2.0')).toBe(true);
    expect(model.loadedOf('gcc')).toBe('gcc/12.2.0');
    expect(changeText(change, 'Loaded gcc/12.2.0')).toContain(
      '“Plain Python” now has gcc/12.2.0, loaded at each launch. 1 running kernel of it keeps the old environment'
    );

    // The next change sends the new version: no false conflict.
    await model.swap('gcc/12.2.0', 'gcc/13.1.0');
    expect(kernels.attachModules).toHaveBeenLastCalledWith(
      'plain',
      'launch',
      ['gcc/13.1.0'],
      { mtime_ns: 2, sha256: 'sha-plain-1+' }
    );
    await model.unload(['gcc/13.1.0']);
    expect(model.loaded).toEqual([]);
    expect(model.busy).toBeNull();
    model.dispose();
  });

  it('defaults to the mode the kernel uses, and can switch it', async () => {
    const { model, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'captured' });
    expect(model.kernelMode).toBe('capture');
    expect(model.loaded.map(m => m.full_name)).toEqual(['gcc/12.2.0']);

    await model.load(['openmpi/4.1.5']);
    expect(kernels.attachModules).toHaveBeenLastCalledWith(
      'captured',
      'capture',
      ['gcc/12.2.0', 'openmpi/4.1.5'],
      expect.anything()
    );
    model.kernelMode = 'launch';
    const change = await model.applyMode();
    expect(change.target === 'kernel' && change.changed).toBe(true);
    expect(kernels.attachModules).toHaveBeenLastCalledWith(
      'captured',
      'launch',
      ['gcc/12.2.0', 'openmpi/4.1.5'],
      expect.anything()
    );
    expect(model.targetKernel?.attached?.mode).toBe('launch');
    model.dispose();
  });

  it('does not call the server when nothing changes', async () => {
    const { model, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'captured' });
    const change = await model.load(['gcc/12.2.0']);
    expect(change).toMatchObject({ target: 'kernel', changed: false });
    expect(changeText(change, 'Loaded gcc/12.2.0')).toContain(
      'Nothing to change'
    );
    expect(kernels.attachModules).not.toHaveBeenCalled();
    model.dispose();
  });

  it('takes every module away with "unload all"', async () => {
    const { model, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'captured' });
    await model.reset('none');
    expect(kernels.attachModules).toHaveBeenLastCalledWith(
      'captured',
      'capture',
      [],
      expect.anything()
    );
    expect(model.loaded).toEqual([]);
    model.dispose();
  });

  it('keeps session-only changes on the session', async () => {
    const { model, api } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'plain' });
    for (const call of [
      () => model.reset('start'),
      () => model.use('/extra'),
      () => model.unuse('/core'),
      () => model.restore('work')
    ]) {
      await expect(call()).rejects.toThrow('this server session only');
    }
    expect(api.resetModules).not.toHaveBeenCalled();
    expect(api.changeModulePath).not.toHaveBeenCalled();

    model.setTarget({ kind: 'server' });
    expect(model.loaded.map(m => m.full_name)).toEqual(['tool/1.0']);
    await model.load(['gcc/12.2.0']);
    expect(api.loadModules).toHaveBeenCalledWith(['gcc/12.2.0'], 'server');
    model.dispose();
  });

  it('reads the kernels again after a conflict and stays usable', async () => {
    const { model, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'plain' });
    kernels.conflict = true;
    kernels.listKernelSpecs.mockClear();
    await expect(model.load(['gcc/12.2.0'])).rejects.toThrow('changed on disk');
    expect(kernels.listKernelSpecs).toHaveBeenCalledTimes(1);
    expect(model.busy).toBeNull();
    kernels.conflict = false;
    await model.load(['gcc/12.2.0']);
    expect(model.loaded.map(m => m.full_name)).toEqual(['gcc/12.2.0']);
    model.dispose();
  });

  it('says so when the target kernel is gone', async () => {
    const { model, kernels } = await setUp();
    model.setTarget({ kind: 'kernel', name: 'plain' });
    kernels.specs = kernels.specs.filter(s => s.name !== 'plain');
    await model.refreshKernels();
    expect(model.targetKernel).toBeNull();
    await expect(model.load(['gcc/12.2.0'])).rejects.toThrow(
      'The kernel “plain” is gone'
    );
    model.dispose();
  });

  it('keeps working when the kernels cannot be listed', async () => {
    const api = modulesApi();
    const kernels = new FakeKernels();
    kernels.listKernelSpecs.mockRejectedValue(new Error('500: boom'));
    const model = new ModulesModel({
      api,
      kernelsApi: kernels,
      autoStart: false
    });
    await model.refresh();
    expect(model.kernelsError).toBe(
      'The kernels could not be listed: 500: boom'
    );
    expect(model.available).toBe(true);
    model.dispose();
  });
});
