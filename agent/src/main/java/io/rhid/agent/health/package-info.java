/**
 * Pure health logic: rise/fall per check, the ServiceEvaluator that turns checks and overlays
 * (startup gate, reload hold, flap damping, drain) into a service's verdict, and the overlays'
 * deadlines.
 */
package io.rhid.agent.health;
