// Frozen values: parts that many API objects share (a pod's injected token volume, its default tolerations, the
// empty leaves of its managedFields) are built once and frozen, so that each new object does not carry copies of
// them for the garbage collector to copy and mark for as long as the watch cache holds it. Freezing makes a
// change to a shared part throw (modules are strict) instead of changing every object that holds it.

/** deepFreeze freezes a value and everything it reaches, and returns it. */
export function deepFreeze<V>(v: V): V {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
