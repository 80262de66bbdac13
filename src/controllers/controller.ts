import type { EventRecorder } from '../client/events.ts';
import type { Client, InformerFactory, RestMapper } from '../client/index.ts';
import type { Clock } from '../clock.ts';

/** ControllerDeps are what every controller receives: the API client, shared informers, discovery, clock and logger. */
export interface ControllerDeps {
  client: Client;
  informers: InformerFactory;
  mapper: RestMapper;
  clock: Clock;
  log: (msg: string) => void;
  /** recorder returns an event recorder for a component ("deployment-controller", "default-scheduler"). */
  recorder: (component: string) => EventRecorder;
}

/** Controller is a level-triggered reconcile loop; start runs it until the signal aborts. */
export interface Controller {
  readonly name: string;
  start(signal: AbortSignal): Promise<void>;
}

/** ControllerFactory builds a controller from its dependencies. */
export type ControllerFactory = (deps: ControllerDeps) => Controller;
