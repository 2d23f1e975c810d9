import { LabIcon } from '@jupyterlab/ui-components';

import queueSvgstr from '../style/icons/queue.svg';

/** The job queue's icon: jobs stacked like bars in a queue. */
export const queueIcon = new LabIcon({
  name: 'jupyterlab-hpc:queue',
  svgstr: queueSvgstr
});
