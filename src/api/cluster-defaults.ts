// The cluster's default address ranges (k3s's), in a module of their own: the node agent needs them, and
// importing them from the controllers, API server or DNS server that also use them would load those too.

/** defaultClusterCidr is the pod network of every node together (k3s's default). */
export const defaultClusterCidr = '10.42.0.0/16';
/** defaultServiceCidr is k3s's and Berth's service range. */
export const defaultServiceCidr = '10.43.0.0/16';
/** defaultClusterDns is the cluster DNS Service address in the default service CIDR (k3s's). */
export const defaultClusterDns = '10.43.0.10';
