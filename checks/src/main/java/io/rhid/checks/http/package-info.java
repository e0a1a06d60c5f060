/** The {@code http} check type: one HTTP(S) request per run through a shared OkHttp client, with its TLS material. */
package io.rhid.checks.http;
