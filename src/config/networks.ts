/** The networks sn11 knows by name (any ws:// or wss:// URL works too); apart so the root help needs no zod. */
export const NETWORK_NAMES = ["finney", "test", "local"] as const;
