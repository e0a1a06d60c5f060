/**
 * The pure planner: from the services' states to the desired addresses and announcements with
 * their attributes.
 */
package io.rhid.agent.plan;
