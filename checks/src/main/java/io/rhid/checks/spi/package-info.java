/**
 * The probe plugin contract: a {@link io.rhid.checks.spi.ProbeProvider} per check type, found
 * through {@link java.util.ServiceLoader}, parses its {@link io.rhid.checks.spi.ProbeSpec} through a
 * {@link io.rhid.checks.spi.SpecReader} and creates {@link io.rhid.checks.spi.Probe}s that return a
 * {@link io.rhid.checks.spi.ProbeResult}; plus {@link io.rhid.checks.spi.Permissions}, the rule for
 * files rhid trusts, shared by providers and the agent.
 */
package io.rhid.checks.spi;
