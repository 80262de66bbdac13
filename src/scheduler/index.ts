// The scheduler core, pure and in memory: snapshot, framework and plugins, scheduling queue and preemption.
export * from './framework/index.ts';
export * from './plugins/index.ts';
export * from './queue/index.ts';
export * from './preemption/index.ts';
