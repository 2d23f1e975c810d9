/**
 * Pure functions over the available modules: grouping by package, version
 * order, and the instant client-side filter.
 */
import type { AvailableModule } from './api';

/** One package with its versions, newest first. */
export interface ModulePackage {
  name: string;
  versions: AvailableModule[];
  /** The version `module load <package>` picks, if the system said. */
  defaultVersion: AvailableModule | null;
}

const collator = new Intl.Collator(undefined, {
  numeric: true,
  sensitivity: 'base'
});

/** Version order a person expects: 12.10 after 12.9, newest first. */
export function compareVersions(a: string, b: string): number {
  return collator.compare(b, a);
}

/**
 * Group modules by package (in the server's order of packages), versions
 * newest first; hidden modules only when asked.
 */
export function groupModules(
  modules: readonly AvailableModule[],
  showHidden: boolean
): ModulePackage[] {
  const byName = new Map<string, AvailableModule[]>();
  for (const m of modules) {
    if (m.hidden && !showHidden) {
      continue;
    }
    let versions = byName.get(m.package);
    if (!versions) {
      versions = [];
      byName.set(m.package, versions);
    }
    versions.push(m);
  }
  const packages: ModulePackage[] = [];
  for (const [name, versions] of byName) {
    versions.sort((a, b) => compareVersions(a.version, b.version));
    packages.push({
      name,
      versions,
      defaultVersion: versions.find(v => v.default) ?? null
    });
  }
  return packages;
}

/**
 * The packages whose name or one of whose full names contains every word of
 * `query` (case-insensitive). Within a package that matches only through
 * some versions, only those versions are kept.
 */
export function filterPackages(
  packages: readonly ModulePackage[],
  query: string
): ModulePackage[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    return [...packages];
  }
  const result: ModulePackage[] = [];
  for (const p of packages) {
    const name = p.name.toLowerCase();
    if (words.every(w => name.includes(w))) {
      result.push(p);
      continue;
    }
    const versions = p.versions.filter(v => {
      const full = v.full_name.toLowerCase();
      return words.every(w => full.includes(w));
    });
    if (versions.length > 0) {
      result.push({ ...p, versions });
    }
  }
  return result;
}

/** The package of a full module name: `gcc/12.2.0` -> `gcc`. */
export function packageOf(fullName: string): string {
  const slash = fullName.lastIndexOf('/');
  return slash < 0 ? fullName : fullName.slice(0, slash);
}

/**
 * The module Enter in the filter box opens: a version whose full name is the
 * query, else the first package's default version, else its newest (among
 * the versions the filter kept).
 */
export function bestMatch(
  packages: readonly ModulePackage[],
  query: string
): AvailableModule | null {
  const q = query.trim().toLowerCase();
  for (const p of packages) {
    const exact = p.versions.find(v => v.full_name.toLowerCase() === q);
    if (exact) {
      return exact;
    }
  }
  const first = packages[0];
  if (!first) {
    return null;
  }
  return first.versions.find(v => v.default) ?? first.versions[0] ?? null;
}
