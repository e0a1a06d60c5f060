/**
 * {@code rhid import}: converts anycast-healthchecker's INI config and ExaBGP healthcheck's command
 * line into rhid YAML, commented with what could not be carried over.
 */
package io.rhid.agent.importer;
