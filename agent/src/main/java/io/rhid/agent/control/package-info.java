/**
 * The control loop, the one thread that owns rhid's state: it feeds probe results to the
 * evaluator, plans, has the Converger apply, and publishes the status snapshot; plus the control
 * socket, operator commands and hooks.
 */
package io.rhid.agent.control;
