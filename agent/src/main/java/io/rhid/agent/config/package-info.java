/**
 * The config: loading YAML with positions, binding it to immutable records ({@code RhidConfig} and
 * below) with every error reported as {@code FILE:LINE:COL: PATH: message}, and the check types
 * found on the class path ({@code ProbeTypes}).
 */
package io.rhid.agent.config;
