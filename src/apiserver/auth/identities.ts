// Identities the API server presents to others, apart from the certificate code (so the node agent can check
// them without loading it).

/** kubeletClientIdentity is the subject the API server presents to node agents (upstream's apiserver-kubelet-client). */
export const kubeletClientIdentity = { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] } as const;
