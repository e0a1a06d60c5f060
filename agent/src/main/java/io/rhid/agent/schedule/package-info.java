/**
 * Probe scheduling: the only package that owns probe threads; runs each check on its interval,
 * computes its rise/fall state, and alerts checks linked to the same endpoint.
 */
package io.rhid.agent.schedule;
