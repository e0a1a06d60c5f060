/**
 * The command line: picocli commands for every subcommand, the lean path that answers the client
 * commands ({@code status}, {@code drain}, {@code resume}, {@code recheck}, {@code reload}) without
 * picocli, Jackson or SnakeYAML, and the exit codes.
 */
package io.rhid.agent.cli;
