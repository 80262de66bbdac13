import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeCgroupTree } from '../runtime/cleanup.ts';

// Pod-level cgroups (upstream's pod container manager, cgroupfs driver): runc creates a container's cgroup
// under the pod's but never removes the pod's own directory, so the agent makes it before the sandbox and
// removes it, in every hierarchy, once the pod is gone.

/** PodCgroups creates and removes "<root>/pod<uid>" directories under cgroupFs. */
export class PodCgroups {
  readonly #root: string;
  readonly #fs: string;

  constructor(root: string, cgroupFs = '/sys/fs/cgroup') {
    this.#root = root;
    this.#fs = cgroupFs;
  }

  /** parent is the cgroup parent a pod's sandbox gets: "/<root>/pod<uid>". */
  parent(uid: string): string {
    return `/${this.#root}/pod${uid}`;
  }

  /** create makes the pod's cgroup in every hierarchy (a v1 controller, or the v2 tree). */
  create(uid: string): void {
    for (const h of this.#hierarchies()) {
      try {
        mkdirSync(join(h, this.#root, `pod${uid}`), { recursive: true });
      } catch {
        // a read-only or named hierarchy: runc manages without it
      }
    }
  }

  /** remove deletes the pod's cgroup everywhere; it returns directories that could not go (processes left). */
  remove(uid: string): string[] {
    return removeCgroupTree(join(this.#root, `pod${uid}`), this.#fs);
  }

  #hierarchies(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.#fs);
    } catch {
      return [];
    }
    // On a v2-only host the controllers are files in the root; the tree itself is the one hierarchy.
    const dirs = names.filter((n) => !n.includes('.')).map((n) => join(this.#fs, n));
    return names.includes('cgroup.controllers') ? [this.#fs] : dirs;
  }
}
