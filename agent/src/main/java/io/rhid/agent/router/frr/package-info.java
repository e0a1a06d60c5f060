/**
 * All of FRR's bgpd: its syntax ({@code FrrSyntax}, for rendering and reading), the running config and
 * the diff to a desired state, the vtysh client, the vtysh and reload modes, the applier and the export query.
 */
package io.rhid.agent.router.frr;
