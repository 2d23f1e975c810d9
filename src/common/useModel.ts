/**
 * The one way a view follows its model: re-render whenever the model emits
 * `changed`, and disconnect when the component goes away.
 */
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

export interface IChangingModel {
  readonly changed: ISignal<unknown, void>;
}

export function useModel(model: IChangingModel): void {
  const [, bump] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const onChange = () => bump();
    model.changed.connect(onChange);
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);
}
