/**
 * What rhid shows: the status snapshot and its JSON, the metric families (declared once, as Metric
 * constants) and their Prometheus text, and the read-only HTTP server.
 */
package io.rhid.agent.status;
