/** The {@code file} check type: the maintenance switch that fails while a file exists. */
package io.rhid.checks.file;
