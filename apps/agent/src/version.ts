/** The agent's version, reported in heartbeats, metrics and the stream hello. */
export const AGENT_VERSION = '0.1.0';
