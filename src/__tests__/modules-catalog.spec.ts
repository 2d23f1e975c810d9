import { decodeAvail } from '../modules/api';
import type { AvailableModule } from '../modules/api';
import {
  bestMatch,
  compareVersions,
  filterPackages,
  groupModules,
  packageOf
} from '../modules/catalog';

const mod = (
  full_name: string,
  extra: Partial<AvailableModule> = {}
): AvailableModule => ({
  full_name,
  package: packageOf(full_name),
  version: full_name.includes('/')
    ? full_name.slice(full_name.lastIndexOf('/') + 1)
    : '',
  default: false,
  hidden: false,
  path: '',
  ...extra
});

const MODULES = [
  mod('gcc/12.2.0', { default: true }),
  mod('gcc/12.10.0'),
  mod('gcc/9.5.0'),
  mod('py-numpy/1.26.4-gcc-12'),
  mod('Core/foo/1.0'),
  mod('tool/.2.0-beta', { hidden: true }),
  mod('tool/1.0'),
  mod('R')
];

describe('groupModules', () => {
  it('groups by package with versions newest first and the default', () => {
    const packages = groupModules(MODULES, false);
    expect(packages.map(p => p.name)).toEqual([
      'gcc',
      'py-numpy',
      'Core/foo',
      'tool',
      'R'
    ]);
    const gcc = packages[0];
    expect(gcc.versions.map(v => v.version)).toEqual([
      '12.10.0',
      '12.2.0',
      '9.5.0'
    ]);
    expect(gcc.defaultVersion?.full_name).toBe('gcc/12.2.0');
    expect(packages[3].versions.map(v => v.full_name)).toEqual(['tool/1.0']);
  });

  it('shows hidden modules on request', () => {
    const tool = groupModules(MODULES, true).find(p => p.name === 'tool')!;
    expect(tool.versions.map(v => v.full_name)).toContain('tool/.2.0-beta');
  });
});

describe('filterPackages', () => {
  const packages = groupModules(MODULES, false);
  it('keeps everything for an empty query', () => {
    expect(filterPackages(packages, '  ')).toHaveLength(packages.length);
  });
  it('matches package names case-insensitively', () => {
    expect(filterPackages(packages, 'NUMPY').map(p => p.name)).toEqual([
      'py-numpy'
    ]);
  });
  it('keeps only the matching versions when the match is in a version', () => {
    const found = filterPackages(packages, 'gcc 12.');
    expect(found.map(p => p.name)).toEqual(['gcc']);
    expect(filterPackages(packages, 'gcc-12').map(p => p.name)).toEqual([
      'py-numpy'
    ]);
    expect(found[0].versions.map(v => v.version)).toEqual([
      '12.10.0',
      '12.2.0'
    ]);
  });
  it('does not treat the query as a regular expression', () => {
    expect(filterPackages(packages, 'gcc/1[')).toEqual([]);
  });
});

describe('compareVersions and decodeAvail', () => {
  it('orders numerically, newest first', () => {
    expect(['1.9', '1.10', '1.2'].sort(compareVersions)).toEqual([
      '1.10',
      '1.9',
      '1.2'
    ]);
  });
  it('decodes the columnar answer by column name', () => {
    const result = decodeAvail({
      modulepath: ['/m'],
      fetched_at: 1,
      duration: 0.1,
      cached: false,
      with_hidden: true,
      columns: ['hidden', 'full_name', 'package', 'version', 'default'],
      rows: [[true, 'a/1', 'a', '1', false]]
    });
    expect(result.modules).toEqual([
      {
        full_name: 'a/1',
        package: 'a',
        version: '1',
        default: false,
        hidden: true,
        path: ''
      }
    ]);
  });
});

describe('bestMatch (Enter in the filter box)', () => {
  const packages = groupModules(
    [
      mod('gcc/12.2.0', { default: true }),
      mod('gcc/13.1.0'),
      mod('gcc-tools/1.0'),
      mod('hdf5/1.14.0')
    ],
    false
  );

  it('prefers an exact full name, then the default, then the newest', () => {
    expect(bestMatch(filterPackages(packages, 'gcc'), 'gcc')?.full_name).toBe(
      'gcc/12.2.0'
    );
    expect(
      bestMatch(filterPackages(packages, 'gcc/13'), 'gcc/13')?.full_name
    ).toBe('gcc/13.1.0');
    expect(
      bestMatch(filterPackages(packages, 'GCC-TOOLS/1.0'), 'GCC-TOOLS/1.0')
        ?.full_name
    ).toBe('gcc-tools/1.0');
    expect(bestMatch(filterPackages(packages, 'zzz'), 'zzz')).toBeNull();
  });
});
