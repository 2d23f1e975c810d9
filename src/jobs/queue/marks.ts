/**
 * Marks on queue rows that other features give (pure): "Kernel" on a job that
 * runs a notebook's kernel. Each source sets all of its marks at once, so a
 * source never removes another's.
 */

/** One mark on a row: a short word, and the sentence its tooltip says. */
export interface IRowMark {
  /** Who set it, e.g. `batch-kernel`; also the CSS hook (`data-mark`). */
  source: string;
  label: string;
  title: string;
}

const NO_MARKS: readonly IRowMark[] = [];

export class RowMarks {
  /** Replace every mark of `source`; true when anything changed. */
  set(
    source: string,
    marks: ReadonlyMap<string, Omit<IRowMark, 'source'>>
  ): boolean {
    const next = new Map<string, IRowMark>();
    for (const [jobId, mark] of marks) {
      next.set(jobId, { source, label: mark.label, title: mark.title });
    }
    const old = this._bySource.get(source) ?? new Map<string, IRowMark>();
    if (sameMarks(old, next)) {
      return false;
    }
    if (next.size) {
      this._bySource.set(source, next);
    } else {
      this._bySource.delete(source);
    }
    this._cache.clear();
    return true;
  }

  /**
   * A job's marks, in the order their sources first set any: the same array
   * while nothing changes (rows re-render only on a change). Only marked jobs
   * are remembered, so a long listing costs nothing here.
   */
  of(jobId: string): readonly IRowMark[] {
    let marks = this._cache.get(jobId);
    if (!marks) {
      marks = [];
      for (const bySource of this._bySource.values()) {
        const mark = bySource.get(jobId);
        if (mark) {
          marks.push(mark);
        }
      }
      if (!marks.length) {
        return NO_MARKS;
      }
      this._cache.set(jobId, marks);
    }
    return marks;
  }

  private _bySource = new Map<string, Map<string, IRowMark>>();
  private _cache = new Map<string, IRowMark[]>();
}

function sameMarks(
  a: Map<string, IRowMark>,
  b: Map<string, IRowMark>
): boolean {
  if (a.size !== b.size) {
    return false;
  }
  for (const [jobId, mark] of a) {
    const other = b.get(jobId);
    if (!other || other.label !== mark.label || other.title !== mark.title) {
      return false;
    }
  }
  return true;
}
