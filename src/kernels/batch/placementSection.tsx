/**
 * The kernel editor's "Where it runs" section: on this server, or in a batch
 * job with the resources it asks for (written into the kernel's metadata as
 * `kernel_provisioner` `hpc-batch`; the Metadata field shows the same).
 */
import * as React from 'react';

import { isPbsFamily } from '../../common/scheduler';
import type { KernelsModel } from '../model';
import { IPartitionChoice, fetchPlaces } from './api';
import {
  BatchField,
  IBatchSettings,
  EMPTY_SETTINGS,
  STEP_FIELDS,
  readPlacement,
  settingProblems,
  settingsSummary,
  submitOptionsOf,
  writePlacement
} from './placement';
import { StartEstimate } from './estimate';

/** The batch system and its partitions, once per editor. */
function usePlaces(): { kind: string | null; partitions: IPartitionChoice[] } {
  const [state, setState] = React.useState({
    kind: null as string | null,
    partitions: [] as IPartitionChoice[]
  });
  React.useEffect(() => {
    let live = true;
    fetchPlaces().then(
      places => live && setState(places),
      () => undefined // no batch system answer: the section says so
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

const FIELDS: { field: BatchField; label: string; placeholder: string }[] = [
  {
    field: 'time_limit',
    label: 'Time limit',
    placeholder: 'minutes or 1:00:00'
  },
  { field: 'nodes', label: 'Nodes', placeholder: '1' },
  { field: 'cpus', label: 'CPUs', placeholder: '1' },
  { field: 'memory', label: 'Memory', placeholder: 'e.g. 8G' },
  { field: 'gpus', label: 'GPUs', placeholder: '0' },
  { field: 'account', label: 'Account', placeholder: 'default' },
  { field: 'qos', label: 'QOS', placeholder: 'default' }
];

/** One text setting: its label above its input. */
function TextField(props: {
  field: BatchField;
  label: string;
  value: string;
  placeholder: string;
  title?: string;
  invalid: boolean;
  onChange: (value: string) => void;
}): JSX.Element {
  return (
    <label title={props.title}>
      {props.label}
      <input
        className={`jp-mod-styled jp-hpc-kernels-placement-${props.field}`}
        value={props.value}
        placeholder={props.placeholder}
        aria-invalid={props.invalid ? true : undefined}
        onChange={e => props.onChange(e.target.value)}
      />
    </label>
  );
}

export function PlacementSection({
  model,
  readOnly
}: {
  model: KernelsModel;
  readOnly: boolean;
}): JSX.Element | null {
  const { kind, partitions } = usePlaces();
  const text = model.draft!.metadataText;
  const placement = readPlacement(text);
  if (placement.where === 'unreadable') {
    return null; // the Metadata field says what is wrong with it
  }
  const pbs = isPbsFamily(kind);
  const settings =
    placement.where === 'batch' ? placement.settings : EMPTY_SETTINGS;
  const set = (where: 'server' | 'batch', next: IBatchSettings = settings) =>
    model.setMetadataText(writePlacement(text, where, next));
  const change = (field: BatchField, value: string) =>
    set('batch', { ...settings, [field]: value });
  const problems = placement.where === 'batch' ? settingProblems(settings) : [];
  const problemOf = (field: BatchField) =>
    problems.find(p => p.field === field)?.message;
  const fieldProps = (field: BatchField) => ({
    field,
    value: settings[field],
    invalid: problemOf(field) !== undefined,
    onChange: (value: string) => change(field, value)
  });
  // Slurm only: a kernel that joins a job the user already runs (salloc).
  const allocation = !pbs ? settings.allocation.trim() : '';
  const shown = (field: BatchField) =>
    !(pbs && field === 'qos') &&
    (!allocation || STEP_FIELDS.includes(field) || settings[field] !== '');

  return (
    <fieldset
      className="jp-hpc-kernels-section jp-hpc-kernels-placement"
      disabled={readOnly}
    >
      <legend>Where it runs</legend>
      {placement.where === 'other' ? (
        <div className="jp-hpc-kernels-note">
          This kernel is started by the provisioner{' '}
          <code>{placement.provisioner}</code> (see Metadata).
        </div>
      ) : (
        <div className="jp-hpc-kernels-placement-choice" role="radiogroup">
          <label>
            <input
              type="radio"
              name="jp-hpc-kernels-placement"
              value="server"
              checked={placement.where === 'server'}
              onChange={() => set('server')}
            />{' '}
            On this server
          </label>
          <label>
            <input
              type="radio"
              name="jp-hpc-kernels-placement"
              value="batch"
              checked={placement.where === 'batch'}
              disabled={!kind && placement.where !== 'batch'}
              onChange={() => set('batch')}
            />{' '}
            In a batch job
          </label>
          {!kind && (
            <span className="jp-hpc-kernels-note">
              This server has no batch system.
            </span>
          )}
        </div>
      )}
      {placement.where === 'batch' && (
        <div className="jp-hpc-kernels-placement-fields">
          {!pbs && (
            <TextField
              {...fieldProps('allocation')}
              label="In my allocation (job id)"
              placeholder="none: submit a job"
              title="A running job of yours (an salloc allocation): the kernel starts in it as a step instead of submitting a job of its own."
            />
          )}
          {(!allocation || settings.partition !== '') && (
            <label>
              {pbs ? 'Queue' : 'Partition'}
              <select
                className="jp-mod-styled jp-hpc-kernels-placement-partition"
                value={settings.partition}
                onChange={e => change('partition', e.target.value)}
              >
                <option value="">default</option>
                {partitions.map(p => (
                  <option key={p.name} value={p.name}>
                    {p.name}
                    {p.default ? ' (default)' : ''}
                    {p.available && p.available !== 'up'
                      ? ` (${p.available})`
                      : ''}
                  </option>
                ))}
                {settings.partition &&
                  !partitions.some(p => p.name === settings.partition) && (
                    <option value={settings.partition}>
                      {settings.partition}
                    </option>
                  )}
              </select>
            </label>
          )}
          {FIELDS.filter(f => shown(f.field)).map(f => (
            <TextField
              key={f.field}
              {...fieldProps(f.field)}
              label={f.label}
              placeholder={f.placeholder}
            />
          ))}
          <TextField
            {...fieldProps('modules')}
            label="Modules"
            placeholder="e.g. gcc/12.2.0 cuda/12.2"
            title="Loaded in the job, in this order, before the kernel starts (module load)."
          />
          {!allocation && (
            <TextField
              {...fieldProps('queue_timeout')}
              label="Queue timeout (min)"
              placeholder="site default"
              title="Minutes the job may wait in the queue before it is cancelled and the start fails; 0: no limit; empty: the site's default."
            />
          )}
          {(!allocation || settings.extra !== '') && (
            <label
              className="jp-hpc-kernels-placement-wide"
              title={`Other ${pbs ? 'qsub' : 'sbatch'} options, one per line.`}
            >
              Other options
              <textarea
                className="jp-mod-styled jp-hpc-kernels-placement-extra"
                value={settings.extra}
                rows={2}
                placeholder={pbs ? '-l place=excl' : '--constraint=intel'}
                aria-invalid={problemOf('extra') ? true : undefined}
                onChange={e => change('extra', e.target.value)}
              />
            </label>
          )}
          <label>
            Restart
            <select
              className="jp-mod-styled jp-hpc-kernels-placement-restart"
              value={settings.restart}
              onChange={e => change('restart', e.target.value)}
            >
              <option value="keep">
                {allocation ? 'in the same step' : 'in the same job'}
              </option>
              <option value="renew">
                {allocation ? 'in a new step' : 'in a new job'}
              </option>
            </select>
          </label>
          {problems.length > 0 && (
            <ul className="jp-hpc-kernels-findings jp-mod-problem">
              {problems.map(p => (
                <li key={p.field}>{p.message}</li>
              ))}
            </ul>
          )}
          {kind === 'slurm' && (
            <StartEstimate options={submitOptionsOf(settings)} />
          )}
          {allocation ? (
            <div className="jp-hpc-kernels-note">
              Starting this kernel starts a step in your job {allocation} (
              {settingsSummary(settings)}), which must be running. Shutting the
              kernel down ends the step; the job keeps running.
            </div>
          ) : (
            <div className="jp-hpc-kernels-note">
              Starting this kernel submits a job ({settingsSummary(settings)});
              the notebook shows it while it waits, with Cancel. Shutting the
              kernel down ends the job.
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}
