import { LabIcon } from '@jupyterlab/ui-components';

import modulesSvgstr from '../style/icons/modules.svg';
import queueSvgstr from '../style/icons/queue.svg';

/** The job queue's icon: jobs stacked like bars in a queue. */
export const queueIcon = new LabIcon({
  name: 'jupyterlab-hpc:queue',
  svgstr: queueSvgstr
});

/** The Modules panel's icon: stacked layers of software. */
export const modulesIcon = new LabIcon({
  name: 'jupyterlab-hpc:modules',
  svgstr: modulesSvgstr
});
