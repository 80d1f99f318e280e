/**
 * The shapes of the ids the API takes in paths and query strings. The handlers test them (an id outside its shape names
 * nothing: 404, or 400 for a filter) and the OpenAPI document states them as patterns, from these same constants.
 */
/** Dataset, operation and batch ids (ours are UUIDs). */
export const RESOURCE_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Cluster ids (`c00000003`, or made from the batch for clusters of an incremental assignment). */
export const CLUSTER_ID = /^[A-Za-z0-9_-]{1,200}$/;
