/**
 * Where a load goes, as pure functions: this server session, or a kernel
 * (its kernelspec's module list, see docs/architecture.md). Which kernels can
 * take modules, the list a load / unload / swap makes of a kernel's list, and
 * the sentences that report it.
 */
import type { IKernelSpecRecord, ModulesMode } from '../kernels/api';
import { attachedModules, IAttachedModules } from '../kernels/spec';
import { packageOf } from './catalog';

/** The target of a change: the server session, or one kernel by its name. */
export type TargetChoice =
  { kind: 'server' } | { kind: 'kernel'; name: string };

export const SESSION_TARGET: TargetChoice = { kind: 'server' };

/** A kernel as a possible target of the Modules panel. */
export interface IKernelTarget {
  name: string;
  displayName: string;
  /** What the selector shows: the display name, with the name when another kernel has the same. */
  label: string;
  /** Why modules cannot be attached to it; "" when they can. */
  blockedReason: string;
  /** What is attached now, or null. */
  attached: IAttachedModules | null;
  record: IKernelSpecRecord;
}

/** How each mode is said in a sentence. */
export const MODE_WORDS: Record<ModulesMode, string> = {
  capture: 'captured into its environment',
  launch: 'loaded at each launch'
};

/** Why a kernel cannot take modules, or "" when it can. */
export function whyNotATarget(record: IKernelSpecRecord): string {
  if (record.error) {
    return `Its kernel.json cannot be read: ${record.error}`;
  }
  if (!record.has_file || record.version === null) {
    return (
      record.readonly_reason ||
      'It has no kernel.json; duplicate it in the kernel editor first.'
    );
  }
  if (!record.writable) {
    return record.readonly_reason || 'You cannot change this kernel.';
  }
  if (record.problems.length > 0) {
    return `Fix its kernel.json in the kernel editor first: ${record.problems[0].message}`;
  }
  return '';
}

/** Every kernel as a target, by display name (the ones that can take modules first). */
export function kernelTargets(records: IKernelSpecRecord[]): IKernelTarget[] {
  const shown = (r: IKernelSpecRecord) => r.display_name || r.name;
  const count = new Map<string, number>();
  for (const r of records) {
    count.set(shown(r), (count.get(shown(r)) ?? 0) + 1);
  }
  return records
    .map(record => ({
      name: record.name,
      displayName: shown(record),
      // Several "Python 3" kernels (one per env) are told apart by their names.
      label:
        (count.get(shown(record)) ?? 0) > 1
          ? `${shown(record)} (${record.name})`
          : shown(record),
      blockedReason: whyNotATarget(record),
      attached: attachedModules(record.spec),
      record
    }))
    .sort(
      (a, b) =>
        Number(a.blockedReason !== '') - Number(b.blockedReason !== '') ||
        a.displayName.localeCompare(b.displayName) ||
        a.name.localeCompare(b.name)
    );
}

/** The mode a kernel's changes use unless the user picks another: the one it has. */
export function defaultMode(attached: IAttachedModules | null): ModulesMode {
  return attached?.mode ?? 'launch';
}

/** Whether `entry` (as attached: `gcc` or `gcc/12.2.0`) is of package `pkg`. */
function ofPackage(entry: string, pkg: string): boolean {
  return entry === pkg || packageOf(entry) === pkg;
}

/**
 * The kernel's list after loading `names`: a module of a package already there
 * takes its place (as Lmod swaps versions), others go at the end, in order.
 */
export function planLoad(current: string[], names: string[]): string[] {
  const next = [...current];
  for (const name of names) {
    const pkg = packageOf(name);
    const at = next.findIndex(e => e === name || ofPackage(e, pkg));
    if (at < 0) {
      next.push(name);
    } else {
      next[at] = name;
      // Only one version of a package: drop any later duplicate.
      for (let i = next.length - 1; i > at; i--) {
        if (ofPackage(next[i], pkg)) {
          next.splice(i, 1);
        }
      }
    }
  }
  return next;
}

/** The kernel's list after unloading `names` (a bare package name unloads its version). */
export function planUnload(current: string[], names: string[]): string[] {
  return current.filter(e => !names.some(n => e === n || packageOf(e) === n));
}

/** The kernel's list with `oldName` replaced by `newName` in its place. */
export function planSwap(
  current: string[],
  oldName: string,
  newName: string
): string[] {
  const at = current.findIndex(e => e === oldName || packageOf(e) === oldName);
  if (at < 0) {
    return planLoad(current, [newName]);
  }
  const next = [...current];
  next[at] = newName;
  return planLoad(next, [newName]);
}

/** `<select>` values: "server" or "kernel:<name>" (kernel names never hold ":"). */
export function targetValue(target: TargetChoice): string {
  return target.kind === 'server' ? 'server' : `kernel:${target.name}`;
}

export function parseTargetValue(value: string): TargetChoice {
  return value.startsWith('kernel:')
    ? { kind: 'kernel', name: value.slice('kernel:'.length) }
    : SESSION_TARGET;
}

const sameList = (a: string[], b: string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What a change of a kernel did, for the notification. */
export interface IKernelChange {
  displayName: string;
  mode: ModulesMode;
  before: IAttachedModules | null;
  modules: string[];
  /** Running kernels of this kernelspec: they keep their environment. */
  running: number;
}

/** Whether a planned change would change anything. */
export function changesKernel(
  before: IAttachedModules | null,
  mode: ModulesMode,
  modules: string[]
): boolean {
  if (before === null || before.modules.length === 0) {
    return modules.length > 0;
  }
  return !sameList(before.modules, modules) || before.mode !== mode;
}

/** The sentence after a kernel change, e.g. "… of “Python 3 (HPC)”: gcc/12.2.0, loaded at each launch." */
export function kernelChangeText(done: string, change: IKernelChange): string {
  const kernel = `“${change.displayName}”`;
  const now =
    change.modules.length === 0
      ? `${kernel} has no modules now.`
      : `${kernel} now has ${change.modules.join(', ')}, ${MODE_WORDS[change.mode]}.`;
  const running =
    change.running === 0
      ? `New sessions of this kernel start ${change.modules.length === 0 ? 'without modules' : 'with them'}.`
      : `${change.running} running kernel${change.running === 1 ? '' : 's'} of it keep${
          change.running === 1 ? 's' : ''
        } the old environment until restarted.`;
  return `${done} for the kernel ${kernel}. ${now} ${running}`;
}
