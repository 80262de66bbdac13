/** berthVersion is this build's version, as in package.json. */
export const berthVersion = '0.1.0';

/** kubernetesVersion is the Kubernetes API level Berth serves; kubectl's dispatcher picks kubectl 1.<minor> from it. */
export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.5' } as const;
